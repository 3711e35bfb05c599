// Bad input: each is an InvalidArgument that names the field, and nothing is written.
#include "engine/detail/validation.hpp"
#include "tests/engine/test_util.hpp"

using namespace casetrail;
using namespace casetrail::testing;

namespace {

void ExpectRefused(EventLog& log, AppendRequest r, const std::string& field,
                   const std::string& words) {
  const auto head = log.HeadPosition();
  auto res = log.Append(std::move(r));
  INFO(res.status().ToString());
  REQUIRE(res.status().IsInvalidArgument());
  CHECK(res.status().field() == field);
  CHECK_THAT(res.status().message(), Catch::Contains(words));
  CHECK(log.HeadPosition() == head);
}

}  // namespace

TEST_CASE("bad appends are refused with the field named and nothing written", "[engine][validation]") {
  EventLogOptions o;
  o.max_payload_bytes = 1024;
  o.clock = [] { return kBusinessTime + 3600LL * 1000000; };
  auto log = OpenMemoryEventLog(o);
  REQUIRE(log->Append(One("child-1")).ok());

  ExpectRefused(*log, One(""), "stream", "must not be empty");
  ExpectRefused(*log, One(std::string(201, 'c')), "stream", "limit is 200");
  ExpectRefused(*log, One("child 1"), "stream", "printable ASCII");
  ExpectRefused(*log, One("child-\x01"), "stream", "printable ASCII");
  ExpectRefused(*log, Append("child-1", {}), "events", "at least one");
  ExpectRefused(*log, One("child-1", ExpectedVersion::Exact(0)), "expected_version", "starts at 1");

  auto r = One("child-1");
  r.events[0].type = "";
  ExpectRefused(*log, r, "events[0].type", "must not be empty");
  r = One("child-1");
  r.events[0].type = "has space";
  ExpectRefused(*log, r, "events[0].type", "printable");
  r = One("child-1");
  r.events[0].payload = "{\"a\":";
  ExpectRefused(*log, r, "events[0].payload", "not valid JSON");
  r = One("child-1");
  r.events[0].payload = "";
  ExpectRefused(*log, r, "events[0].payload", "not valid JSON");
  r = One("child-1");
  r.events[0].payload = "{\"a\":\"\xff\xfe\"}";
  ExpectRefused(*log, r, "events[0].payload", "not valid JSON");
  r = One("child-1");
  r.events[0].payload = "{\"a\":\"" + std::string(2000, 'x') + "\"}";
  ExpectRefused(*log, r, "events[0].payload", "limit is 1024");
  r = One("child-1");
  r.events[0].occurred_at = 0;
  ExpectRefused(*log, r, "events[0].occurred_at", "required");
  r = One("child-1");
  r.events[0].occurred_at = kBusinessTime + 7200LL * 1000000;  // an hour after the clock
  ExpectRefused(*log, r, "events[0].occurred_at", "in the future");
  r = One("child-1");
  r.events[0].occurred_at = -3000000000LL * 1000000;
  ExpectRefused(*log, r, "events[0].occurred_at", "before 1900");
  r = Append("child-1", {Event("a.b"), Event("a.c")});
  r.events[1].occurred_at = r.events[0].occurred_at - 1;
  ExpectRefused(*log, r, "events[1].occurred_at", "goes back in time");
  r = Append("child-1", {Event("a.b", "{}", "id-1"), Event("a.c", "{}", "id-1")});
  ExpectRefused(*log, r, "events[1].event_id", "repeats");
  r = One("child-1");
  r.events[0].event_id = "id with space";
  ExpectRefused(*log, r, "events[0].event_id", "printable");
  r = One("child-1");
  r.events[0].schema_version = 0;
  ExpectRefused(*log, r, "events[0].schema_version", "starts at 1");
  r = One("child-1");
  r.command_id = std::string(129, 'k');
  ExpectRefused(*log, r, "command_id", "limit is 128");
  r = One("child-1");
  r.actor.user = "bad\xc3";
  ExpectRefused(*log, r, "actor.user", "UTF-8");
  r = One("child-1");
  r.events[0].to_state = "line\nbreak";
  ExpectRefused(*log, r, "events[0].to_state", "control character");

  EventLogOptions small;
  small.max_events_per_append = 3;
  auto log2 = OpenMemoryEventLog(small);
  ExpectRefused(*log2, Append("child-1", {Event("a"), Event("b"), Event("c"), Event("d")}), "events",
                "limit is 3");
  CHECK(log->HeadPosition() == 1);
}

TEST_CASE("the default payload limit is 1 MiB", "[engine][validation]") {
  auto log = OpenMemoryEventLog();
  auto r = One("child-1");
  std::string big = "\"" + std::string((1 << 20) - 2, 'x') + "\"";  // exactly 1 MiB of JSON
  r.events[0].payload = big;
  CHECK(log->Append(r).ok());
  r.events[0].payload = "\"" + std::string((1 << 20) - 1, 'x') + "\"";
  auto res = log->Append(r);
  CHECK(res.status().IsInvalidArgument());
  CHECK(res.status().field() == "events[0].payload");
}

TEST_CASE("expected versions parse from their text forms", "[engine][validation]") {
  CHECK(ExpectedVersion::Parse("any")->kind() == ExpectedVersion::Kind::kAny);
  CHECK(ExpectedVersion::Parse("no_stream")->kind() == ExpectedVersion::Kind::kNoStream);
  CHECK(ExpectedVersion::Parse("0")->kind() == ExpectedVersion::Kind::kNoStream);
  CHECK(ExpectedVersion::Parse("stream_exists")->kind() == ExpectedVersion::Kind::kStreamExists);
  auto v = ExpectedVersion::Parse("17");
  REQUIRE(v.ok());
  CHECK(v->kind() == ExpectedVersion::Kind::kExact);
  CHECK(v->version() == 17);
  for (const char* bad : {"", "-1", "latest", "1.5", "99999999999999999999999", " 1"}) {
    auto p = ExpectedVersion::Parse(bad);
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().field() == "expected_version");
  }
}

TEST_CASE("UTF-8 validation accepts text and refuses broken sequences", "[engine][validation]") {
  using detail::IsValidUtf8;
  CHECK(IsValidUtf8("plain"));
  CHECK(IsValidUtf8("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80"));
  CHECK_FALSE(IsValidUtf8("\xc3"));           // truncated
  CHECK_FALSE(IsValidUtf8("\xc0\xaf"));       // overlong
  CHECK_FALSE(IsValidUtf8("\xed\xa0\x80"));   // surrogate
  CHECK_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(IsValidUtf8("\x80"));
}
