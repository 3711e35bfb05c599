#include "engine/detail/codec.hpp"
#include "engine/hash.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstring>
#include <memory>
#include <stdexcept>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace casetrail::detail {
namespace {

// ---- CRC32C (Castagnoli) -------------------------------------------------------------------

constexpr std::uint32_t kCrcPoly = 0x82F63B78u;

struct CrcTable {
  std::uint32_t t[8][256];
  CrcTable() {
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kCrcPoly : c >> 1;
      t[0][i] = c;
    }
    for (std::uint32_t i = 0; i < 256; ++i)
      for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
  }
};

std::uint32_t Crc32cPortable(const std::uint8_t* p, std::size_t n) {
  static const CrcTable table;
  std::uint32_t c = 0xFFFFFFFFu;
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    w ^= c;
    c = table.t[7][w & 0xFF] ^ table.t[6][(w >> 8) & 0xFF] ^ table.t[5][(w >> 16) & 0xFF] ^
        table.t[4][(w >> 24) & 0xFF] ^ table.t[3][(w >> 32) & 0xFF] ^
        table.t[2][(w >> 40) & 0xFF] ^ table.t[1][(w >> 48) & 0xFF] ^ table.t[0][w >> 56];
    p += 8;
    n -= 8;
  }
  while (n--) c = table.t[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) std::uint32_t Crc32cHardware(const std::uint8_t* p,
                                                                  std::size_t n) {
  std::uint64_t c = 0xFFFFFFFFu;
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    c = _mm_crc32_u64(c, w);
    p += 8;
    n -= 8;
  }
  auto c32 = static_cast<std::uint32_t>(c);
  while (n--) c32 = _mm_crc32_u8(c32, *p++);
  return c32 ^ 0xFFFFFFFFu;
}
#endif

// ---- little-endian fixed-width helpers for values --------------------------------------------

void PutU16(std::string* d, std::uint16_t v) {
  char b[2] = {static_cast<char>(v), static_cast<char>(v >> 8)};
  d->append(b, 2);
}
void PutU32(std::string* d, std::uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  d->append(b, 4);
}
void PutU64(std::string* d, std::uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  d->append(b, 8);
}

// A bounds-checked cursor over untrusted bytes.
class Reader {
 public:
  explicit Reader(std::string_view s) : p_(s.data()), end_(s.data() + s.size()) {}
  bool ok() const { return ok_; }
  std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }
  const char* pos() const { return p_; }
  std::uint64_t Fixed(int bytes) {
    if (!Need(bytes)) return 0;
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= std::uint64_t(std::uint8_t(p_[i])) << (8 * i);
    p_ += bytes;
    return v;
  }
  std::string_view Bytes(std::size_t n) {
    if (!Need(n)) return {};
    std::string_view v(p_, n);
    p_ += n;
    return v;
  }
  std::string_view Str16() { return Bytes(Fixed(2)); }
  std::string_view Str32() { return Bytes(Fixed(4)); }

 private:
  bool Need(std::size_t n) {
    if (!ok_ || remaining() < n) {
      ok_ = false;
      return false;
    }
    return true;
  }
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

void PutStr16(std::string* d, std::string_view s) {
  // Validation caps every metadata field well below 64 KiB; a longer one is a programming error.
  if (s.size() > 0xFFFF) throw std::length_error("event field longer than 65535 bytes");
  PutU16(d, static_cast<std::uint16_t>(s.size()));
  d->append(s);
}

// Bytes: format(1) crc(4) | position(8) version(8) occurred(8) recorded(8) schema(4) strings...
constexpr std::size_t kCrcOffset = 1;
constexpr std::size_t kBodyOffset = 5;

}  // namespace

std::uint32_t Crc32c(const void* data, std::size_t n) {
  auto p = static_cast<const std::uint8_t*>(data);
#if defined(__x86_64__)
  static const bool hw = __builtin_cpu_supports("sse4.2");
  if (hw) return Crc32cHardware(p, n);
#endif
  return Crc32cPortable(p, n);
}

Hash256 Sha256(const void* data, std::size_t n) {
  // One fetched algorithm for the process and one context per thread: EVP_Digest would
  // allocate a context and look the algorithm up on every call.
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                         &EVP_MD_CTX_free);
  Hash256 out{};
  unsigned int len = 0;
  if (md == nullptr || ctx == nullptr || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data, n) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 || len != out.size()) {
    throw std::runtime_error("OpenSSL SHA-256 failed");
  }
  return out;
}

void PutBigEndian64(std::string* dst, std::uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (56 - 8 * i));
  dst->append(b, 8);
}

std::uint64_t GetBigEndian64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | std::uint8_t(p[i]);
  return v;
}

std::string PositionKey(std::uint64_t position) {
  std::string k;
  PutBigEndian64(&k, position);
  return k;
}

std::string StreamIndexKey(std::string_view stream, std::uint64_t version) {
  std::string k;
  k.reserve(1 + stream.size() + 8);
  k.push_back(static_cast<char>(static_cast<std::uint8_t>(stream.size())));
  k.append(stream);
  PutBigEndian64(&k, version);
  return k;
}

bool ParseStreamIndexKey(std::string_view key, std::string_view* stream, std::uint64_t* version) {
  if (key.empty()) return false;
  std::size_t len = std::uint8_t(key[0]);
  if (key.size() != 1 + len + 8) return false;
  *stream = key.substr(1, len);
  *version = GetBigEndian64(key.data() + 1 + len);
  return true;
}

Hash256 EncodeEvent(const EncodeInput& in, std::string* out) {
  const std::size_t start = out->size();
  out->push_back(static_cast<char>(kEventFormatV1));
  PutU32(out, 0);  // CRC placeholder
  PutU64(out, in.position);
  PutU64(out, in.version);
  PutU64(out, static_cast<std::uint64_t>(in.occurred_at));
  PutU64(out, static_cast<std::uint64_t>(in.recorded_at));
  PutU32(out, in.schema_version);
  for (std::string_view s : {in.stream, in.type, in.event_id, in.command_id, in.correlation_id,
                             in.causation_id, in.actor_user, in.actor_role, in.actor_team,
                             in.journey, in.episode, in.machine_fingerprint, in.from_state,
                             in.to_state}) {
    PutStr16(out, s);
  }
  PutU32(out, static_cast<std::uint32_t>(in.payload.size()));
  out->append(in.payload);
  out->append(reinterpret_cast<const char*>(in.prev_hash->data()), kHashBytes);
  const char* body = out->data() + start + kBodyOffset;
  Hash256 h = Sha256(body, out->size() - start - kBodyOffset);
  out->append(reinterpret_cast<const char*>(h.data()), kHashBytes);
  std::uint32_t crc = Crc32c(out->data() + start + kBodyOffset, out->size() - start - kBodyOffset);
  for (int i = 0; i < 4; ++i) (*out)[start + kCrcOffset + i] = static_cast<char>(crc >> (8 * i));
  return h;
}

Status DecodeEvent(std::string_view bytes, EventView* v) {
  if (bytes.size() < kBodyOffset + 2 * kHashBytes) {
    return Status::Corruption("event value too short (" + std::to_string(bytes.size()) + " bytes)");
  }
  if (std::uint8_t(bytes[0]) != kEventFormatV1) {
    return Status::Corruption("unknown event format " + std::to_string(std::uint8_t(bytes[0])));
  }
  Reader r(bytes.substr(kCrcOffset));
  const auto stored_crc = static_cast<std::uint32_t>(r.Fixed(4));
  const std::uint32_t crc = Crc32c(bytes.data() + kBodyOffset, bytes.size() - kBodyOffset);
  if (crc != stored_crc) return Status::Corruption("event checksum mismatch");
  v->position = r.Fixed(8);
  v->version = r.Fixed(8);
  v->occurred_at = static_cast<TimestampUs>(r.Fixed(8));
  v->recorded_at = static_cast<TimestampUs>(r.Fixed(8));
  v->schema_version = static_cast<std::uint32_t>(r.Fixed(4));
  v->stream = r.Str16();
  v->type = r.Str16();
  v->event_id = r.Str16();
  v->command_id = r.Str16();
  v->correlation_id = r.Str16();
  v->causation_id = r.Str16();
  v->actor_user = r.Str16();
  v->actor_role = r.Str16();
  v->actor_team = r.Str16();
  v->journey = r.Str16();
  v->episode = r.Str16();
  v->machine_fingerprint = r.Str16();
  v->from_state = r.Str16();
  v->to_state = r.Str16();
  v->payload = r.Str32();
  auto prev = r.Bytes(kHashBytes);
  auto hash = r.Bytes(kHashBytes);
  if (!r.ok() || r.remaining() != 0) return Status::Corruption("event fields do not fit the value");
  v->prev_hash = reinterpret_cast<const std::uint8_t*>(prev.data());
  v->hash = reinterpret_cast<const std::uint8_t*>(hash.data());
  return Status::Ok();
}

bool HashMatches(std::string_view bytes) {
  if (bytes.size() < kBodyOffset + 2 * kHashBytes) return false;
  Hash256 h = Sha256(bytes.data() + kBodyOffset, bytes.size() - kBodyOffset - kHashBytes);
  return std::memcmp(h.data(), bytes.data() + bytes.size() - kHashBytes, kHashBytes) == 0;
}

std::string EncodeStreamMeta(const StreamMeta& m) {
  std::string s;
  PutBigEndian64(&s, m.last_version);
  PutBigEndian64(&s, m.last_position);
  s.append(reinterpret_cast<const char*>(m.head_hash.data()), kHashBytes);
  return s;
}

Status DecodeStreamMeta(std::string_view b, StreamMeta* m) {
  if (b.size() != 16 + kHashBytes) return Status::Corruption("stream metadata has wrong size");
  m->last_version = GetBigEndian64(b.data());
  m->last_position = GetBigEndian64(b.data() + 8);
  std::memcpy(m->head_hash.data(), b.data() + 16, kHashBytes);
  return Status::Ok();
}

std::string EncodeCommandRecord(const CommandRecord& c) {
  std::string s;
  s.push_back(1);  // format
  PutU64(&s, c.append.first_position);
  PutU64(&s, c.append.last_position);
  PutU64(&s, c.append.first_version);
  PutU64(&s, c.append.last_version);
  PutU64(&s, static_cast<std::uint64_t>(c.append.recorded_at));
  s.append(reinterpret_cast<const char*>(c.request_digest.data()), kHashBytes);
  PutStr16(&s, c.append.stream);
  return s;
}

Status DecodeCommandRecord(std::string_view b, CommandRecord* c) {
  if (b.empty() || b[0] != 1) return Status::Corruption("command record: unknown format");
  Reader r(b.substr(1));
  c->append.first_position = r.Fixed(8);
  c->append.last_position = r.Fixed(8);
  c->append.first_version = r.Fixed(8);
  c->append.last_version = r.Fixed(8);
  c->append.recorded_at = static_cast<TimestampUs>(r.Fixed(8));
  auto d = r.Bytes(kHashBytes);
  auto stream = r.Str16();
  if (!r.ok() || r.remaining() != 0) return Status::Corruption("command record: bad length");
  std::memcpy(c->request_digest.data(), d.data(), kHashBytes);
  c->append.stream.assign(stream);
  return Status::Ok();
}

}  // namespace casetrail::detail
