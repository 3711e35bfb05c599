// Binary encoding of events and index entries (docs/event-log-format.md is the contract).
// Decoding never trusts its input: every length is bounds-checked and the CRC32C is verified,
// so a damaged value yields Corruption, never a crash.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/event.hpp"
#include "engine/status.hpp"

namespace casetrail::detail {

inline constexpr std::uint8_t kEventFormatV1 = 1;
inline constexpr std::size_t kHashBytes = 32;

std::uint32_t Crc32c(const void* data, std::size_t n);
Hash256 Sha256(const void* data, std::size_t n);

// Big-endian fixed 64-bit (keys: byte order == numeric order).
void PutBigEndian64(std::string* dst, std::uint64_t v);
std::uint64_t GetBigEndian64(const char* p);
std::string PositionKey(std::uint64_t position);
// Stream index key: u8 length + stream bytes + be64(version).
std::string StreamIndexKey(std::string_view stream, std::uint64_t version);
// Parses a stream index key; false if malformed.
bool ParseStreamIndexKey(std::string_view key, std::string_view* stream, std::uint64_t* version);

// The envelope fields a sequencer has decided, in the order they are encoded.
struct EncodeInput {
  std::uint64_t position;
  std::uint64_t version;
  TimestampUs occurred_at;
  TimestampUs recorded_at;
  std::uint32_t schema_version;
  std::string_view stream, type, event_id, command_id, correlation_id, causation_id;
  std::string_view actor_user, actor_role, actor_team;
  std::string_view journey, episode, machine_fingerprint, from_state, to_state;
  std::string_view payload;
  const Hash256* prev_hash;
};

// Appends the encoded event to `out` and returns its hash: SHA-256 over everything between
// the CRC and the hash itself (that includes prev_hash, which forms the chain).
Hash256 EncodeEvent(const EncodeInput& in, std::string* out);

// Decodes and checks the CRC. The view points into `bytes`.
Status DecodeEvent(std::string_view bytes, EventView* view);
// Recomputes the hash of an encoded event and compares it with the stored one.
bool HashMatches(std::string_view bytes);

// Stream metadata value: be64 last_version, be64 last_position, 32-byte head hash.
struct StreamMeta {
  std::uint64_t last_version = 0;
  std::uint64_t last_position = 0;
  Hash256 head_hash{};
};
std::string EncodeStreamMeta(const StreamMeta& m);
Status DecodeStreamMeta(std::string_view bytes, StreamMeta* m);

// What a command id maps to: the append it produced, and a digest of the request so that a
// command id reused for a different request is refused instead of answered.
struct CommandRecord {
  AppendResult append;  // as first answered (`duplicate` is not stored)
  Hash256 request_digest{};

  // The answer to a retry of the command: the original append, marked as a duplicate.
  AppendResult Retried() const {
    AppendResult r = append;
    r.duplicate = true;
    return r;
  }
};
std::string EncodeCommandRecord(const CommandRecord& c);
Status DecodeCommandRecord(std::string_view bytes, CommandRecord* c);

}  // namespace casetrail::detail
