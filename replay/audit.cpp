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
    case workflows::DeadlineEffect::Kind::kBreached: return "breached";
    case workflows::DeadlineEffect::Kind::kBreachCancelled: return "breach withdrawn";
    case workflows::DeadlineEffect::Kind::kDueSoon: return "due soon";
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
      if (e.type == "deadline.scheduled" || e.type == "deadline.met" || e.type == "deadline.cancelled" ||
          e.type == "deadline.due_soon") {
        continue;
      }
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
    for (const auto& r : step.verdict.rescheduled) {
      t.deadlines.push_back("rescheduled " + r.after.rule_id + " due " + r.after.due_date.ToString() + " (was due " +
                            r.before.due_date.ToString() + " under " + r.before.rule_version + ")");
    }
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

// An event of a bundle (casetrail-bundle-1): the one list of its fields, written by Export and
// read by VerifyBundle in this order (a bundle missing several fields is refused naming the first).
template <class Io, class Event>
void BundleEventFields(Io& io, Event& e) {
  io("position", e.position);
  io("stream", e.stream);
  io("version", e.version);
  io("type", e.type);
  io("schema_version", e.schema_version);
  io("event_id", e.event_id);
  io("command_id", e.command_id);
  io("correlation_id", e.correlation_id);
  io("causation_id", e.causation_id);
  io("occurred_at_us", e.occurred_at);
  io("recorded_at_us", e.recorded_at);
  io("actor", e.actor);
  io("journey", e.journey);
  io("episode", e.episode);
  io("machine_fingerprint", e.machine_fingerprint);
  io("from_state", e.from_state);
  io("to_state", e.to_state);
  io("payload", e.payload);
  io("prev_hash", e.prev_hash);
  io("hash", e.hash);
}

struct BundleWriter {
  json& j;
  template <class T>
  void operator()(const char* key, const T& v) { j[key] = v; }
  void operator()(const char* key, const Actor& a) {
    j[key] = {{"user", a.user}, {"role", a.role}, {"team", a.team}};
  }
  void operator()(const char* key, const Hash256& h) { j[key] = HexOf(h); }
};

// A hash that is not 64 lower-case hex digits (VerifyBundle says so instead of a JSON error).
struct BadHex {};

struct BundleReader {
  const json& j;
  template <class T>
  void operator()(const char* key, T& v) { v = j.at(key).get<T>(); }
  void operator()(const char* key, Actor& a) {
    a = {j.at(key).at("user").get<std::string>(), j.at(key).at("role").get<std::string>(),
         j.at(key).at("team").get<std::string>()};
  }
  void operator()(const char* key, Hash256& h) {
    if (!FromHex(j.at(key).get<std::string>(), &h)) throw BadHex{};
  }
};

}  // namespace

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
    json j = json::object();
    BundleWriter w{j};
    BundleEventFields(w, e);
    list.push_back(std::move(j));
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
      BundleReader rd{j};
      BundleEventFields(rd, e);
    } catch (const BadHex&) {
      return fail("event " + std::to_string(r.events + 1) + ": a hash is not 64 lower-case hex digits");
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
