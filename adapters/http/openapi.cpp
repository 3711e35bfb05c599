#include "adapters/http/openapi.hpp"

#include <cctype>
#include <map>
#include <string>
#include <string_view>

#include "adapters/http/routes.hpp"

namespace casetrail::http {
namespace {

using Json = nlohmann::json;

const char* Reason(int status) {
  static const std::map<int, const char*> kReasons = {
      {200, "OK"},           {201, "Created"},   {400, "Bad request: the error names the field"},
      {401, "Unauthenticated: no token, or an unknown or revoked one"},
      {403, "Forbidden: the role or scope may not do this"},
      {404, "Not found"},    {409, "Conflict"},  {413, "The body is over the limit (1 MiB)"},
      {422, "Refused by the workflows: the rule and the child's states and allowed actions"}};
  auto it = kReasons.find(status);
  return it == kReasons.end() ? "" : it->second;
}

// "GET /v1/children/{child}/as-of" -> "getChildrenChildAsOf": stable names for generated clients.
std::string OperationId(const Route& r) {
  std::string id;
  for (const char* m = r.method; *m; ++m) id += static_cast<char>(std::tolower(static_cast<unsigned char>(*m)));
  std::string_view path = r.path;
  if (path.starts_with("/v1/")) path.remove_prefix(3);  // the version is not part of the name
  bool upper = true;
  for (char c : path) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    id += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return id;
}

Json Operation(const Route& r) {
  Json params = Json::array();
  for (const auto& name : r.PathParams()) {
    Json schema = {{"type", "string"}, {"pattern", "^[A-Za-z0-9._-]+$"}, {"maxLength", name == "child" ? 128 : 64}};
    params.push_back({{"name", name}, {"in", "path"}, {"required", true}, {"schema", schema}});
  }
  for (const auto& [name, required] : r.QueryParams()) {
    params.push_back({{"name", name}, {"in", "query"}, {"required", required}, {"schema", {{"type", "string"}}}});
  }
  const bool stream = std::string_view(r.summary).find("server-sent events") != std::string_view::npos;
  Json responses = Json::object();
  for (int status : r.Answers()) {
    Json answer = {{"description", Reason(status)}};
    if (status < 300) {
      answer["content"] = stream ? Json{{"text/event-stream", Json::object()}}
                                 : std::string_view(r.path) == "/metrics"
                                       ? Json{{"text/plain", Json::object()}}
                                       : Json{{"application/json", Json::object()}};
    } else {
      answer["content"] = {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}};
    }
    responses[std::to_string(status)] = answer;
  }
  Json op = {{"operationId", OperationId(r)},
             {"summary", r.summary},
             {"parameters", params},
             {"responses", responses},
             {"x-casetrail-access", Describe(r.who)},
             {"security", r.who == Who::kAnyone || r.who == Who::kSignIn
                                  ? Json::array()
                                  : Json::array({{{"bearer", Json::array()}}, {{"session", Json::array()}}})}};
  if (std::string_view(r.method) != "GET") {
    op["requestBody"] = {{"required", std::string_view(r.method) == "POST"},
                         {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
  }
  return op;
}

}  // namespace

nlohmann::json OpenApiDocument() {
  Json paths = Json::object();
  for (const Route& r : Routes()) {
    std::string method = r.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[r.path][method] = Operation(r);
  }
  Json error = {{"type", "object"},
                {"required", {"error"}},
                {"properties",
                 {{"error",
                   {{"type", "object"},
                    {"required", {"code", "message"}},
                    {"properties",
                     {{"code", {{"type", "string"}}},
                      {"message", {{"type", "string"}}},
                      {"field", {{"type", "string"}}},
                      {"rule", {{"type", "string"}}},
                      {"actual_version", {{"type", "integer"}}}}}}}}}};
  return Json{{"openapi", "3.1.0"},
              {"info",
               {{"title", "casetrail HTTP API"},
                {"version", "1"},
                {"description", "Children's social care case workflows. Every route, with examples: docs/api.md."}}},
              {"servers", Json::array({{{"url", "http://127.0.0.1:8080"}}})},
              {"components",
               {{"securitySchemes",
                 {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}},
                  {"session",
                   {{"type", "apiKey"},
                    {"in", "cookie"},
                    {"name", kSessionCookie},
                    {"description", "from POST /v1/session; writes also need the X-CSRF-Token header"}}}}},
                {"schemas", {{"Error", error}}}}},
              {"security", Json::array({{{"bearer", Json::array()}}, {{"session", Json::array()}}})},
              {"paths", paths}};
}

}  // namespace casetrail::http
