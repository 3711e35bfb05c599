// Early help and transfers: every row, every refusal, and guards that name what is missing.
#include "tests/workflows/journey_test_util.hpp"

using namespace casetrail::workflows;
using namespace casetrail::workflows::testing;

namespace {

const Params kStepDown = {{"cin_plan_completed", "yes"}, {"closure_summary", "yes"}, {"consent", "yes"}};

JourneyFixture EarlyHelpFixture() {
  JourneyFixture f;
  f.make = [] { return NewEarlyHelp(); };
  const std::pair<std::string, Params> request = {"eh.request_received", {{"route", "family_connect_form"}}};
  f.paths["AwaitingAllocation"] = {request};
  f.paths["EarlyHelpActive"] = {request, {"eh.allocation_decided", {{"redirect", "no"}, {"provider", "bct_early_help"}}}};
  f.guard_params = {{"AllocatedToProvider", {{"redirect", "no"}, {"provider", "partner_led"}}},
                    {"RedirectedToCass", {{"redirect", "yes"}}},
                    {"ManagerAgreedAndConsent", {{"manager_agreed", "yes"}, {"consent", "yes"}}},
                    {"StepDownPreconditionsMet", kStepDown}};
  f.action_params = {{"eh.request_received", {{"route", "self"}}},
                     {"eh.allocation_decided", {{"redirect", "yes"}}},
                     {"eh.stepped_up", {{"manager_agreed", "yes"}, {"consent", "yes"}}},
                     {"eh.stepped_down_from_social_care", kStepDown},
                     {"eh.closed", {{"outcome", "needs_met"}}}};
  return f;
}

JourneyFixture TransferFixture() {
  JourneyFixture f;
  f.make = [] { return NewTransfer(); };
  f.paths["TransferPending"] = {{"tr.transfer_requested", {{"to_team", "north-2"}}},
                                {"tr.joint_visit_held", {}},
                                {"tr.summary_updated", {}}};
  f.guard_params = {{"TransferStandardMet(joint visit, summary within a month, lead worker)", {{"lead_worker", "sw.osei"}}}};
  f.action_params = {{"tr.transfer_requested", {{"to_team", "north-2"}}},
                     {"tr.transfer_completed", {{"lead_worker", "sw.osei"}}},
                     {"tr.transfer_cancelled", {{"reason", "family moved"}}}};
  return f;
}

}  // namespace

TEST_CASE("early help: every row can be taken", "[workflows][early_help]") { CheckEveryRow(EarlyHelpFixture()); }
TEST_CASE("early help: every action without a row is refused", "[workflows][early_help]") {
  CHECK(CheckEveryRefusal(EarlyHelpFixture()) == 3 * 7 - 7);
}

TEST_CASE("early help: step-up needs a manager's agreement and consent, named when missing",
          "[workflows][early_help]") {
  auto j = EarlyHelpFixture().Reach("EarlyHelpActive");
  Verdict v = j->Apply(Act(*j, "eh.stepped_up", "2026-04-01", {{"manager_agreed", "yes"}, {"consent", "no"}}));
  CHECK_FALSE(v.accepted);
  CHECK(v.rule == "guard_failed");
  CHECK_THAT(v.reason, Catch::Contains("ManagerAgreedAndConsent"));
  CHECK(j->State() == "EarlyHelpActive");
  CHECK(j->OpenDeadlines().size() == 1);  // the 6-month review point is untouched
  REQUIRE(j->Apply(Act(*j, "eh.stepped_up", "2026-04-02", {{"manager_agreed", "yes"}, {"consent", "yes"}})).accepted);
  CHECK(j->State() == "NoEarlyHelp");
}

TEST_CASE("early help: step-down from social care needs its preconditions", "[workflows][early_help]") {
  auto j = NewEarlyHelp();
  Verdict no_summary = j->Apply(Act(*j, "eh.stepped_down_from_social_care", "2026-04-01",
                                    {{"cin_plan_completed", "yes"}, {"closure_summary", "no"}, {"consent", "yes"}}));
  CHECK(no_summary.rule == "guard_failed");
  CHECK_THAT(no_summary.reason, Catch::Contains("StepDownPreconditionsMet"));
  Verdict ok = j->Apply(Act(*j, "eh.stepped_down_from_social_care", "2026-04-01", kStepDown));
  REQUIRE(ok.accepted);
  CHECK(ok.deadlines.at(0).deadline.rule_id == "T-22");
  CHECK(ok.deadlines.at(0).deadline.due_date.ToString() == "2026-10-01");
}

TEST_CASE("transfer: every row can be taken", "[workflows][transfer]") { CheckEveryRow(TransferFixture()); }
TEST_CASE("transfer: every action without a row is refused", "[workflows][transfer]") {
  CHECK(CheckEveryRefusal(TransferFixture()) == 2 * 5 - 5);
}

TEST_CASE("transfer: never completed without a joint visit, a current summary and a lead worker",
          "[workflows][transfer]") {
  auto j = NewTransfer();
  REQUIRE(j->Apply(Act(*j, "tr.transfer_requested", "2026-03-02", {{"to_team", "south-1"}})).accepted);
  auto complete = [&](const char* date) {
    return j->Apply(Act(*j, "tr.transfer_completed", date, {{"lead_worker", "sw.osei"}}));
  };
  CHECK(complete("2026-03-05").rule == "guard_failed");  // no joint visit, no summary
  REQUIRE(j->Apply(Act(*j, "tr.summary_updated", "2026-01-20")).accepted);
  REQUIRE(j->Apply(Act(*j, "tr.joint_visit_held", "2026-03-06")).accepted);
  CHECK(complete("2026-03-09").rule == "guard_failed");  // the summary is older than a month
  CHECK(j->Apply(Act(*j, "tr.transfer_completed", "2026-03-09")).rule == "invalid_parameter");
  REQUIRE(j->Apply(Act(*j, "tr.summary_updated", "2026-03-09")).accepted);
  Verdict done = complete("2026-03-20");
  REQUIRE(done.accepted);
  CHECK(done.deadlines.at(0).kind == DeadlineEffect::Kind::kMetLate);  // 2 weeks from 2 March
}
