// Shared pieces of event_store_bench and case_bench: the System/Writer/Reader interfaces every
// store under test implements (casetrail, PostgreSQL, SQLite), workload data, timing and process
// helpers, and the frame of a benchmark program (options, child entry points, the report).
//
// A System is one store. The workload drivers in event_store_bench.cpp are written once against
// these interfaces, so the three stores run exactly the same workloads: same streams, same
// payloads, same number of events per append, same optimistic concurrency check.
#pragma once

#include <atomic>
#include <thread>
#include <future>
#include <exception>
#include <condition_variable>
#include <chrono>
#include <cstdio>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace bench {

// A failure that ends the benchmark with a non-zero exit status.
struct BenchError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One event as the workloads propose it. The store assigns position, version and event id.
struct NewEvent {
  std::string type;
  std::string payload;          // ~300 bytes of JSON
  std::int64_t occurred_at = 0;  // microseconds since the epoch
};

// One connection / handle used by one writer thread.
class Writer {
 public:
  virtual ~Writer() = default;
  // Appends `events` (at least one) atomically to `stream`, whose last version must be
  // `expected` (0: the stream must not exist yet). Throws BenchError on any failure, including
  // a failed concurrency check (writers own their streams, so a conflict is a bug).
  virtual void Append(const std::string& stream, std::uint64_t expected,
                      const std::vector<NewEvent>& events) = 0;
};

// One connection / handle used by one reader thread.
class Reader {
 public:
  virtual ~Reader() = default;
  // Reads the whole stream in version order; returns the number of events read.
  virtual std::uint64_t ReadStream(const std::string& stream) = 0;
};

// What a replay child process reports.
struct ReplayResult {
  std::uint64_t events = 0;
  double seconds = 0;
  long client_hwm_kb = -1;  // peak RSS (VmHWM) of the process that ran the replay
  long server_hwm_kb = -1;  // PostgreSQL: peak RSS of the backend that served it
  long scan_hwm_kb = -1;    // peak RSS during the scan alone (reset after opening), when known
  std::uint64_t checksum = 0;
};

class System {
 public:
  virtual ~System() = default;
  virtual std::string Name() const = 0;  // "casetrail", "postgres", "sqlite"
  virtual std::string Title() const = 0;  // column title
  // Creates/starts the store under its data directory. Throws BenchError on failure.
  virtual void Start() = 0;
  // Stops the store and removes its data. Must be safe to call twice and after a failed Start.
  virtual void Stop() = 0;
  // One line: version and the settings that matter.
  virtual std::string Describe() = 0;

  // durable: acknowledged appends survive power loss (fsync before the answer).
  virtual std::unique_ptr<Writer> NewWriter(bool durable) = 0;
  virtual std::unique_ptr<Reader> NewReader() = 0;
  // Called before a durable / non-durable phase (casetrail reopens the log with the option).
  virtual void SetDurable(bool durable) { (void)durable; }
  // A counter of physical log syncs (casetrail: group commits; PostgreSQL: pg_stat_wal.wal_sync),
  // read when no writer is connected. nullopt when the store has none.
  virtual std::optional<std::uint64_t> SyncCounter() { return std::nullopt; }
  virtual std::string SyncCounterName() const { return "fsync"; }
  // Before a replay child runs: release anything that would stop another process opening it.
  virtual void PrepareReplay() {}
  // Arguments for the replay child: `--replay-child <Name()> <ReplayTarget()> <events>`.
  virtual std::string ReplayTarget() const = 0;

  // Stop() leaves the data on disk (--keep).
  bool keep_data = false;

  // Bookkeeping shared by the drivers.
  std::atomic<std::uint64_t> events_written{0};
  std::mutex streams_mu;
  std::vector<std::string> full_streams;  // streams holding exactly stream_events events
};

std::unique_ptr<System> MakeCasetrail(const std::string& dir);
std::unique_ptr<System> MakePostgres(const std::string& dir, const std::string& pg_bin);
std::unique_ptr<System> MakeSqlite(const std::string& dir);

// Replay of the first `events` events in position order, run inside the replay child.
ReplayResult ReplayCasetrail(const std::string& target, std::uint64_t events);
ReplayResult ReplayPostgres(const std::string& target, std::uint64_t events);
ReplayResult ReplaySqlite(const std::string& target, std::uint64_t events);

// One writer's share of the durable-append workload (event_store_bench's durable rows, and the
// PostgreSQL peer of case_bench's pipeline): 8 streams of its own, "child-TAG-T-K", cycled over
// with an exact expected version, one event per append.
class DurableWorkload {
 public:
  DurableWorkload(const std::string& tag, int t);
  // Prepares the i-th append (i = 0, 1, 2, ...).
  void Prepare(std::uint64_t i);
  // Makes the prepared append with w.
  void Append(Writer& w);

 private:
  static constexpr int kStreams = 8;
  int t_;
  int k_ = 0;  // the stream of the prepared append
  std::vector<std::string> streams_;
  std::uint64_t versions_[kStreams] = {};
  std::vector<NewEvent> ev_;
};

// ---- helpers (bench_common.cpp) ----------------------------------------------------------

std::int64_t NowUs();      // wall clock, microseconds since the epoch
double MonoSeconds();      // monotonic clock, seconds
// A realistic ~300-byte JSON payload; `seq` varies its contents.
std::string MakePayload(std::uint64_t seq);
const std::string& EventType(std::uint64_t seq);
std::string NewUuid();
// Peak RSS of this process (VmHWM of /proc/self/status), in KiB; -1 if unknown.
long SelfHwmKb();
long ProcHwmKb(long pid);
// Resets this process's VmHWM to its current RSS (Linux clear_refs 5); false if unsupported.
bool ResetSelfHwm();

// Runs argv (no shell), output appended to `log_file` (or discarded when empty).
// Returns the exit status (or -1 when it could not run).
int RunCommand(const std::vector<std::string>& argv, const std::string& log_file = "");
// Runs argv and returns its standard output ("" when it fails). Its standard error goes to ours
// with keep_stderr, else nowhere.
std::string CaptureCommand(const std::vector<std::string>& argv, bool keep_stderr = false);
// Removes a directory tree; ignores errors.
void RemoveTree(const std::string& path);
std::string ReadFileText(const std::string& path);
std::string Trim(std::string s);

}  // namespace bench

namespace bench {
// A command run (fork + execv, async-signal-safe) if the benchmark is interrupted by SIGINT or
// SIGTERM, so that a private database server does not outlive it. argv[0] must be a full path.
void SetEmergencyCommand(const std::vector<std::string>& argv);
void ClearEmergencyCommand();
void InstallSignalHandlers();
// Helpers shared by the benchmark programs.
std::vector<std::string> Split(const std::string& s, char sep);
std::string Fixed(double v, int prec);
std::string Group(double v);
double Median(std::vector<double> v);
double CpuSeconds();
std::string ShellQuote(const std::string& a);
std::string UtcNow();
// The git revision of the sources (at run time: run right after building, as the script does).
std::string SourceRevision();
std::string DefaultPgBin();
// One line about the machine for a report: CPUs, CPU model, RAM, kernel, and the filesystem that
// holds data_dir.
std::string MachineDescription(const std::string& data_dir);
// The full path of this program (/proc/self/exe), to run it as a child; throws BenchError.
std::string SelfPath();
// argv as a shell command line (each word quoted where it needs to be).
std::string CommandLine(int argc, char** argv);

// The options that event_store_bench and case_bench both take (each program describes them in
// its own usage text and gives dir its own default).
struct CommonOptions {
  bool smoke = false;
  int repeat = 1;
  std::string out;
  std::string dir;
  std::string pg_bin;
  bool keep = false;
  bool fail_on_miss = false;
};

// Prints "program: error" (unless error is empty) and the usage text on standard error, and
// exits: 0 when error is empty (--help), 64 otherwise.
[[noreturn]] void ExitWithUsage(const char* program, const std::string& error, const char* usage);

// The values of a program's command-line options. A missing or malformed value ends the program
// through `usage` (the program's own usage function, which exits), given the error to print.
struct OptionValues {
  int argc;
  char** argv;
  void (*usage)(const std::string& error);
  // The value that follows the option argv[i]; i moves onto it.
  std::string Need(int& i) const;
  // The same, which must be a non-negative number.
  double Number(int& i) const;
  // When argv[i] is one of the common options (--smoke, --repeat R, --out FILE, --dir DIR,
  // --pg-bin DIR, --keep, --fail-on-miss), reads it (and its value) into o and returns true;
  // --help and -h call usage(""). False for any other option.
  bool Common(int& i, CommonOptions& o) const;
  // Reads the options in order: the common ones into o, any other with other(option, i), which
  // reads its value with Need(i) or Number(i) and calls usage for an option it does not know.
  template <typename Other>
  void Parse(CommonOptions& o, Other other) const {
    for (int i = 1; i < argc; ++i) {
      if (!Common(i, o)) other(std::string(argv[i]), i);
    }
  }
};

// The opening lines of a markdown report: which program generated it, when and in how long (since
// t_start, MonoSeconds()), the command, the source revision and the machine.
std::string ReportHeader(const std::string& program, double t_start, const std::string& cmdline,
                         const std::string& machine);

// A performance target: what it asks, what the run measured, PASS, MISS or why neither.
struct Target {
  std::string what, measured, result;
};
// Appends the table of targets to a report; returns true when one was missed.
bool AppendTargetTable(std::ostream& md, const std::vector<Target>& targets);
// Prints the report on standard output and, unless `out` is empty, writes it to the file `out`
// too. Returns false, having said so as `program: cannot write OUT`, when that fails.
bool WriteReport(const std::string& program, const std::string& report, const std::string& out);
// Ends a report: appends the table of targets to md, prints the report and writes it to o.out
// (see WriteReport). Returns the program's exit status: 1 when the report could not be written,
// 3 when a target was missed and o.fail_on_miss is set, else 0.
int FinishReport(const std::string& program, std::ostringstream& md,
                 const std::vector<Target>& targets, const CommonOptions& o);
// The body of a benchmark program's main: returns main_fn(argc, argv); an exception escaping it is
// printed as `program: what` and ends the program with status 1.
int RunMain(const char* program, int (*main_fn)(int, char**), int argc, char** argv);

// The entry point of a child process (`program --...-child ARG...`): when argc is not
// argc_needed, prints `usage` (a whole line) and returns 64; otherwise returns body(), or 1 when
// it throws, having printed "NAME: error" with NAME = name() (e.g. "replay child (sqlite)").
template <typename Name, typename Body>
int ChildMain(int argc, int argc_needed, const char* usage, Name name, Body body) {
  if (argc != argc_needed) {
    std::fputs(usage, stderr);
    return 64;
  }
  try {
    return body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", std::string(name()).c_str(), e.what());
    return 1;
  }
}

// Runs body(thread_index, stop) on n threads started together; stops them after `seconds`
// (or when one sets stop); rethrows the first failure. Returns the wall time.
template <typename Body>
double RunThreads(int n, double seconds, Body body) {
  std::atomic<bool> stop{false};
  std::promise<void> go;
  std::shared_future<void> go_f = go.get_future().share();
  std::atomic<int> ready{0};
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(n));
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(n));
  std::mutex done_mu;
  std::condition_variable done_cv;
  int running = n;
  for (int t = 0; t < n; ++t) {
    threads.emplace_back([&, t] {
      ready.fetch_add(1);
      go_f.wait();
      try {
        body(t, stop);
      } catch (...) {
        errors[static_cast<std::size_t>(t)] = std::current_exception();
        stop.store(true);
      }
      std::lock_guard<std::mutex> lk(done_mu);
      if (--running == 0) done_cv.notify_all();
    });
  }
  while (ready.load() < n) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const double t0 = MonoSeconds();
  go.set_value();
  {
    std::unique_lock<std::mutex> lk(done_mu);
    const double deadline = t0 + seconds;
    while (running > 0 && !stop.load() && MonoSeconds() < deadline) {
      done_cv.wait_for(lk, std::chrono::milliseconds(2));
    }
  }
  stop.store(true);
  for (auto& th : threads) th.join();
  const double elapsed = MonoSeconds() - t0;
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return elapsed;
}

}  // namespace bench
