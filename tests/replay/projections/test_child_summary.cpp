// The child summary projection: given events through the pipeline, then the summary.
#include "replay/projections/child_summary.hpp"

#include <catch2/catch.hpp>

#include "replay/runner.hpp"
#include "tests/replay/projections/support.hpp"

namespace casetrail::replay::testing {

TEST_CASE("child summary: journeys, legal status, placement, deadlines and flags", "[replay][projections]") {
  auto log = OpenMemoryEventLog();
  CaseService svc(*log);
  auto run = [&](const char* action, const char* date, const char* role, std::map<std::string, std::string> p = {}) {
    Record(svc, "77", "south-2", action, date, role, std::move(p));
  };
  run("case.child_registered", "2026-01-02", "social_worker", {{"date_of_birth", "2014-02-01"}});
  run("cp.strategy_discussion_held", "2026-01-05", "team_manager", {{"outcome", "s47"}});
  run("cp.s47_concluded", "2026-01-09", "social_worker", {{"outcome", "icpc"}});
  run("cp.icpc_held", "2026-01-23", "cp_chair", {{"outcome", "cp_plan"}, {"category", "neglect"}});
  run("cic.became_looked_after", "2026-02-02", "social_worker", {{"legal_status", "s20"}});
  run("cic.placement_started", "2026-02-02", "social_worker", {{"placement", "foster_care"}, {"long_term", "no"}});
  ChildSummaryProjection summary;
  ProjectionRunner runner(*log);
  REQUIRE(runner.CatchUp(summary).ok());
  const auto* s = summary.Find("77");
  REQUIRE(s);
  CHECK(s->journeys == std::map<Sym, Sym>{{"child_in_care", "Placed"}, {"child_protection", "OnCpPlan"}});
  CHECK(s->legal_status == "s20");
  CHECK(s->placement == "foster_care");
  CHECK(s->team == "south-2");
  CHECK(s->open_deadlines.count("T-40") == 1);
  CHECK(s->open_deadlines.count("T-06") == 0);  // met by the ICPC
  // A care order ends the CP plan and shows in the summary.
  run("cic.legal_status_changed", "2026-05-01", "legal", {{"legal_status", "care_order"}});
  REQUIRE(runner.CatchUp(summary).ok());
  s = summary.Find("77");
  CHECK(s->legal_status == "care_order");
  CHECK(s->journeys.count("child_protection") == 0);
  CHECK(s->last_worker == "u.legal");  // not the engine's derived consequence
  CHECK(summary.Find("nobody") == nullptr);
  auto caseload = summary.Caseload();
  // No allocation recorded: unallocated in the team of whoever recorded last.
  CHECK(caseload.at("south-2").unallocated.size() == 1);
  CHECK(caseload.at("south-2").by_worker.empty());
}

}  // namespace casetrail::replay::testing
