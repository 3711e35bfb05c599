// The PLO tracker: given events through the pipeline, then weeks and red/amber/green as of a time.
#include "replay/projections/plo_tracker.hpp"

#include <catch2/catch.hpp>

#include "replay/runner.hpp"
#include "tests/replay/projections/support.hpp"

namespace casetrail::replay::testing {

TEST_CASE("PLO tracker: weeks, red/amber/green, extensions, filters", "[replay][projections]") {
  auto log = OpenMemoryEventLog();
  CaseService svc(*log);
  auto run = [&](const char* child, const char* team, const char* action, const char* date, const char* role,
                 std::map<std::string, std::string> p = {}) {
    Record(svc, child, team, action, date, role, std::move(p), "u");
  };
  // Child p: pre-proceedings from 2 March 2026 in north-1.
  run("p", "north-1", "plo.legal_planning_meeting_held", "2026-03-02", "legal", {{"decision", "pre_proceedings"}});
  run("p", "north-1", "plo.letter_before_proceedings_sent", "2026-03-04", "legal");
  // Child q: care proceedings issued 6 April 2026 in south-2, then extended by 8 weeks.
  run("q", "south-2", "court.application_issued", "2026-04-06", "legal", {{"track", "standard"}});
  run("q", "south-2", "court.hearing_held", "2026-04-20", "legal", {{"hearing", "case_management"}});
  PloTrackerProjection plo;
  ProjectionRunner runner(*log);
  REQUIRE(runner.CatchUp(plo).ok());
  auto all = plo.List();
  REQUIRE(all.size() == 2);
  const auto& p = all[0];
  CHECK(p.child == "p");
  CHECK(p.initial_meeting_due == "2026-03-16");
  CHECK(p.review_point == "2026-06-21");  // 16 weeks beginning with the LPM day (T-31)
  CHECK(PloTrackerProjection::Rag(p, T("2026-03-10")) == "green");
  CHECK(PloTrackerProjection::Rag(p, T("2026-03-17")) == "red");  // initial meeting overdue
  CHECK(PloTrackerProjection::WeeksElapsed(p, T("2026-03-10")) == 2);
  const auto& q = all[1];
  CHECK(q.final_date == "2026-10-04");  // CA 1989 s32(1)(a)(ii): issue day + 181 days
  CHECK(q.hearings.size() == 1);
  CHECK(PloTrackerProjection::WeeksElapsed(q, T("2026-04-06")) == 1);
  CHECK(PloTrackerProjection::Rag(q, T("2026-06-01")) == "green");
  CHECK(PloTrackerProjection::Rag(q, T("2026-09-01")) == "amber");
  CHECK(PloTrackerProjection::Rag(q, T("2026-10-04")) == "amber");
  CHECK(PloTrackerProjection::Rag(q, T("2026-10-05")) == "red");
  run("q", "south-2", "court.extension_granted", "2026-09-28", "legal", {{"weeks", "8"}, {"reason", "expert"}});
  REQUIRE(runner.CatchUp(plo).ok());
  auto q2 = plo.List("south-2");
  REQUIRE(q2.size() == 1);
  CHECK(q2[0].final_date == "2026-11-29");
  CHECK(PloTrackerProjection::Rag(q2[0], T("2026-10-05")) == "amber");
  CHECK(plo.List({}, "north").size() == 1);
  CHECK(plo.List("east-1").empty());
  // Issuing concludes pre-proceedings: p moves from pre-proceedings to proceedings.
  run("p", "north-1", "plo.initial_meeting_held", "2026-03-13", "social_worker");
  run("p", "north-1", "court.application_issued", "2026-07-01", "legal", {{"track", "fdac"}});
  run("q", "south-2", "court.final_order_made", "2026-11-20", "legal", {{"order", "care_order"}});
  REQUIRE(runner.CatchUp(plo).ok());
  auto now = plo.List();
  REQUIRE(now.size() == 1);
  CHECK(now[0].child == "p");
  CHECK(now[0].in_proceedings);
  CHECK_FALSE(now[0].in_pre_proceedings);
  CHECK(now[0].pre_proceedings_before_issue);
  CHECK(now[0].fdac);
  PloTrackerProjection rebuilt;
  REQUIRE(runner.Rebuild(rebuilt).ok());
  CHECK(rebuilt.Serialize() == plo.Serialize());
}

// Red/amber/green at each threshold (replay/projections/plo_tracker.hpp): pre-proceedings amber from week 12,
// red the day after the review point (T-31) or after the initial meeting's due date while it is
// not held, amber all along once the meeting was late; proceedings amber from week 21, red the
// day after the final-hearing date (T-32, 26 weeks moved by extensions). Week 1 begins on the day
// of the legal planning meeting or the issue.
TEST_CASE("PLO red/amber/green at its thresholds: week 11 and 12, T-31 review point, initial meeting, week 20 and 21, T-32",
          "[replay][projections]") {
  using P = PloTrackerProjection;
  P::Child pre;
  pre.in_pre_proceedings = true;
  pre.lpm_date = "2026-03-02";
  pre.start_us = T("2026-03-02");
  pre.initial_meeting_due = "2026-03-16";
  pre.initial_meeting_held = "2026-03-13";
  pre.review_point = "2026-06-21";  // the last day of week 16
  CHECK(P::WeeksElapsed(pre, T("2026-03-02")) == 1);
  CHECK(P::WeeksElapsed(pre, T("2026-05-17")) == 11);
  CHECK(P::Rag(pre, T("2026-05-17")) == "green");
  CHECK(P::WeeksElapsed(pre, T("2026-05-18")) == 12);
  CHECK(P::Rag(pre, T("2026-05-18")) == "amber");
  CHECK(P::WeeksElapsed(pre, T("2026-06-21")) == 16);
  CHECK(P::Rag(pre, T("2026-06-21")) == "amber");  // the review point itself
  CHECK(P::Rag(pre, T("2026-06-22")) == "red");    // the day after it

  P::Child pending = pre;  // the initial meeting not held yet
  pending.initial_meeting_held.clear();
  CHECK(P::Rag(pending, T("2026-03-16")) == "green");  // due today
  CHECK(P::Rag(pending, T("2026-03-17")) == "red");    // overdue

  P::Child late = pre;  // held, but after its due date: amber from then on, in week 3
  late.initial_meeting_held = "2026-03-17";
  CHECK(P::WeeksElapsed(late, T("2026-03-18")) == 3);
  CHECK(P::Rag(late, T("2026-03-18")) == "amber");

  P::Child proc;
  proc.in_proceedings = true;
  proc.issued = "2026-04-06";
  proc.start_us = T("2026-04-06");
  proc.final_date = "2026-10-04";  // issue day + 181: the last day of week 26
  CHECK(P::WeeksElapsed(proc, T("2026-08-23")) == 20);
  CHECK(P::Rag(proc, T("2026-08-23")) == "green");
  CHECK(P::WeeksElapsed(proc, T("2026-08-24")) == 21);
  CHECK(P::Rag(proc, T("2026-08-24")) == "amber");
  CHECK(P::WeeksElapsed(proc, T("2026-10-04")) == 26);
  CHECK(P::Rag(proc, T("2026-10-04")) == "amber");  // the final-hearing day itself
  CHECK(P::WeeksElapsed(proc, T("2026-10-05")) == 27);
  CHECK(P::Rag(proc, T("2026-10-05")) == "red");    // the day after it
}

}  // namespace casetrail::replay::testing

namespace casetrail::replay::testing {

TEST_CASE("PLO tracker: the court recorded at issue and the next hearing each hearing lists", "[replay][projections]") {
  auto log = OpenMemoryEventLog();
  CaseService svc(*log);
  Record(svc, "r", "west-1", "court.application_issued", "2026-05-04", "legal",
         {{"track", "standard"}, {"court", "Birmingham Family Court"}, {"next_hearing", "2026-05-18"}}, "u");
  PloTrackerProjection plo;
  ProjectionRunner runner(*log);
  REQUIRE(runner.CatchUp(plo).ok());
  REQUIRE(plo.List().size() == 1);
  CHECK(plo.List()[0].court == "Birmingham Family Court");
  CHECK(plo.List()[0].next_hearing == "2026-05-18");
  // The case management hearing lists the issues resolution hearing; the last one lists none.
  Record(svc, "r", "west-1", "court.hearing_held", "2026-05-18", "legal",
         {{"hearing", "case_management"}, {"next_hearing", "2026-08-10"}}, "u");
  REQUIRE(runner.CatchUp(plo).ok());
  CHECK(plo.List()[0].next_hearing == "2026-08-10");
  CHECK(plo.List()[0].court == "Birmingham Family Court");
  Record(svc, "r", "west-1", "court.hearing_held", "2026-08-10", "legal", {{"hearing", "issues_resolution"}}, "u");
  REQUIRE(runner.CatchUp(plo).ok());
  CHECK(plo.List()[0].next_hearing.empty());
  // A rebuild from the log says the same.
  PloTrackerProjection rebuilt;
  REQUIRE(ProjectionRunner(*log).CatchUp(rebuilt).ok());
  CHECK(rebuilt.Serialize() == plo.Serialize());
}

TEST_CASE("PLO tracker: a placement change during proceedings is on the tracker, not one before the issue",
          "[replay][projections]") {
  auto log = OpenMemoryEventLog();
  CaseService svc(*log);
  const std::map<std::string, std::string> foster = {{"placement", "foster_care"}, {"long_term", "no"}};
  Record(svc, "m", "west-1", "cic.became_looked_after", "2026-04-01", "social_worker", {{"legal_status", "s20"}}, "u");
  Record(svc, "m", "west-1", "cic.placement_started", "2026-04-01", "social_worker", foster, "u");
  Record(svc, "m", "west-1", "court.application_issued", "2026-05-04", "legal", {{"track", "standard"}}, "u");
  Record(svc, "m", "west-1", "cic.placement_changed", "2026-06-15", "social_worker",
         {{"placement", "connected_person"}, {"long_term", "no"}, {"reason", "kinship carer approved"}}, "u");
  PloTrackerProjection plo;
  ProjectionRunner runner(*log);
  REQUIRE(runner.CatchUp(plo).ok());
  REQUIRE(plo.List().size() == 1);
  CHECK(plo.List()[0].placement_changes == std::vector<std::string>{"2026-06-15 changed connected_person"});
  PloTrackerProjection rebuilt;
  REQUIRE(ProjectionRunner(*log).CatchUp(rebuilt).ok());
  CHECK(rebuilt.Serialize() == plo.Serialize());
}

}  // namespace casetrail::replay::testing
