// CaseService: the command pipeline. A command (child, action, time, parameters, actor, command
// id, optional expected version) is decided by the child's Case (workflows/) and, if accepted,
// written with everything it caused as one atomic append to the child's stream:
//
//   the action itself          type = the action ("cp.icpc_held"), journey, from/to state,
//                              machine fingerprint, payload {"params": {...}}
//   each consequence           a cross-journey rule's system action, payload {"params", "rule"}
//   each deadline effect       "deadline.scheduled" | "deadline.met" | "deadline.met_late" |
//                              "deadline.cancelled", payload {"rule", "rule_version", "due", ...}
//   each flag                  "flag.raised", payload {"text"}
//
// Replay rebuilds a Case from the actions alone (consequences, deadlines and flags are derived
// again), so the derived events are a record for projections and auditors, not an input.
//
// Thread-safety: Execute may be called concurrently; commands on one child are serialised by a
// per-child lock, different children proceed in parallel.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/event_log.hpp"
#include "replay/fold.hpp"
#include "workflows/case.hpp"

namespace casetrail::replay {

struct Command {
  std::string child_id;  // the stream is "child-<child_id>"
  std::string action;
  TimestampUs occurred_at = 0;
  std::map<std::string, std::string> params;
  Actor actor;
  std::string command_id;                     // idempotency key (recommended)
  std::optional<std::uint64_t> expected_version;  // the child's stream version the caller saw
};

struct CommandOutcome {
  bool accepted = false;
  AppendResult append;                      // when accepted (duplicate = a retried command)
  std::vector<std::string> event_types;     // what was written, in order
  workflows::CaseVerdict verdict;           // the decision (for refusals: rule and reason)
  std::map<std::string, std::string> states;   // the child's journeys after (or, refused: now)
  std::vector<std::string> allowed_actions;    // what the child's case allows now
  std::uint64_t version = 0;                   // the child's stream version now
};

class CaseService {
 public:
  explicit CaseService(EventLog& log,
                       const workflows::RuleBook& rules = workflows::RuleBook::Default());

  // InvalidArgument (bad child id, time, ...), Conflict (stale expected version), IOError; a
  // refusal by the workflows is an ok Result with accepted = false and nothing written.
  Result<CommandOutcome> Execute(const Command& command);

  // Execute without blocking on the fsync: decides on the calling thread (or, when a command on
  // the same child is still in flight, after it, on the executor), appends with
  // EventLog::AppendAsync, and calls `done` exactly once: with the outcome once the events are
  // durable, or with a refusal or an error. Commands on one child still run one at a time, in
  // the order they arrived; a retried command answers as Execute does.
  using Done = std::function<void(Result<CommandOutcome>)>;
  void ExecuteAsync(Command command, Done done);
  // Whether a command on this child would wait now (one on it, or on a child sharing its lock
  // stripe, is in flight); false means ExecuteAsync decides on the calling thread before it
  // returns. For a single caller that needs its commands appended in the order it sends them
  // (the simulator, pipelining deterministically); the answer is stale once another thread
  // sends commands.
  bool WouldWait(const std::string& child_id);
  // Where ExecuteAsync continues (the answer to a durable append, a command that waited for
  // its child): by default inline, on the log's committer thread or the thread that freed the
  // child. The HTTP server posts to its I/O threads.
  using Executor = std::function<void(std::function<void()>)>;
  void SetExecutor(Executor post) {
    std::lock_guard<std::mutex> lk(executor_mu_);
    executor_ = std::make_shared<const Executor>(std::move(post));
  }

  // The child's case as the log holds it now (from the cache, or rebuilt from the log).
  Result<workflows::Case> Load(const std::string& child_id, std::uint64_t* version = nullptr);

  // Rebuilds a case from the events of a stream (the actions, with their corrections). Corruption
  // if an action the log holds is refused on replay (the rules changed under an old stream).
  static Result<workflows::Case> Rebuild(const std::vector<RecordedEvent>& events,
                                         const workflows::RuleBook& rules);

  // Where hydrations came from (for tests and operations).
  struct HydrationStats {
    std::uint64_t from_cache = 0, from_snapshot = 0, from_log = 0;
  };
  HydrationStats hydrations() const;
  // Drops the in-memory cache (the next command on each child hydrates from a snapshot or the log).
  void ClearCache();
  // How many children's cases the cache holds at most (first in, first out beyond that); the
  // default, kDefaultCacheChildren, bounds a server's memory (a case is a few KB). A bulk
  // loader that touches more children than that in turn (the simulator) raises it: a command
  // on an evicted child rebuilds its case from a snapshot or the log first.
  static constexpr std::size_t kDefaultCacheChildren = 100000;
  void SetCacheCapacity(std::size_t children);

 private:
  using Cached = CaseState;
  // The child's case under its lock: shared with the cache (never modified in place; a
  // command decides on a copy and replaces it once durable).
  Result<std::shared_ptr<const Cached>> Hydrate(const std::string& child_id);
  // A decided command: either answered now (refused, an error, a retried command) or an append
  // to make, with the case it leads to and the answer to give once it is durable.
  struct Pending {
    AppendRequest request;
    std::optional<Cached> next;
    CommandOutcome out;
  };
  struct Decision {
    Decision(Status s) : now(Result<CommandOutcome>(std::move(s))) {}        // NOLINT: implicit on purpose
    Decision(CommandOutcome o) : now(Result<CommandOutcome>(std::move(o))) {}  // NOLINT
    Decision(Result<CommandOutcome> r) : now(std::move(r)) {}                  // NOLINT
    Decision(Pending p) : pending(std::move(p)) {}                             // NOLINT
    std::optional<Result<CommandOutcome>> now;
    Pending pending;
  };
  Decision Decide(const Command& command);  // under the child's stripe
  Decision ExecuteCorrection(const Command& command, const Cached& cached);
  Decision Prepare(const Command& command, AppendRequest request, Cached next, CommandOutcome out);
  Result<CommandOutcome> Finish(const Command& command, Pending pending, Result<AppendResult> appended);

  // One child's commands run one at a time: each child hashes to a stripe, and a stripe is
  // held from the decision until the append is durable (across threads, for ExecuteAsync).
  struct Stripe {
    std::mutex mu;
    bool busy = false;
    std::deque<std::function<void()>> waiting;  // who gets the stripe next, in arrival order
  };
  Stripe& StripeFor(const std::string& child_id);
  void Lock(Stripe& s);                                    // blocks until held
  bool TryLock(Stripe& s);                                 // holds it if free
  void LockAsync(Stripe& s, std::function<void()> run);    // runs `run` holding it, now or later
  void Unlock(Stripe& s);                                  // hands it to the next waiter
  class StripeGuard;
  void Post(std::function<void()> fn) {
    std::shared_ptr<const Executor> post;
    {
      std::lock_guard<std::mutex> lk(executor_mu_);
      post = executor_;
    }
    if (post && *post) return (*post)(std::move(fn));
    fn();
  }

  EventLog& log_;
  const workflows::RuleBook& rules_;
  std::mutex executor_mu_;
  std::shared_ptr<const Executor> executor_;
  // Commands on children that share a stripe wait for each other's fsync: many stripes.
  static constexpr std::size_t kStripes = 4096;
  Stripe stripes_[kStripes];
  mutable std::mutex cache_mu_;
  std::unordered_map<std::string, std::shared_ptr<const Cached>> cache_;
  std::deque<std::string> cache_order_;  // children in the order they entered the cache
  std::size_t cache_capacity_ = kDefaultCacheChildren;
  // Caches `c` (under cache_mu_); returns a case evicted to make room, for the caller to free
  // after unlocking.
  std::shared_ptr<const Cached> CacheLocked(const std::string& child_id, std::shared_ptr<const Cached> c);
  HydrationStats hydrations_;
};

}  // namespace casetrail::replay
