// In-memory Storage: the same contract as RocksDB, kept in ordered maps under one lock.
#include <map>
#include <mutex>
#include <shared_mutex>

#include "engine/detail/storage.hpp"

namespace casetrail::detail {
namespace {

class MemoryStorage final : public Storage {
 public:
  Status Commit(const CommitBatch& b, bool /*sync*/) override {
    std::unique_lock lk(mu_);
    for (const auto& e : b.events) {
      events_.push_back(e.encoded);
      streams_[e.stream][e.version] = e.position;
    }
    for (const auto& [s, m] : b.stream_metas) metas_[s] = m;
    for (const auto& [id, pos] : b.event_ids) event_ids_[id] = pos;
    for (const auto& [id, c] : b.commands) commands_[id] = c;
    return Status::Ok();
  }

  Result<std::uint64_t> LastPosition() override {
    std::shared_lock lk(mu_);
    return static_cast<std::uint64_t>(events_.size());
  }

  Result<std::optional<StreamMeta>> GetStreamMeta(const std::string& stream) override {
    return Find(metas_, stream);
  }
  Result<std::optional<std::uint64_t>> GetEventIdPosition(const std::string& id) override {
    return Find(event_ids_, id);
  }
  Result<std::optional<CommandRecord>> GetCommand(const std::string& id) override {
    return Find(commands_, id);
  }
  Result<std::optional<std::string>> GetEvent(std::uint64_t position) override {
    std::shared_lock lk(mu_);
    if (position == 0 || position > events_.size()) return std::optional<std::string>();
    return std::optional<std::string>(events_[position - 1]);
  }

  Status GetEvents(const std::vector<std::uint64_t>& positions,
                   std::vector<std::optional<std::string>>* out) override {
    std::shared_lock lk(mu_);
    out->clear();
    for (auto p : positions) {
      if (p == 0 || p > events_.size()) out->emplace_back();
      else out->emplace_back(events_[p - 1]);
    }
    return Status::Ok();
  }

  Status ScanEvents(std::uint64_t from, std::uint64_t to,
                    const std::function<bool(std::uint64_t, std::string_view)>& fn) override {
    // Copy in chunks so that the visitor runs without the lock (it may append).
    std::vector<std::string> chunk;
    for (std::uint64_t pos = std::max<std::uint64_t>(from, 1);;) {
      chunk.clear();
      {
        std::shared_lock lk(mu_);
        const std::uint64_t last = std::min<std::uint64_t>(to, events_.size());
        for (std::uint64_t p = pos; p <= last && chunk.size() < 1024; ++p) {
          chunk.push_back(events_[p - 1]);
        }
      }
      if (chunk.empty()) return Status::Ok();
      for (const auto& bytes : chunk) {
        if (!fn(pos++, bytes)) return Status::Ok();
      }
    }
  }

  Status ScanStream(const std::string& stream, std::uint64_t from_version, Direction dir,
                    const std::function<bool(std::uint64_t, std::uint64_t)>& fn) override {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> entries;
    {
      std::shared_lock lk(mu_);
      auto it = streams_.find(stream);
      if (it == streams_.end()) return Status::Ok();
      const auto& m = it->second;
      if (dir == Direction::kForward) {
        for (auto e = m.lower_bound(from_version); e != m.end(); ++e) entries.push_back(*e);
      } else {
        for (auto e = m.upper_bound(from_version); e != m.begin();) {
          --e;
          entries.push_back(*e);
        }
      }
    }
    for (auto& [v, p] : entries) {
      if (!fn(v, p)) break;
    }
    return Status::Ok();
  }

  Status ScanStreamIndex(
      const std::function<bool(std::string_view, std::uint64_t, std::uint64_t)>& fn) override {
    std::shared_lock lk(mu_);
    for (const auto& [s, m] : streams_) {
      for (const auto& [v, p] : m) {
        if (!fn(s, v, p)) return Status::Ok();
      }
    }
    return Status::Ok();
  }

  Status ScanStreamMetas(
      const std::function<bool(std::string_view, const StreamMeta&)>& fn) override {
    std::shared_lock lk(mu_);
    for (const auto& [s, m] : metas_) {
      if (!fn(s, m)) break;
    }
    return Status::Ok();
  }

  Status PutCheckpoint(const std::string& name, std::uint64_t position) override {
    std::unique_lock lk(mu_);
    checkpoints_[name] = position;
    return Status::Ok();
  }
  Result<std::optional<std::uint64_t>> GetCheckpoint(const std::string& name) override {
    return Find(checkpoints_, name);
  }

  Status PutSnapshot(const std::string& name, std::string_view value) override {
    std::unique_lock lk(mu_);
    snapshots_[name] = std::string(value);
    return Status::Ok();
  }
  Result<std::optional<std::string>> GetSnapshot(const std::string& name) override {
    return Find(snapshots_, name);
  }

  void Close() override {}

 private:
  template <typename Map>
  std::optional<typename Map::mapped_type> Find(const Map& m, const std::string& key) {
    std::shared_lock lk(mu_);
    auto it = m.find(key);
    if (it == m.end()) return std::nullopt;
    return it->second;
  }

  std::shared_mutex mu_;
  std::vector<std::string> events_;  // position p at index p-1
  std::map<std::string, std::map<std::uint64_t, std::uint64_t>> streams_;
  std::map<std::string, StreamMeta> metas_;
  std::map<std::string, std::uint64_t> event_ids_;
  std::map<std::string, CommandRecord> commands_;
  std::map<std::string, std::uint64_t> checkpoints_;
  std::map<std::string, std::string> snapshots_;
};

}  // namespace

std::unique_ptr<Storage> NewMemoryStorage() { return std::make_unique<MemoryStorage>(); }

}  // namespace casetrail::detail
