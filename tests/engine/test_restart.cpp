// What must survive close and reopen: events, head, chain heads, idempotency, checkpoints.
#include "tests/engine/test_util.hpp"

using namespace casetrail;
using namespace casetrail::testing;

TEST_CASE("head, chain heads, idempotency and checkpoints survive a restart", "[engine][restart]") {
  TempDir dir;
  AppendResult first;
  Hash256 head_hash{};
  {
    auto log = std::move(OpenRocksEventLog(dir.str())).value();
    auto a = log->Append(Append("child-1", {Event("a.x", "{}", "ev-1")}, ExpectedVersion::NoStream(),
                                "cmd-1"));
    REQUIRE(a.ok());
    first = *a;
    for (int i = 0; i < 9; ++i) REQUIRE(log->Append(One("child-" + std::to_string(i % 3))).ok());
    head_hash = log->GetStreamInfo("child-1")->head_hash;
    REQUIRE(log->SetCheckpoint("relay", 7).ok());
  }
  auto log = std::move(OpenRocksEventLog(dir.str())).value();
  CHECK(log->HeadPosition() == 10);
  auto info = log->GetStreamInfo("child-1");
  REQUIRE(info.ok());
  CHECK(info->last_version == 4);
  CHECK(info->head_hash == head_hash);
  CHECK(*log->GetCheckpoint("relay") == 7);

  auto by_command = log->Append(One("child-1", ExpectedVersion::NoStream(), "cmd-1"));
  // Same command id but a different request (no event id, other type): refused, not re-run.
  CHECK(by_command.status().IsConflict());
  auto retry = log->Append(
      Append("child-1", {Event("a.x", "{}", "ev-1")}, ExpectedVersion::NoStream(), "cmd-1"));
  REQUIRE(retry.ok());
  CHECK(retry->duplicate);
  CHECK(retry->first_position == first.first_position);
  CHECK(retry->recorded_at == first.recorded_at);
  auto by_event = log->Append(Append("child-1", {Event("a.x", "{}", "ev-1")}));
  REQUIRE(by_event.ok());
  CHECK(by_event->duplicate);
  CHECK(by_event->first_position == 1);

  // New appends continue the positions and the chain.
  auto next = log->Append(One("child-1", ExpectedVersion::Exact(4)));
  REQUIRE(next.ok());
  CHECK(next->first_position == 11);
  CHECK(next->first_version == 5);
  CHECK(log->ReadPosition(11)->prev_hash == head_hash);
  auto rep = log->Verify();
  REQUIRE(rep.ok());
  CHECK(rep->ok);
  CHECK(rep->events_checked == 11);
}

TEST_CASE("a second open of a live log is refused", "[engine][restart]") {
  TempDir dir;
  {
    auto log = std::move(OpenRocksEventLog(dir.str())).value();
    REQUIRE(log->Append(One("child-1")).ok());
  }
  // A second open while the first is alive is refused by RocksDB's lock file.
  auto first = OpenRocksEventLog(dir.str());
  REQUIRE(first.ok());
  auto second = OpenRocksEventLog(dir.str());
  CHECK_FALSE(second.ok());
  CHECK(second.status().IsIOError());
}
