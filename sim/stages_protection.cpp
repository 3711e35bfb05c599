// The life's stages of help and protection: the front door (contacts, referrals), early help,
// assessment, transfers between teams, child in need plans, strategy discussions and section 47
// enquiries, child protection conferences and plans, and repeat plans.
#include "sim/detail/life_builder.hpp"

#include <algorithm>
#include <cmath>

namespace casetrail::sim {

Builder::Next Builder::FrontDoor(std::int64_t& t, bool forced) {
  Open(t);
  ++life.contacts;
  Add(t, "fd.contact_received", "cass_worker",
      {{"source", forced ? std::string("police") : uasc ? std::string("other") : rng.Pick(p.Shares("front_door.source_share"))}});
  const bool on_time = rng.Chance(p.Num("front_door.decision_within_1_working_day"));
  const std::int64_t decided = Timed("T-01", t, t + 20 * kMinuteUs, on_time, 1,
                                     static_cast<int>(p.Num("front_door.late_decision_extra_working_days_max")));
  std::string outcome =
      forced || uasc || referral_again ? "referral" : rng.Pick(p.Shares("front_door.outcome_share"));
  referral_again = false;
  if (outcome == "referral") last_referral = t;
  const bool strategy = forced || (outcome == "referral" && !uasc && rng.Chance(p.Num("front_door.referral_to_strategy_discussion_share")));
  const bool no_consent = outcome == "nfa" && rng.Chance(p.Num("front_door.nfa_no_consent_share"));
  // Triage steps between the contact and the decision, evenly spaced.
  std::vector<std::pair<const char*, const char*>> steps;
  if (no_consent) {
    steps.push_back({"fd.consent_requested", "cass_worker"});
  } else if (!strategy && rng.Chance(p.Num("front_door.consent_requested_share"))) {
    steps.push_back({"fd.consent_requested", "cass_worker"});
    steps.push_back({"fd.consent_given", "cass_worker"});
  }
  if (!no_consent && rng.Chance(p.Num("front_door.mash_check_share"))) {
    steps.push_back({"fd.mash_check_requested", "cass_worker"});
    steps.push_back({"fd.mash_information_shared", "mash_partner"});
  }
  const std::int64_t span = decided - t;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    Add(t + span * static_cast<std::int64_t>(i + 1) / static_cast<std::int64_t>(steps.size() + 2), steps[i].first,
        steps[i].second);
  }
  t = decided;
  if (no_consent) {
    Add(t, "fd.consent_refused", "cass_worker");
    return Next::kClose;
  }
  if (strategy) {
    Add(t, "fd.significant_harm_identified", "cass_worker");
    return Next::kStrategy;
  }
  const char* decision = outcome == "referral" ? "assessment" : outcome.c_str();
  Add(t, "fd.decision_made", "cass_worker", {{"decision", decision}});
  if (outcome == "signpost" || outcome == "nfa") return Next::kClose;
  if (outcome == "early_help") return Next::kEarlyHelp;
  // A 16 or 17 year old without a home (SM-19): the joint housing protocol beside the
  // assessment, ending in mediation and a return home or support under s17 (the s20 route, where
  // X-34 makes the young person looked after, is not simulated yet).
  if (!uasc && AgeAt(t) >= 16 && AgeAt(t + 30 * kDayUs) <= 17 && rng.Chance(p.Num("services.homeless_share"))) {
    const std::int64_t assessed = AfterWd(t, rng.Int(1, 3));
    const bool in_need = rng.Chance(p.Num("services.homeless_in_need_share"));
    Add(t + 30 * kMinuteUs, "hl.presented", "cass_worker", {{"referred_by", rng.Pick(p.Shares("services.homeless_referred_by_share"))}});
    Add(assessed, "hl.assessed", "social_worker", {{"outcome", in_need ? "in_need_due_to_accommodation" : "not_in_need"}});
    if (in_need) {
      const std::int64_t mediation = AfterWd(assessed, rng.Int(1, 4));
      const std::int64_t agreed = AfterWd(mediation, rng.Int(2, 6));
      Add(mediation, "hl.mediation_held", "family_support_worker");
      Add(agreed, "hl.outcome_agreed", "team_manager", {{"route", rng.Chance(0.55) ? "mediation_return_home" : "cin_support_s17"}});
      busy_until = std::max(busy_until, agreed + kHourUs);
    }
  }
  return Next::kAssessment;
}

Builder::Next Builder::EarlyHelp(std::int64_t& t, bool stepped_down) {
  std::int64_t active;
  if (stepped_down) {
    active = t = AfterWd(t, 0);
    Add(t, "eh.stepped_down_from_social_care", "team_manager",
        {{"cin_plan_completed", "yes"}, {"closure_summary", "yes"}, {"consent", "yes"}});
  } else {
    t = AfterWd(t, rng.Int(0, 2));
    Add(t, "eh.request_received", "cass_worker", {{"route", "cass_request_for_support"}});
    active = t = AfterWd(t, rng.Int(1, 10));
    Add(t, "eh.allocation_decided", "early_help_manager",
        {{"redirect", "no"}, {"provider", rng.Pick(p.Shares("early_help.provider_share"))}});
  }
  t = AfterWd(t, rng.Int(3, 15));
  Add(t, "eh.family_plan_agreed", "early_help_worker");
  const double months = rng.Uniform(p.Num("early_help.duration_months_min"), p.Num("early_help.duration_months_max"));
  const std::int64_t end = active + static_cast<std::int64_t>(months * 30.44 * kDayUs);
  const std::int64_t every = static_cast<std::int64_t>(p.Num("early_help.review_every_weeks") * 7 * kDayUs);
  for (std::int64_t r = AfterDays(t, every / kDayUs); r < end && !Past(r); r = AfterDays(r, every / kDayUs)) {
    Add(r, "eh.review_held", "early_help_worker");
    t = r;
  }
  t = std::max(AfterWd(end, 0), t + kHourUs);
  if (!stepped_down && rng.Chance(p.Num("early_help.step_up_share"))) {
    Add(t, "eh.stepped_up", "early_help_manager", {{"manager_agreed", "yes"}, {"consent", "yes"}});
    t = AfterWd(t, rng.Int(0, 3));
    return Next::kContact;
  }
  static const char* kOutcomes[] = {"needs_met", "needs_met", "needs_met", "family_disengaged", "moved_away", "other"};
  Add(t, "eh.closed", "early_help_manager", {{"outcome", kOutcomes[rng.Int(0, 5)]}});
  return Next::kClose;
}

Builder::Next Builder::Assessment(std::int64_t& t, std::int64_t referred) {
  const std::int64_t start = AfterWd(t, rng.Int(0, static_cast<int>(p.Num("assessment.start_working_days_max"))));
  const Date referred_on = Day(referred);
  Add(start, "as.assessment_started", "social_worker", {{"referred_on", referred_on.ToString()}});
  if (!uasc && rng.Chance(p.Num("assessment.ended_early_share"))) {
    t = AfterWd(start, rng.Int(5, 20));
    Add(t, "as.assessment_ended_early", "team_manager", {{"reason", "family moved away"}});
    return Next::kClose;
  }
  const bool on_time = rng.Chance(p.Num("assessment.within_45_working_days"));
  const std::int64_t done = Timed("T-14", referred_on.StartUs(), AfterWd(start, 5), on_time, 40,
                                  static_cast<int>(p.Num("assessment.late_extra_working_days_max")));
  const std::int64_t span = done - start;
  if (rng.Chance(p.Num("assessment.returned_share"))) {
    Add(start + span / 2, "as.assessment_completed", "social_worker");
    Add(start + span * 6 / 10, "as.assessment_returned", "team_manager", {{"reason", "more work on the analysis"}});
  }
  Add(start + span * 9 / 10, "as.assessment_completed", "social_worker");
  const std::string outcome = uasc ? "child_in_need_plan" : rng.Pick(p.Shares("assessment.outcome_share"));
  t = done;
  Add(t, "as.assessment_authorised", "team_manager", {{"outcome", outcome}});
  if (outcome == "nfa") return Next::kClose;
  if (outcome == "early_help") return Next::kEarlyHelp;
  if (outcome == "child_in_need_plan") return Next::kCin;
  return Next::kStrategy;
}

void Builder::Transfer(std::int64_t t) {
  const auto& teams = g.teams();
  const int per_area = std::max(1, static_cast<int>(p.Num("children.teams_per_area")));
  if (per_area < 2) return;
  const int area = team / per_area;
  const int to = area * per_area + (team % per_area + rng.Int(1, per_area - 1)) % per_area;
  const std::int64_t asked = AfterWd(t, rng.Int(0, 2));
  if (asked <= transfer_until) return;  // one transfer at a time: the last one is still pending
  Add(asked, "tr.transfer_requested", "team_manager", {{"to_team", teams[static_cast<std::size_t>(to)]}});
  const bool in_time = rng.Chance(p.Num("transfers.completed_in_time"));
  const std::int64_t visit = AfterWd(asked, rng.Int(2, 6));
  const std::int64_t summary = AfterWd(asked, rng.Int(3, 7));
  std::int64_t done = in_time ? AfterWd(std::max(visit, summary), rng.Int(0, 2)) : AfterWd(asked, rng.Int(11, 15));
  done = std::min(done, Due("T-70", asked) + (in_time ? -kHourUs : 5 * kDayUs));
  done = std::max(done, std::max(visit, summary) + kHourUs);
  Add(visit, "tr.joint_visit_held", "social_worker");
  Add(summary, "tr.summary_updated", "social_worker");
  // The receiving team's worker (X-17 allocates them): named by the simulator in that team.
  Add(done, "tr.transfer_completed", "team_manager", {{"lead_worker", "$worker"}});
  team_changes.emplace_back(done, to);
  transfer_until = done;
  busy_until = std::max(busy_until, done + kHourUs);  // no closure while the transfer is pending
}

// Services beside a child in need plan, each ended before the plan ends (so the case can close):
// the disabled children's service with short breaks and EHCP advice (SM-20), support for a
// family with no recourse to public funds (SM-18), family group conferences and multi-systemic
// therapy (SM-21), and a teenager's missing episodes with return interviews and exploitation
// screening.
void Builder::Services(std::int64_t from, std::int64_t until) {
  const std::int64_t last = until - 2 * kDayUs;
  if (Past(last) || last - from < 45 * kDayUs) return;
  const int age = AgeAt(from);
  if (age < 0) return;
  const bool before_18 = until < Birthday(18) - 40 * kDayUs;
  // Children with disabilities (K-N4: 900 supported; K-N5: 212 short-break packages a year).
  if (before_18 && rng.Chance(p.Num("services.disabled_share"))) {
    const std::int64_t referred = AfterWd(from, rng.Int(1, 5));
    const std::int64_t assessed = AfterDays(referred, rng.Uniform(20, 45));
    if (assessed < last - 10 * kDayUs) {
      Add(referred, "cwd.referral_received", "social_worker");
      Add(assessed, "cwd.assessment_completed", "social_worker", {{"outcome", "package_of_care"}});
      const std::int64_t breaks = AfterDays(assessed, rng.Uniform(10, 40));
      if (breaks < last && rng.Chance(p.Num("services.short_breaks_share"))) {
        Add(breaks, "cwd.short_breaks_decided", "team_manager",
            {{"decision", rng.Chance(0.85) ? "approved" : "declined"}, {"route", rng.Chance(0.9) ? "panel" : "urgent_outside_panel"}});
      }
      const std::int64_t asked = AfterDays(assessed, rng.Uniform(5, 60));
      const std::int64_t advice = AfterDays(asked, rng.Uniform(20, 50));  // N-EHC: within 6 weeks, mostly
      if (age >= 2 && advice < last && rng.Chance(p.Num("services.ehcp_advice_share"))) {
        Add(asked, "cwd.ehcp_advice_requested", "ehcp_officer");
        Add(advice, "cwd.ehcp_advice_submitted", "ehcp_officer");
      }
      for (std::int64_t r = AfterDays(assessed, 365); r < last; r = AfterDays(r, 365)) Add(r, "cwd.package_reviewed", "reviewing_officer");
      Add(last, "cwd.service_ended", "team_manager", {{"reason", "needs_met"}});
    }
  }
  // No recourse to public funds: destitution checked, s17 support reviewed 3-monthly (T-13).
  if (rng.Chance(p.Num("services.nrpf_share"))) {
    const std::int64_t referred = AfterWd(from, rng.Int(0, 3));
    const std::int64_t checked = AfterDays(referred, rng.Uniform(5, 15));
    const bool destitute = rng.Chance(p.Num("services.nrpf_destitute_share"));
    const std::int64_t started = AfterDays(checked, rng.Uniform(1, 5));
    if (started < last - kDayUs) {
      Add(referred, "nrpf.referral_received", "nrpf_worker");
      Add(checked, "nrpf.destitution_checked", "nrpf_worker", {{"outcome", destitute ? "destitute" : "not_destitute"}});
      if (destitute) {
        Add(started, "nrpf.support_started", "team_manager",
            {{"support", rng.Pick(p.Shares("services.nrpf_support_share"))}});
        for (std::int64_t r = started;;) {
          r = AfterDays(r, rng.Chance(0.85) ? rng.Uniform(70, 90) : rng.Uniform(93, 110));
          if (r >= last - kHourUs) break;
          Add(r, "nrpf.support_reviewed", "nrpf_worker");
        }
        Add(last - kHourUs, "nrpf.support_ended", "team_manager",
            {{"reason", rng.Chance(0.6) ? "immigration_status_changed" : "no_longer_destitute"}});
      } else {
        Add(started, "nrpf.assessment_ended", "team_manager", {{"reason", "not_destitute"}});
      }
    }
  }
  // Private fostering (K-N8: 22 children at a time, 18-25 over recent years, SE:822-828): the
  // school or a parent notifies, a joint Reg 4 visit (T-65, mostly in time), suitability, Reg 8
  // visits every 6 weeks in the first year (T-65b), the end before the plan's.
  if (age >= 0 && age < 15 && rng.Chance(p.Num("services.private_fostering_share"))) {
    const std::int64_t notified = AfterDays(from, rng.Uniform(1, 20));
    const std::int64_t visited = rng.Chance(0.85) ? AfterWd(notified, rng.Int(1, 6)) : AfterWd(notified, rng.Int(8, 12));
    const std::int64_t assessed = AfterDays(visited, rng.Uniform(10, 30));
    if (assessed < last - 7 * kDayUs) {
      Add(notified, "pf.notified", "cass_worker",
          {{"notified_by", rng.Chance(0.5) ? "school" : "parent"}, {"disabled", "no"}, {"homes_for_ukraine", rng.Chance(0.14) ? "yes" : "no"}});
      Add(visited, "pf.reg4_visit_held", "social_worker", {{"joint_with_fostering", rng.Chance(0.9) ? "yes" : "no"}});
      Add(assessed, "pf.assessment_completed", "team_manager", {{"outcome", rng.Chance(0.92) ? "suitable" : "suitable_with_requirements"}});
      for (std::int64_t v = AfterDays(visited, rng.Uniform(30, 41)); v < last - 2 * kDayUs; v = AfterDays(v, rng.Uniform(30, 41))) {
        Add(v, "pf.visit_held", "social_worker");
      }
      Add(last - kDayUs, "pf.arrangement_ended", "team_manager",
          {{"reason", rng.Chance(0.7) ? "returned_to_parent" : "child_arrangements_order"}});
    }
  }
  // Family group conferences (K-C22: 1,647 children referred a year, 55% converted) and
  // multi-systemic therapy for 10-17 year olds (12-20 weeks, T-111).
  auto episode = [&](const char* service, double weeks_lo, double weeks_hi, double conversion) {
    const std::int64_t referred = AfterDays(from, rng.Uniform(5, 30));
    const std::int64_t decided = AfterDays(referred, rng.Uniform(5, 14));
    const std::int64_t ended = AfterDays(decided, rng.Uniform(weeks_lo * 7, weeks_hi * 7));
    if (ended >= last) return;
    Add(referred, "iv.referred", "social_worker", {{"service", service}});
    if (!rng.Chance(conversion)) {
      Add(decided, "iv.declined", "intervention_worker", {{"service", service}, {"reason", "family_declined"}});
      return;
    }
    Add(decided, "iv.accepted", "intervention_worker", {{"service", service}});
    const std::int64_t reviewed = decided + (ended - decided) / 2;
    Add(reviewed, "iv.reviewed", "intervention_worker", {{"service", service}});
    Add(ended, "iv.ended", "intervention_worker",
        {{"service", service}, {"outcome", rng.Pick(p.Shares("services.intervention_outcome_share"))}});
  };
  if (rng.Chance(p.Num("services.fgc_share"))) episode("family_group_conference", 4, 10, p.Num("services.fgc_conversion"));
  if (age >= 10 && rng.Chance(p.Num("services.mst_share"))) episode("multi_systemic_therapy", 12, 19, 0.8);
  // A teenager's missing episodes (children_in_care.missing_per_year_teen), each with a return
  // interview (T-4A: 72 hours), and exploitation screening after the first.
  if (age >= 12) {
    bool screened = false, at_risk = false;
    std::int64_t free_from = from;
    for (std::int64_t m = from;;) {
      m += Wait(p.Num("children_in_care.missing_per_year_teen"));
      m = std::max(m, free_from);
      const std::int64_t back = m + rng.Int(6, 60) * kHourUs;
      const bool in_time = rng.Chance(p.Num("services.return_interview_in_time"));
      const std::int64_t interview = in_time ? back + rng.Int(20, 70) * kHourUs : back + rng.Int(80, 140) * kHourUs;
      if (interview >= last - 3 * kDayUs) break;
      Add(m, "mx.went_missing", "social_worker");
      Add(back, "mx.returned", "social_worker");
      Add(interview, "mx.return_interview_held", "return_interview_worker",
          {{"outcome", rng.Chance(0.85) ? "completed" : "offered_and_declined"}});
      free_from = interview + kDayUs;
      if (!screened) {
        screened = true;
        at_risk = rng.Chance(p.Num("services.exploitation_risk_share"));
        Add(interview + kHourUs, "mx.exploitation_screened", "exploitation_worker",
            {{"risk", at_risk ? "high" : "low"}, {"type", at_risk ? "criminal_exploitation" : "none"}});
        if (at_risk) Add(interview + 2 * kDayUs, "mx.safety_plan_agreed", "social_worker");
        free_from = interview + 3 * kDayUs;
      }
    }
    if (at_risk) Add(last - kDayUs, "mx.exploitation_screened", "exploitation_worker", {{"risk", "low"}, {"type", "none"}});
  }
}

// A child in need plan from t; `after_protection`: at least T-23/T-24's 3 months before a
// step-down to early help.
Builder::Next Builder::Cin(std::int64_t& t, bool after_protection) {
  t = AfterWd(t, rng.Int(0, 5));
  Add(t, "cin.plan_started", "social_worker");
  const std::int64_t started = t;
  if (rng.Chance(p.Num("transfers.share_at_plan_start"))) Transfer(t);
  double months = rng.Uniform(p.Num("child_in_need.duration_months_min"), p.Num("child_in_need.duration_months_max"));
  if (after_protection) months = std::max(months, 3.5);
  std::int64_t end = started + static_cast<std::int64_t>(months * 30.44 * kDayUs);
  if (dob) end = std::min(end, Birthday(18) - kDayUs);
  // Accommodated during the plan (s20, with the parents' agreement): X-05 ends the plan.
  std::int64_t accommodated = kNever;
  if (uasc || (!after_protection && !unborn && rng.Chance(p.Num("child_in_need.accommodated_share")))) {
    accommodated = AfterDays(started, uasc ? rng.Uniform(0.5, 3) : rng.Uniform(7, std::max(8.0, months * 30.44)));
    // (Not within a month of 18: CareUntil would not begin an episode then.)
    const bool adult_soon = dob && accommodated >= Birthday(18) - 40 * kDayUs;
    if (accommodated < end - kDayUs && !adult_soon) end = accommodated;
    else accommodated = kNever;
  }
  // Visits (T-11: at most every 6 weeks) and reviews.
  const double every = p.Num("child_in_need.visit_every_weeks");
  for (std::int64_t v = started;;) {
    const bool in_time = rng.Chance(p.Num("child_in_need.visit_in_time"));
    v = AfterDays(v, in_time ? rng.Uniform(every * 7 * 0.6, 6 * 7 - 3) : rng.Uniform(6 * 7 + 1, 6 * 7 + 21));
    if (v >= end - kDayUs || Past(v)) break;
    Add(v, "cin.visit_held", "social_worker");
  }
  const double review = p.Num("child_in_need.review_every_weeks") * 7;
  for (std::int64_t r = AfterDays(started, review); r < end - kDayUs && !Past(r); r = AfterDays(r, review)) {
    Add(r, "cin.review_held", "team_manager");
  }
  if (!uasc) Services(started, end);
  t = std::max(AfterWd(end, 0), started + kHourUs);
  if (accommodated != kNever) {
    if (Past(t)) return Next::kEnd;
    return Care(t, "s20", "s20");
  }
  const bool step_down = rng.Chance(p.Num("child_in_need.step_down_to_early_help_share")) && AgeAt(t) < 17;
  Add(t, "cin.plan_ended", "team_manager", {{"reason", step_down ? "step_down_to_early_help" : "closure"}});
  if (step_down) return EarlyHelp(t, true);
  return Next::kClose;
}

Builder::Next Builder::Strategy(std::int64_t& t, bool forced) {
  const std::int64_t sd = AfterWd(t, rng.Int(0, 1));
  const bool s47 = forced || rng.Chance(p.Num("child_protection.s47_share"));
  Add(sd, "cp.strategy_discussion_held", "team_manager", {{"outcome", s47 ? "s47" : "no_s47"}});
  t = sd;
  if (!s47) return Next::kClose;
  // K-P2's rising number of plans: ICPCs grow by a share a year over the window (not before it).
  const double years_in = std::max(0.0, static_cast<double>(sd - g.start_) / (365.25 * kDayUs));
  const double trend = std::pow(1 + p.Num("child_protection.icpc_change_per_year"), years_in);
  const bool icpc = forced || rng.Chance(std::min(1.0, p.Num("child_protection.icpc_share") * trend));
  if (!icpc) {
    t = AfterWd(sd, rng.Int(static_cast<int>(p.Num("child_protection.s47_working_days_min")),
                            static_cast<int>(p.Num("child_protection.s47_working_days_max"))));
    Add(t, "cp.s47_concluded", "social_worker", {{"outcome", "no_icpc"}});
    return rng.Chance(0.4) ? Next::kCin : Next::kClose;
  }
  const bool on_time = rng.Chance(p.Num("child_protection.icpc_within_15_working_days"));
  const std::int64_t conf = Timed("T-06", sd, AfterWd(sd, 5), on_time, 8,
                                  static_cast<int>(p.Num("child_protection.icpc_late_extra_working_days_max")));
  Add(sd + (conf - sd) * 6 / 10, "cp.s47_concluded", "social_worker", {{"outcome", "icpc"}});
  t = conf;
  const bool plan = forced || rng.Chance(p.Num("child_protection.plan_share"));
  if (!plan) {
    Add(t, "cp.icpc_held", "cp_chair", {{"outcome", "no_plan"}});
    return rng.Chance(0.6) ? Next::kCin : Next::kClose;
  }
  Add(t, "cp.icpc_held", "cp_chair", {{"outcome", "cp_plan"}, {"category", rng.Pick(p.Shares("child_protection.category_share"))}});
  return CpPlan(t);
}

// The plan's own series (visits, core groups, reviews) from `start` to `end` (exclusive); the
// last review conference ends the plan if `end_by_review`, else the caller ends it.
std::int64_t Builder::PlanSeries(std::int64_t start, std::int64_t end, bool end_by_review) {
  // Review conferences: T-08 (3 months), then T-08b (6-monthly).
  std::vector<std::int64_t> reviews;
  // Whether the series reached the plan's end: a series cut short by the window's end (Past)
  // leaves the plan open at the end of the window; its last review there does not end it.
  bool reached_end = false;
  for (std::int64_t r = start;;) {
    const char* rule = reviews.empty() ? "T-08" : "T-08b";
    const std::int64_t due = Due(rule, r);
    if (due == kNever) break;
    const std::int64_t at = Hour(Day(due - kDayUs)) - rng.Int(0, 7) * kDayUs;
    const std::int64_t x = std::max(at, r + kDayUs);
    if (x >= end) {
      reached_end = true;
      break;
    }
    if (Past(x)) break;
    reviews.push_back(x);
    r = x;
  }
  const bool ends_here = end_by_review && reached_end && !reviews.empty();
  std::int64_t last = start;
  for (std::size_t i = 0; i < reviews.size(); ++i) {
    const bool final_review = ends_here && i + 1 == reviews.size();
    Add(reviews[i], "cp.review_conference_held", "cp_chair", {{"outcome", final_review ? "end" : "continue"}});
    if (i == 0 && !final_review && rng.Chance(p.Num("child_protection.midway_review_share"))) {
      Add(reviews[i] + (((i + 1 < reviews.size()) ? reviews[i + 1] : end) - reviews[i]) / 2, "cp.midway_review_held",
          "cp_chair");
    }
    last = reviews[i];
  }
  const std::int64_t stop = ends_here ? reviews.back() : end;
  // First core group within 10 working days (N-08), then 6-weekly.
  std::int64_t cg = AfterWd(start, rng.Int(3, 9));
  const double cg_every = p.Num("child_protection.core_group_every_weeks") * 7;
  for (; cg < stop - kHourUs && !Past(cg); cg = AfterDays(cg, rng.Uniform(cg_every - 5, cg_every + 3))) {
    Add(cg, "cp.core_group_held", "social_worker");
  }
  // Visits, at most every 10 working days (N-10).
  for (std::int64_t v = start;;) {
    const bool in_time = rng.Chance(p.Num("child_protection.visit_in_time"));
    v = AfterWd(v, in_time ? rng.Int(5, 10) : rng.Int(11, 15));
    if (v >= stop - kHourUs || Past(v)) break;
    Add(v, "cp.visit_held", "social_worker");
  }
  return end_by_review ? (ends_here ? reviews.back() : kNever) : last;
}

Builder::Next Builder::CpPlan(std::int64_t& t) {
  had_cp_plan = true;
  const std::int64_t start = t;
  if (rng.Chance(p.Num("transfers.share_at_plan_start"))) Transfer(t);
  const bool is_long = rng.Chance(p.Num("child_protection.long_plan_share"));
  int reviews = std::stoi(rng.Pick(p.Shares("child_protection.plan_review_count_share")));
  if (is_long) reviews = rng.Int(5, 6);  // 3 + 6*4 = 27 or 33 months
  // The end of the plan: just after its n-th review conference (3 months, then 6-monthly).
  std::int64_t natural = start + static_cast<std::int64_t>((3 + 6 * (reviews - 1) + 0.5) * 30.44 * kDayUs);
  if (dob) natural = std::min(natural, Birthday(18) - 2 * kDayUs);
  if (natural <= start + kDayUs) {  // 18 by now (the enquiry began before): the plan ends at once
    const std::int64_t ended = AfterWd(start, 1);
    if (Past(ended)) return Next::kEnd;
    Add(ended, "cp.plan_ended", "team_manager", {{"reason", "turned_18"}});
    t = ended;
    return Next::kClose;
  }
  // Babies and young children go to court far more often than older ones (K-A1's adoptions).
  const bool young = unborn || AgeAt(start) < 5;
  const double escalation = p.Num("child_protection.escalate_to_legal_share") *
                            (young ? p.Num("child_protection.escalate_to_legal_under_5_factor") : 1.0);
  const bool escalate = !is_long && rng.Chance(std::min(1.0, escalation));
  if (!escalate) {
    const bool to_care = rng.Chance(p.Num("children_in_care.entry_from_cp_plan_share"));
    if (to_care) {
      std::int64_t entry = start + static_cast<std::int64_t>(rng.Uniform(1, 8) * 30.44 * kDayUs);
      if (unborn || born_at > entry) entry = std::max(entry, born_at + kDayUs);
      entry = AfterWd(entry, 0);
      PlanSeries(start, entry - 30 * kMinuteUs, false);
      if (Past(entry)) return Next::kEnd;
      Add(entry - 30 * kMinuteUs, "cp.plan_ended", "team_manager", {{"reason", "looked_after"}});
      t = entry;
      return Care(t, "s20", "s20");
    }
    std::int64_t ended = PlanSeries(start, natural, true);
    if (ended == kNever && !Past(natural)) {
      // Ended before its first review conference (only when 18 comes first): by decision.
      Add(natural, "cp.plan_ended", "team_manager", {{"reason", "turned_18"}});
      t = natural;
      return Next::kClose;
    }
    if (ended == kNever || Past(ended)) return Next::kEnd;
    t = ended;
    AfterPlan(ended);
    return rng.Chance(p.Num("child_protection.after_plan_cin_share")) ? Next::kCinAfterPlan : Next::kClose;
  }
  // Escalated: a legal planning meeting while the plan goes on.
  std::int64_t lpm = AfterWd(start + static_cast<std::int64_t>(rng.Uniform(2, 8) * 30.44 * kDayUs), 0);
  return Legal(t, start, lpm);
}

// After a CP plan ends: with the repeat rate, a second plan within 24 months (K-P3).
// Only plans that end with the child at home can repeat, so the chance for each of them is the
// parameter divided by the expected share of such endings (from the parameters), which makes
// the share of new plans that are repeats the parameter.
double Builder::RepeatPerEnding() const {
  const double esc = (1 - p.Num("child_protection.long_plan_share")) * p.Num("child_protection.escalate_to_legal_share");
  const double pre = p.Num("pre_proceedings.lpm_to_pre_proceedings_share");
  const double diverted = p.Num("pre_proceedings.diverted_share");
  double care_orders = 0;
  for (const auto& [order, share] : p.Shares("proceedings.final_order_share")) {
    if (order == "care_order" || order == "placement_order") care_orders += share;
  }
  const double issued = pre * (1 - diverted) + (1 - pre);
  const double legal_at_home = pre * diverted + issued * (1 - p.Num("proceedings.interim_care_order_share")) * (1 - care_orders);
  const double at_home = (1 - esc) * (1 - p.Num("children_in_care.entry_from_cp_plan_share")) + esc * legal_at_home;
  return std::min(1.0, p.Num("child_protection.repeat_plan_within_24_months") / std::max(0.01, at_home));
}

void Builder::AfterPlan(std::int64_t ended) {
  if (rng.Chance(repeat_per_ending)) {
    forced_repeat = ended + static_cast<std::int64_t>(rng.Uniform(2, 14) * 30.44 * kDayUs);
  }
}

}  // namespace casetrail::sim
