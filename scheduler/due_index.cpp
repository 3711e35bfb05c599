#include "scheduler/due_index.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

#include "replay/correction_event.hpp"
#include "replay/event_helpers.hpp"
#include "replay/projection_support.hpp"
#include "workflows/calendar.hpp"
#include "workflows/case.hpp"
#include "workflows/case_events.hpp"

namespace casetrail::scheduler {
namespace {

using nlohmann::json;
using workflows::Date;

constexpr int kAges = static_cast<int>(std::size(workflows::kMilestoneAges));

std::int32_t DaysOf(const std::string& date) {
  auto d = Date::Parse(date, "date");
  return d.ok() ? d->days() : INT32_MIN;
}

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string DueItem::CommandId() const {
  switch (kind) {
    case Kind::kBreach: return "time:" + child + ":breach:" + rule + ":" + due;
    case Kind::kDueSoon: return "time:" + child + ":due_soon:" + rule + ":" + due;
    case Kind::kAge: break;
  }
  return "time:" + child + ":age:" + std::to_string(age);
}

const char* DueItem::Action() const {
  switch (kind) {
    case Kind::kBreach: return workflows::kDeadlineBreached;
    case Kind::kDueSoon: return workflows::kDeadlineDueSoon;
    case Kind::kAge: break;
  }
  return workflows::kAgeReached;
}

void DueIndex::Reset() {
  children_.clear();
  deadlines_.clear();
  pending_.clear();
  pending_ages_.clear();
  pending_soon_.clear();
}

void DueIndex::RefreshAges(const std::string& id, Child& c) {
  for (int i = 0; i < kAges; ++i) {
    if (c.queued[i] != 0) pending_ages_.erase({c.queued[i], id, workflows::kMilestoneAges[i]});
    c.queued[i] = 0;
    if (c.dob == INT32_MIN || c.journeys.empty() || (c.ages_recorded & (1u << i))) continue;
    const TimestampUs at = workflows::BirthdayAt(Date::FromDays(c.dob), workflows::kMilestoneAges[i]).StartUs();
    // Only birthdays while the child is open to the Trust, never before the record began.
    if (at < c.active_since || at < c.first_at) continue;
    pending_ages_.emplace(at, id, workflows::kMilestoneAges[i]);
    c.queued[i] = at;
  }
}

void DueIndex::SetDeadline(const Key& key, Deadline d) {
  EraseDeadline(key);
  if (d.breached_at == 0) pending_.emplace(d.due_by, key.first, key.second);
  d.notice_at = 0;
  if (notice_ > 0 && !d.reminded && d.breached_at == 0) {
    auto from = workflows::Calendar::EnglandAndWales().SubtractWorkingDays(
        std::move(Date::Parse(d.due, "due")).value_or(Date()), notice_);
    const TimestampUs at = std::max(from.ok() ? from->StartUs() : 0, d.scheduled_at);
    if (at < d.due_by) {
      d.notice_at = at;
      pending_soon_.emplace(at, key.first, key.second);
    }
  }
  deadlines_[key] = std::move(d);
}

void DueIndex::EraseDeadline(const Key& key) {
  auto it = deadlines_.find(key);
  if (it == deadlines_.end()) return;
  pending_.erase({it->second.due_by, key.first, key.second});
  if (it->second.notice_at != 0) pending_soon_.erase({it->second.notice_at, key.first, key.second});
  deadlines_.erase(it);
}

void DueIndex::Apply(const EventView& e) {
  const std::string id = replay::ChildIdOf(e.stream);
  if (id.empty()) return;
  const std::string_view type = e.type;
  Child& c = children_[id];
  auto journeys_changed = [&](bool was_active, TimestampUs at) {
    if (!was_active && !c.journeys.empty()) c.active_since = at;
    if (c.journeys.empty()) c.active_since = INT64_MAX;
    if (was_active != !c.journeys.empty()) RefreshAges(id, c);
  };

  if (replay::CorrectionEvent k; replay::ParseCorrection(e, &k)) {
    // The refold says what holds now: the child's open deadlines, journeys and date of birth.
    std::map<std::string, Deadline> before;
    for (auto it = deadlines_.lower_bound({id, ""}); it != deadlines_.end() && it->first.first == id;) {
      before[it->first.second] = it->second;
      auto next = std::next(it);
      EraseDeadline(it->first);
      it = next;
    }
    for (const auto& d : k.deadlines) {
      if (d.state != "open") continue;
      Deadline was = before[d.rule];
      Deadline now;
      now.journey = was.journey;
      now.due = d.due;
      now.due_by = d.due_by;
      now.breached_at = d.breached_at;
      now.scheduled_at = was.scheduled_at;
      now.reminded = was.reminded && was.due == d.due;  // a reminder of the same date stands
      SetDeadline({id, d.rule}, std::move(now));
    }
    if (auto t = k.allocation.find("team"); t != k.allocation.end()) {  // the refold's allocation
      c.allocated_team = t->second;
      c.team = c.allocated_team.empty() ? c.recorder_team : c.allocated_team;
    }
    const bool was_active = !c.journeys.empty();
    c.journeys.clear();
    for (const auto& [journey, state] : k.states) {
      if (!replay::IsInitialState(journey, state)) c.journeys[journey] = state;
    }
    journeys_changed(was_active, e.occurred_at);
    if (k.target_type == "case.child_registered" || k.target_type == "case.child_born") {
      auto dob = k.after_params.find("date_of_birth");
      c.dob = !k.withdrawn && dob != k.after_params.end() ? DaysOf(dob->second) : INT32_MIN;
      RefreshAges(id, c);
    }
    return;
  }

  if (replay::AllocationChange a; replay::ParseAllocation(e, &a)) {
    // The team its time-driven events are filed under (the per-team due-soon feed) follows allocation.
    c.allocated_team = a.TeamAfter(replay::Sym(c.allocated_team)).str();
    c.team = c.allocated_team.empty() ? c.recorder_team : c.allocated_team;
    return;
  }
  if (type.starts_with("deadline.") && type != workflows::kDeadlineBreached) {
    const json p = json::parse(e.payload, nullptr, false);
    if (!p.is_object()) return;
    const Key key{id, Str(p, "rule")};
    auto it = deadlines_.find(key);
    if (type == "deadline.scheduled" || type == "deadline.rescheduled") {
      Deadline d;
      d.journey = std::string(e.journey);
      d.due = Str(p, "due");
      d.due_by = p.value("due_by_us", TimestampUs{0});
      d.scheduled_at = e.occurred_at;
      if (it != deadlines_.end() && it->second.due == d.due) d.reminded = it->second.reminded;
      // A recount that keeps the date behind a recorded breach keeps the breach (workflows/case.cpp).
      if (type == "deadline.rescheduled" && it != deadlines_.end() && it->second.breached_at != 0 &&
          d.due_by <= it->second.breached_at) {
        d.breached_at = it->second.breached_at;
      }
      SetDeadline(key, std::move(d));
    } else if (type == workflows::kDeadlineDueSoon) {
      if (it != deadlines_.end()) {
        Deadline d = it->second;
        d.reminded = true;
        SetDeadline(key, std::move(d));
      }
    } else if (type == "deadline.breach_cancelled") {
      if (it != deadlines_.end()) {
        Deadline d = it->second;
        d.breached_at = 0;
        SetDeadline(key, std::move(d));
      }
    } else if (type == "deadline.met" || type == "deadline.met_late" || type == "deadline.cancelled") {
      EraseDeadline(key);
    }
    return;
  }
  if (type == workflows::kDeadlineBreached) {
    const json p = json::parse(e.payload, nullptr, false);
    if (!p.is_object()) return;
    const Key key{id, Str(p, "rule")};
    auto it = deadlines_.find(key);
    if (it != deadlines_.end()) {
      Deadline d = it->second;
      d.breached_at = e.occurred_at;
      SetDeadline(key, std::move(d));
    }
    return;
  }
  if (type.starts_with("flag.")) return;

  const bool by_person = e.actor_role != workflows::kSystemRole && !workflows::IsDerivedPayload(e.payload);
  if (by_person) {
    if (e.occurred_at < c.first_at) {
      c.first_at = e.occurred_at;
      RefreshAges(id, c);
    }
    if (c.recorder_team != e.actor_team) c.recorder_team = std::string(e.actor_team);
    c.team = c.allocated_team.empty() ? c.recorder_team : c.allocated_team;
  }
  if (!e.journey.empty() && replay::IsJourney(e.journey) && !e.to_state.empty()) {
    const bool was_active = !c.journeys.empty();
    if (replay::IsInitialState(e.journey, e.to_state)) {
      c.journeys.erase(std::string(e.journey));
    } else {
      c.journeys[std::string(e.journey)] = std::string(e.to_state);
    }
    journeys_changed(was_active, e.occurred_at);
  }
  if (type == "case.child_registered" || type == "case.child_born" || type == workflows::kAgeReached) {
    const auto params = workflows::ActionParams(e.payload);
    auto param = [&](const char* k) {
      auto it = params.find(k);
      return it == params.end() ? std::string() : it->second;
    };
    if (type == workflows::kAgeReached) {
      for (int i = 0; i < kAges; ++i) {
        if (param("age") == std::to_string(workflows::kMilestoneAges[i])) c.ages_recorded |= 1u << i;
      }
    } else if (!param("date_of_birth").empty()) {
      c.dob = DaysOf(param("date_of_birth"));
    }
    RefreshAges(id, c);
  }
}

std::vector<DueItem> DueIndex::DueBy(TimestampUs until) const {
  std::vector<DueItem> out;
  auto deadline_item = [&](DueItem::Kind kind, TimestampUs at, const std::string& child, const std::string& rule,
                           const Deadline& d) {
    DueItem item;
    item.at = at;
    item.child = child;
    item.kind = kind;
    item.rule = rule;
    item.due = d.due;
    item.journey = d.journey;
    if (kind == DueItem::Kind::kDueSoon) item.age = notice_;
    auto c = children_.find(child);
    if (c != children_.end()) item.team = c->second.team;
    out.push_back(std::move(item));
  };
  for (const auto& [due_by, child, rule] : pending_) {
    if (due_by > until) break;
    deadline_item(DueItem::Kind::kBreach, due_by, child, rule, deadlines_.at({child, rule}));
  }
  for (const auto& [at, child, rule] : pending_soon_) {
    if (at > until) break;
    const Deadline& d = deadlines_.at({child, rule});
    if (d.due_by <= until) continue;  // past due by now: its breach says more than a reminder
    deadline_item(DueItem::Kind::kDueSoon, at, child, rule, d);
  }
  for (const auto& [at, id, age] : pending_ages_) {
    if (at > until) break;
    const Child& c = children_.find(id)->second;
    if (age > 18 && c.journeys.count("leaving_care") == 0) continue;  // 21 and 25: care leavers only
    DueItem item;
    item.at = at;
    item.child = id;
    item.kind = DueItem::Kind::kAge;
    item.age = age;
    item.team = c.team;
    out.push_back(std::move(item));
  }
  std::sort(out.begin(), out.end(), [](const DueItem& a, const DueItem& b) {
    return std::tie(a.at, a.child, a.kind, a.rule, a.age) < std::tie(b.at, b.child, b.kind, b.rule, b.age);
  });
  return out;
}

std::vector<OpenDeadline> DueIndex::DueBetween(TimestampUs now, const std::string& last_day,
                                               const std::string& team) const {
  std::vector<OpenDeadline> out;
  const std::string today = Date::FromTimestampUs(now).ToString();
  for (const auto& [key, d] : deadlines_) {
    if (d.due <= today || d.due > last_day) continue;
    auto c = children_.find(key.first);
    const std::string child_team = c == children_.end() ? std::string() : c->second.team;
    if (!team.empty() && child_team != team) continue;
    out.push_back({key.first, key.second, d.journey, d.due, child_team, d.due_by, d.breached_at != 0});
  }
  std::sort(out.begin(), out.end(), [](const OpenDeadline& a, const OpenDeadline& b) {
    return std::tie(a.due_by, a.child, a.rule) < std::tie(b.due_by, b.child, b.rule);
  });
  return out;
}

std::string DueIndex::Serialize() const {
  std::ostringstream o;
  for (const auto* kv : replay::Sorted(children_)) {
    const Child& c = kv->second;
    o << "child " << kv->first << " dob=" << c.dob << " first=" << c.first_at << " active_since=" << c.active_since
      << " ages=" << static_cast<int>(c.ages_recorded) << " team=" << c.team << " journeys=";
    for (const auto& [j, s] : c.journeys) o << j << ":" << s << ",";
    o << "\n";
  }
  for (const auto& [key, d] : deadlines_) {
    o << "deadline " << key.first << " " << key.second << " " << d.journey << " " << d.due << " " << d.due_by
      << " breached=" << d.breached_at << " reminded=" << d.reminded << " notice_at=" << d.notice_at << "\n";
  }
  return o.str();
}

}  // namespace casetrail::scheduler
