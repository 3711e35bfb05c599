#include "engine/detail/codec.hpp"

#include <cstring>

#include "tests/engine/test_util.hpp"

using namespace casetrail;
using namespace casetrail::detail;

TEST_CASE("CRC32C matches the Castagnoli check value", "[engine][codec]") {
  CHECK(Crc32c("123456789", 9) == 0xE3069283u);
  std::string zeros(32, '\0');
  CHECK(Crc32c(zeros.data(), zeros.size()) == 0x8A9136AAu);
}

TEST_CASE("SHA-256 matches the FIPS test vector", "[engine][codec]") {
  CHECK(HexOf(Sha256("abc", 3)) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("keys sort in numeric order and stream keys group by stream", "[engine][codec]") {
  CHECK(PositionKey(255) < PositionKey(256));
  CHECK(PositionKey(1) < PositionKey(1ull << 40));
  CHECK(StreamIndexKey("child-1", 9) < StreamIndexKey("child-1", 10));
  // Length prefix: every key of "child-1" sorts before every key of "child-10".
  CHECK(StreamIndexKey("child-1", UINT64_MAX) < StreamIndexKey("child-10", 0));
  std::string_view s;
  std::uint64_t v = 0;
  auto key = StreamIndexKey("child-7", 42);
  REQUIRE(ParseStreamIndexKey(key, &s, &v));
  CHECK(s == "child-7");
  CHECK(v == 42);
  CHECK_FALSE(ParseStreamIndexKey(key.substr(0, key.size() - 1), &s, &v));
}

TEST_CASE("an encoded event decodes to the same fields and its hash verifies", "[engine][codec]") {
  Hash256 prev{};
  prev[0] = 7;
  EncodeInput in{5, 2, 1000, 2000, 3, "child-1", "cp.plan_started", "ev-1", "cmd-1", "corr",
                 "cause", "u", "r", "t", "child_protection", "ep-1", "fp", "A", "B",
                 R"({"k":1})", &prev};
  std::string bytes;
  Hash256 h = EncodeEvent(in, &bytes);
  EventView v;
  REQUIRE(DecodeEvent(bytes, &v).ok());
  CHECK(v.position == 5);
  CHECK(v.version == 2);
  CHECK(v.occurred_at == 1000);
  CHECK(v.recorded_at == 2000);
  CHECK(v.schema_version == 3);
  CHECK(v.stream == "child-1");
  CHECK(v.type == "cp.plan_started");
  CHECK(v.payload == R"({"k":1})");
  CHECK(v.to_state == "B");
  CHECK(std::memcmp(v.prev_hash, prev.data(), 32) == 0);
  CHECK(std::memcmp(v.hash, h.data(), 32) == 0);
  CHECK(HashMatches(bytes));
}

TEST_CASE("every single flipped bit or truncation of an event is detected", "[engine][codec]") {
  Hash256 prev{};
  EncodeInput in{1, 1, 1, 2, 1, "s", "t", "e", "", "", "", "", "", "", "", "", "", "", "",
                 "{}", &prev};
  std::string bytes;
  EncodeEvent(in, &bytes);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      EventView v;
      INFO("byte " << i << " bit " << bit);
      CHECK(DecodeEvent(bad, &v).IsCorruption());
    }
  }
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EventView v;
    CHECK(DecodeEvent(bytes.substr(0, n), &v).IsCorruption());
  }
  EventView v;
  CHECK(DecodeEvent(bytes + "x", &v).IsCorruption());
}
