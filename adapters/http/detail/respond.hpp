// Pieces every route handler uses: JSON answers and errors, query strings and JSON bodies read
// strictly (unknown parameters and fields are named), and the role groups of docs/api.md's
// access rules. Internal to adapters/http.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/http/api.hpp"
#include "engine/status.hpp"

namespace casetrail::http::detail {

using Json = nlohmann::json;

// ---- answers ----------------------------------------------------------------------------------
Response JsonResponse(int status, const Json& body);
// {"error": {...}} with the status's HTTP code (InvalidArgument 400, Forbidden 403, ...).
Response Error(const Status& s);
Response MethodNotAllowed(const std::string& method, const std::string& allowed);
// A body over the limit (the server refuses it before the API; this covers direct callers).
std::optional<Response> OverLimit(const Request& r, std::size_t limit);
// The answer that hands a subscription to the server to stream.
Response StreamResponse(std::shared_ptr<Subscription> s);
// A JSON string as nlohmann::json's compact dump writes it, appended to *out.
void AppendJsonString(std::string* out, std::string_view v);
void AppendJsonStrings(std::string* out, const std::vector<std::string>& v);

// ---- reading requests -------------------------------------------------------------------------
// "a=1&b=x%20y" -> {a: 1, b: "x y"}; false on bad percent-encoding (*bad: the part).
bool ParseQuery(std::string_view q, std::map<std::string, std::string>* out, std::string* bad);
// A route's query: percent-decoded, and only the parameters the route declares (Route::query).
Status ReadQuery(const Route& route, std::string_view query, std::map<std::string, std::string>* out);
inline Status ReadQuery(const Call& call, std::map<std::string, std::string>* out) {
  return ReadQuery(*call.route, call.query, out);
}
// A route without query parameters: any query is a 400 naming its first parameter as written.
Status NoQuery(const Call& call);
// The query's as_of (a date means the end of that London day), or now.
Result<TimestampUs> AsOfOrNow(const std::map<std::string, std::string>& q);
// A JSON body for the small admin routes: an object with only these fields.
Result<Json> ParseBody(const std::string& body, std::initializer_list<const char*> allowed);
// An optional string field of at most `max` bytes.
Status StringField(const Json& doc, const char* key, std::size_t max, std::string* out);
// A whole number in text (a query parameter or header), at most `max`.
Result<std::uint64_t> Number(const std::string& v, const std::string& field, std::uint64_t max);
// The `heartbeat` query parameter (seconds); zero (the hub's default) when absent.
Result<std::chrono::milliseconds> HeartbeatOf(std::map<std::string, std::string>& q);
// A child id (or subscription name): letters, digits, '.', '_' and '-', at most 128 (no
// traversal, no spaces).
bool ValidChildId(const std::string& id);

// ---- roles (docs/api.md, "Access rules") ------------------------------------------------------
// Roles whose reads are limited to their own team's children (or children they recorded on).
bool TeamScoped(const std::string& role);
// Roles that read across teams; their reads of a child's record are logged.
bool Privileged(const std::string& role);
// Roles that read or subscribe but never record actions.
bool NeverWrites(const std::string& role);

}  // namespace casetrail::http::detail
