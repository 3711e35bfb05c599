// case_bench: the case service, projections and replay (docs/benchmarks.md, "Case service,
// projections and replay"). Prints a markdown report (and writes it with --out).
//
//   1. Commands through the whole pipeline, CaseService::Execute (authorise by role, decide with
//      the child's state machines, append atomically and durably), from N client threads (64),
//      each on its own children, on a durable RocksDB log. The commands are the "do" lines of the
//      scenario files (tests/workflows/scenarios/), each with a command id. In the same run, the
//      PostgreSQL peer (pg_peer.cpp) with the event-store benchmark's durable workload: N clients,
//      one event per append (one transaction each), 8 streams per client, exact expected version.
//   2. Rebuild of the five projections (child summary, chronology, deadlines, PLO tracker, KPIs)
//      over a simulated caseload of 10 million events. The caseload is generated through
//      CaseService::Execute on a bulk log (EventLogOptions::durable = false): many children, each
//      going through one of the scenario files, interleaved as a local authority's open cases
//      are. Every rebuild runs in a child process (this program with --rebuild-child), whose own
//      peak RSS is reported. PostgreSQL: the same events copied into its events table, then a
//      full ordered scan (COPY (SELECT ... ORDER BY position) TO STDOUT binary, as
//      event_store_bench's replay row), in a child process too.
//   3. Audit::AsOf on one child with 5,000 events (a child in care: visits, reviews, PEPs,
//      missing episodes, placement moves, some visits recorded late), written through
//      CaseService interleaved with the caseload in the same log, at random
//      (occurred_by, recorded_by) pairs.
//
// The logs' clock runs ahead of the wall clock so that "now" is 2031-01-01 at the start of the
// run: scenario 03 runs to 2030, and the log refuses business times in its future.
#include <fcntl.h>
#include <libpq-fe.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cctype>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "bench_common.hpp"
#include "engine/event_log.hpp"
#include "replay/audit.hpp"
#include "workflows/case_service.hpp"
#include "replay/chronology_text.hpp"
#include "replay/projections.hpp"
#include "workflows/calendar.hpp"

namespace bench {
namespace {

namespace fs = std::filesystem;
using casetrail::EventLog;
using casetrail::TimestampUs;
using casetrail::workflows::CaseService;
using casetrail::workflows::Command;
using casetrail::workflows::Date;

constexpr std::int64_t kMinuteUs = 60LL * 1000000;

// ---- options ---------------------------------------------------------------------------------

struct Options : CommonOptions {
  Options() { dir = "case-bench-data"; }
  std::string scenarios;
  std::vector<std::string> phases = {"pipeline", "rebuild", "asof"};
  int clients = 64;
  double seconds = 0;               // per pipeline measurement; 0: mode default
  std::uint64_t caseload_events = 0;  // 0: mode default
  int rebuild_repeat = 1;          // RebuildAll runs (each one to two minutes over 10M events here)
  int gen_threads = 4;
  int window = 2500;                // open children per generator thread
  std::uint64_t asof_events = 0;    // 0: mode default
  int asof_queries = 0;             // 0: mode default
  double asof_seconds = 60;
  bool breakdown = true;
  bool postgres = true;
  bool distinct_stripes = false;
  bool no_command_ids = false;
  bool reuse_caseload = false;
  std::string log_dir;   // --log: rebuild over this existing log instead of a generated caseload
  std::string log_note;  // --log-note: how that log was made (for the report)
  bool phases_given = false;
};

[[noreturn]] void Usage(const std::string& error) {
  ExitWithUsage("case_bench", error, R"(usage: case_bench [options]
  --smoke               tiny run of every phase (CI; < 60 s)
  --repeat R            repeat the pipeline measurements R times; medians (default 1)
  --out FILE            also write the markdown report to FILE
  --dir DIR             data directory, created and removed (default ./case-bench-data)
  --scenarios DIR       scenario files (default: tests/workflows/scenarios of the source tree)
  --phases LIST         comma-separated: pipeline,rebuild,asof (default all; asof needs the
                        caseload, which the rebuild phase generates or --reuse-caseload keeps)
  --clients N           pipeline client threads (default 64)
  --seconds S           time bound of each pipeline measurement (default 3; smoke 0.3)
  --caseload-events N   events of the simulated caseload (default 10000000; smoke 30000)
  --rebuild-repeat N    RebuildAll runs (default 1; median)
  --gen-threads N       threads generating the caseload (default 4)
  --window N            open children per generator thread (default 2500; smoke 50)
  --asof-events N       events of the as-of child (default 5000; smoke 500)
  --asof-queries N      as-of queries (default 5000; smoke 300), bounded by --asof-seconds (60)
  --no-breakdown        skip the per-projection rebuilds (scan alone, each projection alone)
  --no-postgres         casetrail only
  --distinct-stripes    diagnostic: pick pipeline child ids that fall on distinct lock stripes
  --no-command-ids      diagnostic: pipeline commands without a command id
  --pg-bin DIR          PostgreSQL server binaries (default: newest /usr/lib/postgresql/*/bin)
  --keep                keep the data directory (the caseload can then be reused)
  --reuse-caseload      use the caseload left in DIR by an earlier --keep run, if it is there
  --fail-on-miss        exit 3 when a target is missed
  --log DIR             rebuild over this existing log (e.g. written by `casetrail simulate`)
                        instead of generating the caseload; only the rebuild phase; DIR is
                        kept (the rebuilds store their projection checkpoints in it)
  --log-note TEXT       how that log was made, for the report
)");
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  const OptionValues values{argc, argv, Usage};
  values.Parse(o, [&](const std::string& a, int& i) {
    if (a == "--scenarios") o.scenarios = values.Need(i);
    else if (a == "--phases") { o.phases = Split(values.Need(i), ','); o.phases_given = true; }
    else if (a == "--clients") o.clients = std::max(1, static_cast<int>(values.Number(i)));
    else if (a == "--seconds") o.seconds = values.Number(i);
    else if (a == "--caseload-events") o.caseload_events = static_cast<std::uint64_t>(values.Number(i));
    else if (a == "--rebuild-repeat") o.rebuild_repeat = std::max(1, static_cast<int>(values.Number(i)));
    else if (a == "--gen-threads") o.gen_threads = std::max(1, static_cast<int>(values.Number(i)));
    else if (a == "--window") o.window = std::max(1, static_cast<int>(values.Number(i)));
    else if (a == "--asof-events") o.asof_events = static_cast<std::uint64_t>(values.Number(i));
    else if (a == "--asof-queries") o.asof_queries = std::max(1, static_cast<int>(values.Number(i)));
    else if (a == "--asof-seconds") o.asof_seconds = values.Number(i);
    else if (a == "--no-breakdown") o.breakdown = false;
    else if (a == "--no-postgres") o.postgres = false;
    else if (a == "--distinct-stripes") o.distinct_stripes = true;
    else if (a == "--no-command-ids") o.no_command_ids = true;
    else if (a == "--reuse-caseload") o.reuse_caseload = true;
    else if (a == "--log") o.log_dir = values.Need(i);
    else if (a == "--log-note") o.log_note = values.Need(i);
    else Usage("unknown option " + a);
  });
  for (const auto& p : o.phases) {
    if (p != "pipeline" && p != "rebuild" && p != "asof") Usage("unknown phase " + p);
  }
  if (!o.log_dir.empty()) {
    if (!o.phases_given) o.phases = {"rebuild"};
    if (o.phases != std::vector<std::string>{"rebuild"}) Usage("--log runs the rebuild phase only");
    if (o.reuse_caseload || o.smoke) Usage("--log does not go with --reuse-caseload or --smoke");
  }
  if (o.seconds == 0) o.seconds = o.smoke ? 0.3 : 3.0;
  if (o.caseload_events == 0) o.caseload_events = o.smoke ? 30000 : 10000000;
  if (o.asof_events == 0) o.asof_events = o.smoke ? 500 : 5000;
  if (o.asof_queries == 0) o.asof_queries = o.smoke ? 300 : 5000;
  if (o.smoke) {
    o.window = std::min(o.window, 50);
    o.asof_seconds = std::min(o.asof_seconds, 10.0);
  }
  if (o.scenarios.empty()) {
#ifdef CASETRAIL_SOURCE_DIR
    o.scenarios = std::string(CASETRAIL_SOURCE_DIR) + "/tests/workflows/scenarios";
#else
    Usage("--scenarios is required");
#endif
  }
  return o;
}

bool Has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// ---- small helpers ---------------------------------------------------------------------------

void Log(const std::string& s) { std::fprintf(stderr, "%s\n", s.c_str()); }

// Nearest-rank percentile of an ascending vector.
double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return std::nan("");
  std::size_t rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

std::string Mb(long kb) { return Fixed(kb * 1024.0 / 1e6, 1) + " MB"; }

// ---- the log's clock ---------------------------------------------------------------------------

// The wall clock moved forward so that the run starts on 2031-01-01 (London midnight): the
// scenarios' business times (to 2030) are then in the past, and recorded_at still advances in
// real time.
casetrail::Clock AheadClock() {
  static const std::int64_t offset = [] {
    const std::int64_t target = Date::FromYmd(2031, 1, 1).StartUs();
    return std::max<std::int64_t>(0, target - casetrail::SystemClockUs());
  }();
  return [] { return casetrail::SystemClockUs() + offset; };
}

std::unique_ptr<EventLog> OpenLog(const std::string& dir, bool durable) {
  casetrail::EventLogOptions o;
  o.durable = durable;
  o.clock = AheadClock();
  auto r = casetrail::OpenRocksEventLog(dir, o);
  if (!r.ok()) throw BenchError("cannot open the casetrail log in '" + dir + "': " + r.status().ToString());
  return std::move(r).value();
}

// ---- scenarios -------------------------------------------------------------------------------

struct Step {
  std::string action;
  TimestampUs day_us = 0;  // London midnight of the step's date
  std::string role;
  std::map<std::string, std::string> params;
};

struct Scenario {
  std::string name;
  std::vector<Step> steps;
};

TimestampUs DayUs(const std::string& date) {
  auto d = Date::Parse(date, "date");
  if (!d.ok()) throw BenchError("bad date '" + date + "'");
  return d->StartUs();
}

// The "do" lines of every scenario file (the actions the workflows accept, in order).
std::vector<Scenario> LoadScenarios(const std::string& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".txt") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Scenario> out;
  for (const auto& f : files) {
    Scenario s;
    s.name = f.stem().string();
    std::ifstream in(f);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream w(line);
      std::string verb, date;
      w >> verb;
      if (verb == "record") {  // a record of its own (an allegation, a carer): not a child's scenario
        s.steps.clear();
        break;
      }
      if (verb != "do") continue;
      Step st;
      w >> st.action >> date >> st.role;
      st.day_us = DayUs(date);
      std::string kv;
      while (w >> kv) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos) throw BenchError(f.string() + ": bad parameter '" + kv + "'");
        st.params[kv.substr(0, eq)] = kv.substr(eq + 1);
      }
      s.steps.push_back(std::move(st));
    }
    if (!s.steps.empty()) out.push_back(std::move(s));
  }
  if (out.empty()) throw BenchError("no scenario files with 'do' lines in " + dir);
  return out;
}

const char* const kTeams[] = {"north-1", "north-2", "south-1", "south-2",
                              "east-1",  "east-2",  "west-1",  "west-2"};

// Step `i` of scenario `s` as a command for child number `no` (id `id`): the child's team and
// workers follow from its number; its actions happen at a time of day between 09:00 and 17:00.
Command MakeCommand(const Scenario& s, std::size_t i, const std::string& id, std::uint64_t no,
                    bool command_id) {
  const Step& st = s.steps[i];
  Command c;
  c.child_id = id;
  c.action = st.action;
  c.occurred_at = st.day_us + 9 * 60 * kMinuteUs + static_cast<std::int64_t>(no % 480) * kMinuteUs;
  c.params = st.params;
  const std::string team = kTeams[no % 8];
  c.actor = casetrail::Actor{st.role.substr(0, 4) + "." + team + "." + std::to_string(no % 7), st.role, team};
  if (command_id) c.command_id = NewUuid();
  return c;
}

// ---- 1. the pipeline, durable, N clients ------------------------------------------------------

struct Sample {
  double rate = 0;          // commands/s (casetrail) or appends/s (PostgreSQL)
  double event_rate = 0;    // events/s
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  double per_sync = -1;     // events per group commit / WAL sync
  double cpu_share = -1;    // this process's CPU time / wall time
  std::uint64_t ops = 0, events = 0;
  double seconds = 0;
};

void Latencies(std::vector<std::vector<double>>& per_thread, Sample* s) {
  std::vector<double> all;
  for (auto& v : per_thread) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  s->p50_ms = Percentile(all, 0.50);
  s->p99_ms = Percentile(all, 0.99);
  s->max_ms = all.empty() ? std::nan("") : all.back();
}

// The lock stripe CaseService uses for a child (diagnostic only; mirrors LockFor).
std::size_t StripeOf(const std::string& child_id) { return std::hash<std::string>{}(child_id) % 64; }

Sample RunPipeline(EventLog& log, CaseService& svc, const std::vector<Scenario>& scenarios,
                   int clients, double seconds, const std::string& tag, const Options& opt) {
  const auto stats0 = log.Stats();
  std::atomic<std::uint64_t> commands{0}, events{0};
  std::vector<std::vector<double>> lat(static_cast<std::size_t>(clients));
  const double cpu0 = CpuSeconds();
  const double wall = RunThreads(clients, seconds, [&](int t, std::atomic<bool>& stop) {
    auto& my_lat = lat[static_cast<std::size_t>(t)];
    my_lat.reserve(1 << 16);
    std::uint64_t salt = 0;
    for (std::uint64_t k = 0; !stop.load(std::memory_order_relaxed); ++k) {
      const std::uint64_t no = static_cast<std::uint64_t>(t) * 1000003 + k;
      const Scenario& s = scenarios[(static_cast<std::size_t>(t) + k) % scenarios.size()];
      std::string id = "p" + tag + "-" + std::to_string(t) + "-" + std::to_string(k);
      if (opt.distinct_stripes && clients <= 64) {
        while (StripeOf(id) != static_cast<std::size_t>(t)) {
          id = "p" + tag + "-" + std::to_string(t) + "-" + std::to_string(k) + "-" + std::to_string(++salt);
        }
      }
      for (std::size_t i = 0; i < s.steps.size() && !stop.load(std::memory_order_relaxed); ++i) {
        Command c = MakeCommand(s, i, id, no, !opt.no_command_ids);
        const auto t0 = std::chrono::steady_clock::now();
        auto r = svc.Execute(c);
        const auto t1 = std::chrono::steady_clock::now();
        if (!r.ok()) throw BenchError("pipeline: " + c.action + " on " + id + ": " + r.status().ToString());
        if (!r->accepted) {
          throw BenchError("pipeline: " + c.action + " on " + id + " (" + s.name + ") refused: " +
                           r->verdict.verdict.reason);
        }
        my_lat.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        commands.fetch_add(1, std::memory_order_relaxed);
        events.fetch_add(r->event_types.size(), std::memory_order_relaxed);
      }
    }
  });
  const double cpu = CpuSeconds() - cpu0;
  const auto stats1 = log.Stats();
  Sample s;
  s.ops = commands.load();
  s.events = events.load();
  s.seconds = wall;
  s.rate = s.ops / wall;
  s.event_rate = s.events / wall;
  s.cpu_share = cpu / wall;
  if (stats1.commits > stats0.commits) {
    s.per_sync = double(stats1.events - stats0.events) / double(stats1.commits - stats0.commits);
  }
  Latencies(lat, &s);
  return s;
}

// PostgreSQL: event_store_bench's durable row (one event per append, 8 streams per client).
Sample RunPgDurable(System& pg, int clients, double seconds, const std::string& tag) {
  const auto sync0 = pg.SyncCounter();
  std::vector<std::unique_ptr<Writer>> ws;
  for (int i = 0; i < clients; ++i) ws.push_back(pg.NewWriter(true));
  std::atomic<std::uint64_t> total{0};
  std::vector<std::vector<double>> lat(static_cast<std::size_t>(clients));
  const double cpu0 = CpuSeconds();
  const double wall = RunThreads(clients, seconds, [&](int t, std::atomic<bool>& stop) {
    auto& my_lat = lat[static_cast<std::size_t>(t)];
    my_lat.reserve(1 << 14);
    DurableWorkload work(tag, t);
    for (std::uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
      work.Prepare(i);
      const auto t0 = std::chrono::steady_clock::now();
      work.Append(*ws[static_cast<std::size_t>(t)]);
      my_lat.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      total.fetch_add(1, std::memory_order_relaxed);
    }
  });
  const double cpu = CpuSeconds() - cpu0;
  ws.clear();
  const auto sync1 = pg.SyncCounter();
  Sample s;
  s.ops = s.events = total.load();
  s.seconds = wall;
  s.rate = s.event_rate = s.ops / wall;
  s.cpu_share = cpu / wall;
  if (sync0 && sync1 && *sync1 > *sync0) s.per_sync = double(s.events) / double(*sync1 - *sync0);
  Latencies(lat, &s);
  return s;
}

// ---- 2. the caseload -------------------------------------------------------------------------

// The as-of child: a child in care from January 2016, in foster care, visited three times a
// week (Monday, Wednesday, Friday; every 17th visit is entered late, at the end of its week,
// after the actions that followed it), reviewed by the IRO every 13 weeks, a PEP each term, a yearly health assessment,
// a missing episode every 9 weeks (missing Friday evening, back Saturday, return interview
// Sunday), a placement move every 50 weeks, and a permanence plan before the second review.
std::vector<Command> AsOfChildCommands(const std::string& id, std::size_t count) {
  std::vector<Command> out;
  const casetrail::Actor sw{"sw.asof", "social_worker", "north-1"};
  auto add = [&](const char* action, Date d, int hour, const casetrail::Actor& actor,
                 std::map<std::string, std::string> params = {}) {
    Command c;
    c.child_id = id;
    c.action = action;
    c.occurred_at = d.StartUs() + hour * 60 * kMinuteUs;
    c.actor = actor;
    c.params = std::move(params);
    c.command_id = NewUuid();
    out.push_back(std::move(c));
  };
  const casetrail::Actor iro{"iro.asof", "iro", "north-1"}, tm{"tm.asof", "team_manager", "north-1"};
  const casetrail::Actor vs{"vs.asof", "virtual_school", "north-1"}, health{"hv.asof", "health", "north-1"};
  const Date start = Date::FromYmd(2016, 1, 4);  // a Monday
  add("case.child_registered", start, 9, sw, {{"date_of_birth", "2012-03-01"}});
  add("cic.became_looked_after", start, 11, sw, {{"legal_status", "care_order"}});
  add("cic.placement_started", start, 15, sw, {{"placement", "foster_care"}, {"long_term", "no"}});
  add("cic.iro_allocated", start.AddDays(1), 10, iro);
  std::vector<Command> late;  // visits entered at the end of their week
  std::size_t visits = 0;
  for (int w = 1; out.size() < count; ++w) {
    const Date mon = start.AddWeeks(w);
    auto visit = [&](Date d) {
      ++visits;
      if (visits % 17 == 0) {
        const std::size_t before = out.size();
        add("cic.visit_held", d, 16, sw);
        late.push_back(std::move(out.back()));
        out.resize(before);
        return;
      }
      add("cic.visit_held", d, 16, sw);
    };
    auto flush_late = [&] {
      for (auto it = late.begin(); it != late.end();) {
        out.push_back(std::move(*it));
        it = late.erase(it);
      }
    };
    visit(mon);
    if (w == 10) add("cic.permanence_plan_agreed", mon.AddDays(1), 14, tm, {{"plan", "long_term_foster_care"}});
    if (w % 13 == 6) add("cic.review_held", mon.AddDays(1), 10, iro);
    visit(mon.AddDays(2));
    if (w % 13 == 10) add("cic.pep_held", mon.AddDays(2), 13, vs);
    if (w % 52 == 20) add("cic.health_assessment_completed", mon.AddDays(3), 11, health);
    if (w % 50 == 25) {
      add("cic.placement_changed", mon.AddDays(3), 15, sw,
          {{"placement", "foster_care"}, {"long_term", w > 150 ? "yes" : "no"}, {"reason", "carer_notice"}});
    }
    visit(mon.AddDays(4));
    flush_late();
    if (w % 9 == 4) {
      add("cic.went_missing", mon.AddDays(4), 21, sw);
      add("cic.returned_from_missing", mon.AddDays(5), 12, sw);
      add("cic.return_interview_held", mon.AddDays(6), 14, sw);
    }
  }
  return out;
}

struct Caseload {
  std::uint64_t events = 0;   // the log's head position
  std::uint64_t commands = 0;
  std::uint64_t children = 0;
  double seconds = 0;
  double cpu_seconds = 0;
  int threads = 0;
  int window = 0;
  std::string asof_child;
  std::uint64_t asof_events = 0;
  std::uint64_t asof_commands = 0;
  double per_commit = 0;
  bool generated_now = false;
  long generator_hwm_kb = -1;
  std::map<std::string, std::uint64_t> scenario_children;
};

void SaveCaseload(const std::string& path, const Caseload& c) {
  std::ofstream f(path);
  f << "events " << c.events << "\ncommands " << c.commands << "\nchildren " << c.children
    << "\nseconds " << c.seconds << "\ncpu_seconds " << c.cpu_seconds << "\nthreads " << c.threads
    << "\nwindow " << c.window << "\nasof_child " << c.asof_child << "\nasof_events " << c.asof_events
    << "\nasof_commands " << c.asof_commands << "\nper_commit " << c.per_commit
    << "\ngenerator_hwm_kb " << c.generator_hwm_kb << "\n";
  for (const auto& [k, v] : c.scenario_children) f << "scenario " << k << " " << v << "\n";
}

bool LoadCaseload(const std::string& path, Caseload* c) {
  std::ifstream f(path);
  if (!f) return false;
  std::string key;
  while (f >> key) {
    if (key == "events") f >> c->events;
    else if (key == "commands") f >> c->commands;
    else if (key == "children") f >> c->children;
    else if (key == "seconds") f >> c->seconds;
    else if (key == "cpu_seconds") f >> c->cpu_seconds;
    else if (key == "threads") f >> c->threads;
    else if (key == "window") f >> c->window;
    else if (key == "asof_child") f >> c->asof_child;
    else if (key == "asof_events") f >> c->asof_events;
    else if (key == "asof_commands") f >> c->asof_commands;
    else if (key == "per_commit") f >> c->per_commit;
    else if (key == "generator_hwm_kb") f >> c->generator_hwm_kb;
    else if (key == "scenario") {
      std::string name;
      std::uint64_t n;
      f >> name >> n;
      c->scenario_children[name] = n;
    }
  }
  return c->events > 0 && !c->asof_child.empty();
}

// Generates the caseload through CaseService::Execute on a bulk log: `threads` threads, each
// keeping `window` children open and recording the next action of one of them, picked at
// random; a finished child is replaced by a new one (children go through the scenario files in
// turn). One more thread records the as-of child's actions, paced so that they are spread over
// the whole log.
Caseload GenerateCaseload(const std::string& dir, const std::vector<Scenario>& scenarios,
                          const Options& opt) {
  auto log = OpenLog(dir, false);
  CaseService svc(*log);
  Caseload c;
  c.threads = opt.gen_threads;
  c.window = opt.window;
  c.asof_child = "asof-1";
  c.generated_now = true;
  const std::uint64_t target = opt.caseload_events;
  std::atomic<std::uint64_t> events{0}, commands{0}, next_child{0};
  std::vector<std::atomic<std::uint64_t>> per_scenario(scenarios.size());
  std::atomic<bool> done{false};
  std::exception_ptr asof_error;
  // The as-of child: ~2.75 events per action; its k-th action waits for k/n of the caseload.
  const std::size_t asof_cmds_est = static_cast<std::size_t>(opt.asof_events / 2.75) + 1;
  const auto asof = AsOfChildCommands(c.asof_child, asof_cmds_est * 2 + 16);
  std::uint64_t asof_version = 0, asof_sent = 0;
  std::thread asof_thread([&] {
    try {
      for (std::size_t k = 0; k < asof.size() && asof_version < opt.asof_events; ++k) {
        const std::uint64_t due = target * 9 / 10 * std::min(k, asof_cmds_est) / asof_cmds_est;
        while (!done.load() && events.load() < due) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        auto r = svc.Execute(asof[k]);
        if (!r.ok()) throw BenchError("as-of child: " + asof[k].action + ": " + r.status().ToString());
        if (!r->accepted) throw BenchError("as-of child: " + asof[k].action + " refused: " + r->verdict.verdict.reason);
        asof_version = r->version;
        ++asof_sent;
        events.fetch_add(r->event_types.size());
      }
      if (asof_version < opt.asof_events) throw BenchError("as-of child: ran out of actions");
    } catch (...) {
      asof_error = std::current_exception();
    }
  });
  const double t0 = MonoSeconds();
  const double cpu0 = CpuSeconds();
  std::atomic<double> last_report{t0};
  const auto stats0 = log->Stats();
  struct Open {
    std::string id;
    std::uint64_t no = 0;
    std::size_t step = 0;
  };
  try {
    RunThreads(opt.gen_threads, 1e12, [&](int t, std::atomic<bool>& stop) {
      std::mt19937_64 rng(1234 + static_cast<std::uint64_t>(t));
      std::vector<Open> open;
      auto fresh = [&] {
        Open o;
        o.no = next_child.fetch_add(1);
        o.id = std::to_string(o.no);
        per_scenario[o.no % scenarios.size()].fetch_add(1);
        return o;
      };
      for (int i = 0; i < opt.window; ++i) open.push_back(fresh());
      while (!stop.load(std::memory_order_relaxed) && events.load(std::memory_order_relaxed) < target) {
        Open& o = open[rng() % open.size()];
        const Scenario& s = scenarios[o.no % scenarios.size()];
        Command cmd = MakeCommand(s, o.step, o.id, o.no, true);
        auto r = svc.Execute(cmd);
        if (!r.ok()) throw BenchError("caseload: " + cmd.action + " on " + o.id + ": " + r.status().ToString());
        if (!r->accepted) {
          throw BenchError("caseload: " + cmd.action + " on " + o.id + " (" + s.name + ") refused: " +
                           r->verdict.verdict.reason);
        }
        const std::uint64_t e = events.fetch_add(r->event_types.size()) + r->event_types.size();
        commands.fetch_add(1, std::memory_order_relaxed);
        if (++o.step == s.steps.size()) o = fresh();
        if (t == 0) {
          const double now = MonoSeconds();
          if (now - last_report.load() > 15) {
            last_report = now;
            const double rate = e / (now - t0);
            Log("  caseload: " + Group(double(e)) + " events, " + Group(double(commands.load())) +
                " commands, " + Group(double(next_child.load())) + " children; " + Group(rate) +
                " events/s; ~" + Fixed((target - std::min(e, target)) / rate / 60, 1) + " min to go");
          }
        }
      }
    });
  } catch (...) {
    done = true;
    asof_thread.join();
    throw;
  }
  done = true;
  asof_thread.join();
  if (asof_error) std::rethrow_exception(asof_error);
  c.seconds = MonoSeconds() - t0;
  c.cpu_seconds = CpuSeconds() - cpu0;
  const auto stats1 = log->Stats();
  if (stats1.commits > stats0.commits) {
    c.per_commit = double(stats1.events - stats0.events) / double(stats1.commits - stats0.commits);
  }
  c.commands = commands.load() + asof_sent;
  c.children = next_child.load() + 1;
  c.asof_events = asof_version;
  c.asof_commands = asof_sent;
  c.events = log->HeadPosition();
  for (std::size_t i = 0; i < scenarios.size(); ++i) c.scenario_children[scenarios[i].name] = per_scenario[i].load();
  c.generator_hwm_kb = SelfHwmKb();
  log->Close();
  return c;
}

// ---- rebuild children ------------------------------------------------------------------------

struct RebuildResult {
  std::string mode;
  std::uint64_t events = 0;
  double seconds = 0;
  long open_hwm_kb = -1;  // after opening the log
  long hwm_kb = -1;       // the whole process
  long run_hwm_kb = -1;   // the rebuild alone (VmHWM reset after opening), when supported
  std::map<std::string, double> parts;  // runner: seconds per projection
  std::string verify;
};

using casetrail::replay::ChildSummaryProjection;
using casetrail::replay::ChronologyProjection;
using casetrail::replay::DeadlinesProjection;
using casetrail::replay::KpiProjection;
using casetrail::replay::PloTrackerProjection;
using casetrail::replay::Projection;
using casetrail::replay::ProjectionRunner;

struct Five {
  ChildSummaryProjection summary;
  ChronologyProjection chronology;
  DeadlinesProjection deadlines;
  PloTrackerProjection plo;
  KpiProjection kpis;
  std::vector<Projection*> all() { return {&summary, &chronology, &deadlines, &plo, &kpis}; }
  // Asks every projection something after the measurement (so none can be optimised away).
  std::uint64_t Checksum(EventLog& log) const {
    std::uint64_t x = 0;
    for (const auto& [team, workers] : summary.Caseload()) x += team.size() + workers.by_worker.size() + workers.unallocated.size();
    x += deadlines.DueSoon(Date::FromYmd(2026, 6, 1).StartUs(), 7).size() + plo.List().size();
    if (auto c = chronology.For("1", log); c.ok()) x += c->size();
    x += kpis.Compute({}).size();
    return x;
  }
};

// Modes: scan (ReadAll alone), all (ProjectionRunner::RebuildAll: one pass feeding the five
// projections), runner (ProjectionRunner::Rebuild of each in turn), verify (all, then each
// rebuilt again alone, states compared), or one projection's name (ProjectionRunner::Rebuild of
// it alone).
int RebuildChild(int argc, char** argv) {
  return ChildMain(argc, 4, "usage: case_bench --rebuild-child MODE LOGDIR\n",
                   [&] { return "rebuild child (" + std::string(argv[2]) + ")"; }, [&] {
    const std::string mode = argv[2], dir = argv[3];
    auto opened = casetrail::OpenRocksEventLog(dir, {});
    if (!opened.ok()) throw BenchError("cannot open '" + dir + "': " + opened.status().ToString());
    auto log = std::move(opened).value();
    RebuildResult r;
    r.mode = mode;
    r.open_hwm_kb = SelfHwmKb();
    const bool reset = ResetSelfHwm();
    const std::uint64_t head = log->HeadPosition();
    std::uint64_t checksum = 0;
    auto five = std::make_unique<Five>();
    const double t0 = MonoSeconds();
    if (mode == "scan") {
      std::uint64_t n = 0, sum = 0;
      casetrail::Status s = log->ReadAll({}, [&](const casetrail::EventView& v) {
        sum += v.version + v.type.size() + static_cast<unsigned char>(v.stream.back()) + v.payload.size();
        ++n;
        return true;
      });
      if (!s.ok()) throw BenchError("scan: " + s.ToString());
      r.events = n;
      checksum = sum;
    } else if (mode == "all" || mode == "verify") {
      ProjectionRunner runner(*log);
      auto res = runner.RebuildAll(five->all());
      if (!res.ok()) throw BenchError("RebuildAll: " + res.status().ToString());
      r.events = *res;
    } else if (mode == "runner") {
      ProjectionRunner runner(*log);
      for (Projection* p : five->all()) {
        const double p0 = MonoSeconds();
        auto res = runner.Rebuild(*p);
        if (!res.ok()) throw BenchError(std::string("rebuild of ") + p->name() + ": " + res.status().ToString());
        r.parts[p->name()] = MonoSeconds() - p0;
        r.events = *res;
      }
    } else {
      Projection* one = nullptr;
      for (Projection* p : five->all()) {
        if (mode == p->name()) one = p;
      }
      if (!one) throw BenchError("unknown rebuild mode " + mode);
      ProjectionRunner runner(*log);
      auto res = runner.Rebuild(*one);
      if (!res.ok()) throw BenchError(std::string("rebuild of ") + one->name() + ": " + res.status().ToString());
      r.events = *res;
    }
    r.seconds = MonoSeconds() - t0;
    // VmHWM, not getrusage's ru_maxrss: after fork + exec, ru_maxrss still holds the RSS the
    // parent had when it forked (the kernel keeps the old mm's high-water mark at exec), so a
    // child started by a big parent would report the parent's size.
    r.hwm_kb = std::max(r.open_hwm_kb, SelfHwmKb());
    if (reset) r.run_hwm_kb = SelfHwmKb();
    if (r.events != head) {
      throw BenchError("rebuild read " + std::to_string(r.events) + " events, the head is " + std::to_string(head));
    }
    if (mode != "scan") checksum = five->Checksum(*log);
    if (mode == "verify") {
      // One pass (RebuildAll) must give exactly what ProjectionRunner::Rebuild gives.
      Five again;
      ProjectionRunner runner(*log);
      r.verify = "ok";
      auto a = five->all(), b = again.all();
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (!runner.Rebuild(*b[i]).ok() || a[i]->Serialize() != b[i]->Serialize()) {
          r.verify = std::string("mismatch:") + a[i]->name();
        }
      }
    }
    log->Close();
    std::printf("REBUILD mode=%s events=%llu seconds=%.6f open_hwm_kb=%ld hwm_kb=%ld run_hwm_kb=%ld checksum=%llu",
                r.mode.c_str(), static_cast<unsigned long long>(r.events), r.seconds, r.open_hwm_kb,
                r.hwm_kb, r.run_hwm_kb, static_cast<unsigned long long>(checksum));
    for (const auto& [k, v] : r.parts) std::printf(" part.%s=%.6f", k.c_str(), v);
    if (!r.verify.empty()) std::printf(" verify=%s", r.verify.c_str());
    std::printf("\n");
    return 0;
  });
}

RebuildResult RunRebuild(const std::string& self, const std::string& mode, const std::string& dir) {
  const std::string out = CaptureCommand({self, "--rebuild-child", mode, dir}, true);
  const auto pos = out.find("REBUILD ");
  if (pos == std::string::npos) throw BenchError("the rebuild child (" + mode + ") failed");
  RebuildResult r;
  std::istringstream in(out.substr(pos + 8));
  std::string kv;
  while (in >> kv) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    const std::string k = kv.substr(0, eq), v = kv.substr(eq + 1);
    if (k == "mode") r.mode = v;
    else if (k == "events") r.events = std::stoull(v);
    else if (k == "seconds") r.seconds = std::stod(v);
    else if (k == "open_hwm_kb") r.open_hwm_kb = std::stol(v);
    else if (k == "hwm_kb") r.hwm_kb = std::stol(v);
    else if (k == "run_hwm_kb") r.run_hwm_kb = std::stol(v);
    else if (k.rfind("part.", 0) == 0) r.parts[k.substr(5)] = std::stod(v);
    else if (k == "verify") r.verify = v;
  }
  return r;
}

// ---- PostgreSQL: the same events, and a full ordered scan -----------------------------------

std::string PgTimestamp(TimestampUs us) {
  const std::time_t secs = static_cast<std::time_t>(us >= 0 ? us / 1000000 : (us - 999999) / 1000000);
  const long frac = static_cast<long>(us - static_cast<TimestampUs>(secs) * 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06ld+00", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

void CopyText(std::string* out, std::string_view v) {
  for (char ch : v) {
    switch (ch) {
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default: out->push_back(ch);
    }
  }
}

void PgExec(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  const auto st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    std::string msg = PQresultErrorMessage(r);
    PQclear(r);
    throw BenchError("postgres: " + sql + ": " + Trim(msg));
  }
  PQclear(r);
}

// The peer's event_id column is a uuid. Commands recorded through the API carry uuids; the
// simulator's event ids are readable names ("sim-1-e1"). Those are mapped to a uuid derived from
// the name (two independent 64-bit hashes), so the copy keeps one distinct id per event.
bool IsUuid(std::string_view v) {
  if (v.size() != 36) return false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char ch = v[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (ch != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(ch))) {
      return false;
    }
  }
  return true;
}

std::uint64_t Mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

void CopyEventId(std::string* out, std::string_view v) {
  if (IsUuid(v)) {
    out->append(v);
    return;
  }
  std::uint64_t a = 0xcbf29ce484222325ULL, b = 0x84222325cbf29ce4ULL;
  for (unsigned char ch : v) {
    a = (a ^ ch) * 0x100000001b3ULL;
    b = Mix64(b ^ ch);
  }
  a = Mix64(a ^ v.size());
  char hex[33];
  std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b));
  const std::string_view h(hex, 32);
  out->append(h.substr(0, 8)).append("-").append(h.substr(8, 4)).append("-");
  out->append(h.substr(12, 4)).append("-").append(h.substr(16, 4)).append("-").append(h.substr(20, 12));
}

// Empties PostgreSQL's events table and copies the casetrail log's events into it, in position
// order (COPY FROM STDIN), then VACUUM ANALYZE and CHECKPOINT: the scan then meets a table in the
// state autovacuum would leave it in. Returns the seconds the copy took.
double LoadPostgres(const std::string& conninfo, const std::string& log_dir, std::uint64_t* rows) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(c);
    PQfinish(c);
    throw BenchError("postgres: cannot connect: " + Trim(msg));
  }
  auto log = OpenLog(log_dir, false);
  const double t0 = MonoSeconds();
  try {
    PgExec(c, "TRUNCATE events RESTART IDENTITY");
    PGresult* r = PQexec(c, "COPY events (stream, version, type, event_id, payload, occurred_at, recorded_at) FROM STDIN");
    if (PQresultStatus(r) != PGRES_COPY_IN) {
      std::string msg = PQresultErrorMessage(r);
      PQclear(r);
      throw BenchError("postgres: COPY FROM STDIN: " + Trim(msg));
    }
    PQclear(r);
    std::string buf;
    buf.reserve(5 << 20);
    std::uint64_t n = 0;
    auto flush = [&] {
      if (!buf.empty() && PQputCopyData(c, buf.data(), static_cast<int>(buf.size())) != 1) {
        throw BenchError("postgres: PQputCopyData: " + Trim(PQerrorMessage(c)));
      }
      buf.clear();
    };
    casetrail::Status s = log->ReadAll({}, [&](const casetrail::EventView& v) {
      CopyText(&buf, v.stream);
      buf += '\t';
      buf += std::to_string(v.version);
      buf += '\t';
      CopyText(&buf, v.type);
      buf += '\t';
      CopyEventId(&buf, v.event_id);
      buf += '\t';
      CopyText(&buf, v.payload);
      buf += '\t';
      buf += PgTimestamp(v.occurred_at);
      buf += '\t';
      buf += PgTimestamp(v.recorded_at);
      buf += '\n';
      ++n;
      if (buf.size() > (4 << 20)) flush();
      return true;
    });
    if (!s.ok()) throw BenchError("reading the casetrail log: " + s.ToString());
    flush();
    if (PQputCopyEnd(c, nullptr) != 1) throw BenchError("postgres: PQputCopyEnd: " + Trim(PQerrorMessage(c)));
    while ((r = PQgetResult(c)) != nullptr) {
      if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        std::string msg = PQresultErrorMessage(r);
        PQclear(r);
        throw BenchError("postgres: COPY: " + Trim(msg));
      }
      PQclear(r);
    }
    *rows = n;
    const double copy_seconds = MonoSeconds() - t0;
    PgExec(c, "VACUUM (ANALYZE) events");
    PgExec(c, "CHECKPOINT");
    PQfinish(c);
    log->Close();
    return copy_seconds;
  } catch (...) {
    PQfinish(c);
    log->Close();
    throw;
  }
}

int PgReplayChild(int argc, char** argv) {
  return ChildMain(argc, 4, "usage: case_bench --pg-replay-child CONNINFO EVENTS\n",
                   [] { return "postgres replay child"; }, [&] {
    ReplayResult r = ReplayPostgres(argv[2], std::strtoull(argv[3], nullptr, 10));
    std::printf("REPLAY events=%llu seconds=%.6f client_hwm_kb=%ld server_hwm_kb=%ld\n",
                static_cast<unsigned long long>(r.events), r.seconds, r.client_hwm_kb, r.server_hwm_kb);
    return 0;
  });
}

struct PgScan {
  std::uint64_t events = 0;
  double seconds = 0;
  long client_hwm_kb = -1, server_hwm_kb = -1;
};

PgScan RunPgScan(const std::string& self, const std::string& conninfo, std::uint64_t events) {
  const std::string out = CaptureCommand({self, "--pg-replay-child", conninfo, std::to_string(events)}, true);
  const auto pos = out.find("REPLAY ");
  if (pos == std::string::npos) throw BenchError("the PostgreSQL scan child failed");
  PgScan s;
  unsigned long long n = 0;
  if (std::sscanf(out.c_str() + pos, "REPLAY events=%llu seconds=%lf client_hwm_kb=%ld server_hwm_kb=%ld", &n,
                  &s.seconds, &s.client_hwm_kb, &s.server_hwm_kb) != 4) {
    throw BenchError("unreadable PostgreSQL scan output: " + out);
  }
  s.events = n;
  if (s.events != events) {
    throw BenchError("the PostgreSQL scan delivered " + std::to_string(s.events) + " events, expected " +
                     std::to_string(events));
  }
  return s;
}

// ---- 3. as-of --------------------------------------------------------------------------------

struct AsOfResult {
  std::uint64_t child_events = 0;
  std::uint64_t queries = 0;
  double seconds = 0;
  double first_ms = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0, mean_ms = 0;
  double mean_events_read = 0;
  std::uint64_t max_events_read = 0;
  double snapshot_share = 0;  // queries that started from a snapshot
  std::uint64_t skipped_total = 0;
  // Where the time goes (computed from the stream and the snapshot index, per query): the events
  // a fold from the chosen snapshot must read if it stops at the first event recorded after
  // recorded_by (recorded_at never decreases along a stream), and, of those, the events that
  // happened by occurred_by (what a business-time index would still have to read).
  double mean_bounded_read = 0, mean_needed = 0, p99_bounded_read = 0, p99_needed = 0;
  double per_event_us = 0;  // mean latency / mean events read
  // The same kind of queries with the chronology (with_chronology = true: the whole stream).
  std::uint64_t chron_queries = 0;
  double chron_p50_ms = 0, chron_p99_ms = 0, chron_max_ms = 0;
  double chron_mean_events_read = 0;
  bool ran = false;
  std::string note;
};

AsOfResult RunAsOf(const std::string& log_dir, const std::string& child, int max_queries, double seconds) {
  AsOfResult res;
  auto log = OpenLog(log_dir, false);
  auto events = log->ReadStream(casetrail::workflows::StreamOf(child), 1, casetrail::Direction::kForward, SIZE_MAX);
  if (!events.ok()) throw BenchError("as-of: cannot read " + child + ": " + events.status().ToString());
  res.child_events = events->size();
  TimestampUs occ_min = INT64_MAX, occ_max = INT64_MIN, rec_min = INT64_MAX, rec_max = INT64_MIN;
  for (const auto& e : *events) {
    occ_min = std::min(occ_min, e.occurred_at);
    occ_max = std::max(occ_max, e.occurred_at);
    rec_min = std::min(rec_min, e.recorded_at);
    rec_max = std::max(rec_max, e.recorded_at);
  }
  std::vector<TimestampUs> occurred, recorded;  // by version - 1
  for (const auto& e : *events) {
    occurred.push_back(e.occurred_at);
    recorded.push_back(e.recorded_at);
  }
  events->clear();
  events->shrink_to_fit();
  auto snapshots = casetrail::workflows::SnapshotIndex(*log, child);
  if (!snapshots.ok()) throw BenchError("as-of: snapshot index: " + snapshots.status().ToString());
  std::vector<double> bounded, needed;
  casetrail::replay::Audit audit(*log);
  // Sanity: the as-of view of now is the case the pipeline holds.
  {
    const double t0 = MonoSeconds();
    auto now = audit.AsOf(child);
    res.first_ms = (MonoSeconds() - t0) * 1000;
    if (!now.ok()) throw BenchError("as-of: AsOf(" + child + "): " + now.status().ToString());
    CaseService svc(*log);
    auto c = svc.Load(child);
    if (!c.ok()) throw BenchError("as-of: Load(" + child + "): " + c.status().ToString());
    if (now->states != c->States()) throw BenchError("as-of: AsOf(now) states differ from CaseService::Load");
    if (now->version != res.child_events) {
      throw BenchError("as-of: AsOf(now) version " + std::to_string(now->version) + ", the stream has " +
                       std::to_string(res.child_events));
    }
  }
  std::mt19937_64 rng(20261123);
  auto random_pair = [&] {
    const TimestampUs x = occ_min + static_cast<TimestampUs>(rng() % static_cast<std::uint64_t>(occ_max - occ_min + 1));
    const TimestampUs y = rec_min + static_cast<TimestampUs>(rng() % static_cast<std::uint64_t>(rec_max - rec_min + 1));
    return std::make_pair(x, y);
  };
  // Runs up to `max` queries within `secs`; returns their latencies (ascending) and events read.
  auto run = [&](int max, double secs, bool chronology, std::uint64_t* read_sum, std::uint64_t* snap) {
    std::vector<double> ms;
    ms.reserve(static_cast<std::size_t>(max));
    const double t0 = MonoSeconds();
    while (static_cast<int>(ms.size()) < max && MonoSeconds() - t0 < secs) {
      const auto [x, y] = random_pair();
      const auto q0 = std::chrono::steady_clock::now();
      auto v = audit.AsOf(child, x, y, chronology);
      const auto q1 = std::chrono::steady_clock::now();
      if (!v.ok()) {
        throw BenchError("as-of: AsOf(" + child + ", " + std::to_string(x) + ", " + std::to_string(y) +
                         "): " + v.status().ToString());
      }
      ms.push_back(std::chrono::duration<double, std::milli>(q1 - q0).count());
      if (!chronology) {
        std::uint64_t snap_v = 0;  // the newest snapshot the question can use (as LoadCase picks it)
        for (const auto& ref : *snapshots) {
          if (ref.recorded_at <= y && ref.max_occurred <= x) snap_v = std::max(snap_v, ref.version);
        }
        std::uint64_t vy = 0, need = 0;
        for (std::uint64_t i = 0; i < recorded.size(); ++i) {
          if (recorded[i] > y) break;
          vy = i + 1;
          if (i + 1 > snap_v && occurred[i] <= x) ++need;
        }
        bounded.push_back(double(vy > snap_v ? vy - snap_v : 0));
        needed.push_back(double(need));
      }
      *read_sum += v->events_read;
      res.max_events_read = std::max(res.max_events_read, chronology ? 0 : v->events_read);
      *snap += v->snapshot_version > 0;
      if (!chronology) res.skipped_total += v->skipped.size();
    }
    if (ms.empty()) throw BenchError("as-of: no query ran");
    std::sort(ms.begin(), ms.end());
    return ms;
  };
  std::uint64_t read_sum = 0, snap = 0;
  const double t0 = MonoSeconds();
  auto ms = run(max_queries, seconds, false, &read_sum, &snap);
  res.seconds = MonoSeconds() - t0;
  res.queries = ms.size();
  double sum = 0;
  for (double m : ms) sum += m;
  res.p50_ms = Percentile(ms, 0.50);
  res.p99_ms = Percentile(ms, 0.99);
  res.max_ms = ms.back();
  res.mean_ms = sum / ms.size();
  res.mean_events_read = double(read_sum) / ms.size();
  res.snapshot_share = double(snap) / ms.size();
  res.per_event_us = res.mean_events_read > 0 ? res.mean_ms * 1000 / res.mean_events_read : 0;
  for (double b : bounded) res.mean_bounded_read += b / bounded.size();
  for (double n : needed) res.mean_needed += n / needed.size();
  std::sort(bounded.begin(), bounded.end());
  std::sort(needed.begin(), needed.end());
  res.p99_bounded_read = Percentile(bounded, 0.99);
  res.p99_needed = Percentile(needed, 0.99);
  std::uint64_t chron_read = 0, chron_snap = 0;
  auto cms = run(std::max(1, max_queries / 5), seconds / 3, true, &chron_read, &chron_snap);
  res.chron_queries = cms.size();
  res.chron_p50_ms = Percentile(cms, 0.50);
  res.chron_p99_ms = Percentile(cms, 0.99);
  res.chron_max_ms = cms.back();
  res.chron_mean_events_read = double(chron_read) / cms.size();
  log->Close();
  res.ran = true;
  return res;
}

// ---- main ------------------------------------------------------------------------------------

std::string Range(const std::vector<double>& v, int prec = 0) {
  auto fmt = [&](double x) { return prec == 0 ? Group(x) : Fixed(x, prec); };
  std::string s = fmt(Median(v));
  if (v.size() > 1) {
    s += " (" + fmt(*std::min_element(v.begin(), v.end())) + "–" + fmt(*std::max_element(v.begin(), v.end())) + ")";
  }
  return s;
}

template <typename F>
std::vector<double> Field(const std::vector<Sample>& v, F f) {
  std::vector<double> out;
  for (const auto& s : v) out.push_back(f(s));
  return out;
}

int Main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "--rebuild-child") return RebuildChild(argc, argv);
  if (argc >= 2 && std::string(argv[1]) == "--pg-replay-child") return PgReplayChild(argc, argv);
  Options opt = ParseOptions(argc, argv);
  InstallSignalHandlers();
  setenv("CASETRAIL_BENCH_PG_REPLAY", "copy", 1);
  const double t_start = MonoSeconds();
  const std::string cmdline = CommandLine(argc, argv);
  const std::string self = SelfPath();
  const auto scenarios = LoadScenarios(opt.scenarios);
  const fs::path root = fs::absolute(opt.dir);
  const bool root_existed = fs::exists(root);
  fs::create_directories(root);
  const std::string machine = MachineDescription(root.string());
  Log("machine: " + machine);
  const std::string pipeline_dir = (root / "pipeline").string();
  const std::string caseload_dir = opt.log_dir.empty() ? (root / "caseload").string() : opt.log_dir;
  const std::string caseload_info = (root / "caseload.info").string();

  std::unique_ptr<System> pg;
  if (opt.postgres) {
    pg = MakePostgres((root / "pg").string(), opt.pg_bin.empty() ? DefaultPgBin() : opt.pg_bin);
    pg->keep_data = false;
  }
  auto cleanup = [&] {
    if (pg) pg->Stop();
    RemoveTree(pipeline_dir);
    if (!opt.keep && opt.log_dir.empty()) {
      RemoveTree(caseload_dir);
      fs::remove(caseload_info);
      std::error_code ec;
      if (!root_existed) fs::remove(root, ec);
    }
  };

  std::string pg_describe;
  std::vector<Sample> ct_samples, pg_samples;
  Caseload caseload;
  std::vector<RebuildResult> one_pass;
  RebuildResult runner, verify;
  std::vector<RebuildResult> breakdown;
  PgScan pg_scan;
  double pg_copy_seconds = 0;
  std::uint64_t pg_rows = 0;
  AsOfResult asof;
  bool have_caseload = false;
  try {
    if (pg) {
      Log("starting PostgreSQL");
      pg->Start();
      pg_describe = pg->Describe();
    }
    // 1. The pipeline against PostgreSQL's durable appends.
    if (Has(opt.phases, "pipeline")) {
      RemoveTree(pipeline_dir);
      auto log = OpenLog(pipeline_dir, true);
      CaseService svc(*log);
      for (int r = 0; r < opt.repeat; ++r) {
        Sample s = RunPipeline(*log, svc, scenarios, opt.clients, opt.seconds, std::to_string(r), opt);
        ct_samples.push_back(s);
        Log("pipeline | casetrail | run " + std::to_string(r + 1) + ": " + Group(s.rate) + " commands/s, " +
            Group(s.event_rate) + " events/s, p50 " + Fixed(s.p50_ms, 2) + " ms, p99 " + Fixed(s.p99_ms, 2) +
            " ms, " + Fixed(s.per_sync, 1) + " events per group commit, CPU " + Fixed(100 * s.cpu_share, 0) + "%");
        if (pg) {
          Sample p = RunPgDurable(*pg, opt.clients, opt.seconds, "d" + std::to_string(r));
          pg_samples.push_back(p);
          Log("pipeline | postgres  | run " + std::to_string(r + 1) + ": " + Group(p.rate) + " appends/s, p50 " +
              Fixed(p.p50_ms, 2) + " ms, p99 " + Fixed(p.p99_ms, 2) + " ms, " + Fixed(p.per_sync, 1) +
              " events per WAL sync");
        }
      }
      log->Close();
      RemoveTree(pipeline_dir);
    }
    // 2. The caseload, and the rebuilds.
    if (Has(opt.phases, "rebuild") || Has(opt.phases, "asof")) {
      if (!opt.log_dir.empty()) {
        auto opened = casetrail::OpenRocksEventLog(caseload_dir, {});
        if (!opened.ok()) throw BenchError("--log: cannot open '" + caseload_dir + "': " + opened.status().ToString());
        caseload.events = (*opened)->HeadPosition();
        (*opened)->Close();
        if (caseload.events == 0) throw BenchError("--log: '" + caseload_dir + "' holds no events");
        Log("rebuilding over the log in " + caseload_dir + " (" + Group(double(caseload.events)) + " events)");
      } else if (opt.reuse_caseload && LoadCaseload(caseload_info, &caseload) && fs::exists(caseload_dir)) {
        Log("reusing the caseload in " + caseload_dir + " (" + Group(double(caseload.events)) + " events)");
      } else {
        RemoveTree(caseload_dir);
        fs::remove(caseload_info);
        Log("generating the caseload: " + Group(double(opt.caseload_events)) + " events through CaseService (bulk log)");
        caseload = GenerateCaseload(caseload_dir, scenarios, opt);
        SaveCaseload(caseload_info, caseload);
        Log("  generated " + Group(double(caseload.events)) + " events (" + Group(double(caseload.commands)) +
            " commands, " + Group(double(caseload.children)) + " children) in " + Fixed(caseload.seconds, 1) + " s");
      }
      have_caseload = true;
    }
    if (Has(opt.phases, "rebuild")) {
      for (int r = 0; r < opt.rebuild_repeat; ++r) {
        one_pass.push_back(RunRebuild(self, "all", caseload_dir));
        const auto& x = one_pass.back();
        Log("rebuild | RebuildAll, five projections | run " + std::to_string(r + 1) + ": " +
            Group(x.events / x.seconds) + " events/s (" + Fixed(x.seconds, 1) + " s), peak RSS " + Mb(x.hwm_kb));
      }
      runner = RunRebuild(self, "runner", caseload_dir);
      Log("rebuild | ProjectionRunner::Rebuild x5: " + Group(runner.events * 5 / runner.seconds) +
          " events/s of passes, " + Group(runner.events / runner.seconds) + " events/s of the log (" +
          Fixed(runner.seconds, 1) + " s), peak RSS " + Mb(runner.hwm_kb));
      if (opt.smoke) {
        verify = RunRebuild(self, "verify", caseload_dir);
        if (verify.verify != "ok") throw BenchError("RebuildAll differs from ProjectionRunner::Rebuild: " + verify.verify);
      }
      if (opt.breakdown) {
        for (const char* m : {"scan", "child_summary", "chronology", "deadlines", "plo_tracker", "kpis"}) {
          breakdown.push_back(RunRebuild(self, m, caseload_dir));
          const auto& x = breakdown.back();
          Log("rebuild | " + std::string(m) + " alone: " + Group(x.events / x.seconds) + " events/s (" +
              Fixed(x.seconds, 1) + " s), peak RSS " + Mb(x.hwm_kb));
        }
      }
      if (pg) {
        Log("copying the caseload into PostgreSQL");
        pg_copy_seconds = LoadPostgres(pg->ReplayTarget(), caseload_dir, &pg_rows);
        Log("  " + Group(double(pg_rows)) + " rows in " + Fixed(pg_copy_seconds, 1) + " s");
        pg_scan = RunPgScan(self, pg->ReplayTarget(), pg_rows);
        Log("rebuild | PostgreSQL ordered scan: " + Group(pg_scan.events / pg_scan.seconds) + " events/s (" +
            Fixed(pg_scan.seconds, 1) + " s)");
      }
    }
    // 3. As-of.
    if (Has(opt.phases, "asof")) {
      asof = RunAsOf(caseload_dir, caseload.asof_child, opt.asof_queries, opt.asof_seconds);
      Log("as-of | " + Group(double(asof.queries)) + " queries on a " + Group(double(asof.child_events)) +
          "-event child: p50 " + Fixed(asof.p50_ms, 3) + " ms, p99 " + Fixed(asof.p99_ms, 3) + " ms; with the chronology: " +
          Group(double(asof.chron_queries)) + " queries, p50 " + Fixed(asof.chron_p50_ms, 3) + " ms, p99 " +
          Fixed(asof.chron_p99_ms, 3) + " ms");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "case_bench: FAILED: %s\n", e.what());
    cleanup();
    return 1;
  }
  cleanup();

  // ---- the report ----
  const bool full_size = (opt.log_dir.empty() ? opt.caseload_events : caseload.events) >= 10000000;
  std::vector<Target> targets;
  std::ostringstream md;
  md << ReportHeader("case_bench", t_start, cmdline, machine);
  md << "- casetrail: RocksDB event log (engine defaults), `CaseService` with the default rule book; the "
        "logs' clock runs ahead so that the run starts on 2031-01-01 (the scenarios run to 2030)\n";
  if (pg) md << "- PostgreSQL: " << pg_describe << "\n";
  if (opt.log_dir.empty()) {
    md << "- Scenarios: the `do` lines of " << scenarios.size() << " files in tests/workflows/scenarios (";
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
      md << (i ? ", " : "") << scenarios[i].name << " " << scenarios[i].steps.size();
    }
    md << " actions)\n";
  }
  if (!ct_samples.empty()) {
    md << "\n**Pipeline, durable, " << opt.clients << " clients** (" << Fixed(opt.seconds, 1)
       << " s per run, " << opt.repeat << " run" << (opt.repeat > 1 ? "s; median (min–max)" : "")
       << "). casetrail: each client thread takes a new child through one scenario after another "
          "(child ids distinct per thread), every command with a command id"
       << (opt.no_command_ids ? " (here: none, --no-command-ids)" : "")
       << (opt.distinct_stripes ? " (diagnostic: ids chosen to fall on distinct lock stripes)" : "")
       << "; PostgreSQL: event_store_bench's durable append row, one ~300-byte event per append (one "
          "transaction), 8 streams per client, the concurrency check in the insert.\n\n";
    md << "| Measure | casetrail (`CaseService::Execute`) | PostgreSQL (durable appends) |\n|---|---:|---:|\n";
    auto pgv = [&](auto f, int prec) { return pg_samples.empty() ? std::string("not run") : Range(Field(pg_samples, f), prec); };
    md << "| Commands (casetrail) / appends (PostgreSQL) per second | "
       << Range(Field(ct_samples, [](const Sample& s) { return s.rate; })) << " | "
       << pgv([](const Sample& s) { return s.rate; }, 0) << " |\n";
    md << "| Events per second | " << Range(Field(ct_samples, [](const Sample& s) { return s.event_rate; })) << " | "
       << pgv([](const Sample& s) { return s.event_rate; }, 0) << " |\n";
    md << "| Events per command / append | "
       << Fixed(Median(Field(ct_samples, [](const Sample& s) { return double(s.events) / s.ops; })), 2) << " | 1 |\n";
    md << "| Latency p50, ms | " << Range(Field(ct_samples, [](const Sample& s) { return s.p50_ms; }), 2) << " | "
       << pgv([](const Sample& s) { return s.p50_ms; }, 2) << " |\n";
    md << "| Latency p99, ms | " << Range(Field(ct_samples, [](const Sample& s) { return s.p99_ms; }), 2) << " | "
       << pgv([](const Sample& s) { return s.p99_ms; }, 2) << " |\n";
    md << "| Events per log sync (group commit / WAL sync) | "
       << Fixed(Median(Field(ct_samples, [](const Sample& s) { return s.per_sync; })), 1) << " | "
       << pgv([](const Sample& s) { return s.per_sync; }, 1) << " |\n";
    md << "| Benchmark process CPU (of 200% on 2 cores) | "
       << Fixed(100 * Median(Field(ct_samples, [](const Sample& s) { return s.cpu_share; })), 0) << "% | "
       << (pg_samples.empty() ? "–" : Fixed(100 * Median(Field(pg_samples, [](const Sample& s) { return s.cpu_share; })), 0) + "% (client only)")
       << " |\n";
    Target t{"Commands through the pipeline, durable, " + std::to_string(opt.clients) +
                 " clients ≥ 5× PostgreSQL's durable appends at " + std::to_string(opt.clients) + " clients",
             "not run", "n/a"};
    if (!pg_samples.empty()) {
      const double a = Median(Field(ct_samples, [](const Sample& s) { return s.rate; }));
      const double b = Median(Field(pg_samples, [](const Sample& s) { return s.rate; }));
      const double ae = Median(Field(ct_samples, [](const Sample& s) { return s.event_rate; }));
      t.measured = Fixed(a / b, 2) + "× (" + Group(a) + " commands/s vs " + Group(b) + " appends/s; in events: " +
                   Fixed(ae / b, 2) + "×)";
      t.result = opt.clients == 64 && !opt.smoke ? (a / b >= 5 ? "PASS" : "MISS") : "n/a (smoke)";
      if (opt.no_command_ids || opt.distinct_stripes) t.result = "n/a (diagnostic run)";
    }
    targets.push_back(t);
  }
  if (have_caseload && !opt.log_dir.empty()) {
    md << "\n**Log**: " << Group(double(caseload.events)) << " events"
       << (opt.log_note.empty() ? std::string(" (`--log`)") : ": " + opt.log_note) << "\n";
  } else if (have_caseload) {
    md << "\n**Caseload**: " << Group(double(caseload.events)) << " events, " << Group(double(caseload.commands))
       << " commands, " << Group(double(caseload.children)) << " children (";
    bool first = true;
    for (const auto& [k, v] : caseload.scenario_children) {
      md << (first ? "" : ", ") << k << " " << Group(double(v));
      first = false;
    }
    md << "), generated through `CaseService::Execute` (every command with a command id) on a bulk log "
          "(`durable = false`) by "
       << caseload.threads << " threads, each keeping " << Group(double(caseload.window))
       << " children open and recording the next action of one picked at random; plus the as-of child `"
       << caseload.asof_child << "` (" << Group(double(caseload.asof_events)) << " events, "
       << Group(double(caseload.asof_commands)) << " commands) spread over the whole log. ";
    if (caseload.generated_now) {
      md << "Generated in this run in " << Fixed(caseload.seconds, 1) << " s: " << Group(caseload.commands / caseload.seconds)
         << " commands/s, " << Group(caseload.events / caseload.seconds) << " events/s, "
         << Fixed(caseload.per_commit, 1) << " events per group commit, generator peak RSS "
         << Mb(caseload.generator_hwm_kb) << ".\n";
    } else {
      md << "Reused from an earlier run (--reuse-caseload), which generated it in " << Fixed(caseload.seconds, 1)
         << " s.\n";
    }
  }
  if (!one_pass.empty()) {
    std::vector<double> rates, hwm;
    for (const auto& r : one_pass) {
      rates.push_back(r.events / r.seconds);
      hwm.push_back(double(r.hwm_kb));
    }
    long run_hwm = -1, open_hwm = -1;
    for (const auto& r : one_pass) {
      run_hwm = std::max(run_hwm, r.run_hwm_kb);
      open_hwm = std::max(open_hwm, r.open_hwm_kb);
    }
    const long peak = static_cast<long>(*std::max_element(hwm.begin(), hwm.end()));
    md << "\n**Rebuild** of " << Group(double(one_pass[0].events))
       << " events, each in a fresh child process (peak RSS = VmHWM of that process, including opening the log)."
          "\n\n| Rebuild | events/s | seconds | peak RSS |\n|---|---:|---:|---:|\n";
    md << "| Five projections, `ProjectionRunner::RebuildAll` (one pass feeding all five)" << (one_pass.size() > 1 ? " (median of " + std::to_string(one_pass.size()) + ")" : "")
       << " | " << Range(rates) << " | " << Fixed(one_pass[0].events / Median(rates), 1) << " | " << Mb(peak)
       << " (after open: " << Mb(open_hwm) << "; rebuild alone: " << Mb(run_hwm) << ") |\n";
    md << "| Five projections, `ProjectionRunner::Rebuild` of each in turn (5 passes) | "
       << Group(runner.events / runner.seconds) << " | " << Fixed(runner.seconds, 1) << " | " << Mb(runner.hwm_kb) << " |\n";
    for (const auto& b : breakdown) {
      const std::string what = b.mode == "scan" ? "`ReadAll` alone (visitor touches type, stream, version, payload)"
                                                : "`" + b.mode + "` alone (`ProjectionRunner::Rebuild`)";
      md << "| " << what << " | " << Group(b.events / b.seconds) << " | " << Fixed(b.seconds, 1) << " | " << Mb(b.hwm_kb) << " |\n";
    }
    if (!runner.parts.empty()) {
      md << "\nWithin the 5-pass run: ";
      bool first = true;
      for (const auto& [k, v] : runner.parts) {
        md << (first ? "" : ", ") << k << " " << Fixed(v, 1) << " s";
        first = false;
      }
      md << ".\n";
    }
    if (pg) {
      md << "\nPostgreSQL, nearest comparable operation: the same " << Group(double(pg_rows))
         << " events copied into its events table (COPY FROM STDIN, " << Fixed(pg_copy_seconds, 1)
         << " s, then VACUUM ANALYZE and CHECKPOINT), then a full ordered scan delivering every column "
            "(`COPY (SELECT ... ORDER BY position) TO STDOUT (FORMAT binary)`, parsed as it streams) in a child process: **"
         << Group(pg_scan.events / pg_scan.seconds) << " events/s** (" << Fixed(pg_scan.seconds, 1) << " s), peak RSS "
         << Mb(pg_scan.client_hwm_kb) << " in the client + " << Mb(pg_scan.server_hwm_kb)
         << " in the server backend. It computes no projection.\n";
    }
    const double a = Median(rates);
    Target t1{"Rebuild of the five projections (`RebuildAll`, one pass) over 10,000,000 events ≥ 1,000,000 events/s",
              Group(a) + " events/s over " + Group(double(one_pass[0].events)) + " events", "n/a"};
    t1.result = full_size ? (a >= 1e6 ? "PASS" : "MISS") : "n/a (target is for 10,000,000 events)";
    targets.push_back(t1);
    Target t1b{"Same, through `ProjectionRunner::Rebuild` (five passes) ≥ 1,000,000 events/s",
               Group(runner.events / runner.seconds) + " events/s", "n/a"};
    t1b.result = full_size ? (runner.events / runner.seconds >= 1e6 ? "PASS" : "MISS") : "n/a (target is for 10,000,000 events)";
    targets.push_back(t1b);
    Target t2{"Peak RSS of the rebuild process < 1 GB", Mb(peak) + " (RebuildAll; 5-pass runner " + Mb(runner.hwm_kb) + ")", "n/a"};
    t2.result = full_size ? (peak * 1024.0 < 1e9 ? "PASS" : "MISS") : "n/a (target is for 10,000,000 events)";
    targets.push_back(t2);
  }
  if (Has(opt.phases, "asof")) {
    Target t{"As-of query on a 5,000-event child, p99 < 2 ms", asof.note.empty() ? "" : asof.note, "n/a"};
    if (asof.ran) {
      md << "\n**As-of**: " << Group(double(asof.queries)) << " queries `Audit::AsOf(\"" << caseload.asof_child
         << "\", occurred_by, recorded_by)` on the " << Group(double(asof.child_events))
         << "-event child, each time uniformly random in the child's range of business times and of recorded times, "
            "one thread, log opened afresh: p50 "
         << Fixed(asof.p50_ms, 3) << " ms, p99 " << Fixed(asof.p99_ms, 3) << " ms, max " << Fixed(asof.max_ms, 3)
         << " ms, mean " << Fixed(asof.mean_ms, 3) << " ms; first query (cold, AsOf(now)) " << Fixed(asof.first_ms, 2)
         << " ms; events read per query: mean " << Fixed(asof.mean_events_read, 0) << ", max "
         << Group(double(asof.max_events_read)) << "; " << Fixed(100 * asof.snapshot_share, 0)
         << "% of the queries started from a snapshot; " << Group(double(asof.skipped_total))
         << " skipped actions reported in all. Where the time goes: ~" << Fixed(asof.per_event_us, 1)
         << " µs per event read (mean latency / mean events read); a fold that stopped at the first event recorded "
            "after recorded_by would read, from the same snapshots, "
         << Fixed(asof.mean_bounded_read, 0) << " events on average (p99 " << Group(asof.p99_bounded_read)
         << "), of which " << Fixed(asof.mean_needed, 0) << " (p99 " << Group(asof.p99_needed)
         << ") happened by occurred_by. The same kind of queries with the chronology (`with_chronology = true`, "
            "which reads the whole stream): "
         << Group(double(asof.chron_queries)) << " queries, p50 " << Fixed(asof.chron_p50_ms, 3) << " ms, p99 "
         << Fixed(asof.chron_p99_ms, 3) << " ms, max " << Fixed(asof.chron_max_ms, 3) << " ms, events read per query: mean "
         << Fixed(asof.chron_mean_events_read, 0) << ".\n";
      t.measured = "p99 " + Fixed(asof.p99_ms, 3) + " ms (p50 " + Fixed(asof.p50_ms, 3) + " ms) on " +
                   Group(double(asof.child_events)) + " events";
      t.result = asof.child_events >= 5000 ? (asof.p99_ms < 2.0 ? "PASS" : "MISS") : "n/a (target is for 5,000 events)";
    } else {
      md << "\n**As-of**: " << asof.note << ".\n";
    }
    targets.push_back(t);
  }
  return FinishReport("case_bench", md, targets, opt);
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) { return bench::RunMain("case_bench", bench::Main, argc, argv); }
