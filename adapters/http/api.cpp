// The two doors into the API (Handle, and HandleAsync for commands) and the steps every request
// takes through the route table before its handler runs: authenticate, match the path, check the
// method, check who may call. The handlers are in *_routes.cpp.
#include "adapters/http/api.hpp"

#include <openssl/crypto.h>

#include <chrono>
#include <mutex>

#include "adapters/http/detail/respond.hpp"
#include "adapters/http/openapi.hpp"
#include "adapters/json/event_json.hpp"

namespace casetrail::http {

namespace {
constexpr const char* kInvalidToken = "the token is not valid (unknown or revoked)";
}  // namespace

using namespace detail;
namespace cj = casetrail::json;

Api::Api(EventLog& log, const workflows::RuleBook& rules, Tokens& tokens, ApiOptions options)
    : log_(log),
      rules_(rules),
      tokens_(tokens),
      sessions_(options.session_lifetime),
      ui_(options.ui_dir),
      options_(options),
      cases_(log, rules),
      audit_(log, rules),
      access_log_(log),
      scheduler_(cases_, due_, [this] { return CatchUp(); },
                 [this](const std::function<void()>& read) {
                   std::shared_lock<std::shared_mutex> lock(views_mu_);
                   read();
                 }),
      hub_(log, options.subscriptions),
      // The scheduler's index is followed only when this process ticks (no work without it).
      maintainer_(log, views_mu_,
                  options.tick_interval.count() > 0
                      ? std::vector<replay::Projection*>{&summary_, &chronology_, &deadlines_, &plo_, &kpis_,
                                                         &allegations_register_, &carers_register_, &due_,
                                                         &restriction_index_}
                      : std::vector<replay::Projection*>{&summary_, &chronology_, &deadlines_, &plo_, &kpis_,
                                                         &allegations_register_, &carers_register_, &restriction_index_},
                  {&summary_, &chronology_, &deadlines_, &plo_, &kpis_, &allegations_register_, &carers_register_},
                  [this] {
                    if (restriction_index_.position() >= startup_head_) index_complete_ = true;
                  }),
      counters_(std::make_unique<Counters>()) {
  startup_head_ = log_.HeadPosition();
  cases_.SetCacheCapacity(options_.cache_children);
  maintainer_.Start();
  if (options_.tick_interval.count() > 0) {
    ticker_ = std::make_unique<scheduler::Ticker>(scheduler_, options_.tick_interval, options_.clock);
    ticker_->Start();
  }
}

Api::~Api() {
  StopMaintainer();
  hub_.Stop();
}

void Api::StopMaintainer() {
  if (ticker_) ticker_->Stop();  // its ticks catch the views up: stop it first
  maintainer_.Stop();
}

void Api::StopStreams() { hub_.Stop(); }

Status Api::Warm() { return CatchUp(); }

bool Api::Inline(const Request& r) const {
  if (r.method != "GET") return false;
  // Far behind (the maintainer is catching up after a burst of writes): a read may have to
  // catch up itself, so it goes to a worker rather than hold up an I/O thread.
  if (maintainer_.position() + 4096 < log_.HeadPosition()) return false;
  for (const Route* route : MatchPath(r.target.substr(0, r.target.find('?'))).routes) {
    if (route->method == r.method) return route->door == Door::kInline;
  }
  return false;
}

bool Api::Async(const Request& r) const {
  if (r.method != "POST") return false;
  const PathMatch m = MatchPath(r.target.substr(0, r.target.find('?')));
  if (m.bad_param) return false;
  for (const Route* route : m.routes) {
    if (route->method == r.method) return route->door == Door::kAsync;
  }
  return false;
}

Response Api::Handle(const Request& r) {
  const auto start = std::chrono::steady_clock::now();
  if (ui_.enabled()) {
    const std::string_view path = std::string_view(r.target).substr(0, r.target.find('?'));
    if (UiFiles::IsUiPath(path)) {
      Response res = ui_.Serve(r, path);
      Finish("ui", nullptr, r.method, std::string(path), res, start);
      return res;
    }
  }
  Call call{r};
  std::optional<Response> refused = Admit(call);
  Response res = refused ? std::move(*refused) : (this->*call.route->handler)(call);
  Finish(call.label, call.authenticated ? &call.who : nullptr, r.method, call.path, res, start);
  return res;
}

void Api::HandleAsync(const Request& r, std::function<void(Response)> done) {
  const auto start = std::chrono::steady_clock::now();
  Call call{r};
  std::optional<Response> refused = Admit(call);
  if (refused || !call.route->async) {
    Response res = refused ? std::move(*refused) : (this->*call.route->handler)(call);
    Finish(call.label, call.authenticated ? &call.who : nullptr, r.method, call.path, res, start);
    return done(std::move(res));
  }
  (this->*call.route->async)(call, [this, start, label = call.label, who = call.who, method = r.method,
                                    path = call.path, done = std::move(done)](Response res) {
    Finish(label, &who, method, path, res, start);
    done(std::move(res));
  });
}

std::optional<Response> Api::Admit(Call& call) {
  const Request& r = call.request;
  const auto q = r.target.find('?');
  call.path = r.target.substr(0, q);
  call.query = q == std::string::npos ? "" : r.target.substr(q + 1);
  PathMatch m = MatchPath(call.path);
  // Probes: no token, and whatever the method.
  if (!m.routes.empty() && m.routes.front()->who == Who::kAnyone) {
    call.route = m.routes.front();
    call.label = call.route->label;
    return std::nullopt;
  }
  // Signing in: the token is in the body (the handler checks it).
  for (const Route* route : m.routes) {
    if (route->who == Who::kSignIn && route->method == r.method) {
      call.route = route;
      call.label = route->label;
      return std::nullopt;
    }
  }

  // A bearer token, or else a browser's session cookie (sessions.hpp).
  const std::string bearer = "Bearer ";
  std::optional<Principal> who;
  std::string why_not = "an Authorization: Bearer <token> header (or a session cookie from POST /v1/session) is required";
  if (!r.authorization.empty()) {
    if (r.authorization.rfind(bearer, 0) == 0) who = tokens_.Authenticate(r.authorization.substr(bearer.size()));
    why_not = kInvalidToken;
  } else if (std::string id = CookieValue(r.cookie, kSessionCookie); !id.empty()) {
    if (auto session = sessions_.Find(id, options_.clock())) {
      who = tokens_.Authenticate(session->token);
      if (who) {
        call.session_id = std::move(id);
        call.session = std::move(session);
      } else {
        sessions_.Close(id);  // its token was revoked: the session ends with it
      }
    }
    if (!who) why_not = "the session has ended (expired, signed out, or its token revoked): sign in again";
  }
  if (!who) {
    call.label = "unauthenticated";
    Response res = JsonResponse(401, Json{{"error", {{"code", "unauthenticated"}, {"message", why_not}}}});
    res.headers.push_back({"WWW-Authenticate", "Bearer"});
    access_log_.Record(Principal{}, "access.denied", "", r.method + " " + call.path, "unauthenticated");
    return res;
  }
  call.who = std::move(*who);
  call.authenticated = true;
  // A session's writes carry its CSRF token (a page of another site cannot read it).
  if (call.session && r.method != "GET" && r.method != "HEAD") {
    const std::string& want = call.session->csrf;
    const std::string& got = r.csrf_token;
    if (got.size() != want.size() || CRYPTO_memcmp(got.data(), want.data(), want.size()) != 0) {
      call.label = m.routes.empty() ? "unknown" : m.routes.front()->label;
      access_log_.Record(call.who, "access.denied", "", r.method + " " + call.path, "csrf");
      return JsonResponse(403, Json{{"error", {{"code", "csrf"},
                                               {"message", "a write made with a session cookie needs the session's CSRF "
                                                           "token in the X-CSRF-Token header (GET /v1/session gives it)"}}}});
    }
  }

  if (m.bad_param) {
    call.label = m.bad_param_label;
    return Error(Status::InvalidArgument(m.bad_param->first, m.bad_param->second));
  }
  if (m.routes.empty()) {
    call.label = "unknown";
    return Error(Status::NotFound("no route " + call.path));
  }
  call.label = m.routes.front()->label;
  for (const Route* route : m.routes) {
    if (route->method == r.method) call.route = route;
  }
  if (!call.route) return MethodNotAllowed(r.method, AllowedMethods(m));
  call.params = std::move(m.params);
  if (auto why = Deny(call.route->who, call)) return Error(Status::Forbidden(*why));
  return std::nullopt;
}

std::optional<std::string> Api::Deny(Who who, const Call& call) {
  const std::string& role = call.who.role;
  auto global_log = [&] { return "the global log is for auditors, admins and subscriber services (not " + role + ")"; };
  auto persistent = [&] {
    return "persistent subscriptions are for subscriber services (and admins, to define them); not " + role;
  };
  switch (who) {
    case Who::kAnyone:
    case Who::kSignIn:
    case Who::kAnyCaller:
      return std::nullopt;
    case Who::kRecorders:
      if (NeverWrites(role)) return "role " + role + " never records actions";
      return std::nullopt;
    case Who::kChildReaders: {
      const std::string what = std::string_view(call.route->label) == "child" ? "summary" : call.route->label;
      std::string why;
      TimestampUs as_of = INT64_MAX;  // the as-of view: scope on the date asked too
      std::map<std::string, std::string> q;
      std::string bad;
      if (what == "as-of" && ParseQuery(call.query, &q, &bad) && q.count("as_of")) {
        if (auto t = cj::ParseAsOf(q["as_of"], "as_of"); t.ok()) as_of = *t;
      }
      if (!MaySee(call.who, call.Param("child"), what, &why, as_of)) return why;
      return std::nullopt;
    }
    case Who::kRestrictors:
      if (role == "admin" || role == "team_manager") return std::nullopt;
      return "only an admin or a team manager restricts a child's record (not " + role + ")";
    case Who::kCaseViewers:
      if (role == "subscriber") return "role subscriber may only read events";
      return std::nullopt;
    case Who::kLogReaders:
      if (role == "auditor" || role == "admin" || role == "subscriber") return std::nullopt;
      return global_log();
    case Who::kAuditors:
      if (role == "subscriber") return "role subscriber may only read events";
      if (role == "auditor" || role == "admin") return std::nullopt;
      return global_log();
    case Who::kSubscribers:
      if (role == "subscriber") return std::nullopt;
      return "subscriptions are for subscriber services (role subscriber, not " + role + ")";
    case Who::kSubscriptionUsers:
      if (role == "subscriber") return std::nullopt;
      return persistent();
    case Who::kSubscriptionDefiners:
      if (role == "subscriber" || role == "admin") return std::nullopt;
      return persistent();
    case Who::kAdmins:
      if (role == "admin") return std::nullopt;
      return "the Trust's reference data is defined by admins (not " + role + ")";
    case Who::kLadoOfficers:
      if (role == "lado_officer") return std::nullopt;
      return "allegations against people who work with children are recorded by the LADO team (role lado_officer, not " +
             role + ")";
    case Who::kAllegationReaders:
      if (role == "lado_officer" || role == "auditor" || role == "admin") return std::nullopt;
      return "allegations against people who work with children are read only by the LADO team and auditors (not " +
             role + ")";
  }
  return "unknown access rule";
}

void Api::Finish(const std::string& label, const Principal* who, const std::string& method, const std::string& path,
                 const Response& res, std::chrono::steady_clock::time_point start) {
  if (who && res.status == 403) access_log_.Forbidden(*who, method + " " + path, res);
  Count(label, res.status, start);
}

Response Api::Health(const Call&) {
  return JsonResponse(200, Json{{"status", "ok"}, {"head_position", log_.HeadPosition()}});
}

// ---- browser sessions (sessions.hpp) ------------------------------------------------------------

namespace {
std::string SessionCookie(const std::string& id, std::chrono::seconds max_age) {
  return std::string(kSessionCookie) + "=" + id + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
         std::to_string(max_age.count());
}
Json SessionJson(const Principal& who, const BrowserSession* s) {
  Json out{{"user", who.user}, {"role", who.role}, {"team", who.team}};
  if (s) {
    out["csrf_token"] = s->csrf;
    out["expires_at"] = json::FormatTime(s->expires_at);
  }
  return out;
}
}  // namespace

Response Api::OpenSession(const Call& call) {
  const Request& r = call.request;
  if (auto over = OverLimit(r, options_.max_body_bytes)) return *over;
  if (Status s = NoQuery(call); !s.ok()) return Error(s);
  auto doc = ParseBody(r.body, {"token"});
  if (!doc.ok()) return Error(doc.status());
  std::string token;
  if (Status s = StringField(*doc, "token", 256, &token); !s.ok()) return Error(s);
  if (token.empty()) return Error(Status::InvalidArgument("token", "is required: the bearer token to sign in with"));
  auto who = tokens_.Authenticate(token);
  if (!who) {
    access_log_.Record(Principal{}, "access.denied", "", r.method + " " + call.path, "sign-in with an invalid token");
    return JsonResponse(401, Json{{"error", {{"code", "unauthenticated"},
                                             {"message", kInvalidToken}}}});
  }
  auto [id, session] = sessions_.Open(token, options_.clock());
  Response res = JsonResponse(201, SessionJson(*who, &session));
  res.headers.push_back({"Set-Cookie", SessionCookie(id, sessions_.lifetime())});
  res.headers.push_back({"Cache-Control", "no-store"});
  return res;
}

Response Api::ShowSession(const Call& call) {
  if (Status s = NoQuery(call); !s.ok()) return Error(s);
  Response res = JsonResponse(200, SessionJson(call.who, call.session ? &*call.session : nullptr));
  res.headers.push_back({"Cache-Control", "no-store"});
  return res;
}

Response Api::CloseSession(const Call& call) {
  if (Status s = NoQuery(call); !s.ok()) return Error(s);
  sessions_.Close(call.session_id);
  Response res = JsonResponse(200, Json{{"signed_out", !call.session_id.empty()}});
  res.headers.push_back({"Set-Cookie", SessionCookie("", std::chrono::seconds(0))});
  return res;
}

Response Api::ServeOpenApi(const Call& call) {
  static const std::string kDocument = OpenApiDocument().dump();
  if (Status s = NoQuery(call); !s.ok()) return Error(s);
  Response res;
  res.body = kDocument;
  return res;
}

}  // namespace casetrail::http
