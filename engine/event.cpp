#include "engine/event.hpp"

#include <charconv>
#include <cstring>

namespace casetrail {

Result<ExpectedVersion> ExpectedVersion::Parse(std::string_view t) {
  if (t == "any") return Any();
  if (t == "no_stream") return NoStream();
  if (t == "stream_exists") return StreamExists();
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (!t.empty() && ec == std::errc() && end == t.data() + t.size()) {
    return v == 0 ? NoStream() : Exact(v);
  }
  return Status::InvalidArgument(
      "expected_version",
      "must be 'any', 'no_stream', 'stream_exists' or a version number, got '" +
          std::string(t.substr(0, 64)) + "'");
}

std::string ExpectedVersion::ToString() const {
  switch (kind_) {
    case Kind::kAny: return "any";
    case Kind::kNoStream: return "no_stream";
    case Kind::kStreamExists: return "stream_exists";
    case Kind::kExact: return std::to_string(version_);
  }
  return "?";
}

bool ExpectedVersion::Matches(std::uint64_t actual) const {
  switch (kind_) {
    case Kind::kAny: return true;
    case Kind::kNoStream: return actual == 0;
    case Kind::kStreamExists: return actual > 0;
    case Kind::kExact: return actual == version_;
  }
  return false;
}

RecordedEvent EventView::ToRecorded() const {
  RecordedEvent e;
  e.position = position;
  e.stream = stream;
  e.version = version;
  e.type = type;
  e.schema_version = schema_version;
  e.event_id = event_id;
  e.command_id = command_id;
  e.correlation_id = correlation_id;
  e.causation_id = causation_id;
  e.occurred_at = occurred_at;
  e.recorded_at = recorded_at;
  e.actor = Actor{std::string(actor_user), std::string(actor_role), std::string(actor_team)};
  e.journey = journey;
  e.episode = episode;
  e.machine_fingerprint = machine_fingerprint;
  e.from_state = from_state;
  e.to_state = to_state;
  e.payload = payload;
  if (prev_hash) std::memcpy(e.prev_hash.data(), prev_hash, 32);
  if (hash) std::memcpy(e.hash.data(), hash, 32);
  return e;
}

}  // namespace casetrail
