// EventLog: the append-only, hash-chained log every casetrail fact is written to.
//
// Guarantees (all implementations, checked by tests/engine/test_conformance.cpp):
//  * Global positions start at 1 and are gap-free; a reader never sees position P+1 before P.
//  * Per-stream versions start at 1 and are gap-free; a multi-event append is atomic.
//  * Appends carry an expected version; a mismatch is a Conflict naming the actual version,
//    and nothing is written.
//  * A retried command id or event id returns the original positions (duplicate = true),
//    also after a restart; it never writes a second copy.
//  * Every event carries prev_hash and hash (SHA-256 chain per stream); Verify() recomputes them.
//  * Bad input is an InvalidArgument naming the field, and nothing is written.
//
// Thread-safety: every method may be called from any thread concurrently. Appends are
// serialised by one sequencer thread that decides many appends at once, and written by one
// committer thread with one storage write per group (group commit), the two overlapping.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/event.hpp"
#include "engine/status.hpp"

namespace casetrail {

// Source of recorded_at. The store never records a time earlier than one it already recorded:
// if the clock steps back, recorded_at stays at the last value (and the step is counted).
using Clock = std::function<TimestampUs()>;
TimestampUs SystemClockUs();

struct EventLogOptions {
  // Durable: the WAL is fsynced before an append is acknowledged (the default). Non-durable
  // ("bulk import") mode acknowledges after the write reaches the OS; a process crash loses
  // nothing but a power loss may lose the last acknowledged appends.
  bool durable = true;
  std::size_t max_payload_bytes = 1 << 20;    // per event
  std::size_t max_stream_id_bytes = 200;
  std::size_t max_events_per_append = 1000;
  std::size_t max_id_bytes = 128;             // event/command/correlation/causation ids
  std::size_t max_type_bytes = 128;
  // An occurred_at later than recorded_at + this is refused: business time is in the past.
  std::chrono::microseconds max_future_skew = std::chrono::minutes(5);
  // Upper bounds of one group commit.
  std::size_t max_batch_appends = 4096;
  std::size_t max_batch_bytes = 16 << 20;
  Clock clock;  // defaults to SystemClockUs
  // When an append's recorded_at is read from the clock: by default once per group commit, as
  // it is sequenced (the moment it takes its position). With this set, when the append is
  // submitted (on the caller's thread, in AppendAsync), still never going backwards. For one
  // writer driving a simulated clock with appends in flight (the simulator): each append
  // records the time the writer set for it, whatever batch it lands in.
  bool recorded_at_submission = false;
  // Source of the event ids the store generates for events that come without one; defaults to
  // UUID version 7 (time and random bits). Called on the appending thread, in append order, so
  // a single-threaded writer with a deterministic source (the simulator: seed and counter)
  // writes a log that is identical from run to run.
  std::function<std::string()> event_ids;
};

struct ReadAllOptions {
  std::uint64_t from_position = 1;     // inclusive
  std::uint64_t max_count = UINT64_MAX;
  std::string type_prefix;             // only events whose type starts with this
  std::string stream_prefix;           // only events whose stream starts with this
};

enum class Direction { kForward, kBackward };

struct VerifyReport {
  bool ok = true;
  std::uint64_t events_checked = 0;
  std::uint64_t streams_checked = 0;
  std::uint64_t head_position = 0;
  // The first broken event, when !ok.
  std::string broken_stream;
  std::uint64_t broken_version = 0;
  std::uint64_t broken_position = 0;
  std::string reason;
};

struct LogStats {
  std::uint64_t appends = 0;          // acknowledged appends (including duplicates answered)
  std::uint64_t events = 0;           // events written
  std::uint64_t commits = 0;          // group commits (one WAL write + fsync when durable)
  std::uint64_t duplicates = 0;
  std::uint64_t conflicts = 0;
  std::uint64_t clock_regressions = 0;
  std::uint64_t max_batch_events = 0;
  std::uint64_t sequence_micros = 0;  // sequencer time deciding and encoding batches
  std::uint64_t commit_micros = 0;    // time in storage writes (including fsync when durable)
};

using AppendCallback = std::function<void(Result<AppendResult>)>;
// Return false to stop the scan early.
using EventVisitor = std::function<bool(const EventView&)>;

class EventLog {
 public:
  virtual ~EventLog() = default;

  // Blocks until the append is committed (durably, in durable mode) or refused.
  Result<AppendResult> Append(AppendRequest request);
  // Validates on the calling thread, then hands the append to the sequencer; `done` runs once
  // the append is committed or refused: on the calling thread for invalid input, otherwise on
  // the log's committer thread, in commit order. `done` must be quick and must not wait for
  // another append (that would deadlock the committer).
  virtual void AppendAsync(AppendRequest request, AppendCallback done) = 0;

  // Events of one stream starting at `from_version` (forward: ascending from it; backward:
  // descending from it, UINT64_MAX meaning "from the end"). NotFound if the stream does not exist.
  virtual Result<std::vector<RecordedEvent>> ReadStream(const std::string& stream,
                                                        std::uint64_t from_version,
                                                        Direction direction,
                                                        std::size_t max_count) = 0;
  // The global log in position order, up to the head at the time of the call.
  virtual Status ReadAll(const ReadAllOptions& options, const EventVisitor& visit) = 0;
  virtual Result<RecordedEvent> ReadPosition(std::uint64_t position) = 0;

  virtual Result<StreamInfo> GetStreamInfo(const std::string& stream) = 0;
  // Highest committed position (0 for an empty log).
  virtual std::uint64_t HeadPosition() const = 0;
  // Blocks until HeadPosition() > position or the timeout passes; returns the head then.
  virtual std::uint64_t WaitForPosition(std::uint64_t position,
                                        std::chrono::milliseconds timeout) = 0;

  // Recomputes every stream's hash chain and checks the indexes against the events.
  virtual Result<VerifyReport> Verify() = 0;

  // Durable named positions for subscribers and projections.
  virtual Status SetCheckpoint(const std::string& name, std::uint64_t position) = 0;
  virtual Result<std::uint64_t> GetCheckpoint(const std::string& name) = 0;

  // Derived state kept beside the log: case snapshots and projection digests (replay/). Never
  // part of the record: written without fsync, and losing one costs only a rebuild. Names are
  // printable ASCII like stream ids; values at most kMaxSnapshotBytes.
  static constexpr std::size_t kMaxSnapshotBytes = 16 << 20;
  virtual Status PutSnapshot(const std::string& name, std::string_view value) = 0;
  virtual Result<std::string> GetSnapshot(const std::string& name) = 0;  // NotFound if none

  // The append a command id produced, if it was recorded (duplicate = true); NotFound if not.
  virtual Result<AppendResult> FindCommand(const std::string& command_id) = 0;

  virtual LogStats Stats() const = 0;
  // Stops accepting appends, drains the queue, and closes storage. Idempotent.
  virtual void Close() = 0;
};

// An in-memory log with the same semantics (for tests and tools). Nothing survives destruction.
std::unique_ptr<EventLog> OpenMemoryEventLog(EventLogOptions options = {});

// Opens (creating if missing) a RocksDB log in directory `path`.
Result<std::unique_ptr<EventLog>> OpenRocksEventLog(const std::string& path,
                                                    EventLogOptions options = {});

}  // namespace casetrail
