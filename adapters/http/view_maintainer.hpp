// Keeps the API's live views near the log's head from a background thread ("ct-views"), in
// small steps, so that a read rarely has much to catch up on and never holds the views' lock
// for long; stores their checkpoints at most once a second (a checkpoint is a write).
//
// Thread-safety: CatchUp and position() may be called from any thread; Start and Stop from the
// owner. The projections are guarded by the shared mutex given at construction: the maintainer
// takes it exclusively to apply events, readers take it shared.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <shared_mutex>
#include <thread>
#include <vector>

#include "engine/event_log.hpp"
#include "replay/projections.hpp"

namespace casetrail::http {

class ViewMaintainer {
 public:
  // `followed`: the projections kept up to date; the first is caught up first (so it is the
  // furthest behind and its position is the views'). `stored`: those whose checkpoints are
  // stored. `after_step` runs under the exclusive lock after each step.
  // REQUIRES: the projections and `mu` outlive the maintainer.
  ViewMaintainer(EventLog& log, std::shared_mutex& mu, std::vector<replay::Projection*> followed,
                 std::vector<replay::Projection*> stored, std::function<void()> after_step);
  ~ViewMaintainer();  // Stop()

  void Start();
  // Stops the thread and stores the checkpoints if anything moved since the last store.
  // Idempotent.
  void Stop();
  // Brings every followed projection up to the log's head now (readers call it first).
  Status CatchUp();
  // Where the views are: all at least here.
  std::uint64_t position() const { return position_.load(); }

 private:
  void Run();
  void AfterStep();  // under the exclusive lock

  EventLog& log_;
  std::shared_mutex& mu_;
  std::vector<replay::Projection*> followed_, stored_;
  std::function<void()> after_step_;
  replay::ProjectionRunner runner_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> position_{0};
  std::thread thread_;
};

}  // namespace casetrail::http
