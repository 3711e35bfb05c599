// The caseload simulator: children's journeys sent through the real command pipeline.
//
// Why a top-level sim/ (library casetrail_sim) and not workflows/sim/: the simulator is a client
// of the write side, not part of the rules: it drives workflows::CaseService (the pipeline:
// workflows decide, the event log records) from generated lives and documented parameters, so it
// sits above workflows/ in the dependency order (engine <- workflows <- sim <- adapters), and
// the workflows library does not carry the generator.
//
// What it does: a discrete-event simulation in global recorded-time order, with the scheduler
// ticking at every simulated midnight (its commands are recorded at that midnight). Each child's life is
// generated when its first contact comes due (sim/generator.hpp); its actions wait in one
// priority queue keyed by (recorded_at, child, action index) and are decided one at a time, in
// that order, through CaseService::ExecuteAsync (several appends in flight, see in_flight) with
// the log's clock reading the recorded time of the command being sent. Business dates are in the past, recording lags are realistic, and nothing is
// written around the machines: a refusal is a simulator bug, counted and reported (the child's
// remaining actions are then dropped, since they would build on the refused one).
//
// Determinism: single-threaded, with seeded generators, command ids "sim-<seed>-<n>" and event
// ids "sim-<seed>-e<n>" (EventLogOptions::event_ids) and the simulated clock: two runs with the
// same seed write identical logs, byte for byte (LogDigest compares them).
//
// Thread-safety: one Simulate call per log at a time; the log must be opened with the options
// from SimulationLogOptions (bulk, the simulated clock, the id source) and be empty.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/event_log.hpp"
#include "sim/params.hpp"
#include "workflows/calendar.hpp"
#include "workflows/rules.hpp"

namespace casetrail::sim {

// The simulated clock the log reads: the recorded time of the command being executed.
class SimClock {
 public:
  void Set(TimestampUs t) { now_.store(t, std::memory_order_release); }
  TimestampUs Now() const { return now_.load(std::memory_order_acquire); }

 private:
  std::atomic<TimestampUs> now_{0};
};

// Bulk (non-durable: no fsync before acknowledging; a power loss may lose the last appends, a
// process crash loses nothing), the simulated clock, and event ids "sim-<seed>-e<n>".
EventLogOptions SimulationLogOptions(std::uint64_t seed, std::shared_ptr<SimClock> clock);

struct SimOptions {
  std::uint64_t seed = 1;
  // The number of children who come to the front door for the first time in the window (each
  // may come back: re-contacts, step-ups, second plans). About 51,000 a year give Birmingham's
  // 60,000 contacts a year (K-F1); see docs/simulator.md for the open caseload this gives.
  std::uint64_t children = 1000;
  workflows::Date start;  // the first business day simulated
  int years = 1;          // the window is [start, start + years)
  // The warm start: years of history before `start` (0: an empty Trust on the start date).
  // Children arrive at the same rate before the window as in it; the lives of those still known
  // to the Trust on the start date (open then, or coming back later) are recorded as they
  // happened, at their own recorded times, with the scheduler ticking through; lives that ended
  // before the start are not written (a Trust's open cases with their histories, as a migration
  // would bring them). Long journeys (care, CP plans, proceedings, leaving care to 21 or 25) so
  // start the window at their steady-state stock. Clamped to the working-day calendar's first
  // year (HistoryStart).
  int history_years = 0;
  const Params* params = nullptr;  // nullptr: Params::Default()
  // Cases the pipeline keeps in memory (CaseService::SetCacheCapacity). Beyond it a command on
  // a child rebuilds the case from a snapshot or the log first, which made an England-sized run
  // (about a million children on the go) slow down as it went; a few KB each.
  std::size_t cache_children = 2000000;
  // Commands on their way to the log at once (1: one at a time). The log is the same for any
  // value (see Simulate); more in flight lets the log group them into fewer, larger commits.
  std::size_t in_flight = 256;
  // Drive the scheduler (scheduler/scheduler.hpp) with the simulated clock: a tick at every
  // London midnight of the window writes the breaches and birthdays a real log would hold.
  bool scheduler = true;
  int due_soon_working_days = 3;  // the scheduler's reminders (0: none)
  struct Progress {
    TimestampUs sim_now = 0;
    double fraction = 0;  // of the work: business time, a history year weighted a tenth of a window year
    std::uint64_t commands = 0, events = 0, refusals = 0, children_started = 0;
    double elapsed_s = 0;
  };
  std::function<void(const Progress&)> progress;  // about every 4,096 commands, and at the end
};

struct SimReport {
  std::uint64_t children = 0;        // children whose life began in the window
  std::uint64_t children_before = 0; // children from the history before it, still known at its start
  std::uint64_t commands_before = 0; // accepted commands recorded before the window (their histories)
  std::uint64_t contacts = 0;        // fd.contact_received recorded, dated in the window
  std::uint64_t commands = 0;        // accepted commands (with those of the history)
  std::uint64_t events = 0;          // events written (actions, consequences, deadlines, flags)
  std::uint64_t refusals = 0;        // commands the workflows refused (simulator bugs)
  std::uint64_t errors = 0;          // commands that failed (storage, invalid input)
  std::vector<std::string> problems; // the first refusals and errors, in words
  double average_open = 0;           // children open to the Trust on an average day of the window
  double average_open_last_year = 0; // ... of the window's last year (nearer the steady state)
  std::uint64_t open_at_end = 0;
  std::map<std::string, std::uint64_t> actions;  // accepted commands by action
  // The scheduler's daily ticks: events written (by action; and deadline.breach_cancelled, the
  // breaches an action recorded later withdrew), and those a late-recorded action or a
  // correction overtook before the tick (refused as not due any more).
  std::map<std::string, std::uint64_t> time_driven;
  std::uint64_t ticks = 0, time_overtaken = 0;
  // Cases the pipeline rebuilt because they were no longer cached (see cache_children).
  std::uint64_t rebuilt_from_snapshot = 0, rebuilt_from_log = 0;
  double elapsed_s = 0;
  TimestampUs start_us = 0, end_us = 0;
  TimestampUs history_from_us = 0;   // where the history begins (start_us without one)
};

// Where a history of `years` before `start` begins: start - years, but not before the
// working-day calendar's first year (the generator times every action by working days).
workflows::Date HistoryStart(workflows::Date start, int years);

// The window's end: start + years. InvalidArgument if it is after `now_us` (business dates are
// in the past), if start is before the calendar's first year, or years < 1.
Result<TimestampUs> WindowEnd(workflows::Date start, int years, TimestampUs now_us);

// Runs the simulation into `log` (empty, opened with SimulationLogOptions(o.seed, clock)).
Result<SimReport> Simulate(EventLog& log, SimClock& clock, const workflows::RuleBook& rules,
                           const SimOptions& o, TimestampUs now_us);

// SHA-256 (hex) over every event's position, stream, version and hash, in position order: equal
// digests mean identical logs (each hash covers the whole envelope and the chain before it).
Result<std::string> LogDigest(EventLog& log);

}  // namespace casetrail::sim
