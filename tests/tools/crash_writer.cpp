// crash_writer DIR THREADS PREFIX: appends durably from THREADS threads until killed, printing
// "ACK <position> <stream> <version> <event_id>" for every acknowledged append, flushed at once.
// tests/engine/test_crash.cpp kills it with SIGKILL and checks that every ACK survived.
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/event_log.hpp"

using namespace casetrail;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: crash_writer DIR THREADS PREFIX\n");
    return 2;
  }
  auto opened = OpenRocksEventLog(argv[1]);  // durable by default
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  auto log = std::move(opened).value();
  const int threads = std::atoi(argv[2]);
  const std::string prefix = argv[3];
  std::mutex out_mu;
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      for (long i = 0;; ++i) {
        AppendRequest r;
        r.stream = "child-" + std::to_string(t) + "-" + std::to_string(i % 13);
        r.command_id = prefix + "-cmd-" + std::to_string(t) + "-" + std::to_string(i);
        EventData e;
        e.type = "test.crash_probe";
        e.event_id = prefix + "-ev-" + std::to_string(t) + "-" + std::to_string(i);
        e.occurred_at = SystemClockUs() - 1000000;
        e.payload = R"({"thread":)" + std::to_string(t) + R"(,"i":)" + std::to_string(i) + "}";
        r.events.push_back(std::move(e));
        std::string id = r.events[0].event_id;
        auto res = log->Append(std::move(r));
        if (!res.ok()) {
          std::fprintf(stderr, "append: %s\n", res.status().ToString().c_str());
          std::_Exit(1);
        }
        std::lock_guard<std::mutex> lk(out_mu);
        std::printf("ACK %llu %s %llu %s\n", static_cast<unsigned long long>(res->first_position),
                    res->stream.c_str(), static_cast<unsigned long long>(res->first_version),
                    id.c_str());
        std::fflush(stdout);
      }
    });
  }
  for (auto& t : ts) t.join();
}
