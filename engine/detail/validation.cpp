#include "engine/detail/validation.hpp"

#include <chrono>
#include <optional>
#include <random>
#include <unordered_set>

#include "engine/detail/codec.hpp"
#include "engine/detail/json_check.hpp"
#include "engine/detail/utf8.hpp"

namespace casetrail::detail {
namespace {

// The problem with a free-text field, if any; the caller names the field (built only on error).
std::optional<std::string> TextProblem(std::string_view v, std::size_t max_bytes) {
  if (v.size() > max_bytes) {
    return "is " + std::to_string(v.size()) + " bytes; the limit is " + std::to_string(max_bytes);
  }
  if (!IsValidUtf8(v)) return std::string("is not valid UTF-8");
  for (unsigned char c : v) {
    if (c < 0x20 || c == 0x7F) return std::string("contains a control character");
  }
  return std::nullopt;
}

// The problem with an id or name, if any.
std::optional<std::string> NameProblem(std::string_view v, std::size_t max_bytes) {
  if (v.empty()) return std::string("must not be empty");
  if (v.size() > max_bytes) {
    return "is " + std::to_string(v.size()) + " bytes; the limit is " + std::to_string(max_bytes);
  }
  for (unsigned char c : v) {
    if (c <= 0x20 || c >= 0x7F) {
      return std::string("may contain only printable ASCII characters without spaces");
    }
  }
  return std::nullopt;
}

Status CheckText(const std::string& field, std::string_view v, std::size_t max_bytes) {
  if (auto p = TextProblem(v, max_bytes)) return Status::InvalidArgument(field, *p);
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
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    const std::size_t len = Utf8SequenceLength(p + i, s.size() - i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

Status ValidateStreamId(std::string_view stream, const EventLogOptions& o) {
  if (stream.empty()) return Status::InvalidArgument("stream", "must not be empty");
  return ValidateName("stream", stream, std::min<std::size_t>(o.max_stream_id_bytes, 255));
}

Status ValidateName(const std::string& field, std::string_view v, std::size_t max_bytes) {
  if (auto p = NameProblem(v, max_bytes)) return Status::InvalidArgument(field, *p);
  return Status::Ok();
}

std::string NewEventId() {
  thread_local std::mt19937_64 rng([] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd()};
    std::mt19937_64 g(seq);
    return g;
  }());
  // UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids made close
  // in time sort close together, so inserting them into the `ids` index is nearly an append
  // instead of a random write into a large memtable.
  const auto ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
  std::uint64_t a = (ms << 16) | (rng() & 0x0FFF) | 0x7000;                  // version 7
  std::uint64_t b = (rng() & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // variant 10
  static const char* kHex = "0123456789abcdef";
  std::string s(36, '-');
  std::size_t at = 0;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) ++at;  // keep the dashes
    const std::uint64_t word = i < 16 ? a : b;
    s[at++] = kHex[(word >> (60 - 4 * (i % 16))) & 0xF];
  }
  return s;
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
  // What the digest covers; only a command id needs it (to recognise its retries).
  const bool want_digest = !r->command_id.empty();
  std::string material;
  if (want_digest) material.append(r->stream).push_back('\0');
  std::unordered_set<std::string_view> ids;
  generated->assign(r->events.size(), false);
  for (std::size_t i = 0; i < r->events.size(); ++i) {
    EventData& e = r->events[i];
    // The field name is built only when there is something to report.
    auto bad = [i](const char* name, std::string msg) {
      return Status::InvalidArgument("events[" + std::to_string(i) + "]." + name, std::move(msg));
    };
    if (auto p = NameProblem(e.type, o.max_type_bytes)) return bad("type", *p);
    if (e.schema_version == 0) return bad("schema_version", "starts at 1");
    if (e.occurred_at == 0) return bad("occurred_at", "is required");
    if (e.occurred_at < kEarliestOccurredAt) return bad("occurred_at", "is before 1900-01-01");
    if (e.occurred_at > latest) {
      return bad("occurred_at", "is in the future (" + FormatTime(e.occurred_at) +
                                    " is after the store's clock " + FormatTime(now) + ")");
    }
    if (i > 0 && e.occurred_at < r->events[i - 1].occurred_at) {
      return bad("occurred_at",
                 "goes back in time: events of one append must be in occurred_at order");
    }
    for (auto [name, value] :
         {std::pair<const char*, const std::string*>{"journey", &e.journey},
          {"episode", &e.episode},
          {"machine_fingerprint", &e.machine_fingerprint},
          {"from_state", &e.from_state},
          {"to_state", &e.to_state}}) {
      if (auto p = TextProblem(*value, 128)) return bad(name, *p);
    }
    if (e.payload.size() > o.max_payload_bytes) {
      return bad("payload", "is " + std::to_string(e.payload.size()) + " bytes; the limit is " +
                                std::to_string(o.max_payload_bytes));
    }
    if (std::string why; !IsValidJson(e.payload, &why)) {
      return bad("payload", "is not valid JSON: " + why);
    }
    if (want_digest) {
      material.append(e.type).push_back('\0');
      material.append(std::to_string(e.schema_version)).push_back('\0');
      material.append(std::to_string(e.occurred_at)).push_back('\0');
      material.append(e.event_id).push_back('\0');
      material.append(e.payload).push_back('\0');
    }
    if (e.event_id.empty()) {
      e.event_id = o.event_ids ? o.event_ids() : NewEventId();
      (*generated)[i] = true;
    } else if (auto p = NameProblem(e.event_id, o.max_id_bytes)) {
      return bad("event_id", *p);
    }
  }
  for (std::size_t i = 0; i < r->events.size(); ++i) {
    if (!ids.insert(r->events[i].event_id).second) {
      return Status::InvalidArgument("events[" + std::to_string(i) + "].event_id",
                                     "repeats an event id of the same append");
    }
  }
  *digest = want_digest ? Sha256(material.data(), material.size()) : Hash256{};
  return Status::Ok();
}

}  // namespace casetrail::detail
