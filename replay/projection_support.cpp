#include "replay/projection_support.hpp"

#include "workflows/calendar.hpp"

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

}  // namespace casetrail::replay
