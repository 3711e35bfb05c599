// The HTTP/JSON API as a function from a request to a response: no sockets here (the Beast
// server in server.cpp only moves bytes), so every route, error and access rule is tested and
// fuzzed directly. The routes are the table in routes.cpp; docs/api.md documents each route with
// an example that a test checks, and GET /v1/openapi.json serves the table as OpenAPI 3.1.
//
// Thread-safety: Handle may be called from many threads at once.
#pragma once

#include <array>
#include <atomic>
#include <thread>
#include <filesystem>
#include <functional>
#include <chrono>
#include <cstdint>
#include <optional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <shared_mutex>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/http/access_log.hpp"
#include "adapters/http/routes.hpp"
#include "adapters/http/sessions.hpp"
#include "adapters/http/ui_files.hpp"
#include "adapters/http/subscriptions.hpp"
#include "adapters/http/tokens.hpp"
#include "adapters/http/view_maintainer.hpp"
#include "engine/event_log.hpp"
#include "replay/audit.hpp"
#include "workflows/own_record.hpp"
#include "workflows/case_service.hpp"
#include "replay/projections.hpp"
#include "scheduler/scheduler.hpp"

namespace casetrail::http {

struct Request {
  std::string method;         // "GET", "POST"
  std::string target;         // "/v1/children/1002?as_of=2026-09-20"
  std::string authorization;  // the Authorization header ("Bearer ...")
  std::string body;
  std::string last_event_id;  // the Last-Event-ID header (an SSE client resuming)
  std::string cookie;         // the Cookie header (a browser's session: sessions.hpp)
  std::string csrf_token;     // the X-CSRF-Token header (required on a session's writes)
  std::string if_none_match;  // the If-None-Match header (the web UI's files: ui_files.hpp)
  std::string accept_encoding;  // the Accept-Encoding header (gzip for the web UI's files)
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
  // The scheduler (scheduler/scheduler.hpp): a tick at start, then one every `tick_interval`, to
  // the time `clock` reads; 0: no scheduler in this process (`casetrail tick` may run instead).
  std::chrono::milliseconds tick_interval{0};
  Clock clock = SystemClockUs;
  // deadline.due_soon reminders this many working days before a deadline's last day (0: none).
  int due_soon_working_days = 3;
  // A browser session's lifetime from sign-in (POST /v1/session).
  std::chrono::seconds session_lifetime = std::chrono::hours(8);
  // The web UI's static files (ui_files.hpp), served at / and /ui/...; empty: none.
  std::filesystem::path ui_dir;
};

class Api {
 public:
  Api(EventLog& log, const workflows::RuleBook& rules, Tokens& tokens, ApiOptions options = {});
  ~Api();

  Response Handle(const Request& request);

  // Whether a request is answered quickly from memory (its route's door is Door::kInline in the
  // route table: child summary, allowed actions, health, metrics, opening a subscription), so
  // that the server may answer it on its I/O thread instead of handing it to a worker (writes
  // wait for an fsync; exports and verify read much of the log). The views must be warm (Warm())
  // for that to hold, and near the head.
  bool Inline(const Request& request) const;
  // Commands (POST /v1/children/{id}/commands, Door::kAsync) need no worker thread: the server
  // calls HandleAsync on its I/O thread, the command is decided there, and `done` gets the
  // response once its events are durable, on the executor given to SetExecutor (or on the log's
  // committer thread without one). Handle answers the same requests synchronously; both go
  // through the same authentication and route table.
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
  friend const std::vector<Route>& Routes();  // the table names the handlers below

  // ---- the steps every request takes (api.cpp) ----
  // Authenticates (unless the route is public), finds the route, answers 400 for a malformed
  // path parameter, 404, 405 with Allow, and 403 when `Who` refuses; nullopt: call.route is set
  // and its handler may run. Both doors (Handle, HandleAsync) start here.
  std::optional<Response> Admit(Call& call);
  // Why `call.who` may not call the route (nullopt: they may). Logs privileged reads of a child.
  std::optional<std::string> Deny(Who who, const Call& call);
  // Counts the answer for /metrics and records a 403 to `who` in the access log.
  void Finish(const std::string& label, const Principal* who, const std::string& method, const std::string& path,
              const Response& res, std::chrono::steady_clock::time_point start);
  void Count(const std::string& route, int status, std::chrono::steady_clock::time_point start);

  // ---- handlers, one per row of the route table ----
  Response Health(const Call& c);
  // Browser sessions (api.cpp): sign in with a token, who am I, sign out.
  Response OpenSession(const Call& c);
  Response ShowSession(const Call& c);
  Response CloseSession(const Call& c);
  Response ServeMetrics(const Call& c);
  Response ServeOpenApi(const Call& c);
  // write_routes.cpp
  Response Register(const Call& c);
  Response Command(const Call& c);
  void CommandAsync(const Call& c, std::function<void(Response)> done);
  Response Restriction(const Call& c);
  // child_routes.cpp
  Response Child(const Call& c);
  Response AllowedActions(const Call& c);
  Response Chronology(const Call& c);
  Response AsOf(const Call& c);
  Response Explain(const Call& c);
  Response Export(const Call& c);
  // view_routes.cpp
  Response Plo(const Call& c);
  Response Deadlines(const Call& c);
  Response Kpis(const Call& c);
  Response Caseload(const Call& c);
  Response Teams(const Call& c);
  Response Actions(const Call& c);
  Response JourneyTables(const Call& c);
  Response Rules(const Call& c);
  Response DefineTeams(const Call& c);
  Response Events(const Call& c);
  Response Verify(const Call& c);
  // subscription_routes.cpp
  Response Subscribe(const Call& c);
  Response Changes(const Call& c);
  Response SseStream(const Call& c, bool notices);
  Response SubscriptionStatus(const Call& c);
  Response DefineSubscription(const Call& c);
  Response SubscriptionEvents(const Call& c);
  Response AckSubscription(const Call& c);

  // own_record_routes.cpp: allegations and carers
  Response AllegationCommand(const Call& c);
  Response Allegation(const Call& c);
  Response Allegations(const Call& c);
  Response CarerCommand(const Call& c);
  Response Carer(const Call& c);
  Response Carers(const Call& c);
  // A command on a record of its own (the path parameter `param` names it), and its view.
  Response RecordCommand(const Call& call, workflows::OwnRecordService& service, const std::string& param);
  Result<nlohmann::json> RecordView(const Call& call, workflows::OwnRecordService& service, const std::string& param);

  Response Execute(const workflows::Command& c);
  Response CommandAnswer(const workflows::Command& c, const Result<workflows::CommandOutcome>& out);
  // The command a POST .../commands asks for, or the error to answer (over the limit, bad JSON,
  // a child the caller may not write on).
  std::variant<workflows::Command, Response> CommandOf(const Call& call);
  // A caseload view's query, read against its route's parameters; for team-scoped roles their
  // own team's part only (403 for another team or an area), `team=` added when absent.
  using Query = std::map<std::string, std::string>;
  std::variant<Query, Response> ScopedQuery(const Call& call);
  // The child's case; NotFound when the child has no record.
  Result<workflows::Case> Record(const std::string& child, std::uint64_t* version = nullptr);

  // ---- restricted children and read scope (restrictions.cpp) ----
  // Restricted children: may `who` see this child at all? (Named users only.)
  // (*why, when given, says why not.)
  bool Restricted(const std::string& child, const Principal& who, std::string* why = nullptr);
  std::shared_ptr<const std::set<std::string>> RestrictionOf(const std::string& child);
  // Read scope: may `who` see this child's record? (Logs privileged reads and denials.)
  // as_of: the date a view of the child is asked for (INT64_MAX: now); those who held the child
  // on it may see it as it was.
  bool MaySee(const Principal& who, const std::string& child, const std::string& what, std::string* why,
              TimestampUs as_of = INT64_MAX);
  // Brings the live projections up to the log's head.
  Status CatchUp() { return maintainer_.CatchUp(); }

  EventLog& log_;
  const workflows::RuleBook& rules_;
  Tokens& tokens_;
  Sessions sessions_;
  UiFiles ui_;
  ApiOptions options_;
  workflows::CaseService cases_;
  workflows::OwnRecordService allegations_{log_, workflows::AllegationRecord(), rules_};
  workflows::OwnRecordService carers_{log_, workflows::CarerRecord(), rules_};
  replay::Audit audit_;
  AccessLog access_log_;

  std::shared_mutex views_mu_;
  replay::ChildSummaryProjection summary_;
  replay::ChronologyProjection chronology_;
  replay::DeadlinesProjection deadlines_;
  replay::PloTrackerProjection plo_;
  replay::KpiProjection kpis_;
  replay::AllegationsProjection allegations_register_;
  replay::CarersProjection carers_register_;
  // The scheduler's index (followed with the views when this process ticks; no checkpoint stored).
  scheduler::DueIndex due_{options_.due_soon_working_days};
  scheduler::Scheduler scheduler_;
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

  SubscriptionHub hub_;
  std::mutex ack_mu_;
  mutable std::mutex extra_mu_;
  std::function<std::string()> extra_metrics_;

  // Follows the views and the restriction index (view_maintainer.hpp); declared after them.
  ViewMaintainer maintainer_;
  std::unique_ptr<scheduler::Ticker> ticker_;  // when options_.tick_interval > 0

  struct Counters {
    std::mutex mu;
    std::map<std::pair<std::string, int>, std::uint64_t> requests;  // (route label, status) -> count
    std::map<std::string, double> seconds;                          // route label -> total seconds
  };
  std::unique_ptr<Counters> counters_;
};

// Restrictions of a child's record to named users live in stream "restriction-<child>".
inline constexpr const char* kRestrictionStreamPrefix = "restriction-";
// Persistent subscriptions: the definition in stream "subscription-<name>", the acknowledged
// position in checkpoint "subscription.<name>".
inline constexpr const char* kSubscriptionStreamPrefix = "subscription-";

}  // namespace casetrail::http
