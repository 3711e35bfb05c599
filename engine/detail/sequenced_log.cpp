// The event log's rules, shared by every storage backend: validation on the caller's thread,
// then one sequencer thread that decides versions, positions, idempotency and the hash chain
// for a whole group of appends and commits them with one storage write (group commit).
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <future>
#include <map>
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
  TimestampUs submitted_at = 0;  // the clock at AppendAsync (EventLogOptions::recorded_at_submission)
  Result<AppendResult> result = Status::IOError("not processed");
  bool writes = false;            // contributes events to the current batch
  bool depends_on_inflight = false;  // its answer refers to events not yet committed
  std::size_t bytes = 0;
};

struct PendingEventId {
  std::uint64_t position;
  std::string stream;
  std::uint64_t version;
  TimestampUs recorded_at;
};

class SequencedLog final : public EventLog {
 public:
  SequencedLog(std::unique_ptr<Storage> storage, EventLogOptions options, std::uint64_t last)
      : storage_(std::move(storage)), options_(std::move(options)), next_position_(last + 1) {
    if (!options_.clock) options_.clock = SystemClockUs;
    head_.store(last);
    sequencer_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "ct-sequencer");
      Run();
    });
    committer_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "ct-committer");
      CommitLoop();
    });
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
    p->submitted_at = now;
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
    if (storage_closed_.load(std::memory_order_acquire)) return Closed();
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

  std::uint64_t HeadPosition() const override { return head_.load(std::memory_order_acquire); }

  std::uint64_t WaitForPosition(std::uint64_t position,
                                std::chrono::milliseconds timeout) override {
    std::unique_lock<std::mutex> lk(head_mu_);
    head_cv_.wait_for(lk, timeout, [&] { return head_.load() > position || stopped_; });
    return head_.load();
  }

  Result<VerifyReport> Verify() override;
  Status LocateIndexDamage(
      const std::string& stream, std::uint64_t last_version, std::uint64_t head,
      const std::function<void(std::string_view, std::uint64_t, std::uint64_t, std::string)>& fail);

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
    const CommandRecord& r = **c;
    return AppendResult{r.stream,         r.first_position, r.last_position, r.first_version,
                        r.last_version,   r.recorded_at,    true};
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
    storage_closed_.store(true, std::memory_order_release);  // later reads and writes: Unavailable
    queue_cv_.notify_all();
    if (sequencer_.joinable()) sequencer_.join();
    if (committer_.joinable()) committer_.join();
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

  // ---- sequencer thread ----------------------------------------------------------------------
  //
  // Decides and encodes batch N+1 while the committer thread writes (and fsyncs) batch N, so a
  // durable cycle costs max(CPU, fsync) rather than their sum, and waking the callers is off
  // the sequencer's path. Its view of streams (meta_cache_) and ids (inflight_*) runs ahead of
  // storage by the batches in flight; after a failed write it waits for the committer to drain
  // and rebuilds that view from storage.
  void Run() {
    std::vector<std::unique_ptr<Pending>> items;
    for (;;) {
      {
        std::unique_lock<std::mutex> lk(queue_mu_);
        // While a batch is being written, start the next one only once at least as many
        // appends are waiting as that batch holds: sequencing early would split the writers
        // into smaller groups and cost more fsyncs than the overlap saves.
        queue_cv_.wait(lk, [&] {
          return closed_ || (!queue_.empty() &&
                             (in_flight_count_.load(std::memory_order_acquire) == 0 ||
                              queue_.size() >= committing_items_.load(std::memory_order_acquire)));
        });
        if (queue_.empty()) break;  // closed and drained
        std::size_t bytes = 0;
        while (!queue_.empty() && items.size() < options_.max_batch_appends &&
               (items.empty() || bytes + queue_.front()->bytes <= options_.max_batch_bytes)) {
          bytes += queue_.front()->bytes;
          items.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      if (write_failed_.load(std::memory_order_acquire) || meta_cache_.size() >= kMaxCachedStreams) {
        WaitCommitterIdle();
        ResetView();
      }
      PruneInflight();
      auto batch = Sequence(std::move(items));
      items.clear();
      {
        std::unique_lock<std::mutex> lk(commit_mu_);
        commit_cv_.wait(lk, [&] { return commit_queue_.size() < kMaxBatchesInFlight; });
        commit_queue_.push_back(std::move(batch));
        ++in_flight_;
        in_flight_count_.store(in_flight_, std::memory_order_release);
      }
      commit_cv_.notify_all();
    }
    {
      std::lock_guard<std::mutex> lk(commit_mu_);
      sequencer_done_ = true;
    }
    commit_cv_.notify_all();
  }

  struct Batch {
    std::uint64_t seq = 0;
    std::vector<std::unique_ptr<Pending>> items;
    CommitBatch commit;
    std::uint64_t last_position = 0;  // head after this batch commits
    bool regressed = false;
    std::uint64_t sequence_micros = 0;
  };

  std::unique_ptr<Batch> Sequence(std::vector<std::unique_ptr<Pending>> items) {
    auto b = std::make_unique<Batch>();
    b->seq = ++batch_seq_;
    b->items = std::move(items);
    const auto t0 = std::chrono::steady_clock::now();
    const TimestampUs batch_now = options_.recorded_at_submission ? 0 : options_.clock();
    overlay_.clear();
    current_ = b.get();
    std::uint64_t next = next_position_;
    for (auto& p : b->items) {
      TimestampUs now = options_.recorded_at_submission ? p->submitted_at : batch_now;
      if (now < last_recorded_at_) {
        now = last_recorded_at_;  // recorded_at never goes backwards
        b->regressed = true;
      }
      last_recorded_at_ = now;
      p->result = Decide(*p, now, &next);
    }
    current_ = nullptr;
    for (auto& [stream, meta] : overlay_) {
      b->commit.stream_metas.emplace_back(stream, meta);
      meta_cache_[stream] = meta;  // optimistic: undone by ResetView if the write fails
    }
    next_position_ = next;
    b->last_position = next - 1;
    b->sequence_micros = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
            .count());
    return b;
  }

  void WaitCommitterIdle() {
    std::unique_lock<std::mutex> lk(commit_mu_);
    commit_cv_.wait(lk, [&] { return in_flight_ == 0; });
  }

  // Forget everything that ran ahead of storage. REQUIRES: no batch in flight.
  void ResetView() {
    meta_cache_.clear();
    inflight_ids_.clear();
    inflight_commands_.clear();
    inflight_keys_.clear();
    next_position_ = head_.load(std::memory_order_acquire) + 1;
    write_failed_.store(false, std::memory_order_release);
    committer_broken_.store(false, std::memory_order_release);
  }

  // Drop in-flight id entries of batches that are now in storage.
  void PruneInflight() {
    const std::uint64_t done = committed_seq_.load(std::memory_order_acquire);
    while (!inflight_keys_.empty() && inflight_keys_.front().first <= done) {
      for (const auto& [is_command, id] : inflight_keys_.front().second) {
        if (is_command) {
          inflight_commands_.erase(id);
        } else {
          inflight_ids_.erase(id);
        }
      }
      inflight_keys_.pop_front();
    }
  }

  // ---- committer thread ----------------------------------------------------------------------

  void CommitLoop() {
    for (;;) {
      std::unique_ptr<Batch> b;
      {
        std::unique_lock<std::mutex> lk(commit_mu_);
        commit_cv_.wait(lk, [&] { return !commit_queue_.empty() || sequencer_done_; });
        if (commit_queue_.empty()) return;
        b = std::move(commit_queue_.front());
        commit_queue_.pop_front();
      }
      committing_items_.store(b->items.size(), std::memory_order_release);
      commit_cv_.notify_all();  // room for the sequencer's next batch
      Commit(*b);
      {
        std::lock_guard<std::mutex> lk(commit_mu_);
        --in_flight_;
        in_flight_count_.store(in_flight_, std::memory_order_release);
      }
      commit_cv_.notify_all();
      {
        std::lock_guard<std::mutex> lk(queue_mu_);  // the sequencer may be waiting for this
      }
      queue_cv_.notify_all();
    }
  }

  void Commit(Batch& b) {
    const auto t0 = std::chrono::steady_clock::now();
    Status s;
    if (committer_broken_.load(std::memory_order_acquire)) {
      // Sequenced on top of a batch that failed: writing it would leave a gap.
      s = Status::IOError("not written: an earlier group commit failed");
    } else if (!b.commit.events.empty()) {
      s = storage_->Commit(b.commit, options_.durable);
    }
    const auto t1 = std::chrono::steady_clock::now();
    std::uint64_t events_written = 0;
    if (s.ok()) {
      events_written = b.commit.events.size();
      if (events_written > 0) {
        {
          std::lock_guard<std::mutex> lk(head_mu_);
          head_.store(b.last_position, std::memory_order_release);
        }
        head_cv_.notify_all();
      }
    } else {
      committer_broken_.store(true, std::memory_order_release);
      write_failed_.store(true, std::memory_order_release);
      // Nothing of this batch is stored: fail every answer that depends on it.
      for (auto& p : b.items) {
        if (p->writes || p->depends_on_inflight) p->result = s;
      }
    }
    committed_seq_.store(b.seq, std::memory_order_release);
    {
      std::lock_guard<std::mutex> lk(stats_mu_);
      if (b.regressed) ++stats_.clock_regressions;
      stats_.sequence_micros += b.sequence_micros;
      stats_.commit_micros += static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count());
      if (events_written > 0) {
        ++stats_.commits;
        stats_.events += events_written;
        stats_.max_batch_events = std::max<std::uint64_t>(stats_.max_batch_events, events_written);
      }
      for (auto& p : b.items) {
        if (p->result.ok()) {
          ++stats_.appends;
          if (p->result->duplicate) ++stats_.duplicates;
        } else if (p->result.status().IsConflict()) {
          ++stats_.conflicts;
        }
      }
    }
    for (auto& p : b.items) p->done(std::move(p->result));
  }

  Result<StreamMeta> LookupMeta(const std::string& stream) {
    if (auto it = overlay_.find(stream); it != overlay_.end()) return it->second;
    if (auto it = meta_cache_.find(stream); it != meta_cache_.end()) return it->second;
    auto m = storage_->GetStreamMeta(stream);
    if (!m.ok()) return m.status();
    StreamMeta meta = m->value_or(StreamMeta{});
    meta_cache_[stream] = meta;  // storage is current for this stream: nothing of it in flight
    return meta;
  }

  // Where is an event id already recorded (in a batch in flight or in storage)?
  Result<std::optional<PendingEventId>> LookupEventId(const std::string& id, bool* in_flight) {
    *in_flight = false;
    if (auto it = inflight_ids_.find(id); it != inflight_ids_.end()) {
      *in_flight = true;
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
    return std::optional<PendingEventId>(
        PendingEventId{**pos, std::string(v.stream), v.version, v.recorded_at});
  }

  Result<AppendResult> Decide(Pending& p, TimestampUs now, std::uint64_t* next) {
    AppendRequest& r = p.req;
    // 1. A retried command id answers with the original result.
    if (!r.command_id.empty()) {
      std::optional<CommandRecord> found;
      if (auto it = inflight_commands_.find(r.command_id); it != inflight_commands_.end()) {
        found = it->second;
        p.depends_on_inflight = true;
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
      bool in_flight = false;
      auto f = LookupEventId(r.events[i].event_id, &in_flight);
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
        dup.recorded_at = e.recorded_at;
      }
      dup.last_position = e.position;
      dup.last_version = e.version;
      p.depends_on_inflight |= in_flight;
      ++known;
    }
    if (known == r.events.size()) return dup;
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
    for (std::size_t i = 0; i < r.events.size(); ++i) {
      const EventData& e = r.events[i];
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
      current_->commit.event_ids.emplace_back(e.event_id, out.position);
      if (!p.generated_ids[i]) {
        // Only ids a caller chose can come back as a retry while this batch is in flight.
        inflight_ids_[e.event_id] = PendingEventId{out.position, r.stream, out.version, now};
        InflightKeys().emplace_back(false, e.event_id);
      }
      current_->commit.events.push_back(std::move(out));
      ++*next;
    }
    res.last_position = *next - 1;
    res.last_version = meta.last_version;
    overlay_[r.stream] = meta;
    if (!r.command_id.empty()) {
      CommandRecord c{r.stream,        res.first_position, res.last_position, res.first_version,
                      res.last_version, now,               p.digest};
      current_->commit.commands.emplace_back(r.command_id, c);
      inflight_commands_[r.command_id] = c;
      InflightKeys().emplace_back(true, r.command_id);
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
  // Set when Close starts: a read or checkpoint after it answers Unavailable instead of touching
  // closed storage (Close must still not run concurrently with them).
  std::atomic<bool> storage_closed_{false};
  static Status Closed() { return Status::Unavailable("the event log is closed"); }

  // The id keys added by the batch being sequenced (for pruning once it is committed).
  std::vector<std::pair<bool, std::string>>& InflightKeys() {
    if (inflight_keys_.empty() || inflight_keys_.back().first != current_->seq) {
      inflight_keys_.emplace_back(current_->seq, std::vector<std::pair<bool, std::string>>{});
    }
    return inflight_keys_.back().second;
  }

  static constexpr std::size_t kMaxBatchesInFlight = 2;

  // Sequencer-thread state.
  std::uint64_t next_position_;
  TimestampUs last_recorded_at_ = 0;
  std::uint64_t batch_seq_ = 0;
  Batch* current_ = nullptr;  // the batch being sequenced
  std::unordered_map<std::string, StreamMeta> overlay_;     // streams touched by current_
  std::unordered_map<std::string, StreamMeta> meta_cache_;  // includes batches in flight
  std::unordered_map<std::string, PendingEventId> inflight_ids_;
  std::unordered_map<std::string, CommandRecord> inflight_commands_;
  std::deque<std::pair<std::uint64_t, std::vector<std::pair<bool, std::string>>>> inflight_keys_;

  // Hand-over between sequencer and committer.
  std::mutex commit_mu_;
  std::condition_variable commit_cv_;
  std::deque<std::unique_ptr<Batch>> commit_queue_;
  std::size_t in_flight_ = 0;  // batches handed over and not yet fully committed
  std::atomic<std::size_t> in_flight_count_{0};   // in_flight_, readable without commit_mu_
  std::atomic<std::size_t> committing_items_{0};  // appends in the batch being written
  bool sequencer_done_ = false;
  std::atomic<std::uint64_t> committed_seq_{0};
  std::atomic<bool> committer_broken_{false};  // committer: fail batches until the reset
  std::atomic<bool> write_failed_{false};      // sequencer: rebuild the view before going on

  std::atomic<std::uint64_t> head_{0};
  std::mutex head_mu_;
  std::condition_variable head_cv_;
  bool stopped_ = false;

  mutable std::mutex stats_mu_;
  LogStats stats_;

  std::thread sequencer_;
  std::thread committer_;
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

// Pass 2 of Verify found that `stream`'s index entries are not those of its events: finds the
// first version whose entry is wrong, missing or extra, and reports it with a position. Scans the
// log once more (a verify that fails can afford it).
Status SequencedLog::LocateIndexDamage(
    const std::string& stream, std::uint64_t last_version, std::uint64_t head,
    const std::function<void(std::string_view, std::uint64_t, std::uint64_t, std::string)>& fail) {
  std::vector<std::uint64_t> events(last_version + 1, 0);  // version -> position
  Status s = storage_->ScanEvents(1, UINT64_MAX, [&](std::uint64_t pos, std::string_view bytes) {
    EventView v;
    if (DecodeEvent(bytes, &v).ok() && v.stream == stream && v.version <= last_version) events[v.version] = pos;
    return true;
  });
  if (!s.ok()) return s;
  std::map<std::uint64_t, std::uint64_t> index;  // version -> position
  s = storage_->ScanStream(stream, 0, Direction::kForward, [&](std::uint64_t ver, std::uint64_t pos) {
    index.emplace(ver, pos);
    return true;
  });
  if (!s.ok()) return s;
  const std::uint64_t top = std::max(last_version, index.empty() ? 0 : index.rbegin()->first);
  for (std::uint64_t ver = index.empty() ? 1 : std::min<std::uint64_t>(1, index.begin()->first); ver <= top; ++ver) {
    const std::string v = std::to_string(ver);
    auto it = index.find(ver);
    const std::uint64_t actual = ver >= 1 && ver <= last_version ? events[ver] : 0;
    if (it == index.end()) {
      fail(stream, ver, actual, "stream index has no entry for version " + v + " (the event is at position " +
                                    std::to_string(actual) + ")");
      return Status::Ok();
    }
    if (actual == 0) {
      const std::string at = std::to_string(it->second);
      fail(stream, ver, it->second,
           it->second > head ? "stream index points version " + v + " at position " + at +
                                   ", past the log's last position " + std::to_string(head) +
                                   ": the event is missing"
                             : "stream index has an entry for version " + v + " at position " + at +
                                   ", but the stream has no such event");
      return Status::Ok();
    }
    if (it->second != actual) {
      fail(stream, ver, actual, "stream index points version " + v + " at position " + std::to_string(it->second) +
                                    ", but the event is at position " + std::to_string(actual));
      return Status::Ok();
    }
  }
  // Every entry matches: the fingerprints collided or changed under us; say so without a position.
  fail(stream, 0, 0, "stream index does not match the events of the stream");
  return Status::Ok();
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
      const std::uint64_t last = it == chains.end() ? 0 : it->second.version;
      if (Status located = LocateIndexDamage(stream, last, rep.head_position, fail); !located.ok()) return located;
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
    if (m.last_version != c.version || m.last_position != c.position) {
      fail(stream, c.version, c.position,
           "stream metadata (last version " + std::to_string(m.last_version) + " at position " +
               std::to_string(m.last_position) + ") disagrees with the events (last version " +
               std::to_string(c.version) + " at position " + std::to_string(c.position) + ")");
      return false;
    }
    if (m.head_hash != c.hash) {
      fail(stream, c.version, c.position,
           "stream metadata's head hash " + HexOf(m.head_hash) + " is not the hash of the stream's last event (" +
               HexOf(c.hash) + ")");
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
