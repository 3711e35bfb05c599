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

namespace casetrail::replay::testing {

TEST_CASE("KPIs: placement stability (K-C9, K-C10) and adoption timeliness (K-A3, K-A4, K-A6), by hand",
          "[replay][projections]") {
  EventLogOptions o;
  o.clock = [] { return T("2026-06-01"); };
  auto log = OpenMemoryEventLog(o);
  CaseService svc(*log);
  auto run = [&](const char* child, const char* action, const char* date, const char* role,
                 std::map<std::string, std::string> p = {}) {
    Record(svc, child, "north-1", action, date, role, std::move(p), "u");
  };
  const std::map<std::string, std::string> foster = {{"placement", "foster_care"}, {"long_term", "no"}};
  auto move = foster;
  move["reason"] = "move";
  // s1: looked after 3 years at the end of 2025, in one placement since it started.
  run("s1", "case.child_registered", "2023-01-02", "social_worker", {{"date_of_birth", "2015-01-10"}});
  run("s1", "cic.became_looked_after", "2023-01-02", "social_worker", {{"legal_status", "care_order"}});
  run("s1", "cic.placement_started", "2023-01-02", "social_worker", foster);
  // s2: 31 months looked after, but the current placement started 13 months before the end.
  run("s2", "case.child_registered", "2023-06-01", "social_worker", {{"date_of_birth", "2014-05-05"}});
  run("s2", "cic.became_looked_after", "2023-06-01", "social_worker", {{"legal_status", "care_order"}});
  run("s2", "cic.placement_started", "2023-06-01", "social_worker", foster);
  run("s2", "cic.placement_changed", "2024-12-01", "social_worker", move);
  // s3: three placements in 2025.
  run("s3", "case.child_registered", "2025-03-03", "social_worker", {{"date_of_birth", "2012-02-02"}});
  run("s3", "cic.became_looked_after", "2025-03-03", "social_worker", {{"legal_status", "s20"}});
  run("s3", "cic.placement_started", "2025-03-03", "social_worker", foster);
  run("s3", "cic.placement_changed", "2025-06-02", "social_worker", move);
  run("s3", "cic.placement_changed", "2025-09-01", "social_worker", move);
  // s4: no longer looked after at the end of the year.
  run("s4", "cic.became_looked_after", "2025-02-03", "social_worker", {{"legal_status", "s20"}});
  run("s4", "cic.placement_started", "2025-02-03", "social_worker", foster);
  run("s4", "cic.ceased_looked_after", "2025-11-03", "team_manager", {{"reason", "returned_home"}});
  // a1: in care from 8 January 2024, the decision on 2 September, authority to place a week
  // later, matched 182 days after it, placed 455 days after entering care (within 16 months).
  run("a1", "cic.became_looked_after", "2024-01-08", "social_worker", {{"legal_status", "interim_care_order"}});
  run("a1", "cic.placement_started", "2024-01-08", "social_worker", foster);
  run("a1", "ad.decision_made", "2024-09-02", "agency_decision_maker");
  run("a1", "ad.authority_to_place_given", "2024-09-09", "legal", {{"basis", "s19_consent"}});
  run("a1", "ad.match_approved", "2025-03-10", "agency_decision_maker",
      {{"adopters", "two"}, {"adopters_sex", "two_female"}, {"adopters_legal_status", "civil_partners"}, {"foster_carer", "no"}});
  run("a1", "ad.placed_for_adoption", "2025-04-07", "adoption_worker", {{"with_current_foster_carer", "no"}});

  KpiProjection k;
  ProjectionRunner runner(*log);
  REQUIRE(runner.CatchUp(k).ok());
  auto y = k.Compute({T("2025-01-01", 0), T("2026-01-01", 0), "", ""});
  // Looked after on 31 December 2025: s1, s2, s3 and a1 (placed for adoption, still looked after).
  CHECK(y.at("children_in_care_with_3_or_more_placements_in_12_months").denominator == 4);
  CHECK(y.at("children_in_care_with_3_or_more_placements_in_12_months").numerator == 1);  // s3
  CHECK(y.at("children_in_care_2_5_years_in_the_same_placement_2_years").denominator == 2);  // s1, s2
  CHECK(y.at("children_in_care_2_5_years_in_the_same_placement_2_years").numerator == 1);    // s1
  CHECK(y.at("adoption_placed_within_12_months_of_decision").value() == Approx(1.0));
  CHECK(y.at("average_days_entering_care_to_placed_for_adoption").value() == Approx(455));
  CHECK(y.at("placed_for_adoption_within_16_months_of_entering_care").value() == Approx(1.0));
  CHECK(y.at("average_days_authority_to_place_to_match").value() == Approx(182));
  // A period with no end is not a stock: no stability measures.
  CHECK(k.Compute({T("2025-01-01", 0), INT64_MAX, "", ""}).count("children_in_care_with_3_or_more_placements_in_12_months") == 0);
  // A rebuild gives the same.
  KpiProjection rebuilt;
  REQUIRE(runner.Rebuild(rebuilt).ok());
  CHECK(rebuilt.Serialize() == k.Serialize());
}

}  // namespace casetrail::replay::testing
