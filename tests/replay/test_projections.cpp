// Projections: given events, then the view; and rebuilding from position 1 equals live updating.
#include "replay/projections.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "replay/case_service.hpp"
#include "replay/chronology_text.hpp"

using namespace casetrail;
using namespace casetrail::replay;

namespace {

TimestampUs T(const std::string& date, int hour = 10) {
  return std::move(workflows::Date::Parse(date, "d")).value().StartUs() + hour * 3600LL * 1000000;
}

// Records an action through the pipeline and requires it to be accepted.
void Record(CaseService& svc, const std::string& child, const std::string& team, const std::string& action,
            const std::string& date, const std::string& role, std::map<std::string, std::string> params = {},
            const std::string& user = {}) {
  Command c;
  c.child_id = child;
  c.action = action;
  c.occurred_at = T(date);
  c.actor = Actor{user.empty() ? "u." + role : user, role, team};
  c.params = std::move(params);
  auto r = svc.Execute(c);
  REQUIRE(r.ok());
  INFO(action << ": " << r->verdict.verdict.reason);
  REQUIRE(r->accepted);
}

// The "do" lines of a scenario file, as commands for `child`.
std::vector<Command> ScenarioCommands(const std::filesystem::path& file, const std::string& child) {
  std::vector<Command> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream w(line);
    std::string verb, date, role;
    w >> verb;
    if (verb != "do") continue;
    Command c;
    c.child_id = child;
    w >> c.action >> date >> role;
    c.occurred_at = T(date);
    c.actor = Actor{"u." + role, role, "team-" + child.substr(0, 1)};
    std::string kv;
    while (w >> kv) {
      auto eq = kv.find('=');
      c.params[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

TEST_CASE("rebuilding projections from position 1 equals keeping them live", "[replay][projections]") {
  // A simulated caseload: every scenario journey, 30 children each, interleaved step by step.
  std::vector<std::vector<Command>> children;
  const std::filesystem::path dir = std::filesystem::path(CASETRAIL_SOURCE_DIR) / "tests/workflows/scenarios";
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (int copy = 0; copy < 30; ++copy) {
    for (std::size_t f = 0; f < files.size(); ++f) {
      children.push_back(ScenarioCommands(files[f], std::to_string(f) + "x" + std::to_string(copy)));
    }
  }
  EventLogOptions o;
  o.clock = [] { return T("2031-01-01"); };  // the scenarios run to 2030
  auto log = OpenMemoryEventLog(o);
  CaseService svc(*log);
  ProjectionRunner runner(*log);
  ChildSummaryProjection live_summary;
  ChronologyProjection live_chronology;
  std::size_t accepted = 0;
  for (std::size_t step = 0;; ++step) {
    bool any = false;
    for (auto& cmds : children) {
      if (step >= cmds.size()) continue;
      any = true;
      auto r = svc.Execute(cmds[step]);
      REQUIRE(r.ok());
      INFO(cmds[step].child_id << " " << cmds[step].action << ": " << r->verdict.verdict.reason);
      REQUIRE(r->accepted);
      ++accepted;
      if (accepted % 7 == 0) {  // live: catch up often, at irregular points
        REQUIRE(runner.CatchUp(live_summary).ok());
        REQUIRE(runner.CatchUp(live_chronology).ok());
      }
    }
    if (!any) break;
  }
  REQUIRE(runner.CatchUp(live_summary).ok());
  REQUIRE(runner.CatchUp(live_chronology).ok());
  ChildSummaryProjection rebuilt_summary;
  ChronologyProjection rebuilt_chronology;
  REQUIRE(runner.Rebuild(rebuilt_summary).ok());
  REQUIRE(runner.Rebuild(rebuilt_chronology).ok());
  CHECK(accepted > 1000);
  CHECK(log->HeadPosition() > 2000);
  CHECK(rebuilt_summary.Serialize() == live_summary.Serialize());
  CHECK(rebuilt_chronology.Serialize() == live_chronology.Serialize());
  CHECK(live_summary.position() == log->HeadPosition());
  CHECK(*log->GetCheckpoint("projection.child_summary.v1") == log->HeadPosition());
  // The summary agrees with the workflows' own view of every child.
  int with_active = 0;
  for (std::size_t f = 0; f < files.size(); ++f) {
    const std::string id = std::to_string(f) + "x0";
    auto c = svc.Load(id);
    REQUIRE(c.ok());
    const auto* s = live_summary.Find(id);
    REQUIRE(s != nullptr);
    std::map<Sym, Sym> active;
    for (const auto& j : c->ActiveJourneys()) active[j] = c->States().at(j);
    INFO(id);
    CHECK(s->journeys == active);
    with_active += active.empty() ? 0 : 1;
  }
  CHECK(with_active >= 3);
}

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
  // A care order ends the CP plan (X-02) and shows in the summary.
  run("cic.legal_status_changed", "2026-05-01", "legal", {{"legal_status", "care_order"}});
  REQUIRE(runner.CatchUp(summary).ok());
  s = summary.Find("77");
  CHECK(s->legal_status == "care_order");
  CHECK(s->journeys.count("child_protection") == 0);
  CHECK(s->last_worker == "u.legal");  // not the engine's derived consequence
  CHECK(summary.Find("nobody") == nullptr);
  auto caseload = summary.Caseload();
  CHECK(caseload.at("south-2").at("u.legal") == 1);
}

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
  CHECK(p.review_point == "2026-06-22");
  CHECK(PloTrackerProjection::Rag(p, T("2026-03-10")) == "green");
  CHECK(PloTrackerProjection::Rag(p, T("2026-03-17")) == "red");  // initial meeting overdue
  CHECK(PloTrackerProjection::WeeksElapsed(p, T("2026-03-10")) == 2);
  const auto& q = all[1];
  CHECK(q.final_date == "2026-10-05");
  CHECK(q.hearings.size() == 1);
  CHECK(PloTrackerProjection::WeeksElapsed(q, T("2026-04-06")) == 1);
  CHECK(PloTrackerProjection::Rag(q, T("2026-06-01")) == "green");
  CHECK(PloTrackerProjection::Rag(q, T("2026-09-01")) == "amber");
  CHECK(PloTrackerProjection::Rag(q, T("2026-10-06")) == "red");
  run("q", "south-2", "court.extension_granted", "2026-09-28", "legal", {{"weeks", "8"}, {"reason", "expert"}});
  REQUIRE(runner.CatchUp(plo).ok());
  auto q2 = plo.List("south-2");
  REQUIRE(q2.size() == 1);
  CHECK(q2[0].final_date == "2026-11-30");
  CHECK(PloTrackerProjection::Rag(q2[0], T("2026-10-06")) == "amber");
  CHECK(plo.List({}, "north").size() == 1);
  CHECK(plo.List("east-1").empty());
  // Issuing concludes pre-proceedings (X-01): p moves from pre-proceedings to proceedings.
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

// Red/amber/green at each threshold (replay/projection.hpp): pre-proceedings amber from week 12,
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
  pre.review_point = "2026-06-22";
  CHECK(P::WeeksElapsed(pre, T("2026-03-02")) == 1);
  CHECK(P::WeeksElapsed(pre, T("2026-05-17")) == 11);
  CHECK(P::Rag(pre, T("2026-05-17")) == "green");
  CHECK(P::WeeksElapsed(pre, T("2026-05-18")) == 12);
  CHECK(P::Rag(pre, T("2026-05-18")) == "amber");
  CHECK(P::Rag(pre, T("2026-06-22")) == "amber");  // the review point itself
  CHECK(P::Rag(pre, T("2026-06-23")) == "red");    // the day after it

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
  proc.final_date = "2026-10-05";
  CHECK(P::WeeksElapsed(proc, T("2026-08-23")) == 20);
  CHECK(P::Rag(proc, T("2026-08-23")) == "green");
  CHECK(P::WeeksElapsed(proc, T("2026-08-24")) == 21);
  CHECK(P::Rag(proc, T("2026-08-24")) == "amber");
  CHECK(P::Rag(proc, T("2026-10-05")) == "amber");  // the final-hearing day itself
  CHECK(P::Rag(proc, T("2026-10-06")) == "red");    // the day after it
}

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
