// Snapshots of a child's case, beside the log (EventLog snapshots, never part of the record),
// and loading a case from the newest usable one plus the tail of its stream.
//
// A child's case is snapshotted every kSnapshotEvery versions:
//   "case.<child>"            the index: one line per snapshot, "version recorded_at max_occurred
//                             segment_min": segment_min is the earliest business time of the
//                             actions folded since the snapshot before (a lower bound)
//   "case.<child>@<version>"  the snapshot: the case, the flags raised so far, and the rule book
//                             and transition tables it was made with
// A snapshot answers a question about (occurred_by X, recorded_by Y) when it was recorded by Y
// and every action in it happened by X. An accepted correction drops the snapshots at or after
// the version it corrects, so a snapshot never hides a correction recorded after it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/event_log.hpp"
#include "workflows/fold.hpp"

namespace casetrail::workflows {

inline constexpr std::uint64_t kSnapshotEvery = 128;

struct SnapshotRef {
  std::uint64_t version = 0;
  TimestampUs recorded_at = 0;
  TimestampUs max_occurred = 0;
  // No action between the previous snapshot and this one happened before this: an as-of
  // question about an earlier date skips the segment without reading it.
  TimestampUs segment_min = INT64_MIN;
};

// The snapshots of a child, oldest first (empty when none).
Result<std::vector<SnapshotRef>> SnapshotIndex(EventLog& log, const std::string& child_id);
Status SaveSnapshot(EventLog& log, const std::string& child_id, const CaseState& s, const RuleBook& rules);
// The snapshot, or nullopt when it cannot be used (made with other rules or tables, or damaged:
// the caller then folds from the log).
std::optional<CaseState> LoadSnapshot(EventLog& log, const std::string& child_id, const SnapshotRef& ref,
                                      const RuleBook& rules);
Status DropSnapshotsFrom(EventLog& log, const std::string& child_id, std::uint64_t version);

// The child's case as the record stood at (X, Y): from the newest usable snapshot and the tail
// of the stream, or from the log. NotFound if the child has no events.
Result<CaseState> LoadCase(EventLog& log, const std::string& child_id, const RuleBook& rules,
                           FoldOptions options = {}, bool use_snapshots = true);

}  // namespace casetrail::workflows
