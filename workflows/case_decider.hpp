// CaseDecider: the child's case as the decider of engine/command_service.hpp. It knows how a
// child's stream is named, hydrated (workflows/snapshots.hpp) and folded (workflows/fold.hpp),
// how a command is decided by the child's Case, and what an accepted command writes
// (workflows/case_events.hpp): the action, its consequences, deadline effects and flags, or a
// correction refolded over the whole history. CaseService (workflows/case_service.hpp) is the
// command service over it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/command_service.hpp"
#include "engine/event_log.hpp"
#include "workflows/case.hpp"
#include "workflows/fold.hpp"
#include "workflows/snapshots.hpp"

namespace casetrail::workflows {

struct Command {
  std::string child_id;  // the stream is "child-<child_id>"
  std::string action;
  TimestampUs occurred_at = 0;
  std::map<std::string, std::string> params;
  Actor actor;
  std::string command_id;                     // idempotency key (recommended)
  std::optional<std::uint64_t> expected_version;  // the child's stream version the caller saw
};

struct CommandOutcome {
  bool accepted = false;
  AppendResult append;                      // when accepted (duplicate = a retried command)
  std::vector<std::string> event_types;     // what was written, in order
  CaseVerdict verdict;                      // the decision (for refusals: rule and reason)
  std::map<std::string, std::string> states;   // the child's journeys after (or, refused: now)
  std::vector<std::string> allowed_actions;    // what the actor's role may record now
  std::vector<AllowedAction> other_actions;    // what the case allows now, by another role
  std::uint64_t version = 0;                   // the child's stream version now
};

class CaseDecider {
 public:
  using Command = workflows::Command;
  using State = CaseState;
  using Outcome = CommandOutcome;
  using Decision = CommandDecision<State, Outcome>;
  static constexpr const char* kNoun = "child";

  CaseDecider(EventLog& log, const RuleBook& rules) : log_(log), rules_(rules) {}

  // A child id is 1 to 128 printable ASCII characters without spaces.
  Status CheckKey(const std::string& child_id) const;
  Status Check(const Command& cmd) const;
  const std::string& KeyOf(const Command& cmd) const { return cmd.child_id; }
  std::string StreamOf(const std::string& child_id) const { return workflows::StreamOf(child_id); }
  Result<State> Load(const std::string& child_id) const { return LoadCase(log_, child_id, rules_); }
  State Empty() const { return CaseState(Case(rules_)); }
  static std::uint64_t VersionOf(const State& s) { return s.version; }
  static bool FromSnapshot(const State& s) { return s.snapshot_version != 0; }
  Result<Outcome> Retried(const Command& cmd, const AppendResult& original,
                          const std::vector<RecordedEvent>& written, const State& now) const;
  Decision Decide(const Command& cmd, const State& now) const;
  // Completes the answer and the new state once durable; snapshots every kSnapshotEvery versions.
  void Accepted(const Command& cmd, const AppendResult& appended, State* next, Outcome* out) const;

  const RuleBook& rules() const { return rules_; }

 private:
  Decision Correct(const Command& cmd, const State& now) const;
  static Decision Append(const Command& cmd, AppendRequest request, State next, Outcome out);
  EventLog& log_;
  const RuleBook& rules_;
};

}  // namespace casetrail::workflows
