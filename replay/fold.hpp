// The one fold of a child's stream into a workflows::Case, shared by the command pipeline
// (CaseService), audit (as-of, explain, export) and the tests: which events are actions, how a
// later correction or withdrawal changes the action it references, and which events an as-of
// question may see.
//
// Corrections. Nothing is ever rewritten. A later event references the action it corrects:
//   case.record_corrected  params: target_version, reason, and the corrected values:
//                          occurred_on (YYYY-MM-DD; the time of day is kept) and/or
//                          set.<param> (the action's parameter <param> takes this value)
//   case.record_withdrawn  params: target_version, reason (the action was recorded in error)
// The pipeline accepts one only if the child's whole history, refolded with it, still holds
// (a withdrawal that later actions depend on is refused, naming the first of them). The stored
// payload carries the target, the values before and after, and what the refold derived
// (states, deadlines, flags), so projections follow without re-reading the log.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event_log.hpp"
#include "workflows/case.hpp"

namespace casetrail::replay {

inline constexpr const char* kRecordCorrected = "case.record_corrected";
inline constexpr const char* kRecordWithdrawn = "case.record_withdrawn";
bool IsCorrection(std::string_view type);

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
workflows::Action ActionOf(const RecordedEvent& e);

struct FoldStep {
  const RecordedEvent* event = nullptr;
  workflows::Action action;          // as applied (corrected values when corrected)
  const Correction* correction = nullptr;
  workflows::CaseVerdict verdict;
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
Status Fold(workflows::Case& c, const std::vector<RecordedEvent>& events, std::size_t from,
            const std::map<std::uint64_t, Correction>& corrections, const FoldOptions& options);

// The roles that may correct or withdraw an action: those that may record it, and team
// managers. Empty for a case-level action: any practitioner role.
std::vector<std::string> CorrectionRoles(const workflows::Case& c, const std::string& action);

// ---- snapshots ------------------------------------------------------------------------------
// A child's case is snapshotted every kSnapshotEvery versions, beside the log (EventLog
// snapshots, never part of the record):
//   "case.<child>"            the index: one line per snapshot, "version recorded_at max_occurred"
//   "case.<child>@<version>"  the snapshot: the case, the flags raised so far, and the rule book
//                             and transition tables it was made with
// A snapshot answers a question about (occurred_by X, recorded_by Y) when it was recorded by Y
// and every action in it happened by X. An accepted correction drops the snapshots at or after
// the version it corrects, so a snapshot never hides a correction recorded after it.
inline constexpr std::uint64_t kSnapshotEvery = 256;

struct SnapshotRef {
  std::uint64_t version = 0;
  TimestampUs recorded_at = 0;
  TimestampUs max_occurred = 0;
};

struct CaseState {
  explicit CaseState(workflows::Case from) : c(std::move(from)) {}
  workflows::Case c;
  std::uint64_t version = 0;           // the last stream version folded
  TimestampUs recorded_at = 0;         // of that version
  TimestampUs max_occurred = 0;        // the latest business time of any action folded
  std::vector<std::string> flags;      // every flag raised, in order
  std::uint64_t snapshot_version = 0;  // the snapshot it started from (0: none)
  std::uint64_t events_read = 0;
};

// The snapshots of a child, oldest first (empty when none).
Result<std::vector<SnapshotRef>> SnapshotIndex(EventLog& log, const std::string& child_id);
Status SaveSnapshot(EventLog& log, const std::string& child_id, const CaseState& s,
                    const workflows::RuleBook& rules);
// The snapshot, or nullopt when it cannot be used (made with other rules or tables, or damaged:
// the caller then folds from the log).
std::optional<CaseState> LoadSnapshot(EventLog& log, const std::string& child_id,
                                      const SnapshotRef& ref, const workflows::RuleBook& rules);
Status DropSnapshotsFrom(EventLog& log, const std::string& child_id, std::uint64_t version);

// Folds one step's results into a CaseState's bookkeeping (version, times, flags).
void Track(CaseState& s, const FoldStep& step);

// The child's case as the record stood at (X, Y): from the newest usable snapshot and the tail
// of the stream, or from the log. NotFound if the child has no events.
Result<CaseState> LoadCase(EventLog& log, const std::string& child_id, const workflows::RuleBook& rules,
                           FoldOptions options = {}, bool use_snapshots = true);

std::string StreamOf(const std::string& child_id);

}  // namespace casetrail::replay
