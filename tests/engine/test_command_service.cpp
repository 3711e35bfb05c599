// The generic command service over a toy aggregate (a counter per key): it knows nothing of
// social care, and its guarantees hold for any decider.
#include "engine/command_service.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/event_log.hpp"

using namespace casetrail;

namespace {

struct AddCommand {
  std::string key;
  std::int64_t amount = 0;
  std::string command_id;
  std::optional<std::uint64_t> expected_version;
};

struct Counter {
  std::uint64_t version = 0;
  std::int64_t total = 0;
};

struct Answer {
  bool accepted = false;
  std::string reason;
  std::int64_t total = 0;
  std::uint64_t version = 0;
};

// Events "counter.added" {"amount": n} on stream "counter-<key>". Adding 0 is refused; adding
// 13 proposes an event the log refuses (no occurred_at), to see a failed append.
class CounterDecider {
 public:
  using Command = AddCommand;
  using State = Counter;
  using Outcome = Answer;
  using Decision = CommandDecision<State, Outcome>;
  static constexpr const char* kNoun = "counter";

  explicit CounterDecider(EventLog& log) : log_(log) {}
  Status CheckKey(const std::string& key) const {
    return key.empty() ? Status::InvalidArgument("key", "must not be empty") : Status::Ok();
  }
  Status Check(const Command& c) const { return CheckKey(c.key); }
  const std::string& KeyOf(const Command& c) const { return c.key; }
  std::string StreamOf(const std::string& key) const { return "counter-" + key; }
  Result<State> Load(const std::string& key) const {
    auto events = log_.ReadStream(StreamOf(key), 1, Direction::kForward, SIZE_MAX);
    if (!events.ok()) return events.status();
    if (events->empty()) return Status::NotFound("no counter " + key);
    State s;
    for (const auto& e : *events) {
      s.version = e.version;
      s.total += std::stoll(e.payload.substr(e.payload.find(':') + 1));
    }
    return s;
  }
  State Empty() const { return State{}; }
  static std::uint64_t VersionOf(const State& s) { return s.version; }
  static bool FromSnapshot(const State&) { return false; }
  Result<Outcome> Retried(const Command&, const AppendResult& original, const std::vector<RecordedEvent>& written,
                          const State& now) const {
    Answer a;
    a.accepted = !written.empty() && original.last_version >= original.first_version;
    a.total = now.total;
    a.version = now.version;
    return a;
  }
  Decision Decide(const Command& c, const State& now) const {
    if (c.amount == 0) return Answer{false, "adding nothing changes nothing", now.total, now.version};
    EventData e;
    e.type = "counter.added";
    e.occurred_at = c.amount == 13 ? 0 : 1'700'000'000'000'000;
    e.payload = "{\"amount\":" + std::to_string(c.amount) + "}";
    AppendRequest r;
    r.actor = Actor{"tester", "tester", "team"};
    r.events.push_back(std::move(e));
    State next = now;
    next.total += c.amount;
    return Decision::Append(std::move(r), next, Answer{});
  }
  void Accepted(const Command&, const AppendResult& res, State* next, Outcome* out) const {
    next->version = res.last_version;
    out->accepted = true;
    out->total = next->total;
    out->version = next->version;
  }

 private:
  EventLog& log_;
};

using CounterService = CommandService<CounterDecider>;

AddCommand Add(const std::string& key, std::int64_t amount, std::string id = {}) {
  AddCommand c;
  c.key = key;
  c.amount = amount;
  c.command_id = std::move(id);
  return c;
}

}  // namespace

TEST_CASE("command service: an accepted command appends at the next version and is kept for the next",
          "[engine][command_service]") {
  auto log = OpenMemoryEventLog();
  CounterService svc(*log, *log);
  auto a = svc.Execute(Add("a", 5));
  REQUIRE(a.ok());
  CHECK(a->accepted);
  CHECK(a->version == 1);
  auto b = svc.Execute(Add("a", 7));
  REQUIRE(b.ok());
  CHECK(b->total == 12);
  CHECK(b->version == 2);
  CHECK(svc.hydrations().from_log == 0);  // the first found no stream; the second came from the cache
  CHECK(svc.hydrations().from_cache == 1);
  svc.ClearCache();
  auto loaded = svc.Load("a");
  REQUIRE(loaded.ok());
  CHECK((*loaded)->total == 12);
  CHECK(svc.hydrations().from_log == 1);
  CHECK(svc.Execute(Add("", 1)).status().field() == "key");
}

TEST_CASE("command service: a refusal and a stale expected version write nothing", "[engine][command_service]") {
  auto log = OpenMemoryEventLog();
  CounterService svc(*log, *log);
  REQUIRE(svc.Execute(Add("a", 5)).ok());
  const std::uint64_t head = log->HeadPosition();
  auto refused = svc.Execute(Add("a", 0));
  REQUIRE(refused.ok());
  CHECK_FALSE(refused->accepted);
  CHECK(refused->reason == "adding nothing changes nothing");
  AddCommand stale = Add("a", 1);
  stale.expected_version = 0;
  auto conflict = svc.Execute(stale);
  REQUIRE(conflict.status().IsConflict());
  CHECK(conflict.status().actual_version() == 1);
  CHECK_THAT(conflict.status().message(), Catch::Contains("counter 'a': expected version 0, actual version 1"));
  CHECK(log->HeadPosition() == head);
}

TEST_CASE("command service: a retried command id answers the original, on another stream it is a conflict",
          "[engine][command_service]") {
  auto log = OpenMemoryEventLog();
  CounterService svc(*log, *log);
  REQUIRE(svc.Execute(Add("a", 5, "cmd-1"))->accepted);
  const std::uint64_t head = log->HeadPosition();
  auto again = svc.Execute(Add("a", 5, "cmd-1"));
  REQUIRE(again.ok());
  CHECK(again->accepted);
  CHECK(again->total == 5);  // not 10: nothing was added twice
  CHECK(log->HeadPosition() == head);
  auto elsewhere = svc.Execute(Add("b", 5, "cmd-1"));
  REQUIRE(elsewhere.status().IsConflict());
  CHECK_THAT(elsewhere.status().message(), Catch::Contains("was used for another counter"));
}

TEST_CASE("command service: a failed append leaves no state behind", "[engine][command_service]") {
  auto log = OpenMemoryEventLog();
  CounterService svc(*log, *log);
  REQUIRE(svc.Execute(Add("a", 5))->accepted);
  auto failed = svc.Execute(Add("a", 13));  // the log refuses the event
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.status().field() == "events[0].occurred_at");
  // The cached counter was dropped: the next command rebuilds it from the log, without the 13.
  const auto before = svc.hydrations().from_log;
  auto next = svc.Execute(Add("a", 1));
  REQUIRE(next.ok());
  CHECK(next->total == 6);
  CHECK(svc.hydrations().from_log == before + 1);
}

TEST_CASE("command service: asynchronous commands on one stream run one at a time, in arrival order",
          "[engine][command_service]") {
  auto log = OpenMemoryEventLog();
  CounterService svc(*log, *log);
  constexpr int kThreads = 4, kEach = 50;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Answer> answers;
  int errors = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        svc.ExecuteAsync(Add("shared", 1), [&](Result<Answer> r) {
          std::lock_guard<std::mutex> lk(mu);
          if (r.ok()) answers.push_back(*r);
          else ++errors;
          cv.notify_all();
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  std::unique_lock<std::mutex> lk(mu);
  REQUIRE(cv.wait_for(lk, std::chrono::seconds(10), [&] { return answers.size() + errors == kThreads * kEach; }));
  CHECK(errors == 0);
  // Each command saw the one before it: versions and totals are 1..200, each once.
  std::vector<bool> seen(kThreads * kEach + 1, false);
  for (const auto& a : answers) {
    REQUIRE(a.version >= 1);
    REQUIRE(a.version <= static_cast<std::uint64_t>(kThreads * kEach));
    CHECK(a.total == static_cast<std::int64_t>(a.version));
    CHECK_FALSE(seen[a.version]);
    seen[a.version] = true;
  }
  CHECK(log->GetStreamInfo("counter-shared")->last_version == static_cast<std::uint64_t>(kThreads * kEach));
}
