// Storage: what the sequencer needs from a backend (RocksDB or memory).
//
// The sequencer (sequencer.cpp) owns all the rules: validation, versions, positions,
// idempotency and the hash chain. A Storage only persists a CommitBatch atomically and answers
// point lookups and ordered scans. Commit is only ever called from the sequencer thread; reads
// may come from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/detail/codec.hpp"
#include "engine/event_log.hpp"

namespace casetrail::detail {

struct CommitBatch {
  struct Event {
    std::uint64_t position;
    std::string stream;
    std::uint64_t version;
    std::string encoded;
  };
  std::vector<Event> events;
  std::vector<std::pair<std::string, StreamMeta>> stream_metas;
  std::vector<std::pair<std::string, std::uint64_t>> event_ids;   // event id -> position
  std::vector<std::pair<std::string, CommandRecord>> commands;    // command id -> record
  void Clear() {
    events.clear();
    stream_metas.clear();
    event_ids.clear();
    commands.clear();
  }
};

class Storage {
 public:
  virtual ~Storage() = default;

  // Persists the whole batch atomically; with sync, durably (fsync) before returning.
  virtual Status Commit(const CommitBatch& batch, bool sync) = 0;

  // Highest position stored (0 if none). Called once at open.
  virtual Result<std::uint64_t> LastPosition() = 0;

  virtual Result<std::optional<StreamMeta>> GetStreamMeta(const std::string& stream) = 0;
  virtual Result<std::optional<std::uint64_t>> GetEventIdPosition(const std::string& id) = 0;
  virtual Result<std::optional<CommandRecord>> GetCommand(const std::string& id) = 0;
  virtual Result<std::optional<std::string>> GetEvent(std::uint64_t position) = 0;
  // Many events at once (RocksDB MultiGet); (*out)[i] answers positions[i].
  virtual Status GetEvents(const std::vector<std::uint64_t>& positions,
                           std::vector<std::optional<std::string>>* out) = 0;

  // Visits stored events with from <= position <= to, ascending; stop when fn returns false.
  virtual Status ScanEvents(std::uint64_t from, std::uint64_t to,
                            const std::function<bool(std::uint64_t, std::string_view)>& fn) = 0;
  // Visits (version, position) of one stream from `from_version`, in the given direction.
  virtual Status ScanStream(const std::string& stream, std::uint64_t from_version,
                            Direction direction,
                            const std::function<bool(std::uint64_t, std::uint64_t)>& fn) = 0;
  // Visits every stream index entry, grouped by stream.
  virtual Status ScanStreamIndex(
      const std::function<bool(std::string_view, std::uint64_t, std::uint64_t)>& fn) = 0;
  virtual Status ScanStreamMetas(
      const std::function<bool(std::string_view, const StreamMeta&)>& fn) = 0;

  virtual Status PutCheckpoint(const std::string& name, std::uint64_t position) = 0;
  virtual Result<std::optional<std::uint64_t>> GetCheckpoint(const std::string& name) = 0;
  // Derived state kept beside the log (the `projections` column family); written without sync.
  virtual Status PutSnapshot(const std::string& name, std::string_view value) = 0;
  virtual Result<std::optional<std::string>> GetSnapshot(const std::string& name) = 0;

  virtual void Close() = 0;
};

std::unique_ptr<Storage> NewMemoryStorage();
Result<std::unique_ptr<Storage>> OpenRocksStorage(const std::string& path, bool durable);

// The shared log implementation over any storage. Tests use it with fault-injecting storage.
Result<std::unique_ptr<EventLog>> OpenEventLogOnStorage(std::unique_ptr<Storage> storage,
                                                        EventLogOptions options);

}  // namespace casetrail::detail
