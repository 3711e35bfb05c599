#include "adapters/http/access_log.hpp"

#include <nlohmann/json.hpp>

#include "adapters/http/api.hpp"

namespace casetrail::http {

using Json = nlohmann::json;

void AccessLog::Record(const Principal& who, const std::string& type, const std::string& child,
                       const std::string& what, const std::string& reason) {
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
  log_.AppendAsync(std::move(req), [](Result<AppendResult>) {});
}

void AccessLog::Forbidden(const Principal& who, const std::string& what, const Response& res) {
  if (res.status != 403) return;
  std::string reason;
  Json body = Json::parse(res.body, nullptr, false);
  if (body.is_object() && body.contains("error")) reason = body["error"].value("message", "");
  Record(who, "access.denied", "", what, reason);
}

}  // namespace casetrail::http
