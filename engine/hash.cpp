#include "engine/hash.hpp"

#include "engine/detail/codec.hpp"
#include "engine/event.hpp"

namespace casetrail {

std::string Sha256Hex(std::string_view data) { return HexOf(detail::Sha256(data.data(), data.size())); }

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

}  // namespace casetrail
