// The chronology projection: given events through the pipeline, then the child's chronology in words.
#include "replay/projections/chronology.hpp"

#include <catch2/catch.hpp>

#include "replay/chronology_text.hpp"
#include "replay/runner.hpp"
#include "tests/replay/projections/support.hpp"

namespace casetrail::replay::testing {

TEST_CASE("chronology: business-time order, plain words, who and when", "[replay][projections]") {
  auto log = OpenMemoryEventLog();
  CaseService svc(*log);
  auto run = [&](const char* action, const char* date, const char* role, std::map<std::string, std::string> p = {}) {
    Record(svc, "5", "north-1", action, date, role, std::move(p), "sw.jones");
  };
  run("cin.plan_started", "2026-03-02", "social_worker");
  run("cin.visit_held", "2026-05-01", "social_worker");
  run("cin.visit_held", "2026-04-10", "social_worker");  // recorded late
  ChronologyProjection chron;
  ProjectionRunner runner(*log);
  REQUIRE(runner.CatchUp(chron).ok());
  auto listed = chron.For("5", *log);
  REQUIRE(listed.ok());
  const auto& entries = *listed;
  CHECK(chron.For("6", *log).status().IsNotFound());
  REQUIRE(entries.size() == 4);  // plan, visit 10 April, visit 1 May, and the late-visit line
  CHECK(entries[0].text == "Child in need plan started");
  CHECK(workflows::Date::FromTimestampUs(entries[1].occurred_at).ToString() == "2026-04-10");
  CHECK(entries[1].text == "Child in need visit");
  CHECK(entries[1].recorded_by == "sw.jones (social_worker)");
  CHECK(entries[1].recorded_at > entries[2].recorded_at);  // recorded after the 1 May visit
  bool late = false;
  for (const auto& e : entries) late |= e.text.find("Late: T-11 was due 2026-04-13") != std::string::npos;
  CHECK(late);
  CHECK(Describe("cp.icpc_held", R"({"params":{"category":"neglect","outcome":"cp_plan"}})") ==
        "Initial child protection conference held: category neglect, outcome cp plan");
}

}  // namespace casetrail::replay::testing
