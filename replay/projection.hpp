// Projection: a pure fold over the log with a name, a version and a checkpoint. The five that
// casetrail keeps are in replay/projections/ (ProjectionNames() and MakeProjections() in
// replay/projections.hpp); ProjectionRunner (replay/runner.hpp) feeds them and stores their
// checkpoints.
//
// Guarantees (every projection, checked by tests/replay/test_runner.cpp and the per-projection
// tests in tests/replay/projections/):
//  * Apply sees events in position order and reads nothing else (no clock, no log, no I/O), so
//    rebuilding from position 1 gives exactly what keeping it up to date live gives: Serialize()
//    of the two is byte for byte the same.
//  * Corrections and withdrawals (case.record_corrected / case.record_withdrawn) are applied as
//    they come: the projection shows the corrected history without re-reading the log.
//  * name() and version() are stable: with the position they name the checkpoint
//    ("projection.<name>.v<version>"). A change to what a projection keeps or how it
//    serialises takes a new version, so that an old checkpoint is never read as the new one.
//
// Thread-safety: none inside a projection. Apply and Reset need exclusive access; the const
// queries of a concrete projection may run concurrently with each other, not with Apply. The
// caller (a runner, a view maintainer) serialises them.
#pragma once

#include <cstdint>
#include <string>

#include "engine/event.hpp"

namespace casetrail::replay {

class Projection {
 public:
  virtual ~Projection() = default;

  // Stable identity: "child_summary", "chronology", "deadlines", "plo_tracker", "kpis".
  virtual const char* name() const = 0;
  virtual int version() const = 0;

  // Folds one event into the state. REQUIRES: e.position is greater than every position applied
  // since the last Reset (the runner guarantees it).
  virtual void Apply(const EventView& e) = 0;
  // Forgets everything applied (the runner also sets the position back to 0).
  virtual void Reset() = 0;

  // How much work an event is, relative to the others (RebuildAll balances threads with it).
  virtual double weight() const { return 1; }
  // A canonical text form of the whole state (sorted, deterministic): what rebuild-equals-live
  // tests compare and what a seal's digest is taken of.
  virtual std::string Serialize() const = 0;

  // The last position applied (0: nothing yet).
  std::uint64_t position() const { return position_; }

 protected:
  friend class ProjectionRunner;
  std::uint64_t position_ = 0;
};

}  // namespace casetrail::replay
