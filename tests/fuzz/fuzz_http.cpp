// libFuzzer target: raw bytes from a client, as the server would read them. The bytes go to a
// Beast request_parser with the server's header and body limits (ServerOptions); every request
// that parses is answered by Api::Handle over an in-memory event log, as server.cpp does, and the
// next pipelined request is read while the connection is keep-alive (at most 4 per input).
//
// The API has tokens for nine principals (one per kind of role, two teams); the seed corpus and
// the dictionary carry "Authorization: Bearer <token>" so the authorised routes are reached. Each
// fresh log is seeded with three accepted commands (children 1002 and 9), so reads, corrections
// and team scope have something to bite on. The log and the API are recreated every
// kResetEvery inputs, or when the log passes kResetHead events, to keep the state bounded.
//
// Invariants checked for every answered request (a violation aborts; libFuzzer keeps the input):
//   1. the status is one of 200 201 400 401 403 404 405 409 413 422 (no 5xx: the in-memory log
//      cannot fail, so a 500 is a bug);
//   2. a 4xx body is a JSON object {"error": {"code": "<non-empty string>", ...}};
//      a 2xx JSON body parses;
//   3. writes: after the request's asynchronous access-log appends have committed, every event
//      it added (positions after the head before it) is
//        - in the "access-log" stream, of type access.read or access.denied, or
//        - only when the answer is 201 to POST /v1/children/{c}/commands: in stream "child-{c}"
//          (and a 201 added at least one such event);
//      so an error answer (and every read, and a 200 duplicate) writes nothing but access-log
//      entries: a denial (401, 403) writes an access.denied entry, and a privileged role's read
//      writes access.read before the route answers (also when it then answers 400 or 404);
//   4. a 401 wrote exactly one access-log entry, access.denied;
//   5. before a log is dropped (every kResetEvery inputs), it verifies (Verify: hash chains and
//      indexes).
// Nothing is allowed to throw out of Handle (the server's worker pool would terminate).
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "adapters/http/api.hpp"
#include "adapters/http/server.hpp"
#include "adapters/http/tokens.hpp"
#include "engine/event_log.hpp"
#include "workflows/rules.hpp"

namespace {

using namespace casetrail;
namespace bhttp = boost::beast::http;
using Json = nlohmann::json;

// Small: a read of the global log (up to 1000 events) or a verify costs time in proportion.
constexpr int kResetEvery = 500;            // inputs
constexpr std::uint64_t kResetHead = 1000;  // events
constexpr int kMaxRequestsPerInput = 4;

// CASETRAIL_FUZZ_VERBOSE=1: print every request and answer (to check what a seed reaches).
const bool kVerbose = std::getenv("CASETRAIL_FUZZ_VERBOSE") != nullptr;

[[noreturn]] void Fail(const std::string& what, const http::Request& req, const http::Response& res) {
  std::fprintf(stderr,
               "fuzz_http: invariant violated: %s\nrequest: %s %s (auth %zu bytes, body %zu bytes)\n"
               "response: %d %s\n",
               what.c_str(), req.method.c_str(), req.target.c_str(), req.authorization.size(), req.body.size(),
               res.status, res.body.substr(0, 600).c_str());
  std::abort();
}

// The log the API writes to, counting appends in flight so a request's asynchronous access-log
// entries can be waited for before its writes are checked.
class SettlingLog final : public EventLog {
 public:
  explicit SettlingLog(std::unique_ptr<EventLog> inner) : inner_(std::move(inner)) {}
  ~SettlingLog() override { inner_->Close(); }

  void AppendAsync(AppendRequest request, AppendCallback done) override {
    {
      std::lock_guard<std::mutex> lk(mu_);
      ++pending_;
    }
    inner_->AppendAsync(std::move(request), [this, done = std::move(done)](Result<AppendResult> r) {
      if (done) done(std::move(r));
      std::lock_guard<std::mutex> lk(mu_);
      if (--pending_ == 0) idle_.notify_all();
    });
  }
  // Waits until every append handed to the log has committed or been refused.
  void Settle() {
    std::unique_lock<std::mutex> lk(mu_);
    idle_.wait(lk, [&] { return pending_ == 0; });
  }

  Result<std::vector<RecordedEvent>> ReadStream(const std::string& stream, std::uint64_t from_version,
                                                Direction direction, std::size_t max_count) override {
    return inner_->ReadStream(stream, from_version, direction, max_count);
  }
  Status ReadAll(const ReadAllOptions& options, const EventVisitor& visit) override {
    return inner_->ReadAll(options, visit);
  }
  Result<RecordedEvent> ReadPosition(std::uint64_t position) override { return inner_->ReadPosition(position); }
  Result<StreamInfo> GetStreamInfo(const std::string& stream) override { return inner_->GetStreamInfo(stream); }
  std::uint64_t HeadPosition() const override { return inner_->HeadPosition(); }
  std::uint64_t WaitForPosition(std::uint64_t position, std::chrono::milliseconds timeout) override {
    return inner_->WaitForPosition(position, timeout);
  }
  Result<VerifyReport> Verify() override { return inner_->Verify(); }
  Status SetCheckpoint(const std::string& name, std::uint64_t position) override {
    return inner_->SetCheckpoint(name, position);
  }
  Result<std::uint64_t> GetCheckpoint(const std::string& name) override { return inner_->GetCheckpoint(name); }
  Status PutSnapshot(const std::string& name, std::string_view value) override {
    return inner_->PutSnapshot(name, value);
  }
  Result<std::string> GetSnapshot(const std::string& name) override { return inner_->GetSnapshot(name); }
  Result<AppendResult> FindCommand(const std::string& command_id) override {
    return inner_->FindCommand(command_id);
  }
  LogStats Stats() const override { return inner_->Stats(); }
  void Close() override { inner_->Close(); }

 private:
  std::unique_ptr<EventLog> inner_;
  std::mutex mu_;
  std::condition_variable idle_;
  std::uint64_t pending_ = 0;
};

struct World {
  http::Tokens tokens;
  std::unique_ptr<SettlingLog> log;
  std::unique_ptr<http::Api> api;
  int inputs = 0;

  World() {
    // Tokens the seed corpus and the dictionary use: "Authorization: Bearer <token>".
    tokens.Add("sw", {"sw.jones", "social_worker", "north-1"});
    tokens.Add("sw-south", {"sw.patel", "social_worker", "south-2"});
    tokens.Add("tm", {"tm.khan", "team_manager", "north-1"});
    tokens.Add("eh", {"eh.ward", "early_help_worker", "north-1"});
    tokens.Add("chair", {"chair.lee", "cp_chair", "safeguarding"});
    tokens.Add("legal", {"legal.ng", "legal", "north-1"});
    tokens.Add("audit", {"audit.reid", "auditor", "audit"});
    tokens.Add("admin", {"admin.ops", "admin", "ops"});
    tokens.Add("sub", {"relay.svc", "subscriber", "integration"});
    Reset();
  }
  ~World() {
    api.reset();
    log.reset();
  }

  void Reset() {
    if (log) {  // 5. what the inputs wrote verifies (hash chains, indexes) before it is dropped
      auto v = log->Verify();
      if (!v.ok() || !v->ok) {
        std::fprintf(stderr, "fuzz_http: invariant violated: the log does not verify: %s\n",
                     v.ok() ? v->reason.c_str() : v.status().ToString().c_str());
        std::abort();
      }
    }
    api.reset();
    log = std::make_unique<SettlingLog>(OpenMemoryEventLog());
    api = std::make_unique<http::Api>(*log, workflows::RuleBook::Default(), tokens);
    inputs = 0;
    auto seed = [&](const std::string& token, const std::string& child, const Json& cmd) {
      http::Response r = api->Handle({"POST", "/v1/children/" + child + "/commands", "Bearer " + token, cmd.dump()});
      if (r.status != 201) {
        std::fprintf(stderr, "fuzz_http: seeding the log failed: %d %s\n", r.status, r.body.c_str());
        std::abort();
      }
    };
    seed("tm", "1002", {{"action", "cp.strategy_discussion_held"}, {"occurred_at", "2026-09-05T13:30:00Z"},
                        {"params", {{"outcome", "s47"}}}, {"command_id", "seed-1"}});
    seed("sw", "1002", {{"action", "cp.s47_concluded"}, {"occurred_at", "2026-09-16T09:00:00Z"},
                        {"params", {{"outcome", "icpc"}}}, {"command_id", "seed-2"}});
    seed("legal", "9", {{"action", "plo.legal_planning_meeting_held"}, {"occurred_at", "2026-06-02T09:00:00Z"},
                        {"params", {{"decision", "pre_proceedings"}}}, {"command_id", "seed-3"}});
    log->Settle();
  }
};

World& TheWorld() {
  static World w;
  return w;
}

// The stream a successful write route may write to (besides access-log), or "": a command's or
// a registration's child, a restriction, a persistent subscription's definition.
std::string WrittenStream(const http::Request& req, const http::Response& res) {
  const std::string path = req.target.substr(0, req.target.find('?'));
  if (req.method == "POST" && path == "/v1/children" && res.status == 201) {
    const Json body = Json::parse(req.body, nullptr, false);
    if (body.is_object() && body.contains("child_id") && body["child_id"].is_string()) {
      return "child-" + body["child_id"].get<std::string>();
    }
    return "";
  }
  const std::string children = "/v1/children/", restriction = "/restriction";
  if ((req.method == "PUT" || req.method == "DELETE") && res.status == 200 && path.rfind(children, 0) == 0 &&
      path.size() > children.size() + restriction.size() &&
      path.compare(path.size() - restriction.size(), restriction.size(), restriction) == 0) {
    return "restriction-" + path.substr(children.size(), path.size() - children.size() - restriction.size());
  }
  const std::string subscriptions = "/v1/subscriptions/";
  if (req.method == "PUT" && res.status == 201 && path.rfind(subscriptions, 0) == 0) {
    return "subscription-" + path.substr(subscriptions.size());
  }
  return "";
}

// The child of a POST /v1/children/{child}/commands target, or "".
std::string CommandChild(const http::Request& req) {
  const std::string path = req.target.substr(0, req.target.find('?'));
  const std::string prefix = "/v1/children/";
  const std::string suffix = "/commands";
  if (req.method != "POST" || path.rfind(prefix, 0) != 0 || path.size() <= prefix.size() + suffix.size() ||
      path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return "";
  }
  return path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
}

void Check(World& w, const http::Request& req, const http::Response& res, std::uint64_t head_before) {
  static const std::set<int> kStatuses = {200, 201, 400, 401, 403, 404, 405, 409, 413, 422};
  if (!kStatuses.count(res.status)) Fail("unexpected status", req, res);
  const bool success = res.status >= 200 && res.status < 300;

  // 2. Bodies.
  if (!success) {
    if (res.content_type != "application/json") Fail("an error that is not JSON", req, res);
    const Json body = Json::parse(res.body, nullptr, false);
    if (!body.is_object() || !body.contains("error") || !body["error"].is_object() ||
        !body["error"].contains("code") || !body["error"]["code"].is_string() ||
        body["error"]["code"].get<std::string>().empty()) {
      Fail("an error body without error.code", req, res);
    }
  } else if (res.content_type == "application/json") {
    if (Json::parse(res.body, nullptr, false).is_discarded()) Fail("a 2xx body that is not JSON", req, res);
  }

  // 3. and 4. Writes.
  w.log->Settle();
  const std::uint64_t head_after = w.log->HeadPosition();
  if (head_after < head_before) Fail("the head went back", req, res);
  const std::string command_child = CommandChild(req);
  const std::string written = WrittenStream(req, res);
  const std::string child = command_child.empty() ? written : "child-" + command_child;
  const bool may_write_child = (res.status == 201 && !command_child.empty()) || !written.empty();
  int child_events = 0, access_events = 0, denials = 0;
  if (head_after > head_before) {
    ReadAllOptions o;
    o.from_position = head_before + 1;
    Status s = w.log->ReadAll(o, [&](const EventView& e) {
      if (e.position > head_after) return false;
      if (e.stream == http::kAccessLogStream) {
        if (e.type != "access.read" && e.type != "access.denied") Fail("an unknown access-log event type", req, res);
        ++access_events;
        denials += e.type == "access.denied";
      } else if (may_write_child && e.stream == child) {
        ++child_events;
      } else {
        Fail("wrote to stream '" + std::string(e.stream) + "' answering " + std::to_string(res.status), req, res);
      }
      return true;
    });
    if (!s.ok()) Fail("reading back the log failed: " + s.ToString(), req, res);
  }
  if (may_write_child && child_events == 0) Fail("a 201 that wrote nothing", req, res);
  if (res.status == 401 && (access_events != 1 || denials != 1)) Fail("a 401 without one access.denied", req, res);
}

// Reads one request from `in` as the server's async_read would: the header, then the body,
// end of input standing for the client closing. Returns the bytes used.
std::size_t ReadRequest(std::string_view in, bhttp::request_parser<bhttp::string_body>& p,
                        boost::beast::error_code& ec) {
  std::size_t used = 0;
  while (!p.is_done()) {
    if (used == in.size()) {
      p.put_eof(ec);
      return used;
    }
    const std::size_t n = p.put(boost::asio::buffer(in.data() + used, in.size() - used), ec);
    used += n;
    if (ec == bhttp::error::need_more) {
      ec = {};
      if (n == 0) {  // wants bytes that will never come
        p.put_eof(ec);
        return used;
      }
      continue;
    }
    if (ec) return used;
  }
  return used;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  World& w = TheWorld();
  if (++w.inputs > kResetEvery || w.log->HeadPosition() > kResetHead) w.Reset();
  static const http::ServerOptions kServer;  // the limits the server reads with

  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < kMaxRequestsPerInput && !in.empty(); ++i) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(kServer.max_header_bytes));
    parser.body_limit(kServer.max_body_bytes);
    boost::beast::error_code ec;
    const std::size_t used = ReadRequest(in, parser, ec);
    in.remove_prefix(used);
    if (ec) break;  // the server answers 400/413/431 itself and closes
    bhttp::request<bhttp::string_body> msg = parser.release();
    http::Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.authorization = std::string(msg[bhttp::field::authorization]);
    req.body = std::move(msg.body());

    const std::uint64_t head_before = w.log->HeadPosition();
    const auto start = std::chrono::steady_clock::now();
    const http::Response res = w.api->Handle(req);
    if (res.stream) res.stream->Cancel();  // a subscription: nobody reads it here
    Check(w, req, res, head_before);
    if (kVerbose) {
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      std::fprintf(stderr, "%.1f ms %s %s -> %d %.200s\n", ms, req.method.c_str(), req.target.c_str(), res.status,
                   res.body.c_str());
    }
    if (!msg.keep_alive()) break;
  }
  return 0;
}
