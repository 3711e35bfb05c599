#include "engine/event.hpp"

#include <charconv>
#include <chrono>
#include <cstring>
#include <future>

#include "engine/detail/codec.hpp"
#include "engine/detail/storage.hpp"
#include "engine/event_log.hpp"

namespace casetrail {

const char* Status::CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kNotFound: return "not_found";
    case Code::kInvalidArgument: return "invalid_argument";
    case Code::kConflict: return "conflict";
    case Code::kRejected: return "rejected";
    case Code::kForbidden: return "forbidden";
    case Code::kCorruption: return "corruption";
    case Code::kIOError: return "io_error";
    case Code::kUnavailable: return "unavailable";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string s = CodeName(code_);
  s += ": ";
  if (!field_.empty()) s += field_ + ": ";
  s += message_;
  return s;
}

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

Hash256 ComputeEventHash(const RecordedEvent& e) {
  detail::EncodeInput in{e.position,       e.version,    e.occurred_at,   e.recorded_at,
                         e.schema_version, e.stream,     e.type,          e.event_id,
                         e.command_id,     e.correlation_id, e.causation_id, e.actor.user,
                         e.actor.role,     e.actor.team, e.journey,       e.episode,
                         e.machine_fingerprint, e.from_state, e.to_state, e.payload,
                         &e.prev_hash};
  std::string scratch;
  return detail::EncodeEvent(in, &scratch);
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

std::string HexOf(const std::uint8_t* p, std::size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string s(2 * n, '0');
  for (std::size_t i = 0; i < n; ++i) {
    s[2 * i] = kDigits[p[i] >> 4];
    s[2 * i + 1] = kDigits[p[i] & 15];
  }
  return s;
}

std::string HexOf(const Hash256& h) { return HexOf(h.data(), h.size()); }

TimestampUs SystemClockUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<AppendResult> EventLog::Append(AppendRequest request) {
  std::promise<Result<AppendResult>> done;
  auto fut = done.get_future();
  AppendAsync(std::move(request),
              [&done](Result<AppendResult> r) { done.set_value(std::move(r)); });
  return fut.get();
}

std::unique_ptr<EventLog> OpenMemoryEventLog(EventLogOptions options) {
  auto r = detail::OpenEventLogOnStorage(detail::NewMemoryStorage(), std::move(options));
  return std::move(r).value();  // memory storage cannot fail to open
}

Result<std::unique_ptr<EventLog>> OpenRocksEventLog(const std::string& path,
                                                    EventLogOptions options) {
  auto storage = detail::OpenRocksStorage(path, options.durable);
  if (!storage.ok()) return storage.status();
  return detail::OpenEventLogOnStorage(std::move(storage).value(), std::move(options));
}

}  // namespace casetrail
