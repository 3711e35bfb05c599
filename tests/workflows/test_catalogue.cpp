// The action catalogue (workflows/catalogue.hpp) says what the workflows check: the roles of each
// journey's permission table, and parameter rules that Case::Apply enforces.
#include "workflows/catalogue.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

#include "tests/workflows/journey_test_util.hpp"
#include "workflows/case.hpp"
#include "workflows/registry.hpp"

using namespace casetrail::workflows;
using casetrail::workflows::testing::At;
using Params = std::map<std::string, std::string>;

namespace {

const ActionInfo& Find(const std::string& action) {
  const auto& c = ActionCatalogue();
  auto it = std::find_if(c.begin(), c.end(), [&](const ActionInfo& a) { return a.action == action; });
  REQUIRE(it != c.end());
  return *it;
}

Action A(const std::string& name, const char* date, const std::string& role, Params p = {}) {
  Action a;
  a.name = name;
  a.occurred_at_us = At(date);
  a.role = role;
  a.params = std::move(p);
  return a;
}

// A looked-after child held by north-1 with a lead worker and an IRO.
Case LookedAfter() {
  Case c;
  for (const Action& a : {A("alloc.worker_allocated", "2026-01-05", "team_manager",
                            {{"team", "north-1"}, {"worker", "sw.jones"}, {"as", "social_worker"}}),
                          A("cic.became_looked_after", "2026-01-06", "social_worker", {{"legal_status", "s20"}}),
                          A("alloc.worker_allocated", "2026-01-07", "team_manager", {{"worker", "iro.patel"}, {"as", "iro"}})}) {
    CaseVerdict v = c.Apply(a);
    INFO(a.name << ": " << v.verdict.reason);
    REQUIRE(v.accepted());
  }
  return c;
}

}  // namespace

TEST_CASE("the catalogue lists every action a person may record, with the roles its journey grants",
          "[workflows][catalogue]") {
  std::size_t journey_actions = 0;
  for (const JourneyKind& kind : Journeys()) {
    auto j = kind.make(RuleBook::Default());
    for (const Permission& p : j->Permissions()) {
      std::vector<std::string> people;
      for (const auto& r : p.roles) {
        if (r != kSystemRole) people.push_back(r);
      }
      if (people.empty()) continue;
      ++journey_actions;
      const ActionInfo& info = Find(p.action);
      CHECK(info.journey == kind.name);
      CHECK(info.roles == people);
      const auto& actions = j->Table().actions;
      CHECK(std::find(actions.begin(), actions.end(), p.action) != actions.end());
    }
  }
  CHECK(ActionCatalogue().size() == journey_actions + 4);  // alloc.* and case.closed
  for (const auto& a : ActionCatalogue()) {
    INFO(a.action);
    CHECK(std::find(a.roles.begin(), a.roles.end(), kSystemRole) == a.roles.end());
    for (const auto& p : a.params) {
      CHECK(p.action == a.action);
      CHECK((p.kind == ParamRule::Kind::kChoice) == !p.choices.empty());
      CHECK(std::is_sorted(p.choices.begin(), p.choices.end()));
    }
  }
}

TEST_CASE("a conditional parameter is required exactly when the catalogue says: the ICPC's category with a plan",
          "[workflows][catalogue]") {
  const ActionInfo& icpc = Find("cp.icpc_held");
  REQUIRE(icpc.params.size() == 2);
  CHECK(icpc.params[0].name == "outcome");
  CHECK(icpc.params[0].choices == std::vector<std::string>{"cp_plan", "no_plan"});
  CHECK(icpc.params[1].name == "category");
  CHECK(icpc.params[1].only_if_param == "outcome");
  CHECK(icpc.params[1].only_if_values == std::vector<std::string>{"cp_plan"});
  auto at_icpc = [] {
    Case c;
    REQUIRE(c.Apply(A("cp.strategy_discussion_held", "2026-01-05", "team_manager", {{"outcome", "s47"}})).accepted());
    REQUIRE(c.Apply(A("cp.s47_concluded", "2026-01-06", "social_worker", {{"outcome", "icpc"}})).accepted());
    return c;
  };
  Case with_plan = at_icpc();
  CaseVerdict v = with_plan.Apply(A("cp.icpc_held", "2026-01-20", "cp_chair", {{"outcome", "cp_plan"}}));
  CHECK(v.verdict.rule == "invalid_parameter");
  CHECK(v.verdict.reason.find("'category'") != std::string::npos);
  Case without = at_icpc();
  CHECK(without.Apply(A("cp.icpc_held", "2026-01-20", "cp_chair", {{"outcome", "no_plan"}})).accepted());
}

TEST_CASE("the case-level actions' parameter rules are the ones Case::Apply enforces", "[workflows][catalogue]") {
  // Each required parameter left out is refused naming it; each choice outside the catalogue's
  // is refused; every choice the catalogue offers gets past the parameter checks.
  struct Try {
    const char* action;
    Params complete;
  };
  const std::vector<Try> tries = {
      {"alloc.team_allocated", {{"team", "south-2"}}},
      {"alloc.worker_allocated", {{"as", "social_worker"}, {"worker", "sw.osei"}, {"team", "north-1"}}},
      {"alloc.worker_allocated", {{"as", "iro"}, {"worker", "iro.khan"}}},
      {"alloc.worker_deallocated", {{"as", "iro"}, {"reason", "worker_left"}}},
      {"alloc.worker_deallocated", {{"as", "lead_worker"}, {"reason", "worker_left"}}},
  };
  for (const auto& t : tries) {
    const ActionInfo& info = Find(t.action);
    CHECK(info.roles.front() == "team_manager");
    INFO(t.action << " as " << (t.complete.count("as") ? t.complete.at("as") : ""));
    {
      Case c = LookedAfter();
      CaseVerdict ok = c.Apply(A(t.action, "2026-02-02", "team_manager", t.complete));
      INFO(ok.verdict.reason);
      CHECK(ok.accepted());
    }
    for (const ParamRule& p : info.params) {
      if (!p.only_if_param.empty()) {
        const std::string& when = t.complete.at(p.only_if_param);
        if (std::find(p.only_if_values.begin(), p.only_if_values.end(), when) == p.only_if_values.end()) continue;
      }
      INFO("parameter " << p.name);
      Params missing = t.complete;
      missing.erase(p.name);
      Case c = LookedAfter();
      CaseVerdict v = c.Apply(A(t.action, "2026-02-02", "team_manager", missing));
      if (p.name != "as") {  // without 'as' the lead worker's rules apply (the catalogue asks for it)
        CHECK_FALSE(v.accepted());
        CHECK(v.verdict.rule == "invalid_parameter");
        CHECK(v.verdict.reason.find("'" + p.name + "'") != std::string::npos);
      }
      for (const auto& choice : p.choices) {
        // A choice that makes another parameter required, which this try leaves out: another try's.
        bool complete = true;
        for (const ParamRule& q : info.params) {
          const bool needed = q.only_if_param == p.name &&
                              std::find(q.only_if_values.begin(), q.only_if_values.end(), choice) != q.only_if_values.end();
          if (needed && !t.complete.count(q.name)) complete = false;
        }
        if (!complete) continue;
        Params other = t.complete;
        other[p.name] = choice;
        Case c2 = LookedAfter();
        CHECK(c2.Apply(A(t.action, "2026-02-02", "team_manager", other)).verdict.rule != "invalid_parameter");
      }
      if (p.kind == ParamRule::Kind::kChoice && p.name != "as") {
        Params wrong = t.complete;
        wrong[p.name] = "not_a_choice";
        Case c3 = LookedAfter();
        CHECK(c3.Apply(A(t.action, "2026-02-02", "team_manager", wrong)).verdict.rule == "invalid_parameter");
      }
    }
  }
}

TEST_CASE("optional parameters may be left out and are checked when given: the court and the next hearing at issue",
          "[workflows][catalogue]") {
  const ActionInfo& issue = Find("court.application_issued");
  REQUIRE(issue.params.size() == 3);
  CHECK_FALSE(issue.params[0].optional);  // track
  CHECK(issue.params[1].name == "court");
  CHECK(issue.params[1].optional);
  CHECK(issue.params[2].name == "next_hearing");
  CHECK(issue.params[2].optional);
  CHECK(issue.params[2].kind == ParamRule::Kind::kDate);
  CHECK(issue.params[2].listed_date);
  auto issued = [](Params p) {
    Case c;
    return c.Apply(A("court.application_issued", "2026-05-04", "legal", std::move(p)));
  };
  CHECK(issued({{"track", "standard"}}).accepted());
  CHECK(issued({{"track", "standard"}, {"court", "Birmingham Family Court"}, {"next_hearing", "2026-05-18"}}).accepted());
  CHECK(issued({{"track", "standard"}, {"next_hearing", "2026-05-04"}}).accepted());  // listed for the same day
  CaseVerdict before = issued({{"track", "standard"}, {"next_hearing", "2026-05-01"}});
  CHECK(before.verdict.rule == "invalid_parameter");
  CHECK(before.verdict.reason == "'next_hearing' is before the action itself");
  CaseVerdict bad = issued({{"track", "standard"}, {"next_hearing", "18 May"}});
  CHECK(bad.verdict.rule == "invalid_parameter");
  CHECK(bad.verdict.reason.find("'next_hearing'") != std::string::npos);
}
