// JSON forms of the engine's types, shared by the CLI and (later) the HTTP adapter.
// Parsing never throws: malformed JSON, unknown fields and wrong types are InvalidArgument
// naming the field.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "engine/event.hpp"
#include "engine/event_log.hpp"

namespace casetrail::json {

// "2025-03-01T09:30:00Z", "2025-03-01T09:30:00.123456Z", "2025-03-01T09:30:00+01:00" or
// "2025-03-01" (midnight UTC). `field` names the input in the error.
Result<TimestampUs> ParseTime(std::string_view text, const std::string& field);
// For "as of" questions: a date means the end of that London day (its last microsecond); a
// full RFC 3339 time means that instant.
Result<TimestampUs> ParseAsOf(std::string_view text, const std::string& field);
// RFC 3339 UTC with microseconds when they are not zero.
std::string FormatTime(TimestampUs us);

// An append request:
// {"stream": "...", "expected_version": "any"|"no_stream"|"stream_exists"|N,
//  "command_id", "correlation_id", "causation_id": "...",
//  "actor": {"user","role","team"},
//  "events": [{"type", "schema_version", "event_id", "occurred_at", "journey", "episode",
//              "machine_fingerprint", "from_state", "to_state", "payload": {...}}]}
Result<AppendRequest> ParseAppendRequest(std::string_view text);

nlohmann::json ToJson(const RecordedEvent& e);
nlohmann::json ToJson(const AppendResult& r);
nlohmann::json ToJson(const VerifyReport& r);
nlohmann::json ToJson(const Status& s);

}  // namespace casetrail::json
