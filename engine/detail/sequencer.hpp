// The event log's write path: validation on the caller's thread, then one sequencer thread that
// decides versions, positions, idempotency and the hash chain for a whole group of appends, and
// one committer thread that writes each group with one storage write (group commit) and answers
// the callers. The log (sequenced_log.cpp) owns one and reads storage directly.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/detail/storage.hpp"
#include "engine/event_log.hpp"

namespace casetrail::detail {

class Sequencer {
 public:
  // Starts both threads; `last` is the highest position in storage. `storage` and `options`
  // (with its clock set) must outlive the sequencer.
  Sequencer(Storage& storage, const EventLogOptions& options, std::uint64_t last);
  ~Sequencer();

  // Validates on the caller's thread (a refusal is answered at once), then queues the append.
  void Append(AppendRequest request, AppendCallback done);

  // Stops accepting appends, drains the queue, joins both threads and wakes the waiters of
  // WaitForPosition. `on_closing` runs once, when appends stop being accepted, before draining.
  // Returns false if it was already closed (and does nothing).
  template <typename OnClosing>
  bool Close(OnClosing on_closing) {
    if (!StopAccepting()) return false;
    on_closing();
    Drain();
    return true;
  }

  std::uint64_t Head() const { return head_.load(std::memory_order_acquire); }
  std::uint64_t WaitForPosition(std::uint64_t position, std::chrono::milliseconds timeout);
  LogStats Stats() const;

 private:
  struct Pending;
  struct PendingEventId {
    std::uint64_t position;
    std::string stream;
    std::uint64_t version;
    TimestampUs recorded_at;
  };
  struct Batch;

  bool StopAccepting();
  void Drain();

  // ---- sequencer thread ----
  void Run();
  std::unique_ptr<Batch> Sequence(std::vector<std::unique_ptr<Pending>> items);
  void WaitCommitterIdle();
  void ResetView();
  void PruneInflight();
  Result<StreamMeta> LookupMeta(const std::string& stream);
  Result<std::optional<PendingEventId>> LookupEventId(const std::string& id, bool* in_flight);
  Result<AppendResult> Decide(Pending& p, TimestampUs now, std::uint64_t* next);
  std::vector<std::pair<bool, std::string>>& InflightKeys();

  // ---- committer thread ----
  void CommitLoop();
  void Commit(Batch& b);

  static constexpr std::size_t kMaxCachedStreams = 1 << 20;
  static constexpr std::size_t kMaxBatchesInFlight = 2;

  Storage& storage_;
  const EventLogOptions& options_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<std::unique_ptr<Pending>> queue_;
  bool closed_ = false;

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

}  // namespace casetrail::detail
