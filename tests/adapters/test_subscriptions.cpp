// Subscriptions (SSE) for downstream services, persistent subscriptions, restricted children,
// and the register / allowed-actions routes.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "adapters/http/api.hpp"
#include "adapters/http/server.hpp"
#include "adapters/http/subscriptions.hpp"
#include "engine/event_log.hpp"

using namespace casetrail;
using namespace casetrail::http;
using Json = nlohmann::json;

namespace {

// Appends one event to `stream` (team `team`), returns its position, or 0 if the append failed.
// Asserts nothing, so that worker threads may call it (Catch2 v2's assertions are not thread-safe).
std::uint64_t TryPut(EventLog& log, const std::string& stream, const std::string& type = "test.happened",
                     const std::string& team = "north-1") {
  AppendRequest r;
  r.stream = stream;
  r.actor = Actor{"tester", "social_worker", team};
  EventData e;
  e.type = type;
  e.occurred_at = SystemClockUs() - 1000000;
  e.payload = R"({"n":1})";
  r.events.push_back(e);
  auto res = log.Append(std::move(r));
  return res.ok() ? res->last_position : 0;
}

// TryPut on the test's own thread: the append must succeed.
std::uint64_t Put(EventLog& log, const std::string& stream, const std::string& type = "test.happened",
                  const std::string& team = "north-1") {
  const std::uint64_t position = TryPut(log, stream, type, team);
  REQUIRE(position > 0);
  return position;
}

struct Received {
  std::vector<std::uint64_t> ids;               // every "id:" in order
  std::vector<std::string> streams;             // the data's stream, in order
  std::vector<std::string> types;               // the data's type, in order
  int heartbeats = 0;
  std::optional<Json> overflow;                 // the "overflow" frame's data
  bool ended = false;
  std::string malformed;                        // what was wrong with the text, if anything
};

// Parses SSE text (whole frames) into `into`; a malformed frame is noted in `into->malformed`
// (asserted by Drain, on the test's thread) and ends the parse.
void Parse(const std::string& text, Received* into) {
  std::size_t at = 0;
  while (at < text.size() && into->malformed.empty()) {
    const auto end = text.find("\n\n", at);
    if (end == std::string::npos) {  // Take hands out whole frames only
      into->malformed = "a partial frame: " + text.substr(at);
      return;
    }
    const std::string frame = text.substr(at, end - at);
    at = end + 2;
    if (frame.rfind(": heartbeat", 0) == 0) {
      ++into->heartbeats;
      continue;
    }
    std::string event, data;
    std::uint64_t id = 0;
    std::size_t l = 0;
    while (l < frame.size()) {
      auto nl = frame.find('\n', l);
      if (nl == std::string::npos) nl = frame.size();
      const std::string line = frame.substr(l, nl - l);
      l = nl + 1;
      if (line.rfind("id: ", 0) == 0) id = std::stoull(line.substr(4));
      if (line.rfind("event: ", 0) == 0) event = line.substr(7);
      if (line.rfind("data: ", 0) == 0) data = line.substr(6);
    }
    if (event == "overflow") {
      into->overflow = Json::parse(data);
      continue;
    }
    const Json j = Json::parse(data, nullptr, false);
    if (id == 0 || j.is_discarded() || j["position"] != id) {
      into->malformed = "a frame without an id, or whose id is not its position: " + frame;
      return;
    }
    into->ids.push_back(id);
    into->streams.push_back(j["stream"]);
    into->types.push_back(j["type"]);
  }
}

// Takes from `s` until `done(received)` or the stream ends or `timeout` passes, or a frame is
// malformed. Asserts nothing: worker threads call it.
Received TryDrain(Subscription& s, const std::function<bool(const Received&)>& done,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  Received got;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::mutex mu;
  std::condition_variable cv;
  while (!done(got) && got.malformed.empty() && std::chrono::steady_clock::now() < deadline) {
    std::string text;
    const bool more = s.Take(&text);
    Parse(text, &got);
    if (!more) {
      got.ended = true;
      break;
    }
    if (!text.empty()) continue;
    auto ready = std::make_shared<std::atomic<bool>>(false);
    s.NotifyWhenReady([ready, &mu, &cv] {
      std::lock_guard<std::mutex> lk(mu);
      *ready = true;
      cv.notify_all();
    });
    std::unique_lock<std::mutex> lk(mu);
    cv.wait_until(lk, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(200)),
                  [&] { return ready->load(); });
  }
  return got;
}

// TryDrain on the test's own thread: every frame must be well formed.
Received Drain(Subscription& s, const std::function<bool(const Received&)>& done,
               std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  Received got = TryDrain(s, done, timeout);
  INFO(got.malformed);
  REQUIRE(got.malformed.empty());
  return got;
}

bool Contiguous(const std::vector<std::uint64_t>& ids, std::uint64_t from, std::uint64_t to) {
  if (ids.size() != to - from + 1) return false;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] != from + i) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("a subscriber catches up from the log and switches to live with no gap and no duplicate",
          "[adapters][subscriptions]") {
  auto log = OpenMemoryEventLog();
  for (int i = 0; i < 3000; ++i) Put(*log, "child-" + std::to_string(i % 37));
  HubOptions o;
  o.max_buffer_bytes = 32 << 10;  // small: the catch-up reader waits for the consumer many times
  o.ring_events = 1024;
  SubscriptionHub hub(*log, o);
  auto sub = hub.Subscribe(1, {});
  REQUIRE(sub.ok());
  // Writers keep appending while the subscriber catches up and switches.
  std::atomic<bool> stop{false};
  std::atomic<int> failed_appends{0};
  std::thread writer([&] {
    for (int i = 0; i < 2000 && !stop; ++i) failed_appends += TryPut(*log, "child-" + std::to_string(i % 53)) == 0;
  });
  writer.join();
  CHECK(failed_appends == 0);
  const std::uint64_t head = log->HeadPosition();
  REQUIRE(head == 5000);
  Received got = Drain(**sub, [&](const Received& r) { return r.ids.size() >= head; });
  CHECK(Contiguous(got.ids, 1, head));
  // Then live: new events arrive, still in order.
  const std::uint64_t p = Put(*log, "child-7");
  Received more = Drain(**sub, [&](const Received& r) { return !r.ids.empty(); });
  REQUIRE(more.ids.size() == 1);
  CHECK(more.ids[0] == p);
  CHECK(hub.Stats().live == 1);
  CHECK((*sub)->delivered_position() == p);
  stop = true;
}

TEST_CASE("subscriptions filter by type, stream, journey and team, and start anywhere", "[adapters][subscriptions]") {
  auto log = OpenMemoryEventLog();
  SubscriptionHub hub(*log);
  for (int i = 0; i < 200; ++i) {
    Put(*log, "child-" + std::to_string(i % 4), i % 2 ? "cp.visit" : "cic.review", i % 3 ? "north-1" : "south-2");
  }
  SubscriptionFilter f;
  f.type_prefix = "cp.";
  f.stream_prefix = "child-1";
  auto sub = hub.Subscribe(100, f);
  REQUIRE(sub.ok());
  Received got = Drain(**sub, [](const Received& r) { return r.ids.size() >= 25; });
  REQUIRE(got.ids.size() == 25);  // positions 102, 106, ... (child-1 is i % 4 == 1: odd i, so every one is cp.)
  for (std::size_t i = 0; i < got.ids.size(); ++i) {
    CHECK(got.ids[i] == 102 + 4 * i);
    CHECK(got.streams[i] == "child-1");
  }
  SubscriptionFilter team;
  team.team = "south-2";
  auto sub2 = hub.Subscribe(1, team);
  REQUIRE(sub2.ok());
  Received t = Drain(**sub2, [](const Received& r) { return r.ids.size() >= 67; });
  REQUIRE(t.ids.size() == 67);  // i % 3 == 0 for i in 0..199
  CHECK(t.ids.front() == 1);
  CHECK(t.ids.back() == 199);
}

TEST_CASE("a slow live subscriber is ended with the position to resume from, writers never wait",
          "[adapters][subscriptions]") {
  auto log = OpenMemoryEventLog();
  HubOptions o;
  o.max_buffer_bytes = 1 << 20;  // above a tail batch (1,024 frames of ~400 bytes here)
  SubscriptionHub hub(*log, o);
  auto slow = hub.Subscribe(1, {});
  auto fast = hub.Subscribe(1, {});
  REQUIRE(slow.ok());
  REQUIRE(fast.ok());
  // The fast one keeps reading on its own thread; the slow one reads nothing.
  Received fast_got;
  constexpr std::uint64_t kEvents = 8000;  // ~3 MB: three times the slow one's buffer
  std::thread reader([&] { fast_got = TryDrain(**fast, [](const Received& r) { return r.ids.size() >= kEvents; }); });
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < kEvents; ++i) {
    Put(*log, "child-" + std::to_string(i % 11));
    if (i % 200 == 199) std::this_thread::sleep_for(std::chrono::milliseconds(2));  // a steady stream
  }
  const auto writing = std::chrono::steady_clock::now() - start;
  reader.join();
  CHECK(fast_got.malformed.empty());
  CHECK(Contiguous(fast_got.ids, 1, kEvents));
  // The slow one: what was queued, then the overflow frame, then the end.
  Received slow_got = Drain(**slow, [](const Received&) { return false; }, std::chrono::seconds(3));
  REQUIRE(slow_got.ended);
  REQUIRE(slow_got.overflow.has_value());
  const std::uint64_t resume = (*slow_got.overflow)["resume_from"];
  REQUIRE(!slow_got.ids.empty());
  CHECK(Contiguous(slow_got.ids, 1, resume - 1));
  CHECK(hub.Stats().overflows == 1);
  // Resuming from there gives the rest: together, every event exactly once.
  auto again = hub.Subscribe(resume, {});
  REQUIRE(again.ok());
  Received rest = Drain(**again, [](const Received& r) { return !r.ids.empty() && r.ids.back() == kEvents; });
  CHECK(Contiguous(rest.ids, resume, kEvents));
  // (The writer's appends were not slowed by a consumer that read nothing:
  // they finished; the time is printed for the curious, not asserted.)
  INFO("writing took " << std::chrono::duration_cast<std::chrono::milliseconds>(writing).count() << " ms");
}

namespace {

struct ApiFixture {
  std::unique_ptr<EventLog> log = OpenMemoryEventLog();
  Tokens tokens;
  Api api{*log, workflows::RuleBook::Default(), tokens};
  ApiFixture() {
    tokens.Add("cass", {"cass.adams", "cass_worker", "north-1"});
    tokens.Add("sw", {"sw.jones", "social_worker", "north-1"});
    tokens.Add("sw2", {"sw.brown", "social_worker", "north-1"});
    tokens.Add("sw-south", {"sw.patel", "social_worker", "south-2"});
    tokens.Add("tm", {"tm.khan", "team_manager", "north-1"});
    tokens.Add("legal", {"legal.ng", "legal", "legal"});
    tokens.Add("audit", {"audit.reid", "auditor", "audit"});
    tokens.Add("sub", {"relay.svc", "subscriber", "integration"});
    tokens.Add("admin", {"ops.admin", "admin", "ops"});
  }
  Response Call(const std::string& method, const std::string& target, const std::string& token,
                const std::string& body = {}, const std::string& last_event_id = {}) {
    return api.Handle(Request{method, target, "Bearer " + token, body, last_event_id, {}, {}, {}, {}});
  }
  Response Do(const std::string& child, const std::string& token, const std::string& action, const std::string& at,
              Json params = Json::object()) {
    return Call("POST", "/v1/children/" + child + "/commands", token,
                Json{{"action", action}, {"occurred_at", at}, {"params", params}}.dump());
  }
};

Json Body(const Response& r) { return Json::parse(r.body); }

}  // namespace

TEST_CASE("GET /v1/subscribe streams events, Last-Event-ID resumes, only subscriber services subscribe",
          "[adapters][subscriptions][http]") {
  ApiFixture f;
  REQUIRE(f.Do("1002", "cass", "fd.contact_received", "2026-09-05T11:00:00Z", {{"source", "police"}}).status == 201);
  REQUIRE(f.Do("1002", "tm", "fd.decision_made", "2026-09-05T15:00:00Z", {{"decision", "assessment"}}).status == 201);
  const std::uint64_t head = f.log->HeadPosition();
  REQUIRE(head >= 3);

  auto r = f.Call("GET", "/v1/subscribe?from=1&heartbeat=1", "sub");
  REQUIRE(r.status == 200);
  CHECK(r.content_type == "text/event-stream");
  REQUIRE(r.stream);
  Received got = Drain(*r.stream, [&](const Received& x) { return x.ids.size() >= head && x.heartbeats > 0; });
  CHECK(Contiguous(got.ids, 1, head));
  CHECK(got.heartbeats > 0);  // nothing new for a second: a heartbeat comment
  r.stream->Cancel();

  // Resume after position 2 (what an EventSource sends on reconnecting).
  auto resumed = f.Call("GET", "/v1/subscribe", "sub", "", "2");
  REQUIRE(resumed.stream);
  Received rest = Drain(*resumed.stream, [&](const Received& x) { return x.ids.size() >= head - 2; });
  CHECK(Contiguous(rest.ids, 3, head));
  resumed.stream->Cancel();

  // Filters by journey: only front-door actions.
  auto fd = f.Call("GET", "/v1/subscribe?from=1&journey=front_door", "sub");
  REQUIRE(fd.stream);
  Received fdgot = Drain(*fd.stream, [&](const Received& x) { return !x.ids.empty() && x.ids.back() == head; },
                         std::chrono::seconds(2));
  int actions = 0;
  for (const auto& t : fdgot.types) actions += t.rfind("fd.", 0) == 0;
  CHECK(actions == 2);  // the two front-door actions, with the deadline events of that journey
  for (const auto& t : fdgot.types) CHECK((t.rfind("fd.", 0) == 0 || t.rfind("deadline.", 0) == 0));
  fd.stream->Cancel();

  // Bad requests name the parameter; other roles may not subscribe.
  CHECK(Body(f.Call("GET", "/v1/subscribe?from=x", "sub"))["error"]["field"] == "from");
  CHECK(Body(f.Call("GET", "/v1/subscribe?from=999999", "sub"))["error"]["field"] == "from");
  CHECK(Body(f.Call("GET", "/v1/subscribe", "sub", "", "abc"))["error"]["field"] == "Last-Event-ID");
  CHECK(Body(f.Call("GET", "/v1/subscribe?heartbeat=0", "sub"))["error"]["field"] == "heartbeat");
  CHECK(Body(f.Call("GET", "/v1/subscribe?colour=red", "sub"))["error"]["field"] == "colour");
  CHECK(f.Call("GET", "/v1/subscribe", "audit").status == 403);
  CHECK(f.Call("GET", "/v1/subscribe", "sw").status == 403);
  CHECK(f.Call("POST", "/v1/subscribe", "sub").status == 405);
}

TEST_CASE("persistent subscriptions keep an acknowledged position for a named consumer",
          "[adapters][subscriptions][http]") {
  ApiFixture f;
  for (int i = 0; i < 5; ++i) {
    const std::string child = "20" + std::to_string(i);
    REQUIRE(f.Do(child, "cass", "fd.contact_received", "2026-09-05T11:00:00Z", {{"source", "school"}}).status == 201);
  }
  // Defining: 201, the same again 200, differently 409; admins may define; auditors may not.
  auto def = f.Call("PUT", "/v1/subscriptions/billing", "admin", R"({"type_prefix":"fd."})");
  REQUIRE(def.status == 201);
  CHECK(Body(def)["filter"]["type_prefix"] == "fd.");
  CHECK(f.Call("PUT", "/v1/subscriptions/billing", "sub", R"({"type_prefix":"fd."})").status == 200);
  CHECK(f.Call("PUT", "/v1/subscriptions/billing", "sub", R"({"type_prefix":"cp."})").status == 409);
  CHECK(Body(f.Call("PUT", "/v1/subscriptions/billing", "sub", R"({"colour":1})"))["error"]["field"] == "colour");
  CHECK(f.Call("PUT", "/v1/subscriptions/x", "audit", "{}").status == 403);
  CHECK(f.Call("GET", "/v1/subscriptions/billing/events", "admin").status == 403);
  CHECK(f.Call("GET", "/v1/subscriptions/nobody/events", "sub").status == 404);
  CHECK(Body(f.Call("PUT", "/v1/subscriptions/bad%20name", "sub", "{}"))["error"]["field"] == "name");

  // Consuming: the 5 contacts (the filter drops the deadline events).
  auto ev = f.Call("GET", "/v1/subscriptions/billing/events", "sub");
  REQUIRE(ev.stream);
  Received got = Drain(*ev.stream, [](const Received& x) { return x.ids.size() >= 5; });
  REQUIRE(got.ids.size() == 5);
  ev.stream->Cancel();
  // Acknowledge the third; a reconnect starts after it.
  const std::uint64_t third = got.ids[2];
  auto ack = f.Call("POST", "/v1/subscriptions/billing/ack", "sub", Json{{"position", third}}.dump());
  REQUIRE(ack.status == 200);
  CHECK(Body(ack)["acknowledged"] == third);
  CHECK(Body(ack)["lag"] == f.log->HeadPosition() - third);
  // Acks never go back; beyond the head is an error.
  CHECK(Body(f.Call("POST", "/v1/subscriptions/billing/ack", "sub", R"({"position":1})"))["acknowledged"] == third);
  CHECK(Body(f.Call("POST", "/v1/subscriptions/billing/ack", "sub", R"({"position":99999})"))["error"]["field"] ==
        "position");
  CHECK(Body(f.Call("POST", "/v1/subscriptions/billing/ack", "sub", R"({"position":"3"})"))["error"]["field"] ==
        "position");
  auto again = f.Call("GET", "/v1/subscriptions/billing/events", "sub");
  REQUIRE(again.stream);
  Received rest = Drain(*again.stream, [](const Received& x) { return x.ids.size() >= 2; });
  REQUIRE(rest.ids.size() == 2);
  CHECK(rest.ids[0] == got.ids[3]);
  CHECK(rest.ids[1] == got.ids[4]);
  again.stream->Cancel();
  CHECK(Body(f.Call("GET", "/v1/subscriptions/billing", "sub"))["acknowledged"] == third);
}

TEST_CASE("a restricted child's record is seen only by named users", "[adapters][http][restricted]") {
  ApiFixture f;
  REQUIRE(f.Do("3001", "cass", "fd.contact_received", "2026-09-05T11:00:00Z", {{"source", "police"}}).status == 201);
  REQUIRE(f.Do("3002", "cass", "fd.contact_received", "2026-09-05T11:00:00Z", {{"source", "police"}}).status == 201);
  CHECK(f.Call("GET", "/v1/children/3001", "sw2").status == 200);

  // Only admins and team managers restrict; the reason and users are required.
  CHECK(f.Call("PUT", "/v1/children/3001/restriction", "sw", R"({"users":["sw.jones"],"reason":"x"})").status == 403);
  CHECK(Body(f.Call("PUT", "/v1/children/3001/restriction", "tm", R"({"users":[]})"))["error"]["field"] == "reason");
  CHECK(Body(f.Call("PUT", "/v1/children/3001/restriction", "tm", R"({"users":[],"reason":"r"})"))["error"]["field"] ==
        "users");
  CHECK(f.Call("PUT", "/v1/children/9999/restriction", "tm", R"({"users":["a"],"reason":"r"})").status == 404);
  auto put = f.Call("PUT", "/v1/children/3001/restriction", "tm",
                    R"({"users":["sw.jones","audit.reid"],"reason":"a member of staff's relative"})");
  REQUIRE(put.status == 200);
  CHECK(Body(put)["restricted"] == true);

  CHECK(f.Call("GET", "/v1/children/3001", "sw").status == 200);          // named
  CHECK(f.Call("GET", "/v1/children/3001", "audit").status == 200);       // named
  auto denied = f.Call("GET", "/v1/children/3001/chronology", "sw2");     // same team, not named
  CHECK(denied.status == 403);
  CHECK_THAT(Body(denied)["error"]["message"].get<std::string>(), Catch::Contains("restricted"));
  CHECK(f.Call("GET", "/v1/children/3001", "tm").status == 403);          // not named either
  auto write = f.Do("3001", "tm", "fd.decision_made", "2026-09-05T15:00:00Z", {{"decision", "nfa"}});
  CHECK(write.status == 403);
  CHECK_THAT(Body(write)["error"]["message"].get<std::string>(), Catch::Contains("restricted"));
  CHECK(f.Call("GET", "/v1/children/3002", "sw2").status == 200);         // others unaffected
  // Lists leave it out for those not named.
  const Json deadlines = Body(f.Call("GET", "/v1/deadlines?due_within=60&as_of=2026-09-05T12:00:00Z", "sw2"));
  for (const auto& e : deadlines["due_soon"]) CHECK(e["child"] != "3001");
  const Json mine = Body(f.Call("GET", "/v1/deadlines?due_within=60&as_of=2026-09-05T12:00:00Z", "sw"));
  bool seen = false;
  for (const auto& e : mine["due_soon"]) seen |= e["child"] == "3001";
  CHECK(seen);
  // Lifting it.
  // A team manager who is not named cannot lift it (nor see the record); an admin can.
  CHECK(f.Call("DELETE", "/v1/children/3001/restriction", "tm", R"({"reason":"no longer needed"})").status == 403);
  CHECK(f.Call("DELETE", "/v1/children/3001/restriction", "admin", R"({"reason":"no longer needed"})").status == 200);
  CHECK(f.Call("GET", "/v1/children/3001", "sw2").status == 200);
}

TEST_CASE("a restricted child is left out of PLO lists and /v1/events for people not named, subscriber services get all",
          "[adapters][http][restricted]") {
  ApiFixture f;
  f.tokens.Add("cpo", {"cpo.ali", "case_progression_officer", "legal"});
  f.tokens.Add("cpo2", {"cpo.bell", "case_progression_officer", "legal"});
  f.tokens.Add("audit2", {"audit.shaw", "auditor", "audit"});
  for (const char* child : {"3201", "3202"}) {
    REQUIRE(f.Do(child, "legal", "plo.legal_planning_meeting_held", "2026-06-02T09:00:00Z",
                 {{"decision", "pre_proceedings"}})
                .status == 201);
  }
  REQUIRE(f.Call("PUT", "/v1/children/3201/restriction", "admin",
                 R"({"users":["cpo.ali","audit.reid"],"reason":"a member of staff's relative"})")
              .status == 200);

  auto plo_children = [&](const std::string& token) {
    auto r = f.Call("GET", "/v1/plo?as_of=2026-07-01", token);
    REQUIRE(r.status == 200);
    const Json body = Body(r);  // kept: a range-for over a temporary's member would dangle
    std::set<std::string> out;
    for (const auto& c : body["children"]) {
      CHECK(c["stage"] == "pre_proceedings");
      out.insert(c["child"].get<std::string>());
    }
    return out;
  };
  CHECK(plo_children("cpo2") == std::set<std::string>{"3202"});          // not named
  CHECK(plo_children("cpo") == std::set<std::string>{"3201", "3202"});   // named

  auto event_streams = [&](const std::string& token) {
    auto r = f.Call("GET", "/v1/events?stream_prefix=child-32", token);
    REQUIRE(r.status == 200);
    const Json body = Body(r);
    std::multiset<std::string> out;
    for (const auto& e : body["events"]) out.insert(e["stream"].get<std::string>());
    return out;
  };
  const std::multiset<std::string> everything = event_streams("sub");
  REQUIRE(everything.count("child-3201") > 0);
  REQUIRE(everything.count("child-3202") > 0);
  const std::multiset<std::string> unnamed = event_streams("audit2");
  CHECK(unnamed.count("child-3201") == 0);
  CHECK(unnamed.count("child-3202") == everything.count("child-3202"));
  CHECK(event_streams("audit") == everything);  // a named auditor sees all of it

  // The subscription stream (SSE) delivers the restricted child's events to subscriber services.
  auto sse = f.Call("GET", "/v1/subscribe?from=1&stream_prefix=child-3201", "sub");
  REQUIRE(sse.status == 200);
  REQUIRE(sse.stream);
  const std::size_t want = everything.count("child-3201");
  Received got = Drain(*sse.stream, [&](const Received& x) { return x.streams.size() >= want; });
  sse.stream->Cancel();
  CHECK(got.streams == std::vector<std::string>(want, "child-3201"));
}

TEST_CASE("an allegation is read only by the LADO team and auditors, and never reaches a subscriber",
          "[adapters][http][restricted][lado]") {
  ApiFixture f;
  f.tokens.Add("lado", {"lado.patel", "lado_officer", "lado"});
  f.tokens.Add("chair", {"chair.lee", "cp_chair", "safeguarding"});
  REQUIRE(f.Do("3301", "sw", "cin.plan_started", "2026-06-01T09:00:00Z").status == 201);
  const Json referral = {{"action", "lado.referral_received"},
                         {"occurred_at", "2026-06-03T10:00:00Z"},
                         {"command_id", "lado-7"},
                         {"params",
                          {{"concern_raised_on", "2026-06-02"}, {"sector", "sport_and_leisure"}, {"employment", "volunteer"},
                           {"subject", "a football coach"}, {"criteria", "risk_of_harm"}, {"referrer", "parent"},
                           {"children", "3301"}}}};
  // Only the LADO team records one; a social worker's or an auditor's attempt writes nothing.
  for (const char* token : {"sw", "audit", "admin", "sub"}) {
    INFO(token);
    CHECK(f.Call("POST", "/v1/allegations/L-7/commands", token, referral.dump()).status == 403);
  }
  CHECK(f.Call("GET", "/v1/allegations/L-7", "lado").status == 404);
  auto made = f.Call("POST", "/v1/allegations/L-7/commands", "lado", referral.dump());
  REQUIRE(made.status == 201);
  CHECK(Body(made)["state"] == "AwaitingEvaluation");
  CHECK(f.Call("POST", "/v1/allegations/L-7/commands", "lado", referral.dump()).status == 200);  // a retry
  // A bad parameter is named, and nothing is written.
  Json bad = referral;
  bad["command_id"] = "lado-8";
  bad["params"]["criteria"] = "gossip";
  const std::uint64_t before_bad = f.log->HeadPosition();
  auto refused = f.Call("POST", "/v1/allegations/L-8/commands", "lado", bad.dump());
  CHECK(refused.status == 422);
  CHECK_THAT(refused.body, Catch::Contains("criteria"));
  CHECK(f.log->HeadPosition() == before_bad);
  CHECK(f.Call("GET", "/v1/allegations/L-8", "lado").status == 404);

  // Readers: the LADO team, auditors and admins; each read is in the access log.
  for (const char* token : {"lado", "audit", "admin"}) {
    INFO(token);
    auto r = f.Call("GET", "/v1/allegations/L-7", token);
    REQUIRE(r.status == 200);
    CHECK(Body(r)["register"]["children"] == "3301");
    CHECK(f.Call("GET", "/v1/allegations", token).status == 200);
  }
  for (const char* token : {"sw", "tm", "chair", "legal", "sub"}) {
    INFO(token);
    CHECK(f.Call("GET", "/v1/allegations/L-7", token).status == 403);
    CHECK(f.Call("GET", "/v1/allegations", token).status == 403);
  }
  int allegation_reads = 0;  // the access log is written without waiting for its fsync
  for (int i = 0; i < 200 && allegation_reads < 3; ++i, std::this_thread::sleep_for(std::chrono::milliseconds(10))) {
    const Json reads = Body(f.Call("GET", "/v1/events?stream_prefix=access-log&limit=1000", "audit"));
    allegation_reads = 0;
    for (const auto& e : reads["events"]) {
      allegation_reads += e["type"] == "access.read" && e["payload"]["what"] == "allegation L-7";
    }
  }
  CHECK(allegation_reads == 3);

  // Not part of the child's record: the child's summary and chronology say nothing of it.
  auto child = f.Call("GET", "/v1/children/3301", "sw");
  REQUIRE(child.status == 200);
  CHECK(child.body.find("lado") == std::string::npos);
  CHECK(f.Call("GET", "/v1/children/3301/chronology", "sw").body.find("lado") == std::string::npos);

  // /v1/events: auditors see it, subscriber services do not; no subscription delivers it.
  auto streams_of = [&](const std::string& token) {
    const Json body = Body(f.Call("GET", "/v1/events?limit=10000", token));
    std::set<std::string> out;
    for (const auto& e : body["events"]) out.insert(e["stream"].get<std::string>());
    return out;
  };
  CHECK(streams_of("audit").count("allegation-L-7") == 1);
  CHECK(streams_of("sub").count("allegation-L-7") == 0);
  CHECK(streams_of("sub").count("child-3301") == 1);
  const std::uint64_t last = Put(*f.log, "child-3302");  // a marker after the allegation
  auto sse = f.Call("GET", "/v1/subscribe?from=1", "sub");
  REQUIRE(sse.stream);
  Received got = Drain(*sse.stream, [&](const Received& x) { return !x.ids.empty() && x.ids.back() >= last; });
  sse.stream->Cancel();
  CHECK(std::find(got.streams.begin(), got.streams.end(), "allegation-L-7") == got.streams.end());
  CHECK(std::find(got.streams.begin(), got.streams.end(), "child-3301") != got.streams.end());
}

TEST_CASE("a placement names an approved carer, and the register counts the child and the vacancies",
          "[adapters][http][carers]") {
  ApiFixture f;
  f.tokens.Add("fw", {"fw.ali", "fostering_worker", "fostering"});
  f.tokens.Add("chair", {"panel.chair", "panel_chair", "fostering"});
  f.tokens.Add("adm", {"adm.khan", "agency_decision_maker", "fostering"});
  auto step = [&](const std::string& token, const std::string& action, const std::string& at, Json params) {
    return f.Call("POST", "/v1/carers/C-7/commands", token,
                  Json{{"action", action}, {"occurred_at", at}, {"params", params}}.dump());
  };
  REQUIRE(f.Do("3401", "sw", "cic.became_looked_after", "2026-06-01T09:00:00Z", {{"legal_status", "s20"}}).status == 201);
  const Json placement = {{"placement", "foster_care"}, {"long_term", "no"}, {"carer", "C-7"}};
  // No record yet: refused, naming the parameter, and nothing written.
  auto none = f.Do("3401", "sw", "cic.placement_started", "2026-06-01T10:00:00Z", placement);
  CHECK(none.status == 400);
  CHECK(Body(none)["error"]["field"] == "params.carer");
  REQUIRE(step("fw", "carer.enquiry_received", "2026-01-05T10:00:00Z", {{"kind", "foster_carer"}, {"household", "couple"}}).status == 201);
  REQUIRE(step("fw", "carer.assessment_started", "2026-01-12T10:00:00Z", Json::object()).status == 201);
  auto not_yet = f.Do("3401", "sw", "cic.placement_started", "2026-06-01T10:00:00Z", placement);
  CHECK(not_yet.status == 400);
  CHECK_THAT(Body(not_yet)["error"]["message"].get<std::string>(), Catch::Contains("not approved"));
  CHECK(step("fw", "carer.panel_recommended", "2026-04-20T10:00:00Z", {{"recommendation", "approve"}}).status == 403);
  REQUIRE(step("chair", "carer.panel_recommended", "2026-04-20T10:00:00Z", {{"recommendation", "approve"}}).status == 201);
  REQUIRE(step("adm", "carer.approval_decided", "2026-04-27T10:00:00Z",
               {{"decision", "approved"}, {"places", "2"}, {"ages", "0-12"}}).status == 201);
  REQUIRE(f.Do("3401", "sw", "cic.placement_started", "2026-06-01T10:00:00Z", placement).status == 201);

  auto carer = f.Call("GET", "/v1/carers/C-7", "sw");
  REQUIRE(carer.status == 200);
  CHECK(Body(carer)["state"] == "ApprovedCarer");
  CHECK(Body(carer)["register"]["children"] == Json::array({"3401"}));
  CHECK(Body(carer)["register"]["vacancies"] == 1);
  auto with_room = Body(f.Call("GET", "/v1/carers?vacancies=yes&kind=foster_carer", "tm"));
  REQUIRE(with_room["carers"].size() == 1);
  CHECK(with_room["summary"]["vacancies"] == 1);
  CHECK(f.Call("GET", "/v1/carers?kind=aunt", "tm").status == 400);
  CHECK(f.Call("GET", "/v1/carers", "sub").status == 403);
  CHECK(f.Call("GET", "/v1/carers/C-8", "sw").status == 404);
  // The child leaves care: the place is free again.
  REQUIRE(f.Do("3401", "tm", "cic.ceased_looked_after", "2026-07-01T10:00:00Z", {{"reason", "returned_home"}}).status == 201);
  CHECK(Body(f.Call("GET", "/v1/carers/C-7", "sw"))["register"]["vacancies"] == 2);
}

TEST_CASE("a restriction written before the server started still holds, for reads and writes",
          "[adapters][http][restricted]") {
  ApiFixture f;
  REQUIRE(f.Do("3101", "cass", "fd.contact_received", "2026-09-05T11:00:00Z", {{"source", "police"}}).status == 201);
  REQUIRE(f.Call("PUT", "/v1/children/3101/restriction", "tm", R"({"users":["tm.khan"],"reason":"r"})").status == 200);
  // A new API over the same log, as after a restart; the first request is a write (which does not
  // catch the views up), then a read, then another child (never restricted) for both.
  Api restarted(*f.log, workflows::RuleBook::Default(), f.tokens);
  auto call = [&](const std::string& method, const std::string& target, const std::string& token, const std::string& body = {}) {
    return restarted.Handle(Request{method, target, "Bearer " + token, body, {}, {}, {}, {}, {}});
  };
  auto cmd = Json{{"action", "fd.decision_made"}, {"occurred_at", "2026-09-05T15:00:00Z"}, {"params", {{"decision", "nfa"}}}}.dump();
  CHECK(call("POST", "/v1/children/3101/commands", "sw", cmd).status == 403);
  CHECK(call("GET", "/v1/children/3101", "sw").status == 403);
  CHECK(call("GET", "/v1/children/3101", "tm").status == 200);
  CHECK(call("POST", "/v1/children/3101/commands", "sw", cmd).status == 403);  // after the views caught up
  CHECK(call("POST", "/v1/children/3102/commands", "cass",
             Json{{"action", "fd.contact_received"}, {"occurred_at", "2026-09-05T11:00:00Z"}, {"params", {{"source", "school"}}}}.dump())
            .status == 201);
}

TEST_CASE("POST /v1/children registers a child (or an unborn one), allowed-actions says who may do what",
          "[adapters][http]") {
  ApiFixture f;
  auto r = f.Call("POST", "/v1/children", "sw", R"({"child_id":"4001","date_of_birth":"2015-03-02","command_id":"reg-4001"})");
  REQUIRE(r.status == 201);
  CHECK(Body(r)["events"][0] == "case.child_registered");
  CHECK(f.Call("POST", "/v1/children", "sw", R"({"child_id":"4001","date_of_birth":"2015-03-02","command_id":"reg-4001"})")
            .status == 200);  // a retry answers the original
  auto unborn = f.Call("POST", "/v1/children", "sw", R"({"child_id":"4002","unborn":true,"expected_due_date":"2027-01-20"})");
  REQUIRE(unborn.status == 201);
  CHECK(Body(f.Call("POST", "/v1/children", "sw", R"({"child_id":"4003"})"))["error"]["field"] == "date_of_birth");
  CHECK(Body(f.Call("POST", "/v1/children", "sw", R"({"child_id":"4003","unborn":true})"))["error"]["field"] ==
        "expected_due_date");
  CHECK(Body(f.Call("POST", "/v1/children", "sw", R"({"child_id":"../x","date_of_birth":"2015-03-02"})"))["error"]["field"] ==
        "child_id");
  CHECK(Body(f.Call("POST", "/v1/children", "sw", R"({"child_id":"4003","date_of_birth":7})"))["error"]["field"] ==
        "date_of_birth");
  CHECK(f.Call("POST", "/v1/children", "audit", R"({"child_id":"4003","date_of_birth":"2015-03-02"})").status == 403);
  CHECK(f.Call("GET", "/v1/children", "sw").status == 405);

  REQUIRE(f.Do("4001", "cass", "fd.contact_received", "2026-09-05T11:00:00Z", {{"source", "school"}}).status == 201);
  auto allowed = f.Call("GET", "/v1/children/4001/allowed-actions", "sw");
  REQUIRE(allowed.status == 200);
  const Json a = Body(allowed);
  // A social worker may not make the front-door decision: it is marked as a team manager's.
  CHECK(a["role"] == "social_worker");
  CHECK(std::find(a["allowed_actions"].begin(), a["allowed_actions"].end(), "fd.decision_made") ==
        a["allowed_actions"].end());
  bool marked = false;
  for (const auto& x : a["other_actions"]) {
    if (x["action"] != "fd.decision_made") continue;
    marked = std::find(x["roles"].begin(), x["roles"].end(), "team_manager") != x["roles"].end() &&
             std::find(x["roles"].begin(), x["roles"].end(), "social_worker") == x["roles"].end();
  }
  CHECK(marked);
  // A team manager may; the child's summary answers the same way for each caller.
  const Json tm = Body(f.Call("GET", "/v1/children/4001/allowed-actions", "tm"));
  CHECK(std::find(tm["allowed_actions"].begin(), tm["allowed_actions"].end(), "fd.decision_made") !=
        tm["allowed_actions"].end());
  const Json summary = Body(f.Call("GET", "/v1/children/4001", "tm"));
  CHECK(summary["allowed_actions"] == tm["allowed_actions"]);
  CHECK(summary["other_actions"] == tm["other_actions"]);
  CHECK(f.Call("GET", "/v1/children/4999/allowed-actions", "tm").status == 404);
}

namespace {

int Connect(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// A test server's options: a free port, two workers.
ServerOptions TestServer() {
  ServerOptions o;
  o.port = 0;
  o.worker_threads = 2;
  return o;
}

// Connects to the server and sends `request` whole; the connection's descriptor.
int SendRequest(const Server& server, const std::string& request) {
  const int fd = Connect(server.port());
  REQUIRE(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  return fd;
}

// Reads from `fd` into `got` until it holds `what`; false if the connection ends or stalls 10 s.
bool ReadUntil(int fd, std::string* got, const std::string& what) {
  char buf[4096];
  while (got->find(what) == std::string::npos) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    got->append(buf, static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

TEST_CASE("the server streams a subscription as chunked text/event-stream and ends it cleanly on stop",
          "[adapters][subscriptions][server]") {
  ApiFixture f;
  REQUIRE(f.Do("5001", "cass", "fd.contact_received", "2026-09-05T11:00:00Z", {{"source", "school"}}).status == 201);
  Server server(f.api, TestServer());
  REQUIRE(server.Start().ok());
  const int fd = SendRequest(server, "GET /v1/subscribe?from=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sub\r\n\r\n");
  std::string got;
  auto read_until = [&](const std::string& what) { return ReadUntil(fd, &got, what); };
  REQUIRE(read_until("id: 1\n"));
  CHECK_THAT(got, Catch::Contains("200 OK"));
  CHECK_THAT(got, Catch::Contains("Content-Type: text/event-stream"));
  CHECK_THAT(got, Catch::Contains("Transfer-Encoding: chunked"));
  // A new event arrives live.
  REQUIRE(f.Do("5002", "cass", "fd.contact_received", "2026-09-05T12:00:00Z", {{"source", "school"}}).status == 201);
  REQUIRE(read_until("\"stream\":\"child-5002\""));
  // Stopping the server ends the stream with the last chunk.
  std::thread stopper([&] { server.Stop(std::chrono::seconds(5)); });
  CHECK(read_until("\r\n0\r\n\r\n"));
  stopper.join();
  ::close(fd);
}

TEST_CASE("the server resumes a subscription after the Last-Event-ID header", "[adapters][subscriptions][server]") {
  ApiFixture f;
  for (const char* child : {"5101", "5102"}) {
    REQUIRE(f.Do(child, "cass", "fd.contact_received", "2026-09-05T11:00:00Z", {{"source", "school"}}).status == 201);
  }
  const std::uint64_t head = f.log->HeadPosition();
  REQUIRE(head >= 4);
  Server server(f.api, TestServer());
  REQUIRE(server.Start().ok());
  // What an EventSource sends when it reconnects: no `from`, the last id it saw as a header.
  const int fd =
      SendRequest(server, "GET /v1/subscribe HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sub\r\nLast-Event-ID: 2\r\n\r\n");
  std::string got;
  REQUIRE(ReadUntil(fd, &got, "id: " + std::to_string(head) + "\n"));
  CHECK_THAT(got, Catch::Contains("200 OK"));
  CHECK(got.find("id: 1\n") == std::string::npos);
  CHECK(got.find("id: 2\n") == std::string::npos);
  CHECK(got.find("id: 3\n") < got.find("id: " + std::to_string(head) + "\n"));
  server.Stop(std::chrono::seconds(5));
  ::close(fd);
}

TEST_CASE("team-scoped roles see only their team in the caseload and deadline views", "[adapters][http]") {
  ApiFixture f;
  REQUIRE(f.Do("6001", "cass", "fd.contact_received", "2026-09-05T11:00:00Z", {{"source", "police"}}).status == 201);
  const std::string view = "/v1/deadlines?due_within=60&as_of=2026-09-05T12:00:00Z";
  CHECK(Body(f.Call("GET", view, "sw"))["due_soon"].size() == 1);        // north-1: the contact's decision
  CHECK(Body(f.Call("GET", view, "sw-south"))["due_soon"].empty());      // south-2 sees nothing of north-1
  CHECK(f.Call("GET", view + "&team=north-1", "sw-south").status == 403);
  const Json north = Body(f.Call("GET", "/v1/caseload", "sw"));
  REQUIRE(north["teams"].size() == 1);
  CHECK(north["teams"][0]["team"] == "north-1");
  CHECK(Body(f.Call("GET", "/v1/caseload", "sw-south"))["teams"].empty());
  CHECK(Body(f.Call("GET", "/v1/caseload?team=north-1", "audit"))["teams"].size() == 1);
  CHECK(Body(f.Call("GET", "/v1/caseload?colour=red", "audit"))["error"]["field"] == "colour");
}

TEST_CASE("a client that stalls mid-request is dropped after the read timeout, and nothing is written",
          "[adapters][http][server]") {
  ApiFixture f;
  const std::uint64_t head = f.log->HeadPosition();
  ServerOptions o;
  o.port = 0;
  o.read_timeout = std::chrono::seconds(1);
  Server server(f.api, o);
  REQUIRE(server.Start().ok());
  const int fd = Connect(server.port());
  const std::string part = "POST /v1/children/7001/commands HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer cass\r\n"
                           "Content-Length: 200\r\n\r\n{\"action\":";
  REQUIRE(::send(fd, part.data(), part.size(), 0) == static_cast<ssize_t>(part.size()));
  const auto start = std::chrono::steady_clock::now();
  char buf[256];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);  // blocks until the server gives up on us
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(n == 0);  // closed without an answer
  CHECK(waited >= std::chrono::milliseconds(900));
  CHECK(waited < std::chrono::seconds(5));
  ::close(fd);
  // Invalid UTF-8 inside a JSON body is malformed JSON: 400, nothing written.
  auto bad = f.Call("POST", "/v1/children/7002/commands", "cass",
                    "{\"action\":\"fd.contact_received\",\"occurred_at\":\"2026-09-05T11:00:00Z\",\"params\":{\"source\":\"\xff\xfe\"}}");
  CHECK(bad.status == 400);
  CHECK(f.log->HeadPosition() == head);
  server.Stop(std::chrono::seconds(2));
}

namespace {

// Takes a stream's text until `done` holds on it (or five seconds pass).
std::string TakeUntil(Subscription& s, const std::function<bool(const std::string&)>& done) {
  std::string text;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done(text) && std::chrono::steady_clock::now() < until) {
    if (!s.Take(&text)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return text;
}

}  // namespace

TEST_CASE("GET /v1/changes gives people's pages notices that name no child, new events by default",
          "[adapters][subscriptions][http]") {
  ApiFixture f;
  REQUIRE(f.Do("1002", "cass", "fd.contact_received", "2026-09-05T11:00:00Z", {{"source", "police"}}).status == 201);
  const std::uint64_t head = f.log->HeadPosition();
  // Even a worker of another team hears that something happened, and nothing more.
  auto r = f.Call("GET", "/v1/changes?from=1&journey=child_protection,front_door", "sw-south");
  REQUIRE(r.status == 200);
  REQUIRE(r.stream);
  const std::string last = "id: " + std::to_string(head) + "\n";
  std::string text = TakeUntil(*r.stream, [&](const std::string& t) { return t.find(last) != std::string::npos; });
  REQUIRE(text.find(last) != std::string::npos);
  for (const char* secret : {"1002", "fd.contact", "cass", "police", "north-1"}) {
    INFO(secret);
    CHECK(text.find(secret) == std::string::npos);
  }
  std::istringstream frames(text);
  int notices = 0;
  for (std::string line; std::getline(frames, line);) {
    if (line.rfind("data: ", 0) != 0) continue;
    Json d = Json::parse(line.substr(6));
    CHECK(d.size() == 2);
    CHECK(d["journey"] == "front_door");
    ++notices;
  }
  CHECK(notices >= 2);  // the contact and its deadline
  CHECK(text.find("event: changed\n") != std::string::npos);
  r.stream->Cancel();

  // Without `from`: only what is recorded after; a journey not asked for is not heard.
  auto live = f.Call("GET", "/v1/changes?journey=child_protection", "cpo-less-legal");
  CHECK(live.status == 401);
  auto legal = f.Call("GET", "/v1/changes?journey=child_protection", "legal");
  REQUIRE(legal.stream);
  REQUIRE(f.Do("1002", "tm", "fd.decision_made", "2026-09-05T15:00:00Z", {{"decision", "strategy_discussion"}}).status == 201);
  REQUIRE(f.Do("1002", "tm", "cp.strategy_discussion_held", "2026-09-06T10:00:00Z", {{"outcome", "s47"}}).status == 201);
  const std::string now = "id: " + std::to_string(f.log->HeadPosition()) + "\n";
  std::string after = TakeUntil(*legal.stream, [&](const std::string& t) { return t.find(now) != std::string::npos; });
  CHECK(after.find(now) != std::string::npos);
  CHECK(after.find("front_door") == std::string::npos);
  CHECK(after.find("\"journey\":\"child_protection\"") != std::string::npos);
  legal.stream->Cancel();

  CHECK(f.Call("GET", "/v1/changes", "sub").status == 403);  // services subscribe to events
  CHECK(Body(f.Call("GET", "/v1/changes?from=x", "legal"))["error"]["field"] == "from");
  CHECK(Body(f.Call("GET", "/v1/changes?team=north-1", "legal"))["error"]["field"] == "team");
}
