#include "replay/fold.hpp"

#include <nlohmann/json.hpp>

#include "replay/event_helpers.hpp"
#include "workflows/detail/saved_fields.hpp"
#include "workflows/registry.hpp"
#include "engine/hash.hpp"

#include <algorithm>
#include <sstream>

namespace casetrail::replay {
namespace {

using nlohmann::json;

std::map<std::string, std::string> StringsOf(const json& j) {
  std::map<std::string, std::string> out;
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it->is_string()) out[it.key()] = it->get<std::string>();
  }
  return out;
}

}  // namespace

bool IsCorrection(std::string_view type) { return type == kRecordCorrected || type == kRecordWithdrawn; }

bool IsActionEvent(const RecordedEvent& e) {
  if (e.type.rfind("deadline.", 0) == 0 || e.type.rfind("flag.", 0) == 0) return false;
  if (IsCorrection(e.type)) return false;
  return !IsDerivedPayload(e.payload);
}

std::map<std::uint64_t, Correction> CorrectionsIn(const std::vector<RecordedEvent>& events,
                                                  TimestampUs recorded_by) {
  std::map<std::uint64_t, Correction> out;
  for (const auto& e : events) {
    if (!IsCorrection(e.type) || e.recorded_at > recorded_by) continue;
    json p = json::parse(e.payload, nullptr, false);
    if (!p.is_object() || !p.contains("target_version")) continue;
    Correction c;
    c.version = e.version;
    c.recorded_at = e.recorded_at;
    c.withdrawn = e.type == kRecordWithdrawn;
    c.reason = p.value("reason", "");
    c.by = e.actor.user + " (" + e.actor.role + ")";
    if (!c.withdrawn && p.contains("after") && p["after"].is_object()) {
      c.occurred_at = p["after"].value("occurred_at_us", std::int64_t{0});
      c.params = StringsOf(p["after"].value("params", json::object()));
    }
    if (!p["target_version"].is_number_unsigned()) continue;
    out[p["target_version"].get<std::uint64_t>()] = std::move(c);
  }
  return out;
}

workflows::Action ActionOf(const RecordedEvent& e) {
  workflows::Action a;
  a.name = e.type;
  a.occurred_at_us = e.occurred_at;
  a.role = e.actor.role;
  json payload = json::parse(e.payload, nullptr, false);
  if (payload.is_object() && payload.contains("params")) a.params = StringsOf(payload["params"]);
  return a;
}

Status Fold(workflows::Case& c, const std::vector<RecordedEvent>& events, std::size_t from,
            const std::map<std::uint64_t, Correction>& corrections, const FoldOptions& o) {
  for (std::size_t i = from; i < events.size(); ++i) {
    const RecordedEvent& e = events[i];
    if (e.recorded_at > o.recorded_by) break;  // recorded_at never decreases along the log
    if (!IsActionEvent(e)) continue;
    FoldStep step;
    step.event = &e;
    step.action = ActionOf(e);
    if (auto it = corrections.find(e.version); it != corrections.end()) {
      step.correction = &it->second;
      if (it->second.withdrawn) continue;
      step.action.occurred_at_us = it->second.occurred_at;
      step.action.params = it->second.params;
    }
    if (step.action.occurred_at_us > o.occurred_by) continue;
    step.verdict = c.Apply(step.action);
    if (!step.verdict.accepted()) {
      if (!o.skip_refused) {
        return Status::Corruption("replay of " + e.stream + " diverged at version " +
                                  std::to_string(e.version) + " ('" + e.type +
                                  "'): " + step.verdict.verdict.reason);
      }
      if (o.on_refused) o.on_refused(step);
      continue;
    }
    if (o.on_step) o.on_step(step);
  }
  return Status::Ok();
}

std::vector<std::string> CorrectionRoles(const workflows::Case& c, const std::string& action) {
  for (const auto& [name, state] : c.States()) {
    for (const auto& p : c.journey(name).Permissions()) {
      if (p.action != action) continue;
      std::vector<std::string> roles;
      for (const auto& r : p.roles) {
        if (r != workflows::kSystemRole) roles.push_back(r);
      }
      bool manager = false;
      for (const auto& r : roles) manager |= (r == "team_manager");
      if (!manager) roles.push_back("team_manager");
      return roles;
    }
  }
  return {};
}

// ---- snapshots ------------------------------------------------------------------------------

std::string StreamOf(const std::string& child_id) { return "child-" + child_id; }

namespace {

std::string IndexName(const std::string& child) { return "case." + child; }
std::string SnapshotName(const std::string& child, std::uint64_t v) {
  return "case." + child + "@" + std::to_string(v);
}

// What a snapshot was made with: the rule book and every transition table.
const std::string& TablesFingerprint() {
  static const std::string fp = [] {
    std::string all;
    for (const auto& kind : workflows::Journeys()) {
      all += kind.make(workflows::RuleBook::Default())->Table().fingerprint;
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
                    const workflows::RuleBook& rules) {
  workflows::detail::FieldWriter w;
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
                                      const SnapshotRef& ref, const workflows::RuleBook& rules) {
  auto text = log.GetSnapshot(SnapshotName(child_id, ref.version));
  if (!text.ok()) return std::nullopt;
  workflows::detail::FieldReader r(*text);
  if (!r.ok()) return std::nullopt;
  const std::string* rf = r.Find("rules");
  const std::string* tf = r.Find("tables");
  const std::string* case_text = r.Find("case");
  if (!rf || *rf != rules.Fingerprint() || !tf || *tf != TablesFingerprint() || !case_text) {
    return std::nullopt;
  }
  auto c = workflows::Case::Load(*case_text, rules);
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

void Track(CaseState& s, const FoldStep& step) {
  s.max_occurred = std::max(s.max_occurred, step.action.occurred_at_us);
  s.segment_min = std::min(s.segment_min, step.action.occurred_at_us);
  for (const auto& f : step.verdict.verdict.flags_raised) s.flags.push_back(f);
  for (const auto& k : step.verdict.consequences) {
    for (const auto& f : k.verdict.flags_raised) s.flags.push_back(f);
  }
}

Result<CaseState> LoadCase(EventLog& log, const std::string& child_id, const workflows::RuleBook& rules,
                           FoldOptions options, bool use_snapshots) {
  CaseState state{workflows::Case(rules)};
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

}  // namespace casetrail::replay
