// The child protection journey: every row, every refusal, roles, parameters and deadlines.
#include <catch2/catch.hpp>

#include <set>

#include "tests/workflows/journey_test_util.hpp"
#include "workflows/journey.hpp"

using namespace casetrail::workflows;

namespace {

std::int64_t At(const char* date, int hour = 10) {
  return std::move(Date::Parse(date, "d")).value().StartUs() + hour * 3600LL * 1000000;
}

Action Act(const std::string& name, const char* date, std::map<std::string, std::string> params = {},
           std::string role = {}) {
  static const std::map<std::string, std::string> kRoleFor = {
      {"cp.strategy_discussion_held", "team_manager"}, {"cp.s47_concluded", "social_worker"},
      {"cp.icpc_held", "cp_chair"},                    {"cp.core_group_held", "social_worker"},
      {"cp.visit_held", "social_worker"},              {"cp.midway_review_held", "cp_chair"},
      {"cp.review_conference_held", "cp_chair"},       {"cp.plan_ended", "team_manager"}};
  Action a;
  a.name = name;
  a.occurred_at_us = At(date);
  a.role = role.empty() ? kRoleFor.at(name) : role;
  a.params = std::move(params);
  return a;
}

// A journey brought to `state` by a realistic path.
std::unique_ptr<Journey> Reach(const std::string& state) {
  auto j = NewChildProtection();
  const std::vector<std::pair<std::string, Action>> path = {
      {"S47Enquiry", Act("cp.strategy_discussion_held", "2026-03-02", {{"outcome", "s47"}})},
      {"AwaitingIcpc", Act("cp.s47_concluded", "2026-03-09", {{"outcome", "icpc"}})},
      {"OnCpPlan", Act("cp.icpc_held", "2026-03-16", {{"outcome", "cp_plan"}, {"category", "neglect"}})}};
  for (const auto& [reached, action] : path) {
    if (j->State() == state) break;
    REQUIRE(j->Apply(action).accepted);
    REQUIRE(j->State() == reached);
  }
  REQUIRE(j->State() == state);
  return j;
}

// The path of Reach, and parameters that make each guard hold (and satisfy the action's required
// parameters), for the table-driven checks every journey shares.
testing::JourneyFixture ChildProtectionFixture() {
  testing::JourneyFixture f;
  f.make = [] { return NewChildProtection(); };
  const std::pair<std::string, testing::Params> strategy = {"cp.strategy_discussion_held", {{"outcome", "s47"}}};
  const std::pair<std::string, testing::Params> s47 = {"cp.s47_concluded", {{"outcome", "icpc"}}};
  f.paths["S47Enquiry"] = {strategy};
  f.paths["AwaitingIcpc"] = {strategy, s47};
  f.paths["OnCpPlan"] = {strategy, s47, {"cp.icpc_held", {{"outcome", "cp_plan"}, {"category", "neglect"}}}};
  f.guard_params = {{"DecidedS47", {{"outcome", "s47"}}},
                    {"DecidedNoS47", {{"outcome", "no_s47"}}},
                    {"ConferenceRequired", {{"outcome", "icpc"}}},
                    {"NoConferenceRequired", {{"outcome", "no_icpc"}}},
                    {"PlanDecided", {{"outcome", "cp_plan"}, {"category", "neglect"}}},
                    {"NoPlanDecided", {{"outcome", "no_plan"}}},
                    {"PlanContinues", {{"outcome", "continue"}}},
                    {"PlanToEnd", {{"outcome", "end"}}}};
  f.action_params = {{"cp.plan_ended", {{"reason", "became_looked_after"}}},
                     {"cp.strategy_discussion_held", {{"outcome", "s47"}}}};
  return f;
}

}  // namespace

TEST_CASE("child protection: the table describes itself", "[workflows][cp]") {
  auto j = NewChildProtection();
  const TableDescription& t = j->Table();
  CHECK(t.journey == "child_protection");
  CHECK(t.initial_state == "NoCpInvolvement");
  CHECK(std::set<std::string>(t.states.begin(), t.states.end()) ==
        std::set<std::string>{"NoCpInvolvement", "S47Enquiry", "AwaitingIcpc", "OnCpPlan"});
  CHECK(t.rows.size() == 13);
  CHECK(t.actions.size() == 8);
  CHECK(t.fingerprint.size() == 64);
  CHECK(j->State() == "NoCpInvolvement");
  CHECK(j->AllowedActions() == std::vector<std::string>{"cp.strategy_discussion_held"});
}

TEST_CASE("child protection: every row of the table can be taken", "[workflows][cp]") {
  testing::CheckEveryRow(ChildProtectionFixture());
}

TEST_CASE("child protection: every action without a row is refused and changes nothing",
          "[workflows][cp]") {
  CHECK(testing::CheckEveryRefusal(ChildProtectionFixture()) == 4 * 8 - 9);  // 9 (state, action) pairs have rows
}

TEST_CASE("child protection: only the named roles may record each action", "[workflows][cp]") {
  auto j = Reach("AwaitingIcpc");
  for (const char* role : {"social_worker", "team_manager", "auditor", "iro", "(none)"}) {
    Action a = Act("cp.icpc_held", "2026-03-16", {{"outcome", "cp_plan"}, {"category", "neglect"}}, role);
    if (a.role == "(none)") a.role.clear();
    Verdict v = j->Apply(a);
    INFO(role);
    CHECK_FALSE(v.accepted);
    CHECK(v.rule == "forbidden_role");
    CHECK_THAT(v.reason, Catch::Contains("cp_chair"));
  }
  CHECK(j->State() == "AwaitingIcpc");
  CHECK(j->OpenDeadlines().size() == 1);
}

TEST_CASE("child protection: parameters are checked and named", "[workflows][cp]") {
  auto j = Reach("AwaitingIcpc");
  Verdict missing = j->Apply(Act("cp.icpc_held", "2026-03-16"));
  CHECK(missing.rule == "invalid_parameter");
  CHECK_THAT(missing.reason, Catch::Contains("'outcome' is required"));
  Verdict bad = j->Apply(Act("cp.icpc_held", "2026-03-16", {{"outcome", "maybe"}}));
  CHECK(bad.rule == "invalid_parameter");
  CHECK_THAT(bad.reason, Catch::Contains("cp_plan, no_plan"));
  Verdict no_category = j->Apply(Act("cp.icpc_held", "2026-03-16", {{"outcome", "cp_plan"}}));
  CHECK(no_category.rule == "invalid_parameter");
  CHECK_THAT(no_category.reason, Catch::Contains("'category'"));
  Verdict unknown = j->Apply(Act("cp.strategy_discussion_held", "2026-03-16", {}, "team_manager"));
  CHECK(unknown.rule == "no_transition");  // not allowed in AwaitingIcpc, whatever its parameters
  CHECK(j->State() == "AwaitingIcpc");
}

TEST_CASE("child protection: a plan's journey schedules and meets its deadlines", "[workflows][cp]") {
  auto j = NewChildProtection();
  Verdict sd = j->Apply(Act("cp.strategy_discussion_held", "2026-12-16", {{"outcome", "s47"}}));
  REQUIRE(sd.accepted);
  CHECK(sd.guard == "DecidedS47");
  REQUIRE(sd.deadlines.size() == 1);
  CHECK(sd.deadlines[0].kind == DeadlineEffect::Kind::kScheduled);
  CHECK(sd.deadlines[0].deadline.rule_id == "T-06");
  CHECK(sd.deadlines[0].deadline.due_date.ToString() == "2027-01-11");

  REQUIRE(j->Apply(Act("cp.s47_concluded", "2026-12-22", {{"outcome", "icpc"}})).accepted);
  Verdict icpc = j->Apply(Act("cp.icpc_held", "2027-01-11", {{"outcome", "cp_plan"}, {"category", "emotional_abuse"}}));
  REQUIRE(icpc.accepted);
  CHECK(icpc.deadlines[0].kind == DeadlineEffect::Kind::kMet);
  std::set<std::string> scheduled;
  for (const auto& d : icpc.deadlines) {
    if (d.kind == DeadlineEffect::Kind::kScheduled) scheduled.insert(d.deadline.rule_id);
  }
  CHECK(scheduled == std::set<std::string>{"N-08", "T-08", "N-10", "T-09"});
  for (const auto& d : icpc.deadlines) {
    if (d.deadline.rule_id == "T-09") CHECK(d.deadline.due_date.ToString() == "2029-01-11");
  }

  // The core group is late (10 working days after 11 Jan is 25 Jan).
  Verdict cg = j->Apply(Act("cp.core_group_held", "2027-01-26"));
  REQUIRE(cg.accepted);
  REQUIRE(cg.deadlines.size() == 1);
  CHECK(cg.deadlines[0].kind == DeadlineEffect::Kind::kMetLate);
  CHECK(cg.deadlines[0].deadline.due_date.ToString() == "2027-01-25");

  Verdict visit = j->Apply(Act("cp.visit_held", "2027-01-20"));
  REQUIRE(visit.accepted);
  CHECK(visit.deadlines.size() == 2);  // met, and the next one scheduled
  Verdict rcpc = j->Apply(Act("cp.review_conference_held", "2027-04-08", {{"outcome", "continue"}}));
  REQUIRE(rcpc.accepted);
  CHECK(j->State() == "OnCpPlan");
  bool next_review = false;
  for (const auto& d : j->OpenDeadlines()) {
    if (d.rule_id == "T-08b") next_review = d.due_date.ToString() == "2027-10-08";
  }
  CHECK(next_review);
  Verdict end = j->Apply(Act("cp.review_conference_held", "2027-10-01", {{"outcome", "end"}}));
  REQUIRE(end.accepted);
  CHECK(j->State() == "NoCpInvolvement");
  CHECK(j->OpenDeadlines().empty());
}

TEST_CASE("child protection: an ICPC after 15 working days is met late", "[workflows][cp]") {
  auto j = NewChildProtection();
  REQUIRE(j->Apply(Act("cp.strategy_discussion_held", "2026-12-16", {{"outcome", "s47"}})).accepted);
  REQUIRE(j->Apply(Act("cp.s47_concluded", "2026-12-22", {{"outcome", "icpc"}})).accepted);
  Verdict late = j->Apply(Act("cp.icpc_held", "2027-01-12", {{"outcome", "no_plan"}}));
  REQUIRE(late.accepted);
  REQUIRE_FALSE(late.deadlines.empty());
  CHECK(late.deadlines[0].kind == DeadlineEffect::Kind::kMetLate);
  CHECK(j->State() == "NoCpInvolvement");
}

TEST_CASE("child protection: a second plan within 24 months is flagged", "[workflows][cp]") {
  auto j = Reach("OnCpPlan");
  REQUIRE(j->Apply(Act("cp.plan_ended", "2026-09-01", {{"reason", "progress"}})).accepted);
  REQUIRE(j->Apply(Act("cp.strategy_discussion_held", "2027-05-03", {{"outcome", "s47"}})).accepted);
  REQUIRE(j->Apply(Act("cp.s47_concluded", "2027-05-07", {{"outcome", "icpc"}})).accepted);
  Verdict again = j->Apply(Act("cp.icpc_held", "2027-05-20", {{"outcome", "cp_plan"}, {"category", "neglect"}}));
  REQUIRE(again.accepted);
  REQUIRE(again.flags_raised.size() == 1);
  CHECK_THAT(again.flags_raised[0], Catch::Contains("T-10"));

  auto k = Reach("OnCpPlan");
  REQUIRE(k->Apply(Act("cp.plan_ended", "2026-04-01", {{"reason", "progress"}})).accepted);
  REQUIRE(k->Apply(Act("cp.strategy_discussion_held", "2028-05-02", {{"outcome", "s47"}})).accepted);
  REQUIRE(k->Apply(Act("cp.s47_concluded", "2028-05-05", {{"outcome", "icpc"}})).accepted);
  Verdict later = k->Apply(Act("cp.icpc_held", "2028-05-12", {{"outcome", "cp_plan"}, {"category", "neglect"}}));
  REQUIRE(later.accepted);
  CHECK(later.flags_raised.empty());
}

TEST_CASE("child protection: a clone is independent", "[workflows][cp]") {
  auto j = Reach("S47Enquiry");
  auto copy = j->Clone();
  REQUIRE(copy->Apply(Act("cp.s47_concluded", "2026-03-09", {{"outcome", "icpc"}})).accepted);
  CHECK(copy->State() == "AwaitingIcpc");
  CHECK(j->State() == "S47Enquiry");
}
