// Audit: what audit teams ask of a child's history.
//
//   AsOf      the child as things stood on date X (occurred_at <= X) as the record stood on date
//             Y (recorded_at <= Y). Reads only the child's stream (never the whole log) and
//             starts from the newest snapshot that the question can use.
//   Explain   the transition trace that led to the child's current states: each action with its
//             journey, guard, from -> to, the deadlines it scheduled, met or cancelled, and the
//             cross-journey consequences it caused.
//   Export    one child's history as a self-verifying bundle: every event with its hash chain,
//             the transition-table fingerprints, the rule set and the calendar version.
//             VerifyBundle recomputes every hash from the documented event encoding.
//
// Corrections and withdrawals (case.record_corrected / case.record_withdrawn) are honoured in
// every answer: the views show the corrected value; the chronology keeps both.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event_log.hpp"
#include "replay/projections/chronology.hpp"
#include "workflows/case.hpp"

namespace casetrail::replay {

// The child as of a time, as the record stood.
struct ChildView {
  std::string child_id;
  TimestampUs occurred_by = INT64_MAX;   // X: events that happened on or before
  TimestampUs recorded_by = INT64_MAX;   // Y: ... and were recorded on or before
  std::uint64_t version = 0;             // the last stream version the record held at Y
  std::map<std::string, std::string> states;            // every journey -> state
  std::vector<workflows::Deadline> open_deadlines;
  std::vector<std::string> flags;
  std::vector<ChronologyProjection::Entry> chronology;   // business-time order
  // Actions the record held that could not apply in the filtered history (for instance a
  // late-recorded visit whose plan was recorded after Y): version, action and why.
  struct Skipped {
    std::uint64_t version = 0;
    std::string action;
    std::string reason;
  };
  std::vector<Skipped> skipped;
  std::uint64_t events_read = 0;        // how many events answering needed
  std::uint64_t snapshot_version = 0;   // the snapshot it started from (0: none)
};

// One step of a child's trace.
struct TraceStep {
  std::uint64_t version = 0;
  std::uint64_t position = 0;
  TimestampUs occurred_at = 0;
  TimestampUs recorded_at = 0;
  std::string action;
  std::string actor;   // "user (role, team)"
  std::string journey;
  std::string from_state, to_state;
  std::string guard;   // the guard that let it through (empty: no guard on the row)
  std::vector<std::string> deadlines;     // "scheduled T-07 due 2026-03-20", "met T-07", ...
  std::vector<std::string> consequences;  // "X-03: cp.plan_ended (child_protection: ...)"
  std::vector<std::string> flags;
  std::string correction;                 // "withdrawn by v12: ..." / "corrected by v9: ..."
};

struct BundleReport {
  bool ok = false;
  std::string child_id;
  std::uint64_t events = 0;
  std::string head_hash;
  std::string reason;  // the first problem, when !ok
};

class Audit {
 public:
  explicit Audit(EventLog& log, const workflows::RuleBook& rules = workflows::RuleBook::Default())
      : log_(log), rules_(rules) {}

  // NotFound if the child has no events; InvalidArgument for a bad child id.
  // The chronology needs the whole stream; the rest needs only the newest usable snapshot and
  // the tail after it.
  Result<ChildView> AsOf(const std::string& child_id, TimestampUs occurred_by = INT64_MAX,
                         TimestampUs recorded_by = INT64_MAX, bool with_chronology = false);
  Result<std::vector<TraceStep>> Explain(const std::string& child_id);
  // The bundle as JSON text.
  Result<std::string> Export(const std::string& child_id);
  static BundleReport VerifyBundle(std::string_view bundle_json);

 private:
  EventLog& log_;
  const workflows::RuleBook& rules_;
};

}  // namespace casetrail::replay
