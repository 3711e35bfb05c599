// workflow_bench: the cost of the journeys' state machines.
//   - one action through a machine (Journey::Apply, with role, parameter and table checks and
//     deadline effects): p50 and p99 in nanoseconds;
//   - rebuilding a child of 1,000 events by replaying its actions into a fresh machine.
// Usage: workflow_bench [--iterations N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "workflows/journey.hpp"

using namespace casetrail::workflows;
using Clock = std::chrono::steady_clock;

namespace {

std::int64_t Day(int n) { return (Date::FromYmd(2026, 1, 5).days() + n) * 86400LL * 1000000 + 36000LL * 1000000; }

Action Make(const char* name, int day, const char* role, std::map<std::string, std::string> p = {}) {
  Action a;
  a.name = name;
  a.occurred_at_us = Day(day);
  a.role = role;
  a.params = std::move(p);
  return a;
}

std::vector<Action> ChildHistory(int events) {
  std::vector<Action> h = {
      Make("cp.strategy_discussion_held", 0, "team_manager", {{"outcome", "s47"}}),
      Make("cp.s47_concluded", 5, "social_worker", {{"outcome", "icpc"}}),
      Make("cp.icpc_held", 12, "cp_chair", {{"outcome", "cp_plan"}, {"category", "neglect"}})};
  for (int i = 0; static_cast<int>(h.size()) < events; ++i) {
    h.push_back(i % 10 == 9 ? Make("cp.core_group_held", 13 + i / 10, "social_worker")
                            : Make("cp.visit_held", 13 + i / 10, "social_worker"));
  }
  return h;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * (v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  int iterations = 200000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (!std::strcmp(argv[i], "--iterations")) iterations = std::atoi(argv[i + 1]);
  }
  // One action: a visit recorded on a CP plan (an internal transition that meets one deadline
  // and schedules the next), and a refused action (no transition from this state).
  auto j = NewChildProtection();
  for (const auto& a : ChildHistory(3)) j->Apply(a);
  const Action visit = Make("cp.visit_held", 20, "social_worker");
  const Action refused = Make("cp.s47_concluded", 20, "social_worker", {{"outcome", "icpc"}});
  std::vector<double> accept_ns, refuse_ns;
  accept_ns.reserve(iterations);
  refuse_ns.reserve(iterations);
  std::size_t sink = 0;
  for (int i = 0; i < iterations; ++i) {
    auto t0 = Clock::now();
    Verdict v = j->Apply(visit);
    auto t1 = Clock::now();
    Verdict r = j->Apply(refused);
    auto t2 = Clock::now();
    sink += v.accepted + r.reason.size();
    accept_ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
    refuse_ns.push_back(std::chrono::duration<double, std::nano>(t2 - t1).count());
  }
  // Rebuild a 1,000-event child.
  const auto history = ChildHistory(1000);
  std::vector<double> rebuild_us;
  for (int i = 0; i < 200; ++i) {
    auto t0 = Clock::now();
    auto child = NewChildProtection();
    for (const auto& a : history) sink += child->Apply(a).accepted;
    rebuild_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  std::printf("| measure | p50 | p99 | target |\n|---|---:|---:|---|\n");
  std::printf("| one accepted action (cp.visit_held on OnCpPlan), ns | %.0f | %.0f | < 1,000 |\n",
              Percentile(accept_ns, 0.5), Percentile(accept_ns, 0.99));
  std::printf("| one refused action (no transition), ns | %.0f | %.0f | – |\n",
              Percentile(refuse_ns, 0.5), Percentile(refuse_ns, 0.99));
  std::printf("| rebuild a 1,000-event child, µs | %.0f | %.0f | < 1,000 |\n",
              Percentile(rebuild_us, 0.5), Percentile(rebuild_us, 0.99));
  std::fprintf(stderr, "(checksum %zu)\n", sink);
  return 0;
}
