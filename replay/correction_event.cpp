#include "replay/correction_event.hpp"

#include <nlohmann/json.hpp>

namespace casetrail::replay {

using nlohmann::json;

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

}  // namespace casetrail::replay
