// SQLite peer: one database file, WAL mode. Durable rows: synchronous=FULL (the WAL is synced at
// every commit). Non-durable bulk rows: synchronous=NORMAL (WAL mode's "a power loss may lose the
// last commits"). SQLite allows one writer at a time: every writer thread has its own connection
// (busy_timeout 30 s as a safety net) and the writers of this process take a mutex around each
// write transaction, which is how an application serialises them without busy-wait back-off.
#include <sqlite3.h>

#include <filesystem>
#include <mutex>

#include "bench_common.hpp"

namespace bench {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS events (
  position    INTEGER PRIMARY KEY,
  stream      TEXT    NOT NULL,
  version     INTEGER NOT NULL,
  type        TEXT    NOT NULL,
  event_id    TEXT    NOT NULL UNIQUE,
  payload     TEXT    NOT NULL CHECK (json_valid(payload)),
  occurred_at INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL,
  UNIQUE (stream, version)
))sql";

// The optimistic concurrency check is part of the insert, as for PostgreSQL.
constexpr const char* kAppendOne = R"sql(
INSERT INTO events (stream, version, type, event_id, payload, occurred_at, recorded_at)
SELECT ?1, ?2 + 1, ?3, ?4, ?5, ?6, ?7
WHERE (SELECT coalesce(max(version), 0) FROM events WHERE stream = ?1) = ?2)sql";

constexpr const char* kLastVersion = "SELECT coalesce(max(version), 0) FROM events WHERE stream = ?1";
constexpr const char* kInsert = R"sql(
INSERT INTO events (stream, version, type, event_id, payload, occurred_at, recorded_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7))sql";

constexpr const char* kReadStream = R"sql(
SELECT position, stream, version, type, event_id, payload, occurred_at, recorded_at
FROM events WHERE stream = ?1 ORDER BY version)sql";

class Db {
 public:
  Db(const std::string& path, int flags) {
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw BenchError("sqlite: cannot open " + path + ": " + msg);
    }
    sqlite3_busy_timeout(db_, 30000);
  }
  ~Db() {
    for (auto* s : stmts_) sqlite3_finalize(s);
    if (db_) sqlite3_close(db_);
  }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* get() { return db_; }

  void Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "?";
      sqlite3_free(err);
      throw BenchError("sqlite: " + sql.substr(0, 60) + ": " + msg);
    }
  }

  sqlite3_stmt* Prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) {
      throw BenchError(std::string("sqlite: prepare: ") + sqlite3_errmsg(db_));
    }
    stmts_.push_back(s);
    return s;
  }

  [[noreturn]] void Fail(const std::string& what) {
    throw BenchError("sqlite: " + what + ": " + sqlite3_errmsg(db_));
  }

 private:
  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> stmts_;
};

void BindText(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
}

class SqliteWriter final : public Writer {
 public:
  SqliteWriter(const std::string& path, bool durable, std::mutex* write_mu)
      : db_(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX), mu_(write_mu) {
    db_.Exec(durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    one_ = db_.Prepare(kAppendOne);
    last_ = db_.Prepare(kLastVersion);
    insert_ = db_.Prepare(kInsert);
    begin_ = db_.Prepare("BEGIN IMMEDIATE");
    commit_ = db_.Prepare("COMMIT");
    rollback_ = db_.Prepare("ROLLBACK");
  }

  void Append(const std::string& stream, std::uint64_t expected,
              const std::vector<NewEvent>& events) override {
    ids_.clear();
    for (std::size_t i = 0; i < events.size(); ++i) ids_.push_back(NewUuid());
    const auto expected64 = static_cast<sqlite3_int64>(expected);
    std::lock_guard<std::mutex> lk(*mu_);
    const sqlite3_int64 now = NowUs();
    if (events.size() == 1) {
      sqlite3_stmt* s = one_;
      BindText(s, 1, stream);
      sqlite3_bind_int64(s, 2, expected64);
      BindText(s, 3, events[0].type);
      BindText(s, 4, ids_[0]);
      BindText(s, 5, events[0].payload);
      sqlite3_bind_int64(s, 6, events[0].occurred_at);
      sqlite3_bind_int64(s, 7, now);
      const int rc = sqlite3_step(s);
      sqlite3_reset(s);
      if (rc != SQLITE_DONE) db_.Fail("append to '" + stream + "'");
      if (sqlite3_changes(db_.get()) != 1) {
        throw BenchError("sqlite append to '" + stream + "': concurrency check failed");
      }
      return;
    }
    Step(begin_, "begin");
    try {
      BindText(last_, 1, stream);
      if (sqlite3_step(last_) != SQLITE_ROW) db_.Fail("last version");
      const sqlite3_int64 actual = sqlite3_column_int64(last_, 0);
      sqlite3_reset(last_);
      if (actual != expected64) {
        throw BenchError("sqlite append to '" + stream + "': concurrency check failed");
      }
      for (std::size_t i = 0; i < events.size(); ++i) {
        BindText(insert_, 1, stream);
        sqlite3_bind_int64(insert_, 2, expected64 + static_cast<sqlite3_int64>(i) + 1);
        BindText(insert_, 3, events[i].type);
        BindText(insert_, 4, ids_[i]);
        BindText(insert_, 5, events[i].payload);
        sqlite3_bind_int64(insert_, 6, events[i].occurred_at);
        sqlite3_bind_int64(insert_, 7, now);
        Step(insert_, "insert");
      }
      Step(commit_, "commit");
    } catch (...) {
      sqlite3_step(rollback_);
      sqlite3_reset(rollback_);
      throw;
    }
  }

 private:
  void Step(sqlite3_stmt* s, const char* what) {
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) db_.Fail(what);
  }

  Db db_;
  std::mutex* mu_;
  sqlite3_stmt* one_;
  sqlite3_stmt* last_;
  sqlite3_stmt* insert_;
  sqlite3_stmt* begin_;
  sqlite3_stmt* commit_;
  sqlite3_stmt* rollback_;
  std::vector<std::string> ids_;
};

class SqliteReader final : public Reader {
 public:
  explicit SqliteReader(const std::string& path)
      : db_(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX) {
    read_ = db_.Prepare(kReadStream);
  }
  std::uint64_t ReadStream(const std::string& stream) override {
    BindText(read_, 1, stream);
    std::uint64_t n = 0, sum = 0;
    int rc;
    while ((rc = sqlite3_step(read_)) == SQLITE_ROW) {
      sum += static_cast<std::uint64_t>(sqlite3_column_int64(read_, 2)) +
             static_cast<std::uint64_t>(sqlite3_column_bytes(read_, 3)) +
             static_cast<std::uint64_t>(sqlite3_column_bytes(read_, 5));
      ++n;
    }
    sqlite3_reset(read_);
    if (rc != SQLITE_DONE) db_.Fail("read of '" + stream + "'");
    sink_ += sum;
    return n;
  }

 private:
  Db db_;
  sqlite3_stmt* read_;
  std::uint64_t sink_ = 0;
};

class SqliteSystem final : public System {
 public:
  explicit SqliteSystem(std::string dir) : dir_(std::move(dir)), path_(dir_ + "/events.db") {}
  ~SqliteSystem() override { Stop(); }

  std::string Name() const override { return "sqlite"; }
  std::string Title() const override { return "SQLite"; }

  void Start() override {
    RemoveTree(dir_);
    std::filesystem::create_directories(dir_);
    main_ = std::make_unique<Db>(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
    main_->Exec("PRAGMA journal_mode=WAL");
    main_->Exec("PRAGMA synchronous=FULL");
    main_->Exec(kSchema);
  }

  void Stop() override {
    main_.reset();
    if (!keep_data) RemoveTree(dir_);
  }

  std::string Describe() override {
    return std::string("SQLite ") + sqlite3_libversion() +
           " (one file, journal_mode=WAL, durable rows synchronous=FULL, bulk rows "
           "synchronous=NORMAL; writers serialised by a mutex, one connection each)";
  }

  std::unique_ptr<Writer> NewWriter(bool durable) override {
    return std::make_unique<SqliteWriter>(path_, durable, &write_mu_);
  }
  std::unique_ptr<Reader> NewReader() override { return std::make_unique<SqliteReader>(path_); }
  std::string ReplayTarget() const override { return path_; }

 private:
  std::string dir_, path_;
  std::unique_ptr<Db> main_;
  std::mutex write_mu_;
};

}  // namespace

std::unique_ptr<System> MakeSqlite(const std::string& dir) {
  return std::make_unique<SqliteSystem>(dir);
}

ReplayResult ReplaySqlite(const std::string& target, std::uint64_t events) {
  Db db(target, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
  sqlite3_stmt* s = db.Prepare(
      "SELECT position, stream, version, type, event_id, payload, occurred_at, recorded_at "
      "FROM events ORDER BY position LIMIT ?1");
  sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(events));
  ReplayResult res;
  const long open_hwm = SelfHwmKb();
  const bool reset = ResetSelfHwm();
  std::uint64_t n = 0, sum = 0;
  const double t0 = MonoSeconds();
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const int sl = sqlite3_column_bytes(s, 1);
    const auto* st = sqlite3_column_text(s, 1);
    sum += static_cast<std::uint64_t>(sqlite3_column_int64(s, 2)) +
           static_cast<std::uint64_t>(sqlite3_column_bytes(s, 3)) + st[sl - 1] +
           static_cast<std::uint64_t>(sqlite3_column_bytes(s, 5));
    ++n;
  }
  res.seconds = MonoSeconds() - t0;
  if (rc != SQLITE_DONE) db.Fail("replay");
  res.events = n;
  res.checksum = sum;
  const long scan_hwm = SelfHwmKb();
  res.client_hwm_kb = std::max(open_hwm, scan_hwm);
  if (reset) res.scan_hwm_kb = scan_hwm;
  return res;
}

}  // namespace bench
