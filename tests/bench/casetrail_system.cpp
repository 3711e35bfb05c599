// casetrail under test: the RocksDB event log through its public API only.
#include <filesystem>

#include "bench_common.hpp"
#include "engine/event_log.hpp"

namespace bench {
namespace {

using casetrail::EventLog;

class CasetrailWriter final : public Writer {
 public:
  explicit CasetrailWriter(EventLog* log) : log_(log) {}

  void Append(const std::string& stream, std::uint64_t expected,
              const std::vector<NewEvent>& events) override {
    casetrail::AppendRequest req;
    req.stream = stream;
    req.expected = expected == 0 ? casetrail::ExpectedVersion::NoStream()
                                 : casetrail::ExpectedVersion::Exact(expected);
    req.actor = {"sw-0042", "social_worker", "north-east-duty"};
    req.events.reserve(events.size());
    for (const NewEvent& e : events) {
      casetrail::EventData& d = req.events.emplace_back();
      d.type = e.type;
      d.occurred_at = e.occurred_at;
      d.payload = e.payload;  // event_id left empty: the store generates it
    }
    auto r = log_->Append(std::move(req));
    if (!r.ok()) throw BenchError("casetrail append to '" + stream + "': " + r.status().ToString());
    if (r->first_version != expected + 1 || r->last_version != expected + events.size()) {
      throw BenchError("casetrail append to '" + stream + "' got unexpected versions");
    }
  }

 private:
  EventLog* log_;
};

class CasetrailReader final : public Reader {
 public:
  explicit CasetrailReader(EventLog* log) : log_(log) {}
  std::uint64_t ReadStream(const std::string& stream) override {
    auto r = log_->ReadStream(stream, 1, casetrail::Direction::kForward, 100000);
    if (!r.ok()) throw BenchError("casetrail read of '" + stream + "': " + r.status().ToString());
    std::uint64_t sum = 0;
    for (const auto& e : *r) sum += e.version + e.type.size() + e.payload.size();
    sink_ += sum;
    return r->size();
  }

 private:
  EventLog* log_;
  std::uint64_t sink_ = 0;
};

class CasetrailSystem final : public System {
 public:
  explicit CasetrailSystem(std::string dir) : dir_(std::move(dir)) {}
  ~CasetrailSystem() override { Stop(); }

  std::string Name() const override { return "casetrail"; }
  std::string Title() const override { return "casetrail"; }

  void Start() override {
    RemoveTree(dir_);  // left behind by an interrupted run
    Open(true);
  }

  void Stop() override {
    if (log_) log_->Close();
    log_.reset();
    if (!keep_data) RemoveTree(dir_);
  }

  std::string Describe() override {
    return "casetrail RocksDB event log (engine defaults; durable rows: WAL fsync per group "
           "commit; bulk rows: EventLogOptions::durable=false)";
  }

  std::unique_ptr<Writer> NewWriter(bool durable) override {
    SetDurable(durable);
    return std::make_unique<CasetrailWriter>(log_.get());
  }
  std::unique_ptr<Reader> NewReader() override {
    if (!log_) Open(durable_);
    return std::make_unique<CasetrailReader>(log_.get());
  }

  void SetDurable(bool durable) override {
    if (!log_ || durable != durable_) Open(durable);
  }

  std::optional<std::uint64_t> SyncCounter() override {
    if (!log_) return std::nullopt;
    return log_->Stats().commits;
  }
  std::string SyncCounterName() const override { return "group commit"; }

  void PrepareReplay() override {
    if (log_) log_->Close();
    log_.reset();
  }
  std::string ReplayTarget() const override { return dir_; }

 private:
  void Open(bool durable) {
    if (log_) log_->Close();
    log_.reset();
    casetrail::EventLogOptions o;
    o.durable = durable;
    auto r = casetrail::OpenRocksEventLog(dir_, o);
    if (!r.ok()) throw BenchError("cannot open the casetrail log in '" + dir_ + "': " + r.status().ToString());
    log_ = std::move(r).value();
    durable_ = durable;
  }

  std::string dir_;
  std::unique_ptr<EventLog> log_;
  bool durable_ = true;
};

}  // namespace

std::unique_ptr<System> MakeCasetrail(const std::string& dir) {
  return std::make_unique<CasetrailSystem>(dir);
}

ReplayResult ReplayCasetrail(const std::string& target, std::uint64_t events) {
  auto r = casetrail::OpenRocksEventLog(target, {});
  if (!r.ok()) throw BenchError("replay: cannot open '" + target + "': " + r.status().ToString());
  auto log = std::move(r).value();
  if (log->HeadPosition() < events) {
    throw BenchError("replay: the casetrail log holds " + std::to_string(log->HeadPosition()) +
                     " events, fewer than " + std::to_string(events));
  }
  ReplayResult res;
  const long open_hwm = SelfHwmKb();  // opening replays the RocksDB WAL into memtables
  const bool reset = ResetSelfHwm();
  casetrail::ReadAllOptions o;
  o.max_count = events;
  std::uint64_t sum = 0, n = 0;
  const double t0 = MonoSeconds();
  casetrail::Status s = log->ReadAll(o, [&](const casetrail::EventView& v) {
    sum += v.version + v.type.size() + static_cast<unsigned char>(v.stream.back()) +
           v.payload.size();
    ++n;
    return true;
  });
  res.seconds = MonoSeconds() - t0;
  if (!s.ok()) throw BenchError("replay: " + s.ToString());
  res.events = n;
  res.checksum = sum;
  const long scan_hwm = SelfHwmKb();
  res.client_hwm_kb = std::max(open_hwm, scan_hwm);
  if (reset) res.scan_hwm_kb = scan_hwm;
  log->Close();
  return res;
}

}  // namespace bench
