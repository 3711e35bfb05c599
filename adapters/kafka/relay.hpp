// The Kafka relay: publishes every event of the log, in position order, to one Kafka topic.
//
// Contract (tests/adapters/test_kafka_relay.cpp checks each point against librdkafka's mock
// cluster, including a broker outage mid-stream and a restart):
//  * At-least-once. Every event from the checkpoint on is produced; none is ever skipped. The
//    durable checkpoint (EventLog::SetCheckpoint under the relay's name) is advanced only to the
//    highest position P such that every event at or below P has a successful delivery report
//    (reports arrive out of order across partitions; the relay tracks them contiguously). After
//    a crash or a stop that could not flush, the events after the checkpoint are sent again, so
//    a consumer may see an event twice: it de-duplicates on the event_id header.
//  * Per-child order. The message key is the child id for a child's stream ("child-1001" ->
//    "1001") and the stream name for any other stream ("access-log"), so one child's events
//    land on one partition in position order. The producer is idempotent (acks=all, retries
//    without reordering or duplicates inside one producer session).
//  * A broker outage is waited out: librdkafka retries, message.timeout.ms is infinite by
//    default, and the relay stops reading the log once its in-flight window is full. The lag
//    grows and is reported; nothing is dropped.
//  * A permanent delivery error (e.g. a message over the broker's size limit, a missing topic,
//    no authorisation) or a fatal producer error stops the relay in state kError with the
//    error in Stats().last_error; the checkpoint stays before the failed event.
//  * Value: the event as JSON, exactly the form GET /v1/events returns (adapters/json). Headers:
//    event_id, position, stream, type, version, schema_version (decimal text). Message
//    timestamp: recorded_at in milliseconds.
//
// Thread-safety: Start, Stop and Wait from one owning thread; Stats() from any thread. The
// relay runs on its own thread (plus librdkafka's), reading the log with ReadAll and waiting
// for appends with WaitForPosition.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "engine/event_log.hpp"
#include "engine/status.hpp"

namespace casetrail::kafka {

struct RelayOptions {
  std::string brokers;               // bootstrap.servers, "host:port[,host:port...]"; required
  std::string topic;                 // required
  std::string name = "kafka-relay";  // the checkpoint's name; one per (topic, consumer of the log)
  // The in-flight window: events produced whose delivery is not yet reported. Reading the log
  // pauses while either bound is reached.
  std::size_t max_in_flight = 10000;
  std::size_t max_in_flight_bytes = 64 << 20;
  std::chrono::milliseconds linger{5};
  // How long librdkafka may try to deliver one message; 0 is infinite (the default), so an
  // outage never drops a message. A finite value turns a long outage into a kError stop.
  std::chrono::milliseconds message_timeout{0};
  // The checkpoint is written at most this often while events flow, and whenever caught up.
  std::chrono::milliseconds checkpoint_interval{500};
  // Stop() waits this long for outstanding deliveries before giving up on them.
  std::chrono::milliseconds stop_timeout{5000};
  // Stop by itself once every event up to the head is delivered (casetrail relay kafka --once).
  bool stop_when_caught_up = false;
  // Extra librdkafka properties (security.protocol, sasl.*, ssl.*, compression.type, ...).
  // enable.idempotence and acks are fixed by the relay; setting them is InvalidArgument.
  std::map<std::string, std::string> properties;
  // Called once, on the relay's thread, if the relay stops with an error.
  std::function<void(const Status&)> on_error;
};

enum class RelayState {
  kStopped,   // not started, stopped, or finished (--once)
  kRunning,   // behind the head: reading, producing or waiting for delivery reports
  kCaughtUp,  // every event up to the head is delivered; waiting for appends
  kError,     // stopped by a permanent delivery error or a fatal producer error
};
const char* RelayStateName(RelayState s);  // "stopped", "running", "caught_up", "error"

struct RelayStats {
  std::string name;                     // the checkpoint's name
  std::string topic;
  RelayState state = RelayState::kStopped;
  std::uint64_t relayed = 0;            // successful delivery reports since Start
  std::uint64_t delivered_position = 0; // the checkpoint: every event <= it is delivered
  std::uint64_t head_position = 0;      // the log's head when Stats() was called
  std::uint64_t lag = 0;                // head_position - delivered_position
  std::uint64_t in_flight = 0;          // produced, delivery not yet reported
  std::uint64_t errors = 0;             // permanent delivery errors and fatal producer errors
  std::uint64_t client_errors = 0;      // transient client errors (broker down, ...); retried
  std::string last_error;               // the latest error of either kind
};

class Relay {
 public:
  // Reads the checkpoint (0 if none) so that Stats() reports the lag before Start.
  Relay(EventLog& log, RelayOptions options);
  ~Relay();  // Stop()
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Validates the options, creates the producer and starts the relay thread. InvalidArgument
  // names the option at fault; Conflict if the checkpoint is beyond the log's head (the log
  // was replaced: relaying from there would skip events).
  Status Start();
  // Flushes outstanding deliveries (up to stop_timeout), saves the checkpoint, stops the
  // producer. Idempotent. Events whose delivery was not reported are sent again next time.
  void Stop();
  // Waits up to `timeout` for the relay to finish by itself (caught up with
  // stop_when_caught_up, or an error); true if it has finished (or was never started).
  bool Wait(std::chrono::milliseconds timeout);
  // Ok, or the error that stopped the relay.
  Status status() const;

  RelayStats Stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The stats as Prometheus text exposition lines (HELP/TYPE included), labelled with the relay's
// name and topic, e.g. casetrail_kafka_relay_lag_events{relay="kafka-relay",topic="t"} 0.
std::string RelayMetricsText(const RelayStats& s);

// Reads librdkafka properties from a file: "key=value" per line; blank lines and lines starting
// with '#' are ignored. InvalidArgument names the file and line.
Result<std::map<std::string, std::string>> LoadKafkaProperties(const std::string& path);

// The message key of an event on `stream`: the child id for "child-<id>", else the stream.
std::string MessageKey(std::string_view stream);

}  // namespace casetrail::kafka
