#include "replay/projection_support.hpp"

#include <sstream>

#include "replay/detail/payload_fields.hpp"
#include "workflows/calendar.hpp"
#include "workflows/case.hpp"

namespace casetrail::replay {

std::uint32_t Names::Id(std::string_view name) {
  auto it = ids_.find(name);
  if (it != ids_.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(names_.size());
  names_.emplace_back(name);
  ids_.emplace(std::string(name), id);
  return id;
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

bool ParseAllocation(const EventView& e, AllocationChange* out) {
  if (e.journey != workflows::kAllocation || !e.type.starts_with("alloc.")) return false;
  const auto p = ParamsOf(e.payload, {"team", "worker", "as", "reason"});
  auto get = [&](const char* k) {
    auto it = p.find(k);
    return it == p.end() ? Sym() : Sym(it->second);
  };
  *out = AllocationChange{Sym(e.type), get("team"), get("worker"), get("as"), get("reason")};
  return true;
}

namespace {
bool Before(TimestampUs a_at, std::uint64_t a_version, TimestampUs b_at, std::uint64_t b_version) {
  return a_at != b_at ? a_at < b_at : a_version < b_version;
}
}  // namespace

void AllocationTimeline::Apply(const EventView& e, const AllocationChange& a) {
  Step s{e.occurred_at, e.version, a};
  auto pos = std::upper_bound(steps_.begin(), steps_.end(), s, [](const Step& x, const Step& y) {
    return Before(x.at, x.version, y.at, y.version);
  });
  steps_.insert(pos, std::move(s));
}

void AllocationTimeline::Correct(const CorrectionEvent& k) {
  auto it = std::find_if(steps_.begin(), steps_.end(), [&](const Step& s) { return s.version == k.target_version; });
  if (it == steps_.end()) return;
  if (k.withdrawn) {
    steps_.erase(it);
    return;
  }
  it->at = k.after_at;
  auto get = [&](const char* key, const Sym& was) {
    auto f = k.after_params.find(key);
    return f == k.after_params.end() ? was : Sym(f->second);
  };
  it->change.team = get("team", it->change.team);
  it->change.worker = get("worker", it->change.worker);
  it->change.as = get("as", it->change.as);
  it->change.reason = get("reason", it->change.reason);
  std::stable_sort(steps_.begin(), steps_.end(),
                   [](const Step& x, const Step& y) { return Before(x.at, x.version, y.at, y.version); });
}

Sym AllocationChange::TeamAfter(const Sym& before) const {
  const bool iro = as == "iro";
  if (type == "alloc.worker_deallocated") return reason == "case_closed" && !iro ? Sym() : before;
  if (type == "alloc.team_allocated" || (type == "alloc.worker_allocated" && !iro)) return team;
  return before;
}

void AllocationTimeline::Fold(Holding& h, const Step& s) {
  const AllocationChange& a = s.change;
  const bool iro = a.as == "iro";
  h.recorded = true;
  h.team = a.TeamAfter(h.team);
  if (a.type == "alloc.team_allocated") {
    h.worker = h.as = Sym();
    h.since = s.at;
  } else if (a.type == "alloc.worker_allocated" && iro) {
    h.iro = a.worker;
  } else if (a.type == "alloc.worker_allocated") {
    h.worker = a.worker;
    h.as = a.as;
    h.since = s.at;
  } else if (a.type == "alloc.worker_deallocated" && iro) {
    h.iro = Sym();
  } else if (a.type == "alloc.worker_deallocated") {
    if (a.reason == "case_closed") h.iro = Sym();  // no one holds a closed case (TeamAfter)
    h.worker = h.as = Sym();
    h.since = s.at;
  }
}

AllocationTimeline::Holding AllocationTimeline::On(TimestampUs at) const {
  Holding h;
  for (const Step& s : steps_) {
    if (s.at > at) break;
    Fold(h, s);
  }
  return h;
}

std::vector<AllocationTimeline::Wait> AllocationTimeline::Waits() const {
  std::vector<Wait> out;
  Holding h;
  for (const Step& s : steps_) {
    const Holding before = h;
    Fold(h, s);
    const bool waiting_before = !before.team.empty() && before.worker.empty();
    if (waiting_before && !h.worker.empty()) out.push_back({h.team, before.since, s.at, s.version});
  }
  return out;
}

std::string AllocationTimeline::Serialize() const {
  std::ostringstream o;
  for (const Step& s : steps_) {
    o << " " << s.at << "/v" << s.version << ":" << s.change.type << "(" << s.change.team << "," << s.change.worker
      << "," << s.change.as << "," << s.change.reason << ")";
  }
  return o.str();
}

}  // namespace casetrail::replay
