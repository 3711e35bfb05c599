// The HTTP API: routes, errors and access rules through Api::Handle, and the server's handling
// of bad HTTP over a real socket.
#include "adapters/http/api.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <thread>
#include <tuple>

#include "adapters/http/server.hpp"
#include "adapters/json/event_json.hpp"
#include "replay/team_directory.hpp"
#include "engine/event_log.hpp"

using namespace casetrail;
using namespace casetrail::http;
using Json = nlohmann::json;

namespace {

struct Fixture {
  std::unique_ptr<EventLog> log = OpenMemoryEventLog();
  Tokens tokens;
  Api api{*log, workflows::RuleBook::Default(), tokens};
  Fixture() {
    tokens.Add("sw", {"sw.jones", "social_worker", "north-1"});
    tokens.Add("sw-south", {"sw.patel", "social_worker", "south-2"});
    tokens.Add("chair", {"chair.lee", "cp_chair", "safeguarding"});
    tokens.Add("tm", {"tm.khan", "team_manager", "north-1"});
    tokens.Add("audit", {"audit.reid", "auditor", "audit"});
    tokens.Add("sub", {"relay.svc", "subscriber", "integration"});
    tokens.Add("admin", {"ops.admin", "admin", "operations"});
  }
  Response Call(const std::string& method, const std::string& target, const std::string& token,
                const std::string& body = {}) {
    return api.Handle(Request{method, target, token.empty() ? "" : "Bearer " + token, body, "", {}, {}, {}, {}});
  }
  Json Body(const Response& r) { return Json::parse(r.body); }
  Response Post(const std::string& child, const std::string& token, const Json& cmd) {
    return Call("POST", "/v1/children/" + child + "/commands", token, cmd.dump());
  }
  std::uint64_t Head() { return log->HeadPosition(); }
};

Json Cmd(const std::string& action, const std::string& at, Json params = Json::object()) {
  return Json{{"action", action}, {"occurred_at", at}, {"params", params}};
}

}  // namespace

TEST_CASE("recording an action returns the events written, a refusal says why and writes nothing",
          "[adapters][http]") {
  Fixture f;
  auto r = f.Post("1002", "tm", Cmd("cp.strategy_discussion_held", "2026-09-05T13:30:00Z", {{"outcome", "s47"}}));
  REQUIRE(r.status == 201);
  Json b = f.Body(r);
  // The accepted answer is written without a JSON DOM: it must be the canonical compact form
  // (the same bytes as nlohmann's dump of it, keys sorted), and say everything.
  CHECK(r.body == Json::parse(r.body).dump());
  CHECK(b.size() == 11);
  CHECK(b["other_actions"].is_array());  // allowed now, by another role than the team manager's
  CHECK(b["accepted"] == true);
  CHECK(b["child"] == "1002");
  CHECK(b["journey"] == "child_protection");
  CHECK(b["to_state"] == "S47Enquiry");
  CHECK(b["version"] == b["append"]["last_version"]);
  CHECK(b["append"]["stream"] == "child-1002");
  CHECK(b["append"]["duplicate"] == false);
  CHECK(b["append"]["recorded_at"].get<std::string>().size() >= 20);
  CHECK_FALSE(b["allowed_actions"].empty());
  CHECK(b["events"] == Json::array({"cp.strategy_discussion_held", "deadline.scheduled"}));
  CHECK(b["append"]["first_position"] == 1);
  CHECK(b["states"]["child_protection"] == "S47Enquiry");

  auto refused = f.Post("1002", "tm", Cmd("cp.plan_ended", "2026-09-06T10:00:00Z"));
  CHECK(refused.status == 422);
  Json rb = f.Body(refused);
  CHECK(rb["error"]["rule"] == "no_transition");
  CHECK(rb["states"]["child_protection"] == "S47Enquiry");
  CHECK_FALSE(rb["allowed_actions"].empty());

  auto role = f.Post("1002", "sw", Cmd("cp.icpc_held", "2026-09-20T10:00:00Z", {{"outcome", "cp_plan"}, {"category", "neglect"}}));
  CHECK(role.status == 403);
  CHECK(f.Body(role)["error"]["rule"] == "forbidden_role");

  // A retry with the same command id answers the original result.
  Json once = Cmd("cp.s47_concluded", "2026-09-16T09:00:00Z", {{"outcome", "icpc"}});
  once["command_id"] = "cmd-42";
  auto first = f.Post("1002", "sw", once);
  auto again = f.Post("1002", "sw", once);
  CHECK(first.status == 201);
  CHECK(again.status == 200);
  CHECK(f.Body(again)["append"]["duplicate"] == true);
  CHECK(again.body == Json::parse(again.body).dump());
  CHECK(f.Body(again)["append"]["first_position"] == f.Body(first)["append"]["first_position"]);

  // Stale expected version.
  Json stale = Cmd("cp.icpc_held", "2026-09-20T10:00:00Z", {{"outcome", "cp_plan"}, {"category", "neglect"}});
  stale["expected_version"] = 1;
  auto conflict = f.Post("1002", "chair", stale);
  CHECK(conflict.status == 409);
  CHECK(f.Body(conflict)["error"]["actual_version"] == 3);
}

TEST_CASE("bad requests name the field and write nothing", "[adapters][http]") {
  Fixture f;
  const auto head = f.Head();
  auto field = [&](const std::string& body) {
    auto r = f.Call("POST", "/v1/children/7/commands", "sw", body);
    CHECK(r.status == 400);
    return f.Body(r)["error"].value("field", "");
  };
  CHECK(field("{") == "body");
  CHECK(field("[]") == "body");
  CHECK(field(R"({"action":"cp.visit_held"})") == "occurred_at");
  CHECK(field(R"({"action":"cp.visit_held","occurred_at":"yesterday"})") == "occurred_at");
  CHECK(field(R"({"action":1,"occurred_at":"2026-01-01T00:00:00Z"})") == "action");
  CHECK(field(R"({"action":"x.y","occurred_at":"2026-01-01T00:00:00Z","actor":{"role":"admin"}})") == "actor");
  CHECK(field(R"({"action":"x.y","occurred_at":"2026-01-01T00:00:00Z","params":{"a":1}})") == "params.a");
  CHECK(field(R"({"action":"x.y","occurred_at":"2026-01-01T00:00:00Z","expected_version":-1})") == "expected_version");
  CHECK(field(R"({"action":"x.y","occurred_at":"2026-01-01T00:00:00Z","expected_version":1e400})") == "body");
  CHECK(f.Call("POST", "/v1/children/7/commands", "sw", std::string(2 << 20, ' ')).status == 413);
  CHECK(f.Call("POST", "/v1/children/..%2F..%2Fetc/commands", "sw", "{}").status == 400);
  CHECK(f.Call("POST", "/v1/children/a b/commands", "sw", "{}").status == 400);
  CHECK(f.Call("GET", "/v1/children/7/commands", "sw").status == 405);
  CHECK(f.Call("GET", "/v1/nothing", "sw").status == 404);
  CHECK(f.Call("GET", "/v1/plo?colour=red", "tm").status == 400);
  CHECK(f.Call("GET", "/v1/deadlines?due_within=abc", "tm").status == 400);
  CHECK(f.Call("GET", "/v1/events?from=%zz", "audit").status == 400);
  CHECK(f.Call("GET", "/v1/kpis?from=2026-01-01", "audit").status == 400);
  auto future = f.Call("POST", "/v1/children/1002/commands", "sw",
                       R"({"action": "cp.strategy_discussion_held", "occurred_at": "2100-01-01T10:00:00Z", "params": {"outcome": "s47"}})");
  CHECK(future.status == 400);
  CHECK(Json::parse(future.body)["error"]["field"] == "occurred_at");
  INFO(future.body);
  CHECK(Json::parse(future.body)["error"]["message"].get<std::string>().find("future") != std::string::npos);
  auto backwards = f.Call("GET", "/v1/kpis?from=2026-12-01&to=2025-12-01", "audit");
  CHECK(backwards.status == 400);
  CHECK(Json::parse(backwards.body)["error"]["field"] == "to");
  CHECK(f.Call("GET", "/v1/kpis?from=2026-12-01&to=2026-12-01", "audit").status == 400);
  CHECK(f.Head() == head);
}

TEST_CASE("tokens and roles decide who may do what, denials and privileged reads are logged",
          "[adapters][http][access]") {
  Fixture f;
  REQUIRE(f.Post("1002", "tm", Cmd("cp.strategy_discussion_held", "2026-09-05T13:30:00Z", {{"outcome", "s47"}})).status == 201);
  CHECK(f.Call("GET", "/v1/children/1002", "").status == 401);
  CHECK(f.Call("GET", "/v1/children/1002", "nope").status == 401);
  CHECK(f.Call("GET", "/health", "").status == 200);

  CHECK(f.Call("GET", "/v1/children/1002", "sw").status == 200);        // same team
  auto other_team = f.Call("GET", "/v1/children/1002", "sw-south");
  CHECK(other_team.status == 403);
  CHECK(f.Body(other_team)["error"]["message"].get<std::string>().find("belongs to team north-1") != std::string::npos);
  CHECK(f.Post("1002", "sw-south", Cmd("cp.s47_concluded", "2026-09-16T09:00:00Z", {{"outcome", "icpc"}})).status == 403);
  CHECK(f.Call("GET", "/v1/children/1002", "audit").status == 200);     // auditors read everything
  CHECK(f.Post("1002", "audit", Cmd("cp.visit_held", "2026-09-16T09:00:00Z")).status == 403);  // and write nothing
  CHECK(f.Call("GET", "/v1/children/1002", "sub").status == 403);
  CHECK(f.Call("GET", "/v1/events", "sub").status == 200);
  CHECK(f.Call("GET", "/v1/events", "sw").status == 403);
  CHECK(f.Call("GET", "/v1/plo?team=south-2", "sw").status == 403);
  CHECK(f.Call("GET", "/v1/children/404", "audit").status == 404);

  // The access log holds the auditor's reads and the denials, with who and why.
  // (Access-log entries ride on the next group commit: wait for all eight denials.)
  struct Denial {
    std::string user, what, reason;
  };
  std::vector<Denial> denials;
  int reads = 0;
  for (int attempt = 0; attempt < 200 && (reads < 2 || denials.size() < 8); ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    auto log = f.Call("GET", "/v1/events?stream_prefix=access-log", "audit");
    REQUIRE(log.status == 200);
    reads = 0;
    denials.clear();
    const Json body = f.Body(log);
    for (const auto& e : body["events"]) {
      if (e["type"] == "access.read" && e["actor"]["user"] == "audit.reid") ++reads;
      if (e["type"] == "access.denied") {
        denials.push_back({e["actor"]["user"], e["payload"]["what"], e["payload"].value("reason", "")});
      }
    }
  }
  CHECK(reads >= 2);
  REQUIRE(denials.size() == 8);  // in the order they were answered
  const std::vector<std::tuple<std::string, std::string, std::string>> expected = {
      {"anonymous", "GET /v1/children/1002", "unauthenticated"},
      {"anonymous", "GET /v1/children/1002", "unauthenticated"},
      {"sw.patel", "GET /v1/children/1002", "belongs to team north-1"},
      {"sw.patel", "POST /v1/children/1002/commands", "belongs to team north-1"},
      {"audit.reid", "POST /v1/children/1002/commands", "auditor"},
      {"relay.svc", "GET /v1/children/1002", "subscriber"},
      {"sw.jones", "GET /v1/events", "social_worker"},
      {"sw.jones", "GET /v1/plo", "sees team north-1 only"},
  };
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& [user, what, reason] = expected[i];
    INFO("denial " << i << ": " << denials[i].user << " " << denials[i].what << ": " << denials[i].reason);
    CHECK(denials[i].user == user);
    CHECK(denials[i].what == what);
    CHECK_THAT(denials[i].reason, Catch::Contains(reason));
  }
}

TEST_CASE("the read routes answer from the live views", "[adapters][http]") {
  Fixture f;
  f.tokens.Add("legal", {"legal.ng", "legal", "north-1"});
  REQUIRE(f.Post("9", "legal", Cmd("plo.legal_planning_meeting_held", "2026-06-02T09:00:00Z", {{"decision", "pre_proceedings"}})).status == 201);
  auto plo = f.Call("GET", "/v1/plo?as_of=2026-07-01", "legal");
  REQUIRE(plo.status == 200);
  CHECK(f.Body(plo)["children"][0]["child"] == "9");
  CHECK(f.Body(plo)["children"][0]["stage"] == "pre_proceedings");
  auto chron = f.Call("GET", "/v1/children/9/chronology", "legal");
  REQUIRE(chron.status == 200);
  CHECK(f.Body(chron)["chronology"][0]["text"] == "Legal planning meeting held: decision pre proceedings");
  CHECK(f.Call("GET", "/v1/children/9/explain", "legal").status == 200);
  auto bundle = f.Call("GET", "/v1/children/9/export", "audit");
  REQUIRE(bundle.status == 200);
  CHECK(replay::Audit::VerifyBundle(bundle.body).ok);
  CHECK(f.Call("GET", "/v1/kpis?from=2026-01-01&to=2027-01-01", "audit").status == 200);
  CHECK(f.Call("GET", "/v1/caseload", "tm").status == 200);
  CHECK(f.Call("GET", "/v1/deadlines?as_of=2026-06-20&due_within=30", "legal").status == 200);
  auto verify = f.Call("GET", "/v1/verify", "audit");
  CHECK(verify.status == 200);
  CHECK(f.Body(verify)["ok"] == true);
  CHECK(f.api.Metrics().find("casetrail_http_requests_total{route=\"plo\",status=\"200\"} 1") != std::string::npos);
}

namespace {

// Sends raw bytes to the server and returns everything it answers before closing.
std::string Raw(std::uint16_t port, const std::string& bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace

TEST_CASE("GET as-of with known_at answers what the record showed at that time", "[adapters][http][audit]") {
  Fixture f;
  REQUIRE(f.Post("1101", "tm", Cmd("cp.strategy_discussion_held", "2026-09-05T13:30:00Z", {{"outcome", "s47"}})).status == 201);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const std::string between = json::FormatTime(SystemClockUs());  // after the first record, before the second
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(f.Post("1101", "tm", Cmd("cp.s47_concluded", "2026-09-16T09:00:00Z", {{"outcome", "icpc"}})).status == 201);

  auto now = f.Call("GET", "/v1/children/1101/as-of?as_of=2026-09-20&chronology=no", "chair");
  auto then = f.Call("GET", "/v1/children/1101/as-of?as_of=2026-09-20&chronology=no&known_at=" + between, "chair");
  REQUIRE(now.status == 200);
  REQUIRE(then.status == 200);
  const Json n = f.Body(now), t = f.Body(then);
  CHECK(n["known_at"] == nullptr);
  CHECK(t["known_at"] == between);
  CHECK(t["version"].get<int>() < n["version"].get<int>());
  CHECK(n["states"]["child_protection"] == "AwaitingIcpc");
  CHECK(t["states"]["child_protection"] != n["states"]["child_protection"]);
  CHECK(f.Body(f.Call("GET", "/v1/children/1101/as-of?known_at=yesterday", "chair"))["error"]["field"] == "known_at");
}

TEST_CASE("the server answers broken HTTP with the right status and stops gracefully", "[adapters][http][server]") {
  Fixture f;
  ServerOptions o;
  o.port = 0;
  o.worker_threads = 4;
  o.max_body_bytes = 1024;
  Server server(f.api, o);
  REQUIRE(server.Start().ok());
  const std::uint16_t port = server.port();
  CHECK_THAT(Raw(port, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), Catch::Contains("200 OK"));
  CHECK_THAT(Raw(port, "GARBAGE\r\n\r\n"), Catch::StartsWith("HTTP/1.1 400"));
  CHECK_THAT(Raw(port, "POST /v1/children/1/commands HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" +
                           std::string(5000, 'x')),
             Catch::StartsWith("HTTP/1.1 413"));
  CHECK_THAT(Raw(port, "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n"),
             Catch::StartsWith("HTTP/1.1 431"));
  // Two requests on one connection (keep-alive).
  const std::string two = Raw(port, "GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/plo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(two.find("200 OK") != std::string::npos);
  CHECK(two.find("401 Unauthorized") != std::string::npos);
  const std::string body = Json{{"action", "cp.strategy_discussion_held"}, {"occurred_at", "2026-09-05T13:30:00Z"},
                                {"params", {{"outcome", "s47"}}}}.dump();
  auto post = Raw(port, "POST /v1/children/1002/commands HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tm\r\n"
                        "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  CHECK_THAT(post, Catch::Contains("201 Created"));
  server.Stop(std::chrono::seconds(5));
  CHECK(f.Head() >= 2);
}

TEST_CASE("the default body limit takes exactly 1 MiB and refuses 1 MiB + 1, in the API and the server",
          "[adapters][http][server]") {
  Fixture f;
  constexpr std::size_t kMiB = 1 << 20;
  auto padded = [](const std::string& child, std::size_t size) {  // a valid command, padded with spaces
    std::string body = Json{{"action", "cp.strategy_discussion_held"}, {"occurred_at", "2026-09-05T13:30:00Z"},
                            {"params", {{"outcome", "s47"}}}, {"command_id", "limit-" + child}}.dump();
    body.resize(size, ' ');
    return body;
  };
  // The API on its own (ApiOptions' default).
  CHECK(f.Call("POST", "/v1/children/1201/commands", "tm", padded("1201", kMiB)).status == 201);
  auto over = f.Call("POST", "/v1/children/1202/commands", "tm", padded("1202", kMiB + 1));
  CHECK(over.status == 413);
  CHECK(f.Body(over)["error"]["code"] == "too_large");
  // Behind the server (ServerOptions' default).
  ServerOptions o;
  o.port = 0;
  Server server(f.api, o);
  REQUIRE(server.Start().ok());
  const std::string head = "POST /v1/children/1203/commands HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tm\r\n"
                           "Connection: close\r\nContent-Length: ";
  CHECK_THAT(Raw(server.port(), head + std::to_string(kMiB) + "\r\n\r\n" + padded("1203", kMiB)),
             Catch::StartsWith("HTTP/1.1 201"));
  // Refused on its Content-Length alone, before the body is read.
  CHECK_THAT(Raw(server.port(), head + std::to_string(kMiB + 1) + "\r\n\r\n"), Catch::StartsWith("HTTP/1.1 413"));
  server.Stop(std::chrono::seconds(5));
  auto refused = f.log->ReadStream("child-1202", 1, Direction::kForward, 1);  // nothing written for it
  CHECK((!refused.ok() || refused->empty()));
}

TEST_CASE("tokens come from a file of salted hashes, deleting a line revokes one without a restart",
          "[adapters][http][tokens]") {
  const std::string path = "/tmp/casetrail-tokens-test-" + std::to_string(::getpid());
  auto [token, line] = Tokens::Make({"sw.jones", "social_worker", "north-1"});
  auto [other, other_line] = Tokens::Make({"audit.reid", "auditor", "audit"});
  CHECK(line.find(token) == std::string::npos);  // the file never holds the token itself
  {
    std::ofstream out(path);
    out << "# tokens\n" << line << "\n" << other_line << "  # the auditor\n";
  }
  Tokens tokens(path);
  REQUIRE(tokens.Reload().ok());
  auto who = tokens.Authenticate(token);
  REQUIRE(who);
  CHECK(who->user == "sw.jones");
  CHECK(who->role == "social_worker");
  CHECK(tokens.Authenticate(other)->role == "auditor");
  CHECK_FALSE(tokens.Authenticate(token + "x"));
  CHECK_FALSE(tokens.Authenticate(""));
  // Revoke the social worker's token: the file is re-read within a second or so.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  { std::ofstream(path) << other_line << "\n"; }
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  CHECK_FALSE(tokens.Authenticate(token));
  CHECK(tokens.Authenticate(other));
  // A malformed file is refused, naming the line, and the tokens in force stay.
  { std::ofstream(path) << other_line << "\nsha256$zz$abc sw x y\n"; }
  Status bad = tokens.Reload();
  CHECK(bad.IsInvalidArgument());
  CHECK(bad.message().find("line 2") != std::string::npos);
  CHECK(tokens.Authenticate(other));
  std::remove(path.c_str());
}

// Found by tests/fuzz/fuzz_http: bytes that are not UTF-8 in the path or a query parameter made
// Handle throw (nlohmann's dump() of the error, or of the access-log entry), which would end the
// server; an unauthenticated request was enough.
TEST_CASE("paths and query parameters that are not UTF-8 get an answer, not an exception", "[adapters][http][fuzz]") {
  Fixture f;
  for (const auto& [target, token, status] : {std::tuple<std::string, std::string, int>{"/v1/\xff", "", 401},
                                              {"/v1/\xff", "tm", 404},
                                              {"/v1/plo?%FF=1", "tm", 400},
                                              {"/v1/events?from\xff=%zz", "audit", 400},
                                              {"/v1/children/1002/as-of?as_of=2016-12-31T2%FD%FF3:29:60Z", "chair", 400}}) {
    INFO(target);
    Response r;
    REQUIRE_NOTHROW(r = f.Call("GET", target, token));
    CHECK(r.status == status);
    CHECK(f.Body(r)["error"]["code"].is_string());
  }
}

TEST_CASE("a server with a scheduler writes the breaches due at start, and reports its ticks in /metrics",
          "[adapters][http][scheduler]") {
  auto log = OpenMemoryEventLog();
  Tokens tokens;
  tokens.Add("tm", {"tm.khan", "team_manager", "north-1"});
  tokens.Add("audit", {"audit.reid", "auditor", "audit"});
  {
    workflows::CaseService cases(*log);
    workflows::Command c;
    c.child_id = "1002";
    c.action = "cp.strategy_discussion_held";
    c.occurred_at = std::move(workflows::Date::Parse("2026-09-01", "d")).value().StartUs() + 36000LL * 1000000;
    c.actor = Actor{"tm.khan", "team_manager", "north-1"};
    c.params = {{"outcome", "s47"}};
    REQUIRE(cases.Execute(c)->accepted);  // T-06 due 22 September 2026: long past
  }
  ApiOptions o;
  o.tick_interval = std::chrono::milliseconds(20);
  Api api(*log, workflows::RuleBook::Default(), tokens, o);
  bool breached = false;
  for (int i = 0; i < 500 && !breached; ++i) {
    auto events = api.Handle(Request{"GET", "/v1/events?stream_prefix=child-1002", "Bearer audit", "", "", {}, {}, {}, {}});
    breached = events.body.find("\"type\":\"deadline.breached\"") != std::string::npos;
    if (!breached) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(breached);
  // The tick counts what it wrote once its append returns: the breach may be readable a moment
  // before the counter moves (seen on a loaded machine).
  Response metrics;
  for (int i = 0; i < 500; ++i) {
    metrics = api.Handle(Request{"GET", "/metrics", "", "", "", {}, {}, {}, {}});
    if (metrics.body.find("casetrail_scheduler_events_total{result=\"written\"} 1") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK_THAT(metrics.body, Catch::Contains("casetrail_scheduler_events_total{result=\"written\"} 1"));
  CHECK_THAT(metrics.body, Catch::Contains("casetrail_scheduler_ticks_total"));
  // Later ticks find nothing more to write.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(log->HeadPosition() == 3);
  // The engine's role is nobody's: a tokens file that grants it is refused.
  const std::string path = "/tmp/casetrail-system-token-" + std::to_string(::getpid());
  std::ofstream(path) << http::Tokens::Make({"x", "system", "t"}).second << "\n";
  Tokens bad(path);
  CHECK_THAT(bad.Reload().message(), Catch::Contains("engine's own"));
  std::remove(path.c_str());
}

TEST_CASE("GET /v1/teams lists the Trust's teams and areas from the reference data", "[adapters][http][teams]") {
  Fixture f;
  CHECK(f.Body(f.Call("GET", "/v1/teams", "sw"))["teams"].empty());
  AppendRequest req;
  req.stream = replay::kTeamsStream;
  EventData e;
  e.type = replay::kTeamDefined;
  e.occurred_at = std::move(workflows::Date::Parse("2024-04-01", "d")).value().StartUs();
  e.payload = replay::TeamDefinedPayload(
      {"hub-a", "Hub A", "east", "early help", std::move(workflows::Date::Parse("2024-04-01", "d")).value()});
  req.events.push_back(e);
  REQUIRE(f.log->Append(std::move(req)).ok());
  auto r = f.Call("GET", "/v1/teams", "audit");
  REQUIRE(r.status == 200);
  const Json teams = f.Body(r)["teams"];
  REQUIRE(teams.size() == 1);
  CHECK(teams[0] == Json{{"team", "hub-a"}, {"name", "Hub A"}, {"area", "east"}, {"service", "early help"},
                         {"effective_from", "2024-04-01"}});
  CHECK(f.Call("GET", "/v1/teams", "").status == 401);
  CHECK(f.Call("GET", "/v1/teams?x=1", "sw").status == 400);
}

TEST_CASE("team scope follows allocation as of the date asked, and the caseload as of a date counts the days waited to it",
          "[adapters][http][access][allocation]") {
  Fixture f;
  REQUIRE(f.Post("1002", "tm", Cmd("cp.strategy_discussion_held", "2026-03-05T13:30:00Z", {{"outcome", "s47"}})).status == 201);
  // North-1's manager passes the child to south-2, which has no worker for it yet.
  REQUIRE(f.Post("1002", "tm", Cmd("alloc.team_allocated", "2026-03-10T09:00:00Z", {{"team", "south-2"}})).status == 201);

  CHECK(f.Call("GET", "/v1/children/1002", "sw-south").status == 200);  // south-2 holds the child now
  auto now = f.Call("GET", "/v1/children/1002", "sw");
  CHECK(now.status == 403);
  CHECK_THAT(f.Body(now)["error"]["message"].get<std::string>(), Catch::Contains("belongs to team south-2"));
  // North-1 held it on 9 March: its people may see the record as it stood then, not later.
  CHECK(f.Call("GET", "/v1/children/1002/as-of?as_of=2026-03-09", "sw").status == 200);
  CHECK(f.Call("GET", "/v1/children/1002/as-of?as_of=2026-03-10", "sw").status == 403);
  CHECK(f.Call("GET", "/v1/children/1002/as-of", "sw").status == 403);
  // Recording follows the same rule on the action's date: a late record of the enquiry north-1
  // concluded while it held the child is theirs to make; an action dated after the hand-over is not.
  CHECK(f.Post("1002", "sw", Cmd("cp.visit_held", "2026-03-12T10:00:00Z")).status == 403);
  auto late = f.Post("1002", "sw", Cmd("cp.s47_concluded", "2026-03-09T10:00:00Z", {{"outcome", "icpc"}}));
  CHECK(late.status == 201);

  auto caseload = f.Call("GET", "/v1/caseload?team=south-2&as_of=2026-03-20", "audit");
  REQUIRE(caseload.status == 200);
  const Json body = f.Body(caseload);
  CHECK(body["as_of"] == "2026-03-20T23:59:59.999999Z");
  REQUIRE(body["teams"].size() == 1);
  REQUIRE(body["teams"][0]["unallocated"].size() == 1);
  CHECK(body["teams"][0]["unallocated"][0]["since"] == "2026-03-10");
  CHECK(body["teams"][0]["unallocated"][0]["days"] == 10);
  auto before = f.Body(f.Call("GET", "/v1/caseload?as_of=2026-03-09", "audit"));
  REQUIRE(before["teams"].size() == 1);
  CHECK(before["teams"][0]["team"] == "north-1");  // before any allocation: the recorder's team
  CHECK(f.Call("GET", "/v1/caseload?as_of=someday", "audit").status == 400);
  CHECK(f.Call("GET", "/v1/caseload?team=north-1", "sw-south").status == 403);
}

TEST_CASE("POST /v1/teams: admins define teams in GET's shape, once, and a bad definition writes nothing",
          "[adapters][http][teams]") {
  Fixture f;
  const Json teams = {{"teams",
                       {{{"team", "north-1"}, {"name", "North 1"}, {"area", "north"}, {"service", "social care"},
                         {"effective_from", "2024-04-01"}},
                        {{"team", "north-1"}, {"name", "North 1"}, {"area", "central"}, {"service", "social care"},
                         {"effective_from", "2026-04-01"}}}}};
  CHECK(f.Call("POST", "/v1/teams", "tm", teams.dump()).status == 403);  // managers do not define reference data
  // (The head also moves with the access log's denials: count the reference stream instead.)
  auto defined = [&] {
    auto events = f.log->ReadStream(replay::kTeamsStream, 1, Direction::kForward, SIZE_MAX);
    return events.ok() ? events->size() : 0;
  };
  // One bad definition among good ones: named, and nothing written.
  Json bad = teams;
  bad["teams"].push_back({{"team", "south-2"}, {"area", ""}, {"effective_from", "2024-04-01"}});
  auto refused = f.Call("POST", "/v1/teams", "admin", bad.dump());
  CHECK(refused.status == 400);
  CHECK(f.Body(refused)["error"]["field"] == "teams[2].area");
  Json bad_date = teams;
  bad_date["teams"][1]["effective_from"] = "2026-02-30";
  CHECK(f.Body(f.Call("POST", "/v1/teams", "admin", bad_date.dump()))["error"]["field"] == "teams[1].effective_from");
  Json extra = teams;
  extra["teams"][0]["manager"] = "tm.khan";
  CHECK(f.Body(f.Call("POST", "/v1/teams", "admin", extra.dump()))["error"]["field"] == "teams[0].manager");
  CHECK(f.Call("POST", "/v1/teams", "admin", "{}").status == 400);
  CHECK(defined() == 0);

  auto made = f.Call("POST", "/v1/teams", "admin", teams.dump());
  REQUIRE(made.status == 201);
  CHECK(f.Body(made)["written"] == 2);
  CHECK(defined() == 2);
  auto again = f.Call("POST", "/v1/teams", "admin", teams.dump());
  CHECK(again.status == 200);
  CHECK(f.Body(again)["written"] == 0);
  CHECK(f.Body(again)["already_defined"] == 2);
  CHECK(defined() == 2);
  // What GET answers can be sent back as it is: nothing new.
  auto listed = f.Call("GET", "/v1/teams", "sw");
  REQUIRE(listed.status == 200);
  CHECK(f.Body(listed)["teams"].size() == 2);
  CHECK(f.Call("POST", "/v1/teams", "admin", listed.body).status == 200);
  CHECK(defined() == 2);
}
