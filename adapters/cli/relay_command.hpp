// The Kafka relay on the command line (adapters/kafka/relay.hpp): `casetrail relay kafka` when no
// server is running (RocksDB lets one process open the data directory), and the serve options
// that run the same relay inside `casetrail serve`.
#pragma once

#include <memory>
#include <string>

#include "adapters/cli/commands.hpp"
#include "adapters/kafka/relay.hpp"

namespace casetrail::cli {

// The relay's options from --<prefix>brokers, --<prefix>topic, --<prefix>name and
// --kafka-config FILE (librdkafka properties, key=value per line). Prefix "kafka-" for serve,
// "" for `relay kafka`.
Result<kafka::RelayOptions> KafkaRelayOptions(const Args& a, const std::string& prefix);

// serve --kafka-brokers HOST:PORT --kafka-topic T [--kafka-name N] [--kafka-config FILE]:
// starts the relay beside the HTTP API; nullptr without --kafka-brokers. If the relay later
// stops with an error, the error is printed on stderr (the server keeps serving).
Result<std::unique_ptr<kafka::Relay>> StartServeRelay(EventLog& log, const Args& a);

// casetrail relay kafka --brokers HOST:PORT --topic T [--name N] [--kafka-config FILE] [--once]
// Runs until SIGINT/SIGTERM (or, with --once, until every event up to the head is delivered).
int RelayCommand(EventLog& log, const Args& a, bool json);

}  // namespace casetrail::cli
