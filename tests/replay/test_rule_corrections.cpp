// A corrected rule (a new edition of the rule book) over a log written under the old one: the
// log replays to what it showed then, the next action recounts the child's open deadlines with
// an explicit deadline.rescheduled event, and every view, as-of question and rebuild follows.
//
// The case: CA 1989 s32(1)(a)(ii), "within the period of twenty-six weeks beginning with the day
// on which the application was issued". Edition 1 counted the 26 weeks after the issue day (one
// day late); edition 2 counts the issue day as day 1.
#include <catch2/catch.hpp>

#include <atomic>

#include "replay/audit.hpp"
#include "replay/projections/child_summary.hpp"
#include "replay/projections/chronology.hpp"
#include "replay/projections/deadlines.hpp"
#include "replay/projections/plo_tracker.hpp"
#include "replay/runner.hpp"
#include "tests/workflows/command_test_util.hpp"
#include "workflows/case_service.hpp"
#include "workflows/snapshots.hpp"

using namespace casetrail;
using namespace casetrail::replay;
using namespace casetrail::workflows;

namespace {

constexpr TimestampUs kHourUs = 3600LL * 1000000;

TimestampUs T(const std::string& date, int hour = 10) {
  return std::move(Date::Parse(date, "d")).value().StartUs() + hour * kHourUs;
}

// The rule book as casetrail first released it: edition 1 only.
const RuleBook& FirstEdition() {
  static const RuleBook book = [] {
    std::vector<RuleSet> sets;
    for (const auto& s : RuleBook::Default().sets()) {
      if (s.edition == 1) sets.push_back(s);
    }
    return RuleBook(std::move(sets));
  }();
  return book;
}

struct Fixture : casetrail::testing::ClockedLog {
  Fixture() : ClockedLog(T("2026-01-01")) {}
  // Records through `svc` (the rule book under test), an hour after the action, and requires it.
  CommandOutcome Do(CaseService& svc, const std::string& child, const std::string& action, const std::string& date,
                    const std::string& role, std::map<std::string, std::string> params = {}) {
    Advance(T(date) + kHourUs);
    return casetrail::testing::RequireAccepted(
        svc.Execute(casetrail::testing::MakeCommand(child, action, T(date), role, std::move(params))), action);
  }
};

std::string PayloadOf(EventLog& log, const std::string& child, std::uint64_t version) {
  auto e = log.ReadStream(StreamOf(child), version, Direction::kForward, 1);
  REQUIRE(e.ok());
  REQUIRE(e->size() == 1);
  return (*e)[0].payload;
}

}  // namespace

TEST_CASE("the 26-week limit: edition 2 counts the issue day as day 1, edition 1 as day 0",
          "[replay][rules]") {
  // CA 1989 s32(1)(a)(ii): issued 15 January 2026, the last day within the period is 15 July.
  const RuleBook& book = RuleBook::Default();
  CHECK(book.CurrentEdition() == 2);
  CHECK(book.Due("T-32", T("2026-01-15"))->due_date.ToString() == "2026-07-15");
  CHECK(book.Due("T-32", T("2026-01-15"), 1)->due_date.ToString() == "2026-07-16");
  CHECK(FirstEdition().CurrentEdition() == 1);
  CHECK(FirstEdition().Due("T-32", T("2026-01-15"))->due_date.ToString() == "2026-07-16");
}

TEST_CASE("a log written under edition 1 replays as it was, and the next action recounts the 26 weeks with an event",
          "[replay][rules]") {
  Fixture f;
  const std::string child = "c1";
  TimestampUs before_correction = 0;
  {
    // The first release records the issue and an extension of 2 weeks (s32(8): the extension
    // ends 2 weeks after the end of the period), and a CP strategy discussion (T-06, unchanged).
    CaseService old_release(*f.log, FirstEdition());
    auto issued = f.Do(old_release, child, "court.application_issued", "2026-01-15", "legal", {{"track", "standard"}});
    CHECK(issued.event_types == std::vector<std::string>{"court.application_issued", "deadline.scheduled"});
    CHECK_THAT(PayloadOf(*f.log, child, 2), Catch::Contains("\"due\":\"2026-07-16\""));
    CHECK_THAT(PayloadOf(*f.log, child, 1), Catch::Contains("\"rules_edition\":1"));
    f.Do(old_release, child, "court.extension_granted", "2026-07-01", "legal", {{"weeks", "2"}, {"reason", "expert"}});
    f.Do(old_release, "c2", "cp.strategy_discussion_held", "2026-07-01", "team_manager", {{"outcome", "s47"}});
    before_correction = f.now.load();
  }
  const std::uint64_t old_head = f.log->HeadPosition();

  // Replayed by the corrected release, the log shows what it showed then: 30 July.
  CaseService svc(*f.log);
  auto replayed = LoadCase(*f.log, child, RuleBook::Default());
  REQUIRE(replayed.ok());
  REQUIRE(replayed->c.OpenDeadlines().size() == 1);
  CHECK(replayed->c.OpenDeadlines()[0].due_date.ToString() == "2026-07-30");
  CHECK(replayed->c.OpenDeadlines()[0].rule_version == "rules-2018.1");
  CHECK(f.log->HeadPosition() == old_head);  // reading writes nothing

  // The next action is judged under edition 2: T-32 moves one day sooner, keeping the extension.
  auto hearing = f.Do(svc, child, "court.hearing_held", "2026-07-02", "legal", {{"hearing", "case_management"}});
  CHECK(hearing.event_types == std::vector<std::string>{"court.hearing_held", "deadline.rescheduled"});
  REQUIRE(hearing.verdict.rescheduled.size() == 1);
  CHECK(hearing.verdict.rescheduled[0].journey == "care_proceedings");
  CHECK(hearing.verdict.rescheduled[0].before.due_date.ToString() == "2026-07-30");
  CHECK(hearing.verdict.rescheduled[0].after.due_date.ToString() == "2026-07-29");
  const std::string moved = PayloadOf(*f.log, child, hearing.version);
  CHECK_THAT(moved, Catch::Contains("\"rule\":\"T-32\""));
  CHECK_THAT(moved, Catch::Contains("\"due\":\"2026-07-29\""));
  CHECK_THAT(moved, Catch::Contains("\"previous_due\":\"2026-07-30\""));
  CHECK_THAT(moved, Catch::Contains("\"previous_rule_version\":\"rules-2018.1\""));
  CHECK_THAT(moved, Catch::Contains("\"rule_version\":\"rules-2018.2\""));
  CHECK_THAT(moved, Catch::Contains("s32(1)(a)(ii)"));
  CHECK_THAT(PayloadOf(*f.log, child, hearing.version - 1), Catch::Contains("\"rules_edition\":2"));

  // A child whose deadlines the correction does not change gets no event.
  auto visit = f.Do(svc, "c2", "cp.s47_concluded", "2026-07-03", "social_worker", {{"outcome", "icpc"}});
  for (const auto& t : visit.event_types) CHECK(t != "deadline.rescheduled");

  // The views follow the event.
  DeadlinesProjection deadlines;
  ChildSummaryProjection summary;
  PloTrackerProjection plo;
  ChronologyProjection chronology;
  ProjectionRunner runner(*f.log);
  for (Projection* p : std::vector<Projection*>{&deadlines, &summary, &plo, &chronology}) REQUIRE(runner.CatchUp(*p).ok());
  int open_t32 = 0;
  for (const auto& d : deadlines.entries()) {
    if (d.child != child || d.rule != "T-32") continue;
    ++open_t32;
    CHECK(d.due == "2026-07-29");
    CHECK(d.rule_version == "rules-2018.2");
    CHECK(DeadlinesProjection::StatusAt(d, T("2026-07-29", 23)) == "open");
    CHECK(DeadlinesProjection::StatusAt(d, T("2026-07-30", 0)) == "breached");
  }
  CHECK(open_t32 == 1);  // the extension and the recount moved one deadline, not three
  REQUIRE(summary.Find(child));
  CHECK(summary.Find(child)->open_deadlines.at("T-32") == "2026-07-29");
  REQUIRE(plo.List().size() == 1);
  CHECK(plo.List()[0].final_date == "2026-07-29");
  auto chron = chronology.For(child, *f.log);
  REQUIRE(chron.ok());
  bool said = false;
  for (const auto& e : *chron) said |= e.text.find("Deadline T-32 moved from 2026-07-30 to 2026-07-29") == 0;
  CHECK(said);

  // As the record stood before the correction: 30 July; as it stands now: 29 July.
  Audit audit(*f.log);
  auto then = audit.AsOf(child, INT64_MAX, before_correction);
  REQUIRE(then.ok());
  REQUIRE(then->open_deadlines.size() == 1);
  CHECK(then->open_deadlines[0].due_date.ToString() == "2026-07-30");
  auto now = audit.AsOf(child);
  REQUIRE(now.ok());
  REQUIRE(now->open_deadlines.size() == 1);
  CHECK(now->open_deadlines[0].due_date.ToString() == "2026-07-29");
  auto trace = audit.Explain(child);
  REQUIRE(trace.ok());
  bool explained = false;
  for (const auto& step : *trace) {
    for (const auto& d : step.deadlines) {
      explained |= d == "rescheduled T-32 due 2026-07-29 (was due 2026-07-30 under rules-2018.1)";
    }
  }
  CHECK(explained);

  // A rebuild from the log equals the live case; a final order on 30 July is now late.
  CaseService rebuilt(*f.log);
  auto live = LoadCase(*f.log, child, RuleBook::Default());
  REQUIRE(live.ok());
  CHECK(live->c.OpenDeadlines()[0].due_date.ToString() == "2026-07-29");
  CHECK(live->c.Save() == [&] {
    Case c;
    auto events = f.log->ReadStream(StreamOf(child), 1, Direction::kForward, SIZE_MAX);
    REQUIRE(Fold(c, *events, 0, {}, {}).ok());
    return c.Save();
  }());
  auto order = f.Do(rebuilt, child, "court.final_order_made", "2026-07-30", "legal", {{"order", "care_order"}});
  CHECK(std::find(order.event_types.begin(), order.event_types.end(), "deadline.met_late") != order.event_types.end());
}

TEST_CASE("a refused action recounts nothing: the deadline moves with the next accepted one", "[replay][rules]") {
  Case c(FirstEdition());
  Action issue{"court.application_issued", T("2026-01-15"), "legal", {{"track", "standard"}}, 1};
  REQUIRE(c.Apply(issue).accepted());
  const std::string before = c.Save();
  Action refused{"court.final_order_made", T("2026-02-01"), "legal", {{"order", "care_order"}}, 2};
  auto v = c.Apply(refused);  // no case management hearing yet
  CHECK_FALSE(v.accepted());
  CHECK(v.rescheduled.empty());
  CHECK(c.OpenDeadlines()[0].due_date.ToString() == "2026-07-16");
  CHECK(c.Save() == before);
}

TEST_CASE("a correction's refold keeps one entry for a deadline an extension moved, and the views one deadline",
          "[replay][rules]") {
  Fixture f;
  CaseService svc(*f.log);
  f.Do(svc, "x", "court.application_issued", "2026-01-15", "legal", {{"track", "standard"}});
  auto ext = f.Do(svc, "x", "court.extension_granted", "2026-07-01", "legal", {{"weeks", "4"}, {"reason", "expert"}});
  auto fix = f.Do(svc, "x", kRecordCorrected, "2026-07-02", "legal",
                  {{"target_version", std::to_string(ext.version - 1)}, {"reason", "typo"}, {"set.reason", "expert report"}});
  CorrectionRecord record;
  REQUIRE(DecodeCorrection(kRecordCorrected, PayloadOf(*f.log, "x", fix.version), &record));
  int t32 = 0;
  for (const auto& d : record.deadlines) {
    if (d.rule != "T-32") continue;
    ++t32;
    CHECK(d.due == "2026-08-12");  // 15 July + 4 weeks
    CHECK(d.state == "open");
  }
  CHECK(t32 == 1);
  DeadlinesProjection deadlines;
  ProjectionRunner runner(*f.log);
  REQUIRE(runner.CatchUp(deadlines).ok());
  int open = 0;
  for (const auto& d : deadlines.entries()) open += d.rule == "T-32" && d.state == DeadlinesProjection::State::kOpen;
  CHECK(open == 1);
}
