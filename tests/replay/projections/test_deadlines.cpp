// The deadlines projection: given events through the pipeline, then each deadline's status as of a time.
#include "replay/projections/deadlines.hpp"

#include <catch2/catch.hpp>

#include "replay/runner.hpp"
#include "tests/replay/projections/support.hpp"

namespace casetrail::replay::testing {

TEST_CASE("deadlines: open, met, met late, cancelled, and breached as of a time", "[replay][projections]") {
  auto log = OpenMemoryEventLog();
  CaseService svc(*log);
  auto run = [&](const char* child, const char* action, const char* date, const char* role,
                 std::map<std::string, std::string> p = {}) {
    Record(svc, child, "north-1", action, date, role, std::move(p), "u");
  };
  run("a", "cp.strategy_discussion_held", "2026-03-02", "team_manager", {{"outcome", "s47"}});  // T-06 due 23 Mar
  run("b", "cp.strategy_discussion_held", "2026-03-02", "team_manager", {{"outcome", "s47"}});
  run("b", "cp.s47_concluded", "2026-03-06", "social_worker", {{"outcome", "no_icpc"}});       // cancelled
  run("c", "fd.contact_received", "2026-03-02", "cass_worker", {{"source", "school"}});       // T-01 due 3 Mar
  run("c", "fd.decision_made", "2026-03-04", "cass_worker", {{"decision", "nfa"}});           // met late
  DeadlinesProjection d;
  ProjectionRunner runner(*log);
  REQUIRE(runner.CatchUp(d).ok());
  REQUIRE(d.entries().size() == 3);
  std::map<std::string, std::string> at_mid_march, at_april;
  for (const auto& e : d.entries()) {
    at_mid_march[e.child + "/" + e.rule] = DeadlinesProjection::StatusAt(e, T("2026-03-16"));
    at_april[e.child + "/" + e.rule] = DeadlinesProjection::StatusAt(e, T("2026-04-01"));
  }
  CHECK(at_mid_march == std::map<std::string, std::string>{{"a/T-06", "open"}, {"b/T-06", "cancelled"}, {"c/T-01", "met_late"}});
  CHECK(at_april.at("a/T-06") == "breached");
  CHECK(d.Overdue(T("2026-04-01")).size() == 1);
  CHECK(d.Overdue(T("2026-03-16")).empty());
  auto soon = d.DueSoon(T("2026-03-16"), 14);
  REQUIRE(soon.size() == 1);
  CHECK(soon[0].due == "2026-03-23");
  DeadlinesProjection rebuilt;
  REQUIRE(runner.Rebuild(rebuilt).ok());
  CHECK(rebuilt.Serialize() == d.Serialize());
}

}  // namespace casetrail::replay::testing
