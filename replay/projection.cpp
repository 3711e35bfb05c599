#include "replay/projection.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <thread>
#include <charconv>
#include <sstream>
#include <tuple>

#include "engine/hash.hpp"
#include "workflows/calendar.hpp"
#include "workflows/registry.hpp"

namespace casetrail::replay {
namespace {

using nlohmann::json;

const std::map<std::string, std::string, std::less<>>& InitialStates() {
  static const std::map<std::string, std::string, std::less<>> m = [] {
    std::map<std::string, std::string, std::less<>> out;
    for (const auto& kind : workflows::Journeys()) {
      out[kind.name] = kind.make(workflows::RuleBook::Default())->Table().initial_state;
    }
    return out;
  }();
  return m;
}

// The action's parameters; with `keep`, only those (what a projection keeps per event).
std::map<std::string, std::string> ParamsOf(std::string_view payload,
                                            std::initializer_list<std::string_view> keep = {}) {
  std::map<std::string, std::string> out;
  json j = json::parse(payload, nullptr, false);
  const json* p = nullptr;
  if (j.is_object() && j.contains("params") && j["params"].is_object()) p = &j["params"];
  if (!p) return out;
  for (auto it = p->begin(); it != p->end(); ++it) {
    if (!it->is_string()) continue;
    bool wanted = keep.size() == 0;
    for (std::string_view k : keep) wanted |= (k == it.key());
    if (wanted) out[it.key()] = it->get<std::string>();
  }
  return out;
}

// The top-level fields of a flat JSON object (no nested object or array, no escapes), read in
// one pass without building a DOM. The engine's own payloads (deadline.*, flag.raised) are
// flat objects written by nlohmann::json::dump; anything else makes ok false and callers parse.
struct FlatObject {
  bool ok = false;
  std::size_t n = 0;
  std::array<std::pair<std::string_view, std::string_view>, 16> fields;  // key -> raw value
  // The value of `key`: a string's text without its quotes, or a number's text; npos-empty if absent.
  const std::string_view* Find(std::string_view key) const {
    for (std::size_t i = 0; i < n; ++i) {
      if (fields[i].first == key) return &fields[i].second;
    }
    return nullptr;
  }
};

FlatObject ScanFlat(std::string_view p) {
  FlatObject out;
  std::size_t i = 0;
  auto at = [&](char c) { return i < p.size() && p[i] == c; };
  if (!at('{')) return out;
  ++i;
  if (at('}')) {
    out.ok = i + 1 == p.size();
    return out;
  }
  for (;;) {
    if (!at('"')) return out;
    const std::size_t k = ++i;
    while (i < p.size() && p[i] != '"' && p[i] != '\\') ++i;
    if (!at('"')) return out;
    const std::string_view key = p.substr(k, i - k);
    ++i;
    if (!at(':')) return out;
    ++i;
    std::string_view value;
    if (at('"')) {
      const std::size_t v = ++i;
      while (i < p.size() && p[i] != '"' && p[i] != '\\') ++i;
      if (!at('"')) return out;  // an escape: let the JSON parser read it
      value = p.substr(v, i - v);
      ++i;
    } else {
      const std::size_t v = i;
      while (i < p.size() && p[i] != ',' && p[i] != '}') {
        if (p[i] == '{' || p[i] == '[' || p[i] == '"') return out;  // nested: not flat
        ++i;
      }
      value = p.substr(v, i - v);
    }
    if (out.n == out.fields.size()) return out;
    out.fields[out.n++] = {key, value};
    if (at('}')) {
      out.ok = i + 1 == p.size();
      return out;
    }
    if (!at(',')) return out;
    ++i;
  }
}

std::string Field(const FlatObject& flat, std::string_view payload, const char* key) {
  if (flat.ok) {
    const std::string_view* v = flat.Find(key);
    return v ? std::string(*v) : std::string();
  }
  json j = json::parse(payload, nullptr, false);
  if (j.is_object() && j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
  return {};
}

std::string Field(std::string_view payload, const char* key) { return Field(ScanFlat(payload), payload, key); }

std::int64_t NumberField(const FlatObject& flat, std::string_view payload, const char* key) {
  if (flat.ok) {
    const std::string_view* v = flat.Find(key);
    std::int64_t out = 0;
    if (v && std::from_chars(v->data(), v->data() + v->size(), out).ec == std::errc()) return out;
    return 0;
  }
  json j = json::parse(payload, nullptr, false);
  if (j.is_object() && j.contains(key) && j[key].is_number_integer()) return j[key].get<std::int64_t>();
  return 0;
}

std::string Words(std::string s) {
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

const std::map<std::string, std::string>& Titles() {
  static const std::map<std::string, std::string> t = {
      {"case.child_registered", "Child registered"},
      {"case.child_born", "Child born"},
      {"case.closed", "Case closed"},
      {"fd.contact_received", "Contact received"},
      {"fd.consent_requested", "Consent requested from the family"},
      {"fd.consent_given", "Family consented to enquiries"},
      {"fd.consent_refused", "Family refused consent"},
      {"fd.further_information_requested", "Further information requested"},
      {"fd.information_received", "Further information received"},
      {"fd.mash_check_requested", "MASH partner checks requested"},
      {"fd.mash_information_shared", "MASH partners shared information"},
      {"fd.decision_made", "Front door decision"},
      {"fd.significant_harm_identified", "Significant harm identified: strategy discussion needed"},
      {"fd.edt_episode_opened", "Emergency duty team involved out of hours"},
      {"fd.edt_handed_over", "Emergency duty team handed over"},
      {"eh.request_received", "Early help requested"},
      {"eh.allocation_decided", "Early help allocation decided"},
      {"eh.family_plan_agreed", "Family plan agreed"},
      {"eh.review_held", "Early help review held"},
      {"eh.stepped_up", "Stepped up to children's social care"},
      {"eh.closed", "Early help closed"},
      {"eh.stepped_down_from_social_care", "Stepped down to early help"},
      {"as.assessment_started", "Assessment started"},
      {"as.assessment_completed", "Assessment completed"},
      {"as.assessment_authorised", "Assessment authorised"},
      {"as.assessment_returned", "Assessment returned for more work"},
      {"as.assessment_ended_early", "Assessment ended early"},
      {"cin.plan_started", "Child in need plan started"},
      {"cin.visit_held", "Child in need visit"},
      {"cin.review_held", "Child in need review"},
      {"cin.reassessment_completed", "Reassessment completed"},
      {"cin.plan_ended", "Child in need plan ended"},
      {"cp.strategy_discussion_held", "Strategy discussion held"},
      {"cp.s47_concluded", "Section 47 enquiry concluded"},
      {"cp.icpc_held", "Initial child protection conference held"},
      {"cp.core_group_held", "Core group meeting"},
      {"cp.visit_held", "Child protection visit"},
      {"cp.midway_review_held", "Midway review"},
      {"cp.review_conference_held", "Review child protection conference held"},
      {"cp.plan_ended", "Child protection plan ended"},
      {"plo.legal_planning_meeting_held", "Legal planning meeting held"},
      {"plo.letter_before_proceedings_sent", "Letter before proceedings sent"},
      {"plo.initial_meeting_held", "Initial pre-proceedings meeting held"},
      {"plo.review_meeting_held", "Pre-proceedings review meeting"},
      {"plo.fgdm_offered", "Family group conference offered"},
      {"plo.fgdm_held", "Family group conference held"},
      {"plo.extension_approved", "Pre-proceedings extension approved"},
      {"plo.pre_proceedings_concluded", "Pre-proceedings concluded"},
      {"court.application_issued", "Care proceedings issued"},
      {"court.hearing_held", "Court hearing"},
      {"court.interim_order_made", "Interim order made"},
      {"court.extension_granted", "Court extended the timetable"},
      {"court.fdac_review_held", "FDAC judicial review"},
      {"court.final_order_made", "Final order made"},
      {"court.application_withdrawn", "Application withdrawn"},
      {"cic.became_looked_after", "Became looked after"},
      {"cic.iro_allocated", "Independent reviewing officer allocated"},
      {"cic.review_held", "Looked-after review held"},
      {"cic.permanence_plan_agreed", "Permanence plan agreed"},
      {"cic.legal_status_changed", "Legal status changed"},
      {"cic.placement_started", "Placement started"},
      {"cic.placement_changed", "Placement changed"},
      {"cic.placement_ended", "Placement ended"},
      {"cic.visit_held", "Statutory visit"},
      {"cic.went_missing", "Went missing from placement"},
      {"cic.returned_from_missing", "Returned after being missing"},
      {"cic.return_interview_held", "Return interview held"},
      {"cic.health_assessment_completed", "Health assessment completed"},
      {"cic.pep_held", "Personal education plan meeting"},
      {"cic.ceased_looked_after", "Ceased to be looked after"},
      {"lc.became_eligible", "Eligible for leaving-care support"},
      {"lc.needs_assessment_completed", "Leaving-care needs assessment completed"},
      {"lc.pathway_plan_agreed", "Pathway plan agreed"},
      {"lc.pathway_plan_reviewed", "Pathway plan reviewed"},
      {"lc.personal_adviser_allocated", "Personal adviser allocated"},
      {"lc.left_care", "Left care (relevant child)"},
      {"lc.turned_18", "Turned 18 (former relevant child)"},
      {"lc.staying_put_started", "Staying put arrangement started"},
      {"lc.keeping_in_touch", "Personal adviser kept in touch"},
      {"lc.support_ended", "Leaving-care support ended"},
      {"tr.transfer_requested", "Transfer to another team requested"},
      {"tr.joint_visit_held", "Joint visit for the transfer"},
      {"tr.summary_updated", "Case summary updated"},
      {"tr.transfer_completed", "Transfer completed"},
      {"tr.transfer_cancelled", "Transfer cancelled"},
  };
  return t;
}

}  // namespace

// A hash map's entries in key order, for canonical serialisation.
template <typename Map>
std::vector<const typename Map::value_type*> Sorted(const Map& m) {
  std::vector<const typename Map::value_type*> out;
  out.reserve(m.size());
  for (const auto& kv : m) out.push_back(&kv);
  std::sort(out.begin(), out.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  return out;
}

bool IsInitialState(std::string_view journey, std::string_view state) {
  auto it = InitialStates().find(journey);
  return it != InitialStates().end() && it->second == state;
}

bool IsDerivedPayload(std::string_view payload) {
  return payload.find("\"derived\":true") != std::string_view::npos;
}

std::string AreaOf(const std::string& team) {
  auto dash = team.rfind('-');
  return dash == std::string::npos ? team : team.substr(0, dash);
}

std::string ChildIdOf(std::string_view stream) {
  constexpr std::string_view kPrefix = "child-";
  if (stream.substr(0, kPrefix.size()) != kPrefix) return {};
  return std::string(stream.substr(kPrefix.size()));
}

std::string Describe(std::string_view type, std::string_view payload) {
  const std::string t(type);
  if (t == "deadline.met_late") {
    return "Late: " + Field(payload, "rule") + " was due " + Field(payload, "due");
  }
  if (t == "flag.raised") return "Flag: " + Field(payload, "text");
  if (t == "case.record_corrected" || t == "case.record_withdrawn") {
    json p = json::parse(payload, nullptr, false);
    if (!p.is_object()) return Words(t);
    const std::string target = p.value("target_type", "");
    auto title = Titles().find(target);
    return std::string(t == "case.record_corrected" ? "Record corrected" : "Record withdrawn") + ": version " +
           std::to_string(p.value("target_version", std::uint64_t{0})) + " (" +
           (title != Titles().end() ? title->second : Words(target)) + "), " + p.value("reason", "");
  }
  auto it = Titles().find(t);
  std::string text = it != Titles().end() ? it->second : Words(t);
  std::string details;
  for (const auto& [k, v] : ParamsOf(payload)) {
    details += (details.empty() ? "" : ", ") + Words(k) + " " + Words(v);
  }
  if (!details.empty()) text += ": " + details;
  const std::string rule = Field(payload, "rule");
  if (!rule.empty()) text += " (by rule " + rule + ")";
  return text;
}

std::string CorrectedText(std::string_view type, const std::map<std::string, std::string>& params,
                          const std::string& original, TimestampUs original_at, const std::string& by,
                          const std::string& reason) {
  json p = {{"params", params}};
  return Describe(type, p.dump()) + " [corrected by " + by + ": " + reason + "; recorded as: " + original +
         " on " + workflows::Date::FromTimestampUs(original_at).ToString() + "]";
}

std::string WithdrawnText(const std::string& original, const std::string& by, const std::string& reason) {
  return "Withdrawn: " + original + " (" + reason + ", by " + by + ")";
}

bool ParseCorrection(const EventView& e, CorrectionEvent* out) {
  if (e.type != "case.record_corrected" && e.type != "case.record_withdrawn") return false;
  json p = json::parse(e.payload, nullptr, false);
  if (!p.is_object() || !p.contains("target_version") || !p["target_version"].is_number_unsigned()) return false;
  CorrectionEvent c;
  c.withdrawn = e.type == "case.record_withdrawn";
  c.target_version = p["target_version"].get<std::uint64_t>();
  c.target_type = p.value("target_type", "");
  c.target_team = p.value("target_team", "");
  c.target_recorded_at = p.value("target_recorded_at_us", std::int64_t{0});
  c.reason = p.value("reason", "");
  c.by = std::string(e.actor_user) + " (" + std::string(e.actor_role) + ")";
  auto strings = [](const json& j) {
    std::map<std::string, std::string> m;
    if (j.is_object()) {
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (it->is_string()) m[it.key()] = it->get<std::string>();
      }
    }
    return m;
  };
  const json before = p.value("before", json::object());
  c.before_at = before.value("occurred_at_us", std::int64_t{0});
  c.before_params = strings(before.value("params", json::object()));
  const json after = p.value("after", json::object());
  c.after_at = after.value("occurred_at_us", c.before_at);
  c.after_params = c.withdrawn ? c.before_params : strings(after.value("params", json::object()));
  c.states = strings(p.value("states", json::object()));
  for (const auto& f : p.value("flags", json::array())) {
    if (f.is_object()) {
      c.flags.push_back({f.value("text", ""), f.value("version", std::uint64_t{0}), f.value("occurred_at_us", std::int64_t{0})});
    }
  }
  for (const auto& d : p.value("deadlines", json::array())) {
    if (!d.is_object()) continue;
    CorrectionEvent::Deadline x;
    x.rule = d.value("rule", "");
    x.rule_version = d.value("rule_version", "");
    x.started = d.value("started", "");
    x.due = d.value("due", "");
    x.state = d.value("state", "open");
    x.due_by = d.value("due_by_us", std::int64_t{0});
    x.closed_at = d.value("closed_at_us", std::int64_t{0});
    x.scheduled_by = d.value("scheduled_by", std::uint64_t{0});
    x.closed_by = d.value("closed_by", std::uint64_t{0});
    c.deadlines.push_back(std::move(x));
  }
  for (const auto& t : p.value("transitions", json::array())) {
    if (!t.is_object()) continue;
    c.transitions.push_back({t.value("version", std::uint64_t{0}), t.value("journey", ""),
                             t.value("from_state", ""), t.value("to_state", "")});
  }
  *out = std::move(c);
  return true;
}

void CorrectInputs(std::vector<ChildInput>& inputs, const CorrectionEvent& c,
                   bool (*keep)(const std::string& type, const std::string& rule)) {
  std::vector<ChildInput> out;
  for (ChildInput& in : inputs) {
    if (in.type.rfind("deadline.", 0) == 0) continue;  // replaced below
    if (in.version == c.target_version) {
      if (c.withdrawn) continue;
      in.at = c.after_at;
      in.params = c.after_params;
    }
    for (const auto& t : c.transitions) {
      if (t.version == in.version) {
        in.from_state = t.from_state;
        in.to_state = t.to_state;
      }
    }
    out.push_back(std::move(in));
  }
  auto start = [](const std::string& date) {
    auto d = workflows::Date::Parse(date, "started");
    return d.ok() ? d->StartUs() : TimestampUs{0};
  };
  for (const auto& d : c.deadlines) {
    if (keep("deadline.scheduled", d.rule)) {
      out.push_back({d.scheduled_by, start(d.started), "deadline.scheduled", "", "", "", c.target_team,
                     {{"rule", d.rule}, {"due", d.due}}});
    }
    const std::string closed = "deadline." + d.state;
    if (d.state != "open" && keep(closed, d.rule)) {
      out.push_back({d.closed_by, d.closed_at, closed, "", "", "", c.target_team, {{"rule", d.rule}, {"due", d.due}}});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const ChildInput& a, const ChildInput& b) { return a.version < b.version; });
  inputs = std::move(out);
}

// ---- runner ----------------------------------------------------------------------------------

std::string ProjectionRunner::CheckpointName(const Projection& p) {
  return std::string("projection.") + p.name() + ".v" + std::to_string(p.version());
}

Result<std::uint64_t> ProjectionRunner::CatchUp(Projection& p, std::uint64_t max_events) {
  ReadAllOptions o;
  o.from_position = p.position_ + 1;
  o.max_count = max_events;
  Status s = log_.ReadAll(o, [&](const EventView& e) {
    p.Apply(e);
    p.position_ = e.position;
    return true;
  });
  if (!s.ok()) return s;
  if (Status c = log_.SetCheckpoint(CheckpointName(p), p.position_); !c.ok()) return c;
  return p.position_;
}

Result<std::uint64_t> ProjectionRunner::CatchUpAll(std::span<Projection* const> ps, std::uint64_t max_events,
                                                   bool checkpoint) {
  if (ps.empty()) return std::uint64_t{0};
  std::uint64_t from = UINT64_MAX;
  for (const Projection* p : ps) from = std::min(from, p->position_);
  ReadAllOptions o;
  o.from_position = from + 1;
  o.max_count = max_events;
  Status s = log_.ReadAll(o, [&](const EventView& e) {
    for (Projection* p : ps) {
      if (e.position <= p->position_) continue;
      p->Apply(e);
      p->position_ = e.position;
    }
    return true;
  });
  if (!s.ok()) return s;
  if (checkpoint) {
    if (Status c = StoreCheckpoints(ps); !c.ok()) return c;
  }
  std::uint64_t reached = UINT64_MAX;
  for (const Projection* p : ps) reached = std::min(reached, p->position_);
  return reached;
}

Status ProjectionRunner::StoreCheckpoints(std::span<Projection* const> ps) {
  for (const Projection* p : ps) {
    if (Status c = log_.SetCheckpoint(CheckpointName(*p), p->position_); !c.ok()) return c;
  }
  return Status::Ok();
}

namespace {
std::string SealName(const Projection& p) { return ProjectionRunner::CheckpointName(p) + ".seal"; }
}  // namespace

Status ProjectionRunner::Seal(const Projection& p) {
  if (Status c = log_.SetCheckpoint(CheckpointName(p), p.position_); !c.ok()) return c;
  return log_.PutSnapshot(SealName(p), std::to_string(p.position_) + " " + Sha256Hex(p.Serialize()));
}

Result<ProjectionRunner::Check> ProjectionRunner::Verify(Projection& fresh) {
  Check out;
  out.name = std::string(fresh.name()) + ".v" + std::to_string(fresh.version());
  auto seal = log_.GetSnapshot(SealName(fresh));
  if (!seal.ok()) {
    if (seal.status().IsNotFound()) return out;
    return seal.status();
  }
  out.sealed = true;
  std::istringstream in(*seal);
  std::string digest;
  if (!(in >> out.position >> digest)) {
    out.reason = "the seal is damaged";
    return out;
  }
  const std::uint64_t head = log_.HeadPosition();
  if (out.position > head) {
    out.reason = "sealed at position " + std::to_string(out.position) + ", past the log's head " + std::to_string(head);
    return out;
  }
  if (auto cp = log_.GetCheckpoint(CheckpointName(fresh)); cp.ok() && *cp > head) {
    out.reason = "checkpoint at position " + std::to_string(*cp) + ", past the log's head " + std::to_string(head);
    return out;
  }
  fresh.Reset();
  fresh.position_ = 0;
  ReadAllOptions o;
  o.max_count = out.position;
  Status s = log_.ReadAll(o, [&](const EventView& e) {
    fresh.Apply(e);
    fresh.position_ = e.position;
    return true;
  });
  if (!s.ok()) return s;
  if (Sha256Hex(fresh.Serialize()) != digest) {
    out.reason = "its state at position " + std::to_string(out.position) + " differs from a rebuild from the log";
    return out;
  }
  out.ok = true;
  return out;
}

Result<std::uint64_t> ProjectionRunner::RebuildAll(const std::vector<Projection*>& ps,
                                                   const std::function<void(std::uint64_t)>& progress) {
  for (Projection* p : ps) {
    p->Reset();
    p->position_ = 0;
  }
  // The projections are split into as many groups as there are cores (heaviest first, each to
  // the lightest group); each group scans the log on its own thread up to the same head, so
  // every projection still sees every event in position order.
  const std::uint64_t head = log_.HeadPosition();
  const std::size_t n = std::max<std::size_t>(1, std::min<std::size_t>(ps.size(), std::thread::hardware_concurrency()));
  std::vector<Projection*> order = ps;
  std::stable_sort(order.begin(), order.end(), [](const Projection* a, const Projection* b) { return a->weight() > b->weight(); });
  std::vector<std::vector<Projection*>> groups(n);
  std::vector<double> load(n, 0);
  for (Projection* p : order) {
    const std::size_t g = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    groups[g].push_back(p);
    load[g] += p->weight();
  }
  std::vector<Status> results(n);
  std::vector<std::uint64_t> lasts(n, 0);
  auto scan = [&](std::size_t g) {
    ReadAllOptions o;
    o.max_count = head;
    results[g] = log_.ReadAll(o, [&](const EventView& e) {
      for (Projection* p : groups[g]) p->Apply(e);
      lasts[g] = e.position;
      if (g == 0 && progress && (e.position & 0xFFFF) == 0) progress(e.position);
      return true;
    });
  };
  std::vector<std::thread> threads;
  for (std::size_t g = 1; g < n; ++g) threads.emplace_back(scan, g);
  scan(0);
  for (auto& t : threads) t.join();
  for (const Status& s : results) {
    if (!s.ok()) return s;
  }
  const std::uint64_t last = lasts[0];
  for (Projection* p : ps) {
    p->position_ = last;
    if (Status c = log_.SetCheckpoint(CheckpointName(*p), last); !c.ok()) return c;
  }
  if (progress) progress(last);
  return last;
}

Result<std::uint64_t> ProjectionRunner::Rebuild(Projection& p) {
  p.Reset();
  p.position_ = 0;
  return CatchUp(p);
}

// ---- child summary ---------------------------------------------------------------------------

void ChildSummaryProjection::Apply(const EventView& e) {
  const std::string id = ChildIdOf(e.stream);
  if (id.empty()) return;
  Child& c = last_.Get(children_, e.stream, id);
  c.version = e.version;
  c.last_occurred_at = std::max(c.last_occurred_at, e.occurred_at);
  const std::string_view type = e.type;
  if (type == "deadline.scheduled") {
    const FlatObject flat = ScanFlat(e.payload);
    c.open_deadlines[Field(flat, e.payload, "rule")] = Field(flat, e.payload, "due");
    return;
  }
  if (type == "deadline.met" || type == "deadline.met_late" || type == "deadline.cancelled") {
    c.open_deadlines.erase(Field(e.payload, "rule"));
    return;
  }
  if (type == "flag.raised") {
    c.flags.push_back(Field(e.payload, "text"));
    return;
  }
  if (CorrectionEvent k; ParseCorrection(e, &k)) {
    // The pipeline refolded the child: take what it derived.
    c.journeys.clear();
    for (const auto& [journey, state] : k.states) {
      auto init = InitialStates().find(journey);
      if (init == InitialStates().end() || init->second != state) c.journeys[journey] = state;
    }
    c.open_deadlines.clear();
    for (const auto& d : k.deadlines) {
      if (d.state == "open") c.open_deadlines[d.rule] = d.due;
    }
    c.flags.clear();
    for (const auto& f : k.flags) c.flags.push_back(f.text);
    CorrectInputs(c.care_events, k, [](const std::string&, const std::string&) { return false; });
    c.legal_status = Sym();
    c.placement = Sym();
    for (const auto& in : c.care_events) ApplyCare(c, in.type, in.params);
    return;
  }
  if (!e.journey.empty() && e.journey != "case" && !e.to_state.empty()) {
    auto init = InitialStates().find(e.journey);
    auto it = c.journeys.find(e.journey);
    if (init != InitialStates().end() && init->second == e.to_state) {
      if (it != c.journeys.end()) c.journeys.erase(it);
    } else if (it == c.journeys.end()) {
      c.journeys.emplace(std::string(e.journey), std::string(e.to_state));
    } else if (it->second != e.to_state) {
      it->second = Sym(e.to_state);
    }
  }
  if (!e.actor_user.empty() && !IsDerivedPayload(e.payload)) {
    if (c.last_worker != e.actor_user) c.last_worker = Sym(e.actor_user);
    if (c.team != e.actor_team) c.team = Sym(e.actor_team);
  }
  if (type == "cic.became_looked_after" || type == "cic.legal_status_changed" ||
      type == "cic.placement_started" || type == "cic.placement_changed" ||
      type == "cic.placement_ended" || type == "cic.ceased_looked_after") {
    ChildInput in;
    in.version = e.version;
    in.type = std::string(type);
    in.params = ParamsOf(e.payload, {"legal_status", "placement"});
    ApplyCare(c, in.type, in.params);
    c.care_events.push_back(std::move(in));
  }
}

void ChildSummaryProjection::ApplyCare(Child& c, const std::string& type,
                                       const std::map<std::string, std::string>& params) {
  auto param = [&](const char* k) {
    auto it = params.find(k);
    return it == params.end() ? std::string() : it->second;
  };
  if (type == "cic.became_looked_after" || type == "cic.legal_status_changed") {
    c.legal_status = param("legal_status");
  } else if (type == "cic.placement_started" || type == "cic.placement_changed") {
    c.placement = param("placement");
  } else if (type == "cic.placement_ended") {
    c.placement = Sym();
  } else if (type == "cic.ceased_looked_after") {
    c.legal_status = Sym();
    c.placement = Sym();
  }
}

const ChildSummaryProjection::Child* ChildSummaryProjection::Find(const std::string& id) const {
  auto it = children_.find(id);
  return it == children_.end() ? nullptr : &it->second;
}

std::map<std::string, std::map<std::string, int>> ChildSummaryProjection::Caseload() const {
  std::map<std::string, std::map<std::string, int>> out;
  for (const auto& [id, c] : children_) {
    if (!c.journeys.empty()) ++out[c.team][c.last_worker];
  }
  return out;
}

std::string ChildSummaryProjection::Serialize() const {
  std::ostringstream o;
  for (const auto* entry : Sorted(children_)) {
    const auto& [id, c] = *entry;
    o << id << " v" << c.version << " legal=" << c.legal_status << " placement=" << c.placement
      << " worker=" << c.last_worker << " team=" << c.team << "\n";
    for (const auto& [j, s] : c.journeys) o << "  journey " << j << "=" << s << "\n";
    for (const auto& [r, d] : c.open_deadlines) o << "  due " << r << " " << d << "\n";
    for (const auto& f : c.flags) o << "  flag " << f << "\n";
  }
  return o.str();
}

// ---- chronology ------------------------------------------------------------------------------

void ChronologyProjection::Apply(const EventView& e) {
  const std::string id = ChildIdOf(e.stream);
  if (id.empty()) return;
  const std::string_view type = e.type;
  if (type == "deadline.scheduled" || type == "deadline.met" || type == "deadline.cancelled") return;
  std::vector<Item>& items = last_.Get(children_, e.stream, id);
  if (CorrectionEvent k; ParseCorrection(e, &k)) {
    for (Item& it : items) {
      if (it.version != k.target_version) continue;
      if (it.note == 0) {
        notes_.emplace_back();
        it.note = static_cast<std::uint32_t>(notes_.size());
      }
      Note& n = notes_[it.note - 1];
      n.withdrawn = k.withdrawn;
      n.params = k.after_params;
      n.by = k.by;
      n.reason = k.reason;
      it.occurred_at = k.withdrawn ? k.before_at : k.after_at;
    }
  }
  items.push_back({e.occurred_at, e.position, static_cast<std::uint32_t>(e.version), 0});
}

Result<std::vector<ChronologyProjection::Entry>> ChronologyProjection::For(const std::string& id,
                                                                           EventLog& log) const {
  auto it = children_.find(id);
  if (it == children_.end()) return Status::NotFound("child '" + id + "' has no record");
  std::vector<Item> items = it->second;
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.occurred_at != b.occurred_at ? a.occurred_at < b.occurred_at : a.position < b.position;
  });
  std::vector<Entry> out;
  out.reserve(items.size());
  for (const Item& item : items) {
    auto e = log.ReadPosition(item.position);
    if (!e.ok()) return e.status();
    Entry en;
    en.occurred_at = item.occurred_at;
    en.recorded_at = e->recorded_at;
    en.position = item.position;
    en.version = item.version;
    en.text = Describe(e->type, e->payload);
    en.recorded_by = e->actor.user + " (" + e->actor.role + ")";
    if (item.note) {
      const Note& n = notes_[item.note - 1];
      en.original = en.text;
      en.original_at = e->occurred_at;
      en.text = n.withdrawn ? WithdrawnText(en.original, n.by, n.reason)
                            : CorrectedText(e->type, n.params, en.original, e->occurred_at, n.by, n.reason);
    }
    out.push_back(std::move(en));
  }
  return out;
}

std::string ChronologyProjection::Serialize() const {
  std::ostringstream o;
  for (const auto* entry : Sorted(children_)) {
    const auto& [id, items] = *entry;
    for (const auto& it : items) {
      o << id << " " << it.occurred_at << " #" << it.position << " v" << it.version;
      if (it.note) {
        const Note& n = notes_[it.note - 1];
        o << (n.withdrawn ? " withdrawn" : " corrected") << " by " << n.by << ": " << n.reason;
        for (const auto& [k, v] : n.params) o << " " << k << "=" << v;
      }
      o << "\n";
    }
  }
  return o.str();
}

}  // namespace casetrail::replay

namespace casetrail::replay {

std::uint32_t Names::Id(std::string_view name) {
  auto it = ids_.find(name);
  if (it != ids_.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(names_.size());
  names_.emplace_back(name);
  ids_.emplace(std::string(name), id);
  return id;
}

namespace {
// "2026-09-25" -> London days since 1970-01-01 (the engine's own dates: checked, not trusted).
std::int32_t DaysOf(std::string_view date) {
  auto digits = [&](std::size_t from, std::size_t n) {
    int v = 0;
    for (std::size_t i = from; i < from + n; ++i) {
      if (date[i] < '0' || date[i] > '9') return -1;
      v = v * 10 + (date[i] - '0');
    }
    return v;
  };
  if (date.size() == 10 && date[4] == '-' && date[7] == '-') {
    const int y = digits(0, 4), m = digits(5, 2), d = digits(8, 2);
    if (y > 0 && m >= 1 && m <= 12 && d >= 1 && d <= 31) return workflows::Date::FromYmd(y, m, d).days();
  }
  auto d = workflows::Date::Parse(date, "date");
  return d.ok() ? d->days() : 0;
}
}  // namespace

namespace {
std::uint64_t OpenKey(std::uint32_t child, std::uint32_t rule) { return (std::uint64_t{child} << 32) | rule; }
}  // namespace

void DeadlinesProjection::Add(const Entry& e) {
  Item it;
  it.child = names_.Id(e.child);
  it.rule = names_.Id(e.rule);
  it.rule_version = names_.Id(e.rule_version);
  it.started = DaysOf(e.started);
  it.due = DaysOf(e.due);
  it.state = e.state;
  it.due_by = e.due_by;
  it.closed_at = e.closed_at;
  if (it.state == State::kOpen) open_[OpenKey(it.child, it.rule)] = items_.size();
  items_.push_back(it);
}

DeadlinesProjection::Entry DeadlinesProjection::Render(const Item& it) const {
  Entry e;
  e.child = names_.Name(it.child);
  e.rule = names_.Name(it.rule);
  e.rule_version = names_.Name(it.rule_version);
  e.started = workflows::Date::FromDays(it.started).ToString();
  e.due = workflows::Date::FromDays(it.due).ToString();
  e.due_by = it.due_by;
  e.state = it.state;
  e.closed_at = it.closed_at;
  return e;
}

std::vector<DeadlinesProjection::Entry> DeadlinesProjection::entries() const {
  std::vector<Entry> out;
  out.reserve(items_.size());
  for (const auto& it : items_) out.push_back(Render(it));
  return out;
}

void DeadlinesProjection::Apply(const EventView& e) {
  const std::string_view type = e.type;
  if (!type.starts_with("deadline.") && !type.starts_with("case.record_")) return;
  if (CorrectionEvent k; ParseCorrection(e, &k)) {
    const std::uint32_t child = names_.Id(ChildIdOf(e.stream));
    // The child's deadlines are what the refold derived; the others keep their order.
    std::deque<Item> kept;
    for (const auto& it : items_) {
      if (it.child != child) kept.push_back(it);
    }
    items_ = std::move(kept);
    open_.clear();
    for (std::size_t i = 0; i < items_.size(); ++i) {
      if (items_[i].state == State::kOpen) open_[OpenKey(items_[i].child, items_[i].rule)] = i;
    }
    for (const auto& d : k.deadlines) {
      Entry en;
      en.child = names_.Name(child);
      en.rule = d.rule;
      en.rule_version = d.rule_version;
      en.started = d.started;
      en.due = d.due;
      en.due_by = d.due_by;
      en.state = d.state == "met"         ? State::kMet
                 : d.state == "met_late"  ? State::kMetLate
                 : d.state == "cancelled" ? State::kCancelled
                                          : State::kOpen;
      en.closed_at = d.closed_at;
      Add(en);
    }
    return;
  }
  if (type.rfind("deadline.", 0) != 0) return;
  const std::string child = ChildIdOf(e.stream);
  if (child.empty()) return;
  const FlatObject flat = ScanFlat(e.payload);
  const std::string rule = Field(flat, e.payload, "rule");
  if (type == "deadline.scheduled") {
    Entry en;
    en.child = child;
    en.rule = rule;
    en.rule_version = Field(flat, e.payload, "rule_version");
    en.started = Field(flat, e.payload, "started");
    en.due = Field(flat, e.payload, "due");
    en.due_by = NumberField(flat, e.payload, "due_by_us");
    Add(en);
    return;
  }
  auto it = open_.find(OpenKey(names_.Id(child), names_.Id(rule)));
  if (it == open_.end()) return;
  Item& item = items_[it->second];
  item.state = type == "deadline.met"        ? State::kMet
               : type == "deadline.met_late" ? State::kMetLate
                                             : State::kCancelled;
  item.closed_at = e.occurred_at;
  open_.erase(it);
}

std::string DeadlinesProjection::StatusAt(const Entry& e, TimestampUs now) {
  switch (e.state) {
    case State::kMet: return "met";
    case State::kMetLate: return "met_late";
    case State::kCancelled: return "cancelled";
    case State::kOpen: return now >= e.due_by ? "breached" : "open";
  }
  return "?";
}

std::vector<DeadlinesProjection::Entry> DeadlinesProjection::Overdue(TimestampUs now) const {
  std::vector<Entry> out;
  for (const auto& [key, i] : open_) {
    if (now >= items_[i].due_by) out.push_back(Render(items_[i]));
  }
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.due_by, a.child, a.rule) < std::tie(b.due_by, b.child, b.rule);
  });
  return out;
}

std::vector<DeadlinesProjection::Entry> DeadlinesProjection::DueSoon(TimestampUs now, int days) const {
  std::vector<Entry> out;
  const TimestampUs horizon = now + static_cast<TimestampUs>(days) * 86400LL * 1000000;
  for (const auto& [key, i] : open_) {
    if (items_[i].due_by > now && items_[i].due_by <= horizon) out.push_back(Render(items_[i]));
  }
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.due_by, a.child, a.rule) < std::tie(b.due_by, b.child, b.rule);
  });
  return out;
}

std::string DeadlinesProjection::Serialize() const {
  std::ostringstream o;
  for (const auto& it : items_) {
    const Entry e = Render(it);
    o << e.child << " " << e.rule << " " << e.started << "->" << e.due << " "
      << StatusAt(e, INT64_MIN) << " " << e.closed_at << "\n";
  }
  return o.str();
}

}  // namespace casetrail::replay

namespace casetrail::replay {

namespace {
bool PloDeadline(const std::string& type, const std::string& rule) {
  return type == "deadline.scheduled" && (rule == "T-30" || rule == "T-31" || rule == "T-32");
}
}  // namespace

void PloTrackerProjection::Apply(const EventView& e) {
  const std::string_view type = e.type;
  const bool plo = type.starts_with("plo.");
  const bool court = type.starts_with("court.");
  const bool deadline = type.starts_with("deadline.") &&
                        (e.journey == "pre_proceedings" || e.journey == "care_proceedings");
  if (!plo && !court && !deadline && !type.starts_with("case.record_")) return;
  const std::string id = ChildIdOf(e.stream);
  if (id.empty()) return;
  if (CorrectionEvent k; ParseCorrection(e, &k)) {
    auto it = inputs_.find(id);
    if (it == inputs_.end()) return;  // the child was never in pre-proceedings or proceedings
    CorrectInputs(it->second, k, PloDeadline);
    Refold(id);
    return;
  }
  if (!plo && !court && !deadline) return;
  // Deadlines only annotate a child already tracked (they follow the action that made them).
  if (deadline && !children_.count(id)) return;
  ChildInput in;
  in.version = e.version;
  in.at = e.occurred_at;
  in.type = std::string(type);
  in.team = std::string(e.actor_team);
  if (deadline) {
    in.params = {{"rule", Field(e.payload, "rule")}, {"due", Field(e.payload, "due")}};
    if (!PloDeadline(in.type, in.params["rule"])) return;
  } else {
    in.params = ParamsOf(e.payload, {"decision", "outcome", "track", "hearing", "weeks"});
  }
  Child& c = children_[id];
  c.child = id;
  Fold(c, in);
  inputs_[id].push_back(std::move(in));
  if (!c.in_pre_proceedings && !c.in_proceedings) children_.erase(id);
}

void PloTrackerProjection::Refold(const std::string& id) {
  Child c;
  c.child = id;
  for (const auto& in : inputs_[id]) {
    if (in.type.rfind("deadline.", 0) == 0 && !c.in_pre_proceedings && !c.in_proceedings) continue;
    Fold(c, in);
    if (!c.in_pre_proceedings && !c.in_proceedings) {  // as Apply erases an untracked child
      c = Child{};
      c.child = id;
    }
  }
  if (c.in_pre_proceedings || c.in_proceedings) {
    children_[id] = std::move(c);
  } else {
    children_.erase(id);
  }
}

void PloTrackerProjection::Fold(Child& c, const ChildInput& in) {
  const std::string& type = in.type;
  const std::string date = workflows::Date::FromTimestampUs(in.at).ToString();
  auto param = [&](const char* k) {
    auto it = in.params.find(k);
    return it == in.params.end() ? std::string() : it->second;
  };
  auto set_team = [&] {
    c.team = in.team;
    c.area = AreaOf(c.team);
  };
  if (type == "deadline.scheduled") {
    const std::string rule = param("rule"), due = param("due");
    if (rule == "T-30") c.initial_meeting_due = due;
    if (rule == "T-31") c.review_point = due;
    if (rule == "T-32") c.final_date = due;
    return;
  }
  if (type == "plo.legal_planning_meeting_held") {
    if (param("decision") == "pre_proceedings") {
      const std::string id = c.child;
      c = Child{};
      c.child = id;
      c.in_pre_proceedings = true;
      c.lpm_date = date;
      c.start_us = in.at;
      set_team();
    }
  } else if (type == "plo.letter_before_proceedings_sent") {
    c.letter_date = date;
  } else if (type == "plo.initial_meeting_held") {
    c.initial_meeting_held = date;
  } else if (type == "plo.review_meeting_held") {
    ++c.reviews;
  } else if (type == "plo.fgdm_offered") {
    c.fgdm_offered = true;
  } else if (type == "plo.extension_approved") {
    ++c.extensions;
  } else if (type == "plo.pre_proceedings_concluded") {
    if (param("outcome") != "continue") c.in_pre_proceedings = false;
  } else if (type == "court.application_issued") {
    c.pre_proceedings_before_issue = !c.lpm_date.empty();
    c.in_pre_proceedings = false;
    c.in_proceedings = true;
    c.fdac = param("track") == "fdac";
    c.issued = date;
    c.start_us = in.at;
    c.hearings.clear();
    c.extension_weeks = 0;
    set_team();
  } else if (type == "court.hearing_held") {
    c.hearings.push_back(date + " " + param("hearing"));
  } else if (type == "court.extension_granted") {
    const int weeks = std::atoi(param("weeks").c_str());
    c.extension_weeks += weeks;
    if (!c.final_date.empty()) {
      c.final_date = std::move(workflows::Date::Parse(c.final_date, "final_date")).value().AddWeeks(weeks).ToString();
    }
  } else if (type == "court.final_order_made" || type == "court.application_withdrawn") {
    c.in_proceedings = false;
  }
}

int PloTrackerProjection::WeeksElapsed(const Child& c, TimestampUs now) {
  if (now < c.start_us) return 0;
  // Week 1 is the week that starts on the day of the LPM or the issue (London dates).
  const int days = workflows::Date::FromTimestampUs(now).days() - workflows::Date::FromTimestampUs(c.start_us).days();
  return days / 7 + 1;
}

std::string PloTrackerProjection::Rag(const Child& c, TimestampUs now) {
  const std::string today = workflows::Date::FromTimestampUs(now).ToString();
  const int weeks = WeeksElapsed(c, now);
  if (c.in_proceedings) {
    if (!c.final_date.empty() && today > c.final_date) return "red";
    return weeks >= 21 ? "amber" : "green";
  }
  const bool meeting_overdue =
      c.initial_meeting_held.empty() && !c.initial_meeting_due.empty() && today > c.initial_meeting_due;
  if ((!c.review_point.empty() && today > c.review_point) || meeting_overdue) return "red";
  const bool meeting_late = !c.initial_meeting_held.empty() && !c.initial_meeting_due.empty() &&
                            c.initial_meeting_held > c.initial_meeting_due;
  return weeks >= 12 || meeting_late ? "amber" : "green";
}

std::vector<PloTrackerProjection::Child> PloTrackerProjection::List(const std::string& team,
                                                                    const std::string& area) const {
  std::vector<Child> out;
  for (const auto& [id, c] : children_) {
    if ((!team.empty() && c.team != team) || (!area.empty() && c.area != area)) continue;
    out.push_back(c);
  }
  return out;
}

std::string PloTrackerProjection::Serialize() const {
  std::ostringstream o;
  for (const auto& [id, c] : children_) {
    o << id << " team=" << c.team << " pre=" << c.in_pre_proceedings << " lpm=" << c.lpm_date
      << " letter=" << c.letter_date << " ippm_due=" << c.initial_meeting_due
      << " ippm=" << c.initial_meeting_held << " review_point=" << c.review_point
      << " reviews=" << c.reviews << " ext=" << c.extensions << " proc=" << c.in_proceedings
      << " issued=" << c.issued << " final=" << c.final_date << " extw=" << c.extension_weeks
      << " hearings=" << c.hearings.size() << "\n";
  }
  return o.str();
}

}  // namespace casetrail::replay

namespace casetrail::replay {
namespace {
constexpr double kDayUs = 86400.0 * 1000000;
// Whole London calendar days between two instants, in weeks (DST changes do not shorten a week).
double WeeksBetween(TimestampUs from, TimestampUs to) {
  return (workflows::Date::FromTimestampUs(to).days() - workflows::Date::FromTimestampUs(from).days()) / 7.0;
}
}  // namespace

void KpiProjection::Reset() {
  children_.clear();
  last_.Clear();
  lag_.clear();
  names_.Clear();
}

void KpiProjection::AddLag(std::string_view team, TimestampUs recorded_at, double days, int count) {
  auto& [sum, n] = lag_[{names_.Id(team), workflows::Date::FromTimestampUs(recorded_at).days()}];
  sum += days;
  n += count;
}

namespace {
bool KpiFlag(const std::string& text) { return text.rfind("T-10", 0) == 0 || text.rfind("T-42", 0) == 0; }
bool NoDeadlines(const std::string&, const std::string&) { return false; }
// Child protection events that can start or end a plan.
bool PlanEvent(const EventView& e) {
  if (e.journey != "child_protection") return false;
  return (e.to_state == "OnCpPlan") != (e.from_state == "OnCpPlan") || e.type == "cp.icpc_held" ||
         e.type == "cp.review_conference_held" || e.type == "cp.plan_ended";
}
}  // namespace

KpiProjection::Fact KpiProjection::MakeFact(std::string_view kind, std::string_view outcome, TimestampUs at,
                                            double amount, std::string_view team, std::uint64_t version) {
  return Fact{names_.Id(kind), names_.Id(outcome), names_.Id(team), static_cast<std::uint32_t>(version), at, amount};
}

void KpiProjection::Apply(const EventView& e) {
  const std::string id = ChildIdOf(e.stream);
  if (id.empty()) return;
  const std::string_view type = e.type;
  const std::string_view team = e.actor_team;
  if (CorrectionEvent k; ParseCorrection(e, &k)) {
    ChildFacts& c = last_.Get(children_, e.stream, id);
    // The corrected action's recording lag, and the facts the refold derived.
    AddLag(k.target_team, k.target_recorded_at, -static_cast<double>(k.target_recorded_at - k.before_at) / kDayUs, -1);
    if (!k.withdrawn) {
      AddLag(k.target_team, k.target_recorded_at, static_cast<double>(k.target_recorded_at - k.after_at) / kDayUs, 1);
    }
    std::map<std::uint64_t, std::uint32_t> team_of;  // the team that recorded each action version
    for (const auto& x : c.deadline_facts) team_of[x.version] = x.team;
    for (const auto& in : c.inputs) team_of[in.version] = names_.Id(in.team.str());
    auto team_at = [&](std::uint64_t version) {
      auto t = team_of.find(version);
      return t != team_of.end() ? names_.Name(t->second) : std::string(team);
    };
    c.deadline_facts.clear();
    for (const auto& d : k.deadlines) {
      if (d.state == "met" || d.state == "met_late") {
        c.deadline_facts.push_back(MakeFact(d.rule, d.state == "met" ? "met" : "late", d.closed_at, 0,
                                            team_at(d.closed_by), d.closed_by));
      }
    }
    CorrectInputs(c.inputs, k, NoDeadlines);
    std::vector<ChildInput> inputs;
    for (auto& in : c.inputs) {
      if (in.type != "flag.raised") inputs.push_back(std::move(in));
    }
    for (const auto& f : k.flags) {
      if (KpiFlag(f.text)) inputs.push_back({f.version, f.at, "flag.raised", "", "", "", team_at(f.version), {{"text", f.text}}});
    }
    std::stable_sort(inputs.begin(), inputs.end(), [](const ChildInput& a, const ChildInput& b) { return a.version < b.version; });
    c.inputs = std::move(inputs);
    Refold(c);
    return;
  }
  const bool is_deadline = type.substr(0, 9) == "deadline.";
  if (!is_deadline && type != "flag.raised" && !IsDerivedPayload(e.payload)) {
    AddLag(team, e.recorded_at, static_cast<double>(e.recorded_at - e.occurred_at) / kDayUs, 1);
    last_.Get(children_, e.stream, id).last_action = e.version;
  }
  if (type == "deadline.met" || type == "deadline.met_late") {
    ChildFacts& c = last_.Get(children_, e.stream, id);
    // Filed under the action that met it (as a correction's refold reports it).
    c.deadline_facts.push_back(MakeFact(Field(e.payload, "rule"), type == "deadline.met" ? "met" : "late",
                                        e.occurred_at, 0, team, c.last_action));
    return;
  }
  ChildInput in;
  if (type == "flag.raised") {
    const std::string text = Field(e.payload, "text");
    if (!KpiFlag(text)) return;
    in.params = {{"text", text}};
  } else if (PlanEvent(e) || type == "plo.legal_planning_meeting_held" || type == "plo.pre_proceedings_concluded" ||
             type == "court.application_issued" || type == "court.final_order_made" ||
             type == "court.application_withdrawn") {
    in.params = ParamsOf(e.payload, {"outcome"});
    in.journey = std::string(e.journey);
    in.from_state = std::string(e.from_state);
    in.to_state = std::string(e.to_state);
  } else {
    return;
  }
  ChildFacts& c = last_.Get(children_, e.stream, id);
  in.version = type == "flag.raised" ? c.last_action : e.version;
  in.at = e.occurred_at;
  in.type = std::string(type);
  in.team = std::string(team);
  Fold(c, in);
  c.inputs.push_back(std::move(in));
}

void KpiProjection::Refold(ChildFacts& c) {
  c.facts.clear();
  c.lpm.reset();
  c.issued.reset();
  c.plan_since.reset();
  c.issued_after_pre = false;
  c.plan_team = Sym();
  for (const auto& in : c.inputs) Fold(c, in);
}

void KpiProjection::Fold(ChildFacts& c, const ChildInput& in) {
  const std::string& type = in.type;
  auto param = [&](const char* k) {
    auto it = in.params.find(k);
    return it == in.params.end() ? std::string() : it->second;
  };
  auto fact = [&](const char* kind, const std::string& outcome, double amount) {
    c.facts.push_back(MakeFact(kind, outcome, in.at, amount, in.team.str(), in.version));
  };
  if (type == "flag.raised") {
    const std::string text = param("text");
    if (text.rfind("T-10", 0) == 0) fact("repeat_plan", "", 0);
    if (text.rfind("T-42", 0) == 0) fact("no_permanence_plan", "", 0);
    return;
  }
  // Child protection plans (started by an ICPC, ended by any route).
  if (in.journey == "child_protection") {
    if (in.to_state == "OnCpPlan" && in.from_state != "OnCpPlan") {
      c.plan_since = in.at;
      c.plan_team = in.team;
      fact("plan_started", "", 0);
    } else if (in.from_state == "OnCpPlan" && in.to_state != "OnCpPlan" && c.plan_since) {
      fact("plan_ended", "", WeeksBetween(*c.plan_since, in.at));
      c.plan_since.reset();
      c.plan_team = Sym();
    }
  }
  if (type == "plo.legal_planning_meeting_held" && in.to_state == "LetterDue") {
    c.lpm = in.at;
  } else if (type == "plo.pre_proceedings_concluded") {
    if (param("outcome") != "continue" && c.lpm) {
      fact("pre_concluded", param("outcome"), WeeksBetween(*c.lpm, in.at));
      c.lpm.reset();
    }
  } else if (type == "court.application_issued") {
    c.issued = in.at;
    c.issued_after_pre = c.lpm.has_value();  // X-01 concludes it in this same append
  } else if ((type == "court.final_order_made" || type == "court.application_withdrawn") && c.issued) {
    fact("proceedings_ended", c.issued_after_pre ? "with_pre" : "without_pre", WeeksBetween(*c.issued, in.at));
    c.issued.reset();
  }
}

std::map<std::string, KpiProjection::Value> KpiProjection::Compute(const Filter& f) const {
  std::map<std::string, Value> out;
  auto in = [&](const std::string& team, TimestampUs at) {
    return at >= f.from && at < f.to && (f.team.empty() || team == f.team) &&
           (f.area.empty() || AreaOf(team) == f.area);
  };
  struct F {
    const std::string& kind;
    const std::string& outcome;
    double amount;
  };
  auto timeliness = [&](const char* measure, std::initializer_list<const char*> rules, const F& x) {
    for (const char* r : rules) {
      if (x.kind == r) {
        Value& v = out[measure];
        v.denominator += 1;
        if (x.outcome == "met") v.numerator += 1;
      }
    }
  };
  int plans_started = 0;
  std::vector<const Fact*> facts;
  for (const auto& [child, c] : children_) {
    for (const Fact& x : c.facts) facts.push_back(&x);
    for (const Fact& x : c.deadline_facts) facts.push_back(&x);
  }
  for (const Fact* fact : facts) {
    if (!in(names_.Name(fact->team), fact->at)) continue;
    const F x{names_.Name(fact->kind), names_.Name(fact->outcome), fact->amount};
    timeliness("decisions_within_1_working_day", {"T-01"}, x);
    timeliness("assessments_within_45_working_days", {"T-14"}, x);
    timeliness("icpc_within_15_working_days", {"T-06"}, x);
    timeliness("looked_after_reviews_in_time", {"N-12", "N-13", "N-14"}, x);
    timeliness("visits_in_time", {"N-10", "N-19a", "N-19b", "N-19c", "T-11"}, x);
    timeliness("core_groups_within_10_working_days", {"N-08"}, x);
    if (x.kind == "N-13") out["permanence_plan_by_second_review"].denominator += 1;
    if (x.kind == "no_permanence_plan") out["permanence_plan_by_second_review"].numerator -= 1;
    if (x.kind == "plan_started") ++plans_started;
    if (x.kind == "repeat_plan") out["repeat_cp_plans_within_24_months"].numerator += 1;
    if (x.kind == "pre_concluded") {
      out["average_weeks_in_pre_proceedings"].numerator += x.amount;
      out["average_weeks_in_pre_proceedings"].denominator += 1;
      out["diversion_from_proceedings"].denominator += 1;
      if (x.outcome == "step_down") out["diversion_from_proceedings"].numerator += 1;
    }
    if (x.kind == "proceedings_ended") {
      for (const std::string& m : {std::string("average_weeks_of_care_proceedings"),
                                  "average_weeks_of_care_proceedings_" + x.outcome}) {
        out[m].numerator += x.amount;
        out[m].denominator += 1;
      }
    }
  }
  // Recording lag: by London day of recording (a period is whole days for this measure).
  for (const auto& [key, v] : lag_) {
    const auto& [team, day] = key;
    const TimestampUs at = workflows::Date::FromDays(day).StartUs();
    if (v.second == 0 || !in(names_.Name(team), at)) continue;
    out["average_recording_lag_days"].numerator += v.first;
    out["average_recording_lag_days"].denominator += static_cast<double>(v.second);
  }
  if (out.count("permanence_plan_by_second_review")) {
    Value& v = out["permanence_plan_by_second_review"];
    v.numerator += v.denominator;  // second reviews minus those without a permanence plan
  }
  out["repeat_cp_plans_within_24_months"].denominator = plans_started;
  // Plans open at the end of the period, and those open longer than 2 years (T-09).
  Value& long_plans = out["cp_plans_over_2_years"];
  for (const auto& [child, c] : children_) {
    if (!c.plan_since) continue;
    const TimestampUs since = *c.plan_since;
    const std::string& team = c.plan_team.str();
    if ((!f.team.empty() && team != f.team) || (!f.area.empty() && AreaOf(team) != f.area)) continue;
    if (since >= f.to) continue;
    long_plans.denominator += 1;
    if (f.to != INT64_MAX && f.to - since > static_cast<TimestampUs>(2 * 365.25 * kDayUs)) long_plans.numerator += 1;
  }
  return out;
}

std::string KpiProjection::Serialize() const {
  std::ostringstream o;
  for (const auto* entry : Sorted(children_)) {
    const auto& [child, c] = *entry;
    for (const auto* list : {&c.facts, &c.deadline_facts}) {
      for (const auto& x : *list) {
        o << child << " " << names_.Name(x.kind) << " " << names_.Name(x.outcome) << " " << x.at << " " << x.amount
          << " " << names_.Name(x.team) << " v" << x.version << "\n";
      }
    }
    if (c.plan_since) o << "open_plan " << child << " " << *c.plan_since << "\n";
  }
  for (const auto& [key, v] : lag_) o << "lag " << names_.Name(key.first) << " " << key.second << " " << v.first << " " << v.second << "\n";
  return o.str();
}

}  // namespace casetrail::replay
