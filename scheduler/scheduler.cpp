#include "scheduler/scheduler.hpp"

#include <pthread.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace casetrail::scheduler {

workflows::Command CommandFor(const DueItem& item) {
  workflows::Command c;
  c.child_id = item.child;
  c.action = item.Action();
  c.occurred_at = item.at;
  // The engine acting for the team that holds the child: subscribers filtering by team get it.
  c.actor = Actor{Scheduler::kActorUser, workflows::kSystemRole, item.team};
  c.command_id = item.CommandId();
  switch (item.kind) {
    case DueItem::Kind::kBreach: c.params = {{"rule", item.rule}, {"due", item.due}}; break;
    case DueItem::Kind::kDueSoon:
      c.params = {{"rule", item.rule}, {"due", item.due}, {"notice", std::to_string(item.age)}};
      break;
    case DueItem::Kind::kAge: c.params = {{"age", std::to_string(item.age)}}; break;
  }
  return c;
}

Scheduler::Scheduler(workflows::CaseService& cases, DueIndex& index, std::function<Status()> catch_up,
                     std::function<void(const std::function<void()>&)> read_index)
    : cases_(cases), index_(index), catch_up_(std::move(catch_up)), read_index_(std::move(read_index)) {
  if (!read_index_) read_index_ = [](const std::function<void()>& f) { f(); };
}

Result<TickReport> Scheduler::Tick(TimestampUs until) {
  using Clock = std::chrono::steady_clock;
  TickReport report;
  report.until = until;
  const auto t0 = Clock::now();
  if (catch_up_) {
    if (Status s = catch_up_(); !s.ok()) return s;
  }
  std::vector<DueItem> items;
  read_index_([&] { items = index_.DueBy(until); });
  report.due = items.size();
  const auto t1 = Clock::now();
  report.find_seconds = std::chrono::duration<double>(t1 - t0).count();

  std::mutex mu;
  std::condition_variable cv;
  std::size_t pending = 0;
  for (std::size_t i = 0; i < items.size();) {
    // One instant's items together; the next instant waits for them (business-time order).
    std::size_t j = i + 1;
    while (!one_at_a_time_ && j < items.size() && items[j].at == items[i].at) ++j;
    {
      std::lock_guard<std::mutex> lock(mu);
      pending = j - i;
    }
    for (std::size_t k = i; k < j; ++k) {
      workflows::Command cmd = CommandFor(items[k]);
      std::string id = cmd.command_id;
      cases_.ExecuteAsync(std::move(cmd), [&, id](Result<workflows::CommandOutcome> r) {
        std::lock_guard<std::mutex> lock(mu);
        if (!r.ok()) {
          report.errors.push_back(id + ": " + r.status().ToString());
        } else if (!r->accepted) {
          ++report.overtaken;
        } else if (r->append.duplicate) {
          ++report.already;
        } else {
          ++report.written;
        }
        if (--pending == 0) cv.notify_all();
      });
    }
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return pending == 0; });
    i = j;
  }
  report.write_seconds = std::chrono::duration<double>(Clock::now() - t1).count();
  return report;
}

Ticker::Ticker(Scheduler& scheduler, std::chrono::milliseconds interval, Clock clock)
    : scheduler_(scheduler), interval_(interval), clock_(std::move(clock)) {}

Ticker::~Ticker() { Stop(); }

void Ticker::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void Ticker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Ticker::Stats Ticker::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void Ticker::Run() {
  pthread_setname_np(pthread_self(), "ct-scheduler");
  for (;;) {
    auto r = scheduler_.Tick(clock_());
    std::unique_lock<std::mutex> lock(mu_);
    ++stats_.ticks;
    if (r.ok()) {
      stats_.written += r->written;
      stats_.already += r->already;
      stats_.overtaken += r->overtaken;
      stats_.errors += r->errors.size();
      stats_.last_find_seconds = r->find_seconds;
      stats_.last_write_seconds = r->write_seconds;
      stats_.last_until = r->until;
    } else {
      ++stats_.errors;  // the index could not catch up: the next tick tries again
    }
    if (wake_.wait_for(lock, interval_, [this] { return stopping_; })) return;
  }
}

}  // namespace casetrail::scheduler
