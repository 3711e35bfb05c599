// Allocation (workflows/case.hpp): who is responsible for a child, through the pipeline and into
// the views and the access rules: allocate, transfer, a worker who leaves, closure
// the unallocated list per team, and a correction of an allocation.
#include <catch2/catch.hpp>

#include <atomic>

#include "replay/projections/child_summary.hpp"
#include "replay/runner.hpp"
#include "tests/workflows/command_test_util.hpp"
#include "workflows/case_service.hpp"
#include "workflows/snapshots.hpp"

using namespace casetrail;
using namespace casetrail::replay;
using namespace casetrail::workflows;

namespace {

constexpr TimestampUs kHourUs = 3600LL * 1000000;
TimestampUs T(const std::string& date) { return std::move(Date::Parse(date, "d")).value().StartUs() + 10 * kHourUs; }

struct Fixture : casetrail::testing::ClockedLog {
  Fixture() : ClockedLog(T("2026-01-01")) {}
  CaseService svc{*log};
  Result<CommandOutcome> Try(const std::string& child, const std::string& action, const std::string& date,
                             const std::string& role, std::map<std::string, std::string> params = {},
                             const std::string& team = "north-1") {
    Advance(T(date) + kHourUs);
    Command c = casetrail::testing::MakeCommand(child, action, T(date), role, std::move(params));
    c.actor.team = team;
    return svc.Execute(c);
  }
  CommandOutcome Do(const std::string& child, const std::string& action, const std::string& date,
                    const std::string& role, std::map<std::string, std::string> params = {},
                    const std::string& team = "north-1") {
    return casetrail::testing::RequireAccepted(Try(child, action, date, role, std::move(params), team), action);
  }
  ChildSummaryProjection Summary() {
    ChildSummaryProjection s;
    ProjectionRunner runner(*log);
    REQUIRE(runner.CatchUp(s).ok());
    return s;
  }
};

// A referral on 2 March and the assessment started: an active journey, recorded by north-1.
void Referred(Fixture& f, const std::string& child) {
  f.Do(child, "fd.contact_received", "2026-03-02", "cass_worker", {{"source", "school"}});
  f.Do(child, "fd.decision_made", "2026-03-02", "team_manager", {{"decision", "assessment"}});
  f.Do(child, "as.assessment_started", "2026-03-02", "social_worker", {{"referred_on", "2026-03-02"}});
}

// sw.jones of north-1 holds the child from 3 March; a transfer to cic-3 completes on 16 March
// with sw.osei as its lead worker.
CommandOutcome Transferred(Fixture& f, const std::string& child) {
  f.Do(child, "alloc.worker_allocated", "2026-03-03", "team_manager",
       {{"team", "north-1"}, {"worker", "sw.jones"}, {"as", "social_worker"}});
  f.Do(child, "tr.transfer_requested", "2026-03-10", "team_manager", {{"to_team", "cic-3"}});
  f.Do(child, "tr.summary_updated", "2026-03-11", "social_worker");
  f.Do(child, "tr.joint_visit_held", "2026-03-12", "social_worker");
  return f.Do(child, "tr.transfer_completed", "2026-03-16", "team_manager", {{"lead_worker", "sw.osei"}});
}

}  // namespace

TEST_CASE("a child waits unallocated in its team, then a team manager allocates a social worker", "[replay][allocation]") {
  Fixture f;
  Referred(f, "a");
  auto team = f.Do("a", "alloc.team_allocated", "2026-03-02", "cass_worker", {{"team", "north-2"}});
  CHECK(team.verdict.journey == "allocation");
  CHECK(team.verdict.verdict.to_state == "AwaitingAllocation");
  {
    auto s = f.Summary();
    CHECK(s.Find("a")->team == "north-2");  // the responsible team, not the recorder's (north-1)
    auto caseload = s.Caseload();
    REQUIRE(caseload.count("north-2"));
    REQUIRE(caseload.at("north-2").unallocated.size() == 1);
    CHECK(caseload.at("north-2").unallocated[0].since == T("2026-03-02"));
  }
  // A social worker may not allocate; a bad role in the allocation is named.
  CHECK(f.Try("a", "alloc.worker_allocated", "2026-03-05", "social_worker",
              {{"team", "north-2"}, {"worker", "sw.ali"}, {"as", "social_worker"}})
            ->verdict.verdict.rule == "forbidden_role");
  auto bad = f.Try("a", "alloc.worker_allocated", "2026-03-05", "team_manager",
                   {{"team", "north-2"}, {"worker", "sw.ali"}, {"as", "manager"}});
  CHECK(bad->verdict.verdict.rule == "invalid_parameter");
  CHECK_THAT(bad->verdict.verdict.reason, Catch::Contains("'as' must be one of"));
  auto alloc = f.Do("a", "alloc.worker_allocated", "2026-03-05", "team_manager",
                    {{"team", "north-2"}, {"worker", "sw.ali"}, {"as", "social_worker"}}, "north-2");
  CHECK(alloc.verdict.verdict.to_state == "Allocated");
  auto s = f.Summary();
  const auto* c = s.Find("a");
  CHECK(c->allocated_worker == "sw.ali");
  auto caseload = s.Caseload();
  CHECK(caseload.at("north-2").unallocated.empty());
  REQUIRE(caseload.at("north-2").by_worker.at("sw.ali").size() == 1);
  CHECK_FALSE(caseload.at("north-2").by_worker.at("sw.ali")[0].journeys.empty());
}

TEST_CASE("a worker who leaves leaves the child unallocated in the team, counted from that day", "[replay][allocation]") {
  Fixture f;
  Referred(f, "b");
  f.Do("b", "alloc.worker_allocated", "2026-03-03", "team_manager",
       {{"team", "north-1"}, {"worker", "sw.jones"}, {"as", "social_worker"}});
  CHECK(f.Try("b", "alloc.worker_allocated", "2026-03-04", "team_manager",
              {{"team", "north-1"}, {"worker", "sw.jones"}, {"as", "social_worker"}})
            ->verdict.verdict.rule == "no_change");
  f.Do("b", "alloc.worker_deallocated", "2026-04-01", "team_manager", {{"reason", "worker_left"}});
  auto caseload = f.Summary().Caseload();
  REQUIRE(caseload.at("north-1").unallocated.size() == 1);
  CHECK(caseload.at("north-1").unallocated[0].since == T("2026-04-01"));
  CHECK(f.Try("b", "alloc.worker_deallocated", "2026-04-02", "team_manager", {{"reason", "worker_left"}})
            ->verdict.verdict.rule == "no_transition");
}

TEST_CASE("X-17: a completed transfer allocates the receiving team's lead worker, and its people may see the child",
          "[replay][allocation]") {
  Fixture f;
  Referred(f, "c");
  auto done = Transferred(f, "c");
  bool x17 = false;
  for (const auto& k : done.verdict.consequences) x17 |= k.rule == "X-17" && k.verdict.accepted;
  CHECK(x17);
  CHECK(std::find(done.event_types.begin(), done.event_types.end(), "alloc.worker_allocated") != done.event_types.end());
  auto s = f.Summary();
  CHECK(s.Find("c")->team == "cic-3");
  CHECK(s.Find("c")->allocated_worker == "sw.osei");
  // The rebuilt case agrees.
  auto state = LoadCase(*f.log, "c", RuleBook::Default());
  REQUIRE(state.ok());
  CHECK(state->c.allocation().team == "cic-3");
  CHECK(state->c.allocation().worker == "sw.osei");
}

TEST_CASE("X-18: closing the case ends the allocation", "[replay][allocation]") {
  Fixture f;
  f.Do("d", "fd.contact_received", "2026-03-02", "cass_worker", {{"source", "school"}});
  f.Do("d", "alloc.team_allocated", "2026-03-02", "cass_worker", {{"team", "north-1"}});
  f.Do("d", "fd.decision_made", "2026-03-02", "team_manager", {{"decision", "nfa"}});
  auto closed = f.Do("d", "case.closed", "2026-03-03", "team_manager", {{"team", "north-1"}});
  CHECK(std::find(closed.event_types.begin(), closed.event_types.end(), "alloc.worker_deallocated") !=
        closed.event_types.end());
  auto state = LoadCase(*f.log, "d", RuleBook::Default());
  REQUIRE(state.ok());
  CHECK(state->c.allocation().team.empty());
  CHECK(f.Summary().Caseload().empty());  // no active journey: in nobody's caseload
}

TEST_CASE("a corrected allocation moves the child in the views", "[replay][allocation]") {
  Fixture f;
  Referred(f, "e");
  auto wrong = f.Do("e", "alloc.worker_allocated", "2026-03-03", "team_manager",
                    {{"team", "north-1"}, {"worker", "sw.wrong"}, {"as", "social_worker"}});
  f.Do("e", kRecordCorrected, "2026-03-04", "team_manager",
       {{"target_version", std::to_string(wrong.version)}, {"reason", "wrong worker"}, {"set.worker", "sw.right"}});
  auto s = f.Summary();
  CHECK(s.Find("e")->allocated_worker == "sw.right");
  CHECK(s.Caseload().at("north-1").by_worker.count("sw.right") == 1);
  CHECK(s.Caseload().at("north-1").by_worker.count("sw.wrong") == 0);
}

#include "replay/projections/kpis.hpp"
#include "replay/projections/plo_tracker.hpp"

TEST_CASE("KPIs: the days a child waited for a worker, and facts counted for the responsible team",
          "[replay][allocation][kpis]") {
  Fixture f;
  Referred(f, "k");
  f.Do("k", "alloc.team_allocated", "2026-03-02", "team_manager", {{"team", "south-1"}});
  f.Do("k", "alloc.worker_allocated", "2026-03-12", "team_manager",
       {{"team", "south-1"}, {"worker", "sw.ali"}, {"as", "social_worker"}});  // waited 10 days
  f.Do("k", "alloc.worker_deallocated", "2026-04-01", "team_manager", {{"reason", "worker_left"}});
  f.Do("k", "alloc.worker_allocated", "2026-04-05", "team_manager",
       {{"team", "south-1"}, {"worker", "sw.bo"}, {"as", "social_worker"}});  // and then 4 more
  // The assessment is completed and authorised by north-1's people: it counts for south-1.
  f.Do("k", "as.assessment_completed", "2026-04-10", "social_worker");
  f.Do("k", "as.assessment_authorised", "2026-04-11", "team_manager", {{"outcome", "nfa"}});
  KpiProjection kpis;
  ProjectionRunner runner(*f.log);
  REQUIRE(runner.CatchUp(kpis).ok());
  KpiProjection::Filter south;
  south.team = "south-1";
  auto m = kpis.Compute(south);
  REQUIRE(m.count("average_days_waiting_for_allocation"));
  CHECK(m.at("average_days_waiting_for_allocation").denominator == 2);
  CHECK(m.at("average_days_waiting_for_allocation").value() == Approx(7.0));
  REQUIRE(m.count("assessments_within_45_working_days"));
  CHECK(m.at("assessments_within_45_working_days").denominator == 1);
  KpiProjection::Filter north;
  north.team = "north-1";
  CHECK(kpis.Compute(north).count("assessments_within_45_working_days") == 0);
}

TEST_CASE("the PLO tracker's team and area follow allocation, also when a transfer moves the child",
          "[replay][allocation][plo]") {
  Fixture f;
  f.Do("p", "alloc.worker_allocated", "2026-03-02", "team_manager",
       {{"team", "east-2"}, {"worker", "sw.cy"}, {"as", "social_worker"}});
  f.Do("p", "plo.legal_planning_meeting_held", "2026-03-03", "legal", {{"decision", "pre_proceedings"}}, "legal");
  PloTrackerProjection plo;
  ProjectionRunner runner(*f.log);
  REQUIRE(runner.CatchUp(plo).ok());
  REQUIRE(plo.List().size() == 1);
  CHECK(plo.List()[0].team == "east-2");  // not the legal team that recorded the meeting
  CHECK(plo.List()[0].area == "east");
  f.Do("p", "alloc.worker_allocated", "2026-04-01", "team_manager",
       {{"team", "west-1"}, {"worker", "sw.di"}, {"as", "social_worker"}});
  REQUIRE(runner.CatchUp(plo).ok());
  CHECK(plo.List("west-1").size() == 1);
  CHECK(plo.List({}, "west").size() == 1);
}

// --- As of a past date: the caseload, the views and the KPIs by business time -------------------

namespace {
// The end of a London day (what an as_of date means).
TimestampUs EndOf(const std::string& date) { return std::move(Date::Parse(date, "d")).value().AddDays(1).StartUs() - 1; }
}  // namespace

TEST_CASE("step-down: the caseload as of each date shows the social worker's child in need, then the early help worker's",
          "[replay][allocation][as-of]") {
  Fixture f;
  Referred(f, "s");
  f.Do("s", "alloc.worker_allocated", "2026-03-03", "team_manager",
       {{"team", "north-1"}, {"worker", "sw.jones"}, {"as", "social_worker"}});
  f.Do("s", "as.assessment_completed", "2026-03-20", "social_worker");
  f.Do("s", "as.assessment_authorised", "2026-03-23", "team_manager", {{"outcome", "child_in_need_plan"}});
  f.Do("s", "cin.plan_started", "2026-03-24", "social_worker");
  f.Do("s", "cin.plan_ended", "2026-09-01", "team_manager", {{"reason", "step_down_to_early_help"}});
  f.Do("s", "eh.stepped_down_from_social_care", "2026-09-01", "team_manager",
       {{"cin_plan_completed", "yes"}, {"closure_summary", "yes"}, {"consent", "yes"}});
  f.Do("s", "alloc.worker_allocated", "2026-09-02", "team_manager",
       {{"team", "eh-north"}, {"worker", "ehw.kaur"}, {"as", "early_help_worker"}});
  auto s = f.Summary();

  auto in_need = s.Caseload(EndOf("2026-06-30"));
  REQUIRE(in_need.count("north-1"));
  REQUIRE(in_need.at("north-1").by_worker.count("sw.jones"));
  const auto& then = in_need.at("north-1").by_worker.at("sw.jones").at(0);
  CHECK(then.journeys == std::map<std::string, std::string>{{"child_in_need", "OnCinPlan"}});
  CHECK(then.as == "social_worker");
  CHECK(then.since == T("2026-03-03"));
  CHECK(in_need.count("eh-north") == 0);

  // The day of the step-down: early help has started, the social worker still holds the child.
  auto stepping = s.Caseload(EndOf("2026-09-01"));
  CHECK(stepping.at("north-1").by_worker.at("sw.jones").at(0).journeys ==
        std::map<std::string, std::string>{{"early_help", "EarlyHelpActive"}});

  auto now = s.Caseload();
  CHECK(now.count("north-1") == 0);
  REQUIRE(now.at("eh-north").by_worker.count("ehw.kaur"));
  CHECK(now.at("eh-north").by_worker.at("ehw.kaur").at(0).as == "early_help_worker");
  CHECK(s.ResponsibleOn("s", EndOf("2026-06-30")).team == "north-1");
  CHECK(s.ResponsibleOn("s", EndOf("2026-06-30")).worker == "sw.jones");
  CHECK(s.ResponsibleOn("s", EndOf("2026-09-02")).team == "eh-north");
  // Before the referral the child had no journey and is in no caseload.
  CHECK(s.Caseload(EndOf("2026-03-01")).empty());
}

TEST_CASE("a transfer as of before and after: the sending team's caseload, then the receiving team's",
          "[replay][allocation][as-of]") {
  Fixture f;
  Referred(f, "t");
  Transferred(f, "t");
  auto s = f.Summary();
  auto before = s.Caseload(EndOf("2026-03-15"));
  CHECK(before.count("north-1") == 1);
  CHECK(before.count("cic-3") == 0);
  auto after = s.Caseload(EndOf("2026-03-16"));
  CHECK(after.count("north-1") == 0);
  REQUIRE(after.count("cic-3") == 1);
  CHECK(after.at("cic-3").by_worker.count("sw.osei") == 1);
}

TEST_CASE("unallocated for a month: on the unallocated list as of the dates between, allocated after",
          "[replay][allocation][as-of]") {
  Fixture f;
  Referred(f, "u");
  f.Do("u", "alloc.worker_allocated", "2026-03-03", "team_manager",
       {{"team", "north-1"}, {"worker", "sw.jones"}, {"as", "social_worker"}});
  f.Do("u", "alloc.worker_deallocated", "2026-04-01", "team_manager", {{"reason", "worker_left"}});
  f.Do("u", "alloc.worker_allocated", "2026-05-01", "team_manager",
       {{"team", "north-1"}, {"worker", "sw.osei"}, {"as", "social_worker"}});
  auto s = f.Summary();
  CHECK(s.Caseload(EndOf("2026-03-31")).at("north-1").by_worker.count("sw.jones") == 1);
  auto waiting = s.Caseload(EndOf("2026-04-15")).at("north-1");
  REQUIRE(waiting.unallocated.size() == 1);
  CHECK(waiting.unallocated[0].since == T("2026-04-01"));
  CHECK(waiting.by_worker.empty());
  auto later = s.Caseload(EndOf("2026-05-01")).at("north-1");
  CHECK(later.unallocated.empty());
  CHECK(later.by_worker.count("sw.osei") == 1);
}

TEST_CASE("a late-recorded allocation counts from the day it is dated: in the caseload as of then, and in the KPIs",
          "[replay][allocation][as-of][kpis]") {
  Fixture f;
  Referred(f, "l");  // recorded by north-1's people
  f.Do("l", "as.assessment_completed", "2026-03-20", "social_worker");
  f.Do("l", "as.assessment_authorised", "2026-03-23", "team_manager", {{"outcome", "child_in_need_plan"}});
  // Recorded now, dated before the assessment was authorised: south-1 held the child then.
  f.Do("l", "alloc.worker_allocated", "2026-03-05", "team_manager",
       {{"team", "south-1"}, {"worker", "sw.ali"}, {"as", "social_worker"}});
  auto s = f.Summary();
  CHECK(s.Caseload(EndOf("2026-03-04")).count("north-1") == 1);  // before it: the recorders'
  CHECK(s.Caseload(EndOf("2026-03-10")).at("south-1").by_worker.count("sw.ali") == 1);
  KpiProjection kpis;
  ProjectionRunner runner(*f.log);
  REQUIRE(runner.CatchUp(kpis).ok());
  KpiProjection::Filter south;
  south.team = "south-1";
  CHECK(kpis.Compute(south).count("assessments_within_45_working_days") == 1);
  KpiProjection::Filter north;
  north.team = "north-1";
  CHECK(kpis.Compute(north).count("assessments_within_45_working_days") == 0);
  // The decision on 2 March came before the allocation: it stays north-1's.
  CHECK(kpis.Compute(north).count("decisions_within_1_working_day") == 1);
}

TEST_CASE("X-19 and X-20: the IRO of a looked-after child is held beside the social worker while the child is looked after",
          "[replay][allocation]") {
  Fixture f;
  f.Do("i", "case.child_registered", "2026-03-01", "social_worker", {{"date_of_birth", "2015-05-05"}});
  f.Do("i", "alloc.worker_allocated", "2026-03-01", "team_manager",
       {{"team", "cic-1"}, {"worker", "sw.jones"}, {"as", "social_worker"}});
  // CA 1989 s25A: an IRO is appointed for a looked-after child, and for no other.
  auto early = f.Try("i", "alloc.worker_allocated", "2026-03-02", "team_manager", {{"worker", "iro.patel"}, {"as", "iro"}});
  CHECK(early->verdict.verdict.rule == "not_looked_after");
  f.Do("i", "cic.became_looked_after", "2026-03-02", "social_worker", {{"legal_status", "s20"}});
  auto iro = f.Do("i", "cic.iro_allocated", "2026-03-04", "team_manager", {{"iro", "iro.patel"}});
  bool x19 = false;
  for (const auto& k : iro.verdict.consequences) x19 |= k.rule == "X-19" && k.verdict.accepted;
  CHECK(x19);
  {
    auto s = f.Summary();
    CHECK(s.Find("i")->allocated_iro == "iro.patel");
    CHECK(s.Find("i")->allocated_worker == "sw.jones");  // the lead stays
    REQUIRE(s.IroCaseload().count("iro.patel"));
    CHECK(s.IroCaseload().at("iro.patel").at(0).child == "i");
    CHECK(s.Caseload().at("cic-1").by_worker.count("sw.jones") == 1);
  }
  auto ceased = f.Do("i", "cic.ceased_looked_after", "2026-08-01", "team_manager", {{"reason", "returned_home"}});
  bool x20 = false;
  for (const auto& k : ceased.verdict.consequences) x20 |= k.rule == "X-20" && k.verdict.accepted;
  CHECK(x20);
  auto s = f.Summary();
  CHECK(s.Find("i")->allocated_iro.empty());
  CHECK(s.IroCaseload().empty());
  CHECK(s.IroCaseload(EndOf("2026-06-01")).count("iro.patel") == 1);
  CHECK(s.ResponsibleOn("i", EndOf("2026-06-01")).iro == "iro.patel");
  auto state = LoadCase(*f.log, "i", RuleBook::Default());
  REQUIRE(state.ok());
  CHECK(state->c.allocation().iro.empty());
  CHECK(state->c.allocation().worker == "sw.jones");
}

TEST_CASE("X-21: a former relevant child's personal adviser becomes the lead worker", "[replay][allocation]") {
  Fixture f;
  f.Do("pa", "case.child_registered", "2026-01-05", "social_worker", {{"date_of_birth", "2008-01-10"}});
  f.Do("pa", "alloc.worker_allocated", "2026-01-05", "team_manager",
       {{"team", "cic-1"}, {"worker", "sw.jones"}, {"as", "social_worker"}});
  f.Do("pa", "cic.became_looked_after", "2026-01-05", "social_worker", {{"legal_status", "care_order"}});
  f.Do("pa", "lc.became_eligible", "2026-01-06", "social_worker");
  f.Do("pa", "lc.turned_18", "2026-01-10", "social_worker");
  auto pa = f.Do("pa", "lc.personal_adviser_allocated", "2026-01-12", "team_manager",
                 {{"adviser", "pa.nolan"}, {"team", "leaving-care-1"}});
  bool x21 = false;
  for (const auto& k : pa.verdict.consequences) x21 |= k.rule == "X-21" && k.verdict.accepted;
  CHECK(x21);
  auto s = f.Summary();
  CHECK(s.Find("pa")->allocated_worker == "pa.nolan");
  CHECK(s.Find("pa")->allocated_as == "personal_adviser");
  CHECK(s.Find("pa")->team == "leaving-care-1");
}
