// scheduler_bench: the scheduler (scheduler/scheduler.hpp) over a Birmingham-sized simulated
// caseload. Run it with scripts/bench-scheduler.sh; results and how to read them:
// docs/benchmarks.md ("The scheduler").
//
//  1. Simulates (or reuses) the caseload: `casetrail simulate --preset birmingham` (102,000
//     children over two years, ~14,000 open at the end), with the scheduler ticking daily.
//  2. Reopens the log durable, builds the scheduler's index from it (timed), then ticks day by
//     day after the window's end: each tick finds the day's due events (breaches, reminders,
//     birthdays) and writes them durably through the pipeline. Time to find, time to write.
//  3. Command latency under load, with and without the scheduler: T threads record new contacts
//     (closed loop, durable; dated a year on, so that the ticks never find them due) for S
//     seconds with no scheduler, then S seconds with one ticking a day's events every second
//     (a day's burst, as at midnight, every second instead of once a day). p50, p99, max and
//     throughput of each; the phase without the scheduler is the peer, measured in the same run.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_common.hpp"
#include "replay/runner.hpp"
#include "scheduler/scheduler.hpp"
#include "sim/simulator.hpp"
#include "workflows/case_service.hpp"

using namespace casetrail;
using Steady = std::chrono::steady_clock;

namespace {

struct Options {
  std::uint64_t children = 102000;
  int years = 2;
  std::uint64_t seed = 1;
  int days = 5;
  int load_seconds = 10;
  int threads = 8;
  std::string dir = "scheduler-bench-data";
  std::string out;
  bool smoke = false;
};

double Seconds(Steady::time_point a, Steady::time_point b) { return std::chrono::duration<double>(b - a).count(); }

struct Latency {
  std::uint64_t commands = 0;
  double seconds = 0, p50_ms = 0, p99_ms = 0, max_ms = 0;
};

Latency Summarise(std::vector<double> ms, double seconds) {
  Latency l;
  l.commands = ms.size();
  l.seconds = seconds;
  if (ms.empty()) return l;
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * static_cast<double>(ms.size())))]; };
  l.p50_ms = at(0.50);
  l.p99_ms = at(0.99);
  l.max_ms = ms.back();
  return l;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--children") o.children = std::stoull(next());
    else if (a == "--years") o.years = std::stoi(next());
    else if (a == "--seed") o.seed = std::stoull(next());
    else if (a == "--days") o.days = std::stoi(next());
    else if (a == "--load-seconds") o.load_seconds = std::stoi(next());
    else if (a == "--threads") o.threads = std::stoi(next());
    else if (a == "--dir") o.dir = next();
    else if (a == "--out") o.out = next();
    else if (a == "--smoke") o.smoke = true;
    else {
      std::cerr << "usage: scheduler_bench [--children N] [--years Y] [--seed S] [--days D] [--load-seconds S] "
                   "[--threads T] [--dir DIR] [--out FILE] [--smoke]\n";
      return 2;
    }
  }
  if (o.smoke) {
    o.children = 2000;
    o.years = 1;
    o.days = 2;
    o.load_seconds = 1;
    o.threads = 2;
  }
  const workflows::Date start = workflows::Date::FromYmd(2022, 4, 1);
  const std::string log_dir = o.dir + "/log";
  const std::string marker = o.dir + "/SIMULATED";
  const std::string sim_cmd = "casetrail simulate --children " + std::to_string(o.children) + " --years " +
                              std::to_string(o.years) + " --seed " + std::to_string(o.seed) + " --start " +
                              start.ToString();
  std::string sim_summary;
  {
    std::ifstream m(marker);
    std::string first;
    std::getline(m, first);
    if (first == sim_cmd) std::getline(m, sim_summary);
  }
  if (sim_summary.empty()) {
    std::filesystem::remove_all(o.dir);
    std::filesystem::create_directories(o.dir);
    auto clock = std::make_shared<sim::SimClock>();
    auto log = OpenRocksEventLog(log_dir, sim::SimulationLogOptions(o.seed, clock));
    if (!log.ok()) {
      std::cerr << log.status().ToString() << "\n";
      return 1;
    }
    sim::SimOptions so;
    so.seed = o.seed;
    so.children = o.children;
    so.start = start;
    so.years = o.years;
    std::cerr << "scheduler_bench: " << sim_cmd << "\n";
    auto rep = sim::Simulate(**log, *clock, workflows::RuleBook::Default(), so, SystemClockUs());
    if (!rep.ok() || rep->refusals > 0 || rep->errors > 0) {
      std::cerr << "simulation failed\n";
      return 1;
    }
    (*log)->Close();
    std::ostringstream s;
    s << rep->children << " children, " << rep->events << " events, " << static_cast<long>(rep->average_open_last_year)
      << " open on an average day of the last year, " << rep->open_at_end << " open at the end";
    sim_summary = s.str();
    std::ofstream(marker) << sim_cmd << "\n" << sim_summary << "\n";
  }

  // 2. The day's due events, durable, on a fresh copy of the simulated log (every run measures
  // the same state; the simulated log is kept for the next run).
  const std::string run_dir = o.dir + "/run";
  std::filesystem::remove_all(run_dir);
  std::filesystem::copy(log_dir, run_dir, std::filesystem::copy_options::recursive);
  auto opened = OpenRocksEventLog(run_dir);
  if (!opened.ok()) {
    std::cerr << opened.status().ToString() << "\n";
    return 1;
  }
  EventLog& log = **opened;
  workflows::CaseService cases(log);
  cases.SetCacheCapacity(200000);
  scheduler::DueIndex index(3);
  replay::ProjectionRunner runner(log);
  std::mutex index_mu;
  scheduler::Scheduler sched(
      cases, index,
      [&] {
        std::lock_guard<std::mutex> lock(index_mu);
        auto r = runner.CatchUp(index);
        return r.ok() ? Status::Ok() : r.status();
      },
      [&](const std::function<void()>& read) {
        std::lock_guard<std::mutex> lock(index_mu);
        read();
      });
  const auto b0 = Steady::now();
  {
    auto r = runner.CatchUp(index);
    if (!r.ok()) return 1;
  }
  const double build_s = Seconds(b0, Steady::now());
  const std::uint64_t head0 = log.HeadPosition();
  const std::size_t open_deadlines = index.open_deadlines();
  const workflows::Date end = start.AddYears(o.years);
  struct Day {
    std::string date;
    scheduler::TickReport r;
  };
  std::vector<Day> days;
  for (int d = 1; d <= o.days; ++d) {
    const workflows::Date day = end.AddDays(d);
    auto r = sched.Tick(day.StartUs());
    if (!r.ok() || !r->errors.empty()) {
      std::cerr << "tick failed: " << (r.ok() ? r->errors[0] : r.status().ToString()) << "\n";
      return 1;
    }
    days.push_back({day.ToString(), *r});
  }

  // 3. Command latency, without and with the scheduler ticking.
  std::atomic<std::uint64_t> child_no{0};
  std::uint64_t load_scheduler_events = 0;
  auto load = [&](bool with_scheduler, int* ticked) {
    std::atomic<bool> stop{false};
    std::vector<std::vector<double>> per(static_cast<std::size_t>(o.threads));
    std::vector<std::thread> threads;
    const auto t0 = Steady::now();
    for (int t = 0; t < o.threads; ++t) {
      threads.emplace_back([&, t] {
        while (!stop) {
          workflows::Command c;
          c.child_id = "load-" + std::to_string(child_no.fetch_add(1));
          c.action = "fd.contact_received";
          c.occurred_at = end.AddDays(400).StartUs() + 10 * 3600LL * 1000000;
          c.actor = Actor{"cass.load", "cass_worker", "north-1"};
          c.params = {{"source", "school"}};
          const auto s = Steady::now();
          auto r = cases.Execute(c);
          if (!r.ok() || !r->accepted) {
            std::cerr << "a load command failed: " << (r.ok() ? r->verdict.verdict.reason : r.status().ToString()) << "\n";
            std::abort();
          }
          per[static_cast<std::size_t>(t)].push_back(Seconds(s, Steady::now()) * 1000);
        }
      });
    }
    int d = o.days;
    auto next_tick = t0;
    while (Seconds(t0, Steady::now()) < o.load_seconds) {
      if (with_scheduler && Steady::now() >= next_tick) {
        auto r = sched.Tick(end.AddDays(++d).StartUs());
        if (r.ok()) {
          ++*ticked;
          load_scheduler_events += r->written;
        }
        next_tick += std::chrono::seconds(1);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    stop = true;
    for (auto& th : threads) th.join();
    std::vector<double> all;
    for (auto& v : per) all.insert(all.end(), v.begin(), v.end());
    return Summarise(std::move(all), Seconds(t0, Steady::now()));
  };
  int ticks_without = 0, ticks_with = 0;
  const Latency without = load(false, &ticks_without);
  const Latency with = load(true, &ticks_with);
  log.Close();
  std::filesystem::remove_all(run_dir);

  std::ostringstream md;
  md << "Machine: " << bench::MachineDescription(o.dir) << "; revision " << bench::SourceRevision() << ".\n\n";
  md << "Command: `scheduler_bench --children " << o.children << " --years " << o.years << " --days " << o.days
     << " --load-seconds " << o.load_seconds << " --threads " << o.threads << "`. Caseload: `" << sim_cmd << "` ("
     << sim_summary << ").\n\n";
  char line[512];
  std::snprintf(line, sizeof line,
                "Index built from the log (%llu events) in %.2f s; %zu open deadlines at the window's end.\n\n",
                static_cast<unsigned long long>(head0), build_s, open_deadlines);
  md << line;
  md << "| day ticked | due | written | find (ms) | write (ms, durable) |\n|---|---:|---:|---:|---:|\n";
  for (const auto& d : days) {
    std::snprintf(line, sizeof line, "| %s | %llu | %llu | %.1f | %.1f |\n", d.date.c_str(),
                  static_cast<unsigned long long>(d.r.due), static_cast<unsigned long long>(d.r.written),
                  d.r.find_seconds * 1000, d.r.write_seconds * 1000);
    md << line;
  }
  md << "\nCommand latency (`CaseService::Execute`, durable, " << o.threads << " threads, closed loop, "
     << o.load_seconds << " s each):\n\n| | commands/s | p50 (ms) | p99 (ms) | max (ms) | ticks | events the ticks wrote |\n"
        "|---|---:|---:|---:|---:|---:|---:|\n";
  for (auto [name, l, ticks, written] :
       {std::tuple<const char*, Latency, int, std::uint64_t>{"without the scheduler (peer)", without, 0, 0},
        {"with a day's tick every second", with, ticks_with, load_scheduler_events}}) {
    std::snprintf(line, sizeof line, "| %s | %.0f | %.2f | %.2f | %.1f | %d | %llu |\n", name,
                  static_cast<double>(l.commands) / l.seconds, l.p50_ms, l.p99_ms, l.max_ms, ticks,
                  static_cast<unsigned long long>(written));
    md << line;
  }
  std::cout << md.str();
  if (!o.out.empty()) std::ofstream(o.out) << md.str();
  return 0;
}
