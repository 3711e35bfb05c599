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
    // The history: the corrected action moves or goes, changed transitions take their new state.
    for (auto it = c.journey_steps.begin(); it != c.journey_steps.end();) {
      if (it->version == k.target_version && k.withdrawn) {
        it = c.journey_steps.erase(it);
        continue;
      }
      if (it->version == k.target_version) it->at = k.after_at;
      for (const auto& t : k.transitions) {
        if (t.version == it->version && t.journey == JourneyName(it->journey)) it->state = StateId(t.to_state);
      }
      ++it;
    }
    for (auto it = c.recorders.begin(); it != c.recorders.end();) {  // (versions fit 32 bits)
      if (it->version == k.target_version && k.withdrawn) {
        it = c.recorders.erase(it);
      } else {
        if (it->version == k.target_version) it->at = k.after_at;
        ++it;
      }
    }
    c.allocation.Correct(k);
    Refresh(c);
    return;
  }
  if (AllocationChange a; ParseAllocation(e, &a)) {
    // The allocation after the action, whoever recorded it (a consequence of a transfer or a
    // closure too), on its business day.
    c.allocation.Apply(e, a);
    Refresh(c);
    return;
  }
  if (!e.journey.empty() && replay::IsJourney(e.journey) && !e.to_state.empty()) {
    auto it = c.journeys.find(e.journey);
    // A step of the history when the state changes (an inactive journey is in its initial state).
    const bool initial = IsInitialState(e.journey, e.to_state);
    if (it == c.journeys.end() ? !initial : it->second != e.to_state) {
      c.journey_steps.push_back({e.occurred_at, static_cast<std::uint32_t>(e.version), StateId(e.to_state),
                                 static_cast<std::uint8_t>(JourneyIndex(e.journey))});
    }
    if (initial) {
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
    if (c.recorder_team != e.actor_team || c.recorders.empty()) {
      c.recorder_team = Sym(e.actor_team);
      c.recorders.push_back({e.occurred_at, c.recorder_team, static_cast<std::uint32_t>(e.version)});
    }
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

void ChildSummaryProjection::Refresh(Child& c) {
  const AllocationTimeline::Holding h = c.allocation.Now();
  c.allocation_recorded = h.recorded;
  c.allocated_team = h.team;
  c.allocated_worker = h.worker;
  c.allocated_as = h.as;
  c.allocated_iro = h.iro;
  c.allocation_since = h.since;
  c.team = c.allocated_team.str().empty() ? c.recorder_team : c.allocated_team;
}

std::uint16_t ChildSummaryProjection::StateId(std::string_view state) {
  return static_cast<std::uint16_t>(states_.Id(state));  // the journeys have a few hundred states
}

std::map<std::string, std::string> ChildSummaryProjection::JourneysOn(const Child& c, TimestampUs as_of) const {
  if (as_of == INT64_MAX) {
    std::map<std::string, std::string> out;
    for (const auto& [j, s] : c.journeys) out[j.str()] = s.str();
    return out;
  }
  // The latest step of each journey by business time (ties: the later recorded).
  std::map<int, const JourneyStep*> last;
  for (const JourneyStep& s : c.journey_steps) {
    if (s.at > as_of) continue;
    const JourneyStep*& l = last[s.journey];
    if (!l || s.at >= l->at) l = &s;
  }
  std::map<std::string, std::string> out;
  for (const auto& [j, s] : last) {
    const std::string& name = JourneyName(j);
    const std::string& state = states_.Name(s->state);
    if (!IsInitialState(name, state)) out[name] = state;
  }
  return out;
}

ChildSummaryProjection::Responsible ChildSummaryProjection::ResponsibleOn(const Child& c, TimestampUs as_of) {
  Responsible r;
  const RecorderStep* recorder = nullptr;
  for (const RecorderStep& s : c.recorders) {
    if (s.at <= as_of && (!recorder || s.at >= recorder->at)) recorder = &s;
  }
  const AllocationTimeline::Holding h = c.allocation.On(as_of);
  r.team = !h.team.empty() ? h.team.str() : recorder ? recorder->team.str() : std::string();
  r.worker = h.worker.str();
  r.iro = h.iro.str();
  return r;
}

ChildSummaryProjection::Responsible ChildSummaryProjection::ResponsibleOn(const std::string& child_id,
                                                                          TimestampUs as_of) const {
  const Child* c = Find(child_id);
  return c ? ResponsibleOn(*c, as_of) : Responsible{};
}

std::map<std::string, ChildSummaryProjection::TeamCaseload> ChildSummaryProjection::Caseload(TimestampUs as_of) const {
  std::map<std::string, TeamCaseload> out;
  for (const auto* entry : Sorted(children_)) {
    const auto& [id, c] = *entry;
    CaseloadChild x;
    x.child = id;
    x.journeys = JourneysOn(c, as_of);
    if (x.journeys.empty()) continue;
    const AllocationTimeline::Holding h = c.allocation.On(as_of);
    const Responsible r = ResponsibleOn(c, as_of);
    TeamCaseload& t = out[r.team];
    if (!h.recorded) {  // no allocation recorded by then: unallocated in the recorder's team
      t.unallocated.push_back(std::move(x));
    } else if (h.worker.empty()) {
      x.since = h.since;
      t.unallocated.push_back(std::move(x));
    } else {
      x.since = h.since;
      x.as = h.as.str();
      t.by_worker[h.worker.str()].push_back(std::move(x));
    }
  }
  return out;
}

std::map<std::string, std::vector<ChildSummaryProjection::CaseloadChild>> ChildSummaryProjection::IroCaseload(
    TimestampUs as_of) const {
  std::map<std::string, std::vector<CaseloadChild>> out;
  for (const auto* entry : Sorted(children_)) {
    const auto& [id, c] = *entry;
    if (c.allocation.empty()) continue;
    const AllocationTimeline::Holding h = c.allocation.On(as_of);
    if (h.iro.empty()) continue;
    CaseloadChild x;
    x.child = id;
    x.journeys = JourneysOn(c, as_of);
    x.as = "iro";
    out[h.iro.str()].push_back(std::move(x));
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
      if (!c.allocated_iro.empty()) o << " iro=" << c.allocated_iro;
      o << " history" << c.allocation.Serialize();
    }
    o << "\n";
    for (const auto& s : c.journey_steps) {
      o << "  step " << s.at << "/v" << s.version << " " << JourneyName(s.journey) << "=" << states_.Name(s.state) << "\n";
    }
    for (const auto& s : c.recorders) o << "  recorder " << s.at << "/v" << s.version << " " << s.team << "\n";
    for (const auto& [j, s] : c.journeys) o << "  journey " << j << "=" << s << "\n";
    for (const auto& [r, d] : c.open_deadlines) o << "  due " << r << " " << d << "\n";
    for (const auto& f : c.flags) o << "  flag " << f << "\n";
  }
  return o.str();
}

}  // namespace casetrail::replay
