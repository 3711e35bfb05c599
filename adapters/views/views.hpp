// The view layer: every read view of a child or of the caseload rendered to JSON in one place.
//
// Guarantees (checked by tests/adapters/test_views.cpp and test_cli_api_parity.cpp):
//  * Each view has exactly one renderer. The HTTP API's answer (docs/api.md, the contract) and
//    `casetrail <view> --json` both come from these functions, so they answer the same shape;
//    for the same log, parameters and caller, the same document.
//  * Rendering never reads the clock or the log: the caller passes the projection or audit
//    result, the parameters it was asked with and `now` (what "overdue", "breached", weeks and
//    red/amber/green are measured against).
//  * Who may see what stays with the caller: views that list children take a `Visible`
//    predicate (the HTTP API hides restricted children from unnamed users; the CLI sees all).
//  * Parameters are validated by the caller (query strings and command-line options differ);
//    a view renders what it is given and never fails.
//
// Thread-safety: the functions are pure; a projection passed in must not be written to while
// its view renders (the HTTP API holds its views lock).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/event.hpp"
#include "replay/audit.hpp"
#include "replay/projections/child_summary.hpp"
#include "replay/projections/chronology.hpp"
#include "replay/projections/deadlines.hpp"
#include "replay/projections/kpis.hpp"
#include "replay/projections/plo_tracker.hpp"
#include "workflows/case.hpp"

namespace casetrail::views {

using Json = nlohmann::json;

// May the caller see this child? An empty function lets every child through.
using Visible = std::function<bool(const std::string& child)>;

// The journeys that are active (not in their initial state): journey -> state.
Json ActiveStates(const std::map<std::string, std::string>& states);

// What the case allows now, answered for `role`: "allowed_actions" (what the role may record)
// and "other_actions" ([{action, roles}]: allowed now, by another role). An empty role: every
// action is in allowed_actions (an operator's view, `casetrail case` without --role).
Json OtherActions(const std::vector<workflows::AllowedAction>& others);
void AddAllowed(Json* body, const workflows::Case& c, const std::string& role);

// The child now: GET /v1/children/{child}, `casetrail case --child ID --json [--role R]`.
// {child, version, states (active), open_deadlines [{rule, due, overdue}], allowed_actions,
// other_actions} (for `role`, AddAllowed), and legal_status, placement, team, last_worker,
// allocation ({team, worker, as, iro, since}; null before any was recorded) and flags when
// `summary` holds the child.
// REQUIRES: version > 0 (the child has a record); `summary` may be null.
Json ChildSummary(const std::string& child, std::uint64_t version, const workflows::Case& c,
                  const replay::ChildSummaryProjection::Child* summary, TimestampUs now, const std::string& role);

// GET /v1/children/{child}/chronology, `casetrail chronology CHILD --json`.
// {child, chronology [{occurred_at, recorded_at, version, text, recorded_by, original?}]}.
Json Chronology(const std::string& child, const std::vector<replay::ChronologyProjection::Entry>& entries);

// GET /v1/children/{child}/as-of, `casetrail show CHILD --json`. as_of / known_at: INT64_MAX
// when not asked (rendered as null); deadlines are "breached" against as_of, or `now` without it.
// {child, as_of, known_at, version, states (active), open_deadlines [{rule, due, breached}], flags,
//  skipped [{version, action, reason}], chronology [{occurred_at, version, text}]}.
Json AsOf(const std::string& child, const replay::ChildView& v, TimestampUs as_of, TimestampUs known_at,
          TimestampUs now);

// GET /v1/children/{child}/explain, `casetrail explain CHILD --json`.
// {child, trace [{version, occurred_at, action, actor, journey, from_state, to_state, guard,
//  deadlines, consequences, flags, correction}]}.
Json Explain(const std::string& child, const std::vector<replay::TraceStep>& trace);

// GET /v1/plo, `casetrail plo --json`: children in pre-proceedings and proceedings of `team`
// and `area` (empty: all), weeks elapsed and red/amber/green at `now`.
// {as_of, children [{child, team, area, stage, week, rag, ...stage's dates and counts}]}.
struct PloQuery {
  std::string team;
  std::string area;
  TimestampUs now = 0;
};
Json Plo(const replay::PloTrackerProjection& plo, const PloQuery& q, const Visible& visible);

// GET /v1/deadlines, `casetrail deadlines --json`: deadlines overdue at `now` and those due
// within `due_within_days` after it; with `team` (even empty), only children whose summary
// names that team.
// {as_of, overdue [{child, rule, started, due, status}], due_soon [...]}.
struct DeadlinesQuery {
  std::optional<std::string> team;
  TimestampUs now = 0;
  int due_within_days = 14;
};
Json Deadlines(const replay::DeadlinesProjection& deadlines, const replay::ChildSummaryProjection& summary,
               const DeadlinesQuery& q, const Visible& visible);

// GET /v1/kpis, `casetrail kpis --json`: the measures for the period [filter.from, filter.to).
// from / to: the dates as they were asked (echoed). A measure with no denominator has value null.
// {from, to, team, area, measures {name: {value, numerator, denominator}}}.
Json Kpis(const replay::KpiProjection& kpis, const replay::KpiProjection::Filter& filter, const std::string& from,
          const std::string& to);

// GET /v1/caseload, `casetrail caseload --json`: children with an active journey on `as_of`
// (business time, as recorded now; INT64_MAX: now) by the team responsible that day (only
// `team`'s when given, even empty): each worker's children (with the worker's role, `as`) and the
// team's unallocated children with the days they had waited by then (London dates); and the
// IROs of the children shown, with their looked-after children.
// {as_of, teams [{team, children, allocated, unallocated_count, by_worker {worker: n},
//                 workers [{worker, children [{child, journeys, since, as}]}],
//                 unallocated [{child, journeys, since, days}]}],
//  iros [{iro, children [{child, journeys}]}]}.
struct CaseloadQuery {
  std::optional<std::string> team;
  TimestampUs as_of = INT64_MAX;
  TimestampUs now = 0;
};
Json Caseload(const replay::ChildSummaryProjection& summary, const CaseloadQuery& q);

}  // namespace casetrail::views
