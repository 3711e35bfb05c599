// EventLog::Verify over any storage: three passes that check the log's events, the stream index
// and the stream metadata against each other, and name the first damaged position.
#include "engine/detail/verify.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <unordered_map>

#include "engine/detail/codec.hpp"

namespace casetrail::detail {
namespace {

// Mixes (version, position) into a per-stream fingerprint so that the stream index can be
// checked against the events with one sequential scan of each and O(streams) memory.
std::uint64_t MixIndexEntry(std::uint64_t version, std::uint64_t position) {
  std::uint64_t x = version * 0x9E3779B97F4A7C15ull ^ (position + 0x632BE59BD9B4E019ull);
  x ^= x >> 31;
  x *= 0xD6E8FEB86659FD93ull;
  x ^= x >> 32;
  return x;
}

// Pass 2 of Verify found that `stream`'s index entries are not those of its events: finds the
// first version whose entry is wrong, missing or extra, and reports it with a position. Scans the
// log once more (a verify that fails can afford it).
Status LocateIndexDamage(
    Storage& storage, const std::string& stream, std::uint64_t last_version, std::uint64_t head,
    const std::function<void(std::string_view, std::uint64_t, std::uint64_t, std::string)>& fail) {
  std::vector<std::uint64_t> events(last_version + 1, 0);  // version -> position
  Status s = storage.ScanEvents(1, UINT64_MAX, [&](std::uint64_t pos, std::string_view bytes) {
    EventView v;
    if (DecodeEvent(bytes, &v).ok() && v.stream == stream && v.version <= last_version) events[v.version] = pos;
    return true;
  });
  if (!s.ok()) return s;
  std::map<std::uint64_t, std::uint64_t> index;  // version -> position
  s = storage.ScanStream(stream, 0, Direction::kForward, [&](std::uint64_t ver, std::uint64_t pos) {
    index.emplace(ver, pos);
    return true;
  });
  if (!s.ok()) return s;
  const std::uint64_t top = std::max(last_version, index.empty() ? 0 : index.rbegin()->first);
  for (std::uint64_t ver = index.empty() ? 1 : std::min<std::uint64_t>(1, index.begin()->first); ver <= top; ++ver) {
    const std::string v = std::to_string(ver);
    auto it = index.find(ver);
    const std::uint64_t actual = ver >= 1 && ver <= last_version ? events[ver] : 0;
    if (it == index.end()) {
      fail(stream, ver, actual, "stream index has no entry for version " + v + " (the event is at position " +
                                    std::to_string(actual) + ")");
      return Status::Ok();
    }
    if (actual == 0) {
      const std::string at = std::to_string(it->second);
      fail(stream, ver, it->second,
           it->second > head ? "stream index points version " + v + " at position " + at +
                                   ", past the log's last position " + std::to_string(head) +
                                   ": the event is missing"
                             : "stream index has an entry for version " + v + " at position " + at +
                                   ", but the stream has no such event");
      return Status::Ok();
    }
    if (it->second != actual) {
      fail(stream, ver, actual, "stream index points version " + v + " at position " + std::to_string(it->second) +
                                    ", but the event is at position " + std::to_string(actual));
      return Status::Ok();
    }
  }
  // Every entry matches: the fingerprints collided or changed under us; say so without a position.
  fail(stream, 0, 0, "stream index does not match the events of the stream");
  return Status::Ok();
}

}  // namespace

Result<VerifyReport> VerifyStorage(Storage& storage, std::uint64_t head) {
  struct Chain {
    std::uint64_t version = 0;
    std::uint64_t position = 0;
    Hash256 hash{};
    std::uint64_t index_fingerprint = 0;
    bool seen_in_meta = false;
  };
  VerifyReport rep;
  rep.head_position = head;
  std::unordered_map<std::string, Chain> chains;
  auto fail = [&rep](std::string_view stream, std::uint64_t version, std::uint64_t position,
                     std::string reason) {
    if (!rep.ok) return;
    rep.ok = false;
    rep.broken_stream.assign(stream);
    rep.broken_version = version;
    rep.broken_position = position;
    rep.reason = std::move(reason);
  };
  // Pass 1: every event in position order: present, readable, chained, hashed.
  std::uint64_t expected = 1;
  Status s = storage.ScanEvents(1, UINT64_MAX, [&](std::uint64_t pos, std::string_view bytes) {
    if (pos != expected) {
      fail("", 0, expected, "position " + std::to_string(expected) + " is missing (gap)");
      return false;
    }
    ++expected;
    ++rep.events_checked;
    EventView v;
    if (Status d = DecodeEvent(bytes, &v); !d.ok()) {
      fail("", 0, pos, "unreadable event: " + d.message());
      return false;
    }
    if (v.position != pos) {
      fail(v.stream, v.version, pos, "event records position " + std::to_string(v.position));
      return false;
    }
    Chain& c = chains[std::string(v.stream)];
    if (v.version != c.version + 1) {
      fail(v.stream, v.version, pos,
           "version " + std::to_string(v.version) + " follows version " +
               std::to_string(c.version));
      return false;
    }
    if (std::memcmp(v.prev_hash, c.hash.data(), kHashBytes) != 0) {
      fail(v.stream, v.version, pos, "prev_hash does not match the hash of the previous event");
      return false;
    }
    if (!HashMatches(bytes)) {
      fail(v.stream, v.version, pos, "hash does not match the event's contents");
      return false;
    }
    c.version = v.version;
    c.position = pos;
    std::memcpy(c.hash.data(), v.hash, kHashBytes);
    c.index_fingerprint ^= MixIndexEntry(v.version, pos);
    return true;
  });
  if (!s.ok()) return s;
  if (rep.ok && expected - 1 != rep.head_position && expected - 1 < rep.head_position) {
    fail("", 0, expected, "log ends at position " + std::to_string(expected - 1) +
                              " but the head is " + std::to_string(rep.head_position));
  }
  rep.streams_checked = chains.size();
  if (!rep.ok) return rep;
  // Pass 2: the stream index holds exactly the (version, position) pairs of the events.
  std::unordered_map<std::string, std::uint64_t> index_fp;
  s = storage.ScanStreamIndex([&](std::string_view stream, std::uint64_t ver, std::uint64_t pos) {
    index_fp[std::string(stream)] ^= MixIndexEntry(ver, pos);
    return true;
  });
  if (!s.ok()) return s;
  for (auto& [stream, fp] : index_fp) {
    auto it = chains.find(stream);
    if (it == chains.end() || it->second.index_fingerprint != fp) {
      const std::uint64_t last = it == chains.end() ? 0 : it->second.version;
      if (Status located = LocateIndexDamage(storage, stream, last, rep.head_position, fail); !located.ok()) return located;
      return rep;
    }
  }
  if (index_fp.size() != chains.size()) {
    for (auto& [stream, c] : chains) {
      if (!index_fp.count(stream)) {
        fail(stream, c.version, c.position, "stream has events but no index entries");
        return rep;
      }
    }
  }
  // Pass 3: stream metadata (last version, last position, chain head) matches the events.
  s = storage.ScanStreamMetas([&](std::string_view stream, const StreamMeta& m) {
    auto it = chains.find(std::string(stream));
    if (it == chains.end()) {
      fail(stream, m.last_version, m.last_position, "stream metadata for a stream with no events");
      return false;
    }
    Chain& c = it->second;
    c.seen_in_meta = true;
    if (m.last_version != c.version || m.last_position != c.position) {
      fail(stream, c.version, c.position,
           "stream metadata (last version " + std::to_string(m.last_version) + " at position " +
               std::to_string(m.last_position) + ") disagrees with the events (last version " +
               std::to_string(c.version) + " at position " + std::to_string(c.position) + ")");
      return false;
    }
    if (m.head_hash != c.hash) {
      fail(stream, c.version, c.position,
           "stream metadata's head hash " + HexOf(m.head_hash) + " is not the hash of the stream's last event (" +
               HexOf(c.hash) + ")");
      return false;
    }
    return true;
  });
  if (!s.ok()) return s;
  if (rep.ok) {
    for (auto& [stream, c] : chains) {
      if (!c.seen_in_meta) {
        fail(stream, c.version, c.position, "stream has events but no metadata");
        break;
      }
    }
  }
  return rep;
}

}  // namespace casetrail::detail
