// docs/api.md's examples, checked against the running server: every ```http block is sent, in
// the page's order, to a server over the demo caseload, and the answer is compared with the
// "Response: `NNN ...`" line and the ```json (or ```sse) block that follow it.
//
// Matching: the status must be equal. A documented JSON object must have each of its keys in
// the answer with a matching value (the answer may have more keys); "..." matches any value; an
// array whose last documented element is "..." matches an answer that starts with the other
// elements; otherwise arrays match element by element. For ```sse the documented frames must be
// the first frames of the stream ("id:" and "event:" lines equal, "data:" by the JSON rules).
// Tokens are written `Bearer <role>`, for the demo user of that role (in a body: `<token of role>`).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <sstream>

#include "adapters/demo.hpp"
#include "adapters/http/api.hpp"
#include "adapters/http/server.hpp"
#include "engine/event_log.hpp"
#include "tests/adapters/http_client.hpp"

using namespace casetrail;
using Json = nlohmann::json;

namespace {

struct Example {
  int line = 0;
  std::string method, target, body;
  std::map<std::string, std::string> headers;
  int status = 0;
  std::string expected_kind;  // "json" or "sse"
  std::string expected;
};

std::vector<Example> ParseExamples(const std::string& text) {
  std::vector<Example> out;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  Example* open = nullptr;  // an example waiting for its response
  auto block = [&](std::string* into) {
    while (std::getline(in, line)) {
      ++n;
      if (line.rfind("```", 0) == 0) return;
      *into += line + "\n";
    }
  };
  while (std::getline(in, line)) {
    ++n;
    if (line == "```http") {
      Example e;
      e.line = n;
      std::string raw;
      block(&raw);
      std::istringstream r(raw);
      std::string first;
      std::getline(r, first);
      e.method = first.substr(0, first.find(' '));
      e.target = first.substr(first.find(' ') + 1);
      std::string h;
      while (std::getline(r, h) && !h.empty()) {
        const auto colon = h.find(':');
        e.headers[h.substr(0, colon)] = h.substr(colon + 2);
      }
      std::string rest((std::istreambuf_iterator<char>(r)), std::istreambuf_iterator<char>());
      while (!rest.empty() && (rest.back() == '\n' || rest.back() == ' ')) rest.pop_back();
      e.body = rest;
      out.push_back(e);
      open = &out.back();
    } else if (open && line.rfind("Response: `", 0) == 0) {
      open->status = std::stoi(line.substr(11, 3));
    } else if (open && (line == "```json" || line == "```sse")) {
      open->expected_kind = line.substr(3);
      block(&open->expected);
      open = nullptr;
    }
  }
  return out;
}

bool Matches(const Json& doc, const Json& got, const std::string& path, std::string* why) {
  if (doc.is_string() && doc == "...") return true;
  if (doc.is_object()) {
    if (!got.is_object()) return *why = path + " is not an object", false;
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      if (!got.contains(it.key())) return *why = path + "." + it.key() + " is missing", false;
      if (!Matches(*it, got[it.key()], path + "." + it.key(), why)) return false;
    }
    return true;
  }
  if (doc.is_array()) {
    if (!got.is_array()) return *why = path + " is not an array", false;
    const bool open = !doc.empty() && doc.back() == "...";
    const std::size_t n = open ? doc.size() - 1 : doc.size();
    if (open ? got.size() < n : got.size() != n) {
      return *why = path + " has " + std::to_string(got.size()) + " elements, documented " + std::to_string(n) +
                    (open ? " or more" : ""),
             false;
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (!Matches(doc[i], got[i], path + "[" + std::to_string(i) + "]", why)) return false;
    }
    return true;
  }
  if (doc != got) return *why = path + " is " + got.dump() + ", documented " + doc.dump(), false;
  return true;
}

const std::vector<http::Principal> kUsers = {
    {"sw.jones", "social_worker", "north-1"},  {"tm.khan", "team_manager", "north-1"},
    {"cass.adams", "cass_worker", "north-1"},  {"chair.lee", "cp_chair", "safeguarding"},
    {"legal.ng", "legal", "legal"},            {"cpo.brown", "case_progression_officer", "legal"},
    {"audit.reid", "auditor", "audit"},        {"relay.svc", "subscriber", "integration"},
    {"ops.admin", "admin", "operations"},      {"lado.patel", "lado_officer", "lado"},
    {"fw.ali", "fostering_worker", "fostering"},
};

}  // namespace

TEST_CASE("every example in docs/api.md is what the running server answers", "[adapters][http][docs]") {
  std::ifstream f(std::string(CASETRAIL_SOURCE_DIR) + "/docs/api.md");
  REQUIRE(f);
  const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const auto examples = ParseExamples(text);
  REQUIRE(examples.size() >= 20);

  auto log = OpenMemoryEventLog();
  {
    workflows::CaseService demo(*log);
    REQUIRE(LoadDemoCaseload(demo).ok());
  }
  http::Tokens tokens;
  for (const auto& u : kUsers) tokens.Add(u.role, u);
  http::Api api(*log, workflows::RuleBook::Default(), tokens);
  http::ServerOptions o;
  o.port = 0;
  http::Server server(api, o);
  REQUIRE(server.Start().ok());
  testing::HttpClient client(server.port());

  for (const auto& e : examples) {
    INFO("docs/api.md line " << e.line << ": " << e.method << " " << e.target);
    REQUIRE(e.status != 0);  // every example documents its answer
    REQUIRE(!e.expected_kind.empty());
    std::string token;
    if (auto it = e.headers.find("Authorization"); it != e.headers.end()) {
      token = it->second.substr(std::string("Bearer <").size());
      token.pop_back();
    }
    if (e.expected_kind == "sse") {
      testing::SseClient sse(server.port(), e.target, token, 5);
      REQUIRE(sse.status() == e.status);
      std::istringstream frames(e.expected);
      std::string documented, l;
      auto next_doc = [&]() {
        std::string frame;
        while (std::getline(frames, l)) {
          if (l.empty()) {
            if (!frame.empty()) return frame;
            continue;
          }
          frame += l + "\n";
        }
        return frame;
      };
      for (std::string d = next_doc(); !d.empty(); d = next_doc()) {
        std::string got = sse.Next() + "\n";
        std::istringstream dl(d), gl(got);
        std::string a, b;
        while (std::getline(dl, a) && std::getline(gl, b)) {
          if (a.rfind("data: ", 0) == 0) {
            std::string why;
            INFO(b);
            CHECK(Matches(Json::parse(a.substr(6)), Json::parse(b.substr(6)), "data", &why));
            INFO(why);
          } else {
            CHECK(a == b);
          }
        }
      }
      continue;
    }
    // A token in a body is written "<token of ROLE>" (the demo user of that role's token).
    std::string body = e.body;
    for (std::size_t at; (at = body.find("<token of ")) != std::string::npos;) {
      const std::size_t end = body.find('>', at);
      body.replace(at, end + 1 - at, body.substr(at + 10, end - at - 10));
    }
    auto r = client.Call(e.method, e.target, token, body);
    INFO("answer: " << r.body);
    // For whoever edits the page: CASETRAIL_API_ANSWERS=FILE writes "<line> <answer>" per example.
    if (const char* answers = std::getenv("CASETRAIL_API_ANSWERS")) {
      std::ofstream(answers, std::ios::app) << e.line << " " << r.body << "\n";
    }
    CHECK(r.status == e.status);
    if (e.expected.empty()) continue;
    Json got = Json::parse(r.body, nullptr, false);
    Json doc = Json::parse(e.expected, nullptr, false);
    REQUIRE(!doc.is_discarded());  // the documented JSON is valid
    std::string why;
    const bool ok = Matches(doc, got, "body", &why);
    INFO(why);
    CHECK(ok);
  }
  server.Stop(std::chrono::seconds(5));
}
