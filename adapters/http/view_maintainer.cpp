#include "adapters/http/view_maintainer.hpp"

#include <pthread.h>

#include <chrono>
#include <mutex>

namespace casetrail::http {

ViewMaintainer::ViewMaintainer(EventLog& log, std::shared_mutex& mu, std::vector<replay::Projection*> followed,
                               std::vector<replay::Projection*> stored, std::function<void()> after_step)
    : log_(log),
      mu_(mu),
      followed_(std::move(followed)),
      stored_(std::move(stored)),
      after_step_(std::move(after_step)),
      runner_(log) {}

ViewMaintainer::~ViewMaintainer() { Stop(); }

void ViewMaintainer::Start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "ct-views");
    Run();
  });
}

void ViewMaintainer::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void ViewMaintainer::AfterStep() {
  position_ = followed_.front()->position();
  if (after_step_) after_step_();
}

Status ViewMaintainer::CatchUp() {
  const std::uint64_t head = log_.HeadPosition();
  {
    std::shared_lock lk(mu_);
    if (followed_.front()->position() >= head) return Status::Ok();  // the first caught up is the furthest behind
  }
  std::unique_lock lk(mu_);
  // The maintainer's thread stores the checkpoints (at most once a second).
  if (auto r = runner_.CatchUpAll(followed_, UINT64_MAX, false); !r.ok()) return r.status();
  AfterStep();
  return Status::Ok();
}

void ViewMaintainer::Run() {
  constexpr std::uint64_t kStep = 512;  // events per lock hold (a few milliseconds)
  // Under a stream of writes, waiting a little lets one scan take many events (a scan and its
  // iterator cost more than a few events); views stay within ~10 ms of the head.
  constexpr auto kBatchWait = std::chrono::milliseconds(10);
  constexpr auto kCheckpointEvery = std::chrono::seconds(1);  // a checkpoint is a write
  auto checkpointed = std::chrono::steady_clock::now() - kCheckpointEvery;
  bool dirty = true;  // Warm() caught up without storing them
  while (!stopping_) {
    std::uint64_t at;
    {
      std::shared_lock lk(mu_);
      at = followed_.front()->position();
    }
    const auto now = std::chrono::steady_clock::now();
    if (dirty && now - checkpointed >= kCheckpointEvery) {
      std::unique_lock lk(mu_);
      if (runner_.StoreCheckpoints(stored_).ok()) dirty = false;
      checkpointed = now;
    }
    if (log_.WaitForPosition(at, std::chrono::milliseconds(100)) <= at) continue;
    if (log_.HeadPosition() < at + kStep) std::this_thread::sleep_for(kBatchWait);
    std::unique_lock lk(mu_);
    // A read error is retried on the next turn (and reported by reads).
    if (runner_.CatchUpAll(followed_, kStep, false).ok()) dirty = true;
    AfterStep();
  }
  std::unique_lock lk(mu_);
  if (dirty) (void)runner_.StoreCheckpoints(stored_);
}

}  // namespace casetrail::http
