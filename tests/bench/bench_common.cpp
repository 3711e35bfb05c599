#include "bench_common.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace bench {

std::int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double MonoSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string MakePayload(std::uint64_t seq) {
  static const char* const kOutcomes[] = {"continue_plan", "escalate", "step_down", "no_further_action"};
  static const char* const kTeams[] = {"north-east-duty", "south-long-term", "cwd-team", "front-door"};
  char buf[512];
  int n = std::snprintf(
      buf, sizeof buf,
      "{\"child_id\":\"C-%08llu\",\"worker\":\"sw-%04u\",\"team\":\"%s\","
      "\"summary\":\"Home visit completed; child seen alone; bedroom seen; no new concerns raised "
      "by school or health visitor.\",\"outcome\":\"%s\",\"next_visit_due\":\"2025-12-%02u\","
      "\"risk\":{\"level\":\"medium\",\"factors\":[\"neglect\",\"domestic_abuse\"]},\"seq\":%llu}",
      static_cast<unsigned long long>(seq % 100000000), static_cast<unsigned>(seq % 9973),
      kTeams[seq % 4], kOutcomes[(seq / 4) % 4], static_cast<unsigned>(1 + seq % 28),
      static_cast<unsigned long long>(seq));
  return std::string(buf, static_cast<std::size_t>(n));
}

const std::string& EventType(std::uint64_t seq) {
  static const std::string kTypes[] = {"cp.visit_recorded", "cp.strategy_meeting_held",
                                       "cin.assessment_started", "cin.assessment_completed",
                                       "cp.plan_reviewed", "lac.placement_changed"};
  return kTypes[seq % 6];
}

std::string NewUuid() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::uint64_t a = rng(), b = rng();
  a = (a & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;
  b = (b & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", unsigned(a >> 32),
                unsigned((a >> 16) & 0xFFFF), unsigned(a & 0xFFFF), unsigned(b >> 48),
                static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFull));
  return buf;
}

DurableWorkload::DurableWorkload(const std::string& tag, int t) : t_(t), ev_(1) {
  for (int k = 0; k < kStreams; ++k) {
    streams_.push_back("child-" + tag + "-" + std::to_string(t) + "-" + std::to_string(k));
  }
}

void DurableWorkload::Prepare(std::uint64_t i) {
  const std::uint64_t seq = (static_cast<std::uint64_t>(t_) << 40) + i;
  k_ = static_cast<int>(i % kStreams);
  ev_[0].type = EventType(seq);
  ev_[0].payload = MakePayload(seq);
  ev_[0].occurred_at = NowUs() - 1000;
}

void DurableWorkload::Append(Writer& w) {
  w.Append(streams_[static_cast<std::size_t>(k_)], versions_[k_], ev_);
  ++versions_[k_];
}

static long HwmFromStatus(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

long SelfHwmKb() { return HwmFromStatus("/proc/self/status"); }
bool ResetSelfHwm() {
  const int fd = open("/proc/self/clear_refs", O_WRONLY);
  if (fd < 0) return false;
  const bool ok = write(fd, "5", 1) == 1;
  close(fd);
  return ok;
}

long ProcHwmKb(long pid) { return HwmFromStatus("/proc/" + std::to_string(pid) + "/status"); }

namespace {

// fork + execvp with stdout/stderr sent to `out_fd` (or /dev/null when < 0).
pid_t Spawn(const std::vector<std::string>& argv, int out_fd, int err_fd) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid != 0) return pid;
  int devnull = open("/dev/null", O_RDWR);
  dup2(devnull, 0);
  dup2(out_fd >= 0 ? out_fd : devnull, 1);
  dup2(err_fd >= 0 ? err_fd : devnull, 2);
  execvp(args[0], args.data());
  _exit(127);
}

int WaitStatus(pid_t pid) {
  int st = 0;
  while (waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

}  // namespace

int RunCommand(const std::vector<std::string>& argv, const std::string& log_file) {
  int fd = -1;
  if (!log_file.empty()) fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_t pid = Spawn(argv, fd, fd);
  if (fd >= 0) close(fd);
  if (pid < 0) return -1;
  return WaitStatus(pid);
}

std::string CaptureCommand(const std::vector<std::string>& argv, bool keep_stderr) {
  int p[2];
  if (pipe(p) != 0) return "";
  pid_t pid = Spawn(argv, p[1], keep_stderr ? 2 : -1);
  close(p[1]);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(p[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  close(p[0]);
  if (pid < 0) return "";
  return WaitStatus(pid) == 0 ? out : "";
}

void RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

std::string ReadFileText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

}  // namespace bench

#include <csignal>

namespace bench {
namespace {
constexpr int kMaxEmergencyArgs = 24;
std::string g_emergency_storage[kMaxEmergencyArgs];
char* g_emergency_argv[kMaxEmergencyArgs + 1] = {nullptr};
volatile std::sig_atomic_t g_emergency_set = 0;

extern "C" void OnFatalSignal(int sig) {
  if (g_emergency_set) {
    pid_t pid = fork();
    if (pid == 0) {
      int devnull = open("/dev/null", O_RDWR);
      dup2(devnull, 1);
      dup2(devnull, 2);
      execv(g_emergency_argv[0], g_emergency_argv);
      _exit(127);
    }
    if (pid > 0) {
      int st;
      waitpid(pid, &st, 0);
    }
  }
  signal(sig, SIG_DFL);
  raise(sig);
}
}  // namespace

void SetEmergencyCommand(const std::vector<std::string>& argv) {
  g_emergency_set = 0;
  std::size_t n = std::min<std::size_t>(argv.size(), kMaxEmergencyArgs);
  for (std::size_t i = 0; i < n; ++i) {
    g_emergency_storage[i] = argv[i];
    g_emergency_argv[i] = g_emergency_storage[i].data();
  }
  g_emergency_argv[n] = nullptr;
  g_emergency_set = n > 0;
}

void ClearEmergencyCommand() { g_emergency_set = 0; }

void InstallSignalHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnFatalSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
}

}  // namespace bench

namespace bench {

namespace fs = std::filesystem;

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep)) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string Fixed(double v, int prec) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", prec, v);
  return buf;
}

std::string Group(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  std::string s = buf, out;
  int n = 0;
  for (auto it = s.rbegin(); it != s.rend(); ++it) {
    if (n > 0 && n % 3 == 0 && *it != '-') out.push_back(',');
    out.push_back(*it);
    ++n;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

double Median(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

std::string ShellQuote(const std::string& a) {
  if (!a.empty() && a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=,:@+") == std::string::npos) {
    return a;
  }
  std::string q = "'";
  for (char c : a) {
    if (c == '\'') q += "'\\''";
    else q.push_back(c);
  }
  return q + "'";
}

std::string UtcNow() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

// The git revision of the sources (at run time: run right after building, as the script does).
std::string SourceRevision() {
#ifdef CASETRAIL_SOURCE_DIR
  std::string rev = Trim(CaptureCommand({"git", "-C", CASETRAIL_SOURCE_DIR, "describe", "--always",
                                         "--dirty", "--abbrev=12"}));
  if (!rev.empty()) {
    return "git " + rev + (rev.size() > 6 && rev.compare(rev.size() - 6, 6, "-dirty") == 0
                               ? " (uncommitted changes in tracked files)"
                               : "");
  }
#endif
  return "unknown revision";
}

std::string DefaultPgBin() {
  std::string best;
  int best_v = -1;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const int v = std::atoi(e.path().filename().c_str());
    if (v > best_v && fs::exists(e.path() / "bin" / "initdb")) {
      best_v = v;
      best = (e.path() / "bin").string();
    }
  }
  return best;
}

std::string MachineDescription(const std::string& data_dir) {
  std::string cpu = "unknown CPU";
  {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("model name", 0) == 0) {
        cpu = Trim(line.substr(line.find(':') + 1));
        break;
      }
    }
  }
  long mem_kb = 0;
  {
    std::ifstream in("/proc/meminfo");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("MemTotal:", 0) == 0) mem_kb = std::atol(line.c_str() + 9);
    }
  }
  utsname u{};
  uname(&u);
  std::string fstype = "unknown filesystem";
  const auto lines = Split(CaptureCommand({"df", "-T", data_dir}), '\n');
  if (lines.size() >= 2) {
    std::stringstream ss(lines[1]);
    std::vector<std::string> f;
    std::string w;
    while (ss >> w) f.push_back(w);
    if (f.size() >= 7) fstype = f[1] + " (" + f[0] + ", mounted on " + f[6] + ")";
  }
  return std::to_string(sysconf(_SC_NPROCESSORS_ONLN)) + " CPUs (nproc), " + cpu + ", " +
         Fixed(mem_kb / 1048576.0, 1) + " GiB RAM, " + u.sysname + " " + u.release + " " +
         u.machine + "; data dir on " + fstype;
}

std::string SelfPath() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw BenchError("cannot read /proc/self/exe");
  return std::string(buf, static_cast<std::size_t>(n));
}

std::string CommandLine(int argc, char** argv) {
  std::string cmdline;
  for (int i = 0; i < argc; ++i) cmdline += (i ? " " : "") + ShellQuote(argv[i]);
  return cmdline;
}

void ExitWithUsage(const char* program, const std::string& error, const char* usage) {
  if (!error.empty()) std::fprintf(stderr, "%s: %s\n\n", program, error.c_str());
  std::fputs(usage, stderr);
  std::exit(error.empty() ? 0 : 64);
}

std::string OptionValues::Need(int& i) const {
  if (i + 1 >= argc) usage(std::string(argv[i]) + " needs a value");
  return argv[++i];
}

double OptionValues::Number(int& i) const {
  const std::string flag = argv[i];
  std::string v = Need(i);
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || d < 0) usage(flag + ": not a number: " + v);
  return d;
}

bool OptionValues::Common(int& i, CommonOptions& o) const {
  const std::string a = argv[i];
  if (a == "--smoke") o.smoke = true;
  else if (a == "--repeat") o.repeat = std::max(1, static_cast<int>(Number(i)));
  else if (a == "--out") o.out = Need(i);
  else if (a == "--dir") o.dir = Need(i);
  else if (a == "--pg-bin") o.pg_bin = Need(i);
  else if (a == "--keep") o.keep = true;
  else if (a == "--fail-on-miss") o.fail_on_miss = true;
  else if (a == "--help" || a == "-h") usage("");
  else return false;
  return true;
}

std::string ReportHeader(const std::string& program, double t_start, const std::string& cmdline,
                         const std::string& machine) {
  std::ostringstream md;
  md << "Generated by `" << program << "` on " << UtcNow() << " in "
     << Fixed((MonoSeconds() - t_start) / 60.0, 1) << " min.\n\n";
  md << "- Command: `" << cmdline << "`\n";
  md << "- Source: " << SourceRevision() << "\n";
  md << "- Machine: " << machine << "\n";
  return md.str();
}

bool AppendTargetTable(std::ostream& md, const std::vector<Target>& targets) {
  md << "\n| Target | Measured | Result |\n|---|---|---|\n";
  bool missed = false;
  for (const auto& t : targets) {
    md << "| " << t.what << " | " << t.measured << " | " << t.result << " |\n";
    missed |= t.result == "MISS";
  }
  return missed;
}

bool WriteReport(const std::string& program, const std::string& report, const std::string& out) {
  std::fwrite(report.data(), 1, report.size(), stdout);
  std::fflush(stdout);
  if (!out.empty()) {
    std::ofstream f(out);
    f << report;
    if (!f) {
      std::fprintf(stderr, "%s: cannot write %s\n", program.c_str(), out.c_str());
      return false;
    }
  }
  return true;
}

int FinishReport(const std::string& program, std::ostringstream& md,
                 const std::vector<Target>& targets, const CommonOptions& o) {
  const bool missed = AppendTargetTable(md, targets);
  if (!WriteReport(program, md.str(), o.out)) return 1;
  return missed && o.fail_on_miss ? 3 : 0;
}

int RunMain(const char* program, int (*main_fn)(int, char**), int argc, char** argv) {
  try {
    return main_fn(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", program, e.what());
    return 1;
  }
}

}  // namespace bench
