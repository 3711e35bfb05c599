// CaseService: the command pipeline. A command (child, action, time, parameters, actor, command
// id, optional expected version) is decided by the child's Case and, if accepted, written with
// everything it caused as one atomic append to the child's stream (workflows/case_events.hpp
// lists what). It is engine/command_service.hpp's generic command service over the child's case
// (workflows/case_decider.hpp), with reads that answer a Case.
//
// Replay rebuilds a Case from the actions alone (consequences, deadlines and flags are derived
// again), so the derived events are a record for projections and auditors, not an input.
//
// Thread-safety: every member may be called concurrently; commands on one child run one at a
// time in arrival order, different children proceed in parallel.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/command_service.hpp"
#include "engine/event_log.hpp"
#include "workflows/case_decider.hpp"

namespace casetrail::workflows {

class CaseService {
 public:
  explicit CaseService(EventLog& log, const RuleBook& rules = RuleBook::Default()) : svc_(log, log, rules) {}

  // InvalidArgument (bad child id, time, ...), Conflict (stale expected version), IOError; a
  // refusal by the workflows is an ok Result with accepted = false and nothing written.
  Result<CommandOutcome> Execute(const Command& command) { return svc_.Execute(command); }

  // Execute without blocking on the fsync: decides on the calling thread (or, when a command on
  // the same child is still in flight, after it, on the executor), appends with
  // EventLog::AppendAsync, and calls `done` exactly once: with the outcome once the events are
  // durable, or with a refusal or an error. Commands on one child still run one at a time, in
  // the order they arrived; a retried command answers as Execute does.
  using Done = std::function<void(Result<CommandOutcome>)>;
  void ExecuteAsync(Command command, Done done) { svc_.ExecuteAsync(std::move(command), std::move(done)); }
  // Whether a command on this child would wait now (one on it, or on a child sharing its lock
  // stripe, is in flight); false means ExecuteAsync decides on the calling thread before it
  // returns. For a single caller that needs its commands appended in the order it sends them
  // (the simulator, pipelining deterministically); the answer is stale once another thread
  // sends commands.
  bool WouldWait(const std::string& child_id) { return svc_.WouldWait(child_id); }
  // Where ExecuteAsync continues (the answer to a durable append, a command that waited for
  // its child): by default inline, on the log's committer thread or the thread that freed the
  // child. The HTTP server posts to its I/O threads.
  using Executor = std::function<void(std::function<void()>)>;
  void SetExecutor(Executor post) { svc_.SetExecutor(std::move(post)); }

  // The child's case as the log holds it now (from the cache, or rebuilt from the log). A read
  // never waits for a command in flight: it answers with the last durable state.
  Result<Case> Load(const std::string& child_id, std::uint64_t* version = nullptr);

  // Rebuilds a case from the events of a stream (the actions, with their corrections). Corruption
  // if an action the log holds is refused on replay (the rules changed under an old stream).
  static Result<Case> Rebuild(const std::vector<RecordedEvent>& events, const RuleBook& rules);

  // Where hydrations came from (for tests and operations).
  using HydrationStats = CommandService<CaseDecider>::HydrationStats;
  HydrationStats hydrations() const { return svc_.hydrations(); }
  // Drops the in-memory cache (the next command on each child hydrates from a snapshot or the log).
  void ClearCache() { svc_.ClearCache(); }
  // How many children's cases the cache holds at most (first in, first out beyond that); the
  // default, kDefaultCacheChildren, bounds a server's memory (a case is a few KB). A bulk
  // loader that touches more children than that in turn (the simulator) raises it: a command
  // on an evicted child rebuilds its case from a snapshot or the log first.
  static constexpr std::size_t kDefaultCacheChildren = CommandService<CaseDecider>::kDefaultCacheCapacity;
  void SetCacheCapacity(std::size_t children) { svc_.SetCacheCapacity(children); }

 private:
  CommandService<CaseDecider> svc_;
};

}  // namespace casetrail::workflows
