#include "replay/projections/child_summary.hpp"

#include <algorithm>
#include <sstream>

#include "replay/correction_event.hpp"
#include "replay/detail/payload_fields.hpp"
#include "replay/event_helpers.hpp"
#include "workflows/case.hpp"

namespace casetrail::replay {

void ChildSummaryProjection::Apply(const EventView& e) {
  const std::string id = ChildIdOf(e.stream);
  if (id.empty()) return;
  Child& c = last_.Get(children_, e.stream, id);
  c.version = e.version;
  c.last_occurred_at = std::max(c.last_occurred_at, e.occurred_at);
  const std::string_view type = e.type;
  if (type == "deadline.scheduled" || type == "deadline.rescheduled") {
    const FlatObject flat = ScanFlat(e.payload);
    c.open_deadlines[Field(flat, e.payload, "rule")] = Field(flat, e.payload, "due");
    return;
  }
  if (type == "deadline.met" || type == "deadline.met_late" || type == "deadline.cancelled") {
    c.open_deadlines.erase(Field(e.payload, "rule"));
    return;
  }
  if (type.starts_with("deadline.")) return;  // breached, breach withdrawn: still open
  if (type == "flag.raised") {
    c.flags.push_back(Field(e.payload, "text"));
    return;
  }
  if (CorrectionEvent k; ParseCorrection(e, &k)) {
    // The pipeline refolded the child: take what it derived.
    c.journeys.clear();
    for (const auto& [journey, state] : k.states) {
      if (!IsInitialState(journey, state)) c.journeys[journey] = state;
    }
    c.open_deadlines.clear();
    for (const auto& d : k.deadlines) {
      if (d.state == "open") c.open_deadlines[d.rule] = d.due;
    }
    c.flags.clear();
    for (const auto& f : k.flags) c.flags.push_back(f.text);
    CorrectInputs(c.care_events, k, [](const std::string&, const std::string&) { return false; });
    c.legal_status = Sym();
    c.placement = Sym();
    for (const auto& in : c.care_events) ApplyCare(c, in.type, in.params);
    if (auto t = k.allocation.find("team"); t != k.allocation.end()) {  // records before allocation have none
      auto get = [&](const char* key) {
        auto it = k.allocation.find(key);
        return it == k.allocation.end() ? std::string() : it->second;
      };
      if (c.allocated_team.str() != t->second || c.allocated_worker.str() != get("worker")) {
        c.allocation_since = e.occurred_at;
      }
      c.allocation_recorded = c.allocation_recorded || !t->second.empty();
      c.allocated_team = Sym(t->second);
      c.allocated_worker = Sym(get("worker"));
      c.allocated_as = Sym(get("as"));
      c.team = c.allocated_team.str().empty() ? c.recorder_team : c.allocated_team;
    }
    return;
  }
  if (e.journey == workflows::kAllocation && e.type.starts_with("alloc.")) {
    // The allocation after the action, whoever recorded it (a consequence of a transfer or a
    // closure too).
    const auto params = ParamsOf(e.payload, {"team", "worker", "as", "reason"});
    auto p = [&](const char* k) {
      auto it = params.find(k);
      return it == params.end() ? std::string() : it->second;
    };
    c.allocation_recorded = true;
    c.allocation_since = e.occurred_at;
    if (e.type == "alloc.team_allocated") {
      c.allocated_team = Sym(p("team"));
      c.allocated_worker = c.allocated_as = Sym();
    } else if (e.type == "alloc.worker_allocated") {
      c.allocated_team = Sym(p("team"));
      c.allocated_worker = Sym(p("worker"));
      c.allocated_as = Sym(p("as"));
    } else if (e.type == "alloc.worker_deallocated") {
      if (p("reason") == "case_closed") c.allocated_team = Sym();
      c.allocated_worker = c.allocated_as = Sym();
    }
    c.team = c.allocated_team.str().empty() ? c.recorder_team : c.allocated_team;
    return;
  }
  if (!e.journey.empty() && replay::IsJourney(e.journey) && !e.to_state.empty()) {
    auto it = c.journeys.find(e.journey);
    if (IsInitialState(e.journey, e.to_state)) {
      if (it != c.journeys.end()) c.journeys.erase(it);
    } else if (it == c.journeys.end()) {
      c.journeys.emplace(std::string(e.journey), std::string(e.to_state));
    } else if (it->second != e.to_state) {
      it->second = Sym(e.to_state);
    }
  }
  // The scheduler (role system) is nobody's worker and no team's.
  if (!e.actor_user.empty() && e.actor_role != "system" && !IsDerivedPayload(e.payload)) {
    if (c.last_worker != e.actor_user) c.last_worker = Sym(e.actor_user);
    if (c.recorder_team != e.actor_team) c.recorder_team = Sym(e.actor_team);
    if (!c.allocation_recorded || c.allocated_team.str().empty()) c.team = c.recorder_team;
  }
  if (type == "cic.became_looked_after" || type == "cic.legal_status_changed" ||
      type == "cic.placement_started" || type == "cic.placement_changed" ||
      type == "cic.placement_ended" || type == "cic.ceased_looked_after") {
    ChildInput in;
    in.version = e.version;
    in.type = std::string(type);
    in.params = ParamsOf(e.payload, {"legal_status", "placement"});
    ApplyCare(c, in.type, in.params);
    c.care_events.push_back(std::move(in));
  }
}

void ChildSummaryProjection::ApplyCare(Child& c, const std::string& type,
                                       const std::map<std::string, std::string>& params) {
  auto param = [&](const char* k) {
    auto it = params.find(k);
    return it == params.end() ? std::string() : it->second;
  };
  if (type == "cic.became_looked_after" || type == "cic.legal_status_changed") {
    c.legal_status = param("legal_status");
  } else if (type == "cic.placement_started" || type == "cic.placement_changed") {
    c.placement = param("placement");
  } else if (type == "cic.placement_ended") {
    c.placement = Sym();
  } else if (type == "cic.ceased_looked_after") {
    c.legal_status = Sym();
    c.placement = Sym();
  }
}

const ChildSummaryProjection::Child* ChildSummaryProjection::Find(const std::string& id) const {
  auto it = children_.find(id);
  return it == children_.end() ? nullptr : &it->second;
}

std::map<std::string, ChildSummaryProjection::TeamCaseload> ChildSummaryProjection::Caseload() const {
  std::map<std::string, TeamCaseload> out;
  for (const auto* entry : Sorted(children_)) {
    const auto& [id, c] = *entry;
    if (c.journeys.empty()) continue;
    CaseloadChild x;
    x.child = id;
    for (const auto& [j, s] : c.journeys) x.journeys[j.str()] = s.str();
    TeamCaseload& t = out[c.team.str()];
    if (!c.allocation_recorded) {  // before allocation was recorded: the last recorder's
      t.by_worker[c.last_worker.str()].push_back(std::move(x));
    } else if (c.allocated_worker.str().empty()) {
      x.since = c.allocation_since;
      t.unallocated.push_back(std::move(x));
    } else {
      x.since = c.allocation_since;
      t.by_worker[c.allocated_worker.str()].push_back(std::move(x));
    }
  }
  return out;
}

std::string ChildSummaryProjection::Serialize() const {
  std::ostringstream o;
  for (const auto* entry : Sorted(children_)) {
    const auto& [id, c] = *entry;
    o << id << " v" << c.version << " legal=" << c.legal_status << " placement=" << c.placement
      << " worker=" << c.last_worker << " team=" << c.team << " recorder_team=" << c.recorder_team;
    if (c.allocation_recorded) {
      o << " allocated=" << c.allocated_team << "/" << c.allocated_worker << "/" << c.allocated_as << "@"
        << c.allocation_since;
    }
    o << "\n";
    for (const auto& [j, s] : c.journeys) o << "  journey " << j << "=" << s << "\n";
    for (const auto& [r, d] : c.open_deadlines) o << "  due " << r << " " << d << "\n";
    for (const auto& f : c.flags) o << "  flag " << f << "\n";
  }
  return o.str();
}

}  // namespace casetrail::replay
