// The event log over any storage backend: appends go to the sequencer (sequencer.hpp: validation
// on the caller's thread, then one thread that decides versions, positions, idempotency and the
// hash chain, and group commit); reads, checkpoints and snapshots go to storage directly, and
// Verify checks the storage (verify.hpp).
#include <algorithm>
#include <atomic>
#include <memory>

#include "engine/detail/codec.hpp"
#include "engine/detail/sequencer.hpp"
#include "engine/detail/storage.hpp"
#include "engine/detail/validation.hpp"
#include "engine/detail/verify.hpp"

namespace casetrail::detail {
namespace {

class SequencedLog final : public EventLog {
 public:
  SequencedLog(std::unique_ptr<Storage> storage, EventLogOptions options, std::uint64_t last)
      : storage_(std::move(storage)), options_(std::move(options)) {
    if (!options_.clock) options_.clock = SystemClockUs;
    sequencer_ = std::make_unique<Sequencer>(*storage_, options_, last);
  }
  ~SequencedLog() override { Close(); }

  void AppendAsync(AppendRequest request, AppendCallback done) override {
    sequencer_->Append(std::move(request), std::move(done));
  }

  Result<std::vector<RecordedEvent>> ReadStream(const std::string& stream,
                                                std::uint64_t from_version, Direction direction,
                                                std::size_t max_count) override {
    if (storage_closed_.load(std::memory_order_acquire)) return Closed();
    if (Status s = ValidateStreamId(stream, options_); !s.ok()) return s;
    auto meta = storage_->GetStreamMeta(stream);
    if (!meta.ok()) return meta.status();
    if (!meta->has_value()) return Status::NotFound("stream '" + stream + "' does not exist");
    std::vector<std::uint64_t> positions;
    Status s = storage_->ScanStream(stream, from_version, direction,
                                    [&](std::uint64_t, std::uint64_t pos) {
                                      positions.push_back(pos);
                                      return positions.size() < max_count;
                                    });
    if (!s.ok()) return s;
    std::vector<std::optional<std::string>> values;
    if (Status g = storage_->GetEvents(positions, &values); !g.ok()) return g;
    std::vector<RecordedEvent> out;
    out.reserve(positions.size());
    for (std::size_t i = 0; i < positions.size(); ++i) {
      const std::string where = "event at position " + std::to_string(positions[i]);
      if (!values[i]) return Status::Corruption(where + " is indexed but missing");
      EventView v;
      if (Status d = DecodeEvent(*values[i], &v); !d.ok()) {
        return Status::Corruption(where + ": " + d.message());
      }
      if (v.position != positions[i] || v.stream != stream) {
        return Status::Corruption("stream index of '" + stream + "' points at position " +
                                  std::to_string(positions[i]) + ", which holds position " +
                                  std::to_string(v.position) + " of '" + std::string(v.stream) +
                                  "'");
      }
      out.push_back(v.ToRecorded());
    }
    return out;
  }

  Status ReadAll(const ReadAllOptions& o, const EventVisitor& visit) override {
    if (storage_closed_.load(std::memory_order_acquire)) return Closed();
    const std::uint64_t head = sequencer_->Head();
    const std::uint64_t from = std::max<std::uint64_t>(o.from_position, 1);
    if (from > head || o.max_count == 0) return Status::Ok();
    std::uint64_t delivered = 0;
    std::uint64_t expected = from;
    Status inner;
    Status s = storage_->ScanEvents(from, head, [&](std::uint64_t pos, std::string_view bytes) {
      if (pos != expected) {
        inner = Status::Corruption("gap in the log: position " + std::to_string(expected) +
                                   " is missing");
        return false;
      }
      ++expected;
      EventView v;
      if (Status d = DecodeEvent(bytes, &v); !d.ok() || v.position != pos) {
        inner = Status::Corruption("event at position " + std::to_string(pos) + ": " +
                                   (d.ok() ? "stored position differs" : d.message()));
        return false;
      }
      if (!o.type_prefix.empty() && v.type.substr(0, o.type_prefix.size()) != o.type_prefix) {
        return true;
      }
      if (!o.stream_prefix.empty() &&
          v.stream.substr(0, o.stream_prefix.size()) != o.stream_prefix) {
        return true;
      }
      if (!visit(v)) return false;
      return ++delivered < o.max_count;
    });
    if (!s.ok()) return s;
    return inner;
  }

  Result<RecordedEvent> ReadPosition(std::uint64_t position) override {
    if (storage_closed_.load(std::memory_order_acquire)) return Closed();
    if (position == 0 || position > sequencer_->Head()) {
      return Status::NotFound("no event at position " + std::to_string(position));
    }
    auto bytes = storage_->GetEvent(position);
    if (!bytes.ok()) return bytes.status();
    if (!bytes->has_value()) {
      return Status::Corruption("position " + std::to_string(position) +
                                " is below the head but missing");
    }
    EventView v;
    if (Status d = DecodeEvent(**bytes, &v); !d.ok()) {
      return Status::Corruption("event at position " + std::to_string(position) + ": " +
                                d.message());
    }
    if (v.position != position) {
      return Status::Corruption("event at position " + std::to_string(position) +
                                " says it is at position " + std::to_string(v.position));
    }
    return v.ToRecorded();
  }

  Result<StreamInfo> GetStreamInfo(const std::string& stream) override {
    if (storage_closed_.load(std::memory_order_acquire)) return Closed();
    if (Status s = ValidateStreamId(stream, options_); !s.ok()) return s;
    auto meta = storage_->GetStreamMeta(stream);
    if (!meta.ok()) return meta.status();
    StreamInfo info;
    info.stream = stream;
    if (meta->has_value()) {
      info.last_version = (*meta)->last_version;
      info.last_position = (*meta)->last_position;
      info.head_hash = (*meta)->head_hash;
    }
    return info;
  }

  std::uint64_t HeadPosition() const override { return sequencer_->Head(); }

  std::uint64_t WaitForPosition(std::uint64_t position,
                                std::chrono::milliseconds timeout) override {
    return sequencer_->WaitForPosition(position, timeout);
  }

  Result<VerifyReport> Verify() override { return VerifyStorage(*storage_, sequencer_->Head()); }


  Status SetCheckpoint(const std::string& name, std::uint64_t position) override {
    if (storage_closed_.load(std::memory_order_acquire)) return Closed();
    if (Status s = ValidateName("checkpoint", name, options_.max_id_bytes); !s.ok()) return s;
    return storage_->PutCheckpoint(name, position);
  }

  Result<std::uint64_t> GetCheckpoint(const std::string& name) override {
    if (storage_closed_.load(std::memory_order_acquire)) return Closed();
    if (Status s = ValidateName("checkpoint", name, options_.max_id_bytes); !s.ok()) return s;
    auto r = storage_->GetCheckpoint(name);
    if (!r.ok()) return r.status();
    if (!r->has_value()) return Status::NotFound("no checkpoint named '" + name + "'");
    return **r;
  }

  Status PutSnapshot(const std::string& name, std::string_view value) override {
    if (storage_closed_.load(std::memory_order_acquire)) return Closed();
    if (Status s = ValidateName("snapshot", name, options_.max_stream_id_bytes + 64); !s.ok()) return s;
    if (value.size() > kMaxSnapshotBytes) {
      return Status::InvalidArgument("snapshot", "is " + std::to_string(value.size()) +
                                                     " bytes; the limit is " + std::to_string(kMaxSnapshotBytes));
    }
    return storage_->PutSnapshot(name, value);
  }

  Result<std::string> GetSnapshot(const std::string& name) override {
    if (storage_closed_.load(std::memory_order_acquire)) return Closed();
    if (Status s = ValidateName("snapshot", name, options_.max_stream_id_bytes + 64); !s.ok()) return s;
    auto r = storage_->GetSnapshot(name);
    if (!r.ok()) return r.status();
    if (!r->has_value()) return Status::NotFound("no snapshot named '" + name + "'");
    return std::move(**r);
  }

  Result<AppendResult> FindCommand(const std::string& command_id) override {
    if (storage_closed_.load(std::memory_order_acquire)) return Closed();
    if (Status s = ValidateName("command_id", command_id, options_.max_id_bytes); !s.ok()) return s;
    auto c = storage_->GetCommand(command_id);
    if (!c.ok()) return c.status();
    if (!c->has_value()) return Status::NotFound("command_id '" + command_id + "' was not recorded");
    return (*c)->Retried();
  }

  LogStats Stats() const override { return sequencer_->Stats(); }

  void Close() override {
    if (sequencer_->Close([this] {
          storage_closed_.store(true, std::memory_order_release);  // later reads and writes: Unavailable
        })) {
      storage_->Close();
    }
  }

 private:
  static Status Closed() { return Status::Unavailable("the event log is closed"); }

  std::unique_ptr<Storage> storage_;
  EventLogOptions options_;
  // Set when Close starts: a read or checkpoint after it answers Unavailable instead of touching
  // closed storage (Close must still not run concurrently with them).
  std::atomic<bool> storage_closed_{false};
  std::unique_ptr<Sequencer> sequencer_;  // after storage_ and options_, which it uses
};

}  // namespace

Result<std::unique_ptr<EventLog>> OpenEventLogOnStorage(std::unique_ptr<Storage> storage,
                                                        EventLogOptions options) {
  auto last = storage->LastPosition();
  if (!last.ok()) return last.status();
  return std::unique_ptr<EventLog>(
      std::make_unique<SequencedLog>(std::move(storage), std::move(options), *last));
}

}  // namespace casetrail::detail
