#include "workflows/snapshots.hpp"

#include <algorithm>
#include <sstream>

#include "engine/hash.hpp"
#include "workflows/detail/saved_fields.hpp"
#include "workflows/registry.hpp"

namespace casetrail::workflows {

namespace {

std::string IndexName(const std::string& child) { return "case." + child; }
std::string SnapshotName(const std::string& child, std::uint64_t v) {
  return "case." + child + "@" + std::to_string(v);
}

// What a snapshot was made with: the rule book and every transition table.
const std::string& TablesFingerprint() {
  static const std::string fp = [] {
    std::string all;
    for (const auto& kind : Journeys()) {
      all += kind.make(RuleBook::Default())->Table().fingerprint;
    }
    return Sha256Hex(all);
  }();
  return fp;
}

std::string FormatIndex(const std::vector<SnapshotRef>& refs) {
  std::string out;
  for (const auto& r : refs) {
    out += std::to_string(r.version) + " " + std::to_string(r.recorded_at) + " " +
           std::to_string(r.max_occurred) + " " + std::to_string(r.segment_min) + "\n";
  }
  return out;
}

}  // namespace

Result<std::vector<SnapshotRef>> SnapshotIndex(EventLog& log, const std::string& child_id) {
  std::vector<SnapshotRef> out;
  auto text = log.GetSnapshot(IndexName(child_id));
  if (!text.ok()) {
    if (text.status().IsNotFound()) return out;
    return text.status();
  }
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    SnapshotRef r;
    if (!(fields >> r.version >> r.recorded_at >> r.max_occurred)) continue;
    if (!(fields >> r.segment_min)) r.segment_min = INT64_MIN;  // unknown: never skipped
    out.push_back(r);
  }
  return out;
}

Status SaveSnapshot(EventLog& log, const std::string& child_id, const CaseState& s,
                    const RuleBook& rules) {
  detail::FieldWriter w;
  w.Raw("rules", rules.Fingerprint());
  w.Raw("tables", TablesFingerprint());
  w("version", static_cast<std::int64_t>(s.version));
  w("recorded_at", s.recorded_at);
  w("max_occurred", s.max_occurred);
  w("flags", static_cast<int>(s.flags.size()));
  for (std::size_t i = 0; i < s.flags.size(); ++i) w.Raw("flag." + std::to_string(i), s.flags[i]);
  w.Raw("case", s.c.Save());
  if (Status st = log.PutSnapshot(SnapshotName(child_id, s.version), std::move(w).str()); !st.ok()) return st;
  auto index = SnapshotIndex(log, child_id);
  if (!index.ok()) return index.status();
  std::vector<SnapshotRef> refs;
  for (const auto& r : *index) {
    if (r.version < s.version) refs.push_back(r);
  }
  refs.push_back({s.version, s.recorded_at, s.max_occurred, s.segment_min});
  return log.PutSnapshot(IndexName(child_id), FormatIndex(refs));
}

std::optional<CaseState> LoadSnapshot(EventLog& log, const std::string& child_id,
                                      const SnapshotRef& ref, const RuleBook& rules) {
  auto text = log.GetSnapshot(SnapshotName(child_id, ref.version));
  if (!text.ok()) return std::nullopt;
  detail::FieldReader r(*text);
  if (!r.ok()) return std::nullopt;
  const std::string* rf = r.Find("rules");
  const std::string* tf = r.Find("tables");
  const std::string* case_text = r.Find("case");
  if (!rf || *rf != rules.Fingerprint() || !tf || *tf != TablesFingerprint() || !case_text) {
    return std::nullopt;
  }
  auto c = Case::Load(*case_text, rules);
  if (!c.ok()) return std::nullopt;
  CaseState s{std::move(c).value()};
  std::int64_t version = 0;
  int flags = 0;
  r("version", version);
  r("recorded_at", s.recorded_at);
  r("max_occurred", s.max_occurred);
  r("flags", flags);
  for (int i = 0; i < flags; ++i) {
    std::string f;
    r(("flag." + std::to_string(i)).c_str(), f);
    s.flags.push_back(std::move(f));
  }
  if (!r.ok() || static_cast<std::uint64_t>(version) != ref.version) return std::nullopt;
  s.version = ref.version;
  s.snapshot_version = ref.version;
  return s;
}

Status DropSnapshotsFrom(EventLog& log, const std::string& child_id, std::uint64_t version) {
  auto index = SnapshotIndex(log, child_id);
  if (!index.ok()) return index.status();
  std::vector<SnapshotRef> keep;
  for (const auto& r : *index) {
    if (r.version < version) keep.push_back(r);
  }
  if (keep.size() == index->size()) return Status::Ok();
  return log.PutSnapshot(IndexName(child_id), FormatIndex(keep));
}

Result<CaseState> LoadCase(EventLog& log, const std::string& child_id, const RuleBook& rules,
                           FoldOptions options, bool use_snapshots) {
  CaseState state{Case(rules)};
  const TimestampUs x = options.occurred_by, y = options.recorded_by;
  std::vector<SnapshotRef> index;
  if (use_snapshots) {
    auto read = SnapshotIndex(log, child_id);
    if (!read.ok()) return read.status();
    index = std::move(read).value();
    for (auto it = index.rbegin(); it != index.rend(); ++it) {
      if (it->recorded_at > y || it->max_occurred > x) continue;
      if (auto s = LoadSnapshot(log, child_id, *it, rules)) {
        state = std::move(*s);
        break;
      }
    }
  }
  const std::string stream = StreamOf(child_id);
  std::vector<RecordedEvent> events;
  std::uint64_t cursor = state.version + 1;
  std::uint64_t last_seen = state.version;  // the last version recorded by Y (read or skipped)
  TimestampUs last_recorded = state.recorded_at;
  auto read = [&](std::uint64_t from, std::size_t count) -> Result<bool> {  // false: past Y or the end
    auto chunk = log.ReadStream(stream, from, Direction::kForward, count);
    if (!chunk.ok()) {
      if (chunk.status().IsNotFound() && (state.version > 0 || from > 1)) return false;
      return chunk.status();
    }
    for (auto& e : *chunk) {
      if (e.recorded_at > y) return false;
      last_seen = e.version;
      last_recorded = e.recorded_at;
      events.push_back(std::move(e));
    }
    return chunk->size() == count;
  };
  // Segments between later snapshots, recorded by Y: skipped whole when none of their actions
  // happened by X (the events read are then only those that can matter).
  bool more = true;
  for (const auto& ref : index) {
    if (!more || ref.version < cursor || ref.recorded_at > y) continue;
    if (ref.segment_min > x) {
      cursor = ref.version + 1;
      last_seen = ref.version;
      last_recorded = ref.recorded_at;
      continue;
    }
    auto r = read(cursor, static_cast<std::size_t>(ref.version - cursor + 1));
    if (!r.ok()) return r.status();
    more = *r;
    cursor = ref.version + 1;
  }
  // The tail, in chunks, until an event recorded after Y (or the end).
  const std::size_t chunk = y == INT64_MAX ? SIZE_MAX : 128;
  while (more) {
    auto r = read(cursor, chunk);
    if (!r.ok()) return r.status();
    more = *r;
    cursor = last_seen + 1;
  }
  state.events_read = events.size();
  auto user_step = options.on_step;
  options.on_step = [&](const FoldStep& step) {
    Track(state, step);
    if (user_step) user_step(step);
  };
  if (Status s = Fold(state.c, events, 0, CorrectionsIn(events, y), options); !s.ok()) return s;
  state.version = last_seen;
  state.recorded_at = last_recorded;
  return state;
}

}  // namespace casetrail::workflows
