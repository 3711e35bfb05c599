#include "sim/calibration.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <set>
#include <unordered_map>
#include <sstream>

#include "replay/projections/child_summary.hpp"
#include "replay/projections/kpis.hpp"
#include "replay/runner.hpp"
#include "workflows/calendar.hpp"
#include "workflows/case_events.hpp"

namespace casetrail::sim {
namespace {

// The Birmingham preset's scale: ~51,000 children new to the front door a year (docs/simulator.md)
// in a child population of ~286,000 (K-S12, derived from K-C1's 2,289 at 80 per 10,000).
constexpr double kPresetNewChildrenPerYear = 51000;
constexpr double kPresetPopulation = 286000;
constexpr double kPer10k(double count) { return count / kPresetPopulation * 10000; }
constexpr TimestampUs kYearUs = 365LL * 86400 * 1000000;

}  // namespace

bool CalibrationLine::pass() const { return measured && std::fabs(simulated - target.seed) <= target.tolerance; }

int CalibrationReport::misses() const {
  int n = 0;
  for (const auto& l : lines) n += l.pass() ? 0 : 1;
  return n;
}

const std::vector<CalibrationTarget>& BirminghamTargets() { return BirminghamCalibration().targets; }

const CalibrationPreset& BirminghamCalibration() {
  static const CalibrationPreset preset{"birmingham", kPresetNewChildrenPerYear, kPresetPopulation, "K-S12's 286,000", {
      // Stocks on the reference date, per 10,000 children.
      // "Over 12,000": read as 12,000 to 15,000 (the midpoint, half the range either side).
      {"K-S2", "open_per_10000",
       "children receiving a service from the Trust (an active journey; early help led by a partner not counted), "
       "per 10,000; 'over 12,000' read as 12,000 to 15,000",
       kPer10k(13500), kPer10k(1500), "SG:168 ('over 12,000' on any given day)"},
      {"K-C1", "children_in_care_per_10000", "children in care, per 10,000", 80, 12, "SE:1113-1118 (2,289)"},
      {"K-P8", "cp_plans_per_10000", "children on a child protection plan, per 10,000", kPer10k(1442), 8,
       "SE:937-940 (K-P1: 1,442), SE:960"},
      {"K-L1", "pre_proceedings_per_10000", "children open in pre-proceedings, per 10,000", 4.7, 1.5, "SE:1021-1025"},
      {"K-CL1", "care_leavers_per_10000", "care leavers (relevant and former relevant), per 10,000", kPer10k(1575),
       kPer10k(315), "SE:1557-1559 (1,575)"},
      {"K-P2", "cp_plans_change_in_year", "change in children on a plan over the last 12 months", 0.07, 0.10,
       "SE:909 (+7%)"},
      // Flows over the last 12 months.
      {"K-F1", "contacts_per_year_at_preset_scale", "contacts a year, scaled to the Birmingham preset", 60000, 6000,
       "SE:632-635, SE:644"},
      {"K-F2", "contacts_signposted", "share of contact decisions: signpost", 0.37, 0.04, "SE:644"},
      {"K-F3", "contacts_to_early_help", "share of contact decisions: early help", 0.15, 0.04, "SE:644"},
      {"K-F4", "contacts_to_social_work", "share of contact decisions: assessment or strategy discussion", 0.31, 0.04,
       "SE:644"},
      {"K-F5", "contacts_nfa", "share of contact decisions: no further action", 0.17, 0.04, "SE:644"},
      {"K-F14", "s47_per_10000_per_year", "section 47 enquiries started in the year, per 10,000", 173, 35, "SE:674"},
      // Timeliness, repeats and durations (the KPI projection, last 12 months).
      {"K-F7", "decisions_within_1_working_day", "contact decisions within one working day", 0.81, 0.04, "SE:657"},
      {"K-F12", "assessments_within_45_working_days", "assessments completed in time", 0.90, 0.05, "SE:676"},
      {"K-P3", "repeat_cp_plans_within_24_months", "new plans that are a second plan within 24 months", 0.11, 0.04,
       "SE:970-972"},
      {"K-P4", "cp_plans_over_2_years", "plans open longer than 2 years", 0.02, 0.02, "SE:911"},
      {"K-C11", "looked_after_reviews_in_time", "looked-after reviews held in time", 0.94, 0.04, "SE:1224"},
      {"K-L2", "diversion_from_proceedings", "pre-proceedings ending in step-down (diversion)", 0.36, 0.08,
       "SE:1027 (35-37%)"},
      {"K-L4", "average_days_lpm_to_initial_meeting", "days from the legal planning meeting to the initial pre-proceedings meeting",
       14, 5, "SE:1031-1033 (14 days on average)"},
      {"K-L3", "average_weeks_in_pre_proceedings", "average weeks in pre-proceedings", 15, 4, "SE:1027"},
      {"K-L5", "average_weeks_of_care_proceedings", "average weeks of care proceedings", 40, 6, "SE:1180"},
      {"K-L6", "average_weeks_of_care_proceedings_with_pre", "... after pre-proceedings", 35, 6, "SE:1182"},
      {"K-L6", "average_weeks_of_care_proceedings_without_pre", "... without pre-proceedings", 45, 8, "SE:1182"},
      {"K-F8", "re_referrals_within_12_months", "referrals with an earlier referral of the child in the 12 months before",
       0.23, 0.05, "SE:659 (c23%)"},
      {"K-F10", "assessments_no_further_social_work", "assessments ending in no further action or early help", 0.75, 0.05,
       "SE:684"},
      {"K-N2", "cin_visits_in_time", "child in need visits within 6 weeks of the last (T-11)", 0.71, 0.05, "SE:891"},
      {"K-P7", "midway_reviews_per_10000_per_year", "midway reviews of child protection plans in the year, per 10,000",
       kPer10k(721), kPer10k(216), "SE:914 (721)"},
      {"K-A1", "placed_for_adoption_per_10000_per_year", "children placed for adoption in the year, per 10,000",
       kPer10k(105), kPer10k(40), "SE:1457, SE:1464 (105; the text says 104)"},
      {"K-A4", "average_days_care_to_adoptive_placement",
       "days from entering care to moving in with the adoptive family (A1), placements in the year", 560, 150,
       "SE:1460 (560)"},
      {"K-C3", "permanence_plan_by_second_review", "children in care with a permanence plan by the second review", 0.86,
       0.06, "SE:1176"},
      // Children in care on the reference date: placements and stability.
      {"K-C5", "placed_in_foster_care", "children in care living with foster carers", 0.67, 0.06, "SE:1397"},
      {"K-C6", "placed_with_connected_persons", "... within their family network (connected persons)", 0.085, 0.04,
       "SE:1401 (8-9%)"},
      {"K-C7", "placed_in_childrens_homes", "... in children's homes", 0.105, 0.04, "SE:1429, SE:1395 (10-11%)"},
      {"K-C9", "three_or_more_placements_in_year", "children in care with 3 or more placements in the 12 months", 0.07,
       0.03, "SE:1433"},
      {"K-C10", "same_placement_2_years_of_2_5_in_care",
       "under 16s in care 2.5 years or more, in the same placement for 2 years", 0.67, 0.08, "SE:1436"},
      {"K-CL7", "care_leavers_in_touch", "former relevant children with a personal adviser contact in the last 3 months",
       0.97, 0.05, "CP:811, CP:828-836 (97% in touch, 2017)"},
      {"K-CL2", "care_leavers_over_21_per_10000", "care leavers over 21 still supported, per 10,000", kPer10k(113),
       kPer10k(56), "SE:1629 (113)"},
      // Workforce.
      {"K-W1", "children_per_social_worker", "children allocated to a social worker, per social worker", 18, 4,
       "SE:450-452"},
  }};
  return preset;
}

const CalibrationPreset& EnglandCalibration() {
  constexpr double kEnglandPopulation = 12000000;  // ONS mid-2023, 0-17 (DfE's rates: 399,460 at 332.9)
  auto per10k = [](double n) { return n / kEnglandPopulation * 10000; };
  static const CalibrationPreset preset{
      "england", 40 * kPresetNewChildrenPerYear, kEnglandPopulation, "England's 12.0 million (ONS mid-2023)", {
      {"CIN", "children_in_need_per_10000",
       "children in need (an active social-care journey: assessment, plan, care, proceedings, leaving care), per 10,000",
       332.9, 50, "DfE Children in need 2024: 399,460 at 31 March 2024, 332.9 per 10,000"},
      {"K-C1", "children_in_care_per_10000", "children in care, per 10,000", 70, 10,
       "SE:1113-1118 (national 70); DfE CLA 2024: 83,630"},
      {"CPP", "cp_plans_per_10000", "children on a child protection plan, per 10,000", per10k(50000), 7,
       "DfE Children in need 2024: ~50,000 at 31 March (2020: 51,510, 42.8)"},
      {"K-L1", "pre_proceedings_per_10000", "children open in pre-proceedings, per 10,000", 4.59, 1.5,
       "SE:1021-1025 (national 4.59, National Data Study 2023)"},
      {"S47", "s47_per_10000_per_year", "section 47 enquiries started in the year, per 10,000", 167, 35,
       "DfE Children in need (2020: 201,000, 167.2 per 10,000; similar since)"},
      {"K-F8", "re_referrals_within_12_months", "referrals with an earlier referral of the child in the 12 months before",
       0.22, 0.05, "SE:659 (national 22%)"},
      {"K-C6", "placed_with_connected_persons", "children in care within their family network (connected persons)",
       0.07, 0.04, "SE:1401 (national 7%)"},
      {"K-C9", "three_or_more_placements_in_year", "children in care with 3 or more placements in the 12 months", 0.10,
       0.03, "SE:1433 (national 10%)"},
      {"K-C10", "same_placement_2_years_of_2_5_in_care",
       "under 16s in care 2.5 years or more, in the same placement for 2 years", 0.69, 0.08, "SE:1436 (national 69%)"},
  }};
  return preset;
}

Result<CalibrationReport> Calibrate(EventLog& log, TimestampUs end, double new_children_per_year,
                                    const CalibrationPreset& preset) {
  CalibrationReport rep;
  rep.preset = preset.name;
  rep.population_source = preset.population_source;
  rep.reference_date = workflows::Date::FromTimestampUs(end - 1).ToString();
  rep.new_children_per_year = new_children_per_year;
  const double scale = new_children_per_year / preset.new_children_per_year;
  rep.population = preset.population * scale;
  const TimestampUs year_ago = end - kYearUs;

  replay::ChildSummaryProjection summary;
  replay::KpiProjection kpis;
  replay::ProjectionRunner runner(log);
  if (auto r = runner.RebuildAll({&summary, &kpis}); !r.ok()) return r.status();

  std::map<std::string, double> m;  // measure -> simulated
  std::set<std::string> unmeasured;
  auto per10k = [&](double count) { return rep.population > 0 ? count / rep.population * 10000 : 0; };

  // One scan of the log: flows over the last 12 months (contacts, their decisions, referrals,
  // section 47 enquiries, ...), and per child, from its whole history, what the stocks below
  // need: its early help provider (K-S2 counts the Trust's services, not its partners'), date of
  // birth, care episode and placements, last referral. (A child's actions are recorded in the
  // order they happened.)
  struct ChildFacts {
    std::string provider;  // early help's, the last named
    int dob_days = INT32_MIN;
    bool in_care = false, reached_21 = false;
    TimestampUs episode_start = 0, placement_since = 0;
    std::string placement;
    int placements_in_year = 0;  // placement starts dated in the 12 months
    TimestampUs last_referral = INT64_MIN;
    TimestampUs lpm = 0;                   // the last legal planning meeting deciding pre-proceedings
    TimestampUs adviser_contact = INT64_MIN;  // the personal adviser's last contact
  };
  std::unordered_map<std::string, ChildFacts> children;
  double contacts = 0, s47 = 0, referrals = 0, re_referrals = 0, assessed = 0, assessed_no_sw = 0;
  double cin_visits = 0, cin_visits_in_time = 0, midway_reviews = 0, adoptive_placements = 0, days_to_adoption = 0;
  double initial_meetings = 0, days_to_initial_meeting = 0;
  std::map<std::string, double> decisions;
  auto params_of = [](const EventView& e) {
    auto p = nlohmann::json::parse(e.payload, nullptr, false);
    return p.is_object() && p.contains("params") && p["params"].is_object() ? p["params"] : nlohmann::json::object();
  };
  Status s = log.ReadAll({}, [&](const EventView& e) {
    if (e.occurred_at >= end) return true;
    const std::string_view type = e.type;
    const bool in_year = e.occurred_at >= year_ago;
    auto facts = [&]() -> ChildFacts& { return children[workflows::ChildIdOf(e.stream)]; };
    if (type == "eh.allocation_decided" || type == "eh.stepped_down_from_social_care") {
      // A step-down goes to the Trust's own early help.
      facts().provider = params_of(e).value("provider", std::string("bct_early_help"));
    } else if (type == "case.child_registered" || type == "case.child_born") {
      const std::string dob = params_of(e).value("date_of_birth", std::string());
      if (auto d = workflows::Date::Parse(dob, "date_of_birth"); d.ok()) facts().dob_days = d->days();
    } else if (type == "case.age_reached") {
      if (params_of(e).value("age", std::string()) == "21") facts().reached_21 = true;
    } else if (type == "cic.became_looked_after") {
      ChildFacts& c = facts();
      c.in_care = true;
      c.episode_start = e.occurred_at;
      c.placements_in_year = 0;
    } else if (type == "cic.ceased_looked_after") {
      facts().in_care = false;
    } else if (type == "cic.placement_started" || type == "cic.placement_changed") {
      ChildFacts& c = facts();
      // DfE's count: placements held in the year, the one held at its start included.
      if (in_year && c.placements_in_year == 0 && c.placement_since != 0 && c.placement_since < year_ago &&
          c.episode_start < year_ago) {
        c.placements_in_year = 1;
      }
      c.placement = params_of(e).value("placement", std::string());
      c.placement_since = e.occurred_at;
      if (in_year) c.placements_in_year += 1;
      if (in_year && c.placement == "placed_for_adoption" && c.in_care) {
        adoptive_placements += 1;
        days_to_adoption += static_cast<double>(e.occurred_at - c.episode_start) / 86400e6;
      }
    } else if (type == "lc.keeping_in_touch" || type == "lc.pathway_plan_reviewed") {
      facts().adviser_contact = e.occurred_at;
    } else if (type == "plo.legal_planning_meeting_held") {
      if (params_of(e).value("decision", std::string()) == "pre_proceedings") facts().lpm = e.occurred_at;
    } else if (type == "plo.initial_meeting_held") {
      ChildFacts& c = facts();
      if (in_year && c.lpm != 0) {
        initial_meetings += 1;
        days_to_initial_meeting += static_cast<double>(e.occurred_at - c.lpm) / 86400e6;
      }
      c.lpm = 0;
    } else if (in_year && type == "cp.midway_review_held") {
      midway_reviews += 1;
    } else if (type == "fd.significant_harm_identified" || type == "fd.decision_made") {
      // A referral: a decision for an assessment, or significant harm straight to a strategy
      // discussion (which has no decision event).
      const std::string decision = type == "fd.decision_made" ? params_of(e).value("decision", std::string())
                                                              : std::string("strategy_discussion");
      if (decision == "assessment" || decision == "strategy_discussion") {
        ChildFacts& c = facts();
        if (in_year) {
          referrals += 1;
          if (c.last_referral != INT64_MIN && e.occurred_at - c.last_referral <= kYearUs) re_referrals += 1;
        }
        c.last_referral = e.occurred_at;
      }
      if (in_year) decisions[decision] += 1;
    } else if (in_year && type == "fd.consent_refused") {
      decisions["nfa"] += 1;  // K-F5's NFA includes consent refused
    } else if (in_year && type == "fd.contact_received") {
      contacts += 1;
    } else if (in_year && type == "cp.strategy_discussion_held") {
      if (params_of(e).value("outcome", std::string()) == "s47") s47 += 1;
    } else if (in_year && type == "as.assessment_authorised") {
      const std::string outcome = params_of(e).value("outcome", std::string());
      assessed += 1;
      if (outcome == "nfa" || outcome == "early_help") assessed_no_sw += 1;
    } else if (in_year && (type == "deadline.met" || type == "deadline.met_late")) {
      auto p = nlohmann::json::parse(e.payload, nullptr, false);
      if (p.is_object() && p.value("rule", std::string()) == "T-11") {
        cin_visits += 1;
        if (type == "deadline.met") cin_visits_in_time += 1;
      }
    }
    return true;
  });
  if (!s.ok()) return s;
  if (referrals > 0) m["re_referrals_within_12_months"] = re_referrals / referrals;
  if (assessed > 0) m["assessments_no_further_social_work"] = assessed_no_sw / assessed;
  if (cin_visits > 0) m["cin_visits_in_time"] = cin_visits_in_time / cin_visits;
  m["midway_reviews_per_10000_per_year"] = per10k(midway_reviews);
  m["placed_for_adoption_per_10000_per_year"] = per10k(adoptive_placements);
  if (adoptive_placements > 0) m["average_days_care_to_adoptive_placement"] = days_to_adoption / adoptive_placements;
  if (initial_meetings > 0) m["average_days_lpm_to_initial_meeting"] = days_to_initial_meeting / initial_meetings;
  {
    // Children in care on the reference date: where they live, how often they moved.
    double in_care = 0, foster = 0, connected = 0, home = 0, three_plus = 0, long_stay = 0, long_stay_same = 0;
    const int end_days = workflows::Date::FromTimestampUs(end - 1).days();
    for (const auto& [child, c] : children) {
      if (!c.in_care) continue;
      in_care += 1;
      foster += c.placement == "foster_care";
      connected += c.placement == "connected_person";
      home += c.placement == "residential";
      three_plus += c.placements_in_year >= 3;
      const bool under_16 = c.dob_days != INT32_MIN && end_days - c.dob_days < 16 * 365 + 4;
      if (under_16 && end - c.episode_start >= static_cast<TimestampUs>(2.5 * 365.25 * 86400e6)) {
        long_stay += 1;
        long_stay_same += end - c.placement_since >= static_cast<TimestampUs>(2 * 365.25 * 86400e6);
      }
    }
    if (in_care > 0) {
      m["placed_in_foster_care"] = foster / in_care;
      m["placed_with_connected_persons"] = connected / in_care;
      m["placed_in_childrens_homes"] = home / in_care;
      m["three_or_more_placements_in_year"] = three_plus / in_care;
    }
    if (long_stay > 0) m["same_placement_2_years_of_2_5_in_care"] = long_stay_same / long_stay;
  }
  m["contacts_per_year_at_preset_scale"] = scale > 0 ? contacts / scale : 0;
  double decided = 0;
  for (const auto& [d, n] : decisions) decided += n;
  if (decided > 0) {
    m["contacts_signposted"] = decisions["signpost"] / decided;
    m["contacts_to_early_help"] = decisions["early_help"] / decided;
    m["contacts_to_social_work"] = (decisions["assessment"] + decisions["strategy_discussion"]) / decided;
    m["contacts_nfa"] = decisions["nfa"] / decided;
  }
  m["s47_per_10000_per_year"] = per10k(s47);

  // Stocks: the caseload now (the log ends at the window's end) and a year before.
  auto stocks = [&](TimestampUs as_of) {
    std::map<std::string, double> s;
    std::set<std::string> seen;
    double allocated_sw = 0;
    std::set<std::string> social_workers;
    for (const auto& [team, t] : summary.Caseload(as_of)) {
      auto count = [&](const replay::ChildSummaryProjection::CaseloadChild& c) {
        auto j = [&](const char* journey) {
          auto it = c.journeys.find(journey);
          return it == c.journeys.end() ? std::string() : it->second;
        };
        const auto found = children.find(c.child);
        const ChildFacts* facts = found == children.end() ? nullptr : &found->second;
        const bool partner_early_help_only = c.journeys.size() == 1 && !j("early_help").empty() &&
                                             (!facts || facts->provider != "bct_early_help");
        if (!partner_early_help_only) s["open"] += 1;
        bool in_need = false;  // the CIN census's scope: social care, not early help or a contact
        for (const auto& [journey, state] : c.journeys) in_need |= journey != "early_help" && journey != "front_door";
        if (in_need) s["in_need"] += 1;
        if (!j("child_in_care").empty()) s["cic"] += 1;
        if (j("child_protection") == "OnCpPlan") s["cp"] += 1;
        if (!j("pre_proceedings").empty()) s["pre"] += 1;
        const std::string lc = j("leaving_care");
        if (lc == "RelevantChild" || lc == "FormerRelevantChild") {
          s["leavers"] += 1;
          if (facts && facts->reached_21) s["leavers_over_21"] += 1;  // (as of the end)
          if (lc == "FormerRelevantChild") {
            s["former_relevant"] += 1;
            const TimestampUs three_months = 92LL * 86400 * 1000000;
            if (facts && facts->adviser_contact >= end - three_months) s["in_touch"] += 1;
          }
        }
      };
      for (const auto& [worker, children] : t.by_worker) {
        for (const auto& c : children) {
          count(c);
          if (c.as == "social_worker") {
            allocated_sw += 1;
            social_workers.insert(worker);
          }
        }
      }
      for (const auto& c : t.unallocated) count(c);
    }
    s["per_sw"] = social_workers.empty() ? 0 : allocated_sw / static_cast<double>(social_workers.size());
    return s;
  };
  auto now = stocks(INT64_MAX);
  auto before = stocks(year_ago);
  m["open_per_10000"] = per10k(now["open"]);
  m["children_in_care_per_10000"] = per10k(now["cic"]);
  m["children_in_need_per_10000"] = per10k(now["in_need"]);
  m["cp_plans_per_10000"] = per10k(now["cp"]);
  m["pre_proceedings_per_10000"] = per10k(now["pre"]);
  m["care_leavers_per_10000"] = per10k(now["leavers"]);
  m["care_leavers_over_21_per_10000"] = per10k(now["leavers_over_21"]);
  if (now["former_relevant"] > 0) m["care_leavers_in_touch"] = now["in_touch"] / now["former_relevant"];
  if (before["cp"] > 0) {
    m["cp_plans_change_in_year"] = now["cp"] / before["cp"] - 1;
  } else {
    unmeasured.insert("cp_plans_change_in_year");
  }
  if (now["per_sw"] > 0) {
    m["children_per_social_worker"] = now["per_sw"];
  } else {
    unmeasured.insert("children_per_social_worker");
  }

  replay::KpiProjection::Filter f;
  f.from = year_ago;
  f.to = end;
  for (const auto& [name, v] : kpis.Compute(f)) {
    if (v.denominator > 0) m[name] = v.value();
  }

  for (const auto& t : preset.targets) {
    CalibrationLine l;
    l.target = t;
    auto it = m.find(t.measure);
    l.measured = it != m.end() && !unmeasured.count(t.measure);
    l.simulated = l.measured ? it->second : 0;
    rep.lines.push_back(std::move(l));
  }
  return rep;
}

std::string CalibrationReport::Markdown() const {
  std::ostringstream o;
  char buf[64];
  auto num = [&](double v) {
    if (std::fabs(v) >= 100) {
      std::snprintf(buf, sizeof buf, "%.0f", v);
    } else if (std::fabs(v) >= 10) {
      std::snprintf(buf, sizeof buf, "%.1f", v);
    } else {
      std::snprintf(buf, sizeof buf, "%.3f", v);
    }
    return std::string(buf);
  };
  std::snprintf(buf, sizeof buf, "%.0f", population);
  o << "Reference date " << reference_date << "; stocks on it, flows and measures over the 12 months before it; rates per "
    << "10,000 of a child population of " << buf << " (" << population_source << " scaled to ";
  std::snprintf(buf, sizeof buf, "%.0f", new_children_per_year);
  o << buf << " new children a year). " << (lines.size() - static_cast<std::size_t>(misses())) << " of " << lines.size()
    << " within tolerance.\n\n";
  o << "| id | measure | seed | simulated | tolerance | |\n|---|---|---:|---:|---:|---|\n";
  for (const auto& l : lines) {
    o << "| " << l.target.id << " | " << l.target.what << " (`" << l.target.measure << "`) | " << num(l.target.seed)
      << " | " << (l.measured ? num(l.simulated) : std::string("no data")) << " | ±" << num(l.target.tolerance) << " | "
      << (l.pass() ? "pass" : "**MISS**") << " |\n";
  }
  return o.str();
}

}  // namespace casetrail::sim
