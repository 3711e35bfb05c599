// The allegations projection (the LADO's register): each allegation's state, facts and timescales,
// and the summary's counts, with the resolution windows of KCSIE Part 4 counted from the referral.
#include "replay/projections/allegations.hpp"

#include <catch2/catch.hpp>

#include "replay/runner.hpp"
#include "tests/replay/projections/support.hpp"
#include "workflows/own_record.hpp"

namespace casetrail::replay::testing {

namespace {

void Lado(workflows::OwnRecordService& svc, const char* id, const char* action, const char* date,
          std::map<std::string, std::string> p) {
  workflows::OwnRecordCommand c;
  c.id = id;
  c.action = action;
  c.occurred_at = T(date) + 10 * 3600LL * 1000000;
  c.params = std::move(p);
  c.actor = Actor{"lado.patel", "lado_officer", "lado"};
  auto out = svc.Execute(c);
  REQUIRE(out.ok());
  INFO(action << ": " << out->verdict.reason);
  REQUIRE(out->accepted);
}

std::map<std::string, std::string> Referral(const char* raised) {
  return {{"concern_raised_on", raised}, {"sector", "education"}, {"employment", "paid"},
          {"subject", "x"}, {"criteria", "harmed_a_child"}, {"referrer", "employer"}};
}

}  // namespace

TEST_CASE("allegations: the register's states, outcomes, late timescales and resolution windows",
          "[replay][projections][lado]") {
  auto log = OpenMemoryEventLog();
  workflows::OwnRecordService svc(*log, workflows::AllegationRecord());
  CaseService cases(*log);
  Record(cases, "c1", "north-1", "cin.plan_started", "2026-03-02", "social_worker", {}, "u");  // ignored
  // A: referred in time, evaluated in time, concluded unfounded 20 days later (within a month).
  Lado(svc, "A", "lado.referral_received", "2026-03-03", Referral("2026-03-02"));
  Lado(svc, "A", "lado.initial_evaluation_completed", "2026-03-04", {{"outcome", "threshold_met"}});
  Lado(svc, "A", "lado.allegation_concluded", "2026-03-23", {{"outcome", "unfounded"}});
  // B: referred late (T-100), evaluated late (T-103), substantiated after two months.
  Lado(svc, "B", "lado.referral_received", "2026-03-10", Referral("2026-03-02"));
  Lado(svc, "B", "lado.initial_evaluation_completed", "2026-03-13", {{"outcome", "threshold_met"}});
  Lado(svc, "B", "lado.allegation_concluded", "2026-05-20", {{"outcome", "substantiated"}, {"dbs_referral", "yes"}});
  // C: advice only at evaluation. D: still awaiting evaluation, past its day.
  Lado(svc, "C", "lado.referral_received", "2026-03-16", Referral("2026-03-16"));
  Lado(svc, "C", "lado.initial_evaluation_completed", "2026-03-16", {{"outcome", "advice_given"}});
  Lado(svc, "D", "lado.referral_received", "2026-03-17", Referral("2026-03-17"));

  AllegationsProjection p;
  ProjectionRunner runner(*log);
  REQUIRE(runner.CatchUp(p).ok());
  REQUIRE(p.List().size() == 4);
  CHECK(p.List().front().id == "D");  // most recent first
  const auto* b = p.Find("B");
  REQUIRE(b);
  CHECK(b->state == "Concluded");
  CHECK(b->outcome == "substantiated");
  CHECK(b->dbs_referral == "yes");
  CHECK(b->t100.state == "met_late");
  CHECK(b->t103.state == "met_late");
  CHECK(p.Find("A")->t100.state == "met");
  CHECK(p.Find("C")->state == "ClosedAtEvaluation");
  CHECK(AllegationsProjection::StatusAt(p.Find("D")->t103, T("2026-03-20")) == "breached");
  CHECK(AllegationsProjection::StatusAt(p.Find("D")->t103, T("2026-03-17")) == "open");

  const auto s = p.Summarise(T("2026-03-01"), T("2026-04-01"), T("2026-06-01"));
  CHECK(s.referred == 4);
  CHECK(s.open == 1);
  CHECK(s.closed_at_evaluation == 1);
  CHECK(s.concluded == 2);
  CHECK(s.outcomes == std::map<std::string, int>{{"substantiated", 1}, {"unfounded", 1}});
  CHECK(s.t100_late == 1);
  CHECK(s.t103_late == 1);
  CHECK(s.t103_overdue == 1);
  CHECK(s.within_1_month == 1);   // A
  CHECK(s.within_3_months == 2);  // A and B
  CHECK(s.within_12_months == 2);
  CHECK(p.Summarise(T("2026-03-12"), T("2026-04-01"), T("2026-06-01")).referred == 2);  // C and D

  AllegationsProjection rebuilt;
  REQUIRE(runner.Rebuild(rebuilt).ok());
  CHECK(rebuilt.Serialize() == p.Serialize());
}

}  // namespace casetrail::replay::testing
