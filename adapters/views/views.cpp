#include "adapters/views/views.hpp"

#include <set>
#include <utility>

#include "adapters/json/event_json.hpp"
#include "replay/event_helpers.hpp"
#include "workflows/calendar.hpp"

namespace casetrail::views {
namespace {

namespace cj = casetrail::json;

bool Shows(const Visible& visible, const std::string& child) { return !visible || visible(child); }

// A time the caller did not ask for (INT64_MAX) is null.
Json TimeOrNull(TimestampUs t) { return t == INT64_MAX ? Json(nullptr) : Json(cj::FormatTime(t)); }

// Open deadlines with whether they are past due at `now`, under `flag` ("overdue" for the child
// now, "breached" for the child as of a time).
Json OpenDeadlines(const std::vector<workflows::Deadline>& open, TimestampUs now, const char* flag) {
  Json out = Json::array();
  for (const auto& d : open) out.push_back({{"rule", d.rule_id}, {"due", d.due_date.ToString()}, {flag, now >= d.due_by_us}});
  return out;
}

}  // namespace

Json ActiveStates(const std::map<std::string, std::string>& states) {
  Json j = Json::object();
  for (const auto& [journey, state] : states) {
    if (!replay::IsInitialState(journey, state)) j[journey] = state;
  }
  return j;
}

Json OtherActions(const std::vector<workflows::AllowedAction>& others) {
  Json out = Json::array();
  for (const auto& a : others) out.push_back({{"action", a.action}, {"roles", a.roles}});
  return out;
}

void AddAllowed(Json* body, const workflows::Case& c, const std::string& role) {
  std::vector<std::string> mine;
  std::vector<workflows::AllowedAction> others;
  c.AllowedFor(role, &mine, &others);
  (*body)["allowed_actions"] = mine;
  (*body)["other_actions"] = OtherActions(others);
}

// The child's open deadlines now, for people: when each started, and the working days left to
// its due date (0: due today) or, once past it, how many it is overdue (negative); null where the
// working-day calendar does not reach.
Json OpenDeadlinesNow(const std::vector<workflows::Deadline>& open, TimestampUs now) {
  Json out = OpenDeadlines(open, now, "overdue");
  const auto& calendar = workflows::Calendar::EnglandAndWales();
  const workflows::Date today = workflows::Date::FromTimestampUs(now);
  for (std::size_t i = 0; i < open.size(); ++i) {
    const auto& d = open[i];
    out[i]["started"] = workflows::Date::FromTimestampUs(d.start_us).ToString();
    Result<int> n = now >= d.due_by_us ? calendar.WorkingDaysBetween(d.due_date, today)
                                       : calendar.WorkingDaysBetween(today, d.due_date);
    out[i]["working_days_left"] = !n.ok() ? Json(nullptr) : Json(now >= d.due_by_us ? -*n : *n);
  }
  return out;
}

Json ChildSummary(const std::string& child, std::uint64_t version, const workflows::Case& c,
                  const replay::ChildSummaryProjection::Child* summary, TimestampUs now, const std::string& role) {
  Json body = {{"child", child},
               {"version", version},
               {"states", ActiveStates(c.States())},
               {"open_deadlines", OpenDeadlinesNow(c.OpenDeadlines(), now)}};
  AddAllowed(&body, c, role);
  if (summary) {
    body["legal_status"] = summary->legal_status.str();
    body["placement"] = summary->placement.str();
    body["team"] = summary->team.str();
    body["last_worker"] = summary->last_worker.str();
    body["allocation"] = nullptr;
    if (summary->allocation_recorded) {
      body["allocation"] = {{"team", summary->allocated_team.str()},
                            {"worker", summary->allocated_worker.str()},
                            {"as", summary->allocated_as.str()},
                            {"iro", summary->allocated_iro.str()},
                            {"since", workflows::Date::FromTimestampUs(summary->allocation_since).ToString()}};
    }
    Json flags = Json::array();
    for (const auto& f : summary->flags) flags.push_back(f.str());
    body["flags"] = flags;
  }
  return body;
}

Json Chronology(const std::string& child, const std::vector<replay::ChronologyProjection::Entry>& entries) {
  Json list = Json::array();
  for (const auto& e : entries) {
    Json j = {{"occurred_at", cj::FormatTime(e.occurred_at)}, {"recorded_at", cj::FormatTime(e.recorded_at)},
              {"version", e.version}, {"text", e.text}, {"recorded_by", e.recorded_by}};
    if (!e.original.empty()) j["original"] = {{"text", e.original}, {"occurred_at", cj::FormatTime(e.original_at)}};
    list.push_back(std::move(j));
  }
  return Json{{"child", child}, {"chronology", list}};
}

Json AsOf(const std::string& child, const replay::ChildView& v, TimestampUs as_of, TimestampUs known_at,
          TimestampUs now) {
  Json chronology = Json::array();
  for (const auto& e : v.chronology) {
    chronology.push_back({{"occurred_at", cj::FormatTime(e.occurred_at)}, {"version", e.version}, {"text", e.text}});
  }
  Json skipped = Json::array();
  for (const auto& s : v.skipped) skipped.push_back({{"version", s.version}, {"action", s.action}, {"reason", s.reason}});
  return Json{{"child", child},
              {"as_of", TimeOrNull(as_of)},
              {"known_at", TimeOrNull(known_at)},
              {"version", v.version},
              {"states", ActiveStates(v.states)},
              {"open_deadlines", OpenDeadlines(v.open_deadlines, as_of == INT64_MAX ? now : as_of, "breached")},
              {"flags", v.flags},
              {"skipped", skipped},
              {"chronology", chronology}};
}

Json Explain(const std::string& child, const std::vector<replay::TraceStep>& trace) {
  Json steps = Json::array();
  for (const auto& t : trace) {
    steps.push_back({{"version", t.version},     {"occurred_at", cj::FormatTime(t.occurred_at)},
                     {"action", t.action},       {"actor", t.actor},
                     {"journey", t.journey},     {"from_state", t.from_state},
                     {"to_state", t.to_state},   {"guard", t.guard},
                     {"deadlines", t.deadlines}, {"consequences", t.consequences},
                     {"flags", t.flags},         {"correction", t.correction}});
  }
  return Json{{"child", child}, {"trace", steps}};
}

Json Plo(const replay::PloTrackerProjection& plo, const PloQuery& q, const Visible& visible) {
  using P = replay::PloTrackerProjection;
  Json list = Json::array();
  for (const auto& c : plo.List(q.team, q.area)) {
    if (!Shows(visible, c.child)) continue;
    Json j = {{"child", c.child}, {"team", c.team}, {"area", c.area},
              {"stage", c.in_proceedings ? "proceedings" : "pre_proceedings"},
              {"week", P::WeeksElapsed(c, q.now)}, {"rag", P::Rag(c, q.now)}};
    if (c.in_proceedings) {
      j["issued"] = c.issued;
      j["final_hearing_due"] = c.final_date;
      j["hearings"] = c.hearings;
      j["extension_weeks"] = c.extension_weeks;
      j["fdac"] = c.fdac;
      j["after_pre_proceedings"] = c.pre_proceedings_before_issue;
      j["court"] = c.court.empty() ? Json(nullptr) : Json(c.court);
      // The date the last issue or hearing listed the next hearing for (it may have passed with
      // no hearing recorded since: the board says so).
      j["next_hearing"] = c.next_hearing.empty() ? Json(nullptr) : Json(c.next_hearing);
      j["placement_changes"] = c.placement_changes;
    } else {
      j["lpm"] = c.lpm_date;
      j["letter"] = c.letter_date;
      j["initial_meeting_due"] = c.initial_meeting_due;
      j["initial_meeting_held"] = c.initial_meeting_held;
      j["review_point"] = c.review_point;
      j["reviews"] = c.reviews;
      j["extensions"] = c.extensions;
    }
    list.push_back(std::move(j));
  }
  return Json{{"as_of", cj::FormatTime(q.now)}, {"children", list}};
}

Json Deadlines(const replay::DeadlinesProjection& deadlines, const replay::ChildSummaryProjection& summary,
               const DeadlinesQuery& q, const Visible& visible) {
  auto list = [&](const std::vector<replay::DeadlinesProjection::Entry>& entries) {
    Json out = Json::array();
    for (const auto& e : entries) {
      if (!Shows(visible, e.child)) continue;
      if (q.team) {
        const auto* c = summary.Find(e.child);
        if (!c || c->team != *q.team) continue;
      }
      out.push_back({{"child", e.child}, {"rule", e.rule}, {"started", e.started}, {"due", e.due},
                     {"status", replay::DeadlinesProjection::StatusAt(e, q.now)}});
    }
    return out;
  };
  return Json{{"as_of", cj::FormatTime(q.now)},
              {"overdue", list(deadlines.Overdue(q.now))},
              {"due_soon", list(deadlines.DueSoon(q.now, q.due_within_days))}};
}

Json Kpis(const replay::KpiProjection& kpis, const replay::KpiProjection::Filter& filter, const std::string& from,
          const std::string& to) {
  Json measures = Json::object();
  for (const auto& [name, v] : kpis.Compute(filter)) {
    measures[name] = {{"value", v.denominator == 0 ? Json(nullptr) : Json(v.value())},
                      {"numerator", v.numerator},
                      {"denominator", v.denominator}};
  }
  return Json{{"from", from}, {"to", to}, {"team", filter.team}, {"area", filter.area}, {"measures", measures}};
}

Json Caseload(const replay::ChildSummaryProjection& summary, const CaseloadQuery& q) {
  const TimestampUs at = q.as_of == INT64_MAX ? q.now : q.as_of;
  const workflows::Date today = workflows::Date::FromTimestampUs(at);
  auto since = [](TimestampUs t) { return t == 0 ? Json(nullptr) : Json(workflows::Date::FromTimestampUs(t).ToString()); };
  auto child_json = [&](const replay::ChildSummaryProjection::CaseloadChild& c) {
    Json j{{"child", c.child}, {"journeys", c.journeys}, {"since", since(c.since)}};
    if (!c.as.empty()) j["as"] = c.as;
    return j;
  };
  std::set<std::string> listed;  // the children of the teams shown (their IROs are shown too)
  Json teams = Json::array();
  for (const auto& [name, t] : summary.Caseload(q.as_of)) {
    if (q.team && name != *q.team) continue;
    std::size_t allocated = 0;
    Json by_worker = Json::object();
    Json workers = Json::array();
    for (const auto& [worker, children] : t.by_worker) {
      allocated += children.size();
      by_worker[worker] = children.size();
      Json list = Json::array();
      for (const auto& c : children) {
        list.push_back(child_json(c));
        listed.insert(c.child);
      }
      workers.push_back({{"worker", worker}, {"children", list}});
    }
    Json unallocated = Json::array();
    for (const auto& c : t.unallocated) {
      Json j = child_json(c);
      j["days"] = c.since == 0 ? Json(nullptr) : Json(today.days() - workflows::Date::FromTimestampUs(c.since).days());
      unallocated.push_back(std::move(j));
      listed.insert(c.child);
    }
    teams.push_back({{"team", name},
                     {"children", allocated + t.unallocated.size()},
                     {"allocated", allocated},
                     {"unallocated_count", t.unallocated.size()},
                     {"by_worker", by_worker},
                     {"workers", workers},
                     {"unallocated", unallocated}});
  }
  Json iros = Json::array();
  for (const auto& [iro, children] : summary.IroCaseload(q.as_of)) {
    Json list = Json::array();
    for (const auto& c : children) {
      if (listed.count(c.child)) list.push_back({{"child", c.child}, {"journeys", c.journeys}});
    }
    if (!list.empty()) iros.push_back({{"iro", iro}, {"children", list}});
  }
  return Json{{"as_of", TimeOrNull(q.as_of)}, {"teams", teams}, {"iros", iros}};
}

}  // namespace casetrail::views
