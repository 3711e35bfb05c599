// The KPI projection: given events through the pipeline, then the measures for a period.
#include "replay/projections/kpis.hpp"

#include <catch2/catch.hpp>

#include "replay/runner.hpp"
#include "tests/replay/projections/support.hpp"

namespace casetrail::replay::testing {

TEST_CASE("KPIs for a period, by team and area, checked against hand-computed cases", "[replay][projections]") {
  EventLogOptions o;
  o.clock = [] { return T("2027-06-01"); };  // the history runs into December 2026
  auto log = OpenMemoryEventLog(o);
  CaseService svc(*log);
  auto run = [&](const char* child, const char* team, const char* action, const char* date, const char* role,
                 std::map<std::string, std::string> p = {}) {
    Record(svc, child, team, action, date, role, std::move(p), "u");
  };
  // Front door: three contacts; decisions next working day (met), same day (met), and two
  // working days later (late). Friday 27 Nov 2026 -> Monday 30 Nov is on time.
  run("f1", "north-1", "fd.contact_received", "2026-11-27", "cass_worker", {{"source", "school"}});
  run("f1", "north-1", "fd.decision_made", "2026-11-30", "cass_worker", {{"decision", "nfa"}});
  run("f2", "north-1", "fd.contact_received", "2026-12-01", "cass_worker", {{"source", "police"}});
  run("f2", "north-1", "fd.decision_made", "2026-12-01", "cass_worker", {{"decision", "assessment"}});
  run("f3", "south-2", "fd.contact_received", "2026-12-22", "cass_worker", {{"source", "health"}});
  // Christmas: 23 Dec is the next working day; 29 Dec is late.
  run("f3", "south-2", "fd.decision_made", "2026-12-29", "cass_worker", {{"decision", "signpost"}});
  // Pre-proceedings: one diverted after 10 weeks, one issued after 20 weeks; the issued one's
  // proceedings end after 30 weeks.
  run("p1", "north-1", "plo.legal_planning_meeting_held", "2026-01-05", "legal", {{"decision", "pre_proceedings"}});
  run("p1", "north-1", "plo.letter_before_proceedings_sent", "2026-01-06", "legal");
  run("p1", "north-1", "plo.initial_meeting_held", "2026-01-12", "social_worker");
  run("p1", "north-1", "plo.pre_proceedings_concluded", "2026-03-16", "team_manager", {{"outcome", "step_down"}});
  run("p2", "north-2", "plo.legal_planning_meeting_held", "2026-01-05", "legal", {{"decision", "pre_proceedings"}});
  run("p2", "north-2", "plo.letter_before_proceedings_sent", "2026-01-06", "legal");
  run("p2", "north-2", "plo.initial_meeting_held", "2026-01-12", "social_worker");
  run("p2", "north-2", "court.application_issued", "2026-05-25", "legal", {{"track", "standard"}});
  run("p2", "north-2", "court.hearing_held", "2026-06-08", "legal", {{"hearing", "case_management"}});
  run("p2", "north-2", "court.final_order_made", "2026-12-21", "legal", {{"order", "care_order"}});
  // A proceedings without pre-proceedings, 40 weeks.
  run("p3", "south-2", "court.application_issued", "2026-01-05", "legal", {{"track", "standard"}});
  run("p3", "south-2", "court.hearing_held", "2026-01-20", "legal", {{"hearing", "case_management"}});
  run("p3", "south-2", "court.final_order_made", "2026-10-12", "legal", {{"order", "supervision_order"}});

  KpiProjection k;
  ProjectionRunner runner(*log);
  REQUIRE(runner.CatchUp(k).ok());
  KpiProjection::Filter year{T("2026-01-01", 0), T("2027-01-01", 0), "", ""};
  auto all = k.Compute(year);
  CHECK(all.at("decisions_within_1_working_day").numerator == 2);
  CHECK(all.at("decisions_within_1_working_day").denominator == 3);
  CHECK(all.at("diversion_from_proceedings").value() == Approx(0.5));
  CHECK(all.at("average_weeks_in_pre_proceedings").value() == Approx((10.0 + 20.0) / 2));
  CHECK(all.at("average_weeks_of_care_proceedings").value() == Approx((30.0 + 40.0) / 2));
  CHECK(all.at("average_weeks_of_care_proceedings_with_pre").value() == Approx(30.0));
  CHECK(all.at("average_weeks_of_care_proceedings_without_pre").value() == Approx(40.0));
  // By team and area.
  auto north1 = k.Compute({year.from, year.to, "north-1", ""});
  CHECK(north1.at("decisions_within_1_working_day").value() == Approx(1.0));
  auto north = k.Compute({year.from, year.to, "", "north"});
  CHECK(north.at("diversion_from_proceedings").denominator == 2);
  auto south = k.Compute({year.from, year.to, "", "south"});
  CHECK(south.at("decisions_within_1_working_day").value() == Approx(0.0));
  // A period that holds only December.
  auto december = k.Compute({T("2026-12-01", 0), T("2027-01-01", 0), "", ""});
  CHECK(december.at("decisions_within_1_working_day").denominator == 2);
  CHECK(december.count("diversion_from_proceedings") == 0);
  KpiProjection rebuilt;
  REQUIRE(runner.Rebuild(rebuilt).ok());
  CHECK(rebuilt.Serialize() == k.Serialize());
}

}  // namespace casetrail::replay::testing
