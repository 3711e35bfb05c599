// What the write-side tests share: a case service command as they record it (a user named after
// the role, in a team of the north area unless told otherwise), a memory log whose clock the
// test moves, and the check that an action was accepted.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "engine/event_log.hpp"
#include "workflows/case_service.hpp"

namespace casetrail::testing {

inline workflows::Command MakeCommand(const std::string& child, const std::string& action,
                                      TimestampUs at, const std::string& role,
                                      std::map<std::string, std::string> params = {}) {
  workflows::Command c;
  c.child_id = child;
  c.action = action;
  c.occurred_at = at;
  c.actor = Actor{"u." + role, role, "north-1"};
  c.params = std::move(params);
  return c;
}

// A memory event log whose clock (what it stamps as recorded_at) the test sets: Advance moves it
// forward to record an action at its time, never back.
struct ClockedLog {
  std::atomic<TimestampUs> now;
  std::unique_ptr<EventLog> log;
  explicit ClockedLog(TimestampUs start)
      : now(start), log(OpenMemoryEventLog([this] {
          EventLogOptions o;
          o.clock = [this] { return now.load(); };
          return o;
        }())) {}
  void Advance(TimestampUs to) { now = std::max(now.load(), to); }
};

// The outcome of an action that must have been accepted (the refusal's reason in the failure).
inline workflows::CommandOutcome RequireAccepted(const Result<workflows::CommandOutcome>& r, const std::string& action) {
  REQUIRE(r.ok());
  INFO(action << ": " << r->verdict.verdict.reason);
  REQUIRE(r->accepted);
  return *r;
}

}  // namespace casetrail::testing
