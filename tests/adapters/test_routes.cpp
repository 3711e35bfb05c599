// The route table (adapters/http/routes.cpp) is the one list of routes: these tests check that
// dispatch, the 405 Allow header, the metrics labels, docs/api.md and the OpenAPI document all
// say what it says.
#include "adapters/http/routes.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <future>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "adapters/demo.hpp"
#include "adapters/http/api.hpp"
#include "adapters/http/openapi.hpp"
#include "engine/event_log.hpp"

using namespace casetrail;
using namespace casetrail::http;
using Json = nlohmann::json;

namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Key(const std::string& method, const std::string& path) { return method + " " + path; }

// "GET /v1/plo" -> "team area as_of" as a set.
std::set<std::string> QueryNames(const Route& r) {
  std::set<std::string> out;
  for (const auto& [name, required] : r.QueryParams()) out.insert(name);
  return out;
}

struct Documented {
  int line = 0;
  std::set<std::string> query;  // the query parameters its heading names
};

// The routes docs/api.md documents: every heading under "## Routes" that names a path
// ("### `GET /v1/plo?team=&area=&as_of=`", "### `PUT` and `DELETE /v1/children/{child}/restriction`"),
// one entry per method it names.
std::map<std::string, Documented> DocumentedRoutes(const std::string& text) {
  std::map<std::string, Documented> out;
  std::istringstream in(text);
  std::string line;
  bool routes = false;
  int n = 0;
  const std::regex method(R"(\b(GET|POST|PUT|DELETE|PATCH|HEAD)\b)");
  const std::regex path(R"((/[^\s`?]*)(\?[^\s`]*)?)");
  const std::regex param(R"([?&\[]+([a-z_]+)=)");
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind("## ", 0) == 0) routes = line == "## Routes";
    if (!routes || line.rfind("###", 0) != 0) continue;
    std::smatch p;
    if (!std::regex_search(line, p, path)) continue;  // a section heading ("Persistent subscriptions")
    Documented d;
    d.line = n;
    const std::string query = p[2];
    for (std::sregex_iterator it(query.begin(), query.end(), param), end; it != end; ++it) d.query.insert((*it)[1]);
    for (std::sregex_iterator it(line.begin(), line.end(), method), end; it != end; ++it) {
      out[Key((*it)[1], p[1])] = d;
    }
  }
  return out;
}

// A caller each rule lets in, and one it keeps out.
const std::map<Who, std::pair<std::string, std::string>> kCallers = {
    {Who::kAnyCaller, {"sw", ""}},
    {Who::kRecorders, {"tm", "audit"}},
    {Who::kChildReaders, {"audit", "sub"}},
    {Who::kRestrictors, {"admin", "sw"}},
    {Who::kCaseViewers, {"audit", "sub"}},
    {Who::kLogReaders, {"audit", "sw"}},
    {Who::kAuditors, {"audit", "sub"}},
    {Who::kSubscribers, {"sub", "audit"}},
    {Who::kSubscriptionUsers, {"sub", "admin"}},
    {Who::kSubscriptionDefiners, {"sub", "audit"}},
    {Who::kAdmins, {"admin", "tm"}},
    {Who::kLadoOfficers, {"lado", "audit"}},
    {Who::kAllegationReaders, {"lado", "sw"}},
};

struct Fixture {
  std::unique_ptr<EventLog> log = OpenMemoryEventLog();
  Tokens tokens;
  std::unique_ptr<Api> api;
  Fixture() {
    {
      workflows::CaseService demo(*log);
      REQUIRE(LoadDemoCaseload(demo).ok());
      workflows::OwnRecordService lado(*log, workflows::AllegationRecord());
      workflows::OwnRecordCommand c;
      c.id = "L-1";
      c.action = "lado.referral_received";
      c.occurred_at = workflows::Date::FromYmd(2026, 9, 2).StartUs();
      c.params = {{"concern_raised_on", "2026-09-01"}, {"sector", "education"}, {"employment", "paid"},
                  {"subject", "a teacher"}, {"criteria", "harmed_a_child"}, {"referrer", "employer"}};
      c.actor = Actor{"lado.patel", "lado_officer", "lado"};
      REQUIRE(lado.Execute(c)->accepted);
      workflows::OwnRecordService carers(*log, workflows::CarerRecord());
      c.id = "C-1";
      c.action = "carer.enquiry_received";
      c.params = {{"kind", "foster_carer"}, {"household", "couple"}};
      c.actor = Actor{"fw.ali", "fostering_worker", "fostering"};
      REQUIRE(carers.Execute(c)->accepted);
    }
    tokens.Add("sw", {"sw.jones", "social_worker", "north-1"});
    tokens.Add("tm", {"tm.khan", "team_manager", "north-1"});
    tokens.Add("audit", {"audit.reid", "auditor", "audit"});
    tokens.Add("admin", {"ops.admin", "admin", "operations"});
    tokens.Add("sub", {"relay.svc", "subscriber", "integration"});
    tokens.Add("lado", {"lado.patel", "lado_officer", "lado"});
    api = std::make_unique<Api>(*log, workflows::RuleBook::Default(), tokens);
  }
  Response Call(const std::string& method, const std::string& target, const std::string& token,
                const std::string& body = {}) {
    return api->Handle(Request{method, target, token.empty() ? "" : "Bearer " + token, body, "", {}, {}, {}, {}});
  }
};

// The route's path with its parameters filled in: a child of the demo caseload, a subscription.
std::string Target(const std::string& path) {
  std::string t = path;
  for (auto [param, value] : {std::pair<std::string, std::string>{"{child}", "1002"}, {"{name}", "billing"}, {"{allegation}", "L-1"}, {"{carer}", "C-1"}}) {
    if (auto at = t.find(param); at != std::string::npos) t.replace(at, param.size(), value);
  }
  return t;
}

std::string Header(const Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

}  // namespace

TEST_CASE("docs/api.md documents every route of the table, and nothing else", "[adapters][http][routes][docs]") {
  std::ifstream f(std::string(CASETRAIL_SOURCE_DIR) + "/docs/api.md");
  REQUIRE(f);
  const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto documented = DocumentedRoutes(text);
  REQUIRE(documented.size() >= 20);
  for (const Route& r : Routes()) {
    const std::string key = Key(r.method, r.path);
    INFO("the route table has " << key);
    auto it = documented.find(key);
    CHECK(it != documented.end());  // a route docs/api.md does not document
    if (it == documented.end()) continue;
    INFO("docs/api.md line " << it->second.line);
    CHECK(it->second.query == QueryNames(r));  // the heading names the route's query parameters
    documented.erase(it);
  }
  for (const auto& [key, d] : documented) {
    INFO("docs/api.md line " << d.line << " documents " << key << ", which the route table does not have");
    CHECK(false);
  }
}

TEST_CASE("the route table's metrics labels are today's", "[adapters][http][routes]") {
  // Dashboards and alerts select on these strings: a renamed label is a broken dashboard.
  const std::set<std::string> kLabels = {"health",   "metrics",     "register", "command",  "child",
                                         "allowed-actions", "chronology", "as-of", "explain", "export",
                                         "restriction", "plo",      "deadlines", "kpis",    "caseload",
                                         "events",   "verify",      "subscribe", "subscriptions", "openapi",  "teams",
                                         "session",  "actions", "journeys", "changes", "rules",
                                         "allegation-command", "allegation", "allegations",
                                         "carer-command", "carer", "carers"};
  std::set<std::string> labels;
  for (const Route& r : Routes()) labels.insert(r.label);
  CHECK(labels == kLabels);
}

TEST_CASE("every route is dispatched through the table, counted under its label and guarded by its rule",
          "[adapters][http][routes][access]") {
  Fixture f;
  REQUIRE(f.Call("PUT", "/v1/subscriptions/billing", "sub", "{}").status == 201);
  for (const Route& r : Routes()) {
    const std::string target = Target(r.path);
    INFO(r.method << " " << target);
    const std::string counted = "casetrail_http_requests_total{route=\"" + std::string(r.label) + "\",status=\"";
    if (r.who == Who::kAnyone) {
      CHECK(f.Call(r.method, target, "").status == 200);
      CHECK(f.api->Metrics().find(counted + "200\"}") != std::string::npos);
      continue;
    }
    if (r.who == Who::kSignIn) {  // no header: the token is in the body
      CHECK(f.Call(r.method, target, "", "{}").status == 400);
      CHECK(f.Call(r.method, target, "", R"({"token":"nope"})").status == 401);
      CHECK(f.Call(r.method, target, "", R"({"token":"sw"})").status == 201);
      CHECK(f.api->Metrics().find(counted + "201\"}") != std::string::npos);
      continue;
    }
    CHECK(f.Call(r.method, target, "").status == 401);
    const auto& [in, out] = kCallers.at(r.who);
    const Response let_in = f.Call(r.method, target, in, "{}");
    INFO("answer: " << let_in.body);
    CHECK(let_in.status != 401);
    CHECK(let_in.status != 403);
    CHECK(let_in.status != 404);
    CHECK(let_in.status != 405);
    CHECK(f.api->Metrics().find(counted + std::to_string(let_in.status) + "\"}") != std::string::npos);
    if (!out.empty()) {
      const Response kept_out = f.Call(r.method, target, out, "{}");
      CHECK(kept_out.status == 403);
    }
    if (let_in.stream) let_in.stream->Cancel();
  }
}

TEST_CASE("a wrong method answers 405 with the table's methods for the path in Allow", "[adapters][http][routes]") {
  Fixture f;
  std::map<std::string, std::string> allow;  // path -> "PUT, DELETE"
  for (const Route& r : Routes()) {
    if (r.who == Who::kAnyone) continue;  // probes answer any method
    auto& a = allow[r.path];
    a += (a.empty() ? "" : ", ") + std::string(r.method);
  }
  CHECK(allow["/v1/children/{child}/restriction"] == "PUT, DELETE");
  CHECK(allow["/v1/subscriptions/{name}"] == "GET, PUT");
  for (const auto& [path, methods] : allow) {
    const Response res = f.Call("PATCH", Target(path), "admin");
    INFO(path << ": " << res.body);
    CHECK(res.status == 405);
    CHECK(Header(res, "Allow") == methods);
  }
  CHECK(f.Call("PATCH", "/health", "").status == 200);
}

TEST_CASE("unknown query parameters are refused with the parameter named, as the table lists them",
          "[adapters][http][routes]") {
  Fixture f;
  REQUIRE(f.Call("PUT", "/v1/subscriptions/billing", "sub", "{}").status == 201);
  for (const Route& r : Routes()) {
    // /health, /metrics and the routes that take a body ignore the query; so does /v1/verify
    // (as it always has).
    if (r.who == Who::kAnyone || std::string_view(r.method) != "GET" || std::string_view(r.path) == "/v1/verify") continue;
    const auto& [in, out] = kCallers.at(r.who);
    const Response res = f.Call("GET", Target(r.path) + "?colour=red", in);
    INFO(r.method << " " << r.path << ": " << res.body);
    CHECK(res.status == 400);
    CHECK(Json::parse(res.body)["error"]["field"] == "colour");
    if (res.stream) res.stream->Cancel();
  }
}

TEST_CASE("the doors follow the table: commands asynchronous, reads from memory inline", "[adapters][http][routes]") {
  Fixture f;
  REQUIRE(f.api->Warm().ok());
  auto req = [](const std::string& method, const std::string& target) {
    return Request{method, target, "Bearer sw", "", "", {}, {}, {}, {}};
  };
  CHECK(f.api->Async(req("POST", "/v1/children/1002/commands")));
  CHECK_FALSE(f.api->Async(req("POST", "/v1/children/a%20b/commands")));  // answered 400 synchronously
  CHECK_FALSE(f.api->Async(req("GET", "/v1/children/1002/commands")));
  CHECK_FALSE(f.api->Async(req("POST", "/v1/children")));
  CHECK(f.api->Inline(req("GET", "/v1/children/1002")));
  CHECK(f.api->Inline(req("GET", "/v1/children/1002/allowed-actions")));
  CHECK(f.api->Inline(req("GET", "/health")));
  CHECK_FALSE(f.api->Inline(req("GET", "/v1/children/1002/export")));
  CHECK_FALSE(f.api->Inline(req("GET", "/v1/plo")));
  CHECK_FALSE(f.api->Inline(req("PUT", "/v1/children/1002/restriction")));

  // The asynchronous door answers as the synchronous one, through the same authentication.
  std::promise<Response> answered;
  f.api->HandleAsync(Request{"POST", "/v1/children/1002/commands", "Bearer nope", "{}", "", {}, {}, {}, {}},
                     [&](Response r) { answered.set_value(std::move(r)); });
  const Response unauthenticated = answered.get_future().get();
  CHECK(unauthenticated.status == 401);
  CHECK(f.api->Metrics().find("casetrail_http_requests_total{route=\"unauthenticated\",status=\"401\"} 1") !=
        std::string::npos);
}

TEST_CASE("the OpenAPI document is the route table", "[adapters][http][routes][openapi]") {
  Fixture f;
  const Response served = f.Call("GET", "/v1/openapi.json", "sw");
  REQUIRE(served.status == 200);
  CHECK(served.content_type == "application/json");
  CHECK(f.Call("GET", "/v1/openapi.json", "").status == 401);
  const Json doc = Json::parse(served.body, nullptr, false);
  REQUIRE_FALSE(doc.is_discarded());
  CHECK(doc == OpenApiDocument());
  CHECK(doc["openapi"] == "3.1.0");
  CHECK(doc["info"]["title"].is_string());
  CHECK(doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer");

  std::size_t operations = 0;
  for (const auto& [path, methods] : doc["paths"].items()) operations += methods.size();
  CHECK(operations == Routes().size());  // nothing the table does not have

  for (const Route& r : Routes()) {
    INFO(r.method << " " << r.path);
    REQUIRE(doc["paths"].contains(r.path));
    REQUIRE(doc["paths"][r.path].contains(Lower(r.method)));
    const Json& op = doc["paths"][r.path][Lower(r.method)];
    CHECK(op["summary"] == r.summary);
    CHECK(op["x-casetrail-access"] == Describe(r.who));
    CHECK(op["security"].empty() == (r.who == Who::kAnyone || r.who == Who::kSignIn));

    std::set<std::string> path_params, query_params, required;
    for (const auto& p : op["parameters"]) {
      if (p["in"] == "path") {
        CHECK(p["required"] == true);
        path_params.insert(p["name"]);
      } else {
        CHECK(p["in"] == "query");
        query_params.insert(p["name"]);
        if (p["required"] == true) required.insert(p["name"]);
      }
    }
    const auto pp = r.PathParams();
    CHECK(path_params == std::set<std::string>(pp.begin(), pp.end()));
    CHECK(query_params == QueryNames(r));
    std::set<std::string> want_required;
    for (const auto& [name, req] : r.QueryParams()) {
      if (req) want_required.insert(name);
    }
    CHECK(required == want_required);

    std::set<std::string> statuses;
    for (const auto& [status, answer] : op["responses"].items()) statuses.insert(status);
    std::set<std::string> want;
    for (int s : r.Answers()) want.insert(std::to_string(s));
    CHECK(statuses == want);
    CHECK(statuses.count("401") == (r.who == Who::kAnyone ? 0u : 1u));  // every route with a token answers 401
  }
  // The table's own shape: every route answers 200 (or 201), and the async door has its handler.
  for (const Route& r : Routes()) {
    INFO(r.method << " " << r.path);
    CHECK(r.handler != nullptr);
    CHECK((r.door == Door::kAsync) == (r.async != nullptr));
    CHECK((r.Answers().front() == 200 || r.Answers().front() == 201));
  }
}
