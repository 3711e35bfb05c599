// The Kafka relay on the command line (adapters/kafka/relay.hpp): `casetrail relay kafka` when no
// server is running (RocksDB lets one process open the data directory), and the serve options
// that run the same relay inside `casetrail serve`.
#pragma once

#include <memory>
#include <string>

#include "adapters/cli/commands.hpp"
#include "adapters/kafka/relay.hpp"

namespace casetrail::cli {

// The relay's options as given: --<prefix>brokers, --<prefix>topic, --<prefix>name and
// --kafka-config FILE (librdkafka properties, key=value per line). Prefix "kafka-" for serve,
// "" for `relay kafka`.
struct KafkaArgs {
  std::string brokers, topic, name = kafka::RelayOptions{}.name, config;
};
// Adds the four options to `command` with that prefix, bound to *k.
void AddKafkaOptions(CLI::App* command, const std::string& prefix, KafkaArgs* k);
// The relay's options; InvalidArgument naming the option (with its prefix) when one is missing.
Result<kafka::RelayOptions> KafkaRelayOptions(const KafkaArgs& k, const std::string& prefix);

// serve --kafka-brokers HOST:PORT --kafka-topic T [--kafka-name N] [--kafka-config FILE]:
// starts the relay beside the HTTP API; nullptr without --kafka-brokers and --kafka-topic. If the
// relay later stops with an error, the error is printed on stderr (the server keeps serving).
Result<std::unique_ptr<kafka::Relay>> StartServeRelay(EventLog& log, const KafkaArgs& k);

}  // namespace casetrail::cli
