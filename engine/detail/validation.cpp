#include "engine/detail/validation.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <random>
#include <unordered_set>

#include "engine/detail/codec.hpp"

namespace casetrail::detail {
namespace {

Status CheckText(const std::string& field, std::string_view v, std::size_t max_bytes) {
  if (v.size() > max_bytes) {
    return Status::InvalidArgument(field, "is " + std::to_string(v.size()) +
                                              " bytes; the limit is " + std::to_string(max_bytes));
  }
  if (!IsValidUtf8(v)) return Status::InvalidArgument(field, "is not valid UTF-8");
  for (unsigned char c : v) {
    if (c < 0x20 || c == 0x7F) return Status::InvalidArgument(field, "contains a control character");
  }
  return Status::Ok();
}

std::string FormatTime(TimestampUs us) {
  std::time_t t = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// 1900-01-01T00:00:00Z: nothing a children's services record holds happened earlier.
constexpr TimestampUs kEarliestOccurredAt = -2208988800LL * 1000000;

}  // namespace

bool IsValidUtf8(std::string_view s) {
  std::size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  while (i < s.size()) {
    unsigned char c = p[i];
    std::size_t n;
    std::uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (std::size_t k = 1; k <= n; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

Status ValidateStreamId(std::string_view stream, const EventLogOptions& o) {
  if (stream.empty()) return Status::InvalidArgument("stream", "must not be empty");
  return ValidateName("stream", stream, std::min<std::size_t>(o.max_stream_id_bytes, 255));
}

Status ValidateName(const std::string& field, std::string_view v, std::size_t max_bytes) {
  if (v.empty()) return Status::InvalidArgument(field, "must not be empty");
  if (v.size() > max_bytes) {
    return Status::InvalidArgument(field, "is " + std::to_string(v.size()) +
                                              " bytes; the limit is " + std::to_string(max_bytes));
  }
  for (unsigned char c : v) {
    if (c <= 0x20 || c >= 0x7F) {
      return Status::InvalidArgument(
          field, "may contain only printable ASCII characters without spaces");
    }
  }
  return Status::Ok();
}

std::string NewUuidV4() {
  thread_local std::mt19937_64 rng([] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd()};
    std::mt19937_64 g(seq);
    return g;
  }());
  std::uint64_t a = rng(), b = rng();
  a = (a & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  b = (b & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // variant 10
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", unsigned(a >> 32),
                unsigned((a >> 16) & 0xFFFF), unsigned(a & 0xFFFF), unsigned(b >> 48),
                static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFull));
  return buf;
}

Status ValidateAndPrepare(AppendRequest* r, const EventLogOptions& o, TimestampUs now,
                          Hash256* digest, std::vector<bool>* generated) {
  if (Status s = ValidateStreamId(r->stream, o); !s.ok()) return s;
  if (r->expected.kind() == ExpectedVersion::Kind::kExact && r->expected.version() == 0) {
    return Status::InvalidArgument("expected_version",
                                   "an exact expected version starts at 1; use no_stream for 0");
  }
  for (auto [field, value] : {std::pair<const char*, const std::string*>{"command_id", &r->command_id},
                              {"correlation_id", &r->correlation_id},
                              {"causation_id", &r->causation_id}}) {
    if (!value->empty()) {
      if (Status s = ValidateName(field, *value, o.max_id_bytes); !s.ok()) return s;
    }
  }
  for (auto [field, value] : {std::pair<const char*, const std::string*>{"actor.user", &r->actor.user},
                              {"actor.role", &r->actor.role},
                              {"actor.team", &r->actor.team}}) {
    if (Status s = CheckText(field, *value, 128); !s.ok()) return s;
  }
  if (r->events.empty()) return Status::InvalidArgument("events", "must hold at least one event");
  if (r->events.size() > o.max_events_per_append) {
    return Status::InvalidArgument("events", "holds " + std::to_string(r->events.size()) +
                                                 " events; the limit is " +
                                                 std::to_string(o.max_events_per_append));
  }
  const TimestampUs latest = now + o.max_future_skew.count();
  std::string material;  // what the digest covers
  material.append(r->stream).push_back('\0');
  std::unordered_set<std::string_view> ids;
  generated->assign(r->events.size(), false);
  for (std::size_t i = 0; i < r->events.size(); ++i) {
    EventData& e = r->events[i];
    const std::string f = "events[" + std::to_string(i) + "].";
    if (e.type.empty()) return Status::InvalidArgument(f + "type", "must not be empty");
    if (Status s = ValidateName(f + "type", e.type, o.max_type_bytes); !s.ok()) return s;
    if (e.schema_version == 0) return Status::InvalidArgument(f + "schema_version", "starts at 1");
    if (e.occurred_at == 0) return Status::InvalidArgument(f + "occurred_at", "is required");
    if (e.occurred_at < kEarliestOccurredAt) {
      return Status::InvalidArgument(f + "occurred_at", "is before 1900-01-01");
    }
    if (e.occurred_at > latest) {
      return Status::InvalidArgument(f + "occurred_at",
                                     "is in the future (" + FormatTime(e.occurred_at) +
                                         " is after the store's clock " + FormatTime(now) + ")");
    }
    if (i > 0 && e.occurred_at < r->events[i - 1].occurred_at) {
      return Status::InvalidArgument(
          f + "occurred_at", "goes back in time: events of one append must be in occurred_at order");
    }
    for (auto [name, value] :
         {std::pair<const char*, const std::string*>{"journey", &e.journey},
          {"episode", &e.episode},
          {"machine_fingerprint", &e.machine_fingerprint},
          {"from_state", &e.from_state},
          {"to_state", &e.to_state}}) {
      if (Status s = CheckText(f + name, *value, 128); !s.ok()) return s;
    }
    if (e.payload.size() > o.max_payload_bytes) {
      return Status::InvalidArgument(f + "payload", "is " + std::to_string(e.payload.size()) +
                                                        " bytes; the limit is " +
                                                        std::to_string(o.max_payload_bytes));
    }
    if (e.payload.empty() || !nlohmann::json::accept(e.payload)) {
      return Status::InvalidArgument(f + "payload", "is not valid JSON");
    }
    material.append(e.type).push_back('\0');
    material.append(std::to_string(e.schema_version)).push_back('\0');
    material.append(std::to_string(e.occurred_at)).push_back('\0');
    material.append(e.event_id).push_back('\0');
    material.append(e.payload).push_back('\0');
    if (e.event_id.empty()) {
      e.event_id = NewUuidV4();
      (*generated)[i] = true;
    } else if (Status s = ValidateName(f + "event_id", e.event_id, o.max_id_bytes); !s.ok()) {
      return s;
    }
  }
  for (std::size_t i = 0; i < r->events.size(); ++i) {
    if (!ids.insert(r->events[i].event_id).second) {
      return Status::InvalidArgument("events[" + std::to_string(i) + "].event_id",
                                     "repeats an event id of the same append");
    }
  }
  *digest = Sha256(material.data(), material.size());
  return Status::Ok();
}

}  // namespace casetrail::detail
