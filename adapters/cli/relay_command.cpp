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

void AddKafkaOptions(CLI::App* command, const std::string& prefix, KafkaArgs* k) {
  command->add_option("--" + prefix + "brokers", k->brokers, "Kafka's bootstrap brokers")->type_name("HOST:PORT[,...]");
  command->add_option("--" + prefix + "topic", k->topic, "the topic")->type_name("T");
  command->add_option("--" + prefix + "name", k->name, "the relay's checkpoint (default kafka-relay)")->type_name("N");
  command->add_option("--kafka-config", k->config, "librdkafka properties, key=value per line")->type_name("FILE");
}

Result<kafka::RelayOptions> KafkaRelayOptions(const KafkaArgs& k, const std::string& prefix) {
  kafka::RelayOptions o;
  o.brokers = k.brokers;
  o.topic = k.topic;
  o.name = k.name;
  if (o.brokers.empty()) return Status::InvalidArgument(prefix + "brokers", "is required (HOST:PORT[,HOST:PORT...])");
  if (o.topic.empty()) return Status::InvalidArgument(prefix + "topic", "is required");
  if (o.name.empty()) return Status::InvalidArgument(prefix + "name", "must not be empty");
  if (!k.config.empty()) {
    auto props = kafka::LoadKafkaProperties(k.config);
    if (!props.ok()) return props.status();
    o.properties = std::move(props).value();
  }
  return o;
}

Result<std::unique_ptr<kafka::Relay>> StartServeRelay(EventLog& log, const KafkaArgs& k) {
  if (k.brokers.empty() && k.topic.empty()) return std::unique_ptr<kafka::Relay>();
  auto o = KafkaRelayOptions(k, "kafka-");
  if (!o.ok()) return o.status();
  o->on_error = [](const Status& s) { std::cerr << "error: the kafka relay stopped: " << s.ToString() << std::endl; };
  auto relay = std::make_unique<kafka::Relay>(log, *o);
  if (Status s = relay->Start(); !s.ok()) return s;
  const auto st = relay->Stats();
  std::cout << "kafka relay '" << o->name << "' publishing to topic " << o->topic << " on " << o->brokers
            << " from position " << st.delivered_position + 1 << " (lag " << st.lag << ")" << std::endl;
  return relay;
}

// casetrail relay kafka: until SIGINT/SIGTERM (or, with --once, until every event up to the
// head is delivered).
int RelayKafka(EventLog& log, const KafkaArgs& k, bool once, bool json) {
  auto o = KafkaRelayOptions(k, "");
  if (!o.ok()) return Fail(o.status(), json);
  o->stop_when_caught_up = once;
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

void AddRelayCommand(CLI::App& app, Registry& r) {
  CLI::App* relay = app.add_subcommand("relay", "publish every event to a broker when no server runs");
  relay->require_subcommand(1);
  CLI::App* c = relay->add_subcommand("kafka", "publish every event from the checkpoint N to topic T (docs/kafka.md)");
  c->footer("Runs until SIGINT/SIGTERM, or with --once until caught up with the head.");
  auto k = std::make_shared<KafkaArgs>();
  auto once = std::make_shared<bool>(false);
  AddKafkaOptions(c, "", k.get());
  c->add_flag("--once", *once, "stop when every event up to the head is delivered");
  r.On(c, [k, once](Session& s) { return RelayKafka(s.log, *k, *once, s.json()); });
}

}  // namespace casetrail::cli
