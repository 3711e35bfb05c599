// Time-driven actions (workflows/case.hpp): deadline.breached and case.age_reached, recorded by
// the scheduler as the engine itself when time passes; what they do to a case, who may record
// them, and how a late-recorded action or a correction overtakes them.
#include <catch2/catch.hpp>

#include <atomic>

#include "tests/workflows/command_test_util.hpp"
#include "tests/workflows/journey_test_util.hpp"
#include "workflows/case.hpp"
#include "workflows/case_service.hpp"
#include "workflows/snapshots.hpp"

using namespace casetrail;
using namespace casetrail::workflows;
using casetrail::workflows::testing::At;
using Params = std::map<std::string, std::string>;

namespace {

Action A(const std::string& name, TimestampUs at, const std::string& role, Params p = {}) {
  Action a;
  a.name = name;
  a.occurred_at_us = at;
  a.role = role;
  a.params = std::move(p);
  return a;
}
Action A(const std::string& name, const char* date, const std::string& role, Params p = {}) {
  return A(name, At(date), role, std::move(p));
}
TimestampUs Midnight(const char* date) { return std::move(Date::Parse(date, "d")).value().StartUs(); }

void Do(Case& c, const Action& a) {
  CaseVerdict v = c.Apply(a);
  INFO(a.name << ": " << v.verdict.reason);
  REQUIRE(v.accepted());
}

std::vector<DeadlineEffect::Kind> Kinds(const CaseVerdict& v) {
  std::vector<DeadlineEffect::Kind> out;
  for (const auto& d : v.verdict.deadlines) out.push_back(d.kind);
  return out;
}

bool HasConsequence(const CaseVerdict& v, const std::string& rule) {
  for (const auto& c : v.consequences) {
    if (c.rule == rule && c.verdict.accepted) return true;
  }
  return false;
}

// A strategy discussion on Monday 2 March 2026: the ICPC (T-06) is due by the end of Monday 23 March.
void AwaitingIcpc(Case& c) {
  Do(c, A("cp.strategy_discussion_held", "2026-03-02", "team_manager", {{"outcome", "s47"}}));
  Do(c, A("cp.s47_concluded", "2026-03-05", "social_worker", {{"outcome", "icpc"}}));
}

const Params kT06 = {{"rule", "T-06"}, {"due", "2026-03-23"}};

}  // namespace

TEST_CASE("a breach is recorded by the scheduler at the end of the last day, once, and the deadline stays open",
          "[workflows][time]") {
  Case c;
  AwaitingIcpc(c);
  CHECK(c.Apply(A(kDeadlineBreached, Midnight("2026-03-24"), "social_worker", kT06)).verdict.rule == "forbidden_role");
  // 23:59 on the last day is still in time (WT 2023: "within 15 working days").
  auto early = c.Apply(A(kDeadlineBreached, Midnight("2026-03-24") - 60'000'000, kSystemRole, kT06));
  CHECK(early.verdict.rule == "not_due");
  auto wrong_date = c.Apply(A(kDeadlineBreached, Midnight("2026-03-25"), kSystemRole, {{"rule", "T-06"}, {"due", "2026-03-24"}}));
  CHECK(wrong_date.verdict.rule == "not_due");
  CHECK_THAT(wrong_date.verdict.reason, Catch::Contains("is now due 2026-03-23"));

  auto breach = c.Apply(A(kDeadlineBreached, Midnight("2026-03-24"), kSystemRole, kT06));
  REQUIRE(breach.accepted());
  CHECK(breach.journey == "child_protection");
  CHECK(Kinds(breach) == std::vector<DeadlineEffect::Kind>{DeadlineEffect::Kind::kBreached});
  CHECK(c.OpenDeadlines().size() == 1);
  CHECK(c.OpenDeadlines()[0].breached_at_us == Midnight("2026-03-24"));
  CHECK(c.Apply(A(kDeadlineBreached, Midnight("2026-03-25"), kSystemRole, kT06)).verdict.rule == "already_breached");

  // The conference held late: met late, and the breach stands.
  auto icpc = c.Apply(A("cp.icpc_held", "2026-03-26", "cp_chair", {{"outcome", "cp_plan"}, {"category", "neglect"}}));
  REQUIRE(icpc.accepted());
  CHECK(Kinds(icpc).at(0) == DeadlineEffect::Kind::kMetLate);
}

TEST_CASE("an action recorded after the breach that met the deadline in time withdraws the breach", "[workflows][time]") {
  Case c;
  AwaitingIcpc(c);
  REQUIRE(c.Apply(A(kDeadlineBreached, Midnight("2026-03-24"), kSystemRole, kT06)).accepted());
  // Held on 20 March, recorded after the tick.
  auto icpc = c.Apply(A("cp.icpc_held", "2026-03-20", "cp_chair", {{"outcome", "cp_plan"}, {"category", "neglect"}}));
  REQUIRE(icpc.accepted());
  REQUIRE(Kinds(icpc).size() >= 2);
  CHECK(Kinds(icpc)[0] == DeadlineEffect::Kind::kBreachCancelled);
  CHECK(Kinds(icpc)[1] == DeadlineEffect::Kind::kMet);
}

TEST_CASE("a deadline met before the tick cannot be breached", "[workflows][time]") {
  Case c;
  AwaitingIcpc(c);
  Do(c, A("cp.icpc_held", "2026-03-20", "cp_chair", {{"outcome", "cp_plan"}, {"category", "neglect"}}));
  auto breach = c.Apply(A(kDeadlineBreached, Midnight("2026-03-24"), kSystemRole, kT06));
  CHECK(breach.verdict.rule == "not_due");
  CHECK_THAT(breach.verdict.reason, Catch::Contains("T-06 is not open"));
}

TEST_CASE("CA 1989 s32(8): an extension granted after the 26 weeks were breached can itself be breached",
          "[workflows][time]") {
  Case c;
  Do(c, A("court.application_issued", "2026-01-15", "legal", {{"track", "standard"}}));
  REQUIRE(c.Apply(A(kDeadlineBreached, Midnight("2026-07-16"), kSystemRole, {{"rule", "T-32"}, {"due", "2026-07-15"}}))
              .accepted());
  Do(c, A("court.extension_granted", "2026-07-20", "legal", {{"weeks", "4"}, {"reason", "expert report"}}));
  REQUIRE(c.OpenDeadlines().size() == 1);
  CHECK(c.OpenDeadlines()[0].due_date.ToString() == "2026-08-12");
  CHECK(c.OpenDeadlines()[0].breached_at_us == 0);
  CHECK(c.Apply(A(kDeadlineBreached, Midnight("2026-08-13"), kSystemRole, {{"rule", "T-32"}, {"due", "2026-08-12"}}))
            .accepted());
}

TEST_CASE("case.age_reached: only the scheduler, only on the birthday, and FLRA 1969 s9 puts a 29 February birthday on 1 March",
          "[workflows][time]") {
  Case c;
  Do(c, A("case.child_registered", "2020-01-10", "social_worker", {{"date_of_birth", "2008-02-29"}}));
  CHECK(c.Apply(A(kAgeReached, Midnight("2026-03-01"), "team_manager", {{"age", "18"}})).verdict.rule == "forbidden_role");
  CHECK(c.Apply(A(kAgeReached, Midnight("2026-03-01"), kSystemRole, {{"age", "17"}})).verdict.rule == "invalid_parameter");
  auto early = c.Apply(A(kAgeReached, Midnight("2026-02-28"), kSystemRole, {{"age", "18"}}));
  CHECK(early.verdict.rule == "invalid_parameter");
  CHECK_THAT(early.verdict.reason, Catch::Contains("2026-03-01"));
  CHECK(c.Apply(A(kAgeReached, Midnight("2026-03-01"), kSystemRole, {{"age", "18"}})).accepted());
  // In a leap year the birthday is 29 February itself.
  Case d;
  Do(d, A("case.child_registered", "2020-01-10", "social_worker", {{"date_of_birth", "2008-02-29"}}));
  CHECK(d.Apply(A(kAgeReached, Midnight("2024-02-29"), kSystemRole, {{"age", "16"}})).accepted());
  Case unknown;
  CHECK(unknown.Apply(A(kAgeReached, Midnight("2024-02-29"), kSystemRole, {{"age", "16"}})).verdict.rule ==
        "invalid_parameter");
}

TEST_CASE("the age rules run on the birthday: eligible at 16 (X-06), former relevant at 18 (X-08), support ends at 25 (X-16)",
          "[workflows][time]") {
  Case c;
  Do(c, A("case.child_registered", "2023-05-01", "social_worker", {{"date_of_birth", "2008-03-01"}}));
  Do(c, A("cic.became_looked_after", "2023-06-01", "social_worker", {{"legal_status", "s20"}}));
  auto sixteen = c.Apply(A(kAgeReached, Midnight("2024-03-01"), kSystemRole, {{"age", "16"}}));
  REQUIRE(sixteen.accepted());
  CHECK(HasConsequence(sixteen, "X-06"));  // 274 days looked after since the 14th birthday
  CHECK(c.States().at("leaving_care") == "EligibleChild");
  auto eighteen = c.Apply(A(kAgeReached, Midnight("2026-03-01"), kSystemRole, {{"age", "18"}}));
  REQUIRE(eighteen.accepted());
  CHECK(HasConsequence(eighteen, "X-08"));
  CHECK(c.States().at("leaving_care") == "FormerRelevantChild");
  auto twenty_one = c.Apply(A(kAgeReached, Midnight("2029-03-01"), kSystemRole, {{"age", "21"}}));
  REQUIRE(twenty_one.accepted());
  CHECK(twenty_one.consequences.empty());
  REQUIRE(twenty_one.verdict.flags_raised.size() == 1);
  CHECK_THAT(twenty_one.verdict.flags_raised[0], Catch::Contains("continues to 25"));
  auto twenty_five = c.Apply(A(kAgeReached, Midnight("2033-03-01"), kSystemRole, {{"age", "25"}}));
  REQUIRE(twenty_five.accepted());
  CHECK(HasConsequence(twenty_five, "X-16"));
  CHECK(c.States().at("leaving_care") == "NotACareLeaver");
}

TEST_CASE("X-15: turning 18 on a child protection plan raises a flag", "[workflows][time]") {
  Case c;
  Do(c, A("case.child_registered", "2026-01-02", "social_worker", {{"date_of_birth", "2008-04-01"}}));
  Do(c, A("cp.strategy_discussion_held", "2026-01-05", "team_manager", {{"outcome", "s47"}}));
  Do(c, A("cp.s47_concluded", "2026-01-06", "social_worker", {{"outcome", "icpc"}}));
  Do(c, A("cp.icpc_held", "2026-01-20", "cp_chair", {{"outcome", "cp_plan"}, {"category", "neglect"}}));
  auto v = c.Apply(A(kAgeReached, Midnight("2026-04-01"), kSystemRole, {{"age", "18"}}));
  REQUIRE(v.accepted());
  REQUIRE(v.verdict.flags_raised.size() == 1);
  CHECK_THAT(v.verdict.flags_raised[0], Catch::StartsWith("X-15"));
}

namespace {
struct Pipeline : casetrail::testing::ClockedLog {
  Pipeline() : ClockedLog(At("2026-03-02")) {}
  CaseService svc{*log};
  Result<CommandOutcome> Run(const std::string& action, TimestampUs at, const std::string& role, Params p,
                             std::string command_id = {}) {
    Advance(at + 3600LL * 1000000);
    Command c = casetrail::testing::MakeCommand("k1", action, at, role, std::move(p));
    if (role == kSystemRole) c.actor = Actor{"scheduler", kSystemRole, ""};
    c.command_id = std::move(command_id);
    return svc.Execute(c);
  }
};
}  // namespace

TEST_CASE("through the pipeline: a breach is one event with the deadline, a retried tick writes nothing more",
          "[workflows][time]") {
  Pipeline p;
  REQUIRE(p.Run("cp.strategy_discussion_held", At("2026-03-02"), "team_manager", {{"outcome", "s47"}})->accepted);
  const std::string id = "time:k1:breach:T-06:2026-03-23";
  auto breach = p.Run(kDeadlineBreached, Midnight("2026-03-24"), kSystemRole, kT06, id);
  REQUIRE(breach.ok());
  REQUIRE(breach->accepted);
  CHECK(breach->event_types == std::vector<std::string>{"deadline.breached"});
  auto events = p.log->ReadStream("child-k1", breach->version, Direction::kForward, 1);
  REQUIRE(events.ok());
  const auto& e = (*events)[0];
  CHECK(e.journey == "child_protection");
  CHECK(e.actor.role == "system");
  CHECK_THAT(e.payload, Catch::Contains("\"rule\":\"T-06\""));
  CHECK_THAT(e.payload, Catch::Contains("\"due\":\"2026-03-23\""));
  const auto head = p.log->HeadPosition();
  auto again = p.Run(kDeadlineBreached, Midnight("2026-03-24"), kSystemRole, kT06, id);
  REQUIRE(again.ok());
  CHECK(again->append.duplicate);
  CHECK(p.log->HeadPosition() == head);
  // A rebuilt case knows the breach (it is folded), so a second scheduler is refused.
  CaseService fresh(*p.log);
  auto state = LoadCase(*p.log, "k1", RuleBook::Default());
  REQUIRE(state.ok());
  CHECK(state->c.OpenDeadlines().at(0).breached_at_us == Midnight("2026-03-24"));
  // The breach itself cannot be corrected or withdrawn by a person.
  auto withdraw = p.Run(kRecordWithdrawn, At("2026-03-25"), "team_manager",
                        {{"target_version", std::to_string(breach->version)}, {"reason", "x"}});
  CHECK(withdraw.status().IsInvalidArgument());
}

TEST_CASE("a correction that moves the deadline past a recorded breach keeps the breach in the log and out of the case",
          "[workflows][time]") {
  Pipeline p;
  auto sd = p.Run("cp.strategy_discussion_held", At("2026-03-02"), "team_manager", {{"outcome", "s47"}});
  REQUIRE(sd->accepted);
  REQUIRE(p.Run(kDeadlineBreached, Midnight("2026-03-24"), kSystemRole, kT06)->accepted);
  // The strategy discussion was really on 9 March: T-06 is due 30 March, not breached.
  auto fix = p.Run(kRecordCorrected, At("2026-03-25"), "team_manager",
                   {{"target_version", "1"}, {"reason", "wrong date"}, {"occurred_on", "2026-03-09"}});
  REQUIRE(fix.ok());
  INFO(fix->verdict.verdict.reason);
  REQUIRE(fix->accepted);
  auto state = LoadCase(*p.log, "k1", RuleBook::Default());
  REQUIRE(state.ok());
  REQUIRE(state->c.OpenDeadlines().size() == 1);
  CHECK(state->c.OpenDeadlines()[0].due_date.ToString() == "2026-03-30");
  CHECK(state->c.OpenDeadlines()[0].breached_at_us == 0);
}
