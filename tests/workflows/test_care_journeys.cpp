// Child in care and leaving care: every row, every refusal, reviews, visits and permanence.
#include "tests/workflows/journey_test_util.hpp"

using namespace casetrail::workflows;
using namespace casetrail::workflows::testing;

namespace {

const Params kPlacement = {{"placement", "foster_care"}, {"long_term", "no"}};

JourneyFixture ChildInCareFixture() {
  JourneyFixture f;
  f.make = [] { return NewChildInCare(); };
  const std::pair<std::string, Params> start = {"cic.became_looked_after", {{"legal_status", "s20"}}};
  f.paths["LookedAfter"] = {start};
  f.paths["Placed"] = {start, {"cic.placement_started", kPlacement}};
  f.paths["MissingFromPlacement"] = {start, {"cic.placement_started", kPlacement}, {"cic.went_missing", {}}};
  f.action_params = {{"cic.became_looked_after", {{"legal_status", "interim_care_order"}}},
                     {"cic.legal_status_changed", {{"legal_status", "care_order"}}},
                     {"cic.placement_started", kPlacement},
                     {"cic.placement_changed", {{"placement", "residential"}, {"long_term", "no"}, {"reason", "breakdown"}}},
                     {"cic.placement_ended", {{"reason", "moved"}}},
                     {"cic.permanence_plan_agreed", {{"plan", "adoption"}}},
                     {"cic.ceased_looked_after", {{"reason", "returned_home"}}}};
  return f;
}

JourneyFixture LeavingCareFixture() {
  JourneyFixture f;
  f.make = [] { return NewLeavingCare(); };
  f.paths["EligibleChild"] = {{"lc.became_eligible", {}}};
  f.paths["RelevantChild"] = {{"lc.became_eligible", {}}, {"lc.left_care", {}}};
  f.paths["FormerRelevantChild"] = {{"lc.became_eligible", {}}, {"lc.turned_18", {}}};
  f.action_params = {{"lc.support_ended", {{"reason", "reached_21"}}}};
  return f;
}

}  // namespace

TEST_CASE("child in care: every row can be taken", "[workflows][cic]") { CheckEveryRow(ChildInCareFixture()); }
TEST_CASE("child in care: every action without a row is refused", "[workflows][cic]") {
  CHECK(CheckEveryRefusal(ChildInCareFixture()) == 4 * 15 - 23);  // 23 (state, action) pairs have rows
}

TEST_CASE("child in care: IRO within 72 hours and reviews at 20 working days, 3 and 6 months",
          "[workflows][cic]") {
  auto j = NewChildInCare();
  Verdict start = j->Apply(Act(*j, "cic.became_looked_after", "2026-12-21", {{"legal_status", "police_protection"}}));
  REQUIRE(start.accepted);
  REQUIRE(start.deadlines.size() == 3);
  CHECK(start.deadlines[0].deadline.rule_id == "T-40");
  CHECK(start.deadlines[1].deadline.due_date.ToString() == "2027-01-21");  // 20 working days
  // Care starts in the last 4 weeks of the autumn term: the first PEP is due next term.
  CHECK(start.deadlines[2].deadline.rule_id == "T-48");
  CHECK(start.deadlines[2].deadline.due_date.ToString() == "2027-03-31");
  Action review = Act(*j, "cic.review_held", "2027-01-20");
  review.role = "social_worker";
  CHECK(j->Apply(review).rule == "forbidden_role");  // only an IRO records a review
  REQUIRE(j->Apply(Act(*j, "cic.review_held", "2027-01-20")).accepted);
  Verdict second = j->Apply(Act(*j, "cic.review_held", "2027-04-20"));
  REQUIRE(second.accepted);
  CHECK(second.deadlines.at(0).kind == DeadlineEffect::Kind::kMet);  // within 3 months
  REQUIRE(second.flags_raised.size() == 1);
  CHECK_THAT(second.flags_raised[0], Catch::Contains("T-42"));
  bool six_monthly = false;
  for (const auto& d : j->OpenDeadlines()) six_monthly |= d.rule_id == "N-14" && d.due_date.ToString() == "2027-10-20";
  CHECK(six_monthly);
}

TEST_CASE("child in care: a permanence plan before the second review raises no flag", "[workflows][cic]") {
  auto j = NewChildInCare();
  REQUIRE(j->Apply(Act(*j, "cic.became_looked_after", "2026-01-05", {{"legal_status", "care_order"}})).accepted);
  REQUIRE(j->Apply(Act(*j, "cic.review_held", "2026-01-30")).accepted);
  REQUIRE(j->Apply(Act(*j, "cic.permanence_plan_agreed", "2026-03-01", {{"plan", "long_term_foster_care"}})).accepted);
  CHECK(j->Apply(Act(*j, "cic.review_held", "2026-04-28")).flags_raised.empty());
}

TEST_CASE("child in care: visits within a week of placement, then 6 weeks or 3 months", "[workflows][cic]") {
  auto j = NewChildInCare();
  REQUIRE(j->Apply(Act(*j, "cic.became_looked_after", "2026-01-05", {{"legal_status", "s20"}})).accepted);
  Verdict placed = j->Apply(Act(*j, "cic.placement_started", "2026-01-05", kPlacement));
  REQUIRE(placed.accepted);
  CHECK(placed.deadlines.at(0).deadline.due_date.ToString() == "2026-01-12");
  Verdict first = j->Apply(Act(*j, "cic.visit_held", "2026-01-13"));
  CHECK(first.deadlines.at(0).kind == DeadlineEffect::Kind::kMetLate);
  CHECK(first.deadlines.at(1).deadline.rule_id == "N-19b");
  Verdict moved = j->Apply(Act(*j, "cic.placement_changed", "2026-02-02",
                               {{"placement", "foster_care"}, {"long_term", "yes"}, {"reason", "matched"}}));
  REQUIRE(moved.accepted);
  REQUIRE(j->Apply(Act(*j, "cic.visit_held", "2026-02-05")).accepted);
  bool quarterly = false;
  for (const auto& d : j->OpenDeadlines()) quarterly |= d.rule_id == "N-19c" && d.due_date.ToString() == "2026-05-05";
  CHECK(quarterly);
}

TEST_CASE("child in care: a PEP each term", "[workflows][cic]") {
  auto j = NewChildInCare();
  Verdict start = j->Apply(Act(*j, "cic.became_looked_after", "2026-09-14", {{"legal_status", "s20"}}));
  CHECK(start.deadlines.at(2).deadline.due_date.ToString() == "2026-12-31");  // this term
  Verdict pep = j->Apply(Act(*j, "cic.pep_held", "2026-10-12"));
  REQUIRE(pep.accepted);
  CHECK(pep.deadlines.at(0).kind == DeadlineEffect::Kind::kMet);
  CHECK(pep.deadlines.at(1).deadline.due_date.ToString() == "2027-03-31");  // next term
  CHECK(SchoolTermEnd(std::move(Date::Parse("2027-08-10", "d")).value()).ToString() == "2027-12-31");
}

TEST_CASE("child in care: a missing episode needs a return interview", "[workflows][cic]") {
  auto j = ChildInCareFixture().Reach("MissingFromPlacement");
  CHECK(j->Apply(Act(*j, "cic.visit_held", "2026-04-01")).rule == "no_transition");
  Verdict back = j->Apply(Act(*j, "cic.returned_from_missing", "2026-04-02"));
  REQUIRE(back.accepted);
  CHECK(back.deadlines.at(0).deadline.rule_id == "T-4A");
  Verdict interview = j->Apply(Act(*j, "cic.return_interview_held", "2026-04-06"));
  CHECK(interview.deadlines.at(0).kind == DeadlineEffect::Kind::kMetLate);
}

TEST_CASE("leaving care: every row can be taken", "[workflows][leaving_care]") { CheckEveryRow(LeavingCareFixture()); }
TEST_CASE("leaving care: every action without a row is refused", "[workflows][leaving_care]") {
  CHECK(CheckEveryRefusal(LeavingCareFixture()) == 4 * 10 - 17);
}

TEST_CASE("leaving care: needs assessment within 3 months, pathway reviews 6-monthly",
          "[workflows][leaving_care]") {
  auto j = NewLeavingCare();
  Verdict e = j->Apply(Act(*j, "lc.became_eligible", "2026-05-31"));
  REQUIRE(e.accepted);
  CHECK(e.deadlines.at(0).deadline.due_date.ToString() == "2026-08-31");
  REQUIRE(j->Apply(Act(*j, "lc.pathway_plan_agreed", "2026-07-01")).accepted);
  Verdict late = j->Apply(Act(*j, "lc.pathway_plan_reviewed", "2027-01-05"));
  CHECK(late.deadlines.at(0).kind == DeadlineEffect::Kind::kMetLate);
  REQUIRE(j->Apply(Act(*j, "lc.turned_18", "2027-03-01")).accepted);
  CHECK(j->State() == "FormerRelevantChild");
  CHECK(j->Apply(Act(*j, "lc.left_care", "2027-03-02")).rule == "no_transition");
}
