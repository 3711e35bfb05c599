#include "adapters/http/api.hpp"

#include <pthread.h>

#include <nlohmann/json.hpp>

#include <array>
#include <cctype>
#include <cstdio>
#include <optional>
#include <chrono>
#include <tuple>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "adapters/json/command_json.hpp"
#include "adapters/json/event_json.hpp"
#include "engine/hash.hpp"
#include "workflows/snapshots.hpp"
#include "workflows/calendar.hpp"
#include "workflows/registry.hpp"

namespace casetrail::http {
namespace {

using Json = nlohmann::json;
namespace cj = casetrail::json;

// Roles whose reads are limited to their own team's children (or children they recorded on).
const std::set<std::string> kTeamScoped = {"social_worker", "team_manager", "early_help_worker",
                                           "early_help_manager", "personal_adviser"};
// Roles that read across teams; their reads of a child's record are logged.
bool Privileged(const std::string& role) { return !kTeamScoped.count(role) && role != "subscriber"; }

Response JsonResponse(int status, const Json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);  // bad UTF-8 in a quoted input: U+FFFD
  return r;
}

int HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case Status::Code::kInvalidArgument: return 400;
    case Status::Code::kForbidden: return 403;
    case Status::Code::kNotFound: return 404;
    case Status::Code::kConflict: return 409;
    case Status::Code::kRejected: return 422;
    case Status::Code::kUnavailable: return 503;
    default: return 500;
  }
}

Response Error(const Status& s) { return JsonResponse(HttpStatusFor(s), Json{{"error", cj::ToJson(s)}}); }

// "a=1&b=x%20y" -> {a: 1, b: "x y"}; false on bad percent-encoding.
bool ParseQuery(std::string_view q, std::map<std::string, std::string>* out, std::string* bad) {
  auto decode = [](std::string_view s, std::string* to) {
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '+') {
        *to += ' ';
      } else if (s[i] == '%') {
        if (i + 2 >= s.size()) return false;
        int v = 0;
        for (int k = 1; k <= 2; ++k) {
          const char c = s[i + k];
          v <<= 4;
          if (c >= '0' && c <= '9') v |= c - '0';
          else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
          else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
          else return false;
        }
        *to += static_cast<char>(v);
        i += 2;
      } else {
        *to += s[i];
      }
    }
    return true;
  };
  while (!q.empty()) {
    auto amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (part.empty()) continue;
    auto eq = part.find('=');
    std::string k, v;
    if (!decode(part.substr(0, eq), &k) || (eq != std::string_view::npos && !decode(part.substr(eq + 1), &v))) {
      *bad = std::string(part);
      return false;
    }
    (*out)[k] = v;
  }
  return true;
}

// A child id in a path: letters, digits, '.', '_' and '-', at most 128 (no traversal, no spaces).
bool ValidChildId(const std::string& id) {
  if (id.empty() || id.size() > 128 || id == "." || id == "..") return false;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
  }
  return true;
}

bool OneOf(const std::string& key, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed) {
    if (key == a) return true;
  }
  return false;
}

Status OnlyParams(const std::map<std::string, std::string>& q, std::initializer_list<const char*> allowed) {
  for (const auto& [k, v] : q) {
    if (!OneOf(k, allowed)) return Status::InvalidArgument(k, "is not a query parameter of this route");
  }
  return Status::Ok();
}

// A route's query: percent-decoded, and only the parameters the route knows.
Status ReadQuery(std::string_view query, std::initializer_list<const char*> allowed,
                 std::map<std::string, std::string>* out) {
  std::string bad;
  if (!ParseQuery(query, out, &bad)) return Status::InvalidArgument(bad, "is not valid percent-encoding");
  return OnlyParams(*out, allowed);
}

// The query's as_of (a date means the end of that London day), or now.
Result<TimestampUs> AsOfOrNow(const std::map<std::string, std::string>& q) {
  auto it = q.find("as_of");
  if (it == q.end()) return SystemClockUs();
  return cj::ParseAsOf(it->second, "as_of");
}

Json ActiveStates(const std::map<std::string, std::string>& states) {
  Json j = Json::object();
  for (const auto& [journey, state] : states) {
    if (!replay::IsInitialState(journey, state)) j[journey] = state;
  }
  return j;
}

// A JSON string as nlohmann::json's compact dump writes it (the escapes it uses; anything
// beyond ASCII goes through the library, which also replaces invalid UTF-8).
void AppendJsonString(std::string* out, std::string_view v) {
  for (unsigned char ch : v) {
    if (ch >= 0x80) {
      out->append(Json(std::string(v)).dump(-1, ' ', false, Json::error_handler_t::replace));
      return;
    }
  }
  out->push_back('"');
  for (char ch : v) {
    switch (ch) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(ch)));
          out->append(buf);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

void AppendJsonStrings(std::string* out, const std::vector<std::string>& v) {
  out->push_back('[');
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(out, v[i]);
  }
  out->push_back(']');
}

// The answer to an accepted command, written straight into the body: the same bytes as the
// compact dump of the JSON object with these keys (which sorts them), without building one on
// the busiest route. tests/adapters/test_http_api.cpp checks the body is canonical.
std::string AcceptedAnswer(const workflows::Command& c, const workflows::CommandOutcome& out) {
  const auto& v = out.verdict;
  const auto& a = out.append;
  std::string b;
  b.reserve(256 + 32 * out.allowed_actions.size());
  b.append("{\"accepted\":true,\"allowed_actions\":");
  AppendJsonStrings(&b, out.allowed_actions);
  b.append(",\"append\":{\"duplicate\":").append(a.duplicate ? "true" : "false");
  b.append(",\"first_position\":").append(std::to_string(a.first_position));
  b.append(",\"first_version\":").append(std::to_string(a.first_version));
  b.append(",\"last_position\":").append(std::to_string(a.last_position));
  b.append(",\"last_version\":").append(std::to_string(a.last_version));
  b.append(",\"recorded_at\":");
  AppendJsonString(&b, cj::FormatTime(a.recorded_at));
  b.append(",\"stream\":");
  AppendJsonString(&b, a.stream);
  b.append("},\"child\":");
  AppendJsonString(&b, c.child_id);
  b.append(",\"events\":");
  AppendJsonStrings(&b, out.event_types);
  b.append(",\"from_state\":");
  AppendJsonString(&b, v.verdict.from_state);
  b.append(",\"journey\":");
  AppendJsonString(&b, v.journey);
  b.append(",\"states\":{");
  bool first = true;
  for (const auto& [journey, state] : out.states) {  // a std::map: sorted, as the dump sorts
    if (replay::IsInitialState(journey, state)) continue;
    if (!first) b.push_back(',');
    first = false;
    AppendJsonString(&b, journey);
    b.push_back(':');
    AppendJsonString(&b, state);
  }
  b.append("},\"to_state\":");
  AppendJsonString(&b, v.verdict.to_state);
  b.append(",\"version\":").append(std::to_string(out.version)).push_back('}');
  return b;
}

// A JSON body for the small admin routes: an object with only these fields.
Result<Json> ParseBody(const std::string& body, std::initializer_list<const char*> allowed) {
  Json doc = Json::parse(body, nullptr, false);
  if (doc.is_discarded()) return Status::InvalidArgument("body", "is not valid JSON");
  if (!doc.is_object()) return Status::InvalidArgument("body", "must be a JSON object");
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (!OneOf(it.key(), allowed)) return Status::InvalidArgument(it.key(), "is not a field of this request");
  }
  return doc;
}

// An optional string field of at most `max` bytes.
Status StringField(const Json& doc, const char* key, std::size_t max, std::string* out) {
  if (!doc.contains(key)) return Status::Ok();
  if (!doc[key].is_string()) return Status::InvalidArgument(key, "must be a string");
  *out = doc[key].get<std::string>();
  if (out->size() > max) return Status::InvalidArgument(key, "is longer than " + std::to_string(max) + " bytes");
  return Status::Ok();
}

// A whole number in text (a query parameter or header), at most `max`.
Result<std::uint64_t> Number(const std::string& v, const std::string& field, std::uint64_t max) {
  if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos || std::stoull(v) > max) {
    return Status::InvalidArgument(field, "must be a whole number up to " + std::to_string(max));
  }
  return std::stoull(v);
}

// Roles that read or subscribe but never record actions.
bool NeverWrites(const std::string& role) { return role == "auditor" || role == "subscriber" || role == "admin"; }

// A body over the limit (the server refuses it before the API; this covers direct callers).
std::optional<Response> OverLimit(const Request& r, std::size_t limit) {
  if (r.body.size() <= limit) return std::nullopt;
  return JsonResponse(413, Json{{"error", {{"code", "too_large"},
                                           {"message", "the body is " + std::to_string(r.body.size()) +
                                                           " bytes; the limit is " + std::to_string(limit)}}}});
}

Response MethodNotAllowed(const std::string& method, const char* allowed) {
  Response res = JsonResponse(405, Json{{"error", {{"code", "method_not_allowed"},
                                                   {"message", method + " is not allowed here (use " + allowed + ")"}}}});
  res.headers.push_back({"Allow", allowed});
  return res;
}

// The `heartbeat` query parameter (seconds); zero (the hub's default) when absent.
Result<std::chrono::milliseconds> HeartbeatOf(std::map<std::string, std::string>& q) {
  if (!q.count("heartbeat")) return std::chrono::milliseconds(0);
  auto h = Number(q["heartbeat"], "heartbeat", 300);
  if (!h.ok() || *h == 0) return Status::InvalidArgument("heartbeat", "must be 1 to 300 seconds");
  return std::chrono::milliseconds(std::chrono::seconds(*h));
}

// The answer that hands a subscription to the server to stream.
Response StreamResponse(std::shared_ptr<Subscription> s) {
  Response res;
  res.content_type = "text/event-stream";
  res.headers.push_back({"Cache-Control", "no-cache"});
  res.stream = std::move(s);
  return res;
}

Json FilterJson(const SubscriptionFilter& f) {
  return Json{{"type_prefix", f.type_prefix}, {"stream_prefix", f.stream_prefix}, {"journey", f.journey}, {"team", f.team}};
}

}  // namespace

struct Api::Counters {
  std::mutex mu;
  std::map<std::pair<std::string, int>, std::uint64_t> requests;  // (route, status) -> count
  std::map<std::string, double> seconds;                          // route -> total seconds
};

Api::Api(EventLog& log, const workflows::RuleBook& rules, Tokens& tokens, ApiOptions options)
    : log_(log),
      rules_(rules),
      tokens_(tokens),
      options_(options),
      cases_(log, rules),
      audit_(log, rules),
      runner_(log),
      hub_(log, options.subscriptions),
      counters_(std::make_unique<Counters>()) {
  startup_head_ = log_.HeadPosition();
  cases_.SetCacheCapacity(options_.cache_children);
  maintainer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "ct-views");
    MaintainViews();
  });
}

void Api::RestrictionIndex::Apply(const EventView& e) {
  constexpr std::string_view kPrefix = kRestrictionStreamPrefix;
  if (!e.stream.starts_with(kPrefix)) return;
  std::lock_guard<std::mutex> lk(api_.restrictions_mu_);
  api_.ever_restricted_.emplace(e.stream.substr(kPrefix.size()));
}

std::array<replay::Projection*, 6> Api::Followed() {
  return {&summary_, &chronology_, &deadlines_, &plo_, &kpis_, &restriction_index_};
}

void Api::NoteFollowed() {
  views_position_ = summary_.position();
  if (restriction_index_.position() >= startup_head_) index_complete_ = true;
}

Api::~Api() {
  StopMaintainer();
  hub_.Stop();
}

void Api::StopMaintainer() {
  stopping_ = true;
  if (maintainer_.joinable()) maintainer_.join();
}

void Api::StopStreams() { hub_.Stop(); }

void Api::MaintainViews() {
  constexpr std::uint64_t kStep = 512;  // events per lock hold (a few milliseconds)
  // Under a stream of writes, waiting a little lets one scan take many events (a scan and its
  // iterator cost more than a few events); views stay within ~10 ms of the head.
  constexpr auto kBatchWait = std::chrono::milliseconds(10);
  constexpr auto kCheckpointEvery = std::chrono::seconds(1);  // a checkpoint is a write
  auto checkpointed = std::chrono::steady_clock::now() - kCheckpointEvery;
  bool dirty = true;  // Warm() caught up without storing them
  while (!stopping_) {
    std::uint64_t at;
    {
      std::shared_lock lk(views_mu_);
      at = summary_.position();
    }
    const auto now = std::chrono::steady_clock::now();
    if (dirty && now - checkpointed >= kCheckpointEvery) {
      std::unique_lock lk(views_mu_);
      if (runner_.StoreCheckpoints(Views()).ok()) dirty = false;
      checkpointed = now;
    }
    if (log_.WaitForPosition(at, std::chrono::milliseconds(100)) <= at) continue;
    if (log_.HeadPosition() < at + kStep) std::this_thread::sleep_for(kBatchWait);
    std::unique_lock lk(views_mu_);
    // A read error is retried on the next turn (and reported by reads).
    if (runner_.CatchUpAll(Followed(), kStep, false).ok()) dirty = true;
    NoteFollowed();
  }
  std::unique_lock lk(views_mu_);
  if (dirty) (void)runner_.StoreCheckpoints(Views());
}

std::array<replay::Projection*, 5> Api::Views() { return {&summary_, &chronology_, &deadlines_, &plo_, &kpis_}; }

void Api::SetExtraMetrics(std::function<std::string()> extra) {
  std::lock_guard<std::mutex> lk(extra_mu_);
  extra_metrics_ = std::move(extra);
}

// Restricted children: stream "restriction-<child>" holds access.restricted {users, reason} and
// access.unrestricted {reason}; its last event decides. One point lookup per child, cached: this
// process is the only writer of those streams (the log is open in one process), and Restriction()
// refreshes the cache entry after each write.
std::shared_ptr<const std::set<std::string>> Api::RestrictionOf(const std::string& child) {
  std::uint64_t generation;
  {
    std::lock_guard<std::mutex> lk(restrictions_mu_);
    if (index_complete_ && !ever_restricted_.count(child)) return nullptr;  // never restricted
    auto it = restrictions_.find(child);
    if (it != restrictions_.end()) return it->second;
    generation = restrictions_generation_;
  }
  std::shared_ptr<const std::set<std::string>> named;
  auto last = log_.ReadStream(kRestrictionStreamPrefix + child, UINT64_MAX, Direction::kBackward, 1);
  if (last.ok() && !last->empty() && (*last)[0].type == "access.restricted") {
    auto users = std::make_shared<std::set<std::string>>();
    Json p = Json::parse((*last)[0].payload, nullptr, false);
    if (p.is_object() && p.contains("users") && p["users"].is_array()) {
      for (const auto& u : p["users"]) {
        if (u.is_string()) users->insert(u.get<std::string>());
      }
    }
    named = std::move(users);
  } else if (!last.ok() && last.status().code() != Status::Code::kNotFound) {
    // The log cannot say: treat the record as restricted to nobody (fail closed), uncached.
    return std::make_shared<const std::set<std::string>>();
  }
  std::lock_guard<std::mutex> lk(restrictions_mu_);
  if (generation != restrictions_generation_) return named;  // a restriction was written meanwhile: do not cache
  if (restrictions_.size() > 200000) restrictions_.clear();
  restrictions_[child] = named;
  return named;
}

bool Api::Restricted(const std::string& child, const Principal& who, std::string* why) {
  auto named = RestrictionOf(child);
  if (!named || named->count(who.user)) return false;
  if (why) *why = "child " + child + "'s record is restricted to named users, and " + who.user + " is not one of them";
  return true;
}

Result<workflows::Case> Api::Record(const std::string& child, std::uint64_t* version) {
  std::uint64_t v = 0;
  auto c = cases_.Load(child, &v);
  if (!c.ok()) return c.status();
  if (v == 0) return Status::NotFound("child '" + child + "' has no record");
  if (version) *version = v;
  return c;
}

bool Api::Inline(const Request& r) const {
  if (r.method != "GET") return false;
  // Far behind (the maintainer is catching up after a burst of writes): a read may have to
  // catch up itself, so it goes to a worker rather than hold up an I/O thread.
  if (views_position_.load() + 4096 < log_.HeadPosition()) return false;
  const std::string path = r.target.substr(0, r.target.find('?'));
  if (path == "/health" || path == "/metrics" || path == "/v1/subscribe") return true;
  const std::string kChildren = "/v1/children/";
  if (path.rfind(kChildren, 0) != 0) return false;
  const auto slash = path.find('/', kChildren.size());
  return slash == std::string::npos || path.compare(slash, std::string::npos, "/allowed-actions") == 0;
}

Status Api::Warm() { return CatchUp(); }

Status Api::CatchUp() {
  const std::uint64_t head = log_.HeadPosition();
  {
    std::shared_lock lk(views_mu_);
    if (summary_.position() >= head) return Status::Ok();  // the first caught up is the furthest behind
  }
  std::unique_lock lk(views_mu_);
  // The maintainer stores the checkpoints (at most once a second).
  if (auto r = runner_.CatchUpAll(Followed(), UINT64_MAX, false); !r.ok()) return r.status();
  NoteFollowed();
  return Status::Ok();
}

void Api::AccessLog(const Principal& who, const std::string& type, const std::string& child, const std::string& what,
                    const std::string& reason) {
  AppendRequest req;
  req.stream = kAccessLogStream;
  req.actor = Actor{who.user.empty() ? "anonymous" : who.user, who.role, who.team};
  EventData e;
  e.type = type;
  e.occurred_at = SystemClockUs();
  Json p = {{"what", what}};
  if (!child.empty()) p["child"] = child;
  if (!reason.empty()) p["reason"] = reason;
  e.payload = p.dump(-1, ' ', false, Json::error_handler_t::replace);  // the path may hold any bytes
  req.events.push_back(std::move(e));
  // Bulk-ish: the access log must not make reads wait for an fsync of their own; it rides on the
  // next group commit (AppendAsync).
  log_.AppendAsync(std::move(req), [](Result<AppendResult>) {});
}

bool Api::MaySee(const Principal& who, const std::string& child, const std::string& what, std::string* why) {
  if (who.role == "subscriber") {
    *why = "role subscriber may only subscribe to events";
    return false;
  }
  if (Restricted(child, who, why)) return false;
  if (Privileged(who.role)) {
    AccessLog(who, "access.read", child, what, "");
    return true;
  }
  if (Status s = CatchUp(); !s.ok()) {
    *why = s.message();
    return false;
  }
  std::shared_lock lk(views_mu_);
  const auto* c = summary_.Find(child);
  if (!c) return true;  // nothing to see: the route answers 404
  if (c->team == who.team || c->last_worker == who.user) return true;
  *why = "child " + child + " belongs to team " + c->team.str() + ", not " + who.team;
  return false;
}

Response Api::Handle(const Request& r) {
  const auto start = std::chrono::steady_clock::now();
  std::string route = "unknown";
  Response res;
  std::optional<Principal> who;
  const std::string path = r.target.substr(0, r.target.find('?'));
  if (path == "/health" || path == "/metrics") {
    res = Dispatch(r, nullptr, &route);
  } else {
    const std::string bearer = "Bearer ";
    if (r.authorization.rfind(bearer, 0) == 0) who = tokens_.Authenticate(r.authorization.substr(bearer.size()));
    if (!who) {
      route = "unauthenticated";
      res = JsonResponse(401, Json{{"error", {{"code", "unauthenticated"},
                                              {"message", r.authorization.empty()
                                                              ? "an Authorization: Bearer <token> header is required"
                                                              : "the token is not valid (unknown or revoked)"}}}});
      res.headers.push_back({"WWW-Authenticate", "Bearer"});
      AccessLog(Principal{}, "access.denied", "", r.method + " " + path, "unauthenticated");
    } else {
      res = Dispatch(r, &*who, &route);
      LogDenied(*who, r, res);
    }
  }
  Count(route, res.status, start);
  return res;
}

void Api::LogDenied(const Principal& who, const Request& r, const Response& res) {
  if (res.status != 403) return;
  std::string reason;
  Json body = Json::parse(res.body, nullptr, false);
  if (body.is_object() && body.contains("error")) reason = body["error"].value("message", "");
  AccessLog(who, "access.denied", "", r.method + " " + r.target.substr(0, r.target.find('?')), reason);
}

void Api::Count(const std::string& route, int status, std::chrono::steady_clock::time_point start) {
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::lock_guard<std::mutex> lk(counters_->mu);
  ++counters_->requests[{route, status}];
  counters_->seconds[route] += secs;
}

namespace {
// "/v1/children/{id}/commands" -> id; empty for any other path.
std::string CommandsChild(const std::string& path) {
  const std::string kChildren = "/v1/children/", kCommands = "/commands";
  if (path.size() <= kChildren.size() + kCommands.size() || path.rfind(kChildren, 0) != 0 ||
      path.compare(path.size() - kCommands.size(), kCommands.size(), kCommands) != 0) {
    return {};
  }
  std::string child = path.substr(kChildren.size(), path.size() - kChildren.size() - kCommands.size());
  return child.find('/') == std::string::npos ? child : std::string();
}
}  // namespace

bool Api::Async(const Request& r) const {
  if (r.method != "POST") return false;
  const std::string child = CommandsChild(r.target.substr(0, r.target.find('?')));
  return !child.empty() && ValidChildId(child);
}

void Api::HandleAsync(const Request& r, std::function<void(Response)> done) {
  const auto start = std::chrono::steady_clock::now();
  const std::string bearer = "Bearer ";
  std::optional<Principal> who;
  if (r.authorization.rfind(bearer, 0) == 0) who = tokens_.Authenticate(r.authorization.substr(bearer.size()));
  const std::string child = CommandsChild(r.target.substr(0, r.target.find('?')));
  if (!who || child.empty() || !ValidChildId(child)) return done(Handle(r));  // 401 and the like
  auto c = CommandOf(child, r, *who);
  if (auto* error = std::get_if<Response>(&c)) {
    LogDenied(*who, r, *error);
    Count("command", error->status, start);
    return done(std::move(*error));
  }
  workflows::Command cmd = std::move(std::get<workflows::Command>(c));
  auto answer = [this, start, who = *who, r, done = std::move(done), c = cmd](Result<workflows::CommandOutcome> out) mutable {
    Response res = CommandAnswer(c, out);
    LogDenied(who, r, res);
    Count("command", res.status, start);
    done(std::move(res));
  };
  cases_.ExecuteAsync(std::move(cmd), std::move(answer));
}

Response Api::Dispatch(const Request& r, const Principal* who, std::string* route) {
  const auto q = r.target.find('?');
  const std::string path = r.target.substr(0, q);
  const std::string query = q == std::string::npos ? "" : r.target.substr(q + 1);
  auto forbidden = [](const std::string& why) { return Error(Status::Forbidden(why)); };
  auto method_is = [&](const char* m) {
    return r.method == m;
  };
  auto wrong_method = [&](const char* allowed) { return MethodNotAllowed(r.method, allowed); };

  if (path == "/health") {
    *route = "health";
    return JsonResponse(200, Json{{"status", "ok"}, {"head_position", log_.HeadPosition()}});
  }
  if (path == "/metrics") {
    *route = "metrics";
    Response res;
    res.content_type = "text/plain; version=0.0.4";
    res.body = Metrics();
    return res;
  }
  if (path == "/v1/children") {
    *route = "register";
    if (!method_is("POST")) return wrong_method("POST");
    return Register(r, *who);
  }
  if (path == "/v1/subscribe") {
    *route = "subscribe";
    if (!method_is("GET")) return wrong_method("GET");
    return Subscribe(query, r, *who);
  }
  const std::string kSubscriptions = "/v1/subscriptions/";
  if (path.rfind(kSubscriptions, 0) == 0) {
    *route = "subscriptions";
    return Subscriptions(path.substr(kSubscriptions.size()) + (q == std::string::npos ? "" : "?" + query), r, *who);
  }
  const std::string kChildren = "/v1/children/";
  if (path.rfind(kChildren, 0) == 0) {
    std::string rest = path.substr(kChildren.size());
    const auto slash = rest.find('/');
    const std::string child = rest.substr(0, slash);
    const std::string sub = slash == std::string::npos ? "" : rest.substr(slash + 1);
    if (!ValidChildId(child)) {
      *route = "child";
      return Error(Status::InvalidArgument("child_id", "must be 1 to 128 letters, digits, '.', '_' or '-'"));
    }
    if (sub == "commands") {
      *route = "command";
      if (!method_is("POST")) return wrong_method("POST");
      return Command(child, r, *who);
    }
    if (sub == "restriction") {
      *route = "restriction";
      if (!method_is("PUT") && !method_is("DELETE")) return wrong_method("PUT, DELETE");
      return Restriction(child, r, *who);
    }
    static const std::set<std::string> kReads = {"", "chronology", "as-of", "explain", "export", "allowed-actions"};
    if (!kReads.count(sub)) {
      *route = "unknown";
      return Error(Status::NotFound("no route " + path));
    }
    *route = sub.empty() ? "child" : sub;
    if (!method_is("GET")) return wrong_method("GET");
    std::string why;
    if (!MaySee(*who, child, sub.empty() ? "summary" : sub, &why)) return forbidden(why);
    if (sub != "as-of" && !query.empty()) return Error(Status::InvalidArgument(query.substr(0, query.find('=')), "is not a query parameter of this route"));
    if (sub.empty()) return Child(child, *who);
    if (sub == "chronology") return Chronology(child);
    if (sub == "as-of") return AsOf(child, query);
    if (sub == "explain") return Explain(child);
    if (sub == "allowed-actions") return AllowedActions(child, *who);
    return Export(child);
  }
  static const std::set<std::string> kViews = {"/v1/plo", "/v1/deadlines", "/v1/kpis", "/v1/caseload",
                                               "/v1/events", "/v1/verify"};
  if (!kViews.count(path)) {
    *route = "unknown";
    return Error(Status::NotFound("no route " + path));
  }
  *route = path.substr(4);
  if (!method_is("GET")) return wrong_method("GET");
  const std::string& role = who->role;
  if (role == "subscriber" && path != "/v1/events") return forbidden("role subscriber may only read events");
  if ((path == "/v1/events" || path == "/v1/verify") && role != "auditor" && role != "admin" && role != "subscriber") {
    return forbidden("the global log is for auditors, admins and subscriber services (not " + role + ")");
  }
  // Team-scoped roles see their own team's part of the caseload views.
  std::string scoped = query;
  if (kTeamScoped.count(role) && path != "/v1/events") {
    std::map<std::string, std::string> params;
    std::string bad;
    if (!ParseQuery(query, &params, &bad)) return Error(Status::InvalidArgument(bad, "is not valid percent-encoding"));
    if (params.count("team") && params["team"] != who->team) {
      return forbidden("role " + role + " sees team " + who->team + " only");
    }
    if (params.count("area")) return forbidden("role " + role + " sees team " + who->team + " only");
    if (!params.count("team")) scoped += (scoped.empty() ? "team=" : "&team=") + who->team;
  }
  if (path == "/v1/plo") return Plo(scoped, *who);
  if (path == "/v1/deadlines") return Deadlines(scoped, *who);
  if (path == "/v1/kpis") return Kpis(scoped);
  if (path == "/v1/caseload") return Caseload(scoped);
  if (path == "/v1/events") return Events(query, *who);
  return Verify();
}

Response Api::Command(const std::string& child, const Request& r, const Principal& who) {
  auto c = CommandOf(child, r, who);
  if (auto* error = std::get_if<Response>(&c)) return std::move(*error);
  return Execute(std::get<workflows::Command>(c));
}

std::variant<workflows::Command, Response> Api::CommandOf(const std::string& child, const Request& r,
                                                       const Principal& who) {
  if (auto over = OverLimit(r, options_.max_body_bytes)) return *over;
  if (NeverWrites(who.role)) {
    return Error(Status::Forbidden("role " + who.role + " never records actions"));
  }
  Json doc = Json::parse(r.body, nullptr, false);
  if (doc.is_discarded()) return Error(Status::InvalidArgument("body", "is not valid JSON"));
  auto parsed = cj::ParseCommand(doc, cj::CommandFields::kBody);
  if (!parsed.ok()) return Error(parsed.status());
  workflows::Command c = std::move(parsed).value();
  c.child_id = child;
  c.actor = Actor{who.user, who.role, who.team};
  // Team-scoped roles write only on their team's children (or new ones); nobody writes on a
  // restricted child unless named.
  std::string why;
  if (kTeamScoped.count(who.role) ? !MaySee(who, child, "command", &why) : Restricted(child, who, &why)) {
    return Error(Status::Forbidden(why));
  }
  return c;
}

Response Api::Execute(const workflows::Command& c) { return CommandAnswer(c, cases_.Execute(c)); }

Response Api::CommandAnswer(const workflows::Command& c, const Result<workflows::CommandOutcome>& out) {
  if (!out.ok()) return Error(out.status());
  Json body = {{"accepted", out->accepted},
               {"child", c.child_id},
               {"version", out->version},
               {"states", ActiveStates(out->states)},
               {"allowed_actions", out->allowed_actions}};
  const auto& v = out->verdict;
  if (!out->accepted) {
    body["error"] = {{"code", v.verdict.rule == "forbidden_role" ? "forbidden" : "refused"},
                     {"rule", v.verdict.rule},
                     {"message", v.verdict.reason}};
    if (!v.verdict.guard.empty()) body["error"]["guard"] = v.verdict.guard;
    return JsonResponse(v.verdict.rule == "forbidden_role" ? 403 : 422, body);
  }
  Response res;
  res.status = out->append.duplicate ? 200 : 201;
  res.body = AcceptedAnswer(c, *out);
  return res;
}

Response Api::Register(const Request& r, const Principal& who) {
  if (auto over = OverLimit(r, options_.max_body_bytes)) return *over;
  if (NeverWrites(who.role)) {
    return Error(Status::Forbidden("role " + who.role + " never records actions"));
  }
  auto doc = ParseBody(r.body, {"child_id", "date_of_birth", "unborn", "expected_due_date", "occurred_at", "command_id"});
  if (!doc.ok()) return Error(doc.status());
  workflows::Command c;
  std::string dob, due, occurred;
  for (auto [key, out] : {std::pair<const char*, std::string*>{"child_id", &c.child_id}, {"date_of_birth", &dob},
                          {"expected_due_date", &due}, {"occurred_at", &occurred}, {"command_id", &c.command_id}}) {
    if (Status s = StringField(*doc, key, 128, out); !s.ok()) return Error(s);
  }
  if (!ValidChildId(c.child_id)) {
    return Error(Status::InvalidArgument("child_id", "is required: 1 to 128 letters, digits, '.', '_' or '-'"));
  }
  bool unborn = false;
  if (doc->contains("unborn")) {
    if (!(*doc)["unborn"].is_boolean()) return Error(Status::InvalidArgument("unborn", "must be true or false"));
    unborn = (*doc)["unborn"].get<bool>();
  }
  if (unborn) {
    if (due.empty()) return Error(Status::InvalidArgument("expected_due_date", "is required for an unborn child"));
    if (!dob.empty()) return Error(Status::InvalidArgument("date_of_birth", "is not known for an unborn child"));
    c.params = {{"unborn", "yes"}, {"expected_due_date", due}};
  } else {
    if (dob.empty()) return Error(Status::InvalidArgument("date_of_birth", "is required (or unborn: true with expected_due_date)"));
    if (!due.empty()) return Error(Status::InvalidArgument("expected_due_date", "is only for an unborn child"));
    c.params = {{"date_of_birth", dob}};
  }
  if (occurred.empty()) {
    c.occurred_at = SystemClockUs();
  } else {
    auto t = cj::ParseTime(occurred, "occurred_at");
    if (!t.ok()) return Error(t.status());
    c.occurred_at = *t;
  }
  c.action = "case.child_registered";
  c.actor = Actor{who.user, who.role, who.team};
  return Execute(c);
}

Response Api::AllowedActions(const std::string& child, const Principal& who) {
  std::uint64_t version = 0;
  auto c = Record(child, &version);
  if (!c.ok()) return Error(c.status());
  const auto states = c->States();
  std::map<std::string, std::vector<std::string>> roles;
  for (const auto& [journey, state] : states) {
    for (const auto& p : c->journey(journey).Permissions()) roles[p.action] = p.roles;
  }
  const bool writer = !NeverWrites(who.role);
  Json actions = Json::array();
  Json mine = Json::array();
  for (const auto& a : c->AllowedActions()) {
    auto it = roles.find(a);
    Json j = {{"action", a}};
    if (it != roles.end()) j["roles"] = it->second;
    actions.push_back(std::move(j));
    const bool may = it == roles.end() ? writer
                                       : std::find(it->second.begin(), it->second.end(), who.role) != it->second.end();
    if (may && writer) mine.push_back(a);
  }
  return JsonResponse(200, Json{{"child", child},
                                {"version", version},
                                {"states", ActiveStates(states)},
                                {"allowed_actions", actions},
                                {"allowed_for_you", mine},
                                {"role", who.role}});
}

Response Api::Restriction(const std::string& child, const Request& r, const Principal& who) {
  if (who.role != "admin" && who.role != "team_manager") {
    return Error(Status::Forbidden("only an admin or a team manager restricts a child's record (not " + who.role + ")"));
  }
  if (auto over = OverLimit(r, options_.max_body_bytes)) return *over;
  const bool restrict = r.method == "PUT";
  auto doc = restrict ? ParseBody(r.body, {"users", "reason"}) : ParseBody(r.body, {"reason"});
  if (!doc.ok()) return Error(doc.status());
  std::string reason;
  if (Status s = StringField(*doc, "reason", 1000, &reason); !s.ok()) return Error(s);
  if (reason.empty()) return Error(Status::InvalidArgument("reason", "is required: why the record is (un)restricted"));
  Json users = Json::array();
  if (restrict) {
    if (!doc->contains("users") || !(*doc)["users"].is_array() || (*doc)["users"].empty() || (*doc)["users"].size() > 100) {
      return Error(Status::InvalidArgument("users", "is required: a list of 1 to 100 user names who may see the record"));
    }
    for (const auto& u : (*doc)["users"]) {
      if (!u.is_string() || u.get<std::string>().empty() || u.get<std::string>().size() > 128) {
        return Error(Status::InvalidArgument("users", "must hold user names (strings of 1 to 128 bytes)"));
      }
      users.push_back(u);
    }
  }
  if (auto c = Record(child); !c.ok()) return Error(c.status());
  std::string why;
  if (who.role == "team_manager" && !MaySee(who, child, "restriction", &why)) return Error(Status::Forbidden(why));
  AppendRequest req;
  req.stream = kRestrictionStreamPrefix + child;
  req.actor = Actor{who.user, who.role, who.team};
  EventData e;
  e.type = restrict ? "access.restricted" : "access.unrestricted";
  e.occurred_at = SystemClockUs();
  Json payload = {{"child", child}, {"reason", reason}};
  if (restrict) payload["users"] = users;
  e.payload = payload.dump();
  req.events.push_back(std::move(e));
  {
    // Before the write: from now on every check of this child looks the restriction up.
    std::lock_guard<std::mutex> lk(restrictions_mu_);
    ever_restricted_.insert(child);
  }
  auto res = log_.Append(std::move(req));
  {
    std::lock_guard<std::mutex> lk(restrictions_mu_);
    restrictions_.erase(child);  // re-read on the next check (also after a failed write)
    ++restrictions_generation_;
  }
  if (!res.ok()) return Error(res.status());
  Json body = {{"child", child}, {"restricted", restrict}, {"position", res->last_position}};
  if (restrict) body["users"] = users;
  return JsonResponse(200, body);
}

Response Api::Subscribe(const std::string& query, const Request& r, const Principal& who) {
  if (who.role != "subscriber") {
    return Error(Status::Forbidden("subscriptions are for subscriber services (role subscriber, not " + who.role + ")"));
  }
  std::map<std::string, std::string> q;
  if (Status s = ReadQuery(query, {"from", "type_prefix", "stream_prefix", "journey", "team", "heartbeat"}, &q); !s.ok()) {
    return Error(s);
  }
  const std::uint64_t head = log_.HeadPosition();
  std::uint64_t from = 1;
  if (!r.last_event_id.empty()) {
    auto id = Number(r.last_event_id, "Last-Event-ID", UINT64_MAX / 2);
    if (!id.ok()) return Error(id.status());
    from = *id + 1;
  } else if (q.count("from")) {
    if (q["from"] == "end") {
      from = head + 1;
    } else {
      auto f = Number(q["from"], "from", UINT64_MAX / 2);
      if (!f.ok()) return Error(f.status());
      from = std::max<std::uint64_t>(*f, 1);
    }
  }
  if (from > head + 1) {
    return Error(Status::InvalidArgument(r.last_event_id.empty() ? "from" : "Last-Event-ID",
                                         "is beyond the log's head (" + std::to_string(head) + ")"));
  }
  auto heartbeat = HeartbeatOf(q);
  if (!heartbeat.ok()) return Error(heartbeat.status());
  SubscriptionFilter f{q["type_prefix"], q["stream_prefix"], q["journey"], q["team"]};
  auto sub = hub_.Subscribe(from, std::move(f), "", *heartbeat);
  if (!sub.ok()) return Error(sub.status());
  return StreamResponse(*sub);
}

Response Api::Subscriptions(const std::string& rest_and_query, const Request& r, const Principal& who) {
  const auto qm = rest_and_query.find('?');
  const std::string rest = rest_and_query.substr(0, qm);
  const std::string query = qm == std::string::npos ? "" : rest_and_query.substr(qm + 1);
  const auto slash = rest.find('/');
  const std::string name = rest.substr(0, slash);
  const std::string sub = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (name.size() > 64 || !ValidChildId(name)) {
    return Error(Status::InvalidArgument("name", "must be 1 to 64 letters, digits, '.', '_' or '-'"));
  }
  if (sub != "" && sub != "events" && sub != "ack") return Error(Status::NotFound("no route /v1/subscriptions/" + rest));
  if (who.role != "subscriber" && !(who.role == "admin" && sub.empty())) {
    return Error(Status::Forbidden("persistent subscriptions are for subscriber services (and admins, to define them); not " +
                                   who.role));
  }
  const std::string stream = kSubscriptionStreamPrefix + name;
  const std::string checkpoint = "subscription." + name;
  // The definition, if any.
  std::optional<std::pair<std::uint64_t, SubscriptionFilter>> def;
  auto load = [&]() -> Status {
    auto events = log_.ReadStream(stream, UINT64_MAX, Direction::kBackward, 1);
    if (!events.ok()) return events.status().code() == Status::Code::kNotFound ? Status::Ok() : events.status();
    if (events->empty()) return Status::Ok();
    Json p = Json::parse((*events)[0].payload, nullptr, false);
    if (!p.is_object()) return Status::Corruption("subscription " + name + "'s definition is not JSON");
    def = {p.value("from", std::uint64_t{1}),
           SubscriptionFilter{p.value("type_prefix", ""), p.value("stream_prefix", ""), p.value("journey", ""),
                              p.value("team", "")}};
    return Status::Ok();
  };
  if (Status s = load(); !s.ok()) return Error(s);
  auto status = [&](int code, bool created) {
    std::uint64_t acked = 0;
    if (auto c = log_.GetCheckpoint(checkpoint); c.ok()) acked = *c;
    const std::uint64_t head = log_.HeadPosition();
    return JsonResponse(code, Json{{"name", name},
                                   {"created", created},
                                   {"from", def->first},
                                   {"filter", FilterJson(def->second)},
                                   {"acknowledged", acked},
                                   {"head_position", head},
                                   {"lag", head > acked ? head - acked : 0}});
  };
  if (sub.empty() && r.method == "PUT") {
    if (!query.empty()) return Error(Status::InvalidArgument(query.substr(0, query.find('=')), "is not a query parameter of this route"));
    if (auto over = OverLimit(r, options_.max_body_bytes)) return *over;
    auto doc = ParseBody(r.body.empty() ? "{}" : r.body, {"from", "type_prefix", "stream_prefix", "journey", "team"});
    if (!doc.ok()) return Error(doc.status());
    SubscriptionFilter f;
    for (auto [key, out] : {std::pair<const char*, std::string*>{"type_prefix", &f.type_prefix},
                            {"stream_prefix", &f.stream_prefix}, {"journey", &f.journey}, {"team", &f.team}}) {
      if (Status s = StringField(*doc, key, 200, out); !s.ok()) return Error(s);
    }
    std::uint64_t from = 1;
    if (doc->contains("from")) {
      if (!(*doc)["from"].is_number_unsigned()) return Error(Status::InvalidArgument("from", "must be a whole number (a position)"));
      from = std::max<std::uint64_t>((*doc)["from"].get<std::uint64_t>(), 1);
    }
    if (def) {
      if (def->first == from && def->second == f) return status(200, false);
      return Error(Status::Conflict("subscription " + name + " is already defined differently (from " +
                                    std::to_string(def->first) + ", filter " + FilterJson(def->second).dump() +
                                    "); use a new name"));
    }
    AppendRequest req;
    req.stream = stream;
    req.expected = ExpectedVersion::NoStream();
    req.actor = Actor{who.user, who.role, who.team};
    EventData e;
    e.type = "subscription.defined";
    e.occurred_at = SystemClockUs();
    Json payload = FilterJson(f);
    payload["from"] = from;
    payload["name"] = name;
    e.payload = payload.dump();
    req.events.push_back(std::move(e));
    auto res = log_.Append(std::move(req));
    if (!res.ok() && res.status().code() != Status::Code::kConflict) return Error(res.status());
    if (Status s = load(); !s.ok()) return Error(s);
    if (!def) return Error(Status::Conflict("subscription " + name + " could not be defined"));
    if (def->first != from || !(def->second == f)) {
      return Error(Status::Conflict("subscription " + name + " was just defined differently by another request"));
    }
    return status(res.ok() ? 201 : 200, res.ok());
  }
  if (!def) return Error(Status::NotFound("no subscription named " + name + " (define it with PUT)"));
  if (sub.empty()) {
    if (r.method != "GET") return MethodNotAllowed(r.method, "GET, PUT");
    if (!query.empty()) return Error(Status::InvalidArgument(query.substr(0, query.find('=')), "is not a query parameter of this route"));
    return status(200, false);
  }
  if (sub == "ack") {
    if (r.method != "POST") return MethodNotAllowed(r.method, "POST");
    auto doc = ParseBody(r.body, {"position"});
    if (!doc.ok()) return Error(doc.status());
    if (!doc->contains("position") || !(*doc)["position"].is_number_unsigned()) {
      return Error(Status::InvalidArgument("position", "is required: the last position processed (a whole number)"));
    }
    const std::uint64_t p = (*doc)["position"].get<std::uint64_t>();
    if (p > log_.HeadPosition()) {
      return Error(Status::InvalidArgument("position", "is beyond the log's head (" + std::to_string(log_.HeadPosition()) + ")"));
    }
    std::lock_guard<std::mutex> lk(ack_mu_);
    std::uint64_t acked = 0;
    if (auto c = log_.GetCheckpoint(checkpoint); c.ok()) acked = *c;
    if (p > acked) {
      if (Status s = log_.SetCheckpoint(checkpoint, p); !s.ok()) return Error(s);
    }
    return status(200, false);
  }
  // events: from the acknowledged position, or the definition's start.
  if (r.method != "GET") return MethodNotAllowed(r.method, "GET");
  std::map<std::string, std::string> q;
  if (Status s = ReadQuery(query, {"heartbeat"}, &q); !s.ok()) return Error(s);
  auto heartbeat = HeartbeatOf(q);
  if (!heartbeat.ok()) return Error(heartbeat.status());
  std::uint64_t from = def->first;
  if (auto c = log_.GetCheckpoint(checkpoint); c.ok()) from = std::max(from, *c + 1);
  from = std::min(from, log_.HeadPosition() + 1);
  auto s = hub_.Subscribe(from, def->second, name, *heartbeat);
  if (!s.ok()) return Error(s.status());
  return StreamResponse(*s);
}

Response Api::Child(const std::string& child, const Principal&) {
  std::uint64_t version = 0;
  auto c = Record(child, &version);
  if (!c.ok()) return Error(c.status());
  if (Status s = CatchUp(); !s.ok()) return Error(s);
  const TimestampUs now = SystemClockUs();
  Json deadlines = Json::array();
  for (const auto& d : c->OpenDeadlines()) {
    deadlines.push_back({{"rule", d.rule_id}, {"due", d.due_date.ToString()}, {"overdue", now >= d.due_by_us}});
  }
  Json body = {{"child", child},
               {"version", version},
               {"states", ActiveStates(c->States())},
               {"open_deadlines", deadlines},
               {"allowed_actions", c->AllowedActions()}};
  std::shared_lock lk(views_mu_);
  if (const auto* s = summary_.Find(child)) {
    body["legal_status"] = s->legal_status.str();
    body["placement"] = s->placement.str();
    body["team"] = s->team.str();
    body["last_worker"] = s->last_worker.str();
    Json flags = Json::array();
    for (const auto& f : s->flags) flags.push_back(f.str());
    body["flags"] = flags;
  }
  return JsonResponse(200, body);
}

Response Api::Chronology(const std::string& child) {
  if (Status s = CatchUp(); !s.ok()) return Error(s);
  std::shared_lock lk(views_mu_);
  auto entries = chronology_.For(child, log_);
  if (!entries.ok()) return Error(entries.status());
  Json list = Json::array();
  for (const auto& e : *entries) {
    Json j = {{"occurred_at", cj::FormatTime(e.occurred_at)}, {"recorded_at", cj::FormatTime(e.recorded_at)},
              {"version", e.version}, {"text", e.text}, {"recorded_by", e.recorded_by}};
    if (!e.original.empty()) j["original"] = {{"text", e.original}, {"occurred_at", cj::FormatTime(e.original_at)}};
    list.push_back(std::move(j));
  }
  return JsonResponse(200, Json{{"child", child}, {"chronology", list}});
}

Response Api::AsOf(const std::string& child, const std::string& query) {
  std::map<std::string, std::string> q;
  if (Status s = ReadQuery(query, {"as_of", "known_at", "chronology"}, &q); !s.ok()) return Error(s);
  TimestampUs x = INT64_MAX, y = INT64_MAX;
  for (auto [key, out] : {std::pair<const char*, TimestampUs*>{"as_of", &x}, {"known_at", &y}}) {
    if (!q.count(key)) continue;
    auto t = cj::ParseAsOf(q[key], key);
    if (!t.ok()) return Error(t.status());
    *out = *t;
  }
  auto v = audit_.AsOf(child, x, y, q["chronology"] != "no");
  if (!v.ok()) return Error(v.status());
  Json deadlines = Json::array();
  const TimestampUs now = x == INT64_MAX ? SystemClockUs() : x;
  for (const auto& d : v->open_deadlines) {
    deadlines.push_back({{"rule", d.rule_id}, {"due", d.due_date.ToString()}, {"breached", now >= d.due_by_us}});
  }
  Json chronology = Json::array();
  for (const auto& e : v->chronology) {
    chronology.push_back({{"occurred_at", cj::FormatTime(e.occurred_at)}, {"version", e.version}, {"text", e.text}});
  }
  Json skipped = Json::array();
  for (const auto& s : v->skipped) skipped.push_back({{"version", s.version}, {"action", s.action}, {"reason", s.reason}});
  return JsonResponse(200, Json{{"child", child},
                                {"as_of", x == INT64_MAX ? Json(nullptr) : Json(cj::FormatTime(x))},
                                {"known_at", y == INT64_MAX ? Json(nullptr) : Json(cj::FormatTime(y))},
                                {"version", v->version},
                                {"states", ActiveStates(v->states)},
                                {"open_deadlines", deadlines},
                                {"flags", v->flags},
                                {"skipped", skipped},
                                {"chronology", chronology}});
}

Response Api::Explain(const std::string& child) {
  auto trace = audit_.Explain(child);
  if (!trace.ok()) return Error(trace.status());
  Json steps = Json::array();
  for (const auto& t : *trace) {
    steps.push_back({{"version", t.version},     {"occurred_at", cj::FormatTime(t.occurred_at)},
                     {"action", t.action},       {"actor", t.actor},
                     {"journey", t.journey},     {"from_state", t.from_state},
                     {"to_state", t.to_state},   {"guard", t.guard},
                     {"deadlines", t.deadlines}, {"consequences", t.consequences},
                     {"flags", t.flags},         {"correction", t.correction}});
  }
  return JsonResponse(200, Json{{"child", child}, {"trace", steps}});
}

Response Api::Export(const std::string& child) {
  auto bundle = audit_.Export(child);
  if (!bundle.ok()) return Error(bundle.status());
  Response r;
  r.body = *bundle;
  r.headers.push_back({"Content-Disposition", "attachment; filename=\"child-" + child + ".json\""});
  return r;
}

Response Api::Plo(const std::string& query, const Principal& who) {
  std::map<std::string, std::string> q;
  if (Status s = ReadQuery(query, {"team", "area", "as_of"}, &q); !s.ok()) return Error(s);
  auto as_of = AsOfOrNow(q);
  if (!as_of.ok()) return Error(as_of.status());
  const TimestampUs now = *as_of;
  if (Status s = CatchUp(); !s.ok()) return Error(s);
  std::shared_lock lk(views_mu_);
  Json list = Json::array();
  using P = replay::PloTrackerProjection;
  for (const auto& c : plo_.List(q["team"], q["area"])) {
    if (Restricted(c.child, who)) continue;
    Json j = {{"child", c.child}, {"team", c.team}, {"area", c.area},
              {"stage", c.in_proceedings ? "proceedings" : "pre_proceedings"},
              {"week", P::WeeksElapsed(c, now)}, {"rag", P::Rag(c, now)}};
    if (c.in_proceedings) {
      j["issued"] = c.issued;
      j["final_hearing_due"] = c.final_date;
      j["hearings"] = c.hearings;
      j["extension_weeks"] = c.extension_weeks;
      j["fdac"] = c.fdac;
      j["after_pre_proceedings"] = c.pre_proceedings_before_issue;
    } else {
      j["lpm"] = c.lpm_date;
      j["letter"] = c.letter_date;
      j["initial_meeting_due"] = c.initial_meeting_due;
      j["initial_meeting_held"] = c.initial_meeting_held;
      j["review_point"] = c.review_point;
      j["reviews"] = c.reviews;
      j["extensions"] = c.extensions;
    }
    list.push_back(std::move(j));
  }
  return JsonResponse(200, Json{{"as_of", cj::FormatTime(now)}, {"children", list}});
}

Response Api::Deadlines(const std::string& query, const Principal& who) {
  std::map<std::string, std::string> q;
  if (Status s = ReadQuery(query, {"as_of", "due_within", "team"}, &q); !s.ok()) return Error(s);
  auto as_of = AsOfOrNow(q);
  if (!as_of.ok()) return Error(as_of.status());
  const TimestampUs now = *as_of;
  int days = 14;
  if (q.count("due_within")) {
    const std::string& d = q["due_within"];
    if (d.empty() || d.size() > 4 || d.find_first_not_of("0123456789") != std::string::npos) {
      return Error(Status::InvalidArgument("due_within", "must be a number of days (0 to 9999)"));
    }
    days = std::stoi(d);
  }
  if (Status s = CatchUp(); !s.ok()) return Error(s);
  std::shared_lock lk(views_mu_);
  auto list = [&](const std::vector<replay::DeadlinesProjection::Entry>& entries) {
    Json out = Json::array();
    for (const auto& e : entries) {
      if (Restricted(e.child, who)) continue;
      if (q.count("team")) {
        const auto* c = summary_.Find(e.child);
        if (!c || c->team != q["team"]) continue;
      }
      out.push_back({{"child", e.child}, {"rule", e.rule}, {"started", e.started}, {"due", e.due},
                     {"status", replay::DeadlinesProjection::StatusAt(e, now)}});
    }
    return out;
  };
  return JsonResponse(200, Json{{"as_of", cj::FormatTime(now)},
                                {"overdue", list(deadlines_.Overdue(now))},
                                {"due_soon", list(deadlines_.DueSoon(now, days))}});
}

Response Api::Kpis(const std::string& query) {
  std::map<std::string, std::string> q;
  if (Status s = ReadQuery(query, {"from", "to", "team", "area"}, &q); !s.ok()) return Error(s);
  replay::KpiProjection::Filter f;
  for (auto [key, out] : {std::pair<const char*, TimestampUs*>{"from", &f.from}, {"to", &f.to}}) {
    if (!q.count(key)) return Error(Status::InvalidArgument(key, "is required (a date such as 2026-04-01)"));
    auto t = cj::ParseTime(q[key], key);
    if (!t.ok()) return Error(t.status());
    *out = *t;
  }
  f.team = q["team"];
  f.area = q["area"];
  if (Status s = CatchUp(); !s.ok()) return Error(s);
  std::shared_lock lk(views_mu_);
  Json measures = Json::object();
  for (const auto& [name, v] : kpis_.Compute(f)) {
    measures[name] = {{"value", v.denominator == 0 ? Json(nullptr) : Json(v.value())},
                      {"numerator", v.numerator},
                      {"denominator", v.denominator}};
  }
  return JsonResponse(200, Json{{"from", q["from"]}, {"to", q["to"]}, {"team", f.team}, {"area", f.area},
                                {"measures", measures}});
}

Response Api::Caseload(const std::string& query) {
  std::map<std::string, std::string> q;
  if (Status s = ReadQuery(query, {"team"}, &q); !s.ok()) return Error(s);
  if (Status s = CatchUp(); !s.ok()) return Error(s);
  std::shared_lock lk(views_mu_);
  Json teams = Json::array();
  for (const auto& [team, workers] : summary_.Caseload()) {
    if (q.count("team") && team != q["team"]) continue;
    int total = 0;
    for (const auto& [w, n] : workers) total += n;
    teams.push_back({{"team", team}, {"children", total}, {"by_worker", workers}});
  }
  return JsonResponse(200, Json{{"teams", teams}});
}

Response Api::Events(const std::string& query, const Principal& who) {
  std::map<std::string, std::string> q;
  if (Status s = ReadQuery(query, {"from", "limit", "type_prefix", "stream_prefix"}, &q); !s.ok()) return Error(s);
  ReadAllOptions o;
  for (auto [key, out, max] : {std::tuple<const char*, std::uint64_t*, std::uint64_t>{"from", &o.from_position, UINT64_MAX / 2},
                               {"limit", &o.max_count, 10000}}) {
    if (!q.count(key)) continue;
    auto n = Number(q[key], key, max);
    if (!n.ok()) return Error(n.status());
    *out = *n;
  }
  if (!q.count("limit")) o.max_count = 1000;
  if (o.from_position == 0) o.from_position = 1;
  o.type_prefix = q["type_prefix"];
  o.stream_prefix = q["stream_prefix"];
  // People (auditors, admins) do not see restricted children's events unless named; subscriber
  // services get the whole log.
  const bool filtered = who.role != "subscriber";
  Json events = Json::array();
  std::uint64_t last = o.from_position - 1;
  Status s = log_.ReadAll(o, [&](const EventView& e) {
    last = e.position;
    if (filtered && e.stream.substr(0, 6) == "child-" && Restricted(std::string(e.stream.substr(6)), who)) return true;
    events.push_back(cj::ToJson(e.ToRecorded()));
    return true;
  });
  if (!s.ok()) return Error(s);
  return JsonResponse(200, Json{{"events", events}, {"next_from", last + 1}, {"head_position", log_.HeadPosition()}});
}

Response Api::Verify() {
  auto rep = log_.Verify();
  if (!rep.ok()) return Error(rep.status());
  return JsonResponse(200, cj::ToJson(*rep));
}

std::string Api::Metrics() const {
  std::ostringstream o;
  o << "# HELP casetrail_http_requests_total HTTP requests by route and status.\n"
       "# TYPE casetrail_http_requests_total counter\n";
  std::map<std::string, std::uint64_t> by_route;
  std::map<std::string, double> seconds;
  {
    std::lock_guard<std::mutex> lk(counters_->mu);
    for (const auto& [key, n] : counters_->requests) {
      o << "casetrail_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second << "\"} " << n << "\n";
      by_route[key.first] += n;
    }
    seconds = counters_->seconds;
  }
  o << "# HELP casetrail_http_request_seconds Time spent answering, by route.\n"
       "# TYPE casetrail_http_request_seconds summary\n";
  for (const auto& [route, s] : seconds) {
    o << "casetrail_http_request_seconds_sum{route=\"" << route << "\"} " << s << "\n";
    o << "casetrail_http_request_seconds_count{route=\"" << route << "\"} " << by_route[route] << "\n";
  }
  const LogStats st = log_.Stats();
  o << "# TYPE casetrail_log_appends_total counter\ncasetrail_log_appends_total " << st.appends << "\n";
  o << "# TYPE casetrail_log_events_total counter\ncasetrail_log_events_total " << st.events << "\n";
  o << "# HELP casetrail_log_commits_total Group commits (one WAL write and fsync each when durable).\n"
       "# TYPE casetrail_log_commits_total counter\ncasetrail_log_commits_total " << st.commits << "\n";
  o << "# HELP casetrail_log_commit_batch_events_max The largest group commit, in events.\n"
       "# TYPE casetrail_log_commit_batch_events_max gauge\ncasetrail_log_commit_batch_events_max "
    << st.max_batch_events << "\n";
  o << "# TYPE casetrail_log_head_position gauge\ncasetrail_log_head_position " << log_.HeadPosition() << "\n";
  const HubStats hs = hub_.Stats();
  o << "# HELP casetrail_subscribers Open subscriptions (SSE), and of them those that have caught up.\n"
       "# TYPE casetrail_subscribers gauge\ncasetrail_subscribers " << hs.subscribers << "\n"
    << "# TYPE casetrail_subscribers_live gauge\ncasetrail_subscribers_live " << hs.live << "\n";
  o << "# HELP casetrail_subscriber_lag_max Events between the head and the slowest open subscriber.\n"
       "# TYPE casetrail_subscriber_lag_max gauge\ncasetrail_subscriber_lag_max " << hs.max_lag << "\n";
  o << "# TYPE casetrail_subscription_events_sent_total counter\ncasetrail_subscription_events_sent_total "
    << hs.frames_sent << "\n";
  o << "# HELP casetrail_subscriber_overflows_total Subscribers ended because their buffer was full.\n"
       "# TYPE casetrail_subscriber_overflows_total counter\ncasetrail_subscriber_overflows_total " << hs.overflows << "\n";
  {
    std::lock_guard<std::mutex> lk(extra_mu_);
    if (extra_metrics_) o << extra_metrics_();
  }
  return o.str();
}

}  // namespace casetrail::http
