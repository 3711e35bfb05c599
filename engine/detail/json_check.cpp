#include "engine/detail/json_check.hpp"

#include <cstdint>

#include "engine/detail/utf8.hpp"

namespace casetrail::detail {
namespace {

class Checker {
 public:
  explicit Checker(std::string_view s)
      : p_(reinterpret_cast<const unsigned char*>(s.data())), end_(p_ + s.size()),
        begin_(p_) {}

  bool Run(std::string* why) {
    SkipWs();
    bool ok = Value();
    if (ok) {
      SkipWs();
      if (p_ != end_) ok = Fail("unexpected text after the JSON value");
    }
    if (!ok && why) *why = error_ + " at byte " + std::to_string(error_at_);
    return ok;
  }

 private:
  bool Fail(const char* msg) {
    if (error_.empty()) {
      error_ = msg;
      error_at_ = static_cast<std::size_t>(p_ - begin_);
    }
    return false;
  }

  void SkipWs() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool Literal(const char* word, std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) < n) return Fail("invalid literal");
    for (std::size_t i = 0; i < n; ++i) {
      if (p_[i] != static_cast<unsigned char>(word[i])) return Fail("invalid literal");
    }
    p_ += n;
    return true;
  }

  bool Number() {
    if (p_ < end_ && *p_ == '-') ++p_;
    if (p_ >= end_) return Fail("invalid number");
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    } else {
      return Fail("invalid number");
    }
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      if (p_ >= end_ || *p_ < '0' || *p_ > '9') return Fail("invalid number");
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ >= end_ || *p_ < '0' || *p_ > '9') return Fail("invalid number");
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    return true;
  }

  static int Hex(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  bool Hex4(std::uint32_t* cp) {
    if (end_ - p_ < 4) return Fail("invalid \\u escape");
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      int h = Hex(p_[i]);
      if (h < 0) return Fail("invalid \\u escape");
      v = (v << 4) | static_cast<std::uint32_t>(h);
    }
    p_ += 4;
    *cp = v;
    return true;
  }

  // REQUIRES: *p_ == '"'
  bool String() {
    ++p_;
    for (;;) {
      // Fast path: plain ASCII.
      while (p_ < end_ && *p_ >= 0x20 && *p_ < 0x80 && *p_ != '"' && *p_ != '\\') ++p_;
      if (p_ >= end_) return Fail("unterminated string");
      const unsigned char c = *p_;
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c == '\\') {
        ++p_;
        if (p_ >= end_) return Fail("unterminated string");
        const unsigned char e = *p_++;
        if (e == 'u') {
          std::uint32_t cp;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {  // a high surrogate needs its low half
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return Fail("lone surrogate");
            p_ += 2;
            std::uint32_t lo;
            if (!Hex4(&lo)) return false;
            if (lo < 0xDC00 || lo > 0xDFFF) return Fail("lone surrogate");
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return Fail("lone surrogate");
          }
        } else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' &&
                   e != 'r' && e != 't') {
          return Fail("invalid escape");
        }
        continue;
      }
      if (c < 0x20) return Fail("control character in string");
      // Multi-byte UTF-8.
      const std::size_t len = Utf8SequenceLength(p_, static_cast<std::size_t>(end_ - p_));
      if (len == 0) return Fail("invalid UTF-8");
      p_ += len;
    }
  }

  // Iterative over containers: `stack_` remembers whether each open level is an object.
  bool Value() {
    std::size_t depth = 0;
    for (;;) {
      // Parse one value start.
      if (p_ >= end_) return Fail("unexpected end of input");
      switch (*p_) {
        case '{':
        case '[': {
          if (depth == kMaxJsonDepth) return Fail("nested too deeply");
          const bool obj = *p_ == '{';
          stack_[depth++] = obj;
          ++p_;
          SkipWs();
          if (p_ < end_ && *p_ == (obj ? '}' : ']')) {
            ++p_;
            --depth;
            break;  // empty container: a complete value
          }
          if (obj) {
            if (!Key()) return false;
          }
          continue;  // parse the first element
        }
        case '"':
          if (!String()) return false;
          break;
        case 't':
          if (!Literal("true", 4)) return false;
          break;
        case 'f':
          if (!Literal("false", 5)) return false;
          break;
        case 'n':
          if (!Literal("null", 4)) return false;
          break;
        default:
          if (*p_ == '-' || (*p_ >= '0' && *p_ <= '9')) {
            if (!Number()) return false;
          } else {
            return Fail("unexpected character");
          }
      }
      // A value is complete: close containers or move to the next element.
      for (;;) {
        if (depth == 0) return true;
        SkipWs();
        if (p_ >= end_) return Fail("unexpected end of input");
        const bool obj = stack_[depth - 1];
        if (*p_ == ',') {
          ++p_;
          SkipWs();
          if (obj && !Key()) return false;
          break;  // parse the next element
        }
        if (*p_ == (obj ? '}' : ']')) {
          ++p_;
          --depth;
          continue;
        }
        return Fail(obj ? "expected ',' or '}'" : "expected ',' or ']'");
      }
    }
  }

  // An object key and its colon; leaves p_ at the value.
  bool Key() {
    if (p_ >= end_ || *p_ != '"') return Fail("expected a string key");
    if (!String()) return false;
    SkipWs();
    if (p_ >= end_ || *p_ != ':') return Fail("expected ':'");
    ++p_;
    SkipWs();
    return true;
  }

  const unsigned char* p_;
  const unsigned char* end_;
  const unsigned char* begin_;
  bool stack_[kMaxJsonDepth];
  std::string error_;
  std::size_t error_at_ = 0;
};

}  // namespace

bool IsValidJson(std::string_view text, std::string* why) { return Checker(text).Run(why); }

}  // namespace casetrail::detail
