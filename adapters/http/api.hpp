// The HTTP/JSON API as a function from a request to a response: no sockets here (the Beast
// server in server.cpp only moves bytes), so every route, error and access rule is tested and
// fuzzed directly. docs/api.md documents each route with an example that a test checks.
//
// Thread-safety: Handle may be called from many threads at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "adapters/http/tokens.hpp"
#include "engine/event_log.hpp"
#include "replay/audit.hpp"
#include "replay/case_service.hpp"
#include "replay/projection.hpp"

namespace casetrail::http {

struct Request {
  std::string method;         // "GET", "POST"
  std::string target;         // "/v1/children/1002?as_of=2026-09-20"
  std::string authorization;  // the Authorization header ("Bearer ...")
  std::string body;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct ApiOptions {
  std::size_t max_body_bytes = 1 << 20;  // larger bodies: 413
};

class Api {
 public:
  Api(EventLog& log, const workflows::RuleBook& rules, Tokens& tokens, ApiOptions options = {});
  ~Api();

  Response Handle(const Request& request);

  // Prometheus text: requests by route and status, latency sums, append and commit counters.
  std::string Metrics() const;

 private:
  struct Route;
  Response Dispatch(const Request& r, const Principal* who, std::string* route);
  Response Command(const std::string& child, const Request& r, const Principal& who);
  Response Child(const std::string& child, const Principal& who);
  Response Chronology(const std::string& child);
  Response AsOf(const std::string& child, const std::string& query);
  Response Explain(const std::string& child);
  Response Export(const std::string& child);
  Response Plo(const std::string& query);
  Response Deadlines(const std::string& query);
  Response Kpis(const std::string& query);
  Response Caseload();
  Response Events(const std::string& query);
  Response Verify();
  // Read scope: may `who` see this child's record? (Logs privileged reads and denials.)
  bool MaySee(const Principal& who, const std::string& child, const std::string& what, std::string* why);
  void AccessLog(const Principal& who, const std::string& type, const std::string& child, const std::string& what,
                 const std::string& reason);
  // Brings the live projections up to the log's head.
  Status CatchUp();

  EventLog& log_;
  const workflows::RuleBook& rules_;
  Tokens& tokens_;
  ApiOptions options_;
  replay::CaseService cases_;
  replay::Audit audit_;

  std::shared_mutex views_mu_;
  replay::ChildSummaryProjection summary_;
  replay::ChronologyProjection chronology_;
  replay::DeadlinesProjection deadlines_;
  replay::PloTrackerProjection plo_;
  replay::KpiProjection kpis_;
  replay::ProjectionRunner runner_;

  struct Counters;
  std::unique_ptr<Counters> counters_;
};

// The stream where reads of children's records by privileged roles, and denied requests, are
// recorded (auditors read it with GET /v1/events?stream_prefix=access-log).
inline constexpr const char* kAccessLogStream = "access-log";

}  // namespace casetrail::http
