// A damaged or tampered value is detected by verify and by reads, and never crashes.
#include <rocksdb/db.h>

#include <functional>

#include "engine/detail/codec.hpp"
#include "tests/engine/test_util.hpp"

using namespace casetrail;
using namespace casetrail::testing;

namespace {

// Raw access to the log's RocksDB, as an attacker or a failing disk would have.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const char* n : {"default", "events", "streams", "stream_meta", "ids", "checkpoints",
                          "projections"}) {
      cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    }
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), path, cfs, &cf_, &raw).ok());
    db_.reset(raw);
  }
  ~RawDb() {
    for (auto* h : cf_) db_->DestroyColumnFamilyHandle(h);
    db_->Close();
  }
  std::string GetEvent(std::uint64_t pos) {
    std::string v;
    REQUIRE(db_->Get({}, cf_[1], detail::PositionKey(pos), &v).ok());
    return v;
  }
  void PutEvent(std::uint64_t pos, const std::string& v) {
    REQUIRE(db_->Put({}, cf_[1], detail::PositionKey(pos), v).ok());
  }
  void DeleteEvent(std::uint64_t pos) {
    REQUIRE(db_->Delete({}, cf_[1], detail::PositionKey(pos)).ok());
  }
  void PutIndex(const std::string& stream, std::uint64_t version, std::uint64_t pos) {
    REQUIRE(db_->Put({}, cf_[2], detail::StreamIndexKey(stream, version), detail::PositionKey(pos)).ok());
  }
  void DeleteIndex(const std::string& stream, std::uint64_t version) {
    REQUIRE(db_->Delete({}, cf_[2], detail::StreamIndexKey(stream, version)).ok());
  }
  detail::StreamMeta GetMeta(const std::string& stream) {
    std::string v;
    REQUIRE(db_->Get({}, cf_[3], stream, &v).ok());
    detail::StreamMeta m;
    REQUIRE(detail::DecodeStreamMeta(v, &m).ok());
    return m;
  }
  void PutMeta(const std::string& stream, const detail::StreamMeta& m) {
    REQUIRE(db_->Put({}, cf_[3], stream, detail::EncodeStreamMeta(m)).ok());
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cf_;
};

void WriteHistory(const std::string& dir) {
  auto log = std::move(OpenRocksEventLog(dir)).value();
  for (int i = 0; i < 6; ++i) {
    REQUIRE(log->Append(One(i % 2 ? "child-b" : "child-a")).ok());
  }
}

// A stored event with its payload rewritten and encoded again as the store would (a right
// checksum and a right hash of the new contents, the same prev_hash).
std::string Reencoded(const std::string& stored, std::string_view payload) {
  EventView ev;
  REQUIRE(detail::DecodeEvent(stored, &ev).ok());
  Hash256 prev;
  std::memcpy(prev.data(), ev.prev_hash, 32);
  detail::EncodeInput in{ev.position,   ev.version,    ev.occurred_at,  ev.recorded_at,
                         ev.schema_version, ev.stream, ev.type,         ev.event_id,
                         ev.command_id, ev.correlation_id, ev.causation_id, ev.actor_user,
                         ev.actor_role, ev.actor_team, ev.journey,      ev.episode,
                         ev.machine_fingerprint, ev.from_state, ev.to_state,
                         payload,       &prev};
  std::string forged;
  detail::EncodeEvent(in, &forged);
  return forged;
}

// Verifies a damaged log: verify itself succeeds and reports the damage.
VerifyReport VerifyFails(EventLog& log) {
  auto rep = log.Verify();
  REQUIRE(rep.ok());
  CHECK_FALSE(rep->ok);
  return *rep;
}

// Writes the history, damages it with raw access, and verifies the damaged log.
VerifyReport VerifyAfterDamage(const std::function<void(RawDb&)>& damage) {
  TempDir dir;
  WriteHistory(dir.str());
  {
    RawDb raw(dir.str());
    damage(raw);
  }
  auto log = std::move(OpenRocksEventLog(dir.str())).value();
  return VerifyFails(*log);
}

}  // namespace

TEST_CASE("a flipped byte in a stored event is reported by verify and by reads",
          "[engine][corruption]") {
  TempDir dir;
  WriteHistory(dir.str());
  {
    RawDb raw(dir.str());
    std::string v = raw.GetEvent(3);  // child-a, version 2
    v[v.size() / 2] = static_cast<char>(v[v.size() / 2] ^ 0x10);
    raw.PutEvent(3, v);
  }
  auto log = std::move(OpenRocksEventLog(dir.str())).value();
  const VerifyReport rep = VerifyFails(*log);
  CHECK(rep.broken_position == 3);
  CHECK_THAT(rep.reason, Catch::Contains("checksum"));

  auto one = log->ReadPosition(3);
  REQUIRE(one.status().IsCorruption());
  CHECK_THAT(one.status().message(), Catch::Contains("position 3"));
  CHECK(log->ReadStream("child-a", 1, Direction::kForward, 10).status().IsCorruption());
  int seen = 0;
  auto all = log->ReadAll({}, [&](const EventView&) {
    ++seen;
    return true;
  });
  CHECK(all.IsCorruption());
  CHECK(seen == 2);  // the events before the damage were delivered, nothing after it
  // Undamaged streams stay readable.
  CHECK(log->ReadStream("child-b", 1, Direction::kForward, 10).ok());
}

TEST_CASE("a tampered event with a recomputed checksum breaks the hash chain",
          "[engine][corruption]") {
  TempDir dir;
  WriteHistory(dir.str());
  {
    RawDb raw(dir.str());
    // child-b, version 2. The checksum and the event's own hash are right again, but the next
    // event of the stream still points at the original hash.
    raw.PutEvent(4, Reencoded(raw.GetEvent(4), R"({"note":"rewritten"})"));
  }
  auto log = std::move(OpenRocksEventLog(dir.str())).value();
  CHECK(log->ReadPosition(4).ok());  // the checksum is consistent: reads cannot tell
  const VerifyReport rep = VerifyFails(*log);
  CHECK(rep.broken_stream == "child-b");
  CHECK(rep.broken_version == 3);
  CHECK(rep.broken_position == 6);
  CHECK_THAT(rep.reason, Catch::Contains("prev_hash"));
}

TEST_CASE("a forged hash on a tampered event is caught by recomputing it", "[engine][corruption]") {
  const VerifyReport rep = VerifyAfterDamage([](RawDb& raw) {
    std::string v = raw.GetEvent(6);  // the last event of child-b: nothing chains after it
    // Change a payload byte and fix only the CRC, keeping the stored hash.
    auto at = v.find("\"x\"");
    REQUIRE(at != std::string::npos);
    v[at + 1] = 'y';
    std::uint32_t crc = detail::Crc32c(v.data() + 5, v.size() - 5);
    for (int i = 0; i < 4; ++i) v[1 + i] = static_cast<char>(crc >> (8 * i));
    raw.PutEvent(6, v);
  });
  CHECK(rep.broken_position == 6);
  CHECK_THAT(rep.reason, Catch::Contains("hash does not match"));
}

TEST_CASE("a deleted event is reported as a gap", "[engine][corruption]") {
  TempDir dir;
  WriteHistory(dir.str());
  {
    RawDb raw(dir.str());
    raw.DeleteEvent(2);
  }
  auto log = std::move(OpenRocksEventLog(dir.str())).value();
  const VerifyReport rep = VerifyFails(*log);
  CHECK(rep.broken_position == 2);
  CHECK_THAT(rep.reason, Catch::Contains("missing"));
  CHECK(log->ReadPosition(2).status().IsCorruption());
  CHECK(log->ReadAll({}, [](const EventView&) { return true; }).IsCorruption());
}

// Verify's later passes: the stream index and the streams' metadata must agree with the events,
// and a failure names the position involved (WriteHistory: child-a at 1, 3, 5; child-b at 2, 4, 6).

TEST_CASE("verify names the position when a stream index entry points at another event", "[engine][corruption]") {
  const VerifyReport rep = VerifyAfterDamage([](RawDb& raw) {
    raw.PutIndex("child-a", 2, 5);  // version 2 is at position 3
  });
  CHECK(rep.broken_stream == "child-a");
  CHECK(rep.broken_version == 2);
  CHECK(rep.broken_position == 3);
  CHECK_THAT(rep.reason, Catch::Contains("stream index") && Catch::Contains("position 5"));
}

TEST_CASE("verify names the position when a stream index entry is missing", "[engine][corruption]") {
  const VerifyReport rep = VerifyAfterDamage([](RawDb& raw) {
    raw.DeleteIndex("child-b", 2);
  });
  CHECK(rep.broken_stream == "child-b");
  CHECK(rep.broken_version == 2);
  CHECK(rep.broken_position == 4);
  CHECK_THAT(rep.reason, Catch::Contains("no entry for version 2"));
}

TEST_CASE("verify names the position when a stream's recorded last version is wrong", "[engine][corruption]") {
  const VerifyReport rep = VerifyAfterDamage([](RawDb& raw) {
    detail::StreamMeta m = raw.GetMeta("child-a");
    REQUIRE(m.last_version == 3);
    m.last_version = 2;
    raw.PutMeta("child-a", m);
  });
  CHECK(rep.broken_stream == "child-a");
  CHECK(rep.broken_version == 3);
  CHECK(rep.broken_position == 5);
  CHECK_THAT(rep.reason, Catch::Contains("last version 2"));
}

TEST_CASE("verify names the position when a stream's recorded head hash is wrong", "[engine][corruption]") {
  const VerifyReport rep = VerifyAfterDamage([](RawDb& raw) {
    detail::StreamMeta m = raw.GetMeta("child-b");
    m.head_hash[0] ^= 0x01;
    raw.PutMeta("child-b", m);
  });
  CHECK(rep.broken_stream == "child-b");
  CHECK(rep.broken_position == 6);
  CHECK_THAT(rep.reason, Catch::Contains("head hash"));
}

TEST_CASE("verify names the position when the log's last event is deleted", "[engine][corruption]") {
  const VerifyReport rep = VerifyAfterDamage([](RawDb& raw) {
    raw.DeleteEvent(6);  // the log now ends at 5, and nothing in the events says 6 ever existed
  });
  CHECK(rep.broken_stream == "child-b");
  CHECK(rep.broken_version == 3);
  CHECK(rep.broken_position == 6);
  CHECK_THAT(rep.reason, Catch::Contains("missing"));
}

TEST_CASE("verify names the position when a stream's newest event is re-encoded with a new hash",
          "[engine][corruption]") {
  TempDir dir;
  WriteHistory(dir.str());
  {
    RawDb raw(dir.str());
    // child-b, version 3: nothing chains after it. A consistent forgery: checksum, own hash and
    // prev_hash all right; only the stream's recorded head hash still holds the original.
    raw.PutEvent(6, Reencoded(raw.GetEvent(6), R"({"note":"rewritten"})"));
  }
  auto log = std::move(OpenRocksEventLog(dir.str())).value();
  CHECK(log->ReadPosition(6).ok());
  const VerifyReport rep = VerifyFails(*log);
  CHECK(rep.broken_stream == "child-b");
  CHECK(rep.broken_version == 3);
  CHECK(rep.broken_position == 6);
  CHECK_THAT(rep.reason, Catch::Contains("head hash"));
}
