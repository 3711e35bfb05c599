// ProjectionRunner: keeps projections up to date from the log, rebuilds them, and stores their
// checkpoints and seals beside the log.
//
// Checkpoints are stored in the log's checkpoint store under "projection.<name>.v<version>"
// (CheckpointName), holding the last position applied. A seal (Seal) is the checkpoint plus the
// SHA-256 of the projection's Serialize() at that position, stored as the snapshot
// "projection.<name>.v<version>.seal"; Verify rebuilds a fresh projection up to the sealed
// position and compares digests.
//
// Guarantees:
//  * Every projection sees every event after its own position, in position order, exactly once
//    (also in CatchUpAll and RebuildAll, where projections at different positions share a scan).
//  * A checkpoint is stored only after the events up to it were applied; a failed read stores
//    nothing and returns the log's Status.
//
// Thread-safety: a runner holds only a reference to the log and may be used from any thread,
// but the projections it is given must not be touched by anyone else during a call. RebuildAll
// applies on several threads at once, each projection on exactly one of them.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "engine/event_log.hpp"
#include "engine/status.hpp"
#include "replay/projection.hpp"

namespace casetrail::replay {

class ProjectionRunner {
 public:
  // REQUIRES: `log` outlives the runner.
  explicit ProjectionRunner(EventLog& log) : log_(log) {}

  // Applies every event after the projection's position, up to the head (or at most
  // `max_events` of them); stores the checkpoint. Returns the position reached.
  Result<std::uint64_t> CatchUp(Projection& p, std::uint64_t max_events = UINT64_MAX);
  // Brings several projections up to date in one scan of the log, from the earliest of their
  // positions (each sees only the events after its own), up to the head or `max_events` past the
  // earliest. Stores their checkpoints when `checkpoint` (a live server does it now and then,
  // not on every step: a checkpoint is a write). Returns the earliest position reached.
  Result<std::uint64_t> CatchUpAll(std::span<Projection* const> ps, std::uint64_t max_events = UINT64_MAX,
                                   bool checkpoint = true);
  // Stores the checkpoints of projections kept up to date with CatchUpAll(..., false).
  Status StoreCheckpoints(std::span<Projection* const> ps);
  // Resets and applies the whole log; stores the checkpoint.
  Result<std::uint64_t> Rebuild(Projection& p);
  // Rebuilds several projections in one pass over the log (split over up to one thread a core,
  // balanced by weight()), up to the head at the time of the call; stores their checkpoints.
  // `progress` (if given) is called about every 65,536 events with the position reached, and
  // once at the end.
  Result<std::uint64_t> RebuildAll(const std::vector<Projection*>& ps,
                                   const std::function<void(std::uint64_t)>& progress = {});
  // "projection.<name>.v<version>".
  static std::string CheckpointName(const Projection& p);

  // Seals the projection's checkpoint: stores, beside the log, its position and the SHA-256 of
  // its state (Serialize()), so that an auditor can later check it against the log.
  Status Seal(const Projection& p);
  struct Check {
    std::string name;          // "plo_tracker.v1"
    bool sealed = false;       // false: nothing to check (never sealed)
    bool ok = false;
    std::uint64_t position = 0;
    std::string reason;        // when !ok
  };
  // Rebuilds `fresh` (a new projection of the kind to check) from position 1 up to the sealed
  // position and compares digests; a checkpoint past the log's head is inconsistent too.
  // An error Status only when the log cannot be read; an inconsistency is a Check with !ok.
  Result<Check> Verify(Projection& fresh);

 private:
  EventLog& log_;
};

}  // namespace casetrail::replay
