// The life's stages in court and care: pre-proceedings and proceedings from a legal planning
// meeting, a child looked after (placements, reviews, visits, how the episode ends), and a care
// leaver's support.
#include "sim/detail/life_builder.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace casetrail::sim {

// Pre-proceedings and proceedings from a legal planning meeting at `lpm`, the CP plan (started
// at `plan_start`) going on until the child comes into care or the matter is decided.
Builder::Next Builder::Legal(std::int64_t& t, std::int64_t plan_start, std::int64_t lpm) {
  const bool pre = rng.Chance(p.Num("pre_proceedings.lpm_to_pre_proceedings_share"));
  std::vector<SimAction> legal;  // collected here, added after the plan's series
  auto add = [&](std::int64_t at, const char* action, const char* role,
                 std::vector<std::pair<const char*, std::string>> params = {}) {
    legal.push_back(SimAction::At(at, action, role, std::move(params)));
  };
  add(lpm, "plo.legal_planning_meeting_held", "legal", {{"decision", pre ? "pre_proceedings" : "issue_proceedings"}});
  std::int64_t issue = kNever;
  std::int64_t resolved = kNever;  // when the plan's fate is known
  std::string outcome;
  if (pre) {
    const std::int64_t letter = AfterDays(lpm, rng.Uniform(0.5, p.Num("pre_proceedings.letter_days_max")));
    add(letter, "plo.letter_before_proceedings_sent", "legal");
    const double mean = p.Num("pre_proceedings.initial_meeting_days_mean");
    const std::int64_t meeting = std::max(AfterDays(lpm, rng.Uniform(mean * 0.5, mean * 1.5)), letter + kHourUs);
    add(meeting, "plo.initial_meeting_held", "social_worker");
    const double weeks = rng.Uniform(p.Num("pre_proceedings.duration_weeks_min"), p.Num("pre_proceedings.duration_weeks_max"));
    const std::int64_t concluded = std::max(
        Hour(Day(lpm + static_cast<std::int64_t>(weeks * 7 * kDayUs))), meeting + kDayUs);
    add(AfterWd(meeting, rng.Int(1, 5)), "plo.fgdm_offered", "social_worker");
    const double every = p.Num("pre_proceedings.review_every_weeks") * 7;
    for (std::int64_t r = AfterDays(meeting, every); r < concluded - kDayUs; r = AfterDays(r, every)) {
      add(r, "plo.review_meeting_held", "social_worker");
    }
    if (weeks > 15.5) {
      add(std::min(concluded - 12 * kHourUs, lpm + static_cast<std::int64_t>(15 * 7 * kDayUs)), "plo.extension_approved",
          "head_of_service", {{"reason", "assessment of a family member under way"}});
    }
    if (rng.Chance(p.Num("pre_proceedings.diverted_share"))) {
      add(concluded, "plo.pre_proceedings_concluded", "team_manager", {{"outcome", "step_down"}});
      outcome = "diverted";
      resolved = concluded + static_cast<std::int64_t>(rng.Uniform(1, 4) * 30.44 * kDayUs);
    } else {
      issue = concluded;
    }
  } else {
    issue = AfterWd(lpm, rng.Int(1, 10));
  }
  std::int64_t care_from = kNever;
  std::int64_t final_at = kNever;
  if (issue != kNever) {
    const bool fdac = rng.Chance(p.Num("proceedings.fdac_share"));
    const std::size_t issued_at = legal.size();  // the first hearing's date is added below
    add(issue, "court.application_issued", "legal", {{"track", fdac ? "fdac" : "standard"}});
    const double weeks = pre ? rng.Uniform(p.Num("proceedings.weeks_with_pre_min"), p.Num("proceedings.weeks_with_pre_max"))
                             : rng.Uniform(p.Num("proceedings.weeks_without_pre_min"), p.Num("proceedings.weeks_without_pre_max"));
    final_at = Hour(Day(issue + static_cast<std::int64_t>(weeks * 7 * kDayUs)));
    const bool withdrawn = rng.Chance(p.Num("proceedings.withdrawn_share"));
    if (withdrawn) final_at = issue + (final_at - issue) / 2;
    if (rng.Chance(p.Num("proceedings.interim_care_order_share"))) {
      std::int64_t ico = AfterWd(issue, rng.Int(0, 3));
      if (unborn || born_at > ico) ico = std::max(ico, AfterWd(born_at, 1));
      if (ico < final_at - kDayUs) {
        add(ico, "court.interim_order_made", "legal", {{"order", "interim_care_order"}});
        care_from = ico + 2 * kHourUs;
      }
    }
    if (fdac) {
      for (std::int64_t r = AfterDays(issue, 28); r < final_at - kDayUs; r = AfterDays(r, 28)) {
        add(r, "court.fdac_review_held", "legal");
      }
    } else {
      const std::int64_t cmh = AfterWd(issue, rng.Int(8, 15));
      const std::int64_t irh = std::max(cmh + kDayUs, issue + (final_at - issue) * 8 / 10);
      // Each hearing lists the next one (the PLO board shows it): the issue lists the case
      // management hearing, which lists the issues resolution hearing.
      legal[issued_at].params.emplace_back("next_hearing", Day(cmh).ToString());
      std::vector<std::pair<const char*, std::string>> cmh_params = {{"hearing", "case_management"}};
      if (!withdrawn) cmh_params.emplace_back("next_hearing", Day(irh).ToString());
      add(cmh, "court.hearing_held", "legal", std::move(cmh_params));
      if (!withdrawn) add(irh, "court.hearing_held", "legal", {{"hearing", "issues_resolution"}});
    }
    // Extensions of the 26-week limit, each at most 8 weeks, granted before the date falls due.
    std::int64_t limit = Due("T-32", issue);
    while (limit != kNever && final_at >= limit - kDayUs) {
      const int weeks_needed = static_cast<int>(std::ceil(static_cast<double>(final_at - limit) / (7.0 * kDayUs))) + 1;
      const int w = std::clamp(weeks_needed, 1, 8);
      add(std::max(limit - 10 * kDayUs, issue + kDayUs), "court.extension_granted", "legal",
          {{"weeks", std::to_string(w)}, {"reason", "expert assessment outstanding"}});
      limit += static_cast<std::int64_t>(w) * 7 * kDayUs;
    }
    if (withdrawn) {
      add(final_at, "court.application_withdrawn", "legal", {{"reason", "threshold no longer met"}});
      outcome = "no_order";
    } else {
      outcome = rng.Pick(p.Shares("proceedings.final_order_share"));
      // Adoption is for young children: a placement order is most often made for a child under
      // 5 (or unborn at the issue), hardly ever from 10 (then a care order).
      const int age = AgeAt(final_at);
      if (age < 5 && rng.Chance(p.Num("proceedings.placement_order_share_under_5"))) outcome = "placement_order";
      if (age >= 10 && outcome == "placement_order") outcome = "care_order";
      add(final_at, "court.final_order_made", "legal", {{"order", outcome}});
    }
    resolved = std::min(care_from, final_at);
    busy_until = std::max(busy_until, final_at + kHourUs);
    if (outcome == "care_order" || outcome == "placement_order") {
      if (care_from == kNever) {
        care_from = final_at + 2 * kHourUs;
        if (unborn || born_at > care_from) care_from = std::max(care_from, AfterWd(born_at, 1));
        resolved = care_from;
      }
    }
  }
  // The CP plan goes on until the matter resolves; it ends just before care begins.
  const std::int64_t plan_end =
      std::max(care_from != kNever ? care_from - 30 * kMinuteUs : resolved, plan_start + kDayUs);
  PlanSeries(plan_start, plan_end, false);
  for (auto& a : legal) acts.push_back(std::move(a));
  if (Past(plan_end)) return Next::kEnd;
  Add(plan_end, "cp.plan_ended", "team_manager", {{"reason", care_from != kNever ? "looked_after" : "legal_outcome"}});
  t = plan_end;
  if (care_from == kNever) {
    AfterPlan(plan_end);
    t = std::max(t, final_at == kNever ? t : final_at) + kHourUs;
    if (outcome == "special_guardianship_order" || outcome == "child_arrangements_order") return Next::kClose;
    return Next::kCinAfterPlan;
  }
  t = care_from;
  const bool ico = care_from < final_at;
  return CareUntil(t, ico ? "interim_care_order" : outcome.c_str(), final_at, outcome);
}

Builder::Next Builder::Care(std::int64_t& t, const char* legal_status, const std::string& route) {
  return CareUntil(t, legal_status, kNever, route);
}

// Looked after from t with `legal_status`; `order` (made at `order_at`, or the s20 route)
// decides how the episode ends.
Builder::Next Builder::CareUntil(std::int64_t& t, const char* legal_status, std::int64_t order_at, const std::string& order) {
  const std::int64_t entry = t;
  const std::int64_t eighteen = Birthday(18);
  if (eighteen != kNever && entry >= eighteen - 30 * kDayUs) return Next::kClose;  // too near adulthood
  Add(entry, "cic.became_looked_after", "social_worker", {{"legal_status", legal_status}});
  const bool uasc_arrives = uasc && !uasc_arrived;
  if (uasc_arrives) {
    // SM-16: arrival (or a transfer in under the National Transfer Scheme) with the trafficking
    // risk assessment on the first encounter (T-91).
    uasc_arrived = true;
    uasc_open = true;
    Add(entry - 5 * kMinuteUs, "uasc.arrived", "social_worker",
        {{"route", rng.Chance(p.Num("uasc.nts_transfer_in_share")) ? "nts_transfer_in" : "spontaneous_arrival"}});
    Add(entry + rng.Int(1, 3) * kHourUs, "uasc.trafficking_risk_assessed", "social_worker",
        {{"concern", rng.Chance(p.Num("uasc.trafficking_concern_share")) ? "yes" : "no"}});
  }
  // How and when it ends.
  std::int64_t exit = kNever;
  const char* reason = nullptr;
  bool adoption = false;
  double months_to_adoptive_placement = 0;
  if (order == "s20" && (uasc || rng.Chance(p.Num("children_in_care.s20_long_term_share")))) {
    // Accommodated for the long term (s20 in long-term foster care), until 18 or a return home.
    exit = entry + Wait(p.Num("children_in_care.long_term_exits_per_year"));
    reason = "returned_home";
  } else if (order == "s20") {
    exit = entry + static_cast<std::int64_t>(rng.Uniform(p.Num("children_in_care.s20_months_min"),
                                                         p.Num("children_in_care.s20_months_max")) * 30.44 * kDayUs);
    reason = "returned_home";
  } else if (order == "care_order" || (order == "placement_order" && AgeAt(entry) >= 10)) {
    // A care order lasts until 18 unless discharged: to a special guardian, or to parents the
    // child was placed with (K-C25: 58 SGO plans, 49 placed with parents).
    exit = order_at + Wait(p.Num("children_in_care.long_term_exits_per_year"));
    reason = rng.Chance(0.55) ? "special_guardianship_order" : "returned_home";
  } else if (order == "special_guardianship_order" || order == "child_arrangements_order") {
    exit = order_at + rng.Int(1, 5) * kDayUs;
    reason = order.c_str();
  } else if (order == "supervision_order" || order == "no_order") {
    exit = order_at + rng.Int(1, 5) * kDayUs;
    reason = "returned_home";
  } else if (order == "placement_order" && AgeAt(entry) < 10) {
    adoption = true;
    // Matched and placed some months after the placement order (K-A6: authority to place to
    // match 263 days), adopted some months after that.
    months_to_adoptive_placement = rng.Uniform(p.Num("children_in_care.placement_order_to_adoptive_placement_months_min"),
                                               p.Num("children_in_care.placement_order_to_adoptive_placement_months_max"));
    exit = order_at + static_cast<std::int64_t>((months_to_adoptive_placement +
                                                 p.Num("children_in_care.adoption_after_placement_order_months")) *
                                                30.44 * kDayUs);
    reason = "adopted";
  }
  if (eighteen != kNever && eighteen < exit) {
    exit = eighteen + rng.Int(0, 2) * kDayUs + 10 * kHourUs;
    reason = "turned_18";
  }
  // A special guardianship or child arrangements order ends care through the permanence journey
  // (SM-11): an assessment of the carer is filed before it (X-26, X-27 end care at the order).
  const bool sgo_exit = reason && (std::string(reason) == "special_guardianship_order" ||
                                   (std::string(reason) == "child_arrangements_order" && order_at != kNever));
  if (sgo_exit && order_at != kNever && exit != kNever && exit - order_at < 6 * kDayUs) exit = order_at;  // at the order
  // At least a week looked after (the IRO is allocated within 72 hours, T-40): an exponential
  // wait can be a day.
  if (exit != kNever && exit != order_at && exit < entry + 7 * kDayUs) exit = entry + 7 * kDayUs;
  if (exit != kNever && exit != order_at) exit = AfterWd(exit, 0);
  // An episode that ends in the weeks before the 16th birthday is often recorded after the
  // birthday's tick (recording lags up to a month), which makes the child eligible on what
  // was recorded by then: the simulator ends such an episode just after the birthday instead.
  bool shifted = false;
  if (const std::int64_t at16 = Birthday(16);
      exit != kNever && at16 != kNever && exit >= at16 - 40 * kDayUs && exit < at16 + kDayUs && entry < at16 - 40 * kDayUs) {
    exit = AfterWd(at16 + kDayUs, 0);
    shifted = true;
  }
  const std::int64_t stop = std::min(exit, g.end_);
  if (uasc_arrives) {
    // Recorded before the 18th birthday's tick even with a month's recording lag.
    const std::int64_t until = std::min(stop - 3 * kDayUs, eighteen - 40 * kDayUs);
    if (rng.Chance(p.Num("uasc.age_disputed_share"))) {
      const std::int64_t disputed = AfterWd(entry, rng.Int(1, 10));
      const std::int64_t assessed = AfterDays(disputed, rng.Uniform(30, 210));  // up to seven months (T-90)
      if (assessed < until) {
        Add(disputed, "uasc.age_disputed", "social_worker");
        Add(assessed, "uasc.age_assessed", "social_worker", {{"outcome", AgeAt(assessed) < 16 ? "under_16" : "aged_16_17"}});
      }
    }
    const std::int64_t decided = AfterDays(entry, rng.Uniform(120, 540));
    if (decided < until) {
      Add(decided, "uasc.asylum_decision_recorded", "social_worker",
          {{"decision", rng.Pick(p.Shares("uasc.asylum_decision_share"))}});
    }
  }
  std::int64_t sgo_order_at = kNever;
  if (sgo_exit && !shifted && exit != kNever && exit < g.end_) {
    // The carer's assessment: at least 12 weeks (T-60), mid-point review by week 7 (T-61).
    sgo_order_at = exit;
    const std::int64_t start = std::max(entry + kDayUs, exit - rng.Int(16, 24) * 7 * kDayUs);
    const std::int64_t midpoint = AfterDays(start, rng.Uniform(35, 46));
    const std::int64_t filed = AfterDays(start, rng.Uniform(84, 98));
    if (filed < exit - kDayUs) {
      Add(AfterWd(start, 0), "pm.assessment_started", "connected_persons_worker",
          {{"route", "special_guardianship"}, {"carer", rng.Chance(0.7) ? "relative" : "foster_carer"}});
      Add(midpoint, "pm.midpoint_review_held", "connected_persons_worker");
      Add(filed, "pm.assessment_filed", "connected_persons_worker", {{"recommendation", "positive"}});
    } else {
      sgo_order_at = kNever;  // too soon after care began for an assessment: care ends as before
    }
  }
  // Placement, IRO (T-40: 72 hours), reviews (N-12, N-13, N-14).
  std::int64_t placed = entry + rng.Int(1, 6) * kHourUs;
  auto placement = [&] {
    std::string pl = rng.Pick(p.Shares("children_in_care.placement_share"));
    if (AgeAt(placed) >= 0 && AgeAt(placed) < 16 && pl == "semi_independent") pl = "foster_care";
    return pl;
  };
  Add(placed, "cic.placement_started", "social_worker", {{"placement", placement()}, {"long_term", "no"}});
  // The IRO's manager names the IRO (X-19 allocates them beside the social worker).
  Add(AfterWd(placed, rng.Int(0, 2)), "cic.iro_allocated", "team_manager", {{"iro", "$iro"}});
  std::vector<std::int64_t> reviews;
  for (std::int64_t from = entry; reviews.size() < 60;) {
    const char* rule = reviews.empty() ? "N-12" : reviews.size() == 1 ? "N-13" : "N-14";
    const bool in_time = rng.Chance(p.Num("children_in_care.reviews_in_time"));
    const std::int64_t at = Timed(rule, from, from + kDayUs, in_time, reviews.empty() ? 5 : 15,
                                  static_cast<int>(p.Num("children_in_care.review_late_days_max")));
    if (at >= stop - kDayUs) break;
    Add(at, "cic.review_held", "iro");
    reviews.push_back(at);
    from = at;
  }
  // Permanence plan by the second review (K-C3), and a long-term placement after it.
  std::int64_t long_term_from = kNever;
  std::string long_term_placement;
  {
    const bool by_second = rng.Chance(p.Num("children_in_care.permanence_plan_by_second_review"));
    std::int64_t at = reviews.size() >= 2 ? (by_second ? reviews[1] - 2 * kDayUs : reviews[1] + 14 * kDayUs)
                                          : entry + 60 * kDayUs;
    at = std::max(at, entry + 3 * kDayUs);
    // A long-term placement with foster carers, family (connected persons) or in a children's
    // home, in the shares children live in them (K-C5..K-C7).
    long_term_placement = rng.Pick(p.Shares("children_in_care.long_term_placement_share"));
    if (AgeAt(entry) < 16 && long_term_placement == "semi_independent") long_term_placement = "foster_care";
    const char* plan = adoption ? "adoption"
                       : reason && std::string(reason) == "returned_home" ? "return_home"
                       : reason && std::string(reason) == "special_guardianship_order" ? "special_guardianship"
                       : reason && std::string(reason) == "child_arrangements_order" ? "child_arrangements_order"
                       : AgeAt(entry) >= 15 ? "independence"
                       : long_term_placement == "residential" ? "residential"
                       : long_term_placement == "placed_with_parents" ? "return_home"
                       : long_term_placement == "semi_independent" ? "independence"
                                                                     : "long_term_foster_care";
    if (at < stop - kDayUs) {
      Add(at, "cic.permanence_plan_agreed", "team_manager", {{"plan", plan}});
      const std::string_view agreed = plan;
      if (agreed != "adoption" && agreed != "special_guardianship" && agreed != "child_arrangements_order" &&
          !(agreed == "return_home" && long_term_placement != "placed_with_parents") &&
          !(agreed == "independence" && long_term_placement != "semi_independent")) {
        long_term_from = at + rng.Int(14, 60) * kDayUs;
      }
    }
  }
  // Adoption (SM-12): the agency decision maker's decision weeks before the placement order
  // (X-23 then authorises the placement), the child's profile, the match, introductions.
  std::int64_t adoptive_at = kNever;
  bool adoption_journey = false;
  if (adoption) {
    const std::int64_t decision = AfterWd(order_at - rng.Int(21, 70) * kDayUs, 0);
    if (decision < order_at - kHourUs) {
      Add(decision, "ad.decision_made", "agency_decision_maker");
      adoption_journey = true;
      if (order_at + 20 * kDayUs < stop) Add(AfterDays(order_at, rng.Uniform(7, 20)), "ad.child_profiled", "adoption_worker");
    }
  }
  // Placement moves (Poisson), the long-term move, and the adoptive placement.
  std::vector<std::pair<std::int64_t, std::pair<std::string, const char*>>> moves;
  const double rate = p.Num("children_in_care.placement_moves_per_year");
  for (std::int64_t m = entry;;) {
    m += Wait(rate);
    if (m >= stop - kDayUs) break;
    moves.push_back({AfterWd(m, 0), {placement(), "no"}});
  }
  if (long_term_from < stop - kDayUs) {
    moves.push_back({AfterWd(long_term_from, 0), {long_term_placement, "yes"}});
    // A long-term placement can break down too (K-C10: 67% in the same home for 2 years).
    const double disruption = p.Num("children_in_care.long_term_moves_per_year");
    for (std::int64_t m = long_term_from;;) {
      m += Wait(disruption);
      if (m >= stop - kDayUs) break;
      moves.push_back({AfterWd(m, 0), {long_term_placement, "yes"}});
    }
  }
  if (adoption) {
    const std::int64_t placed_for_adoption = order_at + static_cast<std::int64_t>(months_to_adoptive_placement * 30.44 * kDayUs);
    if (placed_for_adoption < stop - kDayUs) moves.push_back({AfterWd(placed_for_adoption, 0), {"placed_for_adoption", "yes"}});
  }
  std::sort(moves.begin(), moves.end());
  bool long_term = false;
  std::int64_t last_start = placed;
  std::vector<std::pair<std::int64_t, bool>> placements = {{placed, false}};
  for (auto& [at, what] : moves) {
    const bool adoptive = adoption_journey && what.first == "placed_for_adoption";
    if (adoptive && at <= last_start + kDayUs) at = last_start + 2 * kDayUs;  // the adoptive placement is made
    if (at <= last_start + kDayUs || at >= stop - kDayUs) continue;
    if (long_term && what.second[0] == 'n') continue;  // a long-term placement holds (unless it breaks down)
    if (adoptive) {
      // The match some weeks before, then introductions; the placement itself is X-24's.
      const std::int64_t matched = std::max(order_at + kDayUs, at - rng.Int(20, 45) * kDayUs);
      const bool couple = rng.Chance(p.Num("adoption.couple_share"));
      const bool same_sex = couple && rng.Chance(p.Num("adoption.same_sex_couple_share"));
      const std::string sex = couple ? (same_sex ? (rng.Chance(0.5) ? "two_male" : "two_female") : "male_and_female")
                                     : (rng.Chance(0.8) ? "female" : "male");
      const std::string status = !couple ? "single" : same_sex ? (rng.Chance(0.5) ? "married_same_sex" : "civil_partners")
                                                               : (rng.Chance(0.8) ? "married_opposite_sex" : "unmarried_opposite_sex");
      Add(matched, "ad.match_approved", "agency_decision_maker",
          {{"adopters", couple ? "two" : "one"}, {"adopters_sex", sex}, {"adopters_legal_status", status},
           {"foster_carer", rng.Chance(p.Num("adoption.foster_carer_share")) ? "yes" : "no"}});
      Add(std::min(at - kDayUs, AfterDays(matched, rng.Uniform(3, 10))), "ad.introductions_started", "adoption_worker");
      Add(at, "ad.placed_for_adoption", "adoption_worker", {{"with_current_foster_carer", "no"}});
      adoptive_at = at;
    } else {
      // A planned move is searched for first (SM-10): referrals to providers, an offer, a match
      // (an external one to the placement panel); the move closes the search.
      const std::int64_t asked = at - rng.Int(14, 42) * kDayUs;
      if (asked > last_start + 2 * kDayUs && rng.Chance(p.Num("children_in_care.placement_search_share"))) {
        const bool external = rng.Chance(p.Num("children_in_care.external_placement_share"));
        Add(asked, "ps.requested", "social_worker",
            {{"needs", what.first == "semi_independent" || what.first == "residential" ? what.first : "foster_care"},
             {"urgency", "planned"}, {"with_siblings", rng.Chance(0.25) ? "yes" : "no"}});
        const int referrals = external ? rng.Int(3, 12) : 1;
        for (int r = 0; r < referrals; ++r) {
          Add(asked + (r + 1) * kDayUs, "ps.referral_sent", "placements_officer",
              {{"provider", external ? (rng.Chance(0.6) ? "independent_fostering_agency" : "private") : "internal"}});
        }
        const std::int64_t offered = asked + (referrals + rng.Int(2, 6)) * kDayUs;
        if (offered < at - 3 * kDayUs) {
          Add(offered, "ps.offer_received", "placements_officer");
          Add(offered + kDayUs, "ps.match_proposed", "placements_officer", {{"provider", external ? "external" : "internal"}});
          if (external && offered + 2 * kDayUs < at) {
            Add(offered + 2 * kDayUs, "ps.panel_decided", "head_of_service", {{"decision", "approved"}});
          }
        }
      }
      Add(at, "cic.placement_changed", "social_worker",
          {{"placement", what.first}, {"long_term", what.second}, {"reason", "placement move"}});
    }
    long_term = what.second[0] == 'y';
    placements.push_back({at, long_term});
    last_start = at;
  }
  // Visits: within a week of each placement start (N-19a), then at most every 6 weeks (N-19b)
  // or 3 months in a long-term placement (N-19c).
  for (std::size_t i = 0; i < placements.size(); ++i) {
    const std::int64_t from = placements[i].first;
    const std::int64_t until = i + 1 < placements.size() ? placements[i + 1].first : stop;
    const double every = placements[i].second ? p.Num("children_in_care.long_term_visit_every_weeks")
                                              : p.Num("children_in_care.visit_every_weeks");
    for (std::int64_t v = AfterWd(from, rng.Int(1, 4)); v < until - kHourUs && v < stop - kHourUs;
         v = AfterDays(v, rng.Uniform(every * 7 - 7, every * 7 + 3))) {
      Add(v, "cic.visit_held", "social_worker");
    }
  }
  // Health assessments (T-46) and termly PEPs (T-48) for school-age children.
  for (std::int64_t h = AfterDays(entry, 20); h < stop - kDayUs; h = AfterDays(h, 330)) {
    Add(h, "cic.health_assessment_completed", "health");
  }
  if (AgeAt(entry) >= 4) {
    for (std::int64_t e = AfterDays(entry, 25); e < stop - kDayUs; e = AfterDays(e, 110)) {
      if (AgeAt(e) < 16) Add(e, "cic.pep_held", "virtual_school");
    }
  }
  // Leaving care: eligible at 16 or 17 after 13 weeks looked after since 14, earlier episodes
  // included. The scheduler's 16th birthday, the start of the episode itself or an action
  // of ours makes the child eligible; the pathway work follows.
  const std::int64_t sixteen = Birthday(16);
  const std::int64_t from14 = std::max(entry, Birthday(14));
  std::int64_t eligible = kNever;
  if (sixteen != kNever) {
    const std::int64_t need = std::max<std::int64_t>(0, 91 * kDayUs - care_since_14);
    if (need == 0 && entry >= sixteen) {
      eligible = entry;  // X-06 on becoming looked after again
    } else if (sixteen > entry && sixteen < stop && from14 + need + kDayUs <= sixteen) {
      eligible = sixteen;  // the scheduler's 16th birthday
    } else {
      const std::int64_t at = std::max(sixteen, from14 + need + kDayUs) + kDayUs;
      if (at < stop - 3 * kDayUs && at < eighteen - 3 * kDayUs) {
        eligible = AfterWd(at, 0);
        Add(eligible, "cic.visit_held", "social_worker");
      }
    }
    if (eligible != kNever) {
      const std::int64_t until = std::min(stop, eighteen) - 2 * kDayUs;  // still an eligible child
      // A child who left an earlier episode as an eligible child is a relevant child now (its
      // needs assessment and pathway plan are those of that episode): reviews and an adviser only.
      const bool relevant = left_care_eligible;
      for (auto [at, action, role] : {std::tuple<std::int64_t, const char*, const char*>{
                                          AfterWd(eligible, rng.Int(10, 50)), "lc.needs_assessment_completed", "social_worker"},
                                      {AfterWd(eligible, rng.Int(5, 20)), "lc.personal_adviser_allocated", "team_manager"},
                                      {AfterWd(eligible, rng.Int(51, 60)), "lc.pathway_plan_agreed", "social_worker"}}) {
        if (relevant && std::string_view(action) != "lc.personal_adviser_allocated") continue;
        if (at < until) Add(at, action, role);
      }
      for (std::int64_t r = AfterDays(eligible, 175); r < until; r = AfterDays(r, 170)) {
        Add(r, "lc.pathway_plan_reviewed", "personal_adviser");
      }
    }
  }
  if (Birthday(14) != kNever) care_since_14 += std::max<std::int64_t>(0, stop - from14);
  // Leaving care at 16 or 17 after 13 weeks looked after since 14 (X-06, the case's own count,
  // which may make the child eligible at the leaving itself): a relevant child from now on.
  if (sixteen != kNever && stop >= sixteen && stop < eighteen && care_since_14 >= 91 * kDayUs) left_care_eligible = true;
  if (exit == kNever || Past(exit)) return Next::kEnd;
  t = exit;
  const std::string why = reason;
  if (why == "adopted" && adoptive_at != kNever) {
    // The adoption order ends care; post-adoption support (SG:349) ends some months on.
    Add(exit, "ad.adoption_order_granted", "legal", {{"consent", rng.Chance(0.6) ? "dispensed_with" : "unopposed"}});
    const std::int64_t support_end = AfterDays(exit, rng.Uniform(30, 120));
    if (Past(support_end)) return Next::kEnd;
    Add(support_end, "ad.support_ended", "adoption_worker", {{"reason", "no_longer_needed"}});
    busy_until = std::max(busy_until, support_end + kHourUs);
  } else if (sgo_order_at != kNever) {
    // The order ends care (X-26; in proceedings, X-27 makes the court's order the journey's);
    // post-order support for at least 6 months (T-62).
    if (sgo_order_at != order_at) Add(exit, "pm.order_granted", "legal", {{"order", why}});
    const std::int64_t support_end = AfterDays(exit, rng.Uniform(186, 200));
    if (Past(support_end)) return Next::kEnd;
    Add(AfterDays(exit, rng.Uniform(90, 120)), "pm.support_plan_reviewed", "sgo_support_worker");
    Add(support_end, "pm.post_order_support_ended", "team_manager", {{"reason", "support_plan_completed"}});
    busy_until = std::max(busy_until, support_end + kHourUs);
  } else {
    // (Near 18 it is left to X-31 at the birthday: a record made late, after the birthday's tick,
    // would find the young person a former UASC already.)
    if (uasc_open && why == "returned_home" && exit < Birthday(18) - 60 * kDayUs) {
      Add(exit - 30 * kMinuteUs, "uasc.status_ended", "team_manager", {{"reason", "reunited_with_family"}});
      uasc_open = false;
    }
    Add(exit, "cic.ceased_looked_after", "team_manager", {{"reason", reason}});
  }
  if (uasc_open && why == "turned_18" && eligible == kNever) {
    // A former UASC (X-31 at the birthday) who is not a care leaver: the status ends before the
    // case closes.
    Add(exit + 2 * kMinuteUs, "uasc.former_status_ended", "team_manager", {{"reason", "other"}});
    busy_until = std::max(busy_until, exit + 3 * kMinuteUs);
    uasc_open = false;
  }
  if (why == "turned_18") {
    if (eligible == kNever) return Next::kClose;
    return LeavingCare(t);
  }
  if (adoption) {
    adopted = true;
    return Next::kClose;
  }
  if (eligible != kNever) return LeavingCare(t);  // a relevant child, then 18
  if (why == "returned_home") return Next::kCinAfterPlan;
  return Next::kClose;
}

// A care leaver: personal adviser contact (N-26), pathway plan reviews (N-22), staying put,
// support ended at 21 (or 25 in higher education, T-81).
Builder::Next Builder::LeavingCare(std::int64_t& t) {
  const std::int64_t eighteen = Birthday(18);
  std::int64_t from = std::max(t, eighteen + kDayUs);
  if (Past(from)) return Next::kEnd;
  from = AfterWd(from, 0);
  // The first action on or after the 18th birthday makes a former relevant child (X-08, after
  // the action itself: so one valid for an eligible or relevant child).
  Add(from, "lc.pathway_plan_reviewed", "personal_adviser");
  if (rng.Chance(p.Num("leaving_care.staying_put_share"))) Add(from + kHourUs, "lc.staying_put_started", "personal_adviser");
  int until_age = 21;
  auto t81 = g.rules_.Find("T-81", Day(Birthday(21)));
  if (t81.ok() && t81->amount >= 25 && rng.Chance(p.Num("leaving_care.support_to_25_share"))) until_age = 25;
  // At 25 the scheduler's birthday ends the support, and an action recorded after it is
  // refused even if dated before it: the last ones come early enough to be recorded by then
  // (recording lags are at most a month).
  const std::int64_t end = Birthday(until_age) - (until_age == 25 ? 35 : 5) * kDayUs;
  const double every = p.Num("leaving_care.keeping_in_touch_every_weeks") * 7;
  std::int64_t last = from + kHourUs;
  for (std::int64_t k = AfterDays(from, every); k < end && !Past(k); k = AfterDays(k, rng.Uniform(every - 10, every))) {
    Add(k, "lc.keeping_in_touch", "personal_adviser");
    last = k;
  }
  for (std::int64_t r = AfterDays(from, 170); r < end && !Past(r); r = AfterDays(r, 175)) {
    Add(r, "lc.pathway_plan_reviewed", "personal_adviser");
    last = std::max(last, r);
  }
  if (Past(end)) return Next::kEnd;
  if (until_age == 21) {
    t = std::max(AfterWd(end, 0), last + kHourUs);
    Add(t, "lc.support_ended", "team_manager", {{"reason", "reached_21"}});
    return Next::kClose;
  }
  // At 25 the scheduler's birthday ends the support; the case closes after it.
  t = std::max(AfterWd(Birthday(25) + 9 * kHourUs, 0), last + kHourUs);
  return Next::kClose;
}

}  // namespace casetrail::sim
