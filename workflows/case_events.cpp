#include "workflows/case_events.hpp"

#include <nlohmann/json.hpp>

namespace casetrail::workflows {
namespace {

using nlohmann::json;

json ObjectOf(const std::map<std::string, std::string>& m) {
  json j = json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

std::map<std::string, std::string> StringsOf(const json& j) {
  std::map<std::string, std::string> out;
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it->is_string()) out[it.key()] = it->get<std::string>();
  }
  return out;
}

}  // namespace

std::string StreamOf(const std::string& child_id) { return "child-" + child_id; }

std::string ChildIdOf(std::string_view stream) {
  constexpr std::string_view kPrefix = "child-";
  if (stream.substr(0, kPrefix.size()) != kPrefix) return {};
  return std::string(stream.substr(kPrefix.size()));
}

bool IsCorrection(std::string_view type) { return type == kRecordCorrected || type == kRecordWithdrawn; }

std::map<std::string, std::string> ActionParams(std::string_view payload) {
  const json p = json::parse(payload, nullptr, false);
  return p.is_object() && p.contains("params") ? StringsOf(p["params"]) : std::map<std::string, std::string>{};
}

ActionPayload DecodeActionPayload(std::string_view payload) {
  ActionPayload out;
  const json p = json::parse(payload, nullptr, false);
  if (!p.is_object()) return out;
  if (auto it = p.find("params"); it != p.end()) {
    out.params = StringsOf(*it);
  } else {
    for (const char* k : {"rule", "due"}) {
      if (auto f = p.find(k); f != p.end() && f->is_string()) out.params[k] = f->get<std::string>();
    }
    if (auto f = p.find("notice_working_days"); f != p.end() && f->is_number_integer()) {
      out.params["notice"] = std::to_string(f->get<int>());
    }
  }
  if (auto it = p.find("rules_edition"); it != p.end() && it->is_number_integer()) {
    out.rules_edition = it->get<int>();
  }
  return out;
}

std::string EncodeActionPayload(const std::map<std::string, std::string>& params, int rules_edition) {
  return json{{"params", ObjectOf(params)}, {"rules_edition", rules_edition}}.dump();
}

bool IsDerivedPayload(std::string_view payload) { return payload.find("\"derived\":true") != std::string_view::npos; }

std::string EncodeCorrection(const CorrectionRecord& c) {
  json deadlines = json::array();
  for (const auto& d : c.deadlines) {
    json j = {{"rule", d.rule},         {"rule_version", d.rule_version}, {"started", d.started},
              {"due", d.due},           {"due_by_us", d.due_by},          {"state", d.state},
              {"closed_at_us", d.closed_at}, {"scheduled_by", d.scheduled_by}};
    if (d.breached_at != 0) j["breached_at_us"] = d.breached_at;
    if (d.state != "open") j["closed_by"] = d.closed_by;
    deadlines.push_back(std::move(j));
  }
  json transitions = json::array();
  for (const auto& t : c.transitions) {
    transitions.push_back(
        {{"version", t.version}, {"journey", t.journey}, {"from_state", t.from_state}, {"to_state", t.to_state}});
  }
  json flags = json::array();
  for (const auto& f : c.flags) flags.push_back({{"text", f.text}, {"version", f.version}, {"occurred_at_us", f.at}});
  json payload = {{"params", ObjectOf(c.params)},
                  {"target_version", c.target_version},
                  {"target_event_id", c.target_event_id},
                  {"target_type", c.target_type},
                  {"target_journey", c.target_journey},
                  {"target_recorded_at_us", c.target_recorded_at},
                  {"target_team", c.target_team},
                  {"reason", c.reason},
                  {"before", {{"occurred_at_us", c.before_at}, {"params", ObjectOf(c.before_params)}}},
                  {"states", ObjectOf(c.states)},
                  {"allocation", ObjectOf(c.allocation)},
                  {"deadlines", std::move(deadlines)},
                  {"transitions", std::move(transitions)},
                  {"flags", std::move(flags)}};
  if (!c.withdrawn) payload["after"] = {{"occurred_at_us", c.after_at}, {"params", ObjectOf(c.after_params)}};
  return payload.dump();
}

bool DecodeCorrection(std::string_view type, std::string_view payload, CorrectionRecord* out) {
  if (!IsCorrection(type)) return false;
  const json p = json::parse(payload, nullptr, false);
  if (!p.is_object() || !p.contains("target_version") || !p["target_version"].is_number_unsigned()) return false;
  CorrectionRecord c;
  c.withdrawn = type == kRecordWithdrawn;
  c.params = StringsOf(p.value("params", json::object()));
  c.target_version = p["target_version"].get<std::uint64_t>();
  c.target_event_id = p.value("target_event_id", "");
  c.target_type = p.value("target_type", "");
  c.target_journey = p.value("target_journey", "");
  c.target_team = p.value("target_team", "");
  c.target_recorded_at = p.value("target_recorded_at_us", std::int64_t{0});
  c.reason = p.value("reason", "");
  const json before = p.value("before", json::object());
  c.before_at = before.value("occurred_at_us", std::int64_t{0});
  c.before_params = StringsOf(before.value("params", json::object()));
  const json after = p.value("after", json::object());
  c.after_at = after.value("occurred_at_us", c.before_at);
  c.after_params = c.withdrawn ? c.before_params : StringsOf(after.value("params", json::object()));
  c.states = StringsOf(p.value("states", json::object()));
  c.allocation = StringsOf(p.value("allocation", json::object()));
  for (const auto& f : p.value("flags", json::array())) {
    if (f.is_object()) {
      c.flags.push_back({f.value("text", ""), f.value("version", std::uint64_t{0}), f.value("occurred_at_us", std::int64_t{0})});
    }
  }
  for (const auto& d : p.value("deadlines", json::array())) {
    if (!d.is_object()) continue;
    CorrectionRecord::Deadline x;
    x.rule = d.value("rule", "");
    x.rule_version = d.value("rule_version", "");
    x.started = d.value("started", "");
    x.due = d.value("due", "");
    x.state = d.value("state", "open");
    x.due_by = d.value("due_by_us", std::int64_t{0});
    x.closed_at = d.value("closed_at_us", std::int64_t{0});
    x.scheduled_by = d.value("scheduled_by", std::uint64_t{0});
    x.breached_at = d.value("breached_at_us", TimestampUs{0});
    x.closed_by = d.value("closed_by", std::uint64_t{0});
    c.deadlines.push_back(std::move(x));
  }
  for (const auto& t : p.value("transitions", json::array())) {
    if (!t.is_object()) continue;
    c.transitions.push_back(
        {t.value("version", std::uint64_t{0}), t.value("journey", ""), t.value("from_state", ""), t.value("to_state", "")});
  }
  *out = std::move(c);
  return true;
}

}  // namespace casetrail::workflows
