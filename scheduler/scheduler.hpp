// Scheduler: writes the events time makes happen (workflows/case.hpp, "time-driven actions")
// through the same command pipeline as every other action, as the engine itself (role
// "system"): deadline.breached when a deadline's last day ends unmet, case.age_reached on the
// birthdays the rules depend on (and, through the cross-journey rules, eligibility for leaving
// care, care-leaver status at 18 and the end of support).
//
// Exactly once. Each item has a deterministic command id (DueItem::CommandId: rule, child, due
// date; or child and age), so a restart, a second scheduler or a repeated tick never writes it
// twice: the log answers the retried command with the original append. A deadline met or moved
// before its tick is refused by the pipeline (not due) and nothing is written; one met in time
// by an action recorded after its breach gets deadline.breach_cancelled (the trail shows both).
//
// Order. After downtime the first tick catches up: every item due at or before `until`, in
// business-time order. Items due at the same instant (every breach of a day falls due at the
// same midnight) are sent together, so their appends share group commits; the next instant's
// wait for them.
//
// Thread-safety: Tick may run concurrently with commands on the same CaseService; one Tick at a
// time per Scheduler. The index is read under the caller's lock (`read_index`).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/status.hpp"
#include "scheduler/due_index.hpp"
#include "workflows/case_service.hpp"

namespace casetrail::scheduler {

struct TickReport {
  TimestampUs until = 0;
  std::uint64_t due = 0;        // items found due
  std::uint64_t written = 0;    // accepted and written now
  std::uint64_t already = 0;    // written before (a retried command id)
  std::uint64_t overtaken = 0;  // refused: met, moved or corrected before the tick
  std::vector<std::string> errors;  // "<command id>: <status>" for I/O or invalid commands
  double find_seconds = 0, write_seconds = 0;
};

class Scheduler {
 public:
  // `catch_up` brings the index to the log's head (a ViewMaintainer's CatchUp, or a runner's);
  // `read_index` runs its argument with the index readable (under the views' shared lock).
  Scheduler(workflows::CaseService& cases, DueIndex& index, std::function<Status()> catch_up,
            std::function<void(const std::function<void()>&)> read_index = nullptr);

  // Writes every item due at or before `until` that is not written yet. `until` is business
  // time: a server passes its clock; `casetrail tick --until` and the simulator theirs.
  Result<TickReport> Tick(TimestampUs until);
  // One command at a time, each decided and written before the next is sent (the simulator: a
  // log identical from run to run); by default an instant's items are sent together.
  void SetOneAtATime(bool one) { one_at_a_time_ = one; }

  static constexpr const char* kActorUser = "scheduler";

 private:
  workflows::CaseService& cases_;
  DueIndex& index_;
  std::function<Status()> catch_up_;
  std::function<void(const std::function<void()>&)> read_index_;
  bool one_at_a_time_ = false;
};

// The command the scheduler sends for an item.
workflows::Command CommandFor(const DueItem& item);

// Runs a Scheduler on a thread ("ct-scheduler"): a tick at Start (the catch-up after downtime),
// then one every `interval`, to the time `clock` reads. Stop waits for a tick in progress.
class Ticker {
 public:
  struct Stats {
    std::uint64_t ticks = 0, written = 0, already = 0, overtaken = 0, errors = 0;
    double last_find_seconds = 0, last_write_seconds = 0;
    TimestampUs last_until = 0;
  };
  Ticker(Scheduler& scheduler, std::chrono::milliseconds interval, Clock clock);
  ~Ticker();  // Stop()
  void Start();
  void Stop();
  Stats stats() const;

 private:
  void Run();
  Scheduler& scheduler_;
  const std::chrono::milliseconds interval_;
  Clock clock_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  Stats stats_;
  std::thread thread_;
};

}  // namespace casetrail::scheduler
