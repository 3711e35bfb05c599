#include "adapters/http/detail/respond.hpp"

#include <cctype>
#include <cstdio>
#include <set>

#include "adapters/json/event_json.hpp"
#include "adapters/http/routes.hpp"
#include "replay/projections.hpp"

namespace casetrail::http::detail {
namespace {

namespace cj = casetrail::json;

const std::set<std::string> kTeamScoped = {"social_worker", "team_manager", "early_help_worker",
                                           "early_help_manager", "personal_adviser"};

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

}  // namespace

Response JsonResponse(int status, const Json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);  // bad UTF-8 in a quoted input: U+FFFD
  return r;
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

Status ReadQuery(const Route& route, std::string_view query, std::map<std::string, std::string>* out) {
  std::string bad;
  if (!ParseQuery(query, out, &bad)) return Status::InvalidArgument(bad, "is not valid percent-encoding");
  const auto known = route.QueryParams();
  for (const auto& [k, v] : *out) {
    bool ok = false;
    for (const auto& [name, required] : known) ok = ok || k == name;
    if (!ok) return Status::InvalidArgument(k, "is not a query parameter of this route");
  }
  return Status::Ok();
}

Status NoQuery(const Call& call) {
  if (call.query.empty()) return Status::Ok();
  return Status::InvalidArgument(call.query.substr(0, call.query.find('=')), "is not a query parameter of this route");
}

// The query's as_of (a date means the end of that London day), or now.
Result<TimestampUs> AsOfOrNow(const std::map<std::string, std::string>& q) {
  auto it = q.find("as_of");
  if (it == q.end()) return SystemClockUs();
  return cj::ParseAsOf(it->second, "as_of");
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

// A JSON body for the small admin routes: an object with only these fields.
Result<Json> ParseBody(const std::string& body, std::initializer_list<const char*> allowed) {
  Json doc = Json::parse(body, nullptr, false);
  if (doc.is_discarded()) return Status::InvalidArgument("body", "is not valid JSON");
  if (!doc.is_object()) return Status::InvalidArgument("body", "must be a JSON object");
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || it.key() == a;
    if (!ok) return Status::InvalidArgument(it.key(), "is not a field of this request");
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

// A body over the limit (the server refuses it before the API; this covers direct callers).
std::optional<Response> OverLimit(const Request& r, std::size_t limit) {
  if (r.body.size() <= limit) return std::nullopt;
  return JsonResponse(413, Json{{"error", {{"code", "too_large"},
                                           {"message", "the body is " + std::to_string(r.body.size()) +
                                                           " bytes; the limit is " + std::to_string(limit)}}}});
}

Response MethodNotAllowed(const std::string& method, const std::string& allowed) {
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

bool TeamScoped(const std::string& role) { return kTeamScoped.count(role) > 0; }
bool Privileged(const std::string& role) { return !TeamScoped(role) && role != "subscriber"; }
bool NeverWrites(const std::string& role) { return role == "auditor" || role == "subscriber" || role == "admin"; }

}  // namespace casetrail::http::detail
