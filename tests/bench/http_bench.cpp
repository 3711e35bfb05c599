// http_bench: the HTTP side of casetrail that wrk cannot measure, and the in-process peers of
// the wrk runs (scripts/bench-http.sh runs it all and writes docs/benchmarks.md).
//
//   http_bench fanout --subscribers N --rate R --seconds S --dir DIR
//       A server on a durable RocksDB log in DIR; N SSE subscribers (live); a writer appending
//       R events/s durably. Each event carries its send time; each subscriber measures the time
//       from before the append to the frame's arrival (end-to-end: fsync, tail, fan-out,
//       socket). Checks that every subscriber got every event, in order.
//   http_bench inprocess --mode reads|writes --threads T --seconds S --dir DIR
//       The same requests as the wrk runs, through Api::Handle with no HTTP: the peer that
//       shows what HTTP and the server cost.
//
// Output: one line "RESULT key=value ..." per run, for the script.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/http/api.hpp"
#include "adapters/http/server.hpp"
#include "engine/event_log.hpp"
#include "tests/adapters/http_client.hpp"

using namespace casetrail;
using Json = nlohmann::json;

namespace {

std::int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const std::size_t k = std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

std::map<std::string, std::string> Flags(int argc, char** argv, int from) {
  std::map<std::string, std::string> f;
  for (int i = from; i + 1 < argc; i += 2) f[std::string(argv[i]).substr(2)] = argv[i + 1];
  return f;
}

std::unique_ptr<EventLog> OpenFresh(const std::string& dir) {
  std::filesystem::remove_all(dir);
  auto log = OpenRocksEventLog(dir);
  if (!log.ok()) {
    std::cerr << "cannot open " << dir << ": " << log.status().ToString() << "\n";
    std::exit(1);
  }
  return std::move(log).value();
}

struct SubResult {
  std::vector<double> latencies_ms;
  std::uint64_t first = 0, last = 0, count = 0;
  std::uint64_t overflows = 0;  // times the server cut it off for falling behind (it resumed)
  bool in_order = true;
  std::string error;
};

int Fanout(const std::map<std::string, std::string>& f) {
  const int subscribers = std::stoi(f.at("subscribers"));
  const int rate = std::stoi(f.at("rate"));
  const int seconds = std::stoi(f.at("seconds"));
  auto log = OpenFresh(f.at("dir"));
  http::Tokens tokens;
  tokens.Add("sub", {"relay.svc", "subscriber", "integration"});
  http::Api api(*log, workflows::RuleBook::Default(), tokens);
  http::ServerOptions so;
  so.port = 0;
  so.io_threads = 2;
  so.worker_threads = 8;
  http::Server server(api, so);
  if (!server.Start().ok()) return 1;
  const std::uint16_t port = server.port();

  std::atomic<std::uint64_t> last_position{0};
  std::atomic<bool> writing_done{false};
  std::vector<SubResult> results(static_cast<std::size_t>(subscribers));
  std::vector<std::thread> threads;
  std::atomic<int> connected{0};
  for (int i = 0; i < subscribers; ++i) {
    threads.emplace_back([&, i] {
      SubResult& r = results[static_cast<std::size_t>(i)];
      try {
        // A consumer as docs/api.md describes one: cut off for falling behind (event: overflow,
        // its bounded buffer full), it reconnects from the position the server gave it.
        std::string target = "/v1/subscribe?from=end&heartbeat=1";
        bool first_connection = true;
        for (bool resume = true; resume;) {
          resume = false;
          testing::SseClient sse(port, target, "sub");
          if (first_connection) ++connected;
          first_connection = false;
          for (;;) {
            const std::string frame = sse.Next();
            const std::int64_t now = NowUs();
            if (frame.empty()) break;
            if (frame[0] == ':') {
              if (writing_done && r.last >= last_position) break;
              continue;
            }
            if (frame.rfind("event: overflow\n", 0) == 0) {
              const auto at = frame.find("\"resume_from\":");
              if (at == std::string::npos) throw std::runtime_error("overflow frame without resume_from: " + frame);
              ++r.overflows;
              target = "/v1/subscribe?heartbeat=1&from=" +
                       std::to_string(std::strtoull(frame.c_str() + at + 14, nullptr, 10));
              resume = true;
              break;
            }
            if (frame.rfind("id: ", 0) != 0) throw std::runtime_error("unexpected frame: " + frame.substr(0, 200));
            const std::uint64_t id = std::strtoull(frame.c_str() + 4, nullptr, 10);
            const auto sent = frame.find("\"sent_us\":");
            if (sent != std::string::npos) {
              const std::int64_t us = std::strtoll(frame.c_str() + sent + 10, nullptr, 10);
              r.latencies_ms.push_back(static_cast<double>(now - us) / 1000.0);
            }
            if (r.count == 0) r.first = id;
            else if (id != r.last + 1) r.in_order = false;
            r.last = id;
            ++r.count;
            if (writing_done && r.last >= last_position) break;
          }
        }
      } catch (const std::exception& e) {
        r.error = e.what();
      }
    });
  }
  while (connected < subscribers) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  while (api.Metrics().find("casetrail_subscribers_live " + std::to_string(subscribers) + "\n") == std::string::npos) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // The writer: R events a second, paced per millisecond, durable appends (AppendAsync so that
  // the pace does not wait for each fsync; every append is checked).
  const std::uint64_t first_head = log->HeadPosition();
  std::atomic<std::uint64_t> failed{0}, acked{0};
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t sent = 0;
  const std::uint64_t total = static_cast<std::uint64_t>(rate) * static_cast<std::uint64_t>(seconds);
  while (sent < total) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::uint64_t due = std::min(total, static_cast<std::uint64_t>(elapsed * rate) + 1);
    for (; sent < due; ++sent) {
      AppendRequest req;
      req.stream = "fanout-" + std::to_string(sent % 500);
      req.actor = Actor{"bench", "system", "bench"};
      EventData e;
      e.type = "bench.fanout";
      e.occurred_at = NowUs() - 1000;
      e.payload = "{\"sent_us\":" + std::to_string(NowUs()) + ",\"note\":\"" + std::string(200, 'x') + "\"}";
      req.events.push_back(std::move(e));
      log->AppendAsync(std::move(req), [&](Result<AppendResult> r) {
        if (r.ok()) ++acked;
        else ++failed;
      });
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  while (acked + failed < total) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const double write_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  last_position = log->HeadPosition();
  writing_done = true;
  for (auto& t : threads) t.join();
  server.Stop(std::chrono::seconds(5));

  std::vector<double> all;
  std::uint64_t lost = 0, out_of_order = 0, errors = 0, overflows = 0;
  const std::uint64_t expected = last_position - first_head;
  for (auto& r : results) {
    all.insert(all.end(), r.latencies_ms.begin(), r.latencies_ms.end());
    if (r.count < expected) lost += expected - r.count;
    out_of_order += !r.in_order;
    overflows += r.overflows;
    errors += !r.error.empty();
    if (!r.error.empty()) std::cerr << "subscriber error: " << r.error << "\n";
  }
  const double p50 = Percentile(all, 0.50), p99 = Percentile(all, 0.99), p999 = Percentile(all, 0.999);
  const double mx = all.empty() ? 0 : *std::max_element(all.begin(), all.end());
  std::printf("RESULT fanout subscribers=%d rate=%d seconds=%d events=%llu achieved_rate=%.0f deliveries=%zu "
              "p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f lost=%llu out_of_order=%llu errors=%llu "
              "append_failures=%llu overflows=%llu\n",
              subscribers, rate, seconds, static_cast<unsigned long long>(expected), double(total) / write_seconds,
              all.size(), p50, p99, p999, mx, static_cast<unsigned long long>(lost),
              static_cast<unsigned long long>(out_of_order), static_cast<unsigned long long>(errors),
              static_cast<unsigned long long>(failed.load()), static_cast<unsigned long long>(overflows));
  log->Close();
  std::filesystem::remove_all(f.at("dir"));
  return lost == 0 && out_of_order == 0 && errors == 0 && failed == 0 ? 0 : 1;
}

// The wrk workloads through Api::Handle, without HTTP.
int InProcess(const std::map<std::string, std::string>& f) {
  const std::string mode = f.at("mode");
  const int threads = std::stoi(f.at("threads"));
  const int seconds = std::stoi(f.at("seconds"));
  auto log = OpenFresh(f.at("dir"));
  http::Tokens tokens;
  tokens.Add("sw", {"sw.jones", "social_worker", "north-1"});
  tokens.Add("cass", {"cass.adams", "cass_worker", "north-1"});
  http::Api api(*log, workflows::RuleBook::Default(), tokens);
  auto call = [&](const std::string& method, const std::string& target, const std::string& token,
                  const std::string& body) {
    return api.Handle(http::Request{method, target, "Bearer " + token, body, "", {}, {}, {}, {}});
  };
  // The child that the read workload reads (as in the demo: a contact, then a decision).
  if (call("POST", "/v1/children/1001/commands", "cass",
           R"({"action":"fd.contact_received","occurred_at":"2026-09-01T09:12:00Z","params":{"source":"school"}})")
          .status != 201) {
    std::cerr << "cannot record the read workload's child\n";
    return 1;
  }
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> done{0}, bad{0};
  std::vector<std::vector<double>> lat(static_cast<std::size_t>(threads));
  std::vector<std::thread> ts;
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      std::uint64_t n = 0;
      while (!stop) {
        const auto a = std::chrono::steady_clock::now();
        http::Response r;
        if (mode == "reads") {
          r = call("GET", "/v1/children/1001", "sw", "");
        } else {
          const std::string child = "ip" + std::to_string(t) + "-" + std::to_string(n);
          r = call("POST", "/v1/children/" + child + "/commands", "cass",
                   R"({"action":"fd.contact_received","occurred_at":"2026-09-01T09:12:00Z","params":{"source":"school"}})");
        }
        ++n;
        lat[static_cast<std::size_t>(t)].push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
        if (r.status != 200 && r.status != 201) ++bad;
        ++done;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& t : ts) t.join();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
  std::printf("RESULT inprocess mode=%s threads=%d requests=%llu rate=%.0f p50_ms=%.3f p99_ms=%.3f errors=%llu\n",
              mode.c_str(), threads, static_cast<unsigned long long>(done.load()), double(done) / secs,
              Percentile(all, 0.5), Percentile(all, 0.99), static_cast<unsigned long long>(bad.load()));
  log->Close();
  std::filesystem::remove_all(f.at("dir"));
  return bad == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: http_bench fanout --subscribers N --rate R --seconds S --dir DIR\n"
                 "       http_bench inprocess --mode reads|writes --threads T --seconds S --dir DIR\n";
    return 2;
  }
  const std::string what = argv[1];
  try {
    if (what == "fanout") return Fanout(Flags(argc, argv, 2));
    if (what == "inprocess") return InProcess(Flags(argc, argv, 2));
  } catch (const std::exception& e) {
    std::cerr << "http_bench: " << e.what() << " (missing or bad option?)\n";
    return 2;
  }
  std::cerr << "unknown benchmark " << what << "\n";
  return 2;
}
