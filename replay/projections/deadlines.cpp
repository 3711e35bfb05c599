#include "replay/projections/deadlines.hpp"

#include <algorithm>
#include <sstream>
#include <tuple>

#include "replay/correction_event.hpp"
#include "replay/detail/payload_fields.hpp"
#include "replay/event_helpers.hpp"
#include "workflows/calendar.hpp"

namespace casetrail::replay {
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
  it.breach_recorded_at = e.breach_recorded_at;
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
  e.breach_recorded_at = it.breach_recorded_at;
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
      en.breach_recorded_at = d.breached_at;
      Add(en);
    }
    return;
  }
  if (type.rfind("deadline.", 0) != 0) return;
  const std::string child = ChildIdOf(e.stream);
  if (child.empty()) return;
  const FlatObject flat = ScanFlat(e.payload);
  const std::string rule = Field(flat, e.payload, "rule");
  auto it = open_.find(OpenKey(names_.Id(child), names_.Id(rule)));
  if (it != open_.end() && (type == "deadline.scheduled" || type == "deadline.rescheduled")) {
    // Moved while open: an extension (scheduled again) or a recount under a corrected rule.
    Item& item = items_[it->second];
    item.rule_version = names_.Id(Field(flat, e.payload, "rule_version"));
    item.started = DaysOf(Field(flat, e.payload, "started"));
    item.due = DaysOf(Field(flat, e.payload, "due"));
    item.due_by = NumberField(flat, e.payload, "due_by_us");
    if (item.due_by > item.breach_recorded_at) item.breach_recorded_at = 0;  // moved past the breach
    return;
  }
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
  if (it == open_.end()) return;
  Item& item = items_[it->second];
  if (type == "deadline.breached" || type == "deadline.breach_cancelled") {
    item.breach_recorded_at = type == "deadline.breached" ? e.occurred_at : 0;
    return;
  }
  if (type != "deadline.met" && type != "deadline.met_late" && type != "deadline.cancelled") return;  // due_soon
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
      << StatusAt(e, INT64_MIN) << " " << e.closed_at;
    if (e.breach_recorded_at != 0) o << " breach@" << e.breach_recorded_at;
    o << "\n";
  }
  return o.str();
}

}  // namespace casetrail::replay
