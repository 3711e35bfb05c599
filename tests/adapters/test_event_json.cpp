#include "adapters/json/event_json.hpp"

#include <catch2/catch.hpp>

using namespace casetrail;

TEST_CASE("times parse in RFC 3339 and date forms, and bad ones name the field", "[adapters][json]") {
  CHECK(*json::ParseTime("1970-01-01T00:00:01Z", "t") == 1000000);
  CHECK(*json::ParseTime("2026-03-01", "t") == 1772323200LL * 1000000);
  CHECK(*json::ParseTime("2026-03-01T01:00:00+01:00", "t") == 1772323200LL * 1000000);
  CHECK(*json::ParseTime("2026-03-01T00:00:00.5Z", "t") == 1772323200LL * 1000000 + 500000);
  for (const char* bad : {"", "2026-3-1", "2026-02-30", "2026-13-01", "2026-03-01T25:00:00Z",
                          "2026-03-01T10:00:00", "yesterday", "2026-03-01T10:00:00+0100"}) {
    auto t = json::ParseTime(bad, "events[0].occurred_at");
    INFO(bad);
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().field() == "events[0].occurred_at");
  }
  CHECK(json::FormatTime(1772323200LL * 1000000) == "2026-03-01T00:00:00Z");
  CHECK(json::FormatTime(1772323200LL * 1000000 + 42) == "2026-03-01T00:00:00.000042Z");
}

TEST_CASE("an append request parses from JSON", "[adapters][json]") {
  auto r = json::ParseAppendRequest(R"({
    "stream": "child-1", "expected_version": 3, "command_id": "c-1",
    "actor": {"user": "u", "role": "social_worker", "team": "north-1"},
    "events": [{"type": "cin.visit_held", "occurred_at": "2026-03-01T10:00:00Z",
                "payload": {"seen": true}, "event_id": "e-1", "schema_version": 2}]})");
  REQUIRE(r.ok());
  CHECK(r->stream == "child-1");
  CHECK(r->expected.kind() == ExpectedVersion::Kind::kExact);
  CHECK(r->expected.version() == 3);
  CHECK(r->actor.role == "social_worker");
  REQUIRE(r->events.size() == 1);
  CHECK(r->events[0].payload == R"({"seen":true})");
  CHECK(r->events[0].schema_version == 2);
}

TEST_CASE("malformed append requests name the field at fault", "[adapters][json]") {
  auto field_of = [](const char* text) {
    auto r = json::ParseAppendRequest(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().IsInvalidArgument());
    return r.status().field();
  };
  CHECK(field_of("{") == "body");
  CHECK(field_of("[1]") == "body");
  CHECK(field_of(R"({"events":[]})") == "stream");
  CHECK(field_of(R"({"stream":5,"events":[]})") == "stream");
  CHECK(field_of(R"({"stream":"s"})") == "events");
  CHECK(field_of(R"({"stream":"s","events":[],"colour":1})") == "colour");
  CHECK(field_of(R"({"stream":"s","expected_version":"latest","events":[]})") == "expected_version");
  CHECK(field_of(R"({"stream":"s","expected_version":-1,"events":[]})") == "expected_version");
  CHECK(field_of(R"({"stream":"s","actor":"me","events":[]})") == "actor");
  CHECK(field_of(R"({"stream":"s","actor":{"name":"x"},"events":[]})") == "actor.name");
  CHECK(field_of(R"({"stream":"s","events":[1]})") == "events[0]");
  CHECK(field_of(R"({"stream":"s","events":[{"type":"a"}]})") == "events[0].occurred_at");
  CHECK(field_of(R"({"stream":"s","events":[{"type":"a","occurred_at":"2026-01-01","payload":[1]}]})") ==
        "events[0].payload");
  CHECK(field_of(R"({"stream":"s","events":[{"type":"a","occurred_at":"2026-01-01","schema_version":1e99}]})") ==
        "events[0].schema_version");
  CHECK(field_of(R"({"stream":"s","events":[{"type":7,"occurred_at":"2026-01-01"}]})") ==
        "events[0].type");
}

// Found by tests/fuzz/fuzz_command: an error quoting bytes that are not UTF-8 (or a multi-byte
// character cut at the 40-byte quote) made ToJson(status).dump() throw.
TEST_CASE("an error that quotes bad UTF-8 still renders as JSON", "[adapters][json][fuzz]") {
  for (const std::string& bad : {std::string("2016-12-31T2\xfd\xff\xff\xff\xff\xff\xff\x07" "3:29:60Z"),
                                std::string(39, '2') + "\xc3\xa9", std::string("\xed\xa0\x80"),
                                std::string("\xc0\xaf")}) {
    auto t = json::ParseTime(bad, "as_of\xff");
    REQUIRE_FALSE(t.ok());
    std::string out;
    REQUIRE_NOTHROW(out = json::ToJson(t.status()).dump());
    CHECK(out.find("\xef\xbf\xbd") != std::string::npos);  // U+FFFD stands for the bad bytes
  }
  auto ok = json::ParseTime("2026-03-01T00:00:00Z\xc3\xa9", "t");  // valid UTF-8 is quoted as is
  REQUIRE_FALSE(ok.ok());
  CHECK(json::ToJson(ok.status()).dump().find("\xc3\xa9") != std::string::npos);
}

// Found by tests/fuzz/fuzz_command: "0126-10-22" parsed, and FormatTime printed it back as
// "126-10-22T00:00:00Z", which is not RFC 3339. Times are now limited to workflows::Date's years.
TEST_CASE("times outside the years 1900 to 2200 are refused, the rest print back as they parse",
          "[adapters][json][fuzz]") {
  for (const char* bad : {"0126-10-22", "0000-01-01T00:00:00Z", "1899-12-31T23:59:59Z", "1900-01-01T00:30:00+01:00",
                          "2200-12-31T23:30:00-01:00", "2201-01-01", "9999-12-31"}) {
    INFO(bad);
    auto t = json::ParseTime(bad, "occurred_at");
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().field() == "occurred_at");
  }
  for (const char* good : {"1900-01-01T00:30:00-01:00", "1900-01-01", "2200-12-31T23:59:59.999999Z"}) {
    INFO(good);
    auto t = json::ParseTime(good, "t");
    REQUIRE(t.ok());
    CHECK(*json::ParseTime(json::FormatTime(*t), "t") == *t);
  }
}
