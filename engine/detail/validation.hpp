// Input validation for appends: every refusal is an InvalidArgument naming the field.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/event_log.hpp"

namespace casetrail::detail {

Status ValidateStreamId(std::string_view stream, const EventLogOptions& o);
// Ids and names: 1..max_bytes printable ASCII, no spaces.
Status ValidateName(const std::string& field, std::string_view value, std::size_t max_bytes);
bool IsValidUtf8(std::string_view s);

// Checks the whole request against `now` (the recorded_at it will get at the earliest), fills
// in missing event ids (UUID v7) and computes the request digest used to recognise a retried
// command id. `generated[i]` says whether events[i].event_id was generated here.
Status ValidateAndPrepare(AppendRequest* r, const EventLogOptions& o, TimestampUs now,
                          Hash256* digest, std::vector<bool>* generated);

// A new event id: a UUID version 7 (time-ordered, RFC 9562).
std::string NewEventId();

}  // namespace casetrail::detail
