// Records of their own: what casetrail records that is not a child's. Each kind is one journey
// in its own streams "<prefix><id>", never part of a child's case:
//   allegation  "allegation-<id>"  the lado journey (workflows/lado.cpp): an allegation against
//               someone who works with children, the LADO's record (seed-spec SM-17). It is about
//               an adult: only the LADO team and auditors read it (the API's rule, docs/api.md),
//               and it never reaches a subscriber or the Kafka relay (`restricted`).
//   carer       "carer-<id>"       the carers journey (workflows/carers.cpp): a foster carer, a
//               connected person or an adopter, from enquiry to approval, reviews and
//               deregistration (seed-spec SM-22); placements and matches name carers by it.
// Each is decided through the same generic command service as a child's case
// (engine/command_service.hpp: a retried command id answers what it wrote, one command at a time
// per record, expected versions) and written in the same event shapes
// (workflows/case_events.hpp: the action, then its deadline effects and flags).
//
// Not yet: corrections of these records (a wrong step is followed by the right one, with a
// reason), snapshots (a record holds tens of events, rebuilt from its stream), and the
// scheduler's breach ticks (their deadlines are met or met late by the actions themselves).
//
// Thread-safety: OwnRecordService's members may be called concurrently; an OwnRecord is a
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

struct RecordKind {
  std::string name;           // "allegation"
  std::string stream_prefix;  // "allegation-"
  std::string journey;        // "lado": the journey that decides it (OtherRecordJourneys())
  bool restricted = false;    // read only by its own team and auditors; never sent to subscribers
};
const RecordKind& AllegationRecord();
const RecordKind& CarerRecord();
const std::vector<const RecordKind*>& RecordKinds();
// The kind whose streams `stream` is one of; nullptr for a child's stream or any other.
const RecordKind* RecordKindOf(std::string_view stream);
// Whether `stream` is a restricted record's (an allegation's).
bool IsRestrictedRecordStream(std::string_view stream);

inline constexpr std::string_view kAllegationStreamPrefix = "allegation-";
std::string RecordStreamOf(const RecordKind& kind, const std::string& id);  // "<prefix><id>"
std::string RecordIdOf(const RecordKind& kind, std::string_view stream);    // empty for other streams

struct OwnRecordCommand {
  std::string id;      // 1 to 128 printable ASCII characters without spaces
  std::string action;  // "lado.referral_received"
  TimestampUs occurred_at = 0;
  std::map<std::string, std::string> params;
  Actor actor;
  std::string command_id;                         // idempotency key (recommended)
  std::optional<std::uint64_t> expected_version;  // the record's stream version the caller saw
};

struct OwnRecordOutcome {
  bool accepted = false;
  AppendResult append;                       // when accepted (duplicate = a retried command)
  std::vector<std::string> event_types;      // what was written, in order
  Verdict verdict;                           // for refusals: rule and reason
  std::string state;                         // the record's state after (refused: now)
  std::vector<std::string> allowed_actions;  // what the actor's role may record now
  std::uint64_t version = 0;                 // the record's stream version now
};

// A record as its actions left it: its kind's journey alone.
class OwnRecord {
 public:
  explicit OwnRecord(const RecordKind& kind, const RuleBook& rules = RuleBook::Default());
  OwnRecord(const OwnRecord& other) : kind_(other.kind_), journey_(other.journey_->Clone()) {}
  OwnRecord& operator=(const OwnRecord& other) {
    kind_ = other.kind_;
    journey_ = other.journey_->Clone();
    return *this;
  }
  OwnRecord(OwnRecord&&) noexcept = default;
  OwnRecord& operator=(OwnRecord&&) noexcept = default;

  // Applies an action of the kind's journey (role checked by the journey); any other action is
  // refused with rule not_a_<kind>_action, naming where it belongs.
  Verdict Apply(const Action& action);
  std::string State() const { return journey_->State(); }
  // The actions the state allows that `role` may record (an empty role: every one).
  std::vector<std::string> AllowedActions(const std::string& role = "") const;
  std::vector<Deadline> OpenDeadlines() const { return journey_->OpenDeadlines(); }
  const Journey& journey() const { return *journey_; }
  const RecordKind& kind() const { return *kind_; }

 private:
  const RecordKind* kind_;
  std::unique_ptr<Journey> journey_;
};

struct OwnRecordState {
  OwnRecord record;
  std::uint64_t version = 0;
};

// The decider of engine/command_service.hpp for one kind's streams.
class OwnRecordDecider {
 public:
  using Command = OwnRecordCommand;
  using State = OwnRecordState;
  using Outcome = OwnRecordOutcome;
  using Decision = CommandDecision<State, Outcome>;
  static constexpr const char* kNoun = "record";

  OwnRecordDecider(EventLog& log, const RecordKind& kind, const RuleBook& rules) : log_(log), kind_(kind), rules_(rules) {}

  Status CheckKey(const std::string& id) const;
  Status Check(const Command& cmd) const;
  const std::string& KeyOf(const Command& cmd) const { return cmd.id; }
  std::string StreamOf(const std::string& id) const { return RecordStreamOf(kind_, id); }
  Result<State> Load(const std::string& id) const;
  State Empty() const { return State{OwnRecord(kind_, rules_), 0}; }
  static std::uint64_t VersionOf(const State& s) { return s.version; }
  static bool FromSnapshot(const State&) { return false; }
  Result<Outcome> Retried(const Command& cmd, const AppendResult& original,
                          const std::vector<RecordedEvent>& written, const State& now) const;
  Decision Decide(const Command& cmd, const State& now) const;
  void Accepted(const Command& cmd, const AppendResult& appended, State* next, Outcome* out) const;

 private:
  EventLog& log_;
  const RecordKind& kind_;
  const RuleBook& rules_;
};

class OwnRecordService {
 public:
  OwnRecordService(EventLog& log, const RecordKind& kind, const RuleBook& rules = RuleBook::Default())
      : svc_(log, log, kind, rules), kind_(kind) {}

  // InvalidArgument (bad id, time, ...), Conflict (stale expected version), IOError; a refusal
  // by the journey is an ok Result with accepted = false and nothing written.
  Result<OwnRecordOutcome> Execute(const OwnRecordCommand& command) { return svc_.Execute(command); }
  // The record as the log holds it now; NotFound when it has none.
  Result<OwnRecordState> Load(const std::string& id);
  // Rebuilds a record from its stream's events (its actions). Corruption if the log holds an
  // action the journey refuses on replay.
  static Result<OwnRecordState> Rebuild(const RecordKind& kind, const std::vector<RecordedEvent>& events,
                                        const RuleBook& rules);
  const RecordKind& kind() const { return kind_; }

 private:
  CommandService<OwnRecordDecider> svc_;
  const RecordKind& kind_;
};

}  // namespace casetrail::workflows
