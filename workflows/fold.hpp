// The one fold of a child's stream into a Case, shared by the command pipeline (CaseService),
// audit (as-of, explain, export) and the tests: which events are actions, how a later
// correction or withdrawal (workflows/case_events.hpp) changes the action it references, and
// which events an as-of question may see.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "engine/event_log.hpp"
#include "workflows/case.hpp"
#include "workflows/case_events.hpp"

namespace casetrail::workflows {

// Events the pipeline derived (deadline.*, flag.*, cross-journey consequences) and corrections
// are not actions: a fold skips them (consequences are derived again).
bool IsActionEvent(const RecordedEvent& e);

// A correction or withdrawal as the fold needs it (read from the stored payload).
struct Correction {
  std::uint64_t version = 0;      // of the correcting event
  TimestampUs recorded_at = 0;
  bool withdrawn = false;
  TimestampUs occurred_at = 0;    // corrected business time (corrections)
  std::map<std::string, std::string> params;  // corrected parameters, whole (corrections)
  std::string reason;
  std::string by;                 // "user (role)"
};

// The latest correction of each action version among `events`, seen by an as-of question
// (recorded_at <= recorded_by).
std::map<std::uint64_t, Correction> CorrectionsIn(const std::vector<RecordedEvent>& events,
                                                  TimestampUs recorded_by = INT64_MAX);

// The action an event records (its parameters parsed from the payload).
Action ActionOf(const RecordedEvent& e);

struct FoldStep {
  const RecordedEvent* event = nullptr;
  Action action;                     // as applied (corrected values when corrected)
  const Correction* correction = nullptr;
  CaseVerdict verdict;
};

struct FoldOptions {
  TimestampUs occurred_by = INT64_MAX;  // as-of: only actions that happened by then
  TimestampUs recorded_by = INT64_MAX;  // ... and were recorded by then
  // As-of questions keep going past an action the filtered history cannot take (reported to
  // on_refused); otherwise a refused action is Corruption (the log and the rules disagree).
  bool skip_refused = false;
  std::function<void(const FoldStep&)> on_step;
  std::function<void(const FoldStep&)> on_refused;
};

// Folds the actions of events[from..] into `c`, applying `corrections` (withdrawn actions are
// skipped). Events must be one stream in version order.
Status Fold(Case& c, const std::vector<RecordedEvent>& events, std::size_t from,
            const std::map<std::uint64_t, Correction>& corrections, const FoldOptions& options);

// The roles that may correct or withdraw an action: those that may record it, and team
// managers. Empty for a case-level action: any practitioner role.
std::vector<std::string> CorrectionRoles(const Case& c, const std::string& action);

// A child's case with the bookkeeping that snapshots and as-of questions need.
struct CaseState {
  explicit CaseState(Case from) : c(std::move(from)) {}
  Case c;
  std::uint64_t version = 0;           // the last stream version folded
  TimestampUs recorded_at = 0;         // of that version
  TimestampUs max_occurred = 0;        // the latest business time of any action folded
  TimestampUs segment_min = INT64_MAX; // the earliest business time folded since the last snapshot
  std::vector<std::string> flags;      // every flag raised, in order
  std::uint64_t snapshot_version = 0;  // the snapshot it started from (0: none)
  std::uint64_t events_read = 0;
};

// Folds one step's results into a CaseState's bookkeeping (times, flags).
void Track(CaseState& s, const FoldStep& step);

}  // namespace casetrail::workflows
