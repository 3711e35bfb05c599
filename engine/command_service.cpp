#include "engine/command_service.hpp"

#include <future>

namespace casetrail {

std::size_t StreamStripes::For(const std::string& key) const { return std::hash<std::string>{}(key) % kStripes; }

void StreamStripes::Lock(std::size_t i) {
  Stripe& s = stripes_[i];
  std::unique_lock<std::mutex> lk(s.mu);
  if (!s.busy) {
    s.busy = true;
    return;
  }
  auto granted = std::make_shared<std::promise<void>>();
  s.waiting.push_back([granted] { granted->set_value(); });
  lk.unlock();
  granted->get_future().wait();  // Unlock handed the stripe over: busy stayed true
}

bool StreamStripes::TryLock(std::size_t i) {
  Stripe& s = stripes_[i];
  std::lock_guard<std::mutex> lk(s.mu);
  if (s.busy) return false;
  s.busy = true;
  return true;
}

void StreamStripes::LockAsync(std::size_t i, std::function<void()> run, Post post) {
  Stripe& s = stripes_[i];
  {
    std::lock_guard<std::mutex> lk(s.mu);
    if (s.busy) {
      s.waiting.push_back([post = std::move(post), run = std::move(run)]() mutable { post(std::move(run)); });
      return;
    }
    s.busy = true;
  }
  run();
}

void StreamStripes::Unlock(std::size_t i) {
  Stripe& s = stripes_[i];
  std::function<void()> next;
  {
    std::lock_guard<std::mutex> lk(s.mu);
    if (s.waiting.empty()) {
      s.busy = false;
      return;
    }
    next = std::move(s.waiting.front());
    s.waiting.pop_front();
  }
  next();
}

bool StreamStripes::Busy(std::size_t i) {
  Stripe& s = stripes_[i];
  std::lock_guard<std::mutex> lk(s.mu);
  return s.busy;
}

}  // namespace casetrail
