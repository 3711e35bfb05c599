#include "replay/projections/kpis.hpp"

#include <sstream>

#include "replay/correction_event.hpp"
#include "replay/detail/payload_fields.hpp"
#include "replay/event_helpers.hpp"
#include "workflows/calendar.hpp"
#include "workflows/case.hpp"

namespace casetrail::replay {
namespace {
constexpr double kDayUs = 86400.0 * 1000000;
// Whole London calendar days between two instants, in weeks (DST changes do not shorten a week).
double Days(TimestampUs from, TimestampUs to) {
  return workflows::Date::FromTimestampUs(to).days() - workflows::Date::FromTimestampUs(from).days();
}
double WeeksBetween(TimestampUs from, TimestampUs to) { return Days(from, to) / 7.0; }
}  // namespace

void KpiProjection::Reset() {
  children_.clear();
  last_.Clear();
  lag_.clear();
  names_.Clear();
  teams_.Reset();
}

void KpiProjection::AddLag(std::string_view team, TimestampUs recorded_at, double days, int count) {
  auto& [sum, n] = lag_[{names_.Id(team), workflows::Date::FromTimestampUs(recorded_at).days()}];
  sum += days;
  n += count;
}

namespace {
bool KpiFlag(const std::string& text) { return text.rfind("T-10", 0) == 0 || text.rfind("T-42", 0) == 0; }
bool NoDeadlines(const std::string&, const std::string&) { return false; }
// Child protection events that can start or end a plan.
bool PlanEvent(const EventView& e) {
  if (e.journey != "child_protection") return false;
  return (e.to_state == "OnCpPlan") != (e.from_state == "OnCpPlan") || e.type == "cp.icpc_held" ||
         e.type == "cp.review_conference_held" || e.type == "cp.plan_ended";
}
}  // namespace

KpiProjection::Fact KpiProjection::MakeFact(std::string_view kind, std::string_view outcome, TimestampUs at,
                                            double amount, std::string_view team, std::uint64_t version) {
  return Fact{names_.Id(kind), names_.Id(outcome), names_.Id(team), static_cast<std::uint32_t>(version), at, amount};
}

void KpiProjection::Apply(const EventView& e) {
  if (e.stream == kTeamsStream) {
    teams_.Apply(e);
    return;
  }
  const std::string id = ChildIdOf(e.stream);
  if (id.empty()) return;
  const std::string_view type = e.type;
  if (AllocationChange a; ParseAllocation(e, &a)) {
    // Who is responsible, and how long a child waited for a worker (K: time unallocated).
    last_.Get(children_, e.stream, id).allocation.Apply(e, a);
    return;
  }
  // Facts are filed under the recorder's team; Compute counts them for the team that held the
  // child that day (TeamOf).
  const std::string_view team = e.actor_team;
  if (CorrectionEvent k; ParseCorrection(e, &k)) {
    ChildFacts& c = last_.Get(children_, e.stream, id);
    c.allocation.Correct(k);
    // The corrected action's recording lag, and the facts the refold derived.
    AddLag(k.target_team, k.target_recorded_at, -static_cast<double>(k.target_recorded_at - k.before_at) / kDayUs, -1);
    if (!k.withdrawn) {
      AddLag(k.target_team, k.target_recorded_at, static_cast<double>(k.target_recorded_at - k.after_at) / kDayUs, 1);
    }
    std::map<std::uint64_t, std::uint32_t> team_of;  // the team that recorded each action version
    for (const auto& x : c.deadline_facts) team_of[x.version] = x.team;
    for (const auto& in : c.inputs) team_of[in.version] = names_.Id(in.team.str());
    auto team_at = [&](std::uint64_t version) {
      auto t = team_of.find(version);
      return t != team_of.end() ? names_.Name(t->second) : std::string(team);
    };
    c.deadline_facts.clear();
    for (const auto& d : k.deadlines) {
      if (d.state == "met" || d.state == "met_late") {
        c.deadline_facts.push_back(MakeFact(d.rule, d.state == "met" ? "met" : "late", d.closed_at, 0,
                                            team_at(d.closed_by), d.closed_by));
      }
    }
    CorrectInputs(c.inputs, k, NoDeadlines);
    std::vector<ChildInput> inputs;
    for (auto& in : c.inputs) {
      if (in.type != "flag.raised") inputs.push_back(std::move(in));
    }
    for (const auto& f : k.flags) {
      if (KpiFlag(f.text)) inputs.push_back({f.version, f.at, "flag.raised", "", "", "", team_at(f.version), {{"text", f.text}}});
    }
    std::stable_sort(inputs.begin(), inputs.end(), [](const ChildInput& a, const ChildInput& b) { return a.version < b.version; });
    c.inputs = std::move(inputs);
    Refold(c);
    return;
  }
  const bool is_deadline = type.substr(0, 9) == "deadline.";
  if (!is_deadline && type != "flag.raised" && e.actor_role != "system" && !IsDerivedPayload(e.payload)) {
    AddLag(e.actor_team, e.recorded_at, static_cast<double>(e.recorded_at - e.occurred_at) / kDayUs, 1);
    last_.Get(children_, e.stream, id).last_action = e.version;
  }
  if (type == "deadline.met" || type == "deadline.met_late") {
    ChildFacts& c = last_.Get(children_, e.stream, id);
    // Filed under the action that met it (as a correction's refold reports it).
    c.deadline_facts.push_back(MakeFact(Field(e.payload, "rule"), type == "deadline.met" ? "met" : "late",
                                        e.occurred_at, 0, team, c.last_action));
    return;
  }
  ChildInput in;
  if (type == "flag.raised") {
    const std::string text = Field(e.payload, "text");
    if (!KpiFlag(text)) return;
    in.params = {{"text", text}};
  } else if (type == "case.child_registered" || type == "case.child_born") {
    in.params = ParamsOf(e.payload, {"date_of_birth"});
  } else if (type == "cic.became_looked_after" || type == "cic.ceased_looked_after" || type == "cic.placement_started" ||
             type == "cic.placement_changed" || type == "ad.authority_to_place_given" || type == "ad.match_approved" ||
             type == "ad.placed_for_adoption") {
    // Placement stability (K-C9, K-C10) and adoption timeliness (K-A3, K-A4, K-A6).
  } else if (PlanEvent(e) || type == "plo.legal_planning_meeting_held" || type == "plo.pre_proceedings_concluded" ||
             type == "court.application_issued" || type == "court.final_order_made" ||
             type == "court.application_withdrawn") {
    in.params = ParamsOf(e.payload, {"outcome"});
    in.journey = std::string(e.journey);
    in.from_state = std::string(e.from_state);
    in.to_state = std::string(e.to_state);
  } else {
    return;
  }
  ChildFacts& c = last_.Get(children_, e.stream, id);
  in.version = type == "flag.raised" ? c.last_action : e.version;
  in.at = e.occurred_at;
  in.type = std::string(type);
  in.team = std::string(team);
  Fold(c, in);
  c.inputs.push_back(std::move(in));
}

void KpiProjection::Refold(ChildFacts& c) {
  c.facts.clear();
  c.lpm.reset();
  c.issued.reset();
  c.plan_since.reset();
  c.issued_after_pre = false;
  c.plan_team = Sym();
  c.care.clear();
  c.placements.clear();
  c.dob.reset();
  c.authority_to_place.reset();
  for (const auto& in : c.inputs) Fold(c, in);
}

void KpiProjection::Fold(ChildFacts& c, const ChildInput& in) {
  const std::string& type = in.type;
  auto param = [&](const char* k) {
    auto it = in.params.find(k);
    return it == in.params.end() ? std::string() : it->second;
  };
  auto fact = [&](const char* kind, const std::string& outcome, double amount) {
    c.facts.push_back(MakeFact(kind, outcome, in.at, amount, in.team.str(), in.version));
  };
  if (type == "flag.raised") {
    const std::string text = param("text");
    if (text.rfind("T-10", 0) == 0) fact("repeat_plan", "", 0);
    if (text.rfind("T-42", 0) == 0) fact("no_permanence_plan", "", 0);
    return;
  }
  c.last_team = in.team;
  if (type == "case.child_registered" || type == "case.child_born") {
    if (auto d = workflows::Date::Parse(param("date_of_birth"), "date_of_birth"); d.ok()) c.dob = *d;
    return;
  }
  if (type == "cic.became_looked_after") {
    c.care.emplace_back(in.at, INT64_MAX);
    return;
  }
  if (type == "cic.ceased_looked_after") {
    if (!c.care.empty() && c.care.back().second == INT64_MAX) c.care.back().second = in.at;
    return;
  }
  if (type == "cic.placement_started" || type == "cic.placement_changed") {
    c.placements.push_back(in.at);
    return;
  }
  if (type == "ad.authority_to_place_given") {
    c.authority_to_place = in.at;
    return;
  }
  if (type == "ad.match_approved") {
    // K-A6 (A2): authority to place to the match, in days.
    if (c.authority_to_place) fact("adoption_authority_to_match", "", Days(*c.authority_to_place, in.at));
    return;
  }
  if (type == "ad.placed_for_adoption") {
    // K-A4 (A1): entering care to moving in with the adoptive family; T-53: within 16 months.
    if (!c.care.empty() && c.care.back().second == INT64_MAX) {
      const TimestampUs since = c.care.back().first;
      const bool within = workflows::Date::FromTimestampUs(in.at) < workflows::Date::FromTimestampUs(since).AddMonths(16);
      fact("adoption_care_to_placement", within ? "within_16_months" : "over_16_months", Days(since, in.at));
    }
    return;
  }
  // Child protection plans (started by an ICPC, ended by any route).
  if (in.journey == "child_protection") {
    if (in.to_state == "OnCpPlan" && in.from_state != "OnCpPlan") {
      c.plan_since = in.at;
      c.plan_team = in.team;
      fact("plan_started", "", 0);
    } else if (in.from_state == "OnCpPlan" && in.to_state != "OnCpPlan" && c.plan_since) {
      fact("plan_ended", "", WeeksBetween(*c.plan_since, in.at));
      c.plan_since.reset();
      c.plan_team = Sym();
    }
  }
  if (type == "plo.legal_planning_meeting_held" && in.to_state == "LetterDue") {
    c.lpm = in.at;
  } else if (type == "plo.pre_proceedings_concluded") {
    if (param("outcome") != "continue" && c.lpm) {
      fact("pre_concluded", param("outcome"), WeeksBetween(*c.lpm, in.at));
      c.lpm.reset();
    }
  } else if (type == "court.application_issued") {
    c.issued = in.at;
    c.issued_after_pre = c.lpm.has_value();  // X-01 concludes it in this same append
  } else if ((type == "court.final_order_made" || type == "court.application_withdrawn") && c.issued) {
    fact("proceedings_ended", c.issued_after_pre ? "with_pre" : "without_pre", WeeksBetween(*c.issued, in.at));
    c.issued.reset();
  }
}

const std::string& KpiProjection::TeamOn(const ChildFacts& c, TimestampUs at, const std::string& otherwise) const {
  if (!c.allocation.empty()) {
    const Sym held = c.allocation.On(at).team;
    if (!held.empty()) return held.str();  // interned: lives as long as the process
  }
  return otherwise;
}

const std::string& KpiProjection::TeamOf(const ChildFacts& c, const Fact& x) const {
  return TeamOn(c, x.at, names_.Name(x.team));
}

std::map<std::string, KpiProjection::Value> KpiProjection::Compute(const Filter& f) const {
  std::map<std::string, Value> out;
  auto in = [&](const std::string& team, TimestampUs at) {
    return at >= f.from && at < f.to && (f.team.empty() || team == f.team) &&
           (f.area.empty() || teams_.AreaOn(team, workflows::Date::FromTimestampUs(at)) == f.area);
  };
  struct F {
    const std::string& kind;
    const std::string& outcome;
    double amount;
  };
  auto timeliness = [&](const char* measure, std::initializer_list<const char*> rules, const F& x) {
    for (const char* r : rules) {
      if (x.kind == r) {
        Value& v = out[measure];
        v.denominator += 1;
        if (x.outcome == "met") v.numerator += 1;
      }
    }
  };
  int plans_started = 0;
  std::vector<std::pair<const Fact*, const std::string*>> facts;  // with the team it counts for
  for (const auto& [child, c] : children_) {
    for (const Fact& x : c.facts) facts.emplace_back(&x, &TeamOf(c, x));
    for (const Fact& x : c.deadline_facts) facts.emplace_back(&x, &TeamOf(c, x));
    for (const auto& w : c.allocation.Waits()) {  // waits for a worker, in the period they ended
      if (!in(w.team.str(), w.to)) continue;
      Value& v = out["average_days_waiting_for_allocation"];
      v.numerator += static_cast<double>(w.to - w.from) / kDayUs;
      v.denominator += 1;
    }
  }
  auto average = [&](const std::string& measure, double amount) {
    out[measure].numerator += amount;
    out[measure].denominator += 1;
  };
  for (const auto& [fact, team] : facts) {
    if (!in(*team, fact->at)) continue;
    const F x{names_.Name(fact->kind), names_.Name(fact->outcome), fact->amount};
    timeliness("decisions_within_1_working_day", {"T-01"}, x);
    timeliness("assessments_within_45_working_days", {"T-14"}, x);
    timeliness("icpc_within_15_working_days", {"T-06"}, x);
    timeliness("looked_after_reviews_in_time", {"N-12", "N-13", "N-14"}, x);
    timeliness("visits_in_time", {"N-10", "N-19a", "N-19b", "N-19c", "T-11"}, x);
    timeliness("core_groups_within_10_working_days", {"N-08"}, x);
    timeliness("adoption_placed_within_12_months_of_decision", {"T-50"}, x);
    if (x.kind == "adoption_care_to_placement") {
      average("average_days_entering_care_to_placed_for_adoption", x.amount);
      out["placed_for_adoption_within_16_months_of_entering_care"].denominator += 1;
      if (x.outcome == "within_16_months") out["placed_for_adoption_within_16_months_of_entering_care"].numerator += 1;
    }
    if (x.kind == "adoption_authority_to_match") average("average_days_authority_to_place_to_match", x.amount);
    if (x.kind == "N-13") out["permanence_plan_by_second_review"].denominator += 1;
    if (x.kind == "no_permanence_plan") out["permanence_plan_by_second_review"].numerator -= 1;
    if (x.kind == "plan_started") ++plans_started;
    if (x.kind == "repeat_plan") out["repeat_cp_plans_within_24_months"].numerator += 1;
    if (x.kind == "pre_concluded") {
      average("average_weeks_in_pre_proceedings", x.amount);
      out["diversion_from_proceedings"].denominator += 1;
      if (x.outcome == "step_down") out["diversion_from_proceedings"].numerator += 1;
    }
    if (x.kind == "proceedings_ended") {
      average("average_weeks_of_care_proceedings", x.amount);
      average("average_weeks_of_care_proceedings_" + x.outcome, x.amount);
    }
  }
  // Recording lag: by London day of recording (a period is whole days for this measure).
  for (const auto& [key, v] : lag_) {
    const auto& [team, day] = key;
    const TimestampUs at = workflows::Date::FromDays(day).StartUs();
    if (v.second == 0 || !in(names_.Name(team), at)) continue;
    out["average_recording_lag_days"].numerator += v.first;
    out["average_recording_lag_days"].denominator += static_cast<double>(v.second);
  }
  if (out.count("permanence_plan_by_second_review")) {
    Value& v = out["permanence_plan_by_second_review"];
    v.numerator += v.denominator;  // second reviews minus those without a permanence plan
  }
  out["repeat_cp_plans_within_24_months"].denominator = plans_started;
  // Placement stability of the children looked after at the end of the period (a stock: only
  // for a period that ends): K-C9, three or more placements in the 12 months to its end (T-49);
  // K-C10, children under 16 looked after for 2.5 years or more, in the same placement for 2.
  if (f.to != INT64_MAX) {
    const TimestampUs end = f.to - 1;
    const workflows::Date end_day = workflows::Date::FromTimestampUs(end);
    const TimestampUs year_before = end_day.AddMonths(-12).AddDays(1).StartUs();
    for (const auto& [child, c] : children_) {
      if (c.care.empty() || c.care.back().first > end || c.care.back().second <= end) continue;
      const std::string& team = TeamOn(c, end, c.last_team.str());
      if ((!f.team.empty() && team != f.team) || (!f.area.empty() && teams_.AreaOn(team, end_day) != f.area)) continue;
      int in_year = 0;
      TimestampUs current = 0;
      for (TimestampUs p : c.placements) {
        if (p > end) continue;
        if (p >= year_before) ++in_year;
        current = std::max(current, p);
      }
      Value& moves = out["children_in_care_with_3_or_more_placements_in_12_months"];
      moves.denominator += 1;
      if (in_year >= 3) moves.numerator += 1;
      const TimestampUs since = c.care.back().first;
      if (c.dob && workflows::AgeOn(*c.dob, end_day) < 16 &&
          workflows::Date::FromTimestampUs(since) <= end_day.AddMonths(-30)) {
        Value& stable = out["children_in_care_2_5_years_in_the_same_placement_2_years"];
        stable.denominator += 1;
        if (current != 0 && workflows::Date::FromTimestampUs(current) <= end_day.AddMonths(-24)) stable.numerator += 1;
      }
    }
  }
  // Plans open at the end of the period, and those open longer than 2 years (T-09).
  Value& long_plans = out["cp_plans_over_2_years"];
  for (const auto& [child, c] : children_) {
    if (!c.plan_since) continue;
    const TimestampUs since = *c.plan_since;
    const std::string& team = c.plan_team.str();
    if ((!f.team.empty() && team != f.team) || (!f.area.empty() && teams_.AreaOn(team, workflows::Date::FromTimestampUs(since)) != f.area)) continue;
    if (since >= f.to) continue;
    long_plans.denominator += 1;
    if (f.to != INT64_MAX && f.to - since > static_cast<TimestampUs>(2 * 365.25 * kDayUs)) long_plans.numerator += 1;
  }
  return out;
}

std::string KpiProjection::Serialize() const {
  std::ostringstream o;
  for (const auto* entry : Sorted(children_)) {
    const auto& [child, c] = *entry;
    for (const auto* list : {&c.facts, &c.deadline_facts}) {
      for (const auto& x : *list) {
        o << child << " " << names_.Name(x.kind) << " " << names_.Name(x.outcome) << " " << x.at << " " << x.amount
          << " " << names_.Name(x.team) << " v" << x.version << "\n";
      }
    }
    if (c.plan_since) o << "open_plan " << child << " " << *c.plan_since << "\n";
    for (const auto& [from, to] : c.care) o << "care " << child << " " << from << " " << to << "\n";
    for (TimestampUs p : c.placements) o << "placement " << child << " " << p << "\n";
    if (!c.allocation.empty()) o << "allocation " << child << c.allocation.Serialize() << "\n";
  }
  for (const auto& [key, v] : lag_) o << "lag " << names_.Name(key.first) << " " << key.second << " " << v.first << " " << v.second << "\n";
  return o.str();
}

}  // namespace casetrail::replay
