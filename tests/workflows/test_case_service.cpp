// The command pipeline: decide with the workflows, write atomically, answer retries, rebuild.
#include "workflows/case_service.hpp"

#include <catch2/catch.hpp>

#include <condition_variable>
#include <deque>
#include <thread>

#include "tests/engine/test_util.hpp"
#include "tests/workflows/command_test_util.hpp"

using namespace casetrail;
using namespace casetrail::workflows;

namespace {

TimestampUs T(const char* date) {
  return std::move(workflows::Date::Parse(date, "d")).value().StartUs() + 10 * 3600LL * 1000000;
}

Command Cmd(const std::string& child, const std::string& action, const char* date, const std::string& role,
            std::map<std::string, std::string> params = {}, std::string command_id = {}) {
  Command c = casetrail::testing::MakeCommand(child, action, T(date), role, std::move(params));
  c.command_id = std::move(command_id);
  return c;
}

}  // namespace

TEST_CASE("an accepted command writes the action, its deadlines and consequences atomically",
          "[replay][pipeline]") {
  auto log = OpenMemoryEventLog();
  CaseService svc(*log);
  auto r = svc.Execute(Cmd("1001", "cp.strategy_discussion_held", "2026-03-02", "team_manager", {{"outcome", "s47"}}));
  REQUIRE(r.ok());
  REQUIRE(r->accepted);
  CHECK(r->event_types == std::vector<std::string>{"cp.strategy_discussion_held", "deadline.scheduled"});
  CHECK(r->append.first_position == 1);
  CHECK(r->append.last_position == 2);
  CHECK(r->states.at("child_protection") == "S47Enquiry");
  auto events = log->ReadStream("child-1001", 1, Direction::kForward, 10);
  REQUIRE(events.ok());
  const auto& first = (*events)[0];
  CHECK(first.journey == "child_protection");
  CHECK(first.from_state == "NoCpInvolvement");
  CHECK(first.to_state == "S47Enquiry");
  CHECK(first.machine_fingerprint.size() == 64);
  CHECK(first.actor.role == "team_manager");
  CHECK_THAT((*events)[1].payload, Catch::Contains("\"rule\":\"T-06\""));
  CHECK_THAT((*events)[1].payload, Catch::Contains("\"due\":\"2026-03-23\""));
}

TEST_CASE("a refused command writes nothing and says why, with the allowed actions", "[replay][pipeline]") {
  auto log = OpenMemoryEventLog();
  CaseService svc(*log);
  auto r = svc.Execute(Cmd("1001", "cp.icpc_held", "2026-03-02", "cp_chair", {{"outcome", "cp_plan"}, {"category", "neglect"}}));
  REQUIRE(r.ok());
  CHECK_FALSE(r->accepted);
  CHECK(r->verdict.verdict.rule == "no_transition");
  CHECK(r->states.at("child_protection") == "NoCpInvolvement");
  // Answered for the caller: a CP chair may record nothing on this child yet; a strategy
  // discussion needs a team manager or a social worker.
  CHECK(r->allowed_actions.empty());
  bool marked = false;
  for (const auto& a : r->other_actions) {
    if (a.action != "cp.strategy_discussion_held") continue;
    marked = std::find(a.roles.begin(), a.roles.end(), "team_manager") != a.roles.end() &&
             std::find(a.roles.begin(), a.roles.end(), "cp_chair") == a.roles.end();
  }
  CHECK(marked);
  CHECK(log->HeadPosition() == 0);
  auto forbidden = svc.Execute(Cmd("1001", "cp.strategy_discussion_held", "2026-03-02", "auditor", {{"outcome", "s47"}}));
  REQUIRE(forbidden.ok());
  CHECK(forbidden->verdict.verdict.rule == "forbidden_role");
  CHECK(log->HeadPosition() == 0);
  auto bad = svc.Execute(Cmd("bad id", "cp.x", "2026-03-02", "cp_chair"));
  CHECK(bad.status().IsInvalidArgument());
  CHECK(bad.status().field() == "child_id");
}

TEST_CASE("a retried command id returns the original result even after the case moved on",
          "[replay][pipeline]") {
  auto log = OpenMemoryEventLog();
  CaseService svc(*log);
  auto first = svc.Execute(Cmd("7", "fd.contact_received", "2026-03-02", "cass_worker", {{"source", "police"}}, "c-1"));
  REQUIRE(first.ok());
  REQUIRE(first->accepted);
  REQUIRE(svc.Execute(Cmd("7", "fd.decision_made", "2026-03-02", "cass_worker", {{"decision", "nfa"}}, "c-2"))->accepted);
  auto retry = svc.Execute(Cmd("7", "fd.contact_received", "2026-03-02", "cass_worker", {{"source", "police"}}, "c-1"));
  REQUIRE(retry.ok());
  CHECK(retry->accepted);
  CHECK(retry->append.duplicate);
  CHECK(retry->append.first_position == first->append.first_position);
  CHECK(svc.Execute(Cmd("8", "fd.contact_received", "2026-03-02", "cass_worker", {{"source", "police"}}, "c-1"))
            .status()
            .IsConflict());
}

TEST_CASE("a stale expected version is a conflict", "[replay][pipeline]") {
  auto log = OpenMemoryEventLog();
  CaseService svc(*log);
  REQUIRE(svc.Execute(Cmd("9", "cin.plan_started", "2026-03-02", "social_worker"))->accepted);
  Command c = Cmd("9", "cin.visit_held", "2026-03-09", "social_worker");
  c.expected_version = 0;
  auto r = svc.Execute(c);
  REQUIRE(r.status().IsConflict());
  CHECK(r.status().actual_version() == std::optional<std::uint64_t>(3));  // action + 2 deadlines
  c.expected_version = 3;
  CHECK(svc.Execute(c)->accepted);
}

TEST_CASE("a case rebuilt from the log equals the live one, also in a new service", "[replay][pipeline]") {
  testing::TempDir dir;
  std::map<std::string, std::string> live;
  {
    auto log = std::move(OpenRocksEventLog(dir.str())).value();
    CaseService svc(*log);
    auto run = [&](Command c) { REQUIRE(svc.Execute(std::move(c))->accepted); };
    run(Cmd("42", "case.child_registered", "2026-01-02", "social_worker", {{"date_of_birth", "2018-05-01"}}));
    run(Cmd("42", "cin.plan_started", "2026-01-05", "social_worker"));
    run(Cmd("42", "cp.strategy_discussion_held", "2026-02-02", "team_manager", {{"outcome", "s47"}}));
    run(Cmd("42", "cp.s47_concluded", "2026-02-06", "social_worker", {{"outcome", "icpc"}}));
    auto icpc = svc.Execute(Cmd("42", "cp.icpc_held", "2026-02-20", "cp_chair", {{"outcome", "cp_plan"}, {"category", "neglect"}}));
    REQUIRE(icpc->accepted);
    CHECK(std::find(icpc->event_types.begin(), icpc->event_types.end(), "cin.plan_ended") != icpc->event_types.end());
    live = icpc->states;
  }
  auto log = std::move(OpenRocksEventLog(dir.str())).value();
  CaseService fresh(*log);
  std::uint64_t version = 0;
  auto c = fresh.Load("42", &version);
  REQUIRE(c.ok());
  CHECK(c->States() == live);
  CHECK(c->States().at("child_in_need") == "NoCinPlan");  // X-04 derived again, not replayed twice
  CHECK(version == log->GetStreamInfo("child-42")->last_version);
}

TEST_CASE("commands on different children run in parallel, on one child they never both win",
          "[replay][pipeline]") {
  auto log = OpenMemoryEventLog();
  CaseService svc(*log);
  std::atomic<int> accepted{0}, refused{0}, others_accepted{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t) {
    ts.emplace_back([&, t] {  // counts only: Catch2 v2's assertions are not thread-safe
      // Everyone tries to open the same child's S47; only one may.
      auto r = svc.Execute(Cmd("shared", "cp.strategy_discussion_held", "2026-03-02", "team_manager", {{"outcome", "s47"}}));
      if (r.ok() && r->accepted) ++accepted;
      else ++refused;
      for (int i = 0; i < 20; ++i) {
        auto other = svc.Execute(Cmd("c" + std::to_string(t) + "-" + std::to_string(i), "cin.plan_started",
                                     "2026-03-02", "social_worker"));
        if (other.ok() && other->accepted) ++others_accepted;
      }
    });
  }
  for (auto& th : ts) th.join();
  CHECK(accepted == 1);
  CHECK(refused == 7);
  CHECK(others_accepted == 8 * 20);
  CHECK(log->Verify()->ok);
}

namespace {
// Collects ExecuteAsync answers; Wait() blocks until `n` have come.
struct Answers {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<int, Result<CommandOutcome>>> got;
  CaseService::Done For(int i) {
    return [this, i](Result<CommandOutcome> r) {
      std::lock_guard<std::mutex> lk(mu);
      got.emplace_back(i, std::move(r));
      cv.notify_all();
    };
  }
  void Wait(std::size_t n) {
    std::unique_lock<std::mutex> lk(mu);
    REQUIRE(cv.wait_for(lk, std::chrono::seconds(20), [&] { return got.size() >= n; }));
  }
};
}  // namespace

TEST_CASE("async commands on one child run one at a time, in the order they came, each on the last",
          "[replay][pipeline][async]") {
  testing::TempDir dir;
  auto log = std::move(OpenRocksEventLog(dir.str())).value();  // durable: answers come from the committer
  CaseService svc(*log);
  // A second thread pool as the executor, as the HTTP server's I/O threads are.
  std::mutex qmu;
  std::condition_variable qcv;
  std::deque<std::function<void()>> queue;
  bool stop = false;
  std::thread executor([&] {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lk(qmu);
        qcv.wait(lk, [&] { return stop || !queue.empty(); });
        if (queue.empty()) return;
        fn = std::move(queue.front());
        queue.pop_front();
      }
      fn();
    }
  });
  svc.SetExecutor([&](std::function<void()> fn) {
    std::lock_guard<std::mutex> lk(qmu);
    queue.push_back(std::move(fn));
    qcv.notify_one();
  });
  // Each action is legal only after the one before: out of order, one would be refused.
  const std::vector<Command> steps = {
      Cmd("77", "cp.strategy_discussion_held", "2026-02-02", "team_manager", {{"outcome", "s47"}}),
      Cmd("77", "cp.s47_concluded", "2026-02-06", "social_worker", {{"outcome", "icpc"}}),
      Cmd("77", "cp.icpc_held", "2026-02-20", "cp_chair", {{"outcome", "cp_plan"}, {"category", "neglect"}}),
      Cmd("77", "cp.visit_held", "2026-02-25", "social_worker"),
      Cmd("77", "cp.core_group_held", "2026-03-02", "social_worker"),
  };
  Answers answers;
  for (std::size_t i = 0; i < steps.size(); ++i) svc.ExecuteAsync(steps[i], answers.For(static_cast<int>(i)));
  // Other children at the same time, from other threads, some through the blocking Execute.
  std::vector<std::thread> others;
  std::atomic<int> others_accepted{0};
  for (int t = 0; t < 4; ++t) {
    others.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto r = svc.Execute(Cmd("o" + std::to_string(t) + "-" + std::to_string(i), "fd.contact_received",
                                 "2026-03-02", "cass_worker", {{"source", "school"}}));
        if (r.ok() && r->accepted) ++others_accepted;
      }
    });
  }
  answers.Wait(steps.size());
  for (auto& th : others) th.join();
  {
    std::lock_guard<std::mutex> lk(qmu);
    stop = true;
    qcv.notify_all();
  }
  executor.join();
  std::uint64_t last_version = 0;
  for (const auto& [i, r] : answers.got) {
    INFO("step " << i);
    REQUIRE(r.ok());
    CHECK(r->accepted);
    CHECK(r->append.first_version == last_version + 1);  // answered in order, each after the last
    last_version = r->append.last_version;
  }
  CHECK(answers.got.back().second->states.at("child_protection") == "OnCpPlan");
  CHECK(others_accepted == 40);
  CHECK(log->GetStreamInfo("child-77")->last_version == last_version);
  CHECK(log->Verify()->ok);
}

TEST_CASE("async and blocking commands on one child never both win", "[replay][pipeline][async]") {
  auto log = OpenMemoryEventLog();
  CaseService svc(*log);  // no executor: continuations run inline
  Answers answers;
  std::atomic<int> sync_accepted{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&, t] {
      auto c = Cmd("shared", "cp.strategy_discussion_held", "2026-03-02", "team_manager", {{"outcome", "s47"}});
      if (t % 2 == 0) {
        svc.ExecuteAsync(c, answers.For(t));
      } else {
        auto r = svc.Execute(c);
        if (r.ok() && r->accepted) ++sync_accepted;
      }
    });
  }
  for (auto& th : ts) th.join();
  answers.Wait(2);
  int async_accepted = 0;
  for (const auto& [i, r] : answers.got) async_accepted += (r.ok() && r->accepted) ? 1 : 0;
  CHECK(async_accepted + sync_accepted == 1);
  CHECK(log->HeadPosition() == 2);  // one action and its deadline
  // A bad command is answered at once, with the field.
  Answers bad;
  svc.ExecuteAsync(Cmd("bad id", "cp.x", "2026-03-02", "cp_chair"), bad.For(0));
  bad.Wait(1);
  CHECK(bad.got[0].second.status().field() == "child_id");
}
