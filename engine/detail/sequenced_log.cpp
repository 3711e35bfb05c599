// The event log's rules, shared by every storage backend: validation on the caller's thread,
// then one sequencer thread that decides versions, positions, idempotency and the hash chain
// for a whole group of appends and commits them with one storage write (group commit).
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "engine/detail/codec.hpp"
#include "engine/detail/storage.hpp"
#include "engine/detail/validation.hpp"

namespace casetrail::detail {
namespace {

struct Pending {
  AppendRequest req;
  Hash256 digest{};
  std::vector<bool> generated_ids;  // event ids the store generated: new by construction
  AppendCallback done;
  Result<AppendResult> result = Status::IOError("not processed");
  bool writes = false;            // contributes events to the current batch
  bool depends_on_batch = false;  // its answer refers to events of the current batch
  std::size_t bytes = 0;
};

struct PendingEventId {
  std::uint64_t position;
  std::string stream;
  std::uint64_t version;
};

class SequencedLog final : public EventLog {
 public:
  SequencedLog(std::unique_ptr<Storage> storage, EventLogOptions options, std::uint64_t last)
      : storage_(std::move(storage)), options_(std::move(options)), next_position_(last + 1) {
    if (!options_.clock) options_.clock = SystemClockUs;
    head_.store(last);
    sequencer_ = std::thread([this] { Run(); });
  }
  ~SequencedLog() override { Close(); }

  void AppendAsync(AppendRequest request, AppendCallback done) override {
    auto p = std::make_unique<Pending>();
    const TimestampUs now = options_.clock();
    Status s = ValidateAndPrepare(&request, options_, now, &p->digest, &p->generated_ids);
    if (!s.ok()) {
      done(std::move(s));
      return;
    }
    p->bytes = ApproximateBytes(request);
    p->req = std::move(request);
    p->done = std::move(done);
    {
      std::lock_guard<std::mutex> lk(queue_mu_);
      if (closed_) {
        p->done(Status::Unavailable("the event log is closed"));
        return;
      }
      queue_.push_back(std::move(p));
    }
    queue_cv_.notify_one();
  }

  Result<std::vector<RecordedEvent>> ReadStream(const std::string& stream,
                                                std::uint64_t from_version, Direction direction,
                                                std::size_t max_count) override {
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
    std::vector<RecordedEvent> out;
    out.reserve(positions.size());
    for (std::uint64_t pos : positions) {
      auto ev = ReadPosition(pos);
      if (!ev.ok()) return ev.status();
      if (ev->stream != stream) {
        return Status::Corruption("stream index of '" + stream + "' points at position " +
                                  std::to_string(pos) + ", which belongs to '" + ev->stream + "'");
      }
      out.push_back(std::move(ev).value());
    }
    return out;
  }

  Status ReadAll(const ReadAllOptions& o, const EventVisitor& visit) override {
    const std::uint64_t head = head_.load(std::memory_order_acquire);
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
    if (position == 0 || position > head_.load(std::memory_order_acquire)) {
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

  std::uint64_t HeadPosition() const override { return head_.load(std::memory_order_acquire); }

  std::uint64_t WaitForPosition(std::uint64_t position,
                                std::chrono::milliseconds timeout) override {
    std::unique_lock<std::mutex> lk(head_mu_);
    head_cv_.wait_for(lk, timeout, [&] { return head_.load() > position || stopped_; });
    return head_.load();
  }

  Result<VerifyReport> Verify() override;

  Status SetCheckpoint(const std::string& name, std::uint64_t position) override {
    if (Status s = ValidateName("checkpoint", name, options_.max_id_bytes); !s.ok()) return s;
    return storage_->PutCheckpoint(name, position);
  }

  Result<std::uint64_t> GetCheckpoint(const std::string& name) override {
    if (Status s = ValidateName("checkpoint", name, options_.max_id_bytes); !s.ok()) return s;
    auto r = storage_->GetCheckpoint(name);
    if (!r.ok()) return r.status();
    if (!r->has_value()) return Status::NotFound("no checkpoint named '" + name + "'");
    return **r;
  }

  LogStats Stats() const override {
    std::lock_guard<std::mutex> lk(stats_mu_);
    return stats_;
  }

  void Close() override {
    {
      std::lock_guard<std::mutex> lk(queue_mu_);
      if (closed_) return;
      closed_ = true;
    }
    queue_cv_.notify_all();
    if (sequencer_.joinable()) sequencer_.join();
    {
      std::lock_guard<std::mutex> lk(head_mu_);
      stopped_ = true;
    }
    head_cv_.notify_all();
    storage_->Close();
  }

 private:
  static std::size_t ApproximateBytes(const AppendRequest& r) {
    std::size_t n = r.stream.size() + 256;
    for (const auto& e : r.events) n += e.payload.size() + 256;
    return n;
  }

  void Run() {
    std::vector<std::unique_ptr<Pending>> batch;
    for (;;) {
      {
        std::unique_lock<std::mutex> lk(queue_mu_);
        queue_cv_.wait(lk, [&] { return !queue_.empty() || closed_; });
        if (queue_.empty()) return;  // closed and drained
        std::size_t bytes = 0;
        while (!queue_.empty() && batch.size() < options_.max_batch_appends &&
               (batch.empty() || bytes + queue_.front()->bytes <= options_.max_batch_bytes)) {
          bytes += queue_.front()->bytes;
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      ProcessBatch(batch);
      batch.clear();
    }
  }

  void ProcessBatch(std::vector<std::unique_ptr<Pending>>& batch) {
    TimestampUs now = options_.clock();
    bool regressed = false;
    if (now < last_recorded_at_) {
      now = last_recorded_at_;  // recorded_at never goes backwards
      regressed = true;
    }
    commit_.Clear();
    overlay_.clear();
    pending_ids_.clear();
    pending_commands_.clear();
    std::uint64_t next = next_position_;
    for (auto& p : batch) p->result = Decide(*p, now, &next);
    for (auto& [stream, meta] : overlay_) commit_.stream_metas.emplace_back(stream, meta);

    Status s;
    if (!commit_.events.empty()) s = storage_->Commit(commit_, options_.durable);
    std::uint64_t events_written = 0;
    if (s.ok()) {
      events_written = commit_.events.size();
      for (auto& [stream, meta] : overlay_) CacheMeta(stream, meta);
      next_position_ = next;
      last_recorded_at_ = now;
      {
        std::lock_guard<std::mutex> lk(head_mu_);
        head_.store(next - 1, std::memory_order_release);
      }
      head_cv_.notify_all();
    } else {
      // Nothing of this batch is stored: the cache, positions and head stay as they were.
      for (auto& p : batch) {
        if (p->writes || p->depends_on_batch) p->result = s;
      }
    }
    {
      std::lock_guard<std::mutex> lk(stats_mu_);
      if (regressed) ++stats_.clock_regressions;
      if (events_written > 0) {
        ++stats_.commits;
        stats_.events += events_written;
        stats_.max_batch_events = std::max<std::uint64_t>(stats_.max_batch_events, events_written);
      }
      for (auto& p : batch) {
        if (p->result.ok()) {
          ++stats_.appends;
          if (p->result->duplicate) ++stats_.duplicates;
        } else if (p->result.status().IsConflict()) {
          ++stats_.conflicts;
        }
      }
    }
    for (auto& p : batch) p->done(std::move(p->result));
  }

  void CacheMeta(const std::string& stream, const StreamMeta& meta) {
    if (meta_cache_.size() >= kMaxCachedStreams) meta_cache_.clear();
    meta_cache_[stream] = meta;
  }

  Result<StreamMeta> LookupMeta(const std::string& stream) {
    if (auto it = overlay_.find(stream); it != overlay_.end()) return it->second;
    if (auto it = meta_cache_.find(stream); it != meta_cache_.end()) return it->second;
    auto m = storage_->GetStreamMeta(stream);
    if (!m.ok()) return m.status();
    StreamMeta meta = m->value_or(StreamMeta{});
    CacheMeta(stream, meta);
    return meta;
  }

  // Where is an event id already recorded (in this batch or in storage)?
  Result<std::optional<PendingEventId>> LookupEventId(const std::string& id, bool* in_batch) {
    *in_batch = false;
    if (auto it = pending_ids_.find(id); it != pending_ids_.end()) {
      *in_batch = true;
      return std::optional<PendingEventId>(it->second);
    }
    auto pos = storage_->GetEventIdPosition(id);
    if (!pos.ok()) return pos.status();
    if (!pos->has_value()) return std::optional<PendingEventId>();
    auto bytes = storage_->GetEvent(**pos);
    if (!bytes.ok()) return bytes.status();
    EventView v;
    if (!bytes->has_value() || !DecodeEvent(**bytes, &v).ok()) {
      return Status::Corruption("event id '" + id + "' points at unreadable position " +
                                std::to_string(**pos));
    }
    return std::optional<PendingEventId>(PendingEventId{**pos, std::string(v.stream), v.version});
  }

  Result<AppendResult> Decide(Pending& p, TimestampUs now, std::uint64_t* next) {
    AppendRequest& r = p.req;
    // 1. A retried command id answers with the original result.
    if (!r.command_id.empty()) {
      std::optional<CommandRecord> found;
      if (auto it = pending_commands_.find(r.command_id); it != pending_commands_.end()) {
        found = it->second;
        p.depends_on_batch = true;
      } else {
        auto c = storage_->GetCommand(r.command_id);
        if (!c.ok()) return c.status();
        found = *c;
      }
      if (found) {
        if (found->request_digest != p.digest) {
          return Status::Conflict("command_id '" + r.command_id +
                                  "' was already used for a different request (stream '" +
                                  found->stream + "', positions " +
                                  std::to_string(found->first_position) + ".." +
                                  std::to_string(found->last_position) + ")");
        }
        AppendResult res{found->stream,        found->first_position, found->last_position,
                         found->first_version, found->last_version,   found->recorded_at, true};
        return res;
      }
    }
    // 2. Client-supplied event ids already recorded: all of them is a retry, some is a conflict.
    std::size_t known = 0;
    AppendResult dup;
    dup.duplicate = true;
    for (std::size_t i = 0; i < r.events.size(); ++i) {
      if (p.generated_ids[i]) {
        if (known > 0) break;
        continue;
      }
      bool in_batch = false;
      auto f = LookupEventId(r.events[i].event_id, &in_batch);
      if (!f.ok()) return f.status();
      if (!f->has_value()) {
        if (known > 0) break;
        continue;
      }
      const PendingEventId& e = **f;
      if (known != i || e.stream != r.stream ||
          (i > 0 && (e.position != dup.last_position + 1 || e.version != dup.last_version + 1))) {
        return Status::Conflict("events[" + std::to_string(i) + "].event_id '" +
                                r.events[i].event_id + "' is already recorded at position " +
                                std::to_string(e.position) + " (stream '" + e.stream +
                                "', version " + std::to_string(e.version) +
                                ") by a different append");
      }
      if (i == 0) {
        dup.stream = e.stream;
        dup.first_position = e.position;
        dup.first_version = e.version;
      }
      dup.last_position = e.position;
      dup.last_version = e.version;
      p.depends_on_batch |= in_batch;
      ++known;
    }
    if (known == r.events.size()) {
      auto ev = known > 0 ? storage_->GetEvent(dup.first_position)
                          : Result<std::optional<std::string>>(std::nullopt);
      EventView v;
      if (ev.ok() && ev->has_value() && DecodeEvent(**ev, &v).ok()) dup.recorded_at = v.recorded_at;
      else dup.recorded_at = now;  // recorded in this very batch
      return dup;
    }
    if (known > 0) {
      return Status::Conflict("events[" + std::to_string(known) + "].event_id '" +
                              r.events[known].event_id +
                              "' is new but earlier events of this append are already recorded");
    }
    // 3. Optimistic concurrency.
    auto meta_r = LookupMeta(r.stream);
    if (!meta_r.ok()) return meta_r.status();
    StreamMeta meta = *meta_r;
    if (!r.expected.Matches(meta.last_version)) {
      Status c = Status::Conflict("stream '" + r.stream + "': expected version " +
                                  r.expected.ToString() + ", actual version " +
                                  std::to_string(meta.last_version));
      c.WithActualVersion(meta.last_version);
      return c;
    }
    // 4. Sequence, chain and encode.
    AppendResult res;
    res.stream = r.stream;
    res.first_position = *next;
    res.first_version = meta.last_version + 1;
    res.recorded_at = now;
    for (const EventData& e : r.events) {
      CommitBatch::Event out{*next, r.stream, meta.last_version + 1, {}};
      EncodeInput in{out.position,     out.version,      e.occurred_at,     now,
                     e.schema_version, r.stream,         e.type,            e.event_id,
                     r.command_id,     r.correlation_id, r.causation_id,    r.actor.user,
                     r.actor.role,     r.actor.team,     e.journey,         e.episode,
                     e.machine_fingerprint, e.from_state, e.to_state,       e.payload,
                     &meta.head_hash};
      out.encoded.reserve(128 + e.payload.size() + r.stream.size() + e.type.size());
      meta.head_hash = EncodeEvent(in, &out.encoded);
      meta.last_version = out.version;
      meta.last_position = out.position;
      commit_.event_ids.emplace_back(e.event_id, out.position);
      pending_ids_[e.event_id] = PendingEventId{out.position, r.stream, out.version};
      commit_.events.push_back(std::move(out));
      ++*next;
    }
    res.last_position = *next - 1;
    res.last_version = meta.last_version;
    overlay_[r.stream] = meta;
    if (!r.command_id.empty()) {
      CommandRecord c{r.stream,        res.first_position, res.last_position, res.first_version,
                      res.last_version, now,               p.digest};
      commit_.commands.emplace_back(r.command_id, c);
      pending_commands_[r.command_id] = c;
    }
    p.writes = true;
    return res;
  }

  static constexpr std::size_t kMaxCachedStreams = 1 << 20;

  std::unique_ptr<Storage> storage_;
  EventLogOptions options_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<std::unique_ptr<Pending>> queue_;
  bool closed_ = false;

  // Sequencer-thread state.
  std::uint64_t next_position_;
  TimestampUs last_recorded_at_ = 0;
  CommitBatch commit_;
  std::unordered_map<std::string, StreamMeta> overlay_;
  std::unordered_map<std::string, StreamMeta> meta_cache_;
  std::unordered_map<std::string, PendingEventId> pending_ids_;
  std::unordered_map<std::string, CommandRecord> pending_commands_;

  std::atomic<std::uint64_t> head_{0};
  std::mutex head_mu_;
  std::condition_variable head_cv_;
  bool stopped_ = false;

  mutable std::mutex stats_mu_;
  LogStats stats_;

  std::thread sequencer_;
};

// Mixes (version, position) into a per-stream fingerprint so that the stream index can be
// checked against the events with one sequential scan of each and O(streams) memory.
std::uint64_t MixIndexEntry(std::uint64_t version, std::uint64_t position) {
  std::uint64_t x = version * 0x9E3779B97F4A7C15ull ^ (position + 0x632BE59BD9B4E019ull);
  x ^= x >> 31;
  x *= 0xD6E8FEB86659FD93ull;
  x ^= x >> 32;
  return x;
}

Result<VerifyReport> SequencedLog::Verify() {
  struct Chain {
    std::uint64_t version = 0;
    std::uint64_t position = 0;
    Hash256 hash{};
    std::uint64_t index_fingerprint = 0;
    bool seen_in_meta = false;
  };
  VerifyReport rep;
  rep.head_position = head_.load(std::memory_order_acquire);
  std::unordered_map<std::string, Chain> chains;
  auto fail = [&rep](std::string_view stream, std::uint64_t version, std::uint64_t position,
                     std::string reason) {
    if (!rep.ok) return;
    rep.ok = false;
    rep.broken_stream.assign(stream);
    rep.broken_version = version;
    rep.broken_position = position;
    rep.reason = std::move(reason);
  };
  // Pass 1: every event in position order: present, readable, chained, hashed.
  std::uint64_t expected = 1;
  Status s = storage_->ScanEvents(1, UINT64_MAX, [&](std::uint64_t pos, std::string_view bytes) {
    if (pos != expected) {
      fail("", 0, expected, "position " + std::to_string(expected) + " is missing (gap)");
      return false;
    }
    ++expected;
    ++rep.events_checked;
    EventView v;
    if (Status d = DecodeEvent(bytes, &v); !d.ok()) {
      fail("", 0, pos, "unreadable event: " + d.message());
      return false;
    }
    if (v.position != pos) {
      fail(v.stream, v.version, pos, "event records position " + std::to_string(v.position));
      return false;
    }
    Chain& c = chains[std::string(v.stream)];
    if (v.version != c.version + 1) {
      fail(v.stream, v.version, pos,
           "version " + std::to_string(v.version) + " follows version " +
               std::to_string(c.version));
      return false;
    }
    if (std::memcmp(v.prev_hash, c.hash.data(), kHashBytes) != 0) {
      fail(v.stream, v.version, pos, "prev_hash does not match the hash of the previous event");
      return false;
    }
    if (!HashMatches(bytes)) {
      fail(v.stream, v.version, pos, "hash does not match the event's contents");
      return false;
    }
    c.version = v.version;
    c.position = pos;
    std::memcpy(c.hash.data(), v.hash, kHashBytes);
    c.index_fingerprint ^= MixIndexEntry(v.version, pos);
    return true;
  });
  if (!s.ok()) return s;
  if (rep.ok && expected - 1 != rep.head_position && expected - 1 < rep.head_position) {
    fail("", 0, expected, "log ends at position " + std::to_string(expected - 1) +
                              " but the head is " + std::to_string(rep.head_position));
  }
  rep.streams_checked = chains.size();
  if (!rep.ok) return rep;
  // Pass 2: the stream index holds exactly the (version, position) pairs of the events.
  std::unordered_map<std::string, std::uint64_t> index_fp;
  s = storage_->ScanStreamIndex([&](std::string_view stream, std::uint64_t ver, std::uint64_t pos) {
    index_fp[std::string(stream)] ^= MixIndexEntry(ver, pos);
    return true;
  });
  if (!s.ok()) return s;
  for (auto& [stream, fp] : index_fp) {
    auto it = chains.find(stream);
    if (it == chains.end() || it->second.index_fingerprint != fp) {
      fail(stream, 0, 0, "stream index does not match the events of the stream");
      return rep;
    }
  }
  if (index_fp.size() != chains.size()) {
    for (auto& [stream, c] : chains) {
      if (!index_fp.count(stream)) {
        fail(stream, c.version, c.position, "stream has events but no index entries");
        return rep;
      }
    }
  }
  // Pass 3: stream metadata (last version, last position, chain head) matches the events.
  s = storage_->ScanStreamMetas([&](std::string_view stream, const StreamMeta& m) {
    auto it = chains.find(std::string(stream));
    if (it == chains.end()) {
      fail(stream, m.last_version, m.last_position, "stream metadata for a stream with no events");
      return false;
    }
    Chain& c = it->second;
    c.seen_in_meta = true;
    if (m.last_version != c.version || m.last_position != c.position || m.head_hash != c.hash) {
      fail(stream, c.version, c.position,
           "stream metadata (last version " + std::to_string(m.last_version) +
               ") disagrees with the events (last version " + std::to_string(c.version) + ")");
      return false;
    }
    return true;
  });
  if (!s.ok()) return s;
  if (rep.ok) {
    for (auto& [stream, c] : chains) {
      if (!c.seen_in_meta) {
        fail(stream, c.version, c.position, "stream has events but no metadata");
        break;
      }
    }
  }
  return rep;
}

}  // namespace

Result<std::unique_ptr<EventLog>> OpenEventLogOnStorage(std::unique_ptr<Storage> storage,
                                                        EventLogOptions options) {
  auto last = storage->LastPosition();
  if (!last.ok()) return last.status();
  return std::unique_ptr<EventLog>(
      std::make_unique<SequencedLog>(std::move(storage), std::move(options), *last));
}

}  // namespace casetrail::detail
