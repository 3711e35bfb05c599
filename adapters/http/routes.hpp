// The HTTP API's routes as one table (routes.cpp): each row a method, a path pattern, who may
// call it, and the handler that answers it. The table is the only list of routes: dispatch
// (Api::Handle and the asynchronous commands door), the 405 Allow header, the metrics labels,
// the OpenAPI document (openapi.hpp) and the docs test (every route documented in docs/api.md,
// and nothing else) all read it.
//
// Thread-safety: the table is built once and never changes; read it from any thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/http/sessions.hpp"
#include "adapters/http/tokens.hpp"

namespace casetrail::http {

class Api;
struct Request;
struct Response;
struct Route;

// Who may call a route. Role rules are checked before the handler runs (403 with the reason);
// scope rules (kChildReaders) also look at the child. docs/api.md's "Access rules" table says
// the same in words.
enum class Who {
  kAnyone,               // no token (probes: /health, /metrics); answers any method
  kSignIn,               // no token in a header: the body carries it (POST /v1/session)
  kAnyCaller,            // any valid token, whatever the role
  kRecorders,            // roles that record actions (not auditor, admin or subscriber)
  kChildReaders,         // who may see the child's record: team scope, restrictions; reads logged
  kRestrictors,          // admin, team_manager
  kCaseViewers,          // every role but subscriber (team-scoped roles: their team's part)
  kLogReaders,           // auditor, admin, subscriber
  kAuditors,             // auditor, admin
  kSubscribers,          // subscriber (live subscriptions)
  kSubscriptionUsers,    // subscriber (persistent subscriptions' events and acknowledgements)
  kSubscriptionDefiners, // subscriber, admin
  kAdmins,               // admin (reference data)
  kLadoOfficers,         // lado_officer (allegations against people who work with children)
  kAllegationReaders,    // lado_officer, auditor, admin; each read recorded in the access log
};
// The rule in words (the OpenAPI document's x-casetrail-access, and test messages).
const char* Describe(Who who);

// How the server runs a route's handler.
enum class Door {
  kWorker,  // on a worker thread (writes wait for an fsync; exports and verify read the log)
  kInline,  // on the I/O thread: answered from memory (when the views are near the head)
  kAsync,   // decided on the I/O thread, answered once durable (Route::async)
};

// One request on its way through the table: what the request asked, who asks, the route and
// its path parameters.
struct Call {
  explicit Call(const Request& r) : request(r) {}

  const Request& request;
  std::string path;                // the target before '?'
  std::string query;               // the target after '?', raw
  Principal who;                   // empty for kAnyone routes
  bool authenticated = false;      // who holds a valid token
  std::string session_id;          // set when authenticated by a session cookie
  std::optional<BrowserSession> session;  // that session
  const Route* route = nullptr;    // set once admitted
  std::vector<std::pair<std::string, std::string>> params;  // {"child", "1002"}
  std::string label = "unknown";   // the metrics label: the route's, or "unauthenticated"

  // The path parameter `name` ("child", "name"); empty if the route has none.
  const std::string& Param(std::string_view name) const;
};

struct Route {
  using Handler = Response (Api::*)(const Call&);
  using AsyncHandler = void (Api::*)(const Call&, std::function<void(Response)>);

  const char* method;   // "GET", "POST", "PUT", "DELETE"
  const char* path;     // "/v1/children/{child}/as-of": {child} and {name} are parameters
  Who who;
  const char* label;    // metrics: casetrail_http_requests_total{route="<label>"}
  // The query parameters the route accepts, space-separated; a trailing '*' marks a required
  // one ("from* to* team area"). Any other parameter is answered 400.
  const char* query;
  const char* answers;  // the status codes it answers, space-separated ("200 400 401 403")
  Door door;
  const char* summary;  // one line, as docs/api.md's heading says it
  Handler handler;
  AsyncHandler async = nullptr;  // for Door::kAsync

  // The query parameters, without '*' ({"from", true} for a required one).
  std::vector<std::pair<std::string, bool>> QueryParams() const;
  std::vector<int> Answers() const;
  // "{child}" and "{name}" in the path, in order.
  std::vector<std::string> PathParams() const;
};

// The table (routes.cpp), in docs/api.md's order.
const std::vector<Route>& Routes();

// Where a path leads in the table. `routes` are the rows whose pattern matches the path (one per
// method, in the table's order); empty when no pattern does. `bad_param` is set when a path
// parameter is malformed (whether or not any row matches: "/v1/children/a b/x" is a bad child id
// before it is an unknown route), with the label of the route the parameter belongs to.
struct PathMatch {
  std::vector<const Route*> routes;
  std::vector<std::pair<std::string, std::string>> params;
  std::optional<std::pair<std::string, std::string>> bad_param;  // {field, message}
  std::string bad_param_label;
};
PathMatch MatchPath(std::string_view path);

// "GET, PUT": the methods of the matching rows, for a 405's Allow header.
std::string AllowedMethods(const PathMatch& m);

}  // namespace casetrail::http
