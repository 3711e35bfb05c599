// Front door, assessment and child in need: every row, every refusal, and their timescales.
#include "tests/workflows/journey_test_util.hpp"

using namespace casetrail::workflows;
using namespace casetrail::workflows::testing;

namespace {

JourneyFixture FrontDoorFixture() {
  JourneyFixture f;
  f.make = [] { return NewFrontDoor(); };
  const std::pair<std::string, Params> contact = {"fd.contact_received", {{"source", "school"}}};
  f.paths["InTriage"] = {contact};
  f.paths["AwaitingConsent"] = {contact, {"fd.consent_requested", {}}};
  f.paths["AwaitingInformation"] = {contact, {"fd.further_information_requested", {}}};
  f.paths["MashInformationSharing"] = {contact, {"fd.mash_check_requested", {}}};
  f.paths["EdtEpisode"] = {{"fd.edt_episode_opened", {}}};
  f.guard_params = {{"HandedToCass", {{"to", "cass"}}}, {"HandedToAllocatedWorker", {{"to", "allocated_worker"}}}};
  f.action_params = {{"fd.contact_received", {{"source", "police"}}},
                     {"fd.decision_made", {{"decision", "assessment"}}},
                     {"fd.edt_handed_over", {{"to", "cass"}}}};
  return f;
}

JourneyFixture AssessmentFixture() {
  JourneyFixture f;
  f.make = [] { return NewAssessment(); };
  const std::pair<std::string, Params> start = {"as.assessment_started", {{"referred_on", "2026-02-27"}}};
  f.paths["InAssessment"] = {start};
  f.paths["AwaitingAuthorisation"] = {start, {"as.assessment_completed", {}}};
  f.action_params = {{"as.assessment_started", {{"referred_on", "2026-02-27"}}},
                     {"as.assessment_authorised", {{"outcome", "child_in_need_plan"}}},
                     {"as.assessment_returned", {{"reason", "analysis missing"}}},
                     {"as.assessment_ended_early", {{"reason", "family moved away"}}}};
  return f;
}

JourneyFixture ChildInNeedFixture() {
  JourneyFixture f;
  f.make = [] { return NewChildInNeed(); };
  f.paths["OnCinPlan"] = {{"cin.plan_started", {}}};
  f.action_params = {{"cin.plan_ended", {{"reason", "step_down_to_early_help"}}}};
  return f;
}

}  // namespace

TEST_CASE("front door: every row can be taken", "[workflows][front_door]") { CheckEveryRow(FrontDoorFixture()); }
TEST_CASE("front door: every action without a row is refused", "[workflows][front_door]") {
  CHECK(CheckEveryRefusal(FrontDoorFixture()) == 6 * 12 - 15);  // 15 (state, action) pairs have rows
}

TEST_CASE("front door: a decision is due the next working day", "[workflows][front_door]") {
  auto j = NewFrontDoor();
  Action contact = Act(*j, "fd.contact_received", "2026-11-27", {{"source", "police"}});
  contact.occurred_at_us = At("2026-11-27", 18);  // Friday evening
  Verdict v = j->Apply(contact);
  REQUIRE(v.accepted);
  CHECK(v.deadlines.at(0).deadline.rule_id == "T-01");
  CHECK(v.deadlines.at(0).deadline.due_date.ToString() == "2026-11-30");  // Monday
  auto late = j->Clone();
  Verdict on_time = j->Apply(Act(*j, "fd.decision_made", "2026-11-30", {{"decision", "early_help"}}));
  REQUIRE(on_time.accepted);
  CHECK(on_time.deadlines.at(0).kind == DeadlineEffect::Kind::kMet);
  Verdict tuesday = late->Apply(Act(*late, "fd.decision_made", "2026-12-01", {{"decision", "nfa"}}));
  REQUIRE(tuesday.accepted);
  CHECK(tuesday.deadlines.at(0).kind == DeadlineEffect::Kind::kMetLate);
  // An unknown decision is refused with the allowed ones named.
  auto k = NewFrontDoor();
  REQUIRE(k->Apply(contact).accepted);
  Verdict bad = k->Apply(Act(*k, "fd.decision_made", "2026-11-30", {{"decision", "maybe"}}));
  CHECK(bad.rule == "invalid_parameter");
  CHECK_THAT(bad.reason, Catch::Contains("assessment"));
}

TEST_CASE("front door: significant harm goes to a strategy discussion from any triage state",
          "[workflows][front_door]") {
  for (const char* state : {"InTriage", "AwaitingConsent", "AwaitingInformation", "MashInformationSharing"}) {
    auto j = FrontDoorFixture().Reach(state);
    Verdict v = j->Apply(Act(*j, "fd.significant_harm_identified", "2026-03-10"));
    INFO(state);
    CHECK(v.accepted);
    CHECK(j->State() == "NoOpenContact");
  }
}

TEST_CASE("assessment: every row can be taken", "[workflows][assessment]") { CheckEveryRow(AssessmentFixture()); }
TEST_CASE("assessment: every action without a row is refused", "[workflows][assessment]") {
  CHECK(CheckEveryRefusal(AssessmentFixture()) == 3 * 5 - 5);
}

TEST_CASE("assessment: 45 working days from the referral, authorised by a manager",
          "[workflows][assessment]") {
  auto j = NewAssessment();
  CHECK(j->Apply(Act(*j, "as.assessment_started", "2026-11-25", {{"referred_on", "2026-11-31"}})).rule ==
        "invalid_parameter");
  CHECK(j->Apply(Act(*j, "as.assessment_started", "2026-11-25", {{"referred_on", "2026-11-26"}})).rule ==
        "invalid_parameter");  // referred after the start
  Verdict start = j->Apply(Act(*j, "as.assessment_started", "2026-11-25", {{"referred_on", "2026-11-23"}}));
  REQUIRE(start.accepted);
  CHECK(start.deadlines.at(0).deadline.due_date.ToString() == "2027-01-28");
  REQUIRE(j->Apply(Act(*j, "as.assessment_completed", "2027-01-20")).accepted);
  Action auth = Act(*j, "as.assessment_authorised", "2027-01-28", {{"outcome", "child_in_need_plan"}});
  auth.role = "social_worker";
  CHECK(j->Apply(auth).rule == "forbidden_role");
  REQUIRE(j->Apply(Act(*j, "as.assessment_returned", "2027-01-21", {{"reason", "no analysis"}})).accepted);
  CHECK(j->State() == "InAssessment");
  REQUIRE(j->Apply(Act(*j, "as.assessment_completed", "2027-01-26")).accepted);
  Verdict done = j->Apply(Act(*j, "as.assessment_authorised", "2027-01-28", {{"outcome", "child_in_need_plan"}}));
  REQUIRE(done.accepted);
  CHECK(done.deadlines.at(0).kind == DeadlineEffect::Kind::kMet);
}

TEST_CASE("child in need: every row can be taken", "[workflows][cin]") { CheckEveryRow(ChildInNeedFixture()); }
TEST_CASE("child in need: every action without a row is refused", "[workflows][cin]") {
  CHECK(CheckEveryRefusal(ChildInNeedFixture()) == 2 * 5 - 5);
}

TEST_CASE("child in need: visits at most six weeks apart", "[workflows][cin]") {
  auto j = NewChildInNeed();
  REQUIRE(j->Apply(Act(*j, "cin.plan_started", "2026-01-05")).accepted);
  Verdict v1 = j->Apply(Act(*j, "cin.visit_held", "2026-02-16"));  // exactly 6 weeks
  REQUIRE(v1.accepted);
  CHECK(v1.deadlines.at(0).kind == DeadlineEffect::Kind::kMet);
  Verdict v2 = j->Apply(Act(*j, "cin.visit_held", "2026-04-01"));  // 6 weeks 2 days
  REQUIRE(v2.accepted);
  CHECK(v2.deadlines.at(0).kind == DeadlineEffect::Kind::kMetLate);
  Action end = Act(*j, "cin.plan_ended", "2026-06-01", {{"reason", "closure"}});
  end.role = "social_worker";
  CHECK(j->Apply(end).rule == "forbidden_role");  // step-down and closure need a manager
  end.role = "team_manager";
  REQUIRE(j->Apply(end).accepted);
  CHECK(j->OpenDeadlines().empty());
}
