// One multi-byte UTF-8 sequence, checked the same way by the JSON check (json_check.cpp) and by
// IsValidUtf8 (validation.cpp).
#pragma once

#include <cstddef>
#include <cstdint>

namespace casetrail::detail {

// The length (2 to 4) of the multi-byte UTF-8 sequence that starts at `p` (p[0] >= 0x80; `avail`
// bytes from p on), or 0 if it is not well-formed: a valid lead byte, all its continuation bytes,
// no overlong form, no surrogate, nothing above U+10FFFF.
inline std::size_t Utf8SequenceLength(const unsigned char* p, std::size_t avail) {
  const unsigned char c = p[0];
  std::size_t n;
  std::uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    n = 1;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 2;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 3;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (avail <= n) return 0;  // truncated sequence
  for (std::size_t k = 1; k <= n; ++k) {
    if ((p[k] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[k] & 0x3F);
  }
  if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
      cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n + 1;
}

}  // namespace casetrail::detail
