// casetrail simulate: a simulated caseload through the command pipeline (sim/simulator.hpp),
// written into an empty RocksDB log in bulk (non-durable) mode, with a progress bar on stderr
// (business date reached, commands/s, ETA) and a summary on stdout.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "adapters/cli/commands.hpp"
#include "sim/simulator.hpp"

namespace casetrail::cli {
namespace {

std::string Grouped(std::uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

std::string Duration(double s) {
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s / 3600), static_cast<int>(s / 60) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s / 60), static_cast<int>(s) % 60);
  }
  return buf;
}

}  // namespace

int Simulate(const Args& a) {
  const bool json = a.Has("json");
  // Presets: new children a year sized from the seeds' contacts (K-F1: 60,000 a year in
  // Birmingham, ~1.24 contacts per child in the window); England ~40 times Birmingham.
  std::uint64_t children = 1000;
  int years = 2;
  std::string start = "2022-04-01";
  const std::string preset = a.Get("preset");
  if (preset == "birmingham") {
    children = 102000;
  } else if (preset == "england") {
    children = 4080000;
  } else if (!preset.empty()) {
    return Fail(Status::InvalidArgument("preset", "must be birmingham or england"), json);
  }
  if (a.Has("children")) children = std::stoull(a.Get("children"));
  if (a.Has("years")) years = std::stoi(a.Get("years"));
  if (a.Has("start")) start = a.Get("start");
  const std::uint64_t seed = a.Has("seed") ? std::stoull(a.Get("seed")) : 1;
  auto start_date = workflows::Date::Parse(start, "start");
  if (!start_date.ok()) return Fail(start_date.status(), json);

  std::optional<sim::Params> loaded;
  if (a.Has("params")) {
    std::ifstream in(a.Get("params"));
    if (!in) return Fail(Status::InvalidArgument("params", "cannot read '" + a.Get("params") + "'"), json);
    std::stringstream text;
    text << in.rdbuf();
    auto p = sim::Params::Load(text.str());
    if (!p.ok()) return Fail(p.status(), json);
    loaded = std::move(p).value();
  }
  const TimestampUs now = SystemClockUs();
  if (auto end = sim::WindowEnd(*start_date, years, now); !end.ok()) return Fail(end.status(), json);

  const std::string data = a.Get("data", "casetrail-data");
  auto clock = std::make_shared<sim::SimClock>();
  auto opened = OpenRocksEventLog(data, sim::SimulationLogOptions(seed, clock));
  if (!opened.ok()) return Fail(opened.status(), json);
  auto log = std::move(opened).value();

  sim::SimOptions o;
  o.seed = seed;
  o.children = children;
  o.start = *start_date;
  o.years = years;
  o.params = loaded ? &*loaded : nullptr;
  if (a.Has("cache-children")) o.cache_children = std::stoull(a.Get("cache-children"));
  if (a.Has("in-flight")) o.in_flight = std::stoull(a.Get("in-flight"));
  const bool tty = isatty(STDERR_FILENO) == 1;
  double last_line = -10;
  o.progress = [&](const sim::SimOptions::Progress& p) {
    if (json) return;
    if (!tty && p.elapsed_s - last_line < 10 && p.fraction < 1) return;  // a line every 10 s in a log file
    last_line = p.elapsed_s;
    const double rate = p.elapsed_s > 0 ? static_cast<double>(p.commands) / p.elapsed_s : 0;
    const double eta = p.fraction > 0.001 ? p.elapsed_s * (1 - p.fraction) / p.fraction : 0;
    const int filled = static_cast<int>(p.fraction * 30);
    std::fprintf(stderr, "%s[%-30s] %3d%%  %s  %s commands  %.0f/s  %s refused  ETA %s%s", tty ? "\r" : "",
                 std::string(static_cast<std::size_t>(filled), '#').c_str(), static_cast<int>(p.fraction * 100),
                 workflows::Date::FromTimestampUs(p.sim_now).ToString().c_str(), Grouped(p.commands).c_str(), rate,
                 Grouped(p.refusals).c_str(), Duration(eta).c_str(), tty ? "" : "\n");
    std::fflush(stderr);
  };
  auto r = sim::Simulate(*log, *clock, workflows::RuleBook::Default(), o, now);
  if (tty && !json) std::fprintf(stderr, "\n");
  if (!r.ok()) return Fail(r.status(), json);
  log->Close();
  const sim::SimReport& rep = *r;
  const int code = rep.refusals == 0 && rep.errors == 0 ? 0 : 7;
  if (json) {
    nlohmann::json out = {{"seed", seed},
                          {"start", start_date->ToString()},
                          {"years", years},
                          {"children", rep.children},
                          {"contacts", rep.contacts},
                          {"commands", rep.commands},
                          {"events", rep.events},
                          {"refusals", rep.refusals},
                          {"errors", rep.errors},
                          {"problems", rep.problems},
                          {"average_open", rep.average_open},
                          {"average_open_last_year", rep.average_open_last_year},
                          {"open_at_end", rep.open_at_end},
                          {"elapsed_s", rep.elapsed_s},
                          {"rebuilt_from_snapshot", rep.rebuilt_from_snapshot},
                          {"rebuilt_from_log", rep.rebuilt_from_log},
                          {"actions", rep.actions}};
    std::cout << out.dump() << "\n";
    return code;
  }
  const double rate = rep.elapsed_s > 0 ? static_cast<double>(rep.commands) / rep.elapsed_s : 0;
  std::printf("simulated %s to %s (seed %llu) into %s (bulk, non-durable):\n", start_date->ToString().c_str(),
              workflows::Date::FromTimestampUs(rep.end_us).ToString().c_str(), static_cast<unsigned long long>(seed),
              data.c_str());
  std::printf("  children   %s (%s contacts; open on an average day %.0f, in the last year %.0f; open at the end %s)\n",
              Grouped(rep.children).c_str(), Grouped(rep.contacts).c_str(), rep.average_open,
              rep.average_open_last_year, Grouped(rep.open_at_end).c_str());
  std::printf("  commands   %s accepted (%.0f/s)\n  events     %s\n  refusals   %s\n  errors     %s\n  elapsed    %.1f s\n",
              Grouped(rep.commands).c_str(), rate, Grouped(rep.events).c_str(), Grouped(rep.refusals).c_str(),
              Grouped(rep.errors).c_str(), rep.elapsed_s);
  if (rep.rebuilt_from_snapshot + rep.rebuilt_from_log > 0) {
    std::printf("  rebuilt    %s cases from snapshots, %s from the log (no longer cached; --cache-children)\n",
                Grouped(rep.rebuilt_from_snapshot).c_str(), Grouped(rep.rebuilt_from_log).c_str());
  }
  for (const auto& p : rep.problems) std::printf("  problem: %s\n", p.c_str());
  if (code == 0) std::printf("next: casetrail replay --data %s (projections), casetrail kpis --from ... --to ...\n", data.c_str());
  return code;
}

}  // namespace casetrail::cli
