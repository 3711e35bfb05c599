// The event log's write path (sequencer.hpp): the sequencer thread decides and encodes, the
// committer thread writes and answers.
#include "engine/detail/sequencer.hpp"

#include <pthread.h>

#include <algorithm>

#include "engine/detail/codec.hpp"
#include "engine/detail/validation.hpp"

namespace casetrail::detail {

struct Sequencer::Pending {
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

struct Sequencer::Batch {
  std::uint64_t seq = 0;
  std::vector<std::unique_ptr<Pending>> items;
  CommitBatch commit;
  std::uint64_t last_position = 0;  // head after this batch commits
  bool regressed = false;
  std::uint64_t sequence_micros = 0;
};

namespace {

std::size_t ApproximateBytes(const AppendRequest& r) {
  std::size_t n = r.stream.size() + 256;
  for (const auto& e : r.events) n += e.payload.size() + 256;
  return n;
}

}  // namespace

Sequencer::Sequencer(Storage& storage, const EventLogOptions& options, std::uint64_t last)
    : storage_(storage), options_(options), next_position_(last + 1) {
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

Sequencer::~Sequencer() {
  Close([] {});
}

void Sequencer::Append(AppendRequest request, AppendCallback done) {
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

bool Sequencer::StopAccepting() {
  std::lock_guard<std::mutex> lk(queue_mu_);
  if (closed_) return false;
  closed_ = true;
  return true;
}

void Sequencer::Drain() {
  queue_cv_.notify_all();
  if (sequencer_.joinable()) sequencer_.join();
  if (committer_.joinable()) committer_.join();
  {
    std::lock_guard<std::mutex> lk(head_mu_);
    stopped_ = true;
  }
  head_cv_.notify_all();
}

std::uint64_t Sequencer::WaitForPosition(std::uint64_t position,
                                         std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lk(head_mu_);
  head_cv_.wait_for(lk, timeout, [&] { return head_.load() > position || stopped_; });
  return head_.load();
}

LogStats Sequencer::Stats() const {
  std::lock_guard<std::mutex> lk(stats_mu_);
  return stats_;
}

// ---- sequencer thread ----------------------------------------------------------------------
//
// Decides and encodes batch N+1 while the committer thread writes (and fsyncs) batch N, so a
// durable cycle costs max(CPU, fsync) rather than their sum, and waking the callers is off
// the sequencer's path. Its view of streams (meta_cache_) and ids (inflight_*) runs ahead of
// storage by the batches in flight; after a failed write it waits for the committer to drain
// and rebuilds that view from storage.
void Sequencer::Run() {
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

std::unique_ptr<Sequencer::Batch> Sequencer::Sequence(std::vector<std::unique_ptr<Pending>> items) {
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

void Sequencer::WaitCommitterIdle() {
  std::unique_lock<std::mutex> lk(commit_mu_);
  commit_cv_.wait(lk, [&] { return in_flight_ == 0; });
}

// Forget everything that ran ahead of storage. REQUIRES: no batch in flight.
void Sequencer::ResetView() {
  meta_cache_.clear();
  inflight_ids_.clear();
  inflight_commands_.clear();
  inflight_keys_.clear();
  next_position_ = head_.load(std::memory_order_acquire) + 1;
  write_failed_.store(false, std::memory_order_release);
  committer_broken_.store(false, std::memory_order_release);
}

// Drop in-flight id entries of batches that are now in storage.
void Sequencer::PruneInflight() {
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

Result<StreamMeta> Sequencer::LookupMeta(const std::string& stream) {
  if (auto it = overlay_.find(stream); it != overlay_.end()) return it->second;
  if (auto it = meta_cache_.find(stream); it != meta_cache_.end()) return it->second;
  auto m = storage_.GetStreamMeta(stream);
  if (!m.ok()) return m.status();
  StreamMeta meta = m->value_or(StreamMeta{});
  meta_cache_[stream] = meta;  // storage is current for this stream: nothing of it in flight
  return meta;
}

// Where is an event id already recorded (in a batch in flight or in storage)?
Result<std::optional<Sequencer::PendingEventId>> Sequencer::LookupEventId(const std::string& id, bool* in_flight) {
  *in_flight = false;
  if (auto it = inflight_ids_.find(id); it != inflight_ids_.end()) {
    *in_flight = true;
    return std::optional<PendingEventId>(it->second);
  }
  auto pos = storage_.GetEventIdPosition(id);
  if (!pos.ok()) return pos.status();
  if (!pos->has_value()) return std::optional<PendingEventId>();
  auto bytes = storage_.GetEvent(**pos);
  if (!bytes.ok()) return bytes.status();
  EventView v;
  if (!bytes->has_value() || !DecodeEvent(**bytes, &v).ok()) {
    return Status::Corruption("event id '" + id + "' points at unreadable position " +
                              std::to_string(**pos));
  }
  return std::optional<PendingEventId>(
      PendingEventId{**pos, std::string(v.stream), v.version, v.recorded_at});
}

Result<AppendResult> Sequencer::Decide(Pending& p, TimestampUs now, std::uint64_t* next) {
  AppendRequest& r = p.req;
  // 1. A retried command id answers with the original result.
  if (!r.command_id.empty()) {
    std::optional<CommandRecord> found;
    if (auto it = inflight_commands_.find(r.command_id); it != inflight_commands_.end()) {
      found = it->second;
      p.depends_on_inflight = true;
    } else {
      auto c = storage_.GetCommand(r.command_id);
      if (!c.ok()) return c.status();
      found = *c;
    }
    if (found) {
      if (found->request_digest != p.digest) {
        return Status::Conflict("command_id '" + r.command_id +
                                "' was already used for a different request (stream '" +
                                found->append.stream + "', positions " +
                                std::to_string(found->append.first_position) + ".." +
                                std::to_string(found->append.last_position) + ")");
      }
      return found->Retried();
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
    const CommandRecord c{res, p.digest};
    current_->commit.commands.emplace_back(r.command_id, c);
    inflight_commands_[r.command_id] = c;
    InflightKeys().emplace_back(true, r.command_id);
  }
  p.writes = true;
  return res;
}

// The id keys added by the batch being sequenced (for pruning once it is committed).
std::vector<std::pair<bool, std::string>>& Sequencer::InflightKeys() {
  if (inflight_keys_.empty() || inflight_keys_.back().first != current_->seq) {
    inflight_keys_.emplace_back(current_->seq, std::vector<std::pair<bool, std::string>>{});
  }
  return inflight_keys_.back().second;
}

// ---- committer thread ----------------------------------------------------------------------

void Sequencer::CommitLoop() {
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

void Sequencer::Commit(Batch& b) {
  const auto t0 = std::chrono::steady_clock::now();
  Status s;
  if (committer_broken_.load(std::memory_order_acquire)) {
    // Sequenced on top of a batch that failed: writing it would leave a gap.
    s = Status::IOError("not written: an earlier group commit failed");
  } else if (!b.commit.events.empty()) {
    s = storage_.Commit(b.commit, options_.durable);
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

}  // namespace casetrail::detail
