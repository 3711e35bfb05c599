// The Kafka relay against librdkafka's mock cluster (a Kafka protocol broker in this process):
// every event delivered, in per-child order, across a broker outage and a relay restart, with
// the checkpoint and lag reported as promised (adapters/kafka/relay.hpp).
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <sys/wait.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "adapters/json/event_json.hpp"
#include "adapters/kafka/relay.hpp"
#include "tests/engine/test_util.hpp"

using namespace casetrail;
using casetrail::testing::TempDir;
using namespace std::chrono_literals;

namespace {

constexpr const char* kTopic = "case-events";
constexpr int kPartitions = 4;

// Quiet clients: the outage test makes librdkafka log every refused connection at level 3.
const std::map<std::string, std::string> kQuiet = {{"log_level", "2"}};

// A 3-broker mock cluster with the topic. Destroy clients before it (STACK-NOTES 4).
class MockCluster {
 public:
  MockCluster() {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    rd_kafka_conf_set(conf, "log_level", "2", err, sizeof err);
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    REQUIRE(rk_ != nullptr);
    mc_ = rd_kafka_mock_cluster_new(rk_, 3);
    REQUIRE(mc_ != nullptr);
    REQUIRE(rd_kafka_mock_topic_create(mc_, kTopic, kPartitions, 3) == RD_KAFKA_RESP_ERR_NO_ERROR);
    bootstraps_ = rd_kafka_mock_cluster_bootstraps(mc_);
  }
  ~MockCluster() {
    rd_kafka_mock_cluster_destroy(mc_);
    rd_kafka_destroy(rk_);
  }
  const std::string& bootstraps() const { return bootstraps_; }
  void AllDown() { REQUIRE(rd_kafka_mock_broker_set_down(mc_, -1) == RD_KAFKA_RESP_ERR_NO_ERROR); }
  void AllUp() { REQUIRE(rd_kafka_mock_broker_set_up(mc_, -1) == RD_KAFKA_RESP_ERR_NO_ERROR); }
  void SetLeader(std::int32_t partition, std::int32_t broker) {
    REQUIRE(rd_kafka_mock_partition_set_leader(mc_, kTopic, partition, broker) == RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  void Down(std::int32_t broker) { REQUIRE(rd_kafka_mock_broker_set_down(mc_, broker) == RD_KAFKA_RESP_ERR_NO_ERROR); }
  void Up(std::int32_t broker) { REQUIRE(rd_kafka_mock_broker_set_up(mc_, broker) == RD_KAFKA_RESP_ERR_NO_ERROR); }

 private:
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_mock_cluster_t* mc_ = nullptr;
  std::string bootstraps_;
};

kafka::RelayOptions Options(const MockCluster& mc, std::string name = "kafka-relay") {
  kafka::RelayOptions o;
  o.brokers = mc.bootstraps();
  o.topic = kTopic;
  o.name = std::move(name);
  o.properties = kQuiet;
  // Reconnect quickly after the outage (the default backs off up to 10 s).
  o.properties["reconnect.backoff.max.ms"] = "200";
  o.checkpoint_interval = 50ms;
  return o;
}

// Appends `n` events: appends of 1-3 events on `children` child streams, and now and then one
// on the access log (a stream that is not a child's). False if an append failed.
bool AppendEvents(EventLog& log, int n, int children, unsigned seed, std::chrono::microseconds pause = 0us) {
  std::mt19937 rng(seed);
  int written = 0;
  while (written < n) {
    const bool access = rng() % 20 == 0;
    const std::string stream = access ? "access-log" : "child-" + std::to_string(1000 + rng() % children);
    const int k = std::min<int>(n - written, access ? 1 : 1 + static_cast<int>(rng() % 3));
    std::vector<EventData> events;
    for (int i = 0; i < k; ++i) {
      events.push_back(testing::Event(access ? "access.viewed" : "test.happened",
                                      R"({"n":)" + std::to_string(written + i) + R"(,"note":"relay test"})"));
    }
    if (!log.Append(testing::Append(stream, std::move(events))).ok()) return false;
    written += k;
    if (pause.count() > 0) std::this_thread::sleep_for(pause);
  }
  return true;
}

// Appends two events every `pause` on its own thread until Stop() (or `max_rounds` appends),
// so that appends go on while the relay is stopped, restarted or cut off.
class Appender {
 public:
  Appender(EventLog& log, int children, unsigned seed, std::chrono::microseconds pause, unsigned max_rounds = 10000)
      : thread_([this, &log, children, seed, pause, max_rounds] {
          for (unsigned round = 0; running_ && round < max_rounds; ++round) {
            if (!AppendEvents(log, 2, children, seed + round, pause)) ++failures_;
          }
          finished_ = true;
        }) {}
  ~Appender() { Stop(); }
  void Stop() {
    running_ = false;
    if (thread_.joinable()) thread_.join();
  }
  bool finished() const { return finished_; }
  int failures() const { return failures_; }

 private:
  std::atomic<bool> running_{true};
  std::atomic<bool> finished_{false};
  std::atomic<int> failures_{0};
  std::thread thread_;  // last: starts once the flags exist
};

bool WaitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

bool CaughtUp(const kafka::Relay& r, const EventLog& log) {
  const auto st = r.Stats();
  return st.state == kafka::RelayState::kCaughtUp && st.delivered_position == log.HeadPosition();
}

struct Message {
  std::string key;
  std::int32_t partition = 0;
  std::string event_id;
  std::uint64_t position = 0;
  std::string stream;
  std::string type;
  std::uint64_t version = 0;
  std::string value;
};

std::string Header(rd_kafka_message_t* m, const char* name) {
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  const void* v = nullptr;
  std::size_t n = 0;
  if (rd_kafka_header_get_last(hdrs, name, &v, &n) != RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  return std::string(static_cast<const char*>(v), n);
}

// Everything in the topic, from the beginning to each partition's high watermark, in partition
// order (a consumer with assign(): no group join).
std::vector<Message> ConsumeAll(const MockCluster& mc) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (auto [k, v] : {std::pair<const char*, const char*>{"bootstrap.servers", mc.bootstraps().c_str()},
                      {"group.id", "casetrail-relay-test"},
                      {"enable.auto.commit", "false"},
                      {"log_level", "2"}}) {
    REQUIRE(rd_kafka_conf_set(conf, k, v, err, sizeof err) == RD_KAFKA_CONF_OK);
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  REQUIRE(rk != nullptr);
  std::map<std::int32_t, std::int64_t> high;
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(kPartitions);
  for (std::int32_t p = 0; p < kPartitions; ++p) {
    std::int64_t lo = 0, hi = 0;
    REQUIRE(rd_kafka_query_watermark_offsets(rk, kTopic, p, &lo, &hi, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR);
    high[p] = hi;
    rd_kafka_topic_partition_list_add(parts, kTopic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  REQUIRE(rd_kafka_assign(rk, parts) == RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(parts);
  std::map<std::int32_t, std::int64_t> next;
  for (std::int32_t p = 0; p < kPartitions; ++p) next[p] = 0;
  auto done = [&] {
    for (auto [p, hi] : high) {
      if (next[p] < hi) return false;
    }
    return true;
  };
  std::vector<Message> out;
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (!m) continue;
    if (!m->err) {
      Message msg;
      msg.key.assign(static_cast<const char*>(m->key), m->key_len);
      msg.partition = m->partition;
      msg.event_id = Header(m, "event_id");
      msg.position = std::stoull(Header(m, "position"));
      msg.stream = Header(m, "stream");
      msg.type = Header(m, "type");
      msg.version = std::stoull(Header(m, "version"));
      msg.value.assign(static_cast<const char*>(m->payload), m->len);
      next[m->partition] = m->offset + 1;
      out.push_back(std::move(msg));
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  REQUIRE(done());
  return out;
}

struct Delivery {
  std::map<std::uint64_t, int> seen;  // position -> copies
  std::size_t duplicates = 0;
};

// Checks what a de-duplicating consumer sees: every event of the log, with the log's id,
// stream, type and version; one partition per key; per key, new positions only ascending.
Delivery CheckDelivery(EventLog& log, const std::vector<Message>& msgs) {
  const auto events = testing::AllEvents(log);
  Delivery d;
  std::map<std::string, std::uint64_t> last_by_key;
  std::map<std::string, std::int32_t> partition_of;
  for (const auto& m : msgs) {
    REQUIRE(m.position >= 1);
    REQUIRE(m.position <= events.size());
    const RecordedEvent& e = events[m.position - 1];
    REQUIRE(m.event_id == e.event_id);
    REQUIRE(m.stream == e.stream);
    REQUIRE(m.type == e.type);
    REQUIRE(m.version == e.version);
    REQUIRE(m.key == kafka::MessageKey(e.stream));
    auto [it, fresh] = partition_of.emplace(m.key, m.partition);
    REQUIRE(it->second == m.partition);
    if (d.seen[m.position]++ > 0) {
      ++d.duplicates;
      continue;
    }
    INFO("key " << m.key << ": position " << m.position << " after " << last_by_key[m.key]);
    REQUIRE(m.position > last_by_key[m.key]);
    last_by_key[m.key] = m.position;
  }
  std::uint64_t missing = 0;
  for (std::uint64_t p = 1; p <= events.size(); ++p) missing += d.seen.count(p) ? 0 : 1;
  REQUIRE(missing == 0);
  return d;
}

// librdkafka 2.0.2's mock broker checks sequence numbers only for transactional producers, so a
// Produce retried after a broker went down before its response was read is appended twice (one
// delivery report). The relay's own sends are checked through Stats().relayed instead.
void CheckOnlyMockRetryCopies(const Delivery& d) {
  if (d.duplicates > 0) WARN(d.duplicates << " mock-cluster retry copies in the topic");
  for (auto [pos, n] : d.seen) {
    INFO("position " << pos << " seen " << n << " times");
    CHECK(n <= 2);
  }
}

}  // namespace

TEST_CASE("kafka relay: every event delivered once, keyed by child, in per-child order", "[kafka]") {
  MockCluster mc;
  auto log = OpenMemoryEventLog();
  REQUIRE(AppendEvents(*log, 1500, 40, 1));
  const std::uint64_t before = log->HeadPosition();

  kafka::Relay relay(*log, Options(mc));
  auto st = relay.Stats();
  CHECK(st.state == kafka::RelayState::kStopped);
  CHECK(st.delivered_position == 0);
  CHECK(st.lag == before);

  REQUIRE(relay.Start().ok());
  REQUIRE(AppendEvents(*log, 500, 40, 2));  // while relaying
  REQUIRE(WaitUntil([&] { return CaughtUp(relay, *log); }, 20s));
  relay.Stop();

  const std::uint64_t head = log->HeadPosition();
  REQUIRE(head == 2000);
  st = relay.Stats();
  CHECK(st.state == kafka::RelayState::kStopped);
  CHECK(st.delivered_position == head);
  CHECK(st.lag == 0);
  CHECK(st.relayed == head);
  CHECK(st.errors == 0);
  CHECK(log->GetCheckpoint("kafka-relay").value_or(0) == head);

  const auto msgs = ConsumeAll(mc);
  const Delivery d = CheckDelivery(*log, msgs);
  CHECK(d.duplicates == 0);
  CHECK(msgs.size() == head);

  // The value is the /v1/events JSON form of the event.
  const auto& m = msgs[msgs.size() / 2];
  auto e = log->ReadPosition(m.position);
  REQUIRE(e.ok());
  CHECK(nlohmann::json::parse(m.value) == json::ToJson(*e));
  CHECK(kafka::MessageKey("child-1001") == "1001");
  CHECK(kafka::MessageKey("access-log") == "access-log");
}

TEST_CASE("kafka relay: an allegation (the LADO's record) is never relayed, and the checkpoint passes it",
          "[kafka][lado]") {
  MockCluster mc;
  auto log = OpenMemoryEventLog();
  REQUIRE(AppendEvents(*log, 20, 4, 7));
  REQUIRE(log->Append(testing::Append("allegation-L-1", {testing::Event("lado.referral_received", R"({"params":{}})"),
                                                         testing::Event("deadline.scheduled", R"({"rule":"T-103"})")}))
              .ok());
  REQUIRE(AppendEvents(*log, 20, 4, 8));
  kafka::Relay relay(*log, Options(mc));
  REQUIRE(relay.Start().ok());
  REQUIRE(WaitUntil([&] { return CaughtUp(relay, *log); }, 20s));
  relay.Stop();
  CHECK(relay.Stats().delivered_position == 42);
  CHECK(relay.Stats().relayed == 40);
  CHECK(log->GetCheckpoint("kafka-relay").value_or(0) == 42);
  const auto msgs = ConsumeAll(mc);
  CHECK(msgs.size() == 40);
  for (const auto& m : msgs) CHECK(m.value.find("allegation-") == std::string::npos);
}

TEST_CASE("kafka relay: a broker outage mid-stream loses nothing and keeps per-child order", "[kafka]") {
  MockCluster mc;
  auto log = OpenMemoryEventLog();
  kafka::Relay relay(*log, Options(mc));
  REQUIRE(relay.Start().ok());

  // Appends go on before, during and after the outage.
  Appender appender(*log, 30, 100, 1000us);
  REQUIRE(WaitUntil([&] { return relay.Stats().delivered_position >= 200; }, 10s));
  mc.AllDown();
  std::this_thread::sleep_for(300ms);
  const auto during = relay.Stats();
  std::this_thread::sleep_for(1000ms);
  const auto later = relay.Stats();
  mc.AllUp();
  CHECK(later.delivered_position == during.delivered_position);  // nothing is acknowledged while down
  CHECK(later.head_position > during.head_position);
  CHECK(later.lag > during.lag);
  CHECK(later.state == kafka::RelayState::kRunning);
  CHECK(later.client_errors > 0);  // the refused connections are reported, and retried
  std::this_thread::sleep_for(300ms);
  appender.Stop();
  CHECK(appender.failures() == 0);
  REQUIRE(WaitUntil([&] { return CaughtUp(relay, *log); }, 30s));
  relay.Stop();

  const std::uint64_t head = log->HeadPosition();
  CHECK(head > later.head_position);
  CHECK(log->GetCheckpoint("kafka-relay").value_or(0) == head);
  CHECK(relay.Stats().errors == 0);
  CHECK(relay.Stats().relayed == head);  // the relay produced each event once
  CheckOnlyMockRetryCopies(CheckDelivery(*log, ConsumeAll(mc)));
}

TEST_CASE("kafka relay: a restart resumes from the checkpoint", "[kafka]") {
  MockCluster mc;
  TempDir dir;
  EventLogOptions lo;
  lo.durable = false;
  auto opened = OpenRocksEventLog(dir.str(), lo);
  REQUIRE(opened.ok());
  auto log = std::move(opened).value();
  REQUIRE(AppendEvents(*log, 500, 25, 4));

  Appender appender(*log, 25, 200, 1000us);
  std::uint64_t early = 0;  // a checkpoint the first relay wrote mid-stream
  std::uint64_t stopped_at = 0;
  {
    kafka::Relay first(*log, Options(mc, "relay-a"));
    REQUIRE(first.Start().ok());
    REQUIRE(WaitUntil([&] { return log->GetCheckpoint("relay-a").value_or(0) >= 300; }, 10s));
    early = log->GetCheckpoint("relay-a").value_or(0);
    REQUIRE(WaitUntil([&] { return first.Stats().delivered_position >= early + 200; }, 10s));
    const std::uint64_t head_at_stop = log->HeadPosition();
    first.Stop();  // mid-stream: the appender is still going
    CHECK(!appender.finished());
    CHECK(log->HeadPosition() > head_at_stop);
    stopped_at = log->GetCheckpoint("relay-a").value_or(0);
    CHECK(stopped_at == first.Stats().delivered_position);
  }
  CHECK(stopped_at >= early + 200);

  // A clean stop: the next relay resumes exactly there.
  {
    kafka::Relay probe(*log, Options(mc, "relay-a"));
    CHECK(probe.Stats().delivered_position == stopped_at);
  }
  // A crash would leave the last checkpoint written before it: rewind to the early one, so
  // the second relay must send (early, stopped_at] again.
  REQUIRE(log->SetCheckpoint("relay-a", early).ok());
  kafka::Relay second(*log, Options(mc, "relay-a"));
  REQUIRE(second.Start().ok());
  std::this_thread::sleep_for(300ms);
  appender.Stop();
  CHECK(appender.failures() == 0);
  REQUIRE(WaitUntil([&] { return CaughtUp(second, *log); }, 20s));
  second.Stop();
  const std::uint64_t head = log->HeadPosition();
  CHECK(stopped_at < head);

  const Delivery d = CheckDelivery(*log, ConsumeAll(mc));
  CHECK(d.duplicates == stopped_at - early);
  for (auto [pos, n] : d.seen) {
    if (n > 1) {
      INFO("position " << pos << " seen " << n << " times");
      CHECK(pos > early);
      CHECK(pos <= stopped_at);
      CHECK(n == 2);
    }
  }
  // The checkpoint is durable.
  log->Close();
  log.reset();
  auto reopened = OpenRocksEventLog(dir.str(), lo);
  REQUIRE(reopened.ok());
  CHECK((*reopened)->GetCheckpoint("relay-a").value_or(0) == head);
}

TEST_CASE("kafka relay: with one partition's leader down, the checkpoint stays before its events", "[kafka]") {
  MockCluster mc;
  for (std::int32_t p = 0; p < kPartitions; ++p) mc.SetLeader(p, p == 0 ? 1 : 2 + p % 2);
  mc.Down(1);  // partition 0 cannot take anything; the others deliver, out of order with it
  auto log = OpenMemoryEventLog();
  REQUIRE(AppendEvents(*log, 400, 20, 11));
  std::uint64_t checkpoint = 0;
  {
    auto o = Options(mc);
    o.stop_timeout = 300ms;  // give up on partition 0's events at Stop()
    kafka::Relay relay(*log, o);
    REQUIRE(relay.Start().ok());
    REQUIRE(WaitUntil([&] {
      const auto st = relay.Stats();
      return st.relayed > 0 && st.relayed + st.in_flight == 400;
    }, 10s));
    std::this_thread::sleep_for(300ms);
    const auto st = relay.Stats();
    CHECK(st.in_flight > 0);
    CHECK(st.relayed > st.delivered_position);  // delivered beyond the checkpoint, with a gap
    CHECK(st.lag > 0);
    relay.Stop();
    checkpoint = log->GetCheckpoint("kafka-relay").value_or(0);
    CHECK(checkpoint == st.delivered_position);
  }
  CHECK(checkpoint < 400);
  mc.Up(1);
  kafka::Relay again(*log, Options(mc));
  REQUIRE(again.Start().ok());
  REQUIRE(WaitUntil([&] { return CaughtUp(again, *log); }, 15s));
  again.Stop();
  const Delivery d = CheckDelivery(*log, ConsumeAll(mc));  // partition 0's events arrived
  for (auto [pos, n] : d.seen) {
    if (n > 1) CHECK(pos > checkpoint);
  }
}

TEST_CASE("kafka relay: lag and state are reported, and rendered for /metrics", "[kafka]") {
  MockCluster mc;
  auto log = OpenMemoryEventLog();
  REQUIRE(AppendEvents(*log, 300, 10, 6));
  kafka::Relay relay(*log, Options(mc));
  auto st = relay.Stats();
  CHECK(st.lag == 300);
  CHECK(st.head_position == 300);
  CHECK(kafka::RelayMetricsText(st).find("casetrail_kafka_relay_lag_events{relay=\"kafka-relay\",topic=\"case-events\"} 300\n") !=
        std::string::npos);

  mc.AllDown();  // nothing can be delivered: the lag stays at the head
  REQUIRE(relay.Start().ok());
  REQUIRE(WaitUntil([&] { return relay.Stats().in_flight == 300; }, 5s));
  std::this_thread::sleep_for(300ms);
  st = relay.Stats();
  CHECK(st.state == kafka::RelayState::kRunning);
  CHECK(st.lag == 300);
  CHECK(st.delivered_position == 0);

  mc.AllUp();
  REQUIRE(WaitUntil([&] { return CaughtUp(relay, *log); }, 15s));
  st = relay.Stats();
  CHECK(st.lag == 0);
  CHECK(st.in_flight == 0);
  const std::string text = kafka::RelayMetricsText(st);
  CHECK(text.find("casetrail_kafka_relay_lag_events{relay=\"kafka-relay\",topic=\"case-events\"} 0\n") !=
        std::string::npos);
  CHECK(text.find("casetrail_kafka_relay_delivered_position{relay=\"kafka-relay\",topic=\"case-events\"} 300\n") !=
        std::string::npos);
  CHECK(text.find("casetrail_kafka_relay_state{relay=\"kafka-relay\",topic=\"case-events\",state=\"caught_up\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("# TYPE casetrail_kafka_relay_events_total counter\n") != std::string::npos);

  REQUIRE(AppendEvents(*log, 50, 10, 7));  // appends after catching up are relayed too
  REQUIRE(WaitUntil([&] { return relay.Stats().delivered_position == 350; }, 10s));
  relay.Stop();
  CHECK(relay.Stats().state == kafka::RelayState::kStopped);
}

TEST_CASE("kafka relay: a permanent delivery error stops the relay before the failed event", "[kafka]") {
  MockCluster mc;
  auto log = OpenMemoryEventLog();
  REQUIRE(AppendEvents(*log, 20, 5, 8));
  auto big = testing::Event("test.big", R"({"text":")" + std::string(4000, 'x') + R"("})");
  REQUIRE(log->Append(testing::Append("child-1001", {big})).ok());
  REQUIRE(AppendEvents(*log, 10, 5, 9));

  auto o = Options(mc);
  o.properties["message.max.bytes"] = "2000";  // the big event cannot be produced
  Status reported;
  o.on_error = [&](const Status& s) { reported = s; };
  kafka::Relay relay(*log, o);
  REQUIRE(relay.Start().ok());
  REQUIRE(relay.Wait(10s));
  relay.Stop();
  const auto st = relay.Stats();
  CHECK(st.state == kafka::RelayState::kError);
  CHECK(st.delivered_position == 20);
  CHECK(st.errors >= 1);
  CHECK(log->GetCheckpoint("kafka-relay").value_or(0) == 20);
  CHECK(relay.status().IsIOError());
  CHECK(reported.IsIOError());
  CHECK(st.last_error.find("position 21") != std::string::npos);
}

TEST_CASE("kafka relay: options the relay owns are refused, and a checkpoint beyond the head", "[kafka]") {
  auto log = OpenMemoryEventLog();
  kafka::RelayOptions o;
  o.topic = kTopic;
  CHECK(kafka::Relay(*log, o).Start().field() == "brokers");
  o.brokers = "127.0.0.1:9";
  o.properties["enable.idempotence"] = "false";
  CHECK(kafka::Relay(*log, o).Start().field() == "enable.idempotence");
  o.properties = {{"no.such.property", "1"}};
  CHECK(kafka::Relay(*log, o).Start().field() == "no.such.property");
  o.properties.clear();
  REQUIRE(log->SetCheckpoint("kafka-relay", 5).ok());
  CHECK(kafka::Relay(*log, o).Start().IsConflict());
}

// The fault run (label "fault"): one broker at a time down (its partitions stall while the
// others deliver, so reports come back out of order), then all of them, a restart in between,
// and appends throughout.
TEST_CASE("kafka relay: partial and full outages with a restart, appends throughout", "[kafka][slow]") {
  MockCluster mc;
  auto log = OpenMemoryEventLog();
  Appender appender(*log, 60, 300, 1000us);
  auto outages = [&](kafka::Relay& relay) {
    for (std::int32_t broker = 1; broker <= 3; ++broker) {
      std::this_thread::sleep_for(300ms);
      mc.Down(broker);
      std::this_thread::sleep_for(700ms);
      mc.Up(broker);
    }
    std::this_thread::sleep_for(300ms);
    mc.AllDown();
    std::this_thread::sleep_for(1000ms);
    mc.AllUp();
    CHECK(relay.Stats().errors == 0);
  };
  // A clean stop flushes what is in flight (up to stop_timeout) before it saves the checkpoint,
  // so the restart sends nothing twice. Only a stop that gives up (a broker still unreachable at
  // the timeout) leaves events to be sent again, which the relay's at-least-once contract allows;
  // the cluster is back here, so give the flush time even on a starved machine (ctest -j2 with
  // the simulator beside it once took longer than the 5 s default to reconnect and drain).
  auto options = [&] {
    kafka::RelayOptions o = Options(mc);
    o.stop_timeout = 60s;
    return o;
  };
  std::uint64_t first_relayed = 0;
  {
    kafka::Relay first(*log, options());
    REQUIRE(first.Start().ok());
    outages(first);
    first.Stop();
    first_relayed = first.Stats().relayed;
  }
  const std::uint64_t restarted_at = log->GetCheckpoint("kafka-relay").value_or(0);
  CHECK(restarted_at > 0);
  CHECK(first_relayed == restarted_at);  // everything produced was flushed before the checkpoint
  kafka::Relay second(*log, options());
  REQUIRE(second.Start().ok());
  outages(second);
  appender.Stop();
  CHECK(appender.failures() == 0);
  REQUIRE(WaitUntil([&] { return CaughtUp(second, *log); }, 60s));
  second.Stop();
  const std::uint64_t head = log->HeadPosition();
  CHECK(head > restarted_at);
  CHECK(log->GetCheckpoint("kafka-relay").value_or(0) == head);
  CHECK(second.Stats().relayed == head - restarted_at);  // the restart sent nothing twice
  CheckOnlyMockRetryCopies(CheckDelivery(*log, ConsumeAll(mc)));
}

#ifdef CASETRAIL_CLI
TEST_CASE("kafka relay: casetrail relay kafka --once publishes the data directory and stops", "[kafka]") {
  MockCluster mc;
  TempDir dir;
  {
    auto opened = OpenRocksEventLog(dir.sub("data"));
    REQUIRE(opened.ok());
    REQUIRE(AppendEvents(**opened, 400, 20, 10));
  }
  auto run = [&](const std::string& args) {
    const std::string cmd = std::string(CASETRAIL_CLI) + " relay kafka --data " + dir.sub("data") + " --brokers " +
                            mc.bootstraps() + " --topic " + kTopic + " --once --json --kafka-config " +
                            dir.sub("kafka.properties") + " " + args + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    std::string out;
    std::array<char, 4096> buf{};
    while (std::size_t n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
    const int status = pclose(p);
    return std::pair<int, std::string>(WIFEXITED(status) ? WEXITSTATUS(status) : -1, out);
  };
  std::ofstream(dir.sub("kafka.properties")) << "# quiet\nlog_level = 2\n";
  auto [code, out] = run("");
  INFO(out);
  REQUIRE(code == 0);
  const auto j = nlohmann::json::parse(out.substr(out.rfind('{')));
  CHECK(j["delivered_position"] == 400);
  CHECK(j["lag"] == 0);
  CHECK(j["state"] == "stopped");
  // Run again: nothing new to send.
  auto [code2, out2] = run("");
  REQUIRE(code2 == 0);
  CHECK(nlohmann::json::parse(out2.substr(out2.rfind('{')))["relayed"] == 0);

  auto [bad, why] = run("--name ''");
  CHECK(bad == 3);
  CHECK(why.find("invalid_argument") != std::string::npos);

  auto opened = OpenRocksEventLog(dir.sub("data"));
  REQUIRE(opened.ok());
  const Delivery d = CheckDelivery(**opened, ConsumeAll(mc));
  CHECK(d.duplicates == 0);
  CHECK((*opened)->GetCheckpoint("kafka-relay").value_or(0) == 400);
}
#endif
