// event_store_bench: casetrail's RocksDB event log side by side with PostgreSQL and SQLite on
// the same machine, same disk, same workloads. Prints a markdown report (and writes it with
// --out). See docs/benchmarks.md for how to read it.
//
// Workloads (each time-bounded; --smoke makes everything tiny):
//   * durable appends, one event per append (one event per command), 1/8/64 concurrent writers,
//     each writer owning its streams, with the optimistic concurrency check of every store;
//   * non-durable bulk appends (multi-event appends by several writers);
//   * stream reads (whole streams of 100 events);
//   * full replay in position order of the first N events, in a child process whose own peak
//     RSS is reported;
//   * the disk's raw fsync rate (4 KiB write + fdatasync), the physical limit of one
//     synchronous writer.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <exception>
#include <filesystem>
#include <future>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "bench_common.hpp"

namespace bench {
namespace {

namespace fs = std::filesystem;

struct Options : CommonOptions {
  Options() { dir = "bench-data"; }
  std::uint64_t replay_events = 0;  // 0: mode default
  std::vector<std::string> systems = {"casetrail", "postgres", "sqlite"};
  std::vector<int> writers = {1, 8, 64};
  double seconds = 0;               // per time-bounded measurement; 0: mode default
  std::uint64_t max_events = 0;     // per measurement; 0: mode default
  int bulk_writers = 4;
  int bulk_batch = 100;
  int stream_events = 100;
  std::string pg_replay = "copy";
};

[[noreturn]] void Usage(const std::string& error) {
  ExitWithUsage("event_store_bench", error, R"(usage: event_store_bench [options]
  --smoke               tiny run of every workload (CI; < 60 s)
  --repeat R            repeat every measurement R times; report median [min..max] (default 1)
  --out FILE            also write the markdown report to FILE
  --dir DIR             data directory, created and removed (default ./bench-data)
  --replay-events N     events in the full replay (default 1000000; smoke 20000)
  --systems LIST        comma-separated: casetrail,postgres,sqlite (default all three)
  --writers LIST        durable writer counts (default 1,8,64)
  --seconds S           time bound of each append/read measurement (default 3; smoke 0.15)
  --max-events N        event bound of each append/read measurement (default 2000000)
  --bulk-writers N      writer threads of the bulk append (default 4)
  --bulk-batch N        events per bulk append (default 100; divides --stream-events)
  --stream-events N     events per stream written by the bulk phase (default 100)
  --pg-bin DIR          PostgreSQL server binaries (default: newest /usr/lib/postgresql/*/bin)
  --pg-replay HOW       PostgreSQL replay: copy (COPY ... TO STDOUT binary, default) or cursor
  --keep                keep the data directory
  --fail-on-miss        exit 3 when a target is missed
)");
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  const OptionValues values{argc, argv, Usage};
  values.Parse(o, [&](const std::string& a, int& i) {
    if (a == "--replay-events") o.replay_events = static_cast<std::uint64_t>(values.Number(i));
    else if (a == "--systems") o.systems = Split(values.Need(i), ',');
    else if (a == "--writers") {
      o.writers.clear();
      for (const auto& w : Split(values.Need(i), ',')) o.writers.push_back(std::max(1, std::atoi(w.c_str())));
    } else if (a == "--seconds") o.seconds = values.Number(i);
    else if (a == "--max-events") o.max_events = static_cast<std::uint64_t>(values.Number(i));
    else if (a == "--bulk-writers") o.bulk_writers = std::max(1, static_cast<int>(values.Number(i)));
    else if (a == "--bulk-batch") o.bulk_batch = std::max(1, static_cast<int>(values.Number(i)));
    else if (a == "--stream-events") o.stream_events = std::max(1, static_cast<int>(values.Number(i)));
    else if (a == "--pg-replay") {
      o.pg_replay = values.Need(i);
      if (o.pg_replay != "copy" && o.pg_replay != "cursor") Usage("--pg-replay: copy or cursor");
    }
    else Usage("unknown option " + a);
  });
  for (const auto& s : o.systems) {
    if (s != "casetrail" && s != "postgres" && s != "sqlite") Usage("unknown system " + s);
  }
  if (o.stream_events % o.bulk_batch != 0) Usage("--bulk-batch must divide --stream-events");
  if (o.replay_events == 0) o.replay_events = o.smoke ? 20000 : 1000000;
  if (o.seconds == 0) o.seconds = o.smoke ? 0.15 : 3.0;
  if (o.max_events == 0) o.max_events = o.smoke ? 20000 : 2000000;
  return o;
}

// ---- measurements --------------------------------------------------------------------------

struct Sample {
  double rate = 0;       // events/s
  double per_sync = -1;  // events per log sync (fsync / group commit), when known
  double cpu_share = -1;  // this process's CPU time / wall time
  std::uint64_t events = 0;
  double seconds = 0;
  long hwm_client_kb = -1;
  long hwm_server_kb = -1;
  long hwm_scan_kb = -1;
};

void Log(const std::string& s) { std::fprintf(stderr, "%s\n", s.c_str()); }

// Runs body(writer, t, stop, total) on `writers` threads started together, each with its own
// Writer (durable or not), for at most `seconds`; body adds the events it appends to total.
// The sample counts them and the log syncs and CPU time they took.
template <typename Body>
Sample RunWriters(System& sys, bool durable, int writers, double seconds, Body body) {
  sys.SetDurable(durable);
  const auto sync0 = sys.SyncCounter();
  std::vector<std::unique_ptr<Writer>> ws;
  for (int i = 0; i < writers; ++i) ws.push_back(sys.NewWriter(durable));
  std::atomic<std::uint64_t> total{0};
  const double cpu0 = CpuSeconds();
  const double wall = RunThreads(writers, seconds, [&](int t, std::atomic<bool>& stop) {
    body(*ws[static_cast<std::size_t>(t)], t, stop, total);
  });
  const double cpu = CpuSeconds() - cpu0;
  ws.clear();
  const auto sync1 = sys.SyncCounter();
  Sample s;
  s.events = total.load();
  s.seconds = wall;
  s.rate = s.events / wall;
  s.cpu_share = cpu / wall;
  if (sync0 && sync1 && *sync1 > *sync0) s.per_sync = double(s.events) / double(*sync1 - *sync0);
  sys.events_written += s.events;
  return s;
}

// Durable appends, one event per append, `writers` threads, each cycling over its own 8 streams
// with an exact expected version.
Sample RunDurable(System& sys, int writers, double seconds, std::uint64_t max_events,
                  const std::string& tag) {
  return RunWriters(sys, true, writers, seconds, [&](Writer& w, int t, std::atomic<bool>& stop,
                                                     std::atomic<std::uint64_t>& total) {
    DurableWorkload work(tag, t);
    for (std::uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
      work.Prepare(i);
      work.Append(w);
      if (total.fetch_add(1) + 1 >= max_events) stop.store(true);
    }
  });
}

// Non-durable bulk appends: `writers` threads each writing whole streams of `stream_events`
// events in appends of `batch` events.
Sample RunBulk(System& sys, int writers, int batch, int stream_events, double seconds,
               std::uint64_t max_events, const std::string& tag) {
  return RunWriters(sys, false, writers, seconds, [&](Writer& w, int t, std::atomic<bool>& stop,
                                                      std::atomic<std::uint64_t>& total) {
    std::vector<NewEvent> ev(static_cast<std::size_t>(batch));
    std::uint64_t seq = static_cast<std::uint64_t>(t) << 40;
    std::vector<std::string> done;
    for (std::uint64_t s = 0; !stop.load(std::memory_order_relaxed); ++s) {
      const std::string stream = "case-" + tag + "-" + std::to_string(t) + "-" + std::to_string(s);
      bool complete = true;
      for (int v = 0; v < stream_events; v += batch) {
        if (stop.load(std::memory_order_relaxed)) {
          complete = false;
          break;
        }
        const std::int64_t now = NowUs() - 1000000;
        for (int j = 0; j < batch; ++j, ++seq) {
          ev[static_cast<std::size_t>(j)].type = EventType(seq);
          ev[static_cast<std::size_t>(j)].payload = MakePayload(seq);
          ev[static_cast<std::size_t>(j)].occurred_at = now + j;
        }
        w.Append(stream, static_cast<std::uint64_t>(v), ev);
        if (total.fetch_add(static_cast<std::uint64_t>(batch)) + batch >= max_events) stop.store(true);
      }
      if (complete) done.push_back(stream);
    }
    std::lock_guard<std::mutex> lk(sys.streams_mu);
    sys.full_streams.insert(sys.full_streams.end(), done.begin(), done.end());
  });
}

// One reader reading whole streams (picked at random among the complete bulk streams).
Sample RunStreamRead(System& sys, double seconds, std::uint64_t max_events, int stream_events) {
  std::vector<std::string> streams;
  {
    std::lock_guard<std::mutex> lk(sys.streams_mu);
    streams = sys.full_streams;
  }
  if (streams.empty()) throw BenchError(sys.Name() + ": no complete stream to read");
  auto reader = sys.NewReader();
  std::atomic<std::uint64_t> total{0};
  const double cpu0 = CpuSeconds();
  const double wall = RunThreads(1, seconds, [&](int, std::atomic<bool>& stop) {
    std::mt19937_64 rng(42);
    while (!stop.load(std::memory_order_relaxed)) {
      const std::string& s = streams[rng() % streams.size()];
      const std::uint64_t n = reader->ReadStream(s);
      if (n != static_cast<std::uint64_t>(stream_events)) {
        throw BenchError(sys.Name() + ": stream '" + s + "' has " + std::to_string(n) +
                         " events, expected " + std::to_string(stream_events));
      }
      if (total.fetch_add(n) + n >= max_events) stop.store(true);
    }
  });
  Sample s;
  s.events = total.load();
  s.seconds = wall;
  s.rate = s.events / wall;
  s.cpu_share = (CpuSeconds() - cpu0) / wall;
  return s;
}

// Full replay in a child process (this program with --replay-child), so that the reported peak
// RSS is the replay's own.
Sample RunReplay(System& sys, const std::string& self, std::uint64_t events) {
  sys.PrepareReplay();
  const std::string out = CaptureCommand(
      {self, "--replay-child", sys.Name(), sys.ReplayTarget(), std::to_string(events)}, true);
  Sample s;
  const auto pos = out.find("REPLAY ");
  if (pos == std::string::npos) throw BenchError(sys.Name() + ": the replay child failed");
  unsigned long long n = 0, checksum = 0;
  double secs = 0;
  long chwm = -1, shwm = -1, scan = -1;
  if (std::sscanf(out.c_str() + pos,
                  "REPLAY events=%llu seconds=%lf client_hwm_kb=%ld server_hwm_kb=%ld "
                  "scan_hwm_kb=%ld checksum=%llu",
                  &n, &secs, &chwm, &shwm, &scan, &checksum) != 6) {
    throw BenchError(sys.Name() + ": unreadable replay child output: " + out);
  }
  if (n != events) {
    throw BenchError(sys.Name() + ": replay delivered " + std::to_string(n) + " events, expected " +
                     std::to_string(events));
  }
  s.events = n;
  s.seconds = secs;
  s.rate = n / secs;
  s.hwm_client_kb = chwm;
  s.hwm_server_kb = shwm;
  s.hwm_scan_kb = scan;
  return s;
}

int ReplayChild(int argc, char** argv) {
  return ChildMain(argc, 5, "usage: event_store_bench --replay-child SYSTEM TARGET EVENTS\n",
                   [&] { return "replay child (" + std::string(argv[2]) + ")"; }, [&] {
    const std::string sys = argv[2], target = argv[3];
    const std::uint64_t n = std::strtoull(argv[4], nullptr, 10);
    ReplayResult r;
    if (sys == "casetrail") r = ReplayCasetrail(target, n);
    else if (sys == "postgres") r = ReplayPostgres(target, n);
    else if (sys == "sqlite") r = ReplaySqlite(target, n);
    else throw BenchError("unknown system " + sys);
    std::printf(
        "REPLAY events=%llu seconds=%.6f client_hwm_kb=%ld server_hwm_kb=%ld scan_hwm_kb=%ld "
        "checksum=%llu\n",
        static_cast<unsigned long long>(r.events), r.seconds, r.client_hwm_kb, r.server_hwm_kb,
        r.scan_hwm_kb, static_cast<unsigned long long>(r.checksum));
    return 0;
  });
}

// The disk's raw synchronous write rate: 4 KiB pwrite + fdatasync in a loop. `overwrite`:
// into a preallocated, already written file (no metadata change: the pure data-sync cost);
// otherwise appending to a growing file (each sync also commits the new file size, as a log's
// appends do).
double FsyncRate(const std::string& dir, double seconds, bool overwrite) {
  const std::string path = dir + "/fsync-test.tmp";
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw BenchError("cannot create " + path);
  char block[4096];
  std::memset(block, 'x', sizeof block);
  constexpr int kBlocks = 4096;  // 16 MiB
  if (overwrite) {
    for (int i = 0; i < kBlocks; ++i) {
      if (write(fd, block, sizeof block) != static_cast<ssize_t>(sizeof block)) {
        throw BenchError("write failed in " + path);
      }
    }
    fsync(fd);
  }
  std::uint64_t ops = 0;
  const double t0 = MonoSeconds();
  double now = t0;
  while (now - t0 < seconds) {
    const off_t off = overwrite ? static_cast<off_t>(ops % kBlocks) * 4096 : static_cast<off_t>(ops) * 4096;
    if (pwrite(fd, block, sizeof block, off) != static_cast<ssize_t>(sizeof block) || fdatasync(fd) != 0) {
      close(fd);
      throw BenchError("pwrite/fdatasync failed in " + path);
    }
    ++ops;
    now = MonoSeconds();
  }
  close(fd);
  unlink(path.c_str());
  return ops / (now - t0);
}

// ---- report ------------------------------------------------------------------------------

struct Row {
  std::string key;    // stable id for targets
  std::string label;
  bool durable = false;
  std::map<std::string, std::vector<Sample>> samples;  // by system name
};

std::vector<double> Rates(const std::vector<Sample>& v) {
  std::vector<double> r;
  for (const auto& s : v) r.push_back(s.rate);
  return r;
}

std::string Cell(const std::vector<Sample>& v) {
  if (v.empty()) return "not run";
  auto r = Rates(v);
  std::string s = Group(Median(r));
  if (r.size() > 1) {
    s += " (" + Group(*std::min_element(r.begin(), r.end())) + "–" +
         Group(*std::max_element(r.begin(), r.end())) + ")";
  }
  return s;
}

std::string Ratio(const std::vector<Sample>& a, const std::vector<Sample>& b) {
  if (a.empty() || b.empty()) return "–";
  const double x = Median(Rates(a)) / Median(Rates(b));
  return Fixed(x, x < 10 ? 2 : 1) + "×";
}

std::string PerSync(const std::vector<Sample>& v) {
  std::vector<double> p;
  for (const auto& s : v) {
    if (s.per_sync > 0) p.push_back(s.per_sync);
  }
  if (p.empty()) return "–";
  return Fixed(Median(p), Median(p) < 10 ? 2 : 1);
}

int Main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "--replay-child") return ReplayChild(argc, argv);
  Options opt = ParseOptions(argc, argv);
  InstallSignalHandlers();
  setenv("CASETRAIL_BENCH_PG_REPLAY", opt.pg_replay.c_str(), 1);  // read by the replay child
  const double t_start = MonoSeconds();

  const std::string cmdline = CommandLine(argc, argv);
  const std::string self = SelfPath();

  const fs::path root = fs::absolute(opt.dir);
  const bool root_existed = fs::exists(root);
  fs::create_directories(root);
  const std::string machine = MachineDescription(root.string());
  Log("machine: " + machine);

  const double fsync_secs = opt.smoke ? 0.3 : 3.0;
  const double fsync_rate = FsyncRate(root.string(), fsync_secs, true);
  const double fsync_append_rate = FsyncRate(root.string(), fsync_secs / 2, false);
  Log("fsync: " + Group(fsync_rate) + " ops/s (overwrite), " + Group(fsync_append_rate) +
      " ops/s (append)");

  std::vector<std::unique_ptr<System>> systems;
  for (const auto& name : opt.systems) {
    if (name == "casetrail") systems.push_back(MakeCasetrail((root / "casetrail").string()));
    if (name == "postgres") {
      systems.push_back(MakePostgres((root / "pg").string(), opt.pg_bin.empty() ? DefaultPgBin() : opt.pg_bin));
    }
    if (name == "sqlite") systems.push_back(MakeSqlite((root / "sqlite").string()));
  }
  for (auto& s : systems) s->keep_data = opt.keep;
  auto cleanup = [&] {
    for (auto& s : systems) s->Stop();
    if (!opt.keep) {
      for (const char* sub : {"casetrail", "pg", "sqlite"}) RemoveTree((root / sub).string());
      std::error_code ec;
      if (!root_existed) fs::remove(root, ec);  // only if empty
    }
  };

  std::map<std::string, std::string> describe;
  std::vector<Row> rows;
  try {
    for (auto& s : systems) {
      Log("starting " + s->Name());
      s->Start();
      describe[s->Name()] = s->Describe();
    }
    auto measure = [&](Row& row, const std::function<Sample(System&, int)>& fn) {
      for (int r = 0; r < opt.repeat; ++r) {
        for (auto& s : systems) {
          Sample x = fn(*s, r);
          row.samples[s->Name()].push_back(x);
          std::string line = row.label + " | " + s->Name() + " | run " + std::to_string(r + 1) +
                             ": " + Group(x.rate) + " events/s (" + Group(double(x.events)) +
                             " events in " + Fixed(x.seconds, 2) + " s";
          if (x.per_sync > 0) line += ", " + Fixed(x.per_sync, 1) + " events per " + s->SyncCounterName();
          if (x.cpu_share >= 0) line += ", bench process CPU " + Fixed(100 * x.cpu_share, 0) + "%";
          if (x.hwm_client_kb >= 0) line += ", peak RSS " + Fixed(x.hwm_client_kb / 1024.0, 1) + " MiB";
          if (x.hwm_scan_kb >= 0) line += " (scan alone " + Fixed(x.hwm_scan_kb / 1024.0, 1) + " MiB)";
          if (x.hwm_server_kb >= 0) line += ", server backend peak RSS " + Fixed(x.hwm_server_kb / 1024.0, 1) + " MiB";
          Log(line + ")");
        }
      }
    };

    for (int w : opt.writers) {
      Row row;
      row.key = "durable-" + std::to_string(w);
      row.label = "Durable append, 1 event/append, " + std::to_string(w) + (w == 1 ? " writer" : " writers");
      row.durable = true;
      measure(row, [&](System& s, int r) {
        return RunDurable(s, w, opt.seconds, opt.max_events,
                          "d" + std::to_string(w) + "r" + std::to_string(r));
      });
      rows.push_back(std::move(row));
    }
    {
      Row row;
      row.key = "bulk";
      row.label = "Non-durable bulk append, " + std::to_string(opt.bulk_batch) + " events/append, " +
                  std::to_string(opt.bulk_writers) + " writers";
      measure(row, [&](System& s, int r) {
        return RunBulk(s, opt.bulk_writers, opt.bulk_batch, opt.stream_events, opt.seconds,
                       opt.max_events, "b" + std::to_string(r));
      });
      rows.push_back(std::move(row));
    }
    for (auto& s : systems) {
      const std::uint64_t have = s->events_written.load();
      if (have < opt.replay_events) {
        Log("filling " + s->Name() + " up to " + Group(double(opt.replay_events)) + " events");
        const double t0 = MonoSeconds();
        RunBulk(*s, opt.bulk_writers, opt.bulk_batch, opt.stream_events, 1e9,
                opt.replay_events - have, "f");
        Log("  filled in " + Fixed(MonoSeconds() - t0, 1) + " s");
      }
    }
    {
      Row row;
      row.key = "read";
      row.label = "Stream read, whole streams of " + std::to_string(opt.stream_events) + " events, 1 reader";
      measure(row, [&](System& s, int) {
        return RunStreamRead(s, opt.seconds, opt.max_events, opt.stream_events);
      });
      rows.push_back(std::move(row));
    }
    {
      Row row;
      row.key = "replay";
      row.label = "Full replay in position order, " + Group(double(opt.replay_events)) + " events";
      measure(row, [&](System& s, int) { return RunReplay(s, self, opt.replay_events); });
      rows.push_back(std::move(row));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "event_store_bench: FAILED: %s\n", e.what());
    cleanup();
    return 1;
  }
  cleanup();

  // ---- the report ----
  auto find_row = [&](const std::string& key) -> const Row* {
    for (const auto& r : rows) {
      if (r.key == key) return &r;
    }
    return nullptr;
  };
  auto med = [&](const Row* r, const std::string& sys) -> double {
    if (!r) return std::nan("");
    auto it = r->samples.find(sys);
    if (it == r->samples.end() || it->second.empty()) return std::nan("");
    return Median(Rates(it->second));
  };
  const bool have_ct = std::find(opt.systems.begin(), opt.systems.end(), "casetrail") != opt.systems.end();
  const bool have_pg = std::find(opt.systems.begin(), opt.systems.end(), "postgres") != opt.systems.end();

  std::vector<Target> targets;
  auto ratio_target = [&](const std::string& what, const std::string& key, double need) {
    Target t{what, "not run", "n/a"};
    const double a = med(find_row(key), "casetrail"), b = med(find_row(key), "postgres");
    if (!std::isnan(a) && !std::isnan(b) && b > 0) {
      t.measured = Fixed(a / b, 2) + "× (" + Group(a) + " vs " + Group(b) + " events/s)";
      t.result = a / b >= need ? "PASS" : "MISS";
    }
    targets.push_back(t);
  };
  auto abs_target = [&](const std::string& what, const std::string& key, double need) {
    Target t{what, "not run", "n/a"};
    const double a = med(find_row(key), "casetrail");
    if (!std::isnan(a)) {
      t.measured = Group(a) + " events/s";
      t.result = a >= need ? "PASS" : "MISS";
    }
    targets.push_back(t);
  };
  ratio_target("Durable append, 64 writers ≥ 10× PostgreSQL", "durable-64", 10);
  ratio_target("Durable append, 8 writers ≥ 3× PostgreSQL", "durable-8", 3);
  ratio_target("Full replay ≥ 5× PostgreSQL", "replay", 5);
  abs_target("Full replay ≥ 2,000,000 events/s", "replay", 2e6);
  abs_target("Non-durable bulk append ≥ 300,000 events/s", "bulk", 3e5);
  long ct_hwm = -1;
  if (const Row* r = find_row("replay"); r && r->samples.count("casetrail")) {
    for (const auto& s : r->samples.at("casetrail")) ct_hwm = std::max(ct_hwm, s.hwm_client_kb);
  }
  {
    Target t{"Peak RSS of a 10,000,000-event replay < 500 MB", "not run", "n/a"};
    if (ct_hwm > 0) {
      const double mb = ct_hwm * 1024.0 / 1e6;
      t.measured = Fixed(mb, 1) + " MB for " + Group(double(opt.replay_events)) + " events";
      if (opt.replay_events >= 10000000) t.result = mb < 500 ? "PASS" : "MISS";
      else t.result = "n/a (run with --replay-events 10000000)";
    }
    targets.push_back(t);
  }
  (void)have_ct;
  (void)have_pg;

  std::ostringstream md;
  md << ReportHeader("event_store_bench", t_start, cmdline, machine);
  md << "- Disk's raw fsync rate (4 KiB pwrite + fdatasync loop, " << Fixed(fsync_secs, 1)
     << " s, same filesystem as the data): **" << Group(fsync_rate)
     << " syncs/s** overwriting a preallocated file; " << Group(fsync_append_rate)
     << " syncs/s appending to a growing file. One synchronous writer that fsyncs every commit "
        "cannot exceed this.\n";
  for (const auto& s : systems) md << "- " << s->Title() << ": " << describe[s->Name()] << "\n";
  md << "- Each figure: median of " << opt.repeat << " run" << (opt.repeat > 1 ? "s (min–max in brackets)" : "")
     << "; appends and reads are bounded by " << Fixed(opt.seconds, 2) << " s or "
     << Group(double(opt.max_events)) << " events per run. Payloads ~300 bytes of JSON.\n\n";

  std::vector<const System*> cols;
  for (const auto& s : systems) cols.push_back(s.get());
  md << "| Workload (events/s) |";
  for (auto* s : cols) md << " " << s->Title() << " |";
  const System* ct = nullptr;
  for (auto* s : cols) {
    if (s->Name() == "casetrail") ct = s;
  }
  std::vector<const System*> peers;
  for (auto* s : cols) {
    if (s->Name() != "casetrail") peers.push_back(s);
  }
  if (ct) {
    for (auto* p : peers) md << " casetrail/" << p->Title() << " |";
    md << " Events per log sync (casetrail / PostgreSQL) |";
  }
  md << "\n|---|";
  for (std::size_t i = 0; i < cols.size(); ++i) md << "---:|";
  if (ct) {
    for (std::size_t i = 0; i < peers.size(); ++i) md << "---:|";
    md << "---:|";
  }
  md << "\n";
  auto samples_of = [](const Row& r, const std::string& name) {
    auto it = r.samples.find(name);
    return it == r.samples.end() ? std::vector<Sample>{} : it->second;
  };
  for (const auto& r : rows) {
    md << "| " << r.label << " |";
    for (auto* s : cols) md << " " << Cell(samples_of(r, s->Name())) << " |";
    if (ct) {
      for (auto* p : peers) md << " " << Ratio(samples_of(r, "casetrail"), samples_of(r, p->Name())) << " |";
      if (r.durable) {
        md << " " << PerSync(samples_of(r, "casetrail")) << " / " << PerSync(samples_of(r, "postgres")) << " |";
      } else {
        md << " – |";
      }
    }
    md << "\n";
  }
  md << "\nEvents per log sync: casetrail = events / group commits (`EventLog::Stats()`; in durable "
        "mode each group commit is one WAL write + fsync); PostgreSQL = events / `pg_stat_wal.wal_sync`.\n";
  if (const Row* r = find_row("replay")) {
    md << "\nReplay peak RSS (VmHWM of the child process that ran the replay, largest of the runs; "
          "in brackets the peak of the scan alone, measured after resetting VmHWM once the store "
          "was open): ";
    bool first = true;
    for (auto* s : cols) {
      long c = -1, sv = -1, sc = -1;
      for (const auto& x : samples_of(*r, s->Name())) {
        c = std::max(c, x.hwm_client_kb);
        sv = std::max(sv, x.hwm_server_kb);
        sc = std::max(sc, x.hwm_scan_kb);
      }
      if (c < 0) continue;
      md << (first ? "" : "; ") << s->Title() << " " << Fixed(c * 1024.0 / 1e6, 1) << " MB";
      if (sc >= 0) md << " (" << Fixed(sc * 1024.0 / 1e6, 1) << " MB)";
      if (s->Name() == "postgres") {
        md << " in the client" << (sv >= 0 ? " + " + Fixed(sv * 1024.0 / 1e6, 1) + " MB in the server backend" : "");
      }
      first = false;
    }
    md << "; " << Group(double(opt.replay_events)) << " events.\n";
  }
  return FinishReport("event_store_bench", md, targets, opt);
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) { return bench::RunMain("event_store_bench", bench::Main, argc, argv); }
