// PostgreSQL peer: a private cluster started by the benchmark (initdb into its data dir,
// pg_ctl start with a Unix socket in that dir and no TCP listener), reached with libpq.
//
// Everything is PostgreSQL's default (fsync=on, synchronous_commit=on, shared_buffers=128MB,
// wal_sync_method=fdatasync) except where a row says otherwise: the non-durable bulk rows set
// synchronous_commit=off in their sessions, which is PostgreSQL's equivalent of casetrail's
// durable=false (the commit is acknowledged before its WAL reaches the disk).
#include <libpq-fe.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include "bench_common.hpp"

namespace bench {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSchema = R"sql(
CREATE TABLE events (
  position    bigserial   PRIMARY KEY,
  stream      text        NOT NULL,
  version     bigint      NOT NULL,
  type        text        NOT NULL,
  event_id    uuid        NOT NULL UNIQUE,
  payload     jsonb       NOT NULL,
  occurred_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stream, version)
))sql";

// One event; the optimistic concurrency check is part of the insert: the row is only written
// when the stream's last version is $2 (0 = no stream). One statement = one transaction.
constexpr const char* kAppendOne = R"sql(
INSERT INTO events (stream, version, type, event_id, payload, occurred_at)
SELECT $1::text, $2::bigint + 1, $3::text, gen_random_uuid(), $4::jsonb,
       to_timestamp($5::bigint / 1000000.0)
WHERE (SELECT coalesce(max(version), 0) FROM events WHERE stream = $1::text) = $2::bigint)sql";

// Several events of one stream in one multi-row insert (one transaction), same check.
constexpr const char* kAppendMany = R"sql(
INSERT INTO events (stream, version, type, event_id, payload, occurred_at)
SELECT $1::text, $2::bigint + t.ord, t.type, gen_random_uuid(), t.payload,
       to_timestamp(t.occ / 1000000.0)
FROM unnest($3::text[], $4::jsonb[], $5::bigint[]) WITH ORDINALITY AS t(type, payload, occ, ord)
WHERE (SELECT coalesce(max(version), 0) FROM events WHERE stream = $1::text) = $2::bigint
ORDER BY t.ord)sql";

constexpr const char* kReadStream = R"sql(
SELECT position, stream, version, type, event_id, payload, occurred_at, recorded_at
FROM events WHERE stream = $1::text ORDER BY version)sql";

constexpr const char* kReplaySelect =
    "SELECT position, stream, version, type, event_id, payload, occurred_at, recorded_at "
    "FROM events ORDER BY position LIMIT ";

std::uint64_t BigEndian64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

class Conn {
 public:
  explicit Conn(const std::string& conninfo) : c_(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(c_) != CONNECTION_OK) {
      std::string msg = PQerrorMessage(c_);
      PQfinish(c_);
      c_ = nullptr;
      throw BenchError("postgres: cannot connect (" + conninfo + "): " + Trim(msg));
    }
  }
  ~Conn() {
    if (c_) PQfinish(c_);
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  PGconn* get() { return c_; }

  void Exec(const std::string& sql) {
    PGresult* r = PQexec(c_, sql.c_str());
    const auto st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      std::string msg = PQresultErrorMessage(r);
      PQclear(r);
      throw BenchError("postgres: " + sql.substr(0, 60) + ": " + Trim(msg));
    }
    PQclear(r);
  }

  std::string Value(const std::string& sql) {
    PGresult* r = PQexec(c_, sql.c_str());
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1) {
      std::string msg = PQresultErrorMessage(r);
      PQclear(r);
      throw BenchError("postgres: " + sql + ": " + Trim(msg));
    }
    std::string v = PQgetvalue(r, 0, 0);
    PQclear(r);
    return v;
  }

  void Prepare(const char* name, const char* sql, int nparams) {
    PGresult* r = PQprepare(c_, name, sql, nparams, nullptr);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      std::string msg = PQresultErrorMessage(r);
      PQclear(r);
      throw BenchError(std::string("postgres: prepare ") + name + ": " + Trim(msg));
    }
    PQclear(r);
  }

 private:
  PGconn* c_;
};

void AppendArrayElement(std::string* out, std::string_view v) {
  out->push_back('"');
  for (char ch : v) {
    if (ch == '"' || ch == '\\') out->push_back('\\');
    out->push_back(ch);
  }
  out->push_back('"');
}

class PgWriter final : public Writer {
 public:
  PgWriter(const std::string& conninfo, bool durable) : conn_(conninfo) {
    if (!durable) conn_.Exec("SET synchronous_commit = off");
    conn_.Prepare("append_one", kAppendOne, 5);
    conn_.Prepare("append_many", kAppendMany, 5);
  }

  void Append(const std::string& stream, std::uint64_t expected,
              const std::vector<NewEvent>& events) override {
    const std::string exp = std::to_string(expected);
    PGresult* r;
    if (events.size() == 1) {
      const std::string occ = std::to_string(events[0].occurred_at);
      const char* values[5] = {stream.c_str(), exp.c_str(), events[0].type.c_str(),
                               events[0].payload.c_str(), occ.c_str()};
      r = PQexecPrepared(conn_.get(), "append_one", 5, values, nullptr, nullptr, 0);
    } else {
      types_.assign("{");
      payloads_.assign("{");
      occs_.assign("{");
      for (std::size_t i = 0; i < events.size(); ++i) {
        if (i > 0) {
          types_.push_back(',');
          payloads_.push_back(',');
          occs_.push_back(',');
        }
        AppendArrayElement(&types_, events[i].type);
        AppendArrayElement(&payloads_, events[i].payload);
        occs_.append(std::to_string(events[i].occurred_at));
      }
      types_.push_back('}');
      payloads_.push_back('}');
      occs_.push_back('}');
      const char* values[5] = {stream.c_str(), exp.c_str(), types_.c_str(), payloads_.c_str(),
                               occs_.c_str()};
      r = PQexecPrepared(conn_.get(), "append_many", 5, values, nullptr, nullptr, 0);
    }
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      std::string msg = PQresultErrorMessage(r);
      PQclear(r);
      throw BenchError("postgres append to '" + stream + "': " + Trim(msg));
    }
    const std::string n = PQcmdTuples(r);
    PQclear(r);
    if (n != std::to_string(events.size())) {
      throw BenchError("postgres append to '" + stream + "': concurrency check failed (" + n +
                       " rows written)");
    }
  }

 private:
  Conn conn_;
  std::string types_, payloads_, occs_;
};

class PgReader final : public Reader {
 public:
  explicit PgReader(const std::string& conninfo) : conn_(conninfo) {
    conn_.Prepare("read_stream", kReadStream, 1);
  }
  std::uint64_t ReadStream(const std::string& stream) override {
    const char* values[1] = {stream.c_str()};
    PGresult* r = PQexecPrepared(conn_.get(), "read_stream", 1, values, nullptr, nullptr, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      std::string msg = PQresultErrorMessage(r);
      PQclear(r);
      throw BenchError("postgres read of '" + stream + "': " + Trim(msg));
    }
    const int n = PQntuples(r);
    std::uint64_t sum = 0;
    for (int i = 0; i < n; ++i) {
      sum += BigEndian64(PQgetvalue(r, i, 2)) + static_cast<std::uint64_t>(PQgetlength(r, i, 3)) +
             static_cast<std::uint64_t>(PQgetlength(r, i, 5));
    }
    sink_ += sum;
    PQclear(r);
    return static_cast<std::uint64_t>(n);
  }

 private:
  Conn conn_;
  std::uint64_t sink_ = 0;
};

class PgSystem final : public System {
 public:
  PgSystem(std::string dir, std::string bin) : dir_(std::move(dir)), bin_(std::move(bin)) {}
  ~PgSystem() override { Stop(); }

  std::string Name() const override { return "postgres"; }
  std::string Title() const override { return "PostgreSQL"; }

  void Start() override {
    if (bin_.empty()) throw BenchError("postgres: no PostgreSQL server binaries found (--pg-bin)");
    for (const char* tool : {"initdb", "pg_ctl", "postgres"}) {
      if (access((bin_ + "/" + tool).c_str(), X_OK) != 0) {
        throw BenchError("postgres: " + bin_ + "/" + tool + " is missing");
      }
    }
    as_root_ = geteuid() == 0;
    if (as_root_) {
      // The server refuses to run as root: run it as the "postgres" system user.
      if (getpwnam("postgres") == nullptr) {
        throw BenchError("postgres: running as root and there is no 'postgres' user to run the server");
      }
      if (access("/usr/sbin/runuser", X_OK) == 0) runuser_ = "/usr/sbin/runuser";
      else if (access("/sbin/runuser", X_OK) == 0) runuser_ = "/sbin/runuser";
      else throw BenchError("postgres: running as root and runuser is missing");
    }
    // A server left behind by an interrupted earlier run in the same place.
    if (fs::exists(dir_ + "/data/postmaster.pid")) {
      RunCommand(Cmd({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "immediate", "-w", "stop"}));
    }
    RemoveTree(dir_);
    fs::create_directories(dir_);
    if (as_root_) {
      Chown(dir_);
      if (RunCommand({runuser_, "-u", "postgres", "--", "test", "-w", dir_}) != 0) {
        // The data dir is not reachable by the postgres user (e.g. under /root): fall back to
        // /var/tmp, on disk on most systems. The report prints the filesystem used.
        RemoveTree(dir_);
        char tmpl[] = "/var/tmp/casetrail-bench-pg-XXXXXX";
        if (mkdtemp(tmpl) == nullptr) throw BenchError("postgres: mkdtemp failed");
        dir_ = tmpl;
        fallback_dir_ = true;
        Chown(dir_);
        std::fprintf(stderr, "postgres: data dir not accessible to user postgres; using %s\n",
                     dir_.c_str());
      }
    }
    socket_dir_ = dir_;
    if (socket_dir_.size() > 80) {  // sun_path holds 108 bytes including "/.s.PGSQL.5432"
      char tmpl[] = "/tmp/ctpg-XXXXXX";
      if (mkdtemp(tmpl) == nullptr) throw BenchError("postgres: mkdtemp failed");
      socket_dir_ = tmpl;
      owns_socket_dir_ = true;
      if (as_root_) Chown(socket_dir_);
    }
    log_ = dir_ + "/server.log";
    // -N: initdb does not fsync the template files it writes (saves seconds; the server itself
    // runs with fsync=on).
    if (RunCommand(Cmd({bin_ + "/initdb", "-D", dir_ + "/data", "-A", "trust", "-U", "postgres",
                        "-E", "UTF8", "--locale=C", "-N"}),
                   dir_ + "/initdb.log") != 0) {
      throw BenchError("postgres: initdb failed; see " + dir_ + "/initdb.log:\n" +
                       ReadFileText(dir_ + "/initdb.log"));
    }
    SetEmergencyCommand(Cmd({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "immediate", "-w", "stop"}));
    const std::string opts = "-k " + socket_dir_ + " -c listen_addresses='' -p 5432";
    if (RunCommand(Cmd({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-l", log_, "-w", "-t", "60",
                        "-o", opts, "start"}),
                   dir_ + "/pg_ctl.log") != 0) {
      started_ = true;  // it may be half up: try to stop it
      throw BenchError("postgres: pg_ctl start failed:\n" + ReadFileText(dir_ + "/pg_ctl.log") +
                       ReadFileText(log_));
    }
    started_ = true;
    conninfo_ = "host=" + socket_dir_ + " port=5432 user=postgres dbname=postgres";
    main_ = std::make_unique<Conn>(conninfo_);
    main_->Exec(kSchema);
  }

  void Stop() override {
    main_.reset();
    if (started_) {
      RunCommand(Cmd({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "fast", "-w", "-t", "60", "stop"}),
                 dir_ + "/pg_ctl.log");
      started_ = false;
      ClearEmergencyCommand();
    }
    if (!dir_.empty() && !keep_data) RemoveTree(dir_);
    if (owns_socket_dir_) RemoveTree(socket_dir_);
    owns_socket_dir_ = false;
  }

  std::string Describe() override {
    if (!main_) return "PostgreSQL (not started)";
    std::string v = main_->Value("SHOW server_version");
    return "PostgreSQL " + v + " (private cluster, defaults: fsync=" + main_->Value("SHOW fsync") +
           ", synchronous_commit=" + main_->Value("SHOW synchronous_commit") +
           ", wal_sync_method=" + main_->Value("SHOW wal_sync_method") +
           ", shared_buffers=" + main_->Value("SHOW shared_buffers") +
           "; Unix socket; bulk rows: synchronous_commit=off in the session; replay: " +
           (std::getenv("CASETRAIL_BENCH_PG_REPLAY") ? std::getenv("CASETRAIL_BENCH_PG_REPLAY") : "copy") +
           (fallback_dir_ ? "; data dir " + dir_ : std::string()) + ")";
  }

  std::unique_ptr<Writer> NewWriter(bool durable) override {
    return std::make_unique<PgWriter>(conninfo_, durable);
  }
  std::unique_ptr<Reader> NewReader() override { return std::make_unique<PgReader>(conninfo_); }

  std::optional<std::uint64_t> SyncCounter() override {
    if (!main_) return std::nullopt;
    // Backends report their WAL statistics when they exit: wait for the writers to be gone.
    for (int i = 0; i < 200; ++i) {
      if (main_->Value("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                       "AND pid <> pg_backend_pid()") == "0") {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    main_->Exec("SELECT pg_stat_clear_snapshot()");
    return std::stoull(main_->Value("SELECT wal_sync FROM pg_stat_wal"));
  }
  std::string SyncCounterName() const override { return "WAL sync"; }

  std::string ReplayTarget() const override { return conninfo_; }

  const std::string& data_dir() const { return dir_; }

 private:
  std::vector<std::string> Cmd(std::vector<std::string> argv) const {
    if (!as_root_) return argv;
    std::vector<std::string> out = {runuser_, "-u", "postgres", "--"};
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
  }

  static void Chown(const std::string& path) {
    struct passwd* pw = getpwnam("postgres");
    if (pw && chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      throw BenchError("postgres: cannot chown " + path + " to postgres");
    }
  }

  std::string dir_, bin_;
  std::string socket_dir_, log_, conninfo_;
  std::string runuser_;
  bool as_root_ = false;
  bool started_ = false;
  bool owns_socket_dir_ = false;
  bool fallback_dir_ = false;
  std::unique_ptr<Conn> main_;
};

}  // namespace

std::unique_ptr<System> MakePostgres(const std::string& dir, const std::string& pg_bin) {
  return std::make_unique<PgSystem>(dir, pg_bin);
}

// Replay of the first `events` events in position order. Two ways (--pg-replay, passed to the
// child in CASETRAIL_BENCH_PG_REPLAY): "copy" (the default, PostgreSQL's fastest way out:
// COPY (SELECT ... ORDER BY position) TO STDOUT in binary format, parsed as it streams) and
// "cursor" (what an application usually writes: a server-side cursor fetched 10,000 rows at a
// time in binary format; ~35% slower on the reference machine).
ReplayResult ReplayPostgres(const std::string& target, std::uint64_t events) {
  const char* method_env = std::getenv("CASETRAIL_BENCH_PG_REPLAY");
  const std::string method = method_env && *method_env ? method_env : "copy";
  Conn conn(target);
  const long backend_pid = std::stol(conn.Value("SELECT pg_backend_pid()"));
  const std::string select = kReplaySelect + std::to_string(events);
  ReplayResult res;
  const long open_hwm = SelfHwmKb();
  const bool reset = ResetSelfHwm();
  std::uint64_t sum = 0, n = 0;
  const double t0 = MonoSeconds();
  if (method == "copy") {
    PGresult* r = PQexec(conn.get(), ("COPY (" + select + ") TO STDOUT (FORMAT binary)").c_str());
    if (PQresultStatus(r) != PGRES_COPY_OUT) {
      std::string msg = PQresultErrorMessage(r);
      PQclear(r);
      throw BenchError("postgres replay: " + Trim(msg));
    }
    PQclear(r);
    char* buf = nullptr;
    int len;
    bool header = true;
    while ((len = PQgetCopyData(conn.get(), &buf, 0)) > 0) {
      const char* p = buf;
      const char* end = buf + len;
      if (header) {  // 11-byte signature, 4-byte flags, 4-byte extension length
        p += 19;
        header = false;
      }
      while (p + 2 <= end) {
        const int nfields = static_cast<std::int16_t>((static_cast<unsigned char>(p[0]) << 8) |
                                                      static_cast<unsigned char>(p[1]));
        p += 2;
        if (nfields < 0) break;  // trailer
        for (int f = 0; f < nfields && p + 4 <= end; ++f) {
          std::int32_t l = (static_cast<unsigned char>(p[0]) << 24) |
                           (static_cast<unsigned char>(p[1]) << 16) |
                           (static_cast<unsigned char>(p[2]) << 8) | static_cast<unsigned char>(p[3]);
          p += 4;
          if (l < 0) continue;
          if (f == 1) sum += static_cast<unsigned char>(p[l - 1]);   // stream
          if (f == 2) sum += BigEndian64(p);                       // version
          if (f == 3 || f == 5) sum += static_cast<std::uint64_t>(l);  // type, payload
          p += l;
        }
        ++n;
      }
      PQfreemem(buf);
    }
    if (len == -2) throw BenchError("postgres replay: " + Trim(PQerrorMessage(conn.get())));
    r = PQgetResult(conn.get());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      std::string msg = PQresultErrorMessage(r);
      PQclear(r);
      throw BenchError("postgres replay: " + Trim(msg));
    }
    PQclear(r);
    while ((r = PQgetResult(conn.get())) != nullptr) PQclear(r);
  } else {
    conn.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    conn.Exec("DECLARE replay NO SCROLL CURSOR FOR " + select);
    for (;;) {
      PGresult* r = PQexecParams(conn.get(), "FETCH 10000 FROM replay", 0, nullptr, nullptr,
                                 nullptr, nullptr, 1);
      if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        std::string msg = PQresultErrorMessage(r);
        PQclear(r);
        throw BenchError("postgres replay: " + Trim(msg));
      }
      const int rows = PQntuples(r);
      for (int i = 0; i < rows; ++i) {
        const int sl = PQgetlength(r, i, 1);
        sum += BigEndian64(PQgetvalue(r, i, 2)) + static_cast<std::uint64_t>(PQgetlength(r, i, 3)) +
               static_cast<unsigned char>(PQgetvalue(r, i, 1)[sl - 1]) +
               static_cast<std::uint64_t>(PQgetlength(r, i, 5));
      }
      PQclear(r);
      n += static_cast<std::uint64_t>(rows);
      if (rows == 0) break;
    }
    conn.Exec("COMMIT");
  }
  res.seconds = MonoSeconds() - t0;
  res.events = n;
  res.checksum = sum;
  const long scan_hwm = SelfHwmKb();
  res.client_hwm_kb = std::max(open_hwm, scan_hwm);
  if (reset) res.scan_hwm_kb = scan_hwm;
  res.server_hwm_kb = ProcHwmKb(backend_pid);
  return res;
}

}  // namespace bench
