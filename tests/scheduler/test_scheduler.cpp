// The scheduler (scheduler/scheduler.hpp): what time makes happen, written once, in business-time
// order, through the pipeline; and its index, a projection that a rebuild reproduces.
#include "scheduler/scheduler.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <map>

#include "replay/runner.hpp"
#include "replay/projections/deadlines.hpp"
#include "tests/workflows/command_test_util.hpp"

using namespace casetrail;
using namespace casetrail::scheduler;
using workflows::Date;

namespace {

constexpr TimestampUs kHourUs = 3600LL * 1000000;
TimestampUs T(const std::string& date, int hour = 10) {
  return std::move(Date::Parse(date, "d")).value().StartUs() + hour * kHourUs;
}
TimestampUs Midnight(const std::string& date) { return std::move(Date::Parse(date, "d")).value().StartUs(); }

struct Fixture : casetrail::testing::ClockedLog {
  Fixture() : ClockedLog(T("2026-01-01")) {}
  workflows::CaseService cases{*log};
  DueIndex index;
  replay::ProjectionRunner runner{*log};
  Scheduler sched{cases, index, [this] {
                    auto r = runner.CatchUp(index);
                    return r.ok() ? Status::Ok() : r.status();
                  }};

  // Records an action as a person, `recorded` (default: an hour after it happened).
  void Do(const std::string& child, const std::string& action, const std::string& date, const std::string& role,
          std::map<std::string, std::string> params = {}, TimestampUs recorded = 0) {
    Advance(recorded ? recorded : T(date) + kHourUs);
    casetrail::testing::RequireAccepted(
        cases.Execute(casetrail::testing::MakeCommand(child, action, T(date), role, std::move(params))), action);
  }
  TickReport Tick(TimestampUs until) {
    Advance(until + kHourUs);
    auto r = sched.Tick(until);
    REQUIRE(r.ok());
    INFO(r->errors.size() << " errors, first: " << (r->errors.empty() ? "" : r->errors[0]));
    REQUIRE(r->errors.empty());
    return *r;
  }
  // Every time-driven event in log order: "<child> <type> <rule or age> <occurred date>".
  std::vector<std::string> TimeEvents() {
    std::vector<std::string> out;
    Status s = log->ReadAll({}, [&](const EventView& e) {
      if (e.type != "deadline.breached" && e.type != "case.age_reached" && e.type != "deadline.breach_cancelled") {
        return true;
      }
      const auto params = workflows::DecodeActionPayload(e.payload).params;
      auto p = [&](const char* k) { return params.count(k) ? params.at(k) : std::string(); };
      out.push_back(workflows::ChildIdOf(e.stream) + " " + std::string(e.type) + " " + p("rule") + p("age") + " " +
                    Date::FromTimestampUs(e.occurred_at).ToString());
      return true;
    });
    REQUIRE(s.ok());
    return out;
  }
};

void StrategyDiscussion(Fixture& f, const std::string& child, const std::string& date) {
  f.Do(child, "cp.strategy_discussion_held", date, "team_manager", {{"outcome", "s47"}});
}

}  // namespace

TEST_CASE("a tick writes each breach once, at the end of the last day, and a second tick writes nothing",
          "[scheduler]") {
  Fixture f;
  StrategyDiscussion(f, "a", "2026-03-02");  // T-06 due Monday 23 March
  CHECK(f.Tick(Midnight("2026-03-24") - 1).due == 0);  // the last day is not over
  auto first = f.Tick(Midnight("2026-03-24"));
  CHECK(first.due == 1);
  CHECK(first.written == 1);
  CHECK(f.TimeEvents() == std::vector<std::string>{"a deadline.breached T-06 2026-03-24"});
  auto second = f.Tick(Midnight("2026-03-25"));
  CHECK(second.due == 0);
  CHECK(second.written == 0);
  CHECK(f.TimeEvents().size() == 1);
  // A scheduler that never saw the index (a second one, or a restart whose index lags) sends the
  // same command id: the log answers with the original append.
  auto again = f.cases.Execute(CommandFor(DueItem{Midnight("2026-03-24"), "a", DueItem::Kind::kBreach, "T-06",
                                                  "2026-03-23", "child_protection", 0, ""}));
  REQUIRE(again.ok());
  CHECK(again->append.duplicate);
  CHECK(f.TimeEvents().size() == 1);
}

TEST_CASE("after downtime the first tick catches up in business-time order", "[scheduler]") {
  Fixture f;
  StrategyDiscussion(f, "late", "2026-03-16");   // T-06 due 8 April (Good Friday and Easter Monday are not working days)
  StrategyDiscussion(f, "early", "2026-03-02");  // T-06 due 23 March
  f.Do("born", "case.child_registered", "2026-03-03", "social_worker", {{"date_of_birth", "2010-03-20"}});
  f.Do("born", "fd.contact_received", "2026-03-03", "cass_worker", {{"source", "school"}});
  auto r = f.Tick(Midnight("2026-04-30"));
  CHECK(r.written == 4);
  CHECK(f.TimeEvents() == std::vector<std::string>{"born deadline.breached T-01 2026-03-05",
                                                   "born case.age_reached 16 2026-03-20",
                                                   "early deadline.breached T-06 2026-03-24",
                                                   "late deadline.breached T-06 2026-04-09"});
}

TEST_CASE("a late-recorded action that met the deadline before the tick cancels it, and after the tick withdraws the breach",
          "[scheduler]") {
  Fixture f;
  StrategyDiscussion(f, "before", "2026-03-02");
  StrategyDiscussion(f, "after", "2026-03-02");
  for (const char* child : {"before", "after"}) {
    f.Do(child, "cp.s47_concluded", "2026-03-05", "social_worker", {{"outcome", "icpc"}});
  }
  // "before": the conference on 20 March is recorded on the 25th, before the tick of the 26th.
  f.Do("before", "cp.icpc_held", "2026-03-20", "cp_chair", {{"outcome", "cp_plan"}, {"category", "neglect"}},
       T("2026-03-25"));
  auto tick = f.Tick(Midnight("2026-03-26"));
  CHECK(tick.written == 1);  // only "after"'s
  // "after": held on 20 March too, recorded after the breach was written.
  f.Do("after", "cp.icpc_held", "2026-03-20", "cp_chair", {{"outcome", "cp_plan"}, {"category", "neglect"}},
       T("2026-03-27"));
  CHECK(f.TimeEvents() == std::vector<std::string>{"after deadline.breached T-06 2026-03-24",
                                                   "after deadline.breach_cancelled T-06 2026-03-20"});
  replay::DeadlinesProjection deadlines;
  REQUIRE(f.runner.CatchUp(deadlines).ok());
  for (const auto& d : deadlines.entries()) {
    if (d.rule != "T-06") continue;
    INFO(d.child);
    CHECK(d.state == replay::DeadlinesProjection::State::kMet);
    CHECK(d.breach_recorded_at == 0);
  }
  CHECK(f.Tick(Midnight("2026-03-30")).written == 0);
}

TEST_CASE("the scheduler's birthdays: 29 February on 1 March, only while the child is open, never before the record",
          "[scheduler]") {
  Fixture f;
  // Open since 2025: 16 on 1 March 2025 is before the record began; 18 on 1 March 2027 is not.
  f.Do("leap", "case.child_registered", "2025-06-02", "social_worker", {{"date_of_birth", "2009-02-28"}});
  f.Do("leap29", "case.child_registered", "2025-06-02", "social_worker", {{"date_of_birth", "2008-02-29"}});
  f.Do("leap29", "fd.contact_received", "2025-06-02", "cass_worker", {{"source", "school"}});
  f.Do("closed", "case.child_registered", "2025-06-02", "social_worker", {{"date_of_birth", "2008-02-29"}});
  auto r = f.Tick(Midnight("2026-03-02"));
  const auto events = f.TimeEvents();
  CHECK(std::count(events.begin(), events.end(), "leap29 case.age_reached 18 2026-03-01") == 1);
  for (const auto& e : events) CHECK(e.rfind("closed", 0) != 0);   // no active journey
  for (const auto& e : events) CHECK(e.rfind("leap ", 0) != 0);    // no active journey either
}

TEST_CASE("the index rebuilt from a log with time-driven events equals the live one", "[scheduler]") {
  Fixture f;
  StrategyDiscussion(f, "a", "2026-03-02");
  f.Do("b", "court.application_issued", "2026-01-15", "legal", {{"track", "standard"}});
  f.Tick(Midnight("2026-03-24"));
  f.Do("a", "cp.s47_concluded", "2026-03-25", "social_worker", {{"outcome", "icpc"}});
  f.Do("b", "court.extension_granted", "2026-07-20", "legal", {{"weeks", "4"}, {"reason", "expert"}});
  f.Tick(Midnight("2026-07-17"));
  REQUIRE(f.runner.CatchUp(f.index).ok());
  DueIndex rebuilt;
  replay::ProjectionRunner fresh(*f.log);
  REQUIRE(fresh.CatchUp(rebuilt).ok());
  CHECK(rebuilt.Serialize() == f.index.Serialize());
  CHECK(f.index.open_deadlines() == 2);
}

TEST_CASE("reminders: deadline.due_soon from the 3rd working day before the last day, once, for the child's team",
          "[scheduler]") {
  Fixture f;
  DueIndex index(3);
  Scheduler sched(f.cases, index, [&] {
    auto r = f.runner.CatchUp(index);
    return r.ok() ? Status::Ok() : r.status();
  });
  StrategyDiscussion(f, "a", "2026-03-02");  // T-06 due Monday 23 March: reminded from Wednesday 18 March
  f.Do("a", "cp.s47_concluded", "2026-03-04", "social_worker", {{"outcome", "icpc"}});
  f.now = T("2026-03-25");
  CHECK(sched.Tick(Midnight("2026-03-18") - 1)->written == 0);
  auto r = sched.Tick(Midnight("2026-03-18"));
  REQUIRE(r.ok());
  CHECK(r->written == 1);
  CHECK(sched.Tick(Midnight("2026-03-20"))->written == 0);
  std::vector<std::string> teams;
  REQUIRE(f.log->ReadAll({}, [&](const EventView& e) {
    if (e.type == "deadline.due_soon") {
      teams.push_back(std::string(e.actor_team));
      CHECK(e.occurred_at == Midnight("2026-03-18"));
      CHECK(std::string(e.payload).find("\"notice_working_days\":3") != std::string::npos);
      CHECK(std::string(e.payload).find("\"due\":\"2026-03-23\"") != std::string::npos);
    }
    return true;
  }).ok());
  CHECK(teams == std::vector<std::string>{"north-1"});  // the team of the people who record on the child
  // Met before its reminder: none is sent. A deadline scheduled inside its notice (T-01: one
  // working day) is reminded when it is scheduled.
  f.Do("b", "fd.contact_received", "2026-03-23", "cass_worker", {{"source", "school"}});
  auto soon = sched.Tick(Midnight("2026-03-23") + 12 * kHourUs);
  REQUIRE(soon.ok());
  CHECK(soon->written == 1);
  // After the last day, no reminder: the breach says it.
  f.Do("c", "fd.contact_received", "2026-03-02", "cass_worker", {{"source", "school"}}, T("2026-03-25"));
  auto late = sched.Tick(Midnight("2026-03-26"));
  REQUIRE(late.ok());
  int reminders = 0;
  REQUIRE(f.log->ReadAll({}, [&](const EventView& e) {
    reminders += e.type == "deadline.due_soon" && workflows::ChildIdOf(e.stream) == "c";
    return true;
  }).ok());
  CHECK(reminders == 0);
}

TEST_CASE("time-driven events are filed under the team that holds the child by allocation, not its recorders'",
          "[scheduler][allocation]") {
  Fixture f;
  StrategyDiscussion(f, "d", "2026-03-02");  // T-06 due Monday 23 March, recorded by north-1
  f.Do("d", "alloc.team_allocated", "2026-03-03", "team_manager", {{"team", "south-2"}});
  f.Tick(Midnight("2026-03-24"));
  std::vector<std::string> teams;
  REQUIRE(f.log->ReadAll({}, [&](const EventView& e) {
    if (e.type == "deadline.breached" && workflows::ChildIdOf(e.stream) == "d") teams.push_back(std::string(e.actor_team));
    return true;
  }).ok());
  // South-2's due-soon and breach subscriptions (GET /v1/subscribe?...&team=south-2) hear of it.
  CHECK(teams == std::vector<std::string>{"south-2"});
}
