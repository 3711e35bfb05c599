// Teams and areas as reference data (replay/team_directory.hpp): dated areas, the fallback for a
// team never defined, the CSV's errors, and the PLO tracker and KPIs reading areas from it.
#include "replay/team_directory.hpp"

#include <catch2/catch.hpp>

#include "replay/projections/kpis.hpp"
#include "replay/projections/plo_tracker.hpp"
#include "replay/runner.hpp"
#include "tests/workflows/command_test_util.hpp"
#include "workflows/case_service.hpp"

using namespace casetrail;
using namespace casetrail::replay;
using workflows::Date;

namespace {
Date D(const char* s) { return std::move(Date::Parse(s, "d")).value(); }
TimestampUs T(const char* s) { return D(s).StartUs() + 10 * 3600LL * 1000000; }

void Define(EventLog& log, const char* team, const char* area, const char* from) {
  AppendRequest req;
  req.stream = kTeamsStream;
  EventData e;
  e.type = kTeamDefined;
  e.occurred_at = D(from).StartUs();
  e.payload = TeamDefinedPayload({team, std::string("Team ") + team, area, "children's social care", D(from)});
  req.events.push_back(e);
  REQUIRE(log.Append(std::move(req)).ok());
}
}  // namespace

TEST_CASE("a team's area is the one defined for the date, and a team never defined falls back to its id",
          "[replay][teams]") {
  auto log = OpenMemoryEventLog();
  Define(*log, "hub-a", "north", "2024-04-01");
  Define(*log, "hub-a", "east", "2026-04-01");  // the team moved to another area
  TeamDirectory d;
  REQUIRE(log->ReadAll({}, [&](const EventView& e) {
    d.Apply(e);
    return true;
  }).ok());
  CHECK(d.AreaOn("hub-a", D("2025-01-01")) == "north");
  CHECK(d.AreaOn("hub-a", D("2026-04-01")) == "east");
  CHECK(d.AreaOn("hub-a", D("2020-01-01")) == "north");  // before every definition: the first
  CHECK(d.Area("hub-a") == "east");
  CHECK(d.AreaOn("south-2", D("2025-01-01")) == "south");  // no definition: the id's prefix
}

TEST_CASE("a teams CSV names its bad line and field", "[replay][teams]") {
  auto ok = ParseTeamsCsv("team,name,area,service,effective_from\n# comment\nhub-a, Hub A, north, CSC, 2024-04-01\n");
  REQUIRE(ok.ok());
  REQUIRE(ok->size() == 1);
  CHECK((*ok)[0].area == "north");
  CHECK((*ok)[0].name == "Hub A");
  CHECK(ParseTeamsCsv("").status().field() == "teams");
  CHECK(ParseTeamsCsv("team,area\n").status().field() == "teams line 1");
  CHECK(ParseTeamsCsv("team,name,area,service,effective_from\nhub-a,A,,CSC,2024-04-01\n").status().field() ==
        "teams line 2 area");
  CHECK(ParseTeamsCsv("team,name,area,service,effective_from\nhub-a,A,north,CSC,2024-02-30\n").status().field() ==
        "teams line 2 effective_from");
  CHECK(ParseTeamsCsv("team,name,area,service,effective_from\nhub a,A,north,CSC,2024-04-01\n").status().field() ==
        "teams line 2 team");
}

TEST_CASE("the PLO tracker and the KPIs find a team's area in the reference data", "[replay][teams]") {
  auto log = OpenMemoryEventLog();
  workflows::CaseService svc(*log);
  workflows::Command c = casetrail::testing::MakeCommand("p", "plo.legal_planning_meeting_held", T("2026-03-02"), "legal",
                                              {{"decision", "pre_proceedings"}});
  c.actor.team = "hub-a";
  REQUIRE(svc.Execute(c)->accepted);
  Define(*log, "hub-a", "east", "2024-04-01");  // defined after the fact: areas are read when asked
  PloTrackerProjection plo;
  KpiProjection kpis;
  ProjectionRunner runner(*log);
  REQUIRE(runner.CatchUp(plo).ok());
  REQUIRE(runner.CatchUp(kpis).ok());
  REQUIRE(plo.List({}, "east").size() == 1);
  CHECK(plo.List({}, "east")[0].area == "east");
  CHECK(plo.List({}, "hub").empty());  // not the id's prefix any more
  // A decision on a contact counts for east's KPIs.
  workflows::Command d = casetrail::testing::MakeCommand("q", "fd.contact_received", T("2026-03-02"), "cass_worker",
                                              {{"source", "school"}});
  d.actor.team = "hub-a";
  REQUIRE(svc.Execute(d)->accepted);
  d.action = "fd.decision_made";
  d.params = {{"decision", "nfa"}};
  d.actor.role = "team_manager";
  REQUIRE(svc.Execute(d)->accepted);
  REQUIRE(runner.CatchUp(kpis).ok());
  KpiProjection::Filter east;
  east.area = "east";
  CHECK(kpis.Compute(east).count("decisions_within_1_working_day") == 1);
}
