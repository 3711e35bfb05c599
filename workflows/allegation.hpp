// An allegation against a person who works with children: the LADO's record (seed-spec SM-17).
// It is about an adult, so it is never part of a child's record: its own stream
// "allegation-<id>", decided by the lado journey (workflows/lado.cpp) through the same generic
// command service as a child's case (engine/command_service.hpp: a retried command id answers
// what it wrote, one command at a time per allegation, expected versions), written in the same
// event shapes (workflows/case_events.hpp: the action, then its deadline effects and flags).
// Who may read it is the API's rule (only the LADO team and auditors; docs/api.md).
//
// Not yet: corrections of an allegation's record (a wrong record is concluded or reopened with
// a reason), snapshots (an allegation holds tens of events, rebuilt from its stream), and the
// scheduler's breach ticks (T-100 and T-103 are met or met late by the actions themselves).
//
// Thread-safety: AllegationService's members may be called concurrently; an Allegation is a
// value, not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/command_service.hpp"
#include "engine/event_log.hpp"
#include "workflows/journey.hpp"

namespace casetrail::workflows {

inline constexpr std::string_view kAllegationStreamPrefix = "allegation-";
std::string AllegationStreamOf(const std::string& allegation_id);  // "allegation-<id>"
std::string AllegationIdOf(std::string_view stream);               // empty for other streams

struct AllegationCommand {
  std::string allegation_id;  // 1 to 128 printable ASCII characters without spaces
  std::string action;         // "lado.referral_received"
  TimestampUs occurred_at = 0;
  std::map<std::string, std::string> params;
  Actor actor;
  std::string command_id;                         // idempotency key (recommended)
  std::optional<std::uint64_t> expected_version;  // the allegation's stream version the caller saw
};

struct AllegationOutcome {
  bool accepted = false;
  AppendResult append;                       // when accepted (duplicate = a retried command)
  std::vector<std::string> event_types;      // what was written, in order
  Verdict verdict;                           // for refusals: rule and reason
  std::string state;                         // the allegation's state after (refused: now)
  std::vector<std::string> allowed_actions;  // what the actor's role may record now
  std::uint64_t version = 0;                 // the allegation's stream version now
};

// An allegation as its actions left it: the lado journey alone.
class Allegation {
 public:
  explicit Allegation(const RuleBook& rules = RuleBook::Default());
  Allegation(const Allegation& other) : journey_(other.journey_->Clone()) {}
  Allegation& operator=(const Allegation& other) {
    journey_ = other.journey_->Clone();
    return *this;
  }
  Allegation(Allegation&&) noexcept = default;
  Allegation& operator=(Allegation&&) noexcept = default;

  // Applies a lado.* action (role checked by the journey); any other action is refused with
  // rule not_an_allegation_action, naming where it belongs.
  Verdict Apply(const Action& action);
  std::string State() const { return journey_->State(); }
  // The actions the state allows that `role` may record (an empty role: every one).
  std::vector<std::string> AllowedActions(const std::string& role = "") const;
  std::vector<Deadline> OpenDeadlines() const { return journey_->OpenDeadlines(); }
  const Journey& journey() const { return *journey_; }

 private:
  std::unique_ptr<Journey> journey_;
};

struct AllegationState {
  Allegation allegation;
  std::uint64_t version = 0;
};

// The decider of engine/command_service.hpp for an allegation's stream.
class AllegationDecider {
 public:
  using Command = AllegationCommand;
  using State = AllegationState;
  using Outcome = AllegationOutcome;
  using Decision = CommandDecision<State, Outcome>;
  static constexpr const char* kNoun = "allegation";

  AllegationDecider(EventLog& log, const RuleBook& rules) : log_(log), rules_(rules) {}

  Status CheckKey(const std::string& id) const;
  Status Check(const Command& cmd) const;
  const std::string& KeyOf(const Command& cmd) const { return cmd.allegation_id; }
  std::string StreamOf(const std::string& id) const { return AllegationStreamOf(id); }
  Result<State> Load(const std::string& id) const;
  State Empty() const { return State{Allegation(rules_), 0}; }
  static std::uint64_t VersionOf(const State& s) { return s.version; }
  static bool FromSnapshot(const State&) { return false; }
  Result<Outcome> Retried(const Command& cmd, const AppendResult& original,
                          const std::vector<RecordedEvent>& written, const State& now) const;
  Decision Decide(const Command& cmd, const State& now) const;
  void Accepted(const Command& cmd, const AppendResult& appended, State* next, Outcome* out) const;

 private:
  EventLog& log_;
  const RuleBook& rules_;
};

class AllegationService {
 public:
  explicit AllegationService(EventLog& log, const RuleBook& rules = RuleBook::Default())
      : svc_(log, log, rules), rules_(rules) {}

  // InvalidArgument (bad id, time, ...), Conflict (stale expected version), IOError; a refusal
  // by the lado journey is an ok Result with accepted = false and nothing written.
  Result<AllegationOutcome> Execute(const AllegationCommand& command) { return svc_.Execute(command); }
  // The allegation as the log holds it now; NotFound when it has no record.
  Result<AllegationState> Load(const std::string& allegation_id);
  // Rebuilds an allegation from its stream's events (its actions). Corruption if the log holds
  // an action the journey refuses on replay.
  static Result<AllegationState> Rebuild(const std::vector<RecordedEvent>& events, const RuleBook& rules);

 private:
  CommandService<AllegationDecider> svc_;
  const RuleBook& rules_;
};

}  // namespace casetrail::workflows
