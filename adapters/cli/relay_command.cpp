#include "adapters/cli/relay_command.hpp"

#include <pthread.h>

#include <csignal>
#include <ctime>
#include <iostream>

#include <nlohmann/json.hpp>

namespace casetrail::cli {
namespace {

using Json = nlohmann::json;

Json StatsJson(const kafka::RelayStats& s) {
  Json j = {{"name", s.name},
            {"topic", s.topic},
            {"state", kafka::RelayStateName(s.state)},
            {"relayed", s.relayed},
            {"delivered_position", s.delivered_position},
            {"head_position", s.head_position},
            {"lag", s.lag},
            {"errors", s.errors},
            {"client_errors", s.client_errors}};
  if (!s.last_error.empty()) j["last_error"] = s.last_error;
  return j;
}

std::string StatsLine(const kafka::RelayStats& s) {
  return "relayed " + std::to_string(s.relayed) + " events; delivered position " +
         std::to_string(s.delivered_position) + " of head " + std::to_string(s.head_position) + " (lag " +
         std::to_string(s.lag) + ", " + kafka::RelayStateName(s.state) + ")";
}

}  // namespace

Result<kafka::RelayOptions> KafkaRelayOptions(const Args& a, const std::string& prefix) {
  kafka::RelayOptions o;
  o.brokers = a.Get(prefix + "brokers");
  o.topic = a.Get(prefix + "topic");
  o.name = a.Get(prefix + "name", o.name);
  if (o.brokers.empty()) return Status::InvalidArgument(prefix + "brokers", "is required (HOST:PORT[,HOST:PORT...])");
  if (o.topic.empty()) return Status::InvalidArgument(prefix + "topic", "is required");
  if (o.name.empty()) return Status::InvalidArgument(prefix + "name", "must not be empty");
  if (a.Has("kafka-config")) {
    auto props = kafka::LoadKafkaProperties(a.Get("kafka-config"));
    if (!props.ok()) return props.status();
    o.properties = std::move(props).value();
  }
  return o;
}

Result<std::unique_ptr<kafka::Relay>> StartServeRelay(EventLog& log, const Args& a) {
  if (!a.Has("kafka-brokers") && !a.Has("kafka-topic")) return std::unique_ptr<kafka::Relay>();
  auto o = KafkaRelayOptions(a, "kafka-");
  if (!o.ok()) return o.status();
  o->on_error = [](const Status& s) { std::cerr << "error: the kafka relay stopped: " << s.ToString() << std::endl; };
  auto relay = std::make_unique<kafka::Relay>(log, *o);
  if (Status s = relay->Start(); !s.ok()) return s;
  const auto st = relay->Stats();
  std::cout << "kafka relay '" << o->name << "' publishing to topic " << o->topic << " on " << o->brokers
            << " from position " << st.delivered_position + 1 << " (lag " << st.lag << ")" << std::endl;
  return relay;
}

int RelayCommand(EventLog& log, const Args& a, bool json) {
  if (a.positional.size() != 1 || a.positional[0] != "kafka") {
    std::cerr << "error: usage: casetrail relay kafka --brokers HOST:PORT --topic T [--name N] "
                 "[--kafka-config FILE] [--once] [--data DIR]\n";
    return 2;
  }
  auto o = KafkaRelayOptions(a, "");
  if (!o.ok()) return Fail(o.status(), json);
  o->stop_when_caught_up = a.Has("once");
  // Block SIGINT/SIGTERM here before any thread starts (the relay's and librdkafka's inherit
  // the mask); this thread takes them with sigtimedwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  kafka::Relay relay(log, *o);
  if (Status s = relay.Start(); !s.ok()) return Fail(s, json);
  if (!json) {
    const auto st = relay.Stats();
    std::cout << "kafka relay '" << o->name << "' publishing to topic " << o->topic << " on " << o->brokers
              << " from position " << st.delivered_position + 1 << " (lag " << st.lag << ")"
              << (o->stop_when_caught_up ? "; stops when caught up" : "; stop with SIGINT or SIGTERM") << std::endl;
  }
  auto last_report = std::chrono::steady_clock::now();
  std::uint64_t last_relayed = 0;
  while (!relay.Wait(std::chrono::milliseconds(0))) {
    const timespec wait{0, 250 * 1000 * 1000};
    if (sigtimedwait(&signals, nullptr, &wait) > 0) {
      if (!json) std::cout << "stopping: flushing deliveries in flight" << std::endl;
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    if (!json && now - last_report >= std::chrono::seconds(10)) {
      const auto st = relay.Stats();
      if (st.relayed != last_relayed || st.lag > 0) std::cout << StatsLine(st) << std::endl;
      last_relayed = st.relayed;
      last_report = now;
    }
  }
  relay.Stop();
  const auto st = relay.Stats();
  const Status s = relay.status();
  if (json) {
    Json j = StatsJson(st);
    if (!s.ok()) j["error"] = {{"code", Status::CodeName(s.code())}, {"message", s.message()}};
    std::cout << j.dump() << "\n";
    return ExitCodeFor(s);
  }
  std::cout << "stopped: " << StatsLine(st) << std::endl;
  if (!s.ok()) return Fail(s, false);
  return 0;
}

}  // namespace casetrail::cli
