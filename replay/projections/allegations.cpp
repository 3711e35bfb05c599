#include "replay/projections/allegations.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "workflows/own_record.hpp"
#include "workflows/calendar.hpp"
#include "workflows/case_events.hpp"

namespace casetrail::replay {

void AllegationsProjection::Apply(const EventView& e) {
  const std::string id = workflows::RecordIdOf(workflows::AllegationRecord(), e.stream);
  if (id.empty()) return;
  Entry& a = items_[id];
  a.id = id;
  a.version = e.version;
  const std::string_view type = e.type;
  if (type.starts_with("deadline.")) {
    const auto p = nlohmann::json::parse(e.payload, nullptr, false);
    if (!p.is_object()) return;
    const std::string rule = p.value("rule", "");
    Deadline* d = rule == "T-100" ? &a.t100 : rule == "T-103" ? &a.t103 : nullptr;
    if (!d) return;
    if (type == "deadline.scheduled" || type == "deadline.rescheduled") {
      d->due = p.value("due", "");
      d->due_by = p.value("due_by_us", TimestampUs{0});
      d->state = "open";
    } else if (type == "deadline.met") {
      d->state = "met";
    } else if (type == "deadline.met_late") {
      d->state = "met_late";
    } else if (type == "deadline.cancelled") {
      d->state = "cancelled";
    }
    return;
  }
  if (!type.starts_with("lado.")) return;
  if (!e.to_state.empty()) a.state = std::string(e.to_state);
  const auto params = workflows::ActionParams(e.payload);
  auto param = [&](const char* k) {
    auto it = params.find(k);
    return it == params.end() ? std::string() : it->second;
  };
  if (type == "lado.referral_received") {
    a.referred_at = e.occurred_at;
    a.concern_raised_on = param("concern_raised_on");
    a.sector = param("sector");
    a.employment = param("employment");
    a.criteria = param("criteria");
    a.referrer = param("referrer");
    a.children = param("children");
  } else if (type == "lado.initial_evaluation_completed") {
    a.evaluation = param("outcome");
    a.evaluated_at = e.occurred_at;
    if (a.evaluation != "threshold_met") a.concluded_at = e.occurred_at;
  } else if (type == "lado.allegation_concluded") {
    a.outcome = param("outcome");
    a.dbs_referral = param("dbs_referral");
    a.concluded_at = e.occurred_at;
  } else if (type == "lado.allegation_reopened") {
    ++a.reopened;
    a.outcome.clear();
    a.dbs_referral.clear();
    a.concluded_at = 0;
    if (a.state == "AwaitingEvaluation") a.evaluation.clear();
  }
}

const AllegationsProjection::Entry* AllegationsProjection::Find(const std::string& id) const {
  auto it = items_.find(id);
  return it == items_.end() ? nullptr : &it->second;
}

std::vector<AllegationsProjection::Entry> AllegationsProjection::List() const {
  std::vector<Entry> out;
  for (const auto& [id, a] : items_) out.push_back(a);
  std::stable_sort(out.begin(), out.end(), [](const Entry& x, const Entry& y) { return x.referred_at > y.referred_at; });
  return out;
}

std::string AllegationsProjection::StatusAt(const Deadline& d, TimestampUs now) {
  if (d.state == "open" && d.due_by != 0 && now >= d.due_by) return "breached";
  return d.state;
}

AllegationsProjection::Summary AllegationsProjection::Summarise(TimestampUs from, TimestampUs to, TimestampUs now) const {
  Summary s;
  for (const auto& [id, a] : items_) {
    if (a.referred_at < from || a.referred_at >= to) continue;
    ++s.referred;
    if (a.state == "Concluded") {
      ++s.concluded;
      ++s.outcomes[a.outcome];
      const workflows::Date referred = workflows::Date::FromTimestampUs(a.referred_at);
      const workflows::Date concluded = workflows::Date::FromTimestampUs(a.concluded_at);
      s.within_1_month += concluded <= referred.AddMonths(1);
      s.within_3_months += concluded <= referred.AddMonths(3);
      s.within_12_months += concluded <= referred.AddMonths(12);
    } else if (a.state == "ClosedAtEvaluation") {
      ++s.closed_at_evaluation;
    } else {
      ++s.open;
    }
    s.t100_late += a.t100.state == "met_late";
    s.t103_late += a.t103.state == "met_late";
    s.t103_overdue += StatusAt(a.t103, now) == "breached";
  }
  return s;
}

std::string AllegationsProjection::Serialize() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [id, a] : items_) {
    out.push_back({{"id", a.id}, {"state", a.state}, {"version", a.version}, {"referred_at", a.referred_at},
                   {"concern_raised_on", a.concern_raised_on}, {"sector", a.sector}, {"employment", a.employment},
                   {"criteria", a.criteria}, {"referrer", a.referrer}, {"children", a.children},
                   {"evaluation", a.evaluation}, {"evaluated_at", a.evaluated_at}, {"outcome", a.outcome},
                   {"dbs_referral", a.dbs_referral}, {"concluded_at", a.concluded_at}, {"reopened", a.reopened},
                   {"t100", {a.t100.due, a.t100.due_by, a.t100.state}}, {"t103", {a.t103.due, a.t103.due_by, a.t103.state}}});
  }
  return out.dump();
}

}  // namespace casetrail::replay
