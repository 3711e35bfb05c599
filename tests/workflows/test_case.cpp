// The cross-journey rules (docs/workflows/README.md): one test each.
#include "workflows/case.hpp"

#include <catch2/catch.hpp>

#include "tests/workflows/case_test_util.hpp"

using namespace casetrail::workflows;
using namespace casetrail::workflows::testing;

namespace {




void OnCpPlan(Case& c, const char* sd = "2026-01-05", const char* icpc = "2026-01-20") {
  Do(c, A("cp.strategy_discussion_held", sd, "team_manager", {{"outcome", "s47"}}));
  Do(c, A("cp.s47_concluded", sd, "social_worker", {{"outcome", "icpc"}}));
  Do(c, A("cp.icpc_held", icpc, "cp_chair", {{"outcome", "cp_plan"}, {"category", "neglect"}}));
}

void InPreProceedings(Case& c) {
  Do(c, A("plo.legal_planning_meeting_held", "2026-02-02", "legal", {{"decision", "pre_proceedings"}}));
  Do(c, A("plo.letter_before_proceedings_sent", "2026-02-04", "legal"));
  Do(c, A("plo.initial_meeting_held", "2026-02-12", "social_worker"));
}

}  // namespace

TEST_CASE("X-01: issuing care proceedings concludes pre-proceedings", "[workflows][case]") {
  Case c;
  InPreProceedings(c);
  CaseVerdict v = c.Apply(A("court.application_issued", "2026-05-01", "legal", {{"track", "standard"}}));
  REQUIRE(v.accepted());
  CHECK(HasConsequence(v, "X-01"));
  CHECK(c.States().at("pre_proceedings") == "NoPloInvolvement");
  CHECK(c.States().at("care_proceedings") == "Issued");
}

TEST_CASE("X-02: becoming looked after under a care order ends the CP plan", "[workflows][case]") {
  Case c;
  Do(c, A("case.child_registered", "2026-01-01", "social_worker", {{"date_of_birth", "2019-04-10"}}));
  OnCpPlan(c);
  CaseVerdict s20 = c.Apply(A("cic.became_looked_after", "2026-03-01", "social_worker", {{"legal_status", "s20"}}));
  REQUIRE(s20.accepted());
  CHECK_FALSE(HasConsequence(s20, "X-02"));  // accommodation under s20 leaves the plan in place
  CHECK(c.States().at("child_protection") == "OnCpPlan");
  CaseVerdict co = c.Apply(A("cic.legal_status_changed", "2026-06-01", "legal", {{"legal_status", "care_order"}}));
  REQUIRE(co.accepted());
  CHECK(HasConsequence(co, "X-02"));
  CHECK(c.States().at("child_protection") == "NoCpInvolvement");
}

TEST_CASE("X-03: a final care order becomes the looked-after legal status", "[workflows][case]") {
  Case c;
  Do(c, A("case.child_registered", "2026-01-01", "social_worker", {{"date_of_birth", "2019-04-10"}}));
  OnCpPlan(c);
  Do(c, A("court.application_issued", "2026-02-02", "legal", {{"track", "standard"}}));
  Do(c, A("cic.became_looked_after", "2026-02-03", "social_worker", {{"legal_status", "interim_care_order"}}));
  Do(c, A("court.hearing_held", "2026-02-20", "legal", {{"hearing", "case_management"}}));
  CaseVerdict v = c.Apply(A("court.final_order_made", "2026-07-20", "legal", {{"order", "care_order"}}));
  REQUIRE(v.accepted());
  CHECK(HasConsequence(v, "X-03"));
  CHECK(HasConsequence(v, "X-02"));  // ... which in turn ends the CP plan
  CHECK(c.States().at("child_protection") == "NoCpInvolvement");
  CHECK(c.States().at("care_proceedings") == "NoProceedings");
}

TEST_CASE("X-04: a CP plan replaces a child in need plan", "[workflows][case]") {
  Case c;
  Do(c, A("cin.plan_started", "2026-01-05", "social_worker"));
  OnCpPlan(c, "2026-02-02", "2026-02-16");
  CHECK(c.States().at("child_in_need") == "NoCinPlan");
}

TEST_CASE("X-05: becoming looked after ends a child in need plan", "[workflows][case]") {
  Case c;
  Do(c, A("case.child_registered", "2026-01-01", "social_worker", {{"date_of_birth", "2012-04-10"}}));
  Do(c, A("cin.plan_started", "2026-01-05", "social_worker"));
  CaseVerdict v = c.Apply(A("cic.became_looked_after", "2026-03-01", "social_worker", {{"legal_status", "s20"}}));
  REQUIRE(v.accepted());
  CHECK(HasConsequence(v, "X-05"));
  CHECK(c.States().at("child_in_need") == "NoCinPlan");
}

TEST_CASE("X-06, X-07, X-08: leaving-care status follows from care history", "[workflows][case]") {
  Case c;
  Do(c, A("case.child_registered", "2025-01-01", "social_worker", {{"date_of_birth", "2010-06-15"}}));
  Do(c, A("cic.became_looked_after", "2025-01-06", "social_worker", {{"legal_status", "s20"}}));  // aged 14
  Do(c, A("cic.placement_started", "2025-01-06", "social_worker", {{"placement", "foster_care"}, {"long_term", "no"}}));
  CaseVerdict before16 = c.Apply(A("cic.visit_held", "2026-06-14", "social_worker"));
  CHECK_FALSE(HasConsequence(before16, "X-06"));
  CaseVerdict at16 = c.Apply(A("cic.visit_held", "2026-06-15", "social_worker"));
  CHECK(HasConsequence(at16, "X-06"));
  CHECK(c.States().at("leaving_care") == "EligibleChild");
  CaseVerdict left = c.Apply(A("cic.ceased_looked_after", "2027-01-10", "team_manager", {{"reason", "moved_to_independence"}}));
  CHECK(HasConsequence(left, "X-07"));
  CHECK(c.States().at("leaving_care") == "RelevantChild");
  CaseVerdict adult = c.Apply(A("lc.pathway_plan_reviewed", "2028-06-15", "personal_adviser"));
  CHECK(HasConsequence(adult, "X-08"));
  CHECK(c.States().at("leaving_care") == "FormerRelevantChild");
}

TEST_CASE("X-06: 13 weeks looked after are needed, counted from the 14th birthday", "[workflows][case]") {
  Case c;
  Do(c, A("case.child_registered", "2026-01-01", "social_worker", {{"date_of_birth", "2010-06-15"}}));
  Do(c, A("cic.became_looked_after", "2026-05-01", "social_worker", {{"legal_status", "s20"}}));
  CHECK_FALSE(HasConsequence(c.Apply(A("cic.pep_held", "2026-07-30", "virtual_school")), "X-06"));  // 90 days
  CHECK(HasConsequence(c.Apply(A("cic.pep_held", "2026-07-31", "virtual_school")), "X-06"));        // 91 days
}

TEST_CASE("X-09: a re-referral within a month of closure is routed to the last team", "[workflows][case]") {
  Case c;
  Do(c, A("cin.plan_started", "2026-01-05", "social_worker"));
  CaseVerdict refused = c.Apply(A("case.closed", "2026-02-01", "team_manager", {{"team", "north-1"}}));
  CHECK(refused.verdict.rule == "case_open_journeys");
  CHECK_THAT(refused.verdict.reason, Catch::Contains("child_in_need"));
  Do(c, A("cin.plan_ended", "2026-02-01", "team_manager", {{"reason", "closure"}}));
  Do(c, A("case.closed", "2026-02-02", "team_manager", {{"team", "north-1"}}));
  CaseVerdict again = c.Apply(A("fd.contact_received", "2026-02-20", "cass_worker", {{"source", "school"}}));
  REQUIRE(again.accepted());
  REQUIRE(again.verdict.flags_raised.size() == 1);
  CHECK_THAT(again.verdict.flags_raised[0], Catch::Contains("north-1"));
  Case copy = c;  // a copy is independent of the original
  Do(copy, A("fd.decision_made", "2026-02-20", "cass_worker", {{"decision", "nfa"}}));
  CHECK(copy.States().at("front_door") == "NoOpenContact");
  CHECK(c.States().at("front_door") == "InTriage");
  Case d;
  Do(d, A("case.closed", "2026-01-02", "team_manager", {{"team", "south-2"}}));
  CHECK(d.Apply(A("fd.contact_received", "2026-02-03", "cass_worker", {{"source", "school"}})).verdict.flags_raised.empty());
}

TEST_CASE("X-10: a step-up within a month of a step-down returns to the previous worker", "[workflows][case]") {
  Case c;
  Do(c, A("eh.stepped_down_from_social_care", "2026-03-02", "team_manager",
          {{"cin_plan_completed", "yes"}, {"closure_summary", "yes"}, {"consent", "yes"}}));
  CaseVerdict up = c.Apply(A("eh.stepped_up", "2026-03-25", "early_help_worker", {{"manager_agreed", "yes"}, {"consent", "yes"}}));
  REQUIRE(up.accepted());
  REQUIRE(up.verdict.flags_raised.size() == 1);
  CHECK_THAT(up.verdict.flags_raised[0], Catch::Contains("T-21"));
}

TEST_CASE("X-12: an unborn child is not looked after until born, CP plans may start pre-birth",
          "[workflows][case]") {
  Case c;
  Do(c, A("case.child_registered", "2026-01-01", "social_worker", {{"unborn", "yes"}, {"expected_due_date", "2026-05-20"}}));
  CHECK(c.unborn());
  OnCpPlan(c, "2026-03-02", "2026-03-16");  // a pre-birth conference
  CaseVerdict refused = c.Apply(A("cic.became_looked_after", "2026-04-01", "social_worker", {{"legal_status", "s20"}}));
  CHECK(refused.verdict.rule == "unborn_child");
  Do(c, A("case.child_born", "2026-05-18", "social_worker", {{"date_of_birth", "2026-05-18"}}));
  Do(c, A("cic.became_looked_after", "2026-05-19", "social_worker", {{"legal_status", "emergency_protection_order"}}));
  CHECK(c.States().at("child_protection") == "OnCpPlan");
}

TEST_CASE("the case routes by prefix, refuses unknown actions and the system role", "[workflows][case]") {
  Case c;
  CHECK(c.Apply(A("zz.unknown", "2026-01-01", "social_worker")).verdict.rule == "unknown_action");
  CHECK(c.Apply(A("cp.plan_ended", "2026-01-01", "system", {{"reason", "x"}})).verdict.rule == "forbidden_role");
  CHECK(c.Apply(A("case.child_registered", "2026-01-01", "auditor", {{"date_of_birth", "2020-01-01"}})).verdict.rule ==
        "forbidden_role");
  CaseVerdict v = c.Apply(A("cp.icpc_held", "2026-01-01", "cp_chair", {{"outcome", "no_plan"}}));
  CHECK(v.journey == "child_protection");
  CHECK(v.verdict.rule == "no_transition");
  auto allowed = c.AllowedActions();
  CHECK(std::find(allowed.begin(), allowed.end(), "fd.contact_received") != allowed.end());
  CHECK(std::find(allowed.begin(), allowed.end(), "case.closed") != allowed.end());
  CHECK(c.ActiveJourneys().empty());
}

TEST_CASE("X-13: step-down to early help waits 3 months after a CP plan or a return home",
          "[workflows][case]") {
  const Params ok = {{"cin_plan_completed", "yes"}, {"closure_summary", "yes"}, {"consent", "yes"}};
  Case c;
  OnCpPlan(c);
  Do(c, A("cp.review_conference_held", "2026-04-15", "cp_chair", {{"outcome", "end"}}));
  Do(c, A("cin.plan_started", "2026-04-15", "social_worker"));
  Do(c, A("cin.plan_ended", "2026-06-01", "team_manager", {{"reason", "step_down_to_early_help"}}));
  CaseVerdict early = c.Apply(A("eh.stepped_down_from_social_care", "2026-06-01", "team_manager", ok));
  CHECK(early.verdict.rule == "step_down_too_soon");
  CHECK_THAT(early.verdict.reason, Catch::Contains("2026-07-16"));
  CHECK(c.States().at("early_help") == "NoEarlyHelp");
  CHECK(c.Apply(A("eh.stepped_down_from_social_care", "2026-07-16", "team_manager", ok)).accepted());

  Case home;
  Do(home, A("case.child_registered", "2026-01-01", "social_worker", {{"date_of_birth", "2015-01-01"}}));
  Do(home, A("cic.became_looked_after", "2026-01-05", "social_worker", {{"legal_status", "s20"}}));
  Do(home, A("cic.ceased_looked_after", "2026-03-02", "team_manager", {{"reason", "returned_home"}}));
  CHECK(home.Apply(A("eh.stepped_down_from_social_care", "2026-05-01", "team_manager", ok)).verdict.rule ==
        "step_down_too_soon");
}

TEST_CASE("auditors and people without a role never write", "[workflows][case]") {
  for (const char* role : {"auditor", "subscriber_service", ""}) {
    Case c;
    for (const auto& name : c.AllowedActions()) {
      Action a = A(name, "2026-01-05", role);
      CaseVerdict v = c.Apply(a);
      INFO(role << " " << name);
      CHECK(v.verdict.rule == "forbidden_role");
    }
  }
}

TEST_CASE("T-45: the final review before the 18th birthday is held in its last 6 months", "[workflows][case]") {
  Case c;
  Do(c, A("case.child_registered", "2026-01-01", "social_worker", {{"date_of_birth", "2009-02-28"}}));
  CaseVerdict start = c.Apply(A("cic.became_looked_after", "2026-01-05", "social_worker", {{"legal_status", "care_order"}}));
  REQUIRE(start.accepted());
  bool scheduled = false;
  for (const auto& d : start.verdict.deadlines) {
    scheduled |= d.deadline.rule_id == "T-45" && d.deadline.due_date.ToString() == "2027-02-27";
  }
  CHECK(scheduled);
  auto has_t45 = [&] {
    for (const auto& d : c.OpenDeadlines()) if (d.rule_id == "T-45") return true;
    return false;
  };
  Do(c, A("cic.review_held", "2026-01-30", "iro"));
  CHECK(has_t45());  // too early to be the final review
  CaseVerdict last = c.Apply(A("cic.review_held", "2026-09-15", "iro"));
  REQUIRE(last.accepted());
  CHECK_FALSE(has_t45());
}

TEST_CASE("X-14: staying put ends at 21, care-leaver support at 25", "[workflows][case]") {
  Case c;
  Do(c, A("case.child_registered", "2024-01-01", "social_worker", {{"date_of_birth", "2008-01-10"}}));
  Do(c, A("cic.became_looked_after", "2024-01-08", "social_worker", {{"legal_status", "care_order"}}));
  Do(c, A("cic.pep_held", "2024-06-01", "virtual_school"));  // 16 and 13 weeks: eligible
  REQUIRE(c.States().at("leaving_care") == "EligibleChild");
  Do(c, A("lc.pathway_plan_agreed", "2024-07-01", "social_worker"));
  Do(c, A("cic.ceased_looked_after", "2026-01-10", "team_manager", {{"reason", "turned_18"}}));
  REQUIRE(c.States().at("leaving_care") == "FormerRelevantChild");
  Do(c, A("lc.staying_put_started", "2026-01-10", "personal_adviser"));
  CaseVerdict late = c.Apply(A("lc.staying_put_started", "2029-01-10", "personal_adviser"));
  CHECK(late.verdict.rule == "age_limit");
  CHECK_THAT(late.verdict.reason, Catch::Contains("21"));
  Do(c, A("lc.keeping_in_touch", "2032-06-01", "personal_adviser"));  // 24: still supported
  CaseVerdict past = c.Apply(A("lc.keeping_in_touch", "2033-01-10", "personal_adviser"));
  CHECK(past.verdict.rule == "age_limit");
  CHECK_THAT(past.verdict.reason, Catch::Contains("25"));
}
