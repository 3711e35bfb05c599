// Permanence journeys (adoption): every row, every refusal, the guards that name what is wrong,
// and the cross-journey rules that tie them to care and to the court.
#include "tests/workflows/case_test_util.hpp"

using namespace casetrail::workflows;
using namespace casetrail::workflows::testing;

namespace {

const Params kCouple = {{"adopters", "two"},
                        {"adopters_sex", "male_and_female"},
                        {"adopters_legal_status", "married_opposite_sex"},
                        {"foster_carer", "no"}};

const char* const kAdoptersGuard =
    "AdoptersConsistent(one adopter: male or female, single; two: a pair, not single)";

JourneyFixture AdoptionFixture() {
  JourneyFixture f;
  f.make = [] { return NewAdoption(); };
  const std::pair<std::string, Params> decide = {"ad.decision_made", {}};
  const std::pair<std::string, Params> authorise = {"ad.authority_to_place_given", {{"basis", "placement_order"}}};
  const std::pair<std::string, Params> match = {"ad.match_approved", kCouple};
  const std::pair<std::string, Params> place = {"ad.placed_for_adoption", {{"with_current_foster_carer", "no"}}};
  f.paths["ShouldBePlaced"] = {decide};
  f.paths["AuthorisedToPlace"] = {decide, authorise};
  f.paths["Matched"] = {decide, authorise, match};
  f.paths["PlacedForAdoption"] = {decide, authorise, match, place};
  f.paths["PostAdoptionSupport"] = {decide, authorise, match, place, {"ad.adoption_order_granted", {{"consent", "unopposed"}}}};
  f.guard_params = {{kAdoptersGuard, kCouple}};
  f.action_params = {{"ad.authority_to_place_given", {{"basis", "s19_consent"}}},
                     {"ad.match_approved", kCouple},
                     {"ad.placed_for_adoption", {{"with_current_foster_carer", "yes"}}},
                     {"ad.adoption_order_granted", {{"consent", "dispensed_with"}}},
                     {"ad.decision_reversed", {{"reason", "needs_changed"}}},
                     {"ad.support_ended", {{"reason", "no_longer_needed"}}}};
  return f;
}

}  // namespace

TEST_CASE("adoption: every row can be taken", "[workflows][adoption]") { CheckEveryRow(AdoptionFixture()); }
TEST_CASE("adoption: every action without a row is refused", "[workflows][adoption]") {
  CHECK(CheckEveryRefusal(AdoptionFixture()) == 6 * 9 - 13);
}

TEST_CASE("adoption: T-50 the decision opens 12 months to place, met by the placement", "[workflows][adoption]") {
  auto j = NewAdoption();
  Verdict d = j->Apply(Act(*j, "ad.decision_made", "2026-02-10"));
  REQUIRE(d.accepted);
  REQUIRE(d.deadlines.size() == 1);
  CHECK(d.deadlines[0].deadline.rule_id == "T-50");
  CHECK(d.deadlines[0].deadline.due_date.ToString() == "2027-02-10");  // 12 months after the day
  REQUIRE(j->Apply(Act(*j, "ad.authority_to_place_given", "2026-03-01", {{"basis", "placement_order"}})).accepted);
  REQUIRE(j->Apply(Act(*j, "ad.match_approved", "2026-09-01", kCouple)).accepted);
  Verdict placed = j->Apply(Act(*j, "ad.placed_for_adoption", "2027-02-10", {{"with_current_foster_carer", "no"}}));
  REQUIRE(placed.accepted);
  REQUIRE(placed.deadlines.size() == 1);
  CHECK(placed.deadlines[0].kind == DeadlineEffect::Kind::kMet);  // its last day still meets it
  CHECK(j->OpenDeadlines().empty());
}

TEST_CASE("adoption: the adopters' details must describe one adopter or a pair (SSDA903 AD1)", "[workflows][adoption]") {
  auto j = AdoptionFixture().Reach("AuthorisedToPlace");
  Verdict mixed = j->Apply(Act(*j, "ad.match_approved", "2026-04-01",
                               {{"adopters", "one"}, {"adopters_sex", "two_female"},
                                {"adopters_legal_status", "single"}, {"foster_carer", "no"}}));
  CHECK_FALSE(mixed.accepted);
  CHECK(mixed.rule == "guard_failed");
  CHECK_THAT(mixed.reason, Catch::Contains("AdoptersConsistent"));
  Verdict single_pair = j->Apply(Act(*j, "ad.match_approved", "2026-04-01",
                                     {{"adopters", "two"}, {"adopters_sex", "two_female"},
                                      {"adopters_legal_status", "single"}, {"foster_carer", "no"}}));
  CHECK(single_pair.rule == "guard_failed");
  Verdict unknown = j->Apply(Act(*j, "ad.match_approved", "2026-04-01",
                                 {{"adopters", "three"}, {"adopters_sex", "female"},
                                  {"adopters_legal_status", "single"}, {"foster_carer", "no"}}));
  CHECK(unknown.rule == "invalid_parameter");
  CHECK_THAT(unknown.reason, Catch::Contains("'adopters' must be one of: one, two"));
  CHECK(j->State() == "AuthorisedToPlace");
  CHECK(j->Apply(Act(*j, "ad.match_approved", "2026-04-02",
                     {{"adopters", "one"}, {"adopters_sex", "female"},
                      {"adopters_legal_status", "single"}, {"foster_carer", "yes"}})).accepted);
}

TEST_CASE("adoption: a reversed decision closes the 12 months and names the 903 reason", "[workflows][adoption]") {
  auto j = AdoptionFixture().Reach("Matched");
  Verdict no_reason = j->Apply(Act(*j, "ad.decision_reversed", "2026-04-01"));
  CHECK(no_reason.rule == "invalid_parameter");
  CHECK_THAT(no_reason.reason, Catch::Contains("'reason' is required"));
  Verdict v = j->Apply(Act(*j, "ad.decision_reversed", "2026-04-01", {{"reason", "no_adopters_found"}}));
  REQUIRE(v.accepted);
  CHECK(v.deadlines.at(0).kind == DeadlineEffect::Kind::kCancelled);
  CHECK(j->State() == "NoAdoptionPlan");
  CHECK(j->OpenDeadlines().empty());
}

TEST_CASE("adoption: only the agency decision maker decides and approves a match", "[workflows][adoption]") {
  auto j = NewAdoption();
  Action a = Act(*j, "ad.decision_made", "2026-04-01");
  a.role = "social_worker";
  Verdict v = j->Apply(a);
  CHECK(v.rule == "forbidden_role");
  CHECK_THAT(v.reason, Catch::Contains("agency_decision_maker"));
}

namespace {




// A child looked after under an interim care order, placed in foster care, with a decision
// that she should be placed for adoption.
Case ChildWithAdoptionPlan() {
  Case c;
  Do(c, A("case.child_registered", "2025-11-03", "social_worker", {{"date_of_birth", "2025-06-01"}}));
  Do(c, A("court.application_issued", "2025-11-10", "legal", {{"track", "standard"}}));
  Do(c, A("cic.became_looked_after", "2025-11-12", "social_worker", {{"legal_status", "interim_care_order"}}));
  Do(c, A("cic.placement_started", "2025-11-12", "social_worker", {{"placement", "foster_care"}, {"long_term", "no"}}));
  Do(c, A("court.hearing_held", "2025-11-24", "legal", {{"hearing", "case_management"}}));
  Do(c, A("ad.decision_made", "2026-03-02", "agency_decision_maker"));
  return c;
}

}  // namespace

TEST_CASE("X-23: a placement order made by the court authorises the placement for adoption", "[workflows][case][adoption]") {
  Case c = ChildWithAdoptionPlan();
  CaseVerdict v = c.Apply(A("court.final_order_made", "2026-04-20", "legal", {{"order", "placement_order"}}));
  REQUIRE(v.accepted());
  CHECK(HasConsequence(v, "X-23"));
  CHECK(HasConsequence(v, "X-03"));  // and the legal status becomes the placement order
  CHECK(c.States().at("adoption") == "AuthorisedToPlace");
}

TEST_CASE("X-24, X-22: placement for adoption is the child's placement, the order ends care", "[workflows][case][adoption]") {
  Case c = ChildWithAdoptionPlan();
  Do(c, A("court.final_order_made", "2026-04-20", "legal", {{"order", "placement_order"}}));
  Do(c, A("ad.match_approved", "2026-07-01", "agency_decision_maker", kCouple));
  CaseVerdict placed = c.Apply(A("ad.placed_for_adoption", "2026-07-20", "adoption_worker", {{"with_current_foster_carer", "no"}}));
  REQUIRE(placed.accepted());
  CHECK(HasConsequence(placed, "X-24"));
  REQUIRE(placed.consequences.at(0).action == "cic.placement_changed");
  CHECK(placed.consequences.at(0).params.at("placement") == "placed_for_adoption");
  CHECK(c.States().at("child_in_care") == "Placed");
  CaseVerdict order = c.Apply(A("ad.adoption_order_granted", "2027-01-15", "legal", {{"consent", "dispensed_with"}}));
  REQUIRE(order.accepted());
  CHECK(HasConsequence(order, "X-22"));
  CHECK(c.States().at("child_in_care") == "NotLookedAfter");
  CHECK(c.States().at("adoption") == "PostAdoptionSupport");
  // The care episode's deadlines are gone with it.
  for (const auto& d : c.OpenDeadlines()) CHECK(d.rule_id.rfind("N-1", 0) != 0);
}

TEST_CASE("X-25: a child who is not looked after cannot be placed for adoption", "[workflows][case][adoption]") {
  Case c;
  Do(c, A("ad.decision_made", "2026-03-02", "agency_decision_maker"));
  Do(c, A("ad.authority_to_place_given", "2026-03-10", "legal", {{"basis", "s19_consent"}}));
  Do(c, A("ad.match_approved", "2026-04-01", "agency_decision_maker", kCouple));
  CaseVerdict v = c.Apply(A("ad.placed_for_adoption", "2026-04-20", "adoption_worker", {{"with_current_foster_carer", "no"}}));
  CHECK_FALSE(v.accepted());
  CHECK(v.verdict.rule == "not_looked_after");
  CHECK_THAT(v.verdict.reason, Catch::Contains("X-25"));
  CHECK(c.States().at("adoption") == "Matched");
}

// ---- Special guardianship, connected persons and discharge of care orders (SM-11) ----

namespace {

JourneyFixture PermanenceFixture() {
  JourneyFixture f;
  f.make = [] { return NewPermanence(); };
  const std::pair<std::string, Params> kinship = {"pm.assessment_started", {{"route", "connected_person"}, {"carer", "aunt"}}};
  const std::pair<std::string, Params> filed = {"pm.assessment_filed", {{"recommendation", "positive"}}};
  const std::pair<std::string, Params> discharge = {"pm.identified_for_discharge", {{"route", "placed_with_parents"}}};
  f.paths["AssessmentInProgress"] = {kinship};
  f.paths["ChecksOutstanding"] = {kinship, {"pm.assessment_filed", {{"recommendation", "none_checks_outstanding"}}}};
  f.paths["AwaitingDecision"] = {kinship, filed};
  f.paths["ConnectedCarerApproved"] = {kinship, filed, {"pm.panel_decision_made", {{"decision", "approved"}}}};
  f.paths["PostOrderSupport"] = {kinship, filed, {"pm.order_granted", {{"order", "special_guardianship_order"}}}};
  f.paths["DischargeIdentified"] = {discharge};
  f.paths["DischargeApplied"] = {discharge, {"pm.discharge_application_made", {}}};
  f.guard_params = {{"WithoutRecommendation", {{"recommendation", "none_checks_outstanding"}}},
                    {"WithRecommendation", {{"recommendation", "negative"}}},
                    {"ConnectedPersonApproved(a connected-person assessment, approved)", {{"decision", "approved"}}},
                    {"ConnectedPersonNotApproved(a connected-person assessment, not approved)", {{"decision", "not_approved"}}},
                    {"SupportPeriodOver(T-62: 6 months after the order)", {{"reason", "support_plan_completed"}}}};
  f.guard_dates = {{"SupportPeriodOver(T-62: 6 months after the order)", "2026-09-03"}};
  f.action_params = {{"pm.assessment_started", {{"route", "special_guardianship"}, {"carer", "grandmother"}}},
                     {"pm.assessment_filed", {{"recommendation", "positive"}}},
                     {"pm.addendum_filed", {{"recommendation", "positive"}}},
                     {"pm.panel_decision_made", {{"decision", "approved"}}},
                     {"pm.order_granted", {{"order", "child_arrangements_order"}}},
                     {"pm.assessment_ended", {{"reason", "withdrawn_by_carer"}}},
                     {"pm.post_order_support_ended", {{"reason", "family_declined"}}},
                     {"pm.identified_for_discharge", {{"route", "special_guardianship"}}},
                     {"pm.discharge_withdrawn", {{"reason", "parenting assessment not updated"}}}};
  return f;
}

}  // namespace

TEST_CASE("permanence: every row can be taken", "[workflows][permanence]") { CheckEveryRow(PermanenceFixture()); }
TEST_CASE("permanence: every action without a row is refused", "[workflows][permanence]") {
  CHECK(CheckEveryRefusal(PermanenceFixture()) == 8 * 14 - 20);
}

TEST_CASE("permanence: T-61 mid-point review by week 7, T-120 16 weeks to panel for a connected person",
          "[workflows][permanence]") {
  auto j = NewPermanence();
  Verdict v = j->Apply(Act(*j, "pm.assessment_started", "2026-02-02", {{"route", "connected_person"}, {"carer", "aunt"}}));
  REQUIRE(v.accepted);
  REQUIRE(v.deadlines.size() == 2);
  std::map<std::string, std::string> due;
  for (const auto& d : v.deadlines) due[d.deadline.rule_id] = d.deadline.due_date.ToString();
  CHECK(due.at("T-61") == "2026-03-22");   // week 7 ends 48 days after the start (week 1 begins with it)
  CHECK(due.at("T-120") == "2026-05-25");  // 16 weeks after the day
  Verdict sgo = NewPermanence()->Apply(Act(*j, "pm.assessment_started", "2026-02-02",
                                          {{"route", "special_guardianship"}, {"carer", "aunt"}}));
  REQUIRE(sgo.accepted);
  CHECK(sgo.deadlines.size() == 1);  // the court sets the timetable of a special guardianship assessment
  REQUIRE(j->Apply(Act(*j, "pm.midpoint_review_held", "2026-03-22")).accepted);
  CHECK(j->OpenDeadlines().size() == 1);
}

TEST_CASE("permanence: T-60 an assessment filed before 12 weeks is flagged", "[workflows][permanence]") {
  auto j = NewPermanence();
  REQUIRE(j->Apply(Act(*j, "pm.assessment_started", "2026-02-02", {{"route", "special_guardianship"}, {"carer", "aunt"}})).accepted);
  Verdict early = j->Apply(Act(*j, "pm.assessment_filed", "2026-04-26", {{"recommendation", "positive"}}));
  REQUIRE(early.accepted);
  REQUIRE(early.flags_raised.size() == 1);
  CHECK_THAT(early.flags_raised[0], Catch::Contains("T-60") && Catch::Contains("2026-04-27"));
  auto k = NewPermanence();
  REQUIRE(k->Apply(Act(*k, "pm.assessment_started", "2026-02-02", {{"route", "special_guardianship"}, {"carer", "aunt"}})).accepted);
  CHECK(k->Apply(Act(*k, "pm.assessment_filed", "2026-04-27", {{"recommendation", "positive"}})).flags_raised.empty());
}

TEST_CASE("permanence: filed without a recommendation while checks are outstanding, then an addendum",
          "[workflows][permanence]") {
  auto j = PermanenceFixture().Reach("ChecksOutstanding");
  Verdict order = j->Apply(Act(*j, "pm.order_granted", "2026-04-01", {{"order", "special_guardianship_order"}}));
  CHECK(order.rule == "no_transition");  // no order before the recommendation (CP:755)
  REQUIRE(j->Apply(Act(*j, "pm.addendum_filed", "2026-04-02", {{"recommendation", "positive"}})).accepted);
  CHECK(j->State() == "AwaitingDecision");
}

TEST_CASE("permanence: the panel decides on connected persons only, the court on special guardianship",
          "[workflows][permanence]") {
  auto j = NewPermanence();
  REQUIRE(j->Apply(Act(*j, "pm.assessment_started", "2026-02-02", {{"route", "special_guardianship"}, {"carer", "aunt"}})).accepted);
  REQUIRE(j->Apply(Act(*j, "pm.assessment_filed", "2026-05-01", {{"recommendation", "positive"}})).accepted);
  Verdict panel = j->Apply(Act(*j, "pm.panel_decision_made", "2026-05-10", {{"decision", "approved"}}));
  CHECK(panel.rule == "guard_failed");
  CHECK_THAT(panel.reason, Catch::Contains("ConnectedPersonApproved"));
  CHECK(j->State() == "AwaitingDecision");
}

TEST_CASE("permanence: T-62 post-order support stays open 6 months, T-64 its plan is reviewed yearly",
          "[workflows][permanence]") {
  auto j = PermanenceFixture().Reach("AwaitingDecision");
  Verdict order = j->Apply(Act(*j, "pm.order_granted", "2026-04-15", {{"order", "special_guardianship_order"}}));
  REQUIRE(order.accepted);
  REQUIRE(j->OpenDeadlines().size() == 1);
  CHECK(j->OpenDeadlines()[0].rule_id == "T-64");
  CHECK(j->OpenDeadlines()[0].due_date.ToString() == "2027-04-15");
  Verdict early = j->Apply(Act(*j, "pm.post_order_support_ended", "2026-10-14", {{"reason", "support_plan_completed"}}));
  CHECK(early.rule == "guard_failed");
  CHECK_THAT(early.reason, Catch::Contains("T-62"));
  CHECK(j->State() == "PostOrderSupport");
  CHECK(j->Apply(Act(*j, "pm.post_order_support_ended", "2026-10-15", {{"reason", "support_plan_completed"}})).accepted);
  CHECK(j->OpenDeadlines().empty());
}

TEST_CASE("X-27, X-26: a special guardianship order made in proceedings ends care and opens support",
          "[workflows][case][permanence]") {
  Case c;
  Do(c, A("case.child_registered", "2025-11-03", "social_worker", {{"date_of_birth", "2019-06-01"}}));
  Do(c, A("court.application_issued", "2025-11-10", "legal", {{"track", "standard"}}));
  Do(c, A("cic.became_looked_after", "2025-11-12", "social_worker", {{"legal_status", "interim_care_order"}}));
  Do(c, A("cic.iro_allocated", "2025-11-13", "iro", {{"iro", "iro.patel"}}));
  Do(c, A("court.hearing_held", "2025-11-24", "legal", {{"hearing", "case_management"}}));
  Do(c, A("pm.assessment_started", "2025-12-01", "connected_persons_worker", {{"route", "special_guardianship"}, {"carer", "grandmother"}}));
  Do(c, A("pm.assessment_filed", "2026-03-02", "connected_persons_worker", {{"recommendation", "positive"}}));
  CaseVerdict v = c.Apply(A("court.final_order_made", "2026-04-20", "legal", {{"order", "special_guardianship_order"}}));
  REQUIRE(v.accepted());
  CHECK(HasConsequence(v, "X-27"));
  CHECK(HasConsequence(v, "X-26"));
  CHECK(HasConsequence(v, "X-20"));  // and the IRO leaves with the end of care
  CHECK(c.States().at("permanence") == "PostOrderSupport");
  CHECK(c.States().at("child_in_care") == "NotLookedAfter");
  CHECK(c.allocation().iro.empty());
}

TEST_CASE("X-29, X-28: a care order is discharged for a looked-after child placed with parents",
          "[workflows][case][permanence]") {
  Case c;
  CaseVerdict refused = c.Apply(A("pm.identified_for_discharge", "2026-01-05", "team_manager", {{"route", "placed_with_parents"}}));
  CHECK(refused.verdict.rule == "not_looked_after");
  CHECK_THAT(refused.verdict.reason, Catch::Contains("X-29"));
  Do(c, A("cic.became_looked_after", "2024-05-01", "social_worker", {{"legal_status", "care_order"}}));
  Do(c, A("cic.placement_started", "2024-05-01", "social_worker", {{"placement", "placed_with_parents"}, {"long_term", "yes"}}));
  Do(c, A("pm.identified_for_discharge", "2026-01-05", "team_manager", {{"route", "placed_with_parents"}}));
  Do(c, A("pm.schedule3_assessment_completed", "2026-01-20", "social_worker"));
  Do(c, A("pm.discharge_application_made", "2026-02-02", "legal"));
  CaseVerdict v = c.Apply(A("pm.care_order_discharged", "2026-04-01", "legal"));
  REQUIRE(v.accepted());
  CHECK(HasConsequence(v, "X-28"));
  CHECK(c.States().at("child_in_care") == "NotLookedAfter");
  CHECK(c.States().at("permanence") == "NoPermanenceWork");
}

// ---- Unaccompanied asylum-seeking children (SM-16) ----

namespace {

JourneyFixture UascFixture() {
  JourneyFixture f;
  f.make = [] { return NewUasc(); };
  const std::pair<std::string, Params> arrived = {"uasc.arrived", {{"route", "spontaneous_arrival"}}};
  f.paths["Uasc"] = {arrived};
  f.paths["AgeAssessmentPending"] = {arrived, {"uasc.age_disputed", {}}};
  f.paths["NtsTransferPending"] = {arrived, {"uasc.nts_referral_made", {{"to_region", "south-west"}}}};
  f.paths["FormerUasc"] = {arrived, {"uasc.status_ended", {{"reason", "turned_18"}}}};
  f.guard_params = {{"Turned18", {{"reason", "turned_18"}}},
                    {"NotTurned18", {{"reason", "left_the_uk"}}},
                    {"AssessedAsChild", {{"outcome", "aged_16_17"}}},
                    {"AssessedAsAdult", {{"outcome", "adult"}}}};
  f.action_params = {{"uasc.arrived", {{"route", "nts_transfer_in"}}},
                     {"uasc.trafficking_risk_assessed", {{"concern", "no"}}},
                     {"uasc.age_assessed", {{"outcome", "under_16"}}},
                     {"uasc.asylum_decision_recorded", {{"decision", "refugee_status"}}},
                     {"uasc.nts_referral_made", {{"to_region", "south-west"}}},
                     {"uasc.status_ended", {{"reason", "left_the_uk"}}},
                     {"uasc.former_status_ended", {{"reason", "reached_25"}}}};
  return f;
}

}  // namespace

TEST_CASE("uasc: every row can be taken", "[workflows][uasc]") { CheckEveryRow(UascFixture()); }
TEST_CASE("uasc: every action without a row is refused", "[workflows][uasc]") {
  CHECK(CheckEveryRefusal(UascFixture()) == 5 * 11 - 18);
}

TEST_CASE("uasc: T-91 the trafficking risk assessment is due on the day of arrival", "[workflows][uasc]") {
  auto j = NewUasc();
  Verdict v = j->Apply(Act(*j, "uasc.arrived", "2026-03-06", {{"route", "spontaneous_arrival"}}));
  REQUIRE(v.accepted);
  REQUIRE(v.deadlines.size() == 1);
  CHECK(v.deadlines[0].deadline.rule_id == "T-91");
  CHECK(v.deadlines[0].deadline.due_date.ToString() == "2026-03-06");  // first encounter: day 1 is the arrival
  Verdict next_day = j->Apply(Act(*j, "uasc.trafficking_risk_assessed", "2026-03-07", {{"concern", "yes"}}));
  REQUIRE(next_day.accepted);
  CHECK(next_day.deadlines.at(0).kind == DeadlineEffect::Kind::kMetLate);
}

TEST_CASE("uasc: T-90 a disputed age is a child's until assessed, a wait past 7 months is flagged",
          "[workflows][uasc]") {
  auto j = UascFixture().Reach("Uasc");
  Verdict disputed = j->Apply(Act(*j, "uasc.age_disputed", "2026-04-01"));
  REQUIRE(disputed.accepted);
  CHECK(disputed.deadlines.at(0).deadline.rule_id == "T-90");
  CHECK(disputed.deadlines.at(0).deadline.due_date.ToString() == "2026-11-01");
  Verdict bad = j->Apply(Act(*j, "uasc.age_assessed", "2026-06-01", {{"outcome", "adult"}, {"assessed_date_of_birth", "2027-01-01"}}));
  CHECK(bad.rule == "invalid_parameter");
  CHECK_THAT(bad.reason, Catch::Contains("assessed_date_of_birth"));
  REQUIRE(j->Apply(Act(*j, "uasc.age_assessed", "2026-06-01", {{"outcome", "adult"}, {"assessed_date_of_birth", "2006-01-01"}})).accepted);
  CHECK(j->State() == "NotUasc");
  CHECK(j->OpenDeadlines().empty());
}

namespace {

Case LookedAfterUasc(const char* dob) {
  Case c;
  Do(c, A("case.child_registered", "2026-01-05", "social_worker", {{"date_of_birth", dob}}));
  Do(c, A("uasc.arrived", "2026-01-05", "social_worker", {{"route", "spontaneous_arrival"}}));
  Do(c, A("cic.became_looked_after", "2026-01-05", "social_worker", {{"legal_status", "s20"}}));
  Do(c, A("cic.placement_started", "2026-01-05", "social_worker", {{"placement", "semi_independent"}, {"long_term", "no"}}));
  return c;
}

}  // namespace

TEST_CASE("X-30: an age assessment that finds an adult ends care (SSDA903 E15)", "[workflows][case][uasc]") {
  Case c = LookedAfterUasc("2009-02-01");
  Do(c, A("uasc.age_disputed", "2026-01-06", "social_worker"));
  CaseVerdict v = c.Apply(A("uasc.age_assessed", "2026-03-02", "social_worker", {{"outcome", "adult"}}));
  REQUIRE(v.accepted());
  CHECK(HasConsequence(v, "X-30"));
  REQUIRE(v.consequences.at(0).params.at("reason") == "age_assessed_adult");
  CHECK(c.States().at("child_in_care") == "NotLookedAfter");
  CHECK(c.States().at("uasc") == "NotUasc");
}

TEST_CASE("X-30: a transfer out under the National Transfer Scheme ends care here", "[workflows][case][uasc]") {
  Case c = LookedAfterUasc("2011-02-01");
  Do(c, A("uasc.nts_referral_made", "2026-01-07", "team_manager", {{"to_region", "south-west"}}));
  CaseVerdict v = c.Apply(A("uasc.nts_transferred_out", "2026-01-20", "team_manager"));
  REQUIRE(v.accepted());
  CHECK(HasConsequence(v, "X-30"));
  CHECK(v.consequences.at(0).params.at("reason") == "transferred_to_another_authority");
  CHECK(c.States().at("child_in_care") == "NotLookedAfter");
}

TEST_CASE("X-31, X-32: at 18 a UASC is a former UASC, until leaving-care support ends", "[workflows][case][uasc]") {
  Case c = LookedAfterUasc("2008-05-04");
  CaseVerdict birthday = c.Apply(A("case.age_reached", "2026-05-04", "system", {{"age", "18"}}));
  REQUIRE(birthday.accepted());
  CHECK(HasConsequence(birthday, "X-31"));
  CHECK(c.States().at("uasc") == "FormerUasc");
  CaseVerdict not_18 = c.Apply(A("case.age_reached", "2026-05-05", "system", {{"age", "18"}}));
  CHECK_FALSE(not_18.accepted());
  // A child whose age is still being assessed at 18 by the claimed date of birth is a former
  // UASC too (treated as a child until then, SE:1501).
  Case d = LookedAfterUasc("2008-05-04");
  Do(d, A("uasc.age_disputed", "2026-02-02", "social_worker"));
  CHECK(HasConsequence(d.Apply(A("case.age_reached", "2026-05-04", "system", {{"age", "18"}})), "X-31"));
  CHECK(d.States().at("uasc") == "FormerUasc");
}

// ---- Placement detail for the SSDA903 (SM-10) ----

namespace {

CaseVerdict Place(Case& c, const char* action, const char* date, Params extra) {
  Params p = {{"placement", "foster_care"}, {"long_term", "no"}};
  if (std::string(action) == "cic.placement_changed") p["reason"] = "move";
  for (auto& [k, v] : extra) p[k] = v;
  return c.Apply(A(action, date, "social_worker", p));
}

}  // namespace

TEST_CASE("placements: the DfE placement code must be of the placement's kind and term", "[workflows][case][placements]") {
  Case c;
  Do(c, A("cic.became_looked_after", "2026-01-05", "social_worker", {{"legal_status", "s20"}}));
  CaseVerdict residential = Place(c, "cic.placement_started", "2026-01-05", {{"place", "K2"}});
  CHECK(residential.verdict.rule == "invalid_parameter");
  CHECK_THAT(residential.verdict.reason, Catch::Contains("'place' K2") && Catch::Contains("residential placement, not foster_care"));
  CaseVerdict long_term = Place(c, "cic.placement_started", "2026-01-05", {{"place", "U4"}});
  CHECK(long_term.verdict.rule == "invalid_parameter");
  CHECK_THAT(long_term.verdict.reason, Catch::Contains("long_term no"));
  CaseVerdict unknown = Place(c, "cic.placement_started", "2026-01-05", {{"place", "Q9"}});
  CHECK(unknown.verdict.rule == "invalid_parameter");
  CHECK(c.States().at("child_in_care") == "LookedAfter");
  CaseVerdict ok = Place(c, "cic.placement_started", "2026-01-05",
                         {{"place", "U6"}, {"provider", "own_authority"}, {"postcode", "B29 6BD"}, {"distance_miles", "4.5"}});
  INFO(ok.verdict.reason);
  CHECK(ok.accepted());
}

TEST_CASE("placements: a code is refused outside the collection years it is valid in", "[workflows][case][placements]") {
  Case c;
  Do(c, A("cic.became_looked_after", "2023-01-05", "social_worker", {{"legal_status", "s20"}}));
  Params independent = {{"placement", "semi_independent"}, {"long_term", "no"}};
  independent["place"] = "P2";
  CHECK(c.Apply(A("cic.placement_started", "2023-10-27", "social_worker", independent)).accepted());
  independent["reason"] = "move";
  CaseVerdict retired = c.Apply(A("cic.placement_changed", "2023-10-28", "social_worker", independent));
  CHECK(retired.verdict.rule == "invalid_parameter");
  CHECK_THAT(retired.verdict.reason, Catch::Contains("P2") && Catch::Contains("2023-10-27"));
  independent["place"] = "K3";  // supported accommodation: from the 2024-25 collection
  CaseVerdict early = c.Apply(A("cic.placement_changed", "2024-03-31", "social_worker", independent));
  CHECK_THAT(early.verdict.reason, Catch::Contains("K3") && Catch::Contains("from 2024-04-01"));
  CHECK(c.Apply(A("cic.placement_changed", "2024-04-01", "social_worker", independent)).accepted());
}

TEST_CASE("placements: URN, postcode, distance and the coded reason for a change are checked", "[workflows][case][placements]") {
  Case c;
  Do(c, A("cic.became_looked_after", "2026-01-05", "social_worker", {{"legal_status", "s20"}}));
  REQUIRE(Place(c, "cic.placement_started", "2026-01-05", {}).accepted());
  CHECK_THAT(Place(c, "cic.placement_changed", "2026-02-02", {{"urn", "12-34"}}).verdict.reason, Catch::Contains("'urn'"));
  CHECK_THAT(Place(c, "cic.placement_changed", "2026-02-02", {{"postcode", "nowhere"}}).verdict.reason, Catch::Contains("'postcode'"));
  CHECK_THAT(Place(c, "cic.placement_changed", "2026-02-02", {{"distance_miles", "-3"}}).verdict.reason,
             Catch::Contains("'distance_miles'"));
  CaseVerdict reason = Place(c, "cic.placement_changed", "2026-02-02", {{"change_reason", "fell_out"}});
  CHECK(reason.verdict.rule == "invalid_parameter");
  CHECK_THAT(reason.verdict.reason, Catch::Contains("'change_reason' must be one of"));
  CaseVerdict ok = Place(c, "cic.placement_changed", "2026-02-02",
                         {{"place", "K2"}, {"placement", "residential"}, {"urn", "SC123456"}, {"postcode", "b14 7aj"},
                          {"same_carer", "no"}, {"change_reason", "carer_request_behaviour"}});
  INFO(ok.verdict.reason);
  CHECK(ok.accepted());
  CaseVerdict ended = c.Apply(A("cic.placement_ended", "2026-03-02", "social_worker",
                                {{"reason", "broke down"}, {"planned", "maybe"}}));
  CHECK_THAT(ended.verdict.reason, Catch::Contains("'planned' must be one of: no, yes"));
}

TEST_CASE("missing episodes: missing or away without authorisation (SSDA903 MISSING M/A)", "[workflows][case][placements]") {
  Case c;
  Do(c, A("cic.became_looked_after", "2026-01-05", "social_worker", {{"legal_status", "s20"}}));
  REQUIRE(Place(c, "cic.placement_started", "2026-01-05", {}).accepted());
  CHECK(c.Apply(A("cic.went_missing", "2026-02-02", "social_worker", {{"type", "lost"}})).verdict.rule == "invalid_parameter");
  CHECK(c.Apply(A("cic.went_missing", "2026-02-02", "social_worker", {{"type", "away_without_authorisation"}})).accepted());
}

namespace {

const Params kNotified = {{"notified_by", "school"}, {"disabled", "no"}};

JourneyFixture PrivateFosteringFixture() {
  JourneyFixture f;
  f.make = [] { return NewPrivateFostering(); };
  const std::pair<std::string, Params> notified = {"pf.notified", kNotified};
  const std::pair<std::string, Params> visit = {"pf.reg4_visit_held", {{"joint_with_fostering", "yes"}}};
  f.paths["NotificationReceived"] = {notified};
  f.paths["ArrangementAssessed"] = {notified, visit};
  f.paths["ArrangementSupervised"] = {notified, visit, {"pf.assessment_completed", {{"outcome", "suitable"}}}};
  f.paths["ArrangementUnsuitable"] = {notified, visit, {"pf.assessment_completed", {{"outcome", "unsuitable"}}}};
  f.guard_params = {{"Suitable", {{"outcome", "suitable"}}}, {"NotSuitable", {{"outcome", "suitable_with_requirements"}}}};
  f.action_params = {{"pf.notified", kNotified},
                     {"pf.not_private_fostering", {{"reason", "close_relative"}}},
                     {"pf.reg4_visit_held", {{"joint_with_fostering", "no"}}},
                     {"pf.assessment_completed", {{"outcome", "suitable"}}},
                     {"pf.arrangement_ended", {{"reason", "returned_to_parent"}}}};
  return f;
}

bool HasEffect(const Verdict& v, DeadlineEffect::Kind kind, const char* rule) {
  for (const auto& d : v.deadlines) {
    if (d.kind == kind && d.deadline.rule_id == rule) return true;
  }
  return false;
}

std::string DueOf(const Journey& j, const char* rule) {
  for (const auto& d : j.OpenDeadlines()) {
    if (d.rule_id == rule) return d.due_date.ToString();
  }
  return "";
}

}  // namespace

TEST_CASE("private fostering: every row can be taken", "[workflows][private_fostering]") {
  CheckEveryRow(PrivateFosteringFixture());
}
TEST_CASE("private fostering: every action without a row is refused", "[workflows][private_fostering]") {
  CHECK(CheckEveryRefusal(PrivateFosteringFixture()) > 0);
}

TEST_CASE("T-65: the Reg 4 visit is due within 7 working days of the notification, and met by it",
          "[workflows][private_fostering][rules]") {
  auto j = NewPrivateFostering();
  REQUIRE(j->Apply(Act(*j, "pf.notified", "2026-03-02", kNotified)).accepted);  // a Monday
  CHECK(DueOf(*j, "T-65") == "2026-03-11");                                     // 7 working days after
  Verdict late = j->Apply(Act(*j, "pf.reg4_visit_held", "2026-03-12", {{"joint_with_fostering", "yes"}}));
  REQUIRE(late.accepted);
  CHECK(HasEffect(late, DeadlineEffect::Kind::kMetLate, "T-65"));
}

TEST_CASE("T-65b, T-65c: Reg 8 visits every 6 weeks in the arrangement's first year, every 12 weeks after",
          "[workflows][private_fostering][rules]") {
  auto j = NewPrivateFostering();
  REQUIRE(j->Apply(Act(*j, "pf.notified", "2026-03-02", kNotified)).accepted);
  REQUIRE(j->Apply(Act(*j, "pf.reg4_visit_held", "2026-03-05", {{"joint_with_fostering", "yes"}})).accepted);
  CHECK(DueOf(*j, "T-65b") == "2026-04-16");  // 6 weeks after the Reg 4 visit
  REQUIRE(j->Apply(Act(*j, "pf.assessment_completed", "2026-03-20", {{"outcome", "suitable"}})).accepted);
  REQUIRE(j->Apply(Act(*j, "pf.visit_held", "2026-04-14")).accepted);
  CHECK(DueOf(*j, "T-65b") == "2026-05-26");
  // The last day of the first year still schedules 6 weeks; the first day of the second, 12.
  REQUIRE(j->Apply(Act(*j, "pf.visit_held", "2027-03-01")).accepted);
  CHECK(DueOf(*j, "T-65b") == "2027-04-12");
  Verdict second_year = j->Apply(Act(*j, "pf.visit_held", "2027-03-02"));
  REQUIRE(second_year.accepted);
  CHECK(DueOf(*j, "T-65b").empty());
  CHECK(DueOf(*j, "T-65c") == "2027-05-25");
}

TEST_CASE("X-38: a privately fostered child who becomes looked after is no longer privately fostered",
          "[workflows][case][private_fostering]") {
  Case c;
  Do(c, A("case.child_registered", "2026-01-05", "social_worker", {{"date_of_birth", "2014-06-01"}}));
  Do(c, A("pf.notified", "2026-01-05", "cass_worker", kNotified));
  CaseVerdict v = c.Apply(A("cic.became_looked_after", "2026-02-01", "social_worker", {{"legal_status", "s20"}}));
  REQUIRE(v.accepted());
  CHECK(HasConsequence(v, "X-38"));
  CHECK(c.States().at("private_fostering") == "NoPrivateFostering");
}

TEST_CASE("X-39, X-40: private fostering is of a child under 16, or under 18 if disabled, and ends at that age",
          "[workflows][case][private_fostering]") {
  Case sixteen;
  Do(sixteen, A("case.child_registered", "2026-01-05", "social_worker", {{"date_of_birth", "2010-01-01"}}));
  CaseVerdict refused = sixteen.Apply(A("pf.notified", "2026-01-05", "cass_worker", kNotified));
  CHECK(refused.verdict.rule == "age_limit");
  CHECK_THAT(refused.verdict.reason, Catch::Contains("X-39"));
  Params disabled = kNotified;
  disabled["disabled"] = "yes";
  Do(sixteen, A("pf.notified", "2026-01-05", "cass_worker", disabled));  // a disabled 16-year-old: to 18

  Case c;
  Do(c, A("case.child_registered", "2026-01-05", "social_worker", {{"date_of_birth", "2010-06-01"}}));
  Do(c, A("pf.notified", "2026-01-05", "cass_worker", kNotified));
  Do(c, A("pf.reg4_visit_held", "2026-01-08", "social_worker", {{"joint_with_fostering", "yes"}}));
  CaseVerdict v = c.Apply(A("case.age_reached", "2026-06-01", "system", {{"age", "16"}}));
  REQUIRE(v.accepted());
  CHECK(HasConsequence(v, "X-40"));
  CHECK(c.States().at("private_fostering") == "NoPrivateFostering");
  CHECK(c.OpenDeadlines().empty());
}

namespace {

JourneyFixture PlacementSearchFixture() {
  JourneyFixture f;
  f.make = [] { return NewPlacementSearch(); };
  const std::pair<std::string, Params> requested = {"ps.requested", {{"needs", "foster_care"}, {"urgency", "planned"}, {"with_siblings", "no"}}};
  f.paths["Searching"] = {requested};
  f.paths["AwaitingPanel"] = {requested, {"ps.match_proposed", {{"provider", "external"}}}};
  f.paths["Matched"] = {requested, {"ps.match_proposed", {{"provider", "internal"}}}};
  f.guard_params = {{"External", {{"provider", "external"}}}, {"Internal", {{"provider", "internal"}}},
                    {"Approved", {{"decision", "approved"}}}, {"Declined", {{"decision", "declined"}}}};
  f.action_params = {{"ps.requested", requested.second},
                     {"ps.referral_sent", {{"provider", "independent_fostering_agency"}}},
                     {"ps.match_proposed", {{"provider", "internal"}}},
                     {"ps.panel_decided", {{"decision", "approved"}}},
                     {"ps.match_fell_through", {{"reason", "provider_withdrew"}}},
                     {"ps.search_closed", {{"reason", "no_longer_needed"}}}};
  return f;
}

}  // namespace

TEST_CASE("placement search: every row can be taken", "[workflows][placement_search]") {
  CheckEveryRow(PlacementSearchFixture());
}
TEST_CASE("placement search: every action without a row is refused", "[workflows][placement_search]") {
  CHECK(CheckEveryRefusal(PlacementSearchFixture()) > 0);
}

TEST_CASE("placement search: an external match goes to the panel, which the placements team cannot decide",
          "[workflows][placement_search]") {
  auto j = PlacementSearchFixture().Reach("AwaitingPanel");
  Action own = Act(*j, "ps.panel_decided", "2026-04-01", {{"decision", "approved"}});
  own.role = "placements_officer";
  CHECK(j->Apply(own).rule == "forbidden_role");
  CHECK(j->Apply(Act(*j, "ps.panel_decided", "2026-04-01", {{"decision", "declined"}})).to_state == "Searching");
}

TEST_CASE("X-41: the placement recorded in child in care closes the search", "[workflows][case][placement_search]") {
  Case c;
  Do(c, A("case.child_registered", "2026-01-05", "social_worker", {{"date_of_birth", "2014-06-01"}}));
  Do(c, A("cic.became_looked_after", "2026-01-05", "social_worker", {{"legal_status", "s20"}}));
  Do(c, A("ps.requested", "2026-01-05", "social_worker", {{"needs", "foster_care"}, {"urgency", "emergency"}, {"with_siblings", "no"}}));
  Do(c, A("ps.match_proposed", "2026-01-06", "placements_officer", {{"provider", "internal"}}));
  CaseVerdict v = c.Apply(A("cic.placement_started", "2026-01-06", "social_worker", {{"placement", "foster_care"}, {"long_term", "no"}}));
  REQUIRE(v.accepted());
  CHECK(HasConsequence(v, "X-41"));
  CHECK(c.States().at("placement_search") == "NoSearch");
}
