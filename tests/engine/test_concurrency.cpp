// 8 threads appending to the same and to different streams: nothing lost, duplicated or gapped;
// conflicts exactly when expected.
#include <barrier>
#include <map>
#include <set>
#include <thread>

#include "tests/engine/test_util.hpp"

using namespace casetrail;
using namespace casetrail::testing;

namespace {

constexpr int kThreads = 8;

void CheckLogIsWhole(EventLog& log, std::uint64_t expected_events) {
  auto events = AllEvents(log);
  REQUIRE(events.size() == expected_events);
  std::map<std::string, std::uint64_t> last_version;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < events.size(); ++i) {
    CHECK(events[i].position == i + 1);  // gap-free, in order
    CHECK(events[i].version == ++last_version[events[i].stream]);
    CHECK(ids.insert(events[i].event_id).second);  // no duplicate
  }
  CHECK(log.HeadPosition() == expected_events);
  auto rep = log.Verify();
  REQUIRE(rep.ok());
  CHECK(rep->ok);
}

}  // namespace

TEMPLATE_TEST_CASE("8 threads on different streams lose, duplicate and reorder nothing",
                   "[engine][concurrency]", MemoryLog, RocksLog) {
  TestType f;
  EventLogOptions o;
  o.durable = false;  // the protocol is the same; fsync would only slow the unit run
  auto log = f.Open(o);
  constexpr int kPerThread = 300;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string stream = "child-" + std::to_string(t) + "-" + std::to_string(i % 7);
        const std::uint64_t v = i / 7;  // this thread alone writes this stream
        auto r = log->Append(One(stream, v == 0 ? ExpectedVersion::NoStream()
                                                : ExpectedVersion::Exact(v)));
        if (!r.ok() || r->first_version != static_cast<std::uint64_t>(i / 7 + 1)) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  CheckLogIsWhole(*log, kThreads * kPerThread);
}

TEMPLATE_TEST_CASE("8 threads racing on one stream: exactly one wins each version",
                   "[engine][concurrency]", MemoryLog, RocksLog) {
  TestType f;
  EventLogOptions o;
  o.durable = false;
  auto log = f.Open(o);
  constexpr int kRounds = 100;
  std::atomic<int> wins{0}, conflicts{0}, other{0};
  std::vector<std::thread> threads;
  std::barrier round(kThreads);
  // In each round every thread tries to append version v+1; all but one must get a Conflict
  // that names actual version v+1. The barrier keeps threads in the same round.
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (std::uint64_t v = 0; v < kRounds; ++v) {
        round.arrive_and_wait();
        auto expected = v == 0 ? ExpectedVersion::NoStream() : ExpectedVersion::Exact(v);
        auto r = log->Append(One("child-1", expected));
        if (r.ok()) {
          ++wins;
        } else if (r.status().IsConflict() && r.status().actual_version() == v + 1) {
          ++conflicts;
        } else {
          ++other;
        }
        round.arrive_and_wait();
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(wins == kRounds);
  CHECK(conflicts == kRounds * (kThreads - 1));
  CHECK(other == 0);
  CheckLogIsWhole(*log, kRounds);
  CHECK(log->Stats().conflicts == static_cast<std::uint64_t>(kRounds * (kThreads - 1)));
}

TEST_CASE("8 threads append durably with exact versions to shared streams", "[engine][concurrency]") {
  RocksLog f;
  auto log = f.Open();  // durable: group commit carries many appends per fsync
  constexpr int kPerThread = 60;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, unexpected{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Two threads share each stream; each retries on conflict with the version it is told.
        const std::string stream = "child-" + std::to_string(t % 4);
        std::uint64_t v = log->GetStreamInfo(stream)->last_version;
        for (;;) {
          auto r = log->Append(One(stream, v == 0 ? ExpectedVersion::NoStream()
                                                  : ExpectedVersion::Exact(v)));
          if (r.ok()) {
            ++ok;
            break;
          }
          if (!r.status().IsConflict() || !r.status().actual_version()) {  // asserted after the join
            ++unexpected;
            return;
          }
          v = *r.status().actual_version();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(unexpected == 0);
  CHECK(ok == kThreads * kPerThread);
  CheckLogIsWhole(*log, kThreads * kPerThread);
  const LogStats s = log->Stats();
  CHECK(s.commits < s.events);  // several appends per fsync
}
