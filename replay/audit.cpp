#include "replay/audit.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "replay/chronology_text.hpp"
#include "workflows/calendar.hpp"
#include "workflows/snapshots.hpp"
#include "workflows/registry.hpp"

namespace casetrail::replay {

// The write side's fold, as audit reads it.
using workflows::Correction;
using workflows::CorrectionsIn;
using workflows::FoldOptions;
using workflows::FoldStep;
using workflows::IsActionEvent;
using workflows::IsCorrection;
using workflows::kRecordWithdrawn;
using workflows::StreamOf;

namespace {

using nlohmann::json;

const char* EffectWord(workflows::DeadlineEffect::Kind k) {
  switch (k) {
    case workflows::DeadlineEffect::Kind::kScheduled: return "scheduled";
    case workflows::DeadlineEffect::Kind::kMet: return "met";
    case workflows::DeadlineEffect::Kind::kMetLate: return "met late";
    case workflows::DeadlineEffect::Kind::kCancelled: return "cancelled";
  }
  return "?";
}

void AddDeadlines(const workflows::Verdict& v, std::vector<std::string>* out) {
  for (const auto& d : v.deadlines) {
    std::string s = std::string(EffectWord(d.kind)) + " " + d.deadline.rule_id;
    s += d.kind == workflows::DeadlineEffect::Kind::kScheduled ? " due " : " (was due ";
    s += d.deadline.due_date.ToString();
    if (d.kind != workflows::DeadlineEffect::Kind::kScheduled) s += ")";
    out->push_back(std::move(s));
  }
}

Status CheckChild(const std::string& child_id) {
  if (child_id.empty()) return Status::InvalidArgument("child_id", "must not be empty");
  return Status::Ok();
}

}  // namespace

Result<ChildView> Audit::AsOf(const std::string& child_id, TimestampUs occurred_by,
                              TimestampUs recorded_by, bool with_chronology) {
  if (Status s = CheckChild(child_id); !s.ok()) return s;
  ChildView view;
  view.child_id = child_id;
  view.occurred_by = occurred_by;
  view.recorded_by = recorded_by;
  FoldOptions o;
  o.occurred_by = occurred_by;
  o.recorded_by = recorded_by;
  o.skip_refused = true;
  o.on_refused = [&](const FoldStep& step) {
    view.skipped.push_back({step.event->version, step.action.name, step.verdict.verdict.reason});
  };
  auto state = LoadCase(log_, child_id, rules_, o);
  if (!state.ok()) {
    if (state.status().IsNotFound()) return Status::NotFound("child '" + child_id + "' has no record");
    return state.status();
  }
  view.version = state->version;
  view.events_read = state->events_read;
  view.snapshot_version = state->snapshot_version;
  for (const auto& [journey, s] : state->c.States()) view.states[journey] = s;
  view.open_deadlines = state->c.OpenDeadlines();
  std::sort(view.open_deadlines.begin(), view.open_deadlines.end(),
            [](const auto& a, const auto& b) { return a.due_by_us < b.due_by_us; });
  view.flags = state->flags;
  if (with_chronology) {
    auto events = log_.ReadStream(StreamOf(child_id), 1, Direction::kForward, SIZE_MAX);
    if (!events.ok()) return events.status();
    view.events_read += events->size();
    const auto corrections = CorrectionsIn(*events, recorded_by);
    for (const auto& e : *events) {
      if (e.recorded_at > recorded_by) break;
      if (e.type == "deadline.scheduled" || e.type == "deadline.met" || e.type == "deadline.cancelled") continue;
      auto c = corrections.find(e.version);
      const Correction* corr = c == corrections.end() ? nullptr : &c->second;
      const TimestampUs at = corr && !corr->withdrawn ? corr->occurred_at : e.occurred_at;
      if (at > occurred_by) continue;
      ChronologyProjection::Entry en;
      en.occurred_at = at;
      en.recorded_at = e.recorded_at;
      en.position = e.position;
      en.version = e.version;
      en.recorded_by = e.actor.user + " (" + e.actor.role + ")";
      en.text = Describe(e.type, e.payload);
      if (corr) {
        en.original = en.text;
        en.original_at = e.occurred_at;
        en.text = corr->withdrawn ? WithdrawnText(en.original, corr->by, corr->reason)
                                  : CorrectedText(e.type, corr->params, en.original, e.occurred_at, corr->by,
                                                  corr->reason);
      }
      view.chronology.push_back(std::move(en));
    }
    std::stable_sort(view.chronology.begin(), view.chronology.end(), [](const auto& a, const auto& b) {
      return a.occurred_at != b.occurred_at ? a.occurred_at < b.occurred_at : a.position < b.position;
    });
  }
  return view;
}

Result<std::vector<TraceStep>> Audit::Explain(const std::string& child_id) {
  if (Status s = CheckChild(child_id); !s.ok()) return s;
  auto events = log_.ReadStream(StreamOf(child_id), 1, Direction::kForward, SIZE_MAX);
  if (!events.ok()) {
    if (events.status().IsNotFound()) return Status::NotFound("child '" + child_id + "' has no record");
    return events.status();
  }
  const auto corrections = CorrectionsIn(*events);
  std::vector<TraceStep> out;
  auto base = [](const RecordedEvent& e) {
    TraceStep t;
    t.version = e.version;
    t.position = e.position;
    t.occurred_at = e.occurred_at;
    t.recorded_at = e.recorded_at;
    t.action = e.type;
    t.actor = e.actor.user + " (" + e.actor.role + ", " + e.actor.team + ")";
    return t;
  };
  FoldOptions o;
  o.on_step = [&](const FoldStep& step) {
    TraceStep t = base(*step.event);
    t.occurred_at = step.action.occurred_at_us;
    t.journey = step.verdict.journey;
    t.from_state = step.verdict.verdict.from_state;
    t.to_state = step.verdict.verdict.to_state;
    t.guard = step.verdict.verdict.guard;
    AddDeadlines(step.verdict.verdict, &t.deadlines);
    t.flags = step.verdict.verdict.flags_raised;
    for (const auto& k : step.verdict.consequences) {
      if (!k.verdict.accepted) continue;
      t.consequences.push_back(k.rule + ": " + k.action + " (" + k.journey + ": " + k.verdict.from_state +
                               " -> " + k.verdict.to_state + ")");
      AddDeadlines(k.verdict, &t.deadlines);
      for (const auto& f : k.verdict.flags_raised) t.flags.push_back(f);
    }
    if (step.correction) {
      t.correction = "corrected by version " + std::to_string(step.correction->version) + " (" +
                     step.correction->by + "): " + step.correction->reason;
    }
    out.push_back(std::move(t));
  };
  workflows::Case c(rules_);
  if (Status s = Fold(c, *events, 0, corrections, o); !s.ok()) return s;
  for (const auto& e : *events) {
    auto it = corrections.find(e.version);
    if (IsCorrection(e.type)) {
      TraceStep t = base(e);
      json p = json::parse(e.payload, nullptr, false);
      t.journey = "case";
      t.correction = (e.type == kRecordWithdrawn ? "withdraws version " : "corrects version ") +
                     std::to_string(p.is_object() ? p.value("target_version", 0) : 0) + ": " +
                     (p.is_object() ? p.value("reason", "") : "");
      out.push_back(std::move(t));
    } else if (it != corrections.end() && it->second.withdrawn && IsActionEvent(e)) {
      TraceStep t = base(e);
      t.correction = "withdrawn by version " + std::to_string(it->second.version) + " (" + it->second.by +
                     "): " + it->second.reason;
      out.push_back(std::move(t));
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
  return out;
}

Result<std::string> Audit::Export(const std::string& child_id) {
  if (Status s = CheckChild(child_id); !s.ok()) return s;
  auto events = log_.ReadStream(StreamOf(child_id), 1, Direction::kForward, SIZE_MAX);
  if (!events.ok()) {
    if (events.status().IsNotFound()) return Status::NotFound("child '" + child_id + "' has no record");
    return events.status();
  }
  json tables = json::object();
  for (const auto& kind : workflows::Journeys()) tables[kind.name] = kind.make(rules_)->Table().fingerprint;
  json list = json::array();
  for (const auto& e : *events) {
    list.push_back({{"position", e.position},
                    {"stream", e.stream},
                    {"version", e.version},
                    {"type", e.type},
                    {"schema_version", e.schema_version},
                    {"event_id", e.event_id},
                    {"command_id", e.command_id},
                    {"correlation_id", e.correlation_id},
                    {"causation_id", e.causation_id},
                    {"occurred_at_us", e.occurred_at},
                    {"recorded_at_us", e.recorded_at},
                    {"actor", {{"user", e.actor.user}, {"role", e.actor.role}, {"team", e.actor.team}}},
                    {"journey", e.journey},
                    {"episode", e.episode},
                    {"machine_fingerprint", e.machine_fingerprint},
                    {"from_state", e.from_state},
                    {"to_state", e.to_state},
                    {"payload", e.payload},
                    {"prev_hash", HexOf(e.prev_hash)},
                    {"hash", HexOf(e.hash)}});
  }
  const RecordedEvent& last = events->back();
  json bundle = {{"format", "casetrail-bundle-1"},
                 {"child_id", child_id},
                 {"stream", StreamOf(child_id)},
                 {"head", {{"version", last.version}, {"position", last.position}, {"hash", HexOf(last.hash)}}},
                 {"calendar_version", workflows::Calendar::EnglandAndWales().version()},
                 {"rules_fingerprint", rules_.Fingerprint()},
                 {"table_fingerprints", tables},
                 {"hash", "SHA-256 over the encoded event (docs/event-log-format.md), chained by prev_hash"},
                 {"events", list}};
  return bundle.dump(1);
}

namespace {

bool FromHex(const std::string& hex, Hash256* out) {
  if (hex.size() != 64) return false;
  for (std::size_t i = 0; i < 32; ++i) {
    unsigned v = 0;
    for (int k = 0; k < 2; ++k) {
      const char ch = hex[2 * i + k];
      v <<= 4;
      if (ch >= '0' && ch <= '9') v |= static_cast<unsigned>(ch - '0');
      else if (ch >= 'a' && ch <= 'f') v |= static_cast<unsigned>(ch - 'a' + 10);
      else return false;
    }
    (*out)[i] = static_cast<std::uint8_t>(v);
  }
  return true;
}

}  // namespace

BundleReport Audit::VerifyBundle(std::string_view text) {
  BundleReport r;
  json b = json::parse(text, nullptr, false);
  auto fail = [&](std::string why) {
    r.ok = false;
    r.reason = std::move(why);
    return r;
  };
  if (!b.is_object() || b.value("format", "") != "casetrail-bundle-1") {
    return fail("not a casetrail bundle (format casetrail-bundle-1)");
  }
  r.child_id = b.value("child_id", "");
  if (!b.contains("events") || !b["events"].is_array() || b["events"].empty()) return fail("the bundle has no events");
  Hash256 prev{};
  std::uint64_t expect_version = 1;
  for (const json& j : b["events"]) {
    RecordedEvent e;
    try {
      e.position = j.at("position").get<std::uint64_t>();
      e.stream = j.at("stream").get<std::string>();
      e.version = j.at("version").get<std::uint64_t>();
      e.type = j.at("type").get<std::string>();
      e.schema_version = j.at("schema_version").get<std::uint32_t>();
      e.event_id = j.at("event_id").get<std::string>();
      e.command_id = j.at("command_id").get<std::string>();
      e.correlation_id = j.at("correlation_id").get<std::string>();
      e.causation_id = j.at("causation_id").get<std::string>();
      e.occurred_at = j.at("occurred_at_us").get<TimestampUs>();
      e.recorded_at = j.at("recorded_at_us").get<TimestampUs>();
      e.actor = {j.at("actor").at("user").get<std::string>(), j.at("actor").at("role").get<std::string>(),
                 j.at("actor").at("team").get<std::string>()};
      e.journey = j.at("journey").get<std::string>();
      e.episode = j.at("episode").get<std::string>();
      e.machine_fingerprint = j.at("machine_fingerprint").get<std::string>();
      e.from_state = j.at("from_state").get<std::string>();
      e.to_state = j.at("to_state").get<std::string>();
      e.payload = j.at("payload").get<std::string>();
      if (!FromHex(j.at("prev_hash").get<std::string>(), &e.prev_hash) ||
          !FromHex(j.at("hash").get<std::string>(), &e.hash)) {
        return fail("event " + std::to_string(r.events + 1) + ": a hash is not 64 lower-case hex digits");
      }
    } catch (const std::exception& ex) {
      return fail("event " + std::to_string(r.events + 1) + ": " + ex.what());
    }
    const std::string where = "version " + std::to_string(e.version) + " (position " + std::to_string(e.position) + ")";
    if (e.stream != b.value("stream", "")) return fail(where + ": belongs to stream '" + e.stream + "'");
    if (e.version != expect_version) return fail(where + ": expected version " + std::to_string(expect_version));
    if (e.prev_hash != prev) return fail(where + ": prev_hash does not match the previous event's hash");
    if (ComputeEventHash(e) != e.hash) return fail(where + ": hash does not match the event's contents");
    prev = e.hash;
    ++expect_version;
    ++r.events;
  }
  r.head_hash = HexOf(prev);
  const json head = b.value("head", json::object());
  if (head.value("hash", "") != r.head_hash || head.value("version", std::uint64_t{0}) != r.events) {
    return fail("the head (version " + std::to_string(head.value("version", std::uint64_t{0})) +
                ") does not match the last event (version " + std::to_string(r.events) + ")");
  }
  r.ok = true;
  return r;
}

}  // namespace casetrail::replay
