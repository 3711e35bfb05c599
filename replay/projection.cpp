#include "replay/projection.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

#include "workflows/calendar.hpp"
#include "workflows/registry.hpp"

namespace casetrail::replay {
namespace {

using nlohmann::json;

const std::map<std::string, std::string>& InitialStates() {
  static const std::map<std::string, std::string> m = [] {
    std::map<std::string, std::string> out;
    for (const auto& kind : workflows::Journeys()) {
      out[kind.name] = kind.make(workflows::RuleBook::Default())->Table().initial_state;
    }
    return out;
  }();
  return m;
}

std::map<std::string, std::string> ParamsOf(std::string_view payload) {
  std::map<std::string, std::string> out;
  json j = json::parse(payload, nullptr, false);
  const json* p = nullptr;
  if (j.is_object() && j.contains("params") && j["params"].is_object()) p = &j["params"];
  if (!p) return out;
  for (auto it = p->begin(); it != p->end(); ++it) {
    if (it->is_string()) out[it.key()] = it->get<std::string>();
  }
  return out;
}

std::string Field(std::string_view payload, const char* key) {
  json j = json::parse(payload, nullptr, false);
  if (j.is_object() && j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
  return {};
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

// ---- runner ----------------------------------------------------------------------------------

std::string ProjectionRunner::CheckpointName(const Projection& p) {
  return std::string("projection.") + p.name() + ".v" + std::to_string(p.version());
}

Result<std::uint64_t> ProjectionRunner::CatchUp(Projection& p) {
  ReadAllOptions o;
  o.from_position = p.position_ + 1;
  Status s = log_.ReadAll(o, [&](const EventView& e) {
    p.Apply(e);
    p.position_ = e.position;
    return true;
  });
  if (!s.ok()) return s;
  if (Status c = log_.SetCheckpoint(CheckpointName(p), p.position_); !c.ok()) return c;
  return p.position_;
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
  Child& c = children_[id];
  c.version = e.version;
  c.last_occurred_at = std::max(c.last_occurred_at, e.occurred_at);
  const std::string type(e.type);
  if (type == "deadline.scheduled") {
    c.open_deadlines[Field(e.payload, "rule")] = Field(e.payload, "due");
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
  if (!e.journey.empty() && e.journey != "case" && !e.to_state.empty()) {
    const std::string journey(e.journey);
    auto init = InitialStates().find(journey);
    if (init != InitialStates().end() && init->second == e.to_state) {
      c.journeys.erase(journey);
    } else {
      c.journeys[journey] = std::string(e.to_state);
    }
  }
  if (!e.actor_user.empty() && !IsDerivedPayload(e.payload)) {
    c.last_worker = std::string(e.actor_user);
    c.team = std::string(e.actor_team);
  }
  if (type == "cic.became_looked_after" || type == "cic.legal_status_changed") {
    c.legal_status = ParamsOf(e.payload)["legal_status"];
  } else if (type == "cic.placement_started" || type == "cic.placement_changed") {
    c.placement = ParamsOf(e.payload)["placement"];
  } else if (type == "cic.placement_ended") {
    c.placement.clear();
  } else if (type == "cic.ceased_looked_after") {
    c.legal_status.clear();
    c.placement.clear();
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
  for (const auto& [id, c] : children_) {
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
  const std::string type(e.type);
  if (type == "deadline.scheduled" || type == "deadline.met" || type == "deadline.cancelled") return;
  children_[id].push_back({e.occurred_at, e.recorded_at, e.position, Describe(e.type, e.payload),
                           std::string(e.actor_user) + " (" + std::string(e.actor_role) + ")"});
}

std::vector<ChronologyProjection::Entry> ChronologyProjection::For(const std::string& id) const {
  auto it = children_.find(id);
  if (it == children_.end()) return {};
  std::vector<Entry> out = it->second;
  std::stable_sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
    return a.occurred_at != b.occurred_at ? a.occurred_at < b.occurred_at : a.position < b.position;
  });
  return out;
}

std::string ChronologyProjection::Serialize() const {
  std::ostringstream o;
  for (const auto& [id, entries] : children_) {
    for (const auto& e : For(id)) {
      o << id << " " << workflows::Date::FromTimestampUs(e.occurred_at).ToString() << " #"
        << e.position << " " << e.text << " | " << e.recorded_by << "\n";
    }
  }
  return o.str();
}

}  // namespace casetrail::replay

namespace casetrail::replay {

void DeadlinesProjection::Apply(const EventView& e) {
  const std::string type(e.type);
  if (type.rfind("deadline.", 0) != 0) return;
  const std::string child = ChildIdOf(e.stream);
  if (child.empty()) return;
  json p = json::parse(e.payload, nullptr, false);
  if (!p.is_object()) return;
  const std::string rule = p.value("rule", "");
  const auto key = std::make_pair(child, rule);
  if (type == "deadline.scheduled") {
    Entry en;
    en.child = child;
    en.rule = rule;
    en.rule_version = p.value("rule_version", "");
    en.started = p.value("started", "");
    en.due = p.value("due", "");
    en.due_by = p.value("due_by_us", std::int64_t{0});
    open_[key] = entries_.size();
    entries_.push_back(std::move(en));
    return;
  }
  auto it = open_.find(key);
  if (it == open_.end()) return;
  Entry& en = entries_[it->second];
  en.state = type == "deadline.met"        ? State::kMet
             : type == "deadline.met_late" ? State::kMetLate
                                           : State::kCancelled;
  en.closed_at = e.occurred_at;
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
    if (now >= entries_[i].due_by) out.push_back(entries_[i]);
  }
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.due_by < b.due_by; });
  return out;
}

std::vector<DeadlinesProjection::Entry> DeadlinesProjection::DueSoon(TimestampUs now, int days) const {
  std::vector<Entry> out;
  const TimestampUs horizon = now + static_cast<TimestampUs>(days) * 86400LL * 1000000;
  for (const auto& [key, i] : open_) {
    if (entries_[i].due_by > now && entries_[i].due_by <= horizon) out.push_back(entries_[i]);
  }
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.due_by < b.due_by; });
  return out;
}

std::string DeadlinesProjection::Serialize() const {
  std::ostringstream o;
  for (const auto& e : entries_) {
    o << e.child << " " << e.rule << " " << e.started << "->" << e.due << " "
      << StatusAt(e, INT64_MIN) << " " << e.closed_at << "\n";
  }
  return o.str();
}

}  // namespace casetrail::replay

namespace casetrail::replay {

void PloTrackerProjection::Apply(const EventView& e) {
  const std::string type(e.type);
  const bool plo = type.rfind("plo.", 0) == 0;
  const bool court = type.rfind("court.", 0) == 0;
  const bool deadline = type.rfind("deadline.", 0) == 0 &&
                        (e.journey == "pre_proceedings" || e.journey == "care_proceedings");
  if (!plo && !court && !deadline) return;
  const std::string id = ChildIdOf(e.stream);
  if (id.empty()) return;
  // Deadlines only annotate a child already tracked (they follow the action that made them).
  if (deadline && !children_.count(id)) return;
  Child& c = children_[id];
  c.child = id;
  const std::string date = workflows::Date::FromTimestampUs(e.occurred_at).ToString();
  auto params = ParamsOf(e.payload);
  auto set_team = [&] {
    c.team = std::string(e.actor_team);
    c.area = AreaOf(c.team);
  };
  if (deadline) {
    json p = json::parse(e.payload, nullptr, false);
    if (!p.is_object()) return;
    const std::string rule = p.value("rule", ""), due = p.value("due", "");
    if (type == "deadline.scheduled") {
      if (rule == "T-30") c.initial_meeting_due = due;
      if (rule == "T-31") c.review_point = due;
      if (rule == "T-32") c.final_date = due;
    }
    return;
  }
  if (type == "plo.legal_planning_meeting_held") {
    if (params["decision"] == "pre_proceedings") {
      c = Child{};
      c.child = id;
      c.in_pre_proceedings = true;
      c.lpm_date = date;
      c.start_us = e.occurred_at;
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
    if (params["outcome"] != "continue") c.in_pre_proceedings = false;
  } else if (type == "court.application_issued") {
    c.pre_proceedings_before_issue = !c.lpm_date.empty();
    c.in_pre_proceedings = false;
    c.in_proceedings = true;
    c.fdac = params["track"] == "fdac";
    c.issued = date;
    c.start_us = e.occurred_at;
    c.hearings.clear();
    c.extension_weeks = 0;
    set_team();
  } else if (type == "court.hearing_held") {
    c.hearings.push_back(date + " " + params["hearing"]);
  } else if (type == "court.extension_granted") {
    c.extension_weeks += std::atoi(params["weeks"].c_str());
    if (!c.final_date.empty()) {
      c.final_date = std::move(workflows::Date::Parse(c.final_date, "final_date"))
                         .value()
                         .AddWeeks(std::atoi(params["weeks"].c_str()))
                         .ToString();
    }
  } else if (type == "court.final_order_made" || type == "court.application_withdrawn") {
    c.in_proceedings = false;
  }
  if (!c.in_pre_proceedings && !c.in_proceedings) children_.erase(id);
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
  facts_.clear();
  lpm_.clear();
  issued_.clear();
  issued_after_pre_.clear();
  plan_since_.clear();
  plan_team_.clear();
}

void KpiProjection::Apply(const EventView& e) {
  const std::string id = ChildIdOf(e.stream);
  if (id.empty()) return;
  const std::string type(e.type);
  const std::string team(e.actor_team);
  const bool derived = IsDerivedPayload(e.payload);
  if (type == "deadline.met" || type == "deadline.met_late") {
    facts_.push_back({Field(e.payload, "rule"), type == "deadline.met" ? "met" : "late", e.occurred_at, 0, team});
    return;
  }
  if (type == "flag.raised") {
    const std::string text = Field(e.payload, "text");
    if (text.rfind("T-10", 0) == 0) facts_.push_back({"repeat_plan", "", e.occurred_at, 0, team});
    if (text.rfind("T-42", 0) == 0) facts_.push_back({"no_permanence_plan", "", e.occurred_at, 0, team});
    return;
  }
  if (type.rfind("deadline.", 0) == 0) return;
  if (!derived) {
    facts_.push_back({"recording_lag", "", e.recorded_at,
                      static_cast<double>(e.recorded_at - e.occurred_at) / kDayUs, team});
  }
  // Child protection plans (started by an ICPC, ended by any route).
  if (e.journey == "child_protection") {
    if (e.to_state == "OnCpPlan" && e.from_state != "OnCpPlan") {
      plan_since_[id] = e.occurred_at;
      plan_team_[id] = team;
      facts_.push_back({"plan_started", "", e.occurred_at, 0, team});
    } else if (e.from_state == "OnCpPlan" && e.to_state != "OnCpPlan") {
      if (auto it = plan_since_.find(id); it != plan_since_.end()) {
        facts_.push_back({"plan_ended", "", e.occurred_at, WeeksBetween(it->second, e.occurred_at), team});
        plan_since_.erase(it);
        plan_team_.erase(id);
      }
    }
  }
  if (type == "plo.legal_planning_meeting_held" && e.to_state == "LetterDue") {
    lpm_[id] = e.occurred_at;
  } else if (type == "plo.pre_proceedings_concluded") {
    const std::string outcome = ParamsOf(e.payload)["outcome"];
    auto it = lpm_.find(id);
    if (outcome != "continue" && it != lpm_.end()) {
      facts_.push_back({"pre_concluded", outcome, e.occurred_at, WeeksBetween(it->second, e.occurred_at), team});
      lpm_.erase(it);
    }
  } else if (type == "court.application_issued") {
    issued_[id] = e.occurred_at;
    issued_after_pre_[id] = lpm_.count(id) > 0;  // X-01 concludes it in this same append
  } else if (type == "court.final_order_made" || type == "court.application_withdrawn") {
    auto it = issued_.find(id);
    if (it != issued_.end()) {
      facts_.push_back({"proceedings_ended", issued_after_pre_[id] ? "with_pre" : "without_pre",
                        e.occurred_at, WeeksBetween(it->second, e.occurred_at), team});
      issued_.erase(it);
    }
  }
}

std::map<std::string, KpiProjection::Value> KpiProjection::Compute(const Filter& f) const {
  std::map<std::string, Value> out;
  auto in = [&](const std::string& team, TimestampUs at) {
    return at >= f.from && at < f.to && (f.team.empty() || team == f.team) &&
           (f.area.empty() || AreaOf(team) == f.area);
  };
  auto timeliness = [&](const char* measure, std::initializer_list<const char*> rules, const Fact& x) {
    for (const char* r : rules) {
      if (x.kind == r) {
        Value& v = out[measure];
        v.denominator += 1;
        if (x.outcome == "met") v.numerator += 1;
      }
    }
  };
  int plans_started = 0;
  for (const Fact& x : facts_) {
    if (!in(x.team, x.at)) continue;
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
    if (x.kind == "recording_lag") {
      out["average_recording_lag_days"].numerator += x.amount;
      out["average_recording_lag_days"].denominator += 1;
    }
  }
  if (out.count("permanence_plan_by_second_review")) {
    Value& v = out["permanence_plan_by_second_review"];
    v.numerator += v.denominator;  // second reviews minus those without a permanence plan
  }
  out["repeat_cp_plans_within_24_months"].denominator = plans_started;
  // Plans open at the end of the period, and those open longer than 2 years (T-09).
  Value& long_plans = out["cp_plans_over_2_years"];
  for (const auto& [child, since] : plan_since_) {
    const std::string& team = plan_team_.at(child);
    if ((!f.team.empty() && team != f.team) || (!f.area.empty() && AreaOf(team) != f.area)) continue;
    if (since >= f.to) continue;
    long_plans.denominator += 1;
    if (f.to != INT64_MAX && f.to - since > static_cast<TimestampUs>(2 * 365.25 * kDayUs)) long_plans.numerator += 1;
  }
  return out;
}

std::string KpiProjection::Serialize() const {
  std::ostringstream o;
  for (const auto& x : facts_) o << x.kind << " " << x.outcome << " " << x.at << " " << x.amount << " " << x.team << "\n";
  for (const auto& [c, t] : plan_since_) o << "open_plan " << c << " " << t << "\n";
  return o.str();
}

}  // namespace casetrail::replay
