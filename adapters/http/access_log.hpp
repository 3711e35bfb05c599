// The access log: privileged reads of children's records and denied requests (401, 403),
// appended to stream "access-log" with who, what and why. Auditors read it with
// GET /v1/events?stream_prefix=access-log.
//
// Appends ride on the log's next group commit (AppendAsync): a read never waits for an fsync of
// its own, and an entry may be lost if the process dies before that commit.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <string>

#include "adapters/http/tokens.hpp"
#include "engine/event_log.hpp"

namespace casetrail::http {

struct Response;

// The stream where reads of children's records by privileged roles, and denied requests, are
// recorded.
inline constexpr const char* kAccessLogStream = "access-log";

class AccessLog {
 public:
  explicit AccessLog(EventLog& log) : log_(log) {}

  // An event of `type` ("access.read", "access.denied") by `who` (an empty user: "anonymous");
  // `child` and `reason` are left out of the payload when empty.
  void Record(const Principal& who, const std::string& type, const std::string& child, const std::string& what,
              const std::string& reason);
  // A 403 answered to `what` ("GET /v1/plo"), with the error's message as the reason; any
  // other answer records nothing.
  void Forbidden(const Principal& who, const std::string& what, const Response& res);

 private:
  EventLog& log_;
};

}  // namespace casetrail::http
