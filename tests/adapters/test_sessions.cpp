// Browser sessions (adapters/http/sessions.hpp): a token exchanged for an HttpOnly, SameSite=Strict
// cookie; the cookie reads like the token; a session's writes need its CSRF token; sign-out,
// expiry and a revoked token end it.
#include "adapters/http/sessions.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "adapters/demo.hpp"
#include "adapters/http/api.hpp"
#include "engine/event_log.hpp"

using namespace casetrail;
using namespace casetrail::http;
using Json = nlohmann::json;

namespace {

constexpr TimestampUs kHourUs = 3600LL * 1000000;

struct Fixture {
  std::filesystem::path file = std::filesystem::temp_directory_path() /
                               ("casetrail-sessions-" + std::to_string(::getpid()) + "-" +
                                std::to_string(reinterpret_cast<std::uintptr_t>(this)));
  std::unique_ptr<EventLog> log = OpenMemoryEventLog();
  std::string sw_token, tm_token;
  std::string sw_line, tm_line;
  TimestampUs now = SystemClockUs();
  std::unique_ptr<Tokens> tokens;
  std::unique_ptr<Api> api;

  Fixture() {
    {
      workflows::CaseService demo(*log);
      REQUIRE(LoadDemoCaseload(demo).ok());
    }
    std::tie(sw_token, sw_line) = Tokens::Make({"sw.jones", "social_worker", "north-1"});
    std::tie(tm_token, tm_line) = Tokens::Make({"tm.khan", "team_manager", "north-1"});
    WriteTokens({sw_line, tm_line});
    tokens = std::make_unique<Tokens>(file);
    REQUIRE(tokens->Reload().ok());
    ApiOptions o;
    o.clock = [this] { return now; };
    api = std::make_unique<Api>(*log, workflows::RuleBook::Default(), *tokens, o);
  }
  ~Fixture() { std::filesystem::remove(file); }
  void WriteTokens(const std::vector<std::string>& lines) {
    std::ofstream out(file, std::ios::trunc);
    for (const auto& l : lines) out << l << "\n";
  }
  // A request with a session cookie (and a CSRF token) but no Authorization header.
  Response WithCookie(const std::string& method, const std::string& target, const std::string& cookie,
                      const std::string& csrf = "", const std::string& body = "") {
    Request r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.cookie = "theme=dark; " + std::string(kSessionCookie) + "=" + cookie;
    r.csrf_token = csrf;
    return api->Handle(r);
  }
  Response SignIn(const std::string& token) {
    Request r;
    r.method = "POST";
    r.target = "/v1/session";
    r.body = Json{{"token", token}}.dump();
    return api->Handle(r);
  }
};

std::string Header(const Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

// The id in a Set-Cookie header.
std::string CookieOf(const Response& r) {
  const std::string set = Header(r, "Set-Cookie");
  const std::string prefix = std::string(kSessionCookie) + "=";
  REQUIRE(set.rfind(prefix, 0) == 0);
  return set.substr(prefix.size(), set.find(';') - prefix.size());
}

const char* kVisit = R"({"action":"cp.visit_held","occurred_at":"2026-11-20T10:00:00Z"})";

}  // namespace

TEST_CASE("a cookie's value is found among the others", "[adapters][http][session]") {
  CHECK(CookieValue("a=1; casetrail_session=ab12; b=2", kSessionCookie) == "ab12");
  CHECK(CookieValue("casetrail_session=ab12", kSessionCookie) == "ab12");
  CHECK(CookieValue("xcasetrail_session=ab12", kSessionCookie).empty());
  CHECK(CookieValue("", kSessionCookie).empty());
  CHECK(CookieValue("casetrail_session", kSessionCookie).empty());
}

TEST_CASE("a token is exchanged for an HttpOnly, SameSite=Strict session cookie that reads like the token",
          "[adapters][http][session]") {
  Fixture f;
  const Response in = f.SignIn(f.sw_token);
  REQUIRE(in.status == 201);
  const std::string set = Header(in, "Set-Cookie");
  CHECK(set.find("; Path=/; HttpOnly; SameSite=Strict; Max-Age=28800") != std::string::npos);
  CHECK(Header(in, "Cache-Control") == "no-store");
  const Json body = Json::parse(in.body);
  CHECK(body["user"] == "sw.jones");
  CHECK(body["role"] == "social_worker");
  CHECK(body["team"] == "north-1");
  CHECK(body["csrf_token"].get<std::string>().size() == 64);
  CHECK(body.contains("expires_at"));
  // The token itself is in no header and no body.
  CHECK(in.body.find(f.sw_token) == std::string::npos);
  CHECK(set.find(f.sw_token) == std::string::npos);
  const std::string id = CookieOf(in);
  CHECK(id.size() == 64);
  CHECK(id != body["csrf_token"]);

  // The cookie alone reads the child, as the token would; who am I answers the same CSRF token.
  CHECK(f.WithCookie("GET", "/v1/children/1002", id).status == 200);
  const Response me = f.WithCookie("GET", "/v1/session", id);
  REQUIRE(me.status == 200);
  CHECK(Json::parse(me.body)["csrf_token"] == body["csrf_token"]);
  // Team scope as with the token: a north-1 social worker's session cannot list the global log.
  CHECK(f.WithCookie("GET", "/v1/events", id).status == 403);
  // Two sign-ins are two sessions.
  CHECK(CookieOf(f.SignIn(f.sw_token)) != id);
}

TEST_CASE("a write made with a session cookie needs the session's CSRF token, and nothing is written without it",
          "[adapters][http][session][csrf]") {
  Fixture f;
  const Response in = f.SignIn(f.sw_token);
  const std::string id = CookieOf(in);
  const std::string csrf = Json::parse(in.body)["csrf_token"];
  // The child's record is untouched (the refusals themselves go to the access log).
  auto version = [&] { return f.log->GetStreamInfo("child-1002")->last_version; };
  const auto before = version();
  for (const std::string& wrong : {std::string(), std::string("0"), std::string(csrf.size(), '0'), csrf + "0"}) {
    INFO("X-CSRF-Token: '" << wrong << "'");
    const Response r = f.WithCookie("POST", "/v1/children/1002/commands", id, wrong, kVisit);
    CHECK(r.status == 403);
    CHECK(Json::parse(r.body)["error"]["code"] == "csrf");
  }
  CHECK(version() == before);
  const Response ok = f.WithCookie("POST", "/v1/children/1002/commands", id, csrf, kVisit);
  CHECK(ok.status == 201);
  CHECK(version() > before);
  // Another session's CSRF token does not do.
  const Response other = f.SignIn(f.tm_token);
  const std::string other_csrf = Json::parse(other.body)["csrf_token"];
  CHECK(f.WithCookie("POST", "/v1/children/1002/commands", id, other_csrf, kVisit).status == 403);
  // A bearer token needs no CSRF token (it is not sent by a browser on its own).
  Request bearer;
  bearer.method = "POST";
  bearer.target = "/v1/children/1002/commands";
  bearer.authorization = "Bearer " + f.sw_token;
  bearer.body = kVisit;
  CHECK(f.api->Handle(bearer).status == 201);
}

TEST_CASE("sign-out, expiry and a revoked token end a session", "[adapters][http][session]") {
  Fixture f;
  SECTION("sign-out") {
    const Response in = f.SignIn(f.sw_token);
    const std::string id = CookieOf(in);
    const std::string csrf = Json::parse(in.body)["csrf_token"];
    CHECK(f.WithCookie("DELETE", "/v1/session", id).status == 403);  // a write: CSRF first
    const Response out = f.WithCookie("DELETE", "/v1/session", id, csrf);
    CHECK(out.status == 200);
    CHECK(Header(out, "Set-Cookie").find("Max-Age=0") != std::string::npos);
    const Response after = f.WithCookie("GET", "/v1/children/1002", id);
    CHECK(after.status == 401);
    CHECK(after.body.find("sign in again") != std::string::npos);
  }
  SECTION("expiry: eight hours from sign-in") {
    const std::string id = CookieOf(f.SignIn(f.sw_token));
    f.now += 8 * kHourUs - 1000000;
    CHECK(f.WithCookie("GET", "/v1/children/1002", id).status == 200);
    f.now += 1000000;
    CHECK(f.WithCookie("GET", "/v1/children/1002", id).status == 401);
    f.now -= 1000000;  // gone for good, even if the clock is wrong
    CHECK(f.WithCookie("GET", "/v1/children/1002", id).status == 401);
  }
  SECTION("the token is revoked from the tokens file") {
    const std::string id = CookieOf(f.SignIn(f.sw_token));
    CHECK(f.WithCookie("GET", "/v1/children/1002", id).status == 200);
    f.WriteTokens({f.tm_line});
    REQUIRE(f.tokens->Reload().ok());
    CHECK(f.WithCookie("GET", "/v1/children/1002", id).status == 401);
    CHECK(f.SignIn(f.sw_token).status == 401);
  }
  SECTION("an unknown cookie, or a bad Authorization header beside a good cookie") {
    const std::string id = CookieOf(f.SignIn(f.sw_token));
    CHECK(f.WithCookie("GET", "/v1/children/1002", std::string(64, 'a')).status == 401);
    Request r;
    r.method = "GET";
    r.target = "/v1/children/1002";
    r.authorization = "Bearer not-a-token";
    r.cookie = std::string(kSessionCookie) + "=" + id;
    CHECK(f.api->Handle(r).status == 401);  // the header, when there is one, decides
  }
}

TEST_CASE("a bad sign-in names the field, opens no session and is logged", "[adapters][http][session]") {
  Fixture f;
  Request r;
  r.method = "POST";
  r.target = "/v1/session";
  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {"{}", "token"}, {R"({"token":5})", "token"}, {R"({"token":"x","user":"me"})", "user"}, {"not json", ""}}) {
    INFO(body);
    r.body = body;
    const Response res = f.api->Handle(r);
    CHECK(res.status == 400);
    CHECK(Header(res, "Set-Cookie").empty());
    if (!field.empty()) CHECK(res.body.find(field) != std::string::npos);
  }
  r.body = R"({"token":"not-a-token"})";
  const Response bad = f.api->Handle(r);
  CHECK(bad.status == 401);
  CHECK(Header(bad, "Set-Cookie").empty());
}
