// casetrail simulate: a simulated caseload through the command pipeline (sim/simulator.hpp),
// written into an empty RocksDB log in bulk (non-durable) mode, with a progress bar on stderr
// (business date reached, commands/s, ETA) and a summary on stdout.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <iostream>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "adapters/cli/commands.hpp"
#include "sim/calibration.hpp"
#include "sim/simulator.hpp"

namespace casetrail::cli {
namespace {

std::string Duration(double s) {
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s / 3600), static_cast<int>(s / 60) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s / 60), static_cast<int>(s) % 60);
  }
  return buf;
}

struct SimulateOptions {
  std::string preset, start = "2022-04-01", params;
  std::optional<std::uint64_t> children, cache_children, in_flight;
  int years = 2;
  int history_years = 18;
  std::uint64_t seed = 1;
  bool no_calibration = false;
};

int Simulate(const GlobalOptions& g, const SimulateOptions& so) {
  const bool json = g.json;
  // Presets: new children a year sized from the seeds' contacts (K-F1: 60,000 a year in
  // Birmingham, ~1.24 contacts per child in the window); England ~40 times Birmingham.
  std::uint64_t children = so.preset == "birmingham" ? 102000 : so.preset == "england" ? 4080000 : 1000;
  if (so.children) children = *so.children;
  const int years = so.years;
  const std::string& start = so.start;
  const std::uint64_t seed = so.seed;
  auto start_date = workflows::Date::Parse(start, "start");
  if (!start_date.ok()) return Fail(start_date.status(), json);

  std::optional<sim::Params> loaded;
  if (!so.params.empty()) {
    std::ifstream in(so.params);
    if (!in) return Fail(Status::InvalidArgument("params", "cannot read '" + so.params + "'"), json);
    std::stringstream text;
    text << in.rdbuf();
    auto p = sim::Params::Load(text.str());
    if (!p.ok()) return Fail(p.status(), json);
    loaded = std::move(p).value();
  }
  const TimestampUs now = SystemClockUs();
  if (auto end = sim::WindowEnd(*start_date, years, now); !end.ok()) return Fail(end.status(), json);

  const std::string& data = g.data;
  auto clock = std::make_shared<sim::SimClock>();
  auto opened = OpenRocksEventLog(data, sim::SimulationLogOptions(seed, clock));
  if (!opened.ok()) return Fail(opened.status(), json);
  auto log = std::move(opened).value();

  sim::SimOptions o;
  o.seed = seed;
  o.children = children;
  o.start = *start_date;
  o.years = years;
  o.history_years = so.history_years;
  o.params = loaded ? &*loaded : nullptr;
  if (so.cache_children) o.cache_children = *so.cache_children;
  if (so.in_flight) o.in_flight = *so.in_flight;
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
                 workflows::Date::FromTimestampUs(p.sim_now).ToString().c_str(), Thousands(p.commands).c_str(), rate,
                 Thousands(p.refusals).c_str(), Duration(eta).c_str(), tty ? "" : "\n");
    std::fflush(stderr);
  };
  auto r = sim::Simulate(*log, *clock, workflows::RuleBook::Default(), o, now);
  if (tty && !json) std::fprintf(stderr, "\n");
  if (!r.ok()) return Fail(r.status(), json);
  // The calibration report: the log against the seeds' figures (sim/calibration.hpp), also
  // written to the data directory.
  std::optional<sim::CalibrationReport> calibration;
  if (!so.no_calibration) {
    // Against the national figures for the england preset, Birmingham's (the seeds') otherwise.
    const sim::CalibrationPreset& targets =
        so.preset == "england" ? sim::EnglandCalibration() : sim::BirminghamCalibration();
    auto c = sim::Calibrate(*log, r->end_us, static_cast<double>(children) / std::max(1, years), targets);
    if (!c.ok()) return Fail(c.status(), json);
    calibration = std::move(c).value();
    std::ofstream(data + "/calibration.md") << "# Calibration of the simulated caseload against " << targets.name
                                            << "\n\n`casetrail simulate"
                                            << (so.preset.empty() ? "" : " --preset " + so.preset) << " --children "
                                            << children << " --years " << years
                                            << " --seed " << seed << " --start " << start_date->ToString()
                                            << " --history-years " << so.history_years << "`\n\n"
                                            << calibration->Markdown();
  }
  log->Close();
  const sim::SimReport& rep = *r;
  const int code = rep.refusals == 0 && rep.errors == 0 ? 0 : 7;
  if (json) {
    nlohmann::json out = {{"seed", seed},
                          {"start", start_date->ToString()},
                          {"years", years},
                          {"history_from", workflows::Date::FromTimestampUs(rep.history_from_us).ToString()},
                          {"children", rep.children},
                          {"children_before", rep.children_before},
                          {"commands_before", rep.commands_before},
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
                          {"actions", rep.actions},
                          {"ticks", rep.ticks},
                          {"time_driven", rep.time_driven},
                          {"time_overtaken", rep.time_overtaken}};
    if (calibration) {
      nlohmann::json cal = nlohmann::json::object();
      for (const auto& l : calibration->lines) {
        cal[l.target.measure] = {{"id", l.target.id}, {"seed", l.target.seed}, {"tolerance", l.target.tolerance},
                                 {"simulated", l.measured ? nlohmann::json(l.simulated) : nlohmann::json(nullptr)},
                                 {"pass", l.pass()}};
      }
      out["calibration"] = {{"preset", calibration->preset},
                            {"reference_date", calibration->reference_date},
                            {"misses", calibration->misses()},
                            {"measures", cal}};
    }
    std::cout << out.dump() << "\n";
    return code;
  }
  const double rate = rep.elapsed_s > 0 ? static_cast<double>(rep.commands) / rep.elapsed_s : 0;
  std::printf("simulated %s to %s (seed %llu) into %s (bulk, non-durable):\n", start_date->ToString().c_str(),
              workflows::Date::FromTimestampUs(rep.end_us).ToString().c_str(), static_cast<unsigned long long>(seed),
              data.c_str());
  if (rep.history_from_us < rep.start_us) {
    std::printf("  history    from %s: %s children still known at the start, %s commands before it\n",
                workflows::Date::FromTimestampUs(rep.history_from_us).ToString().c_str(),
                Thousands(rep.children_before).c_str(), Thousands(rep.commands_before).c_str());
  }
  std::printf("  children   %s new (%s contacts; open on an average day %.0f, in the last year %.0f; open at the end %s)\n",
              Thousands(rep.children).c_str(), Thousands(rep.contacts).c_str(), rep.average_open,
              rep.average_open_last_year, Thousands(rep.open_at_end).c_str());
  std::printf("  commands   %s accepted (%.0f/s)\n  events     %s\n  refusals   %s\n  errors     %s\n  elapsed    %.1f s\n",
              Thousands(rep.commands).c_str(), rate, Thousands(rep.events).c_str(), Thousands(rep.refusals).c_str(),
              Thousands(rep.errors).c_str(), rep.elapsed_s);
  if (rep.ticks > 0) {
    auto n = [&](const char* k) { return rep.time_driven.count(k) ? rep.time_driven.at(k) : 0; };
    std::printf("  scheduler  %s daily ticks: %s deadlines breached (%s withdrawn: met in time, recorded late), "
                "%s reminders, %s birthdays\n",
                Thousands(rep.ticks).c_str(), Thousands(n("deadline.breached")).c_str(),
                Thousands(n("deadline.breach_cancelled")).c_str(), Thousands(n("deadline.due_soon")).c_str(),
                Thousands(n("case.age_reached")).c_str());
  }
  if (rep.rebuilt_from_snapshot + rep.rebuilt_from_log > 0) {
    std::printf("  rebuilt    %s cases from snapshots, %s from the log (no longer cached; --cache-children)\n",
                Thousands(rep.rebuilt_from_snapshot).c_str(), Thousands(rep.rebuilt_from_log).c_str());
  }
  for (const auto& p : rep.problems) std::printf("  problem: %s\n", p.c_str());
  if (calibration) {
    std::printf("calibration against %s (also in %s/calibration.md): %d of %zu measures miss\n%s",
                calibration->preset.c_str(), data.c_str(),
                calibration->misses(), calibration->lines.size(), calibration->Markdown().c_str());
  }
  if (code == 0) std::printf("next: casetrail replay --data %s (projections), casetrail kpis --from ... --to ...\n", data.c_str());
  return code;
}

}  // namespace

void AddSimulateCommand(CLI::App& app, Registry& r) {
  auto o = std::make_shared<SimulateOptions>();
  CLI::App* c = app.add_subcommand("simulate", "generate children's journeys through the workflows into an empty log");
  c->footer(
      "Bulk mode, business dates in the past, deterministic for a seed (docs/simulator.md). N: children who\n"
      "first come to the front door in the window (default 1,000; birmingham 102,000 over 2 years, about\n"
      "60,000 contacts a year). Children open on the start date come with their histories (--history-years).\n"
      "Ends with a calibration report against the seeds (england: the national figures). The log is the\n"
      "same for any --in-flight. Exit code 7 if a command was refused.");
  c->add_option("--preset", o->preset, "a Trust's size (and the calibration's targets)")->check(CLI::IsMember({"birmingham", "england"}));
  c->add_option("--children", o->children, "new children in the window")->type_name("N");
  c->add_option("--years", o->years, "the window (default 2)")->type_name("Y");
  c->add_option("--history-years", o->history_years,
                 "history before --start for the children still known then (default 18, from 2015 at the "
                 "earliest; 0: an empty Trust on the start date)")
      ->type_name("Y")
      ->check(CLI::Range(0, 25));
  c->add_option("--seed", o->seed, "the random seed (default 1)")->type_name("S");
  c->add_option("--start", o->start, "the window's first day (default 2022-04-01)")->type_name("DATE");
  c->add_option("--params", o->params, "parameters (default sim/params/default.json)")
      ->type_name("FILE")
      ->check(CLI::Validator(CLI::ExistingFile).description(""));
  c->add_option("--cache-children", o->cache_children, "cases kept in memory (default 2,000,000, a few KB each)")
      ->type_name("N");
  c->add_option("--in-flight", o->in_flight, "commands sent ahead (default 256)")->type_name("N");
  c->add_flag("--no-calibration", o->no_calibration, "skip the calibration report (it rebuilds two projections)");
  r.OnWithoutLog(c, [o](const GlobalOptions& g) { return Simulate(g, *o); });
}

}  // namespace casetrail::cli
