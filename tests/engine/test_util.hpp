// Helpers shared by the engine tests.
#pragma once

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <future>
#include <unistd.h>
#include <memory>
#include <random>
#include <string>

#include "engine/event_log.hpp"

namespace casetrail::testing {

// A fresh directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("casetrail-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
             "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string str() const { return path_.string(); }
  std::string sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// 2024-03-01T09:00:00Z: a business time safely in the past.
inline constexpr TimestampUs kBusinessTime = 1709283600LL * 1000000;

inline EventData Event(std::string type, std::string payload = R"({"note":"x"})",
                       std::string event_id = {}) {
  EventData e;
  e.type = std::move(type);
  e.payload = std::move(payload);
  e.event_id = std::move(event_id);
  e.occurred_at = kBusinessTime;
  return e;
}

inline AppendRequest Append(std::string stream, std::vector<EventData> events,
                            ExpectedVersion expected = ExpectedVersion::Any(),
                            std::string command_id = {}) {
  AppendRequest r;
  r.stream = std::move(stream);
  r.expected = expected;
  r.command_id = std::move(command_id);
  r.actor = Actor{"sw.jones", "social_worker", "north-1"};
  r.events = std::move(events);
  return r;
}

inline AppendRequest One(std::string stream, ExpectedVersion expected = ExpectedVersion::Any(),
                         std::string command_id = {}) {
  return Append(std::move(stream), {Event("test.happened")}, expected, std::move(command_id));
}

// Factories for TEMPLATE_TEST_CASE: the conformance suite runs against each.
struct MemoryLog {
  static constexpr const char* kName = "memory";
  std::unique_ptr<EventLog> Open(EventLogOptions o = {}) { return OpenMemoryEventLog(o); }
  bool Persistent() const { return false; }
};

struct RocksLog {
  static constexpr const char* kName = "rocksdb";
  TempDir dir;
  std::unique_ptr<EventLog> Open(EventLogOptions o = {}) {
    auto r = OpenRocksEventLog(dir.str(), o);
    REQUIRE(r.ok());
    return std::move(r).value();
  }
  bool Persistent() const { return true; }
};

// Every event of the log, in position order.
inline std::vector<RecordedEvent> AllEvents(EventLog& log) {
  std::vector<RecordedEvent> out;
  auto s = log.ReadAll({}, [&](const EventView& v) {
    out.push_back(v.ToRecorded());
    return true;
  });
  REQUIRE(s.ok());
  return out;
}

}  // namespace casetrail::testing
