// `casetrail tick` killed with SIGKILL at random moments and run again: every breach is written
// exactly once, in business-time order, whatever the kills interrupted.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <random>
#include <set>

#include "tests/adapters/cli_runner.hpp"
#include "workflows/case_service.hpp"

using namespace casetrail;
using casetrail::testing::TempDir;

namespace {

// Runs `casetrail tick --until UNTIL --data DIR` and kills it after `run_for` (unless it ends first).
bool RunTick(const std::string& data, const std::string& until, std::chrono::milliseconds run_for) {
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    execl(CASETRAIL_CLI, "casetrail", "tick", "--until", until.c_str(), "--data", data.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + run_for;
  int status = 0;
  for (;;) {
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return false;
    }
    usleep(2000);
  }
}

}  // namespace

TEST_CASE("casetrail tick killed with SIGKILL and run again writes every breach exactly once, in order",
          "[adapters][cli][scheduler]") {
  TempDir dir;
  const std::string data = dir.sub("data");
  // 300 children, each with a strategy discussion on its own working day of 2025: 300 ICPC
  // deadlines (T-06) falling due on different days, so the tick has 300 instants to write in turn.
  std::vector<std::string> children;
  {
    EventLogOptions bulk;
    bulk.durable = false;
    auto log = OpenRocksEventLog(data, bulk);
    REQUIRE(log.ok());
    workflows::CaseService cases(**log);
    const auto& cal = workflows::Calendar::EnglandAndWales();
    workflows::Date d = workflows::Date::FromYmd(2025, 1, 2);
    for (int i = 0; i < 300; ++i, d = d.AddDays(1)) {
      while (!cal.IsWorkingDay(d)) d = d.AddDays(1);
      workflows::Command c;
      c.child_id = "c" + std::to_string(i);
      c.action = "cp.strategy_discussion_held";
      c.occurred_at = d.StartUs() + 10 * 3600LL * 1000000;
      c.actor = Actor{"tm", "team_manager", "north-1"};
      c.params = {{"outcome", "s47"}};
      auto r = cases.Execute(c);
      REQUIRE(r.ok());
      REQUIRE(r->accepted);
      children.push_back(c.child_id);
    }
    (*log)->Close();
  }
  std::map<std::string, int> breaches;  // child -> count
  bool ordered = true;
  auto count = [&] {
    auto log = OpenRocksEventLog(data);
    REQUIRE(log.ok());
    breaches.clear();
    TimestampUs last = 0;
    ordered = true;
    REQUIRE((*log)->ReadAll({}, [&](const EventView& e) {
      if (e.type != "deadline.breached") return true;
      ++breaches[workflows::ChildIdOf(e.stream)];
      ordered &= e.occurred_at >= last;
      last = e.occurred_at;
      return true;
    }).ok());
    std::size_t total = 0;
    for (const auto& [child, n] : breaches) total += static_cast<std::size_t>(n);
    return total;
  };
  std::mt19937 rng(7);
  std::string partial;  // breaches written after each killed run
  for (int round = 0; round < 8; ++round) {
    const auto run_for = std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 80)(rng));
    if (!RunTick(data, "2026-06-01", run_for)) partial += std::to_string(count()) + " ";
  }
  REQUIRE(RunTick(data, "2026-06-01", std::chrono::seconds(120)));
  INFO("breaches in the log after each killed run: " << partial);
  count();
  CHECK(breaches.size() == children.size());
  for (const auto& [child, n] : breaches) {
    INFO(child);
    CHECK(n == 1);
  }
  CHECK(ordered);  // each instant waits for the one before it, also across restarts
  // And a last run finds nothing left to do.
  auto again = casetrail::testing::RunCli(dir, "tick --until 2026-06-01 --json");
  CHECK(again.code == 0);
  CHECK_THAT(again.out, Catch::Contains("\"written\":0"));
  CHECK_THAT(again.out, Catch::Contains("\"due\":0"));
}
