// The HTTP/JSON API as a function from a request to a response: no sockets here (the Beast
// server in server.cpp only moves bytes), so every route, error and access rule is tested and
// fuzzed directly. docs/api.md documents each route with an example that a test checks.
//
// Thread-safety: Handle may be called from many threads at once.
#pragma once

#include <array>
#include <atomic>
#include <thread>
#include <functional>
#include <cstdint>
#include <memory>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <shared_mutex>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "adapters/http/subscriptions.hpp"
#include "adapters/http/tokens.hpp"
#include "engine/event_log.hpp"
#include "replay/audit.hpp"
#include "workflows/case_service.hpp"
#include "replay/projections.hpp"

namespace casetrail::http {

struct Request {
  std::string method;         // "GET", "POST"
  std::string target;         // "/v1/children/1002?as_of=2026-09-20"
  std::string authorization;  // the Authorization header ("Bearer ...")
  std::string body;
  std::string last_event_id;  // the Last-Event-ID header (an SSE client resuming)
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Set for a subscription (text/event-stream): the server sends the headers, then whatever
  // the subscription yields, until it ends or the client goes away.
  std::shared_ptr<Subscription> stream;
};

struct ApiOptions {
  std::size_t max_body_bytes = 1 << 20;  // larger bodies: 413
  HubOptions subscriptions;
  // Children's cases the command pipeline keeps in memory (a few KB each); a command on another
  // child rebuilds its case from a snapshot and the tail first.
  std::size_t cache_children = workflows::CaseService::kDefaultCacheChildren;
};

class Api {
 public:
  Api(EventLog& log, const workflows::RuleBook& rules, Tokens& tokens, ApiOptions options = {});
  ~Api();

  Response Handle(const Request& request);

  // Whether a request is answered quickly from memory (child summary, allowed actions, health,
  // metrics, opening a subscription), so that the server may answer it on its I/O thread instead
  // of handing it to a worker (writes wait for an fsync; exports and verify read much of the log).
  // The views must be warm (Warm()) for that to hold.
  bool Inline(const Request& request) const;
  // Commands (POST /v1/children/{id}/commands) need no worker thread: the server calls
  // HandleAsync on its I/O thread, the command is decided there, and `done` gets the response
  // once its events are durable, on the executor given to SetExecutor (or on the log's
  // committer thread without one). Handle answers the same requests synchronously.
  bool Async(const Request& request) const;
  void HandleAsync(const Request& request, std::function<void(Response)> done);
  void SetExecutor(workflows::CaseService::Executor post) { cases_.SetExecutor(std::move(post)); }
  // Brings the live views up to the log's head (the server calls it before listening).
  Status Warm();

  // Prometheus text: requests by route and status, latency sums, append and commit counters,
  // subscribers and their lag, and whatever `extra_metrics` adds (e.g. the Kafka relay).
  std::string Metrics() const;
  void SetExtraMetrics(std::function<std::string()> extra);

  // Ends every subscription (queued frames are still sent); the server calls it when stopping.
  void StopStreams();
  // Stops the thread that keeps the views near the head and stores their checkpoints; the
  // server calls it once no request runs, before the log is closed (the destructor does too).
  void StopMaintainer();

 private:
  struct Route;
  Response Dispatch(const Request& r, const Principal* who, std::string* route);
  Response Command(const std::string& child, const Request& r, const Principal& who);
  Response Child(const std::string& child, const Principal& who);
  Response Chronology(const std::string& child);
  Response AsOf(const std::string& child, const std::string& query);
  Response Explain(const std::string& child);
  Response Export(const std::string& child);
  Response Plo(const std::string& query, const Principal& who);
  Response Deadlines(const std::string& query, const Principal& who);
  Response Kpis(const std::string& query);
  Response Caseload(const std::string& query);
  Response Events(const std::string& query, const Principal& who);
  Response Verify();
  Response Register(const Request& r, const Principal& who);
  Response AllowedActions(const std::string& child, const Principal& who);
  Response Restriction(const std::string& child, const Request& r, const Principal& who);
  Response Subscribe(const std::string& query, const Request& r, const Principal& who);
  Response Subscriptions(const std::string& rest, const Request& r, const Principal& who);
  Response Execute(const workflows::Command& c);
  Response CommandAnswer(const workflows::Command& c, const Result<workflows::CommandOutcome>& out);
  // The command a POST .../commands asks for, or the error to answer (over the limit, a role
  // that never writes, bad JSON, a child the caller may not write on).
  std::variant<workflows::Command, Response> CommandOf(const std::string& child, const Request& r, const Principal& who);
  void Count(const std::string& route, int status, std::chrono::steady_clock::time_point start);
  void LogDenied(const Principal& who, const Request& r, const Response& res);
  // The child's case; NotFound when the child has no record.
  Result<workflows::Case> Record(const std::string& child, std::uint64_t* version = nullptr);
  // The live views, in the order they are caught up.
  std::array<replay::Projection*, 5> Views();
  // Restricted children: may `who` see this child at all? (Named users only.)
  // (*why, when given, says why not.)
  bool Restricted(const std::string& child, const Principal& who, std::string* why = nullptr);
  std::shared_ptr<const std::set<std::string>> RestrictionOf(const std::string& child);
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
  workflows::CaseService cases_;
  replay::Audit audit_;

  std::shared_mutex views_mu_;
  replay::ChildSummaryProjection summary_;
  replay::ChronologyProjection chronology_;
  replay::DeadlinesProjection deadlines_;
  replay::PloTrackerProjection plo_;
  replay::KpiProjection kpis_;
  replay::ProjectionRunner runner_;
  std::mutex restrictions_mu_;
  std::uint64_t restrictions_generation_ = 0;  // bumped by every restriction written
  // child -> named users (nullptr: not restricted); a cache of the restriction streams' last events
  std::unordered_map<std::string, std::shared_ptr<const std::set<std::string>>> restrictions_;
  // The children that have (or had) a restriction stream, so that most checks need no lookup:
  // from the log (followed with the views) and from the restrictions this process writes (it is
  // the only writer). Trusted once it has followed the log past the head at start-up.
  class RestrictionIndex final : public replay::Projection {
   public:
    explicit RestrictionIndex(Api& api) : api_(api) {}
    const char* name() const override { return "restriction_index"; }
    int version() const override { return 1; }
    void Apply(const EventView& e) override;
    void Reset() override {}
    std::string Serialize() const override { return {}; }

   private:
    Api& api_;
  };
  RestrictionIndex restriction_index_{*this};
  std::unordered_set<std::string> ever_restricted_;  // under restrictions_mu_
  std::uint64_t startup_head_ = 0;
  std::atomic<bool> index_complete_{false};
  // The views and the restriction index, as the runner follows them.
  std::array<replay::Projection*, 6> Followed();
  void NoteFollowed();  // under views_mu_, after following

  SubscriptionHub hub_;
  std::mutex ack_mu_;
  mutable std::mutex extra_mu_;
  std::function<std::string()> extra_metrics_;

  // Keeps the views close to the head in small steps, so that a read rarely has much to catch
  // up on (and never holds the views' lock for long).
  void MaintainViews();
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> views_position_{0};  // where the views are (all at least here)
  std::thread maintainer_;

  struct Counters;
  std::unique_ptr<Counters> counters_;
};

// The stream where reads of children's records by privileged roles, and denied requests, are
// recorded (auditors read it with GET /v1/events?stream_prefix=access-log).
inline constexpr const char* kAccessLogStream = "access-log";
// Restrictions of a child's record to named users live in stream "restriction-<child>".
inline constexpr const char* kRestrictionStreamPrefix = "restriction-";
// Persistent subscriptions: the definition in stream "subscription-<name>", the acknowledged
// position in checkpoint "subscription.<name>".
inline constexpr const char* kSubscriptionStreamPrefix = "subscription-";

}  // namespace casetrail::http
