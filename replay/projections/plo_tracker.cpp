#include "replay/projections/plo_tracker.hpp"

#include <cstdlib>
#include <sstream>

#include "replay/correction_event.hpp"
#include "replay/detail/payload_fields.hpp"
#include "replay/event_helpers.hpp"
#include "workflows/calendar.hpp"
#include "workflows/case.hpp"

namespace casetrail::replay {
namespace {
bool PloDeadline(const std::string& type, const std::string& rule) {
  return (type == "deadline.scheduled" || type == "deadline.rescheduled") &&
         (rule == "T-30" || rule == "T-31" || rule == "T-32");
}
}  // namespace

void PloTrackerProjection::Apply(const EventView& e) {
  const std::string_view type = e.type;
  if (e.stream == kTeamsStream) {
    teams_.Apply(e);
    return;
  }
  if (AllocationChange a; ParseAllocation(e, &a)) {
    // The team and area follow allocation (a transfer moves a child in proceedings).
    const std::string id = ChildIdOf(e.stream);
    if (id.empty()) return;
    auto held = allocated_team_.find(id);
    const Sym after = a.TeamAfter(held == allocated_team_.end() ? Sym() : Sym(held->second));
    if (after.empty()) {
      allocated_team_.erase(id);
    } else {
      allocated_team_[id] = after.str();
      if (auto c = children_.find(id); c != children_.end()) {
        c->second.team = after.str();
        c->second.area = AreaOf(after.str());
      }
    }
    return;
  }
  const bool plo = type.starts_with("plo.");
  const bool court = type.starts_with("court.");
  const bool deadline = type.starts_with("deadline.") &&
                        (e.journey == "pre_proceedings" || e.journey == "care_proceedings");
  const bool placement = type == "cic.placement_started" || type == "cic.placement_changed" || type == "cic.placement_ended";
  if (!plo && !court && !deadline && !placement && !type.starts_with("case.record_")) return;
  const std::string id = ChildIdOf(e.stream);
  if (id.empty()) return;
  if (CorrectionEvent k; ParseCorrection(e, &k)) {
    auto it = inputs_.find(id);
    if (it == inputs_.end()) return;  // the child was never in pre-proceedings or proceedings
    CorrectInputs(it->second, k, PloDeadline);
    Refold(id);
    return;
  }
  if (!plo && !court && !deadline && !placement) return;
  // Deadlines and placements only annotate a child already tracked (placements while in
  // proceedings).
  if (deadline && !children_.count(id)) return;
  if (placement && (!children_.count(id) || !children_[id].in_proceedings)) return;
  ChildInput in;
  in.version = e.version;
  in.at = e.occurred_at;
  in.type = std::string(type);
  in.team = std::string(e.actor_team);
  if (auto a = allocated_team_.find(id); a != allocated_team_.end()) in.team = a->second;
  if (deadline) {
    in.params = {{"rule", Field(e.payload, "rule")}, {"due", Field(e.payload, "due")}};
    if (!PloDeadline(in.type, in.params["rule"])) return;
  } else {
    in.params = ParamsOf(e.payload, {"decision", "outcome", "track", "hearing", "weeks", "court", "next_hearing", "placement"});
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
  if (type == "deadline.scheduled" || type == "deadline.rescheduled") {
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
    c.placement_changes.clear();
    c.extension_weeks = 0;
    c.court = param("court");
    c.next_hearing = param("next_hearing");
    set_team();
  } else if (type == "court.hearing_held") {
    c.hearings.push_back(date + " " + param("hearing"));
    c.next_hearing = param("next_hearing");
  } else if (type == "court.extension_granted") {
    const int weeks = std::atoi(param("weeks").c_str());
    c.extension_weeks += weeks;
    if (!c.final_date.empty()) {
      c.final_date = std::move(workflows::Date::Parse(c.final_date, "final_date")).value().AddWeeks(weeks).ToString();
    }
  } else if (type == "court.final_order_made" || type == "court.application_withdrawn") {
    c.in_proceedings = false;
  } else if (c.in_proceedings && (type == "cic.placement_started" || type == "cic.placement_changed")) {
    c.placement_changes.push_back(date + (type == "cic.placement_started" ? " started " : " changed ") + param("placement"));
  } else if (c.in_proceedings && type == "cic.placement_ended") {
    c.placement_changes.push_back(date + " ended");
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
    const std::string a = teams_.Area(c.team);  // reference data (replay/team_directory.hpp)
    if ((!team.empty() && c.team != team) || (!area.empty() && a != area)) continue;
    out.push_back(c);
    out.back().area = a;
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
      << " hearings=" << c.hearings.size() << " court=" << c.court << " next=" << c.next_hearing
      << " placements=" << c.placement_changes.size() << "\n";
  }
  return o.str();
}

}  // namespace casetrail::replay
