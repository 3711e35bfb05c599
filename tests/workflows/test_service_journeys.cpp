// Missing and exploitation, NRPF, homeless 16-17 year olds, disabled children and interventions:
// every row, every refusal, the timescales, and the cross-journey rules.
#include "tests/workflows/case_test_util.hpp"

using namespace casetrail::workflows;
using namespace casetrail::workflows::testing;

namespace {




const Params kHighRisk = {{"risk", "high"}, {"type", "criminal_exploitation"}};

JourneyFixture MissingFixture() {
  JourneyFixture f;
  f.make = [] { return NewMissingExploitation(); };
  f.paths["Missing"] = {{"mx.went_missing", {}}};
  f.paths["AtRiskOfExploitation"] = {{"mx.exploitation_screened", kHighRisk}};
  f.guard_paths["WasAtRisk"] = {{"mx.exploitation_screened", kHighRisk}, {"mx.went_missing", {}}};
  f.guard_params = {{"RiskIdentified(risk medium or high)", {{"risk", "medium"}, {"type", "sexual_exploitation"}}},
                    {"NoRiskIdentified(risk none or low)", {{"risk", "low"}, {"type", "none"}}}};
  f.action_params = {{"mx.return_interview_held", {{"outcome", "completed"}}},
                     {"mx.exploitation_screened", {{"risk", "none"}, {"type", "none"}}}};
  return f;
}

JourneyFixture NrpfFixture() {
  JourneyFixture f;
  f.make = [] { return NewNrpf(); };
  const std::pair<std::string, Params> referral = {"nrpf.referral_received", {}};
  const std::pair<std::string, Params> destitute = {"nrpf.destitution_checked", {{"outcome", "destitute"}}};
  f.paths["FamilyAssessment"] = {referral};
  f.paths["SupportedUnderS17"] = {referral, destitute, {"nrpf.support_started", {{"support", "subsistence"}}}};
  f.guard_paths["DestitutionVerified(SG:306: the family is destitute)"] = {referral, destitute};
  f.action_params = {{"nrpf.destitution_checked", {{"outcome", "not_destitute"}}},
                     {"nrpf.support_started", {{"support", "subsistence_and_accommodation"}}},
                     {"nrpf.human_rights_assessment_completed", {{"outcome", "support_continues"}}},
                     {"nrpf.support_ended", {{"reason", "immigration_status_changed"}}},
                     {"nrpf.assessment_ended", {{"reason", "not_destitute"}}}};
  return f;
}

JourneyFixture HomelessFixture() {
  JourneyFixture f;
  f.make = [] { return NewHomeless1617(); };
  const std::pair<std::string, Params> presented = {"hl.presented", {{"referred_by", "st_basils"}}};
  f.paths["PresentedHomeless"] = {presented};
  f.paths["InNeedOfAccommodation"] = {presented, {"hl.assessed", {{"outcome", "in_need_due_to_accommodation"}}}};
  f.guard_params = {{"InNeedDueToAccommodation", {{"outcome", "in_need_due_to_accommodation"}}},
                    {"NotInNeed", {{"outcome", "not_in_need"}}}};
  f.action_params = {{"hl.presented", {{"referred_by", "self"}}},
                     {"hl.assessed", {{"outcome", "not_in_need"}}},
                     {"hl.outcome_agreed", {{"route", "mediation_return_home"}}}};
  return f;
}

JourneyFixture DisabledFixture() {
  JourneyFixture f;
  f.make = [] { return NewDisabledChildren(); };
  f.paths["DisabilityAssessment"] = {{"cwd.referral_received", {}}};
  f.paths["PackageOfCare"] = {{"cwd.referral_received", {}}, {"cwd.assessment_completed", {{"outcome", "package_of_care"}}}};
  f.guard_params = {{"PackageOfCareNeeded", {{"outcome", "package_of_care"}}},
                    {"OtherOutcome(child in need, child protection, looked after or no service)", {{"outcome", "child_in_need"}}}};
  f.action_params = {{"cwd.assessment_completed", {{"outcome", "no_service"}}},
                     {"cwd.short_breaks_decided", {{"decision", "approved"}, {"route", "panel"}}},
                     {"cwd.service_ended", {{"reason", "needs_met"}}}};
  return f;
}

JourneyFixture InterventionsFixture() {
  JourneyFixture f;
  f.make = [] { return NewInterventions(); };
  const std::pair<std::string, Params> mst = {"iv.referred", {{"service", "multi_systemic_therapy"}}};
  const std::pair<std::string, Params> fgc = {"iv.referred", {{"service", "family_group_conference"}}};
  const std::pair<std::string, Params> accept = {"iv.accepted", {{"service", "multi_systemic_therapy"}}};
  f.paths["InterventionsOpen"] = {mst};
  f.guard_paths["ReferredOthersOpen(the service is referred, another is open)"] = {mst, fgc};
  f.guard_paths["ActiveLast(the service is active, no other is open)"] = {mst, accept};
  f.guard_paths["ActiveOthersOpen(the service is active, another is open)"] = {mst, accept, fgc};
  f.guard_paths["IsActive(the service is active)"] = {mst, accept};
  const Params ended = {{"service", "multi_systemic_therapy"}, {"outcome", "goals_met"}};
  const Params declined = {{"service", "multi_systemic_therapy"}, {"reason", "family_declined"}};
  f.guard_params = {{"NotOpen(the service is not already open)", {{"service", "family_group_conference"}}},
                    {"IsReferred(the service is referred)", {{"service", "multi_systemic_therapy"}}},
                    {"ReferredLast(the service is referred, no other is open)", declined},
                    {"ReferredOthersOpen(the service is referred, another is open)", declined},
                    {"IsActive(the service is active)", {{"service", "multi_systemic_therapy"}}},
                    {"ActiveLast(the service is active, no other is open)", ended},
                    {"ActiveOthersOpen(the service is active, another is open)", ended}};
  f.action_params = {{"iv.referred", {{"service", "tess"}}},
                     {"iv.accepted", {{"service", "tess"}}},
                     {"iv.declined", {{"service", "tess"}, {"reason", "no_capacity"}}},
                     {"iv.reviewed", {{"service", "tess"}}},
                     {"iv.ended", {{"service", "tess"}, {"outcome", "goals_met"}}}};
  return f;
}

}  // namespace

TEST_CASE("missing and exploitation: every row can be taken", "[workflows][missing]") { CheckEveryRow(MissingFixture()); }
TEST_CASE("missing and exploitation: every action without a row is refused", "[workflows][missing]") {
  CHECK(CheckEveryRefusal(MissingFixture()) == 3 * 6 - 9);
}
TEST_CASE("nrpf: every row can be taken", "[workflows][nrpf]") { CheckEveryRow(NrpfFixture()); }
TEST_CASE("nrpf: every action without a row is refused", "[workflows][nrpf]") {
  CHECK(CheckEveryRefusal(NrpfFixture()) == 3 * 7 - 7);
}
TEST_CASE("homeless 16-17: every row can be taken", "[workflows][homeless]") { CheckEveryRow(HomelessFixture()); }
TEST_CASE("homeless 16-17: every action without a row is refused", "[workflows][homeless]") {
  CHECK(CheckEveryRefusal(HomelessFixture()) == 3 * 4 - 4);
}
TEST_CASE("disabled children: every row can be taken", "[workflows][disabled]") { CheckEveryRow(DisabledFixture()); }
TEST_CASE("disabled children: every action without a row is refused", "[workflows][disabled]") {
  CHECK(CheckEveryRefusal(DisabledFixture()) == 3 * 7 - 9);
}
TEST_CASE("interventions: every row can be taken", "[workflows][interventions]") { CheckEveryRow(InterventionsFixture()); }
TEST_CASE("interventions: every action without a row is refused", "[workflows][interventions]") {
  CHECK(CheckEveryRefusal(InterventionsFixture()) == 2 * 5 - 6);
}

TEST_CASE("missing: T-4A a return interview within 72 hours of each return, the risk kept across an episode",
          "[workflows][missing]") {
  auto j = NewMissingExploitation();
  REQUIRE(j->Apply(Act(*j, "mx.exploitation_screened", "2026-03-02", kHighRisk)).accepted);
  REQUIRE(j->Apply(Act(*j, "mx.went_missing", "2026-03-05")).accepted);
  Verdict back = j->Apply(Act(*j, "mx.returned", "2026-03-06"));  // at 10:00
  REQUIRE(back.accepted);
  CHECK(j->State() == "AtRiskOfExploitation");
  REQUIRE(back.deadlines.size() == 1);
  CHECK(back.deadlines[0].deadline.rule_id == "T-4A");
  CHECK(back.deadlines[0].deadline.due_by_us == At("2026-03-09"));  // 72 hours later, 10:00
  Verdict late = j->Apply(Act(*j, "mx.return_interview_held", "2026-03-10", {{"outcome", "completed"}}));
  CHECK(late.deadlines.at(0).kind == DeadlineEffect::Kind::kMetLate);
}

TEST_CASE("nrpf: support only for a family found destitute, then reviewed every 3 months (T-13)", "[workflows][nrpf]") {
  auto j = NrpfFixture().Reach("FamilyAssessment");
  Verdict early = j->Apply(Act(*j, "nrpf.support_started", "2026-03-10", {{"support", "subsistence"}}));
  CHECK(early.rule == "guard_failed");
  CHECK_THAT(early.reason, Catch::Contains("DestitutionVerified"));
  REQUIRE(j->Apply(Act(*j, "nrpf.destitution_checked", "2026-03-11", {{"outcome", "destitute"}})).accepted);
  Verdict v = j->Apply(Act(*j, "nrpf.support_started", "2026-03-12", {{"support", "accommodation"}}));
  REQUIRE(v.accepted);
  CHECK(v.deadlines.at(0).deadline.rule_id == "T-13");
  CHECK(v.deadlines.at(0).deadline.due_date.ToString() == "2026-06-12");
}

TEST_CASE("disabled children: EHCP social care advice within 6 weeks of the request (N-EHC)", "[workflows][disabled]") {
  auto j = DisabledFixture().Reach("PackageOfCare");
  Verdict v = j->Apply(Act(*j, "cwd.ehcp_advice_requested", "2026-04-01"));
  REQUIRE(v.accepted);
  CHECK(v.deadlines.at(0).deadline.rule_id == "N-EHC");
  CHECK(v.deadlines.at(0).deadline.due_date.ToString() == "2026-05-13");
}

TEST_CASE("interventions: several services at once, each with its own timescale (T-110, T-111)", "[workflows][interventions]") {
  auto j = NewInterventions();
  REQUIRE(j->Apply(Act(*j, "iv.referred", "2026-03-02", {{"service", "multi_systemic_therapy"}})).accepted);
  REQUIRE(j->Apply(Act(*j, "iv.referred", "2026-03-02", {{"service", "families_together_plus"}})).accepted);
  Verdict twice = j->Apply(Act(*j, "iv.referred", "2026-03-03", {{"service", "families_together_plus"}}));
  CHECK(twice.rule == "guard_failed");
  CHECK_THAT(twice.reason, Catch::Contains("NotOpen"));
  Verdict mst = j->Apply(Act(*j, "iv.accepted", "2026-03-09", {{"service", "multi_systemic_therapy"}}));
  CHECK(mst.deadlines.at(0).deadline.rule_id == "T-111");
  CHECK(mst.deadlines.at(0).deadline.due_date.ToString() == "2026-07-27");  // 20 weeks
  Verdict ft = j->Apply(Act(*j, "iv.accepted", "2026-03-09", {{"service", "families_together_plus"}}));
  CHECK(ft.deadlines.at(0).deadline.due_date.ToString() == "2026-06-01");  // 12 weeks
  CHECK(j->OpenDeadlines().size() == 2);
  Verdict not_active = j->Apply(Act(*j, "iv.reviewed", "2026-03-10", {{"service", "tess"}}));
  CHECK(not_active.rule == "guard_failed");
  REQUIRE(j->Apply(Act(*j, "iv.ended", "2026-05-01", {{"service", "families_together_plus"}, {"outcome", "goals_met"}})).accepted);
  CHECK(j->State() == "InterventionsOpen");
  REQUIRE(j->Apply(Act(*j, "iv.ended", "2026-07-01", {{"service", "multi_systemic_therapy"}, {"outcome", "goals_partly_met"}})).accepted);
  CHECK(j->State() == "NoIntervention");
  CHECK(j->OpenDeadlines().empty());
  // A saved journey keeps its services.
  auto k = NewInterventions();
  REQUIRE(k->Apply(Act(*k, "iv.referred", "2026-03-02", {{"service", "tess"}})).accepted);
  auto copy = NewInterventions();
  REQUIRE(copy->Load(k->Save()).ok());
  CHECK(copy->Apply(Act(*copy, "iv.accepted", "2026-03-03", {{"service", "tess"}})).accepted);
}

TEST_CASE("X-33: a looked-after child's missing episode is recorded in child in care", "[workflows][case][missing]") {
  Case c;
  Do(c, A("cic.became_looked_after", "2026-01-05", "social_worker", {{"legal_status", "s20"}}));
  CaseVerdict v = c.Apply(A("mx.went_missing", "2026-02-02", "social_worker"));
  CHECK(v.verdict.rule == "looked_after");
  CHECK_THAT(v.verdict.reason, Catch::Contains("cic.went_missing"));
}

TEST_CASE("X-35, X-34: the housing protocol is for 16 and 17 year olds, who may be accommodated", "[workflows][case][homeless]") {
  Case c;
  Do(c, A("case.child_registered", "2026-01-05", "social_worker", {{"date_of_birth", "2010-06-01"}}));
  CaseVerdict young = c.Apply(A("hl.presented", "2026-01-05", "social_worker", {{"referred_by", "self"}}));
  CHECK(young.verdict.rule == "age_limit");
  CHECK_THAT(young.verdict.reason, Catch::Contains("T-93") && Catch::Contains("is 15"));
  Do(c, A("hl.presented", "2026-06-01", "social_worker", {{"referred_by", "housing_service"}}));
  Do(c, A("hl.assessed", "2026-06-02", "social_worker", {{"outcome", "in_need_due_to_accommodation"}}));
  CaseVerdict v = c.Apply(A("hl.outcome_agreed", "2026-06-03", "team_manager", {{"route", "accommodated_s20"}}));
  REQUIRE(v.accepted());
  CHECK(HasConsequence(v, "X-34"));
  CHECK(c.States().at("child_in_care") == "LookedAfter");
  CHECK(c.States().at("homeless_16_17") == "NotHomeless");
}

TEST_CASE("X-36, X-37: the disabled children's service is for children, ending at 18", "[workflows][case][disabled]") {
  Case adult;
  Do(adult, A("case.child_registered", "2026-01-05", "social_worker", {{"date_of_birth", "2007-06-01"}}));
  CHECK(adult.Apply(A("cwd.referral_received", "2026-01-05", "social_worker")).verdict.rule == "age_limit");
  Case c;
  Do(c, A("case.child_registered", "2026-01-05", "social_worker", {{"date_of_birth", "2008-06-01"}}));
  Do(c, A("cwd.referral_received", "2026-01-05", "social_worker"));
  Do(c, A("cwd.assessment_completed", "2026-02-05", "social_worker", {{"outcome", "package_of_care"}}));
  CaseVerdict v = c.Apply(A("case.age_reached", "2026-06-01", "system", {{"age", "18"}}));
  REQUIRE(v.accepted());
  CHECK(HasConsequence(v, "X-37"));
  CHECK(c.States().at("disabled_children") == "NotKnownToService");
}
