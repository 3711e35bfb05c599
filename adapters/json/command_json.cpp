#include "adapters/json/command_json.hpp"

#include <set>

#include "adapters/json/event_json.hpp"

namespace casetrail::json {

Result<workflows::Command> ParseCommand(const nlohmann::json& doc, CommandFields fields) {
  const bool full = fields == CommandFields::kFull;
  if (!doc.is_object()) return Status::InvalidArgument("body", "must be a JSON object");
  static const std::set<std::string> kBody = {"action", "occurred_at", "params", "command_id", "expected_version"};
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (!kBody.count(it.key()) && !(full && (it.key() == "child_id" || it.key() == "actor"))) {
      return Status::InvalidArgument(it.key(), std::string("is not a field of a command (") +
                                                   (full ? "child_id, actor, " : "") +
                                                   "action, occurred_at, params, command_id, expected_version)");
    }
  }
  auto text = [](const nlohmann::json& j, const std::string& field, const char* key, std::string* out) -> Status {
    if (!j.contains(key)) return Status::Ok();
    if (!j[key].is_string()) return Status::InvalidArgument(field, "must be a string");
    *out = j[key].get<std::string>();
    return Status::Ok();
  };
  workflows::Command c;
  std::string occurred;
  for (auto [key, out] : {std::pair<const char*, std::string*>{"action", &c.action},
                          {"command_id", &c.command_id}, {"occurred_at", &occurred}, {"child_id", &c.child_id}}) {
    if (Status s = text(doc, key, key, out); !s.ok()) return s;
  }
  if (c.action.empty()) return Status::InvalidArgument("action", "is required");
  if (occurred.empty()) return Status::InvalidArgument("occurred_at", "is required: an RFC 3339 time");
  auto t = ParseTime(occurred, "occurred_at");
  if (!t.ok()) return t.status();
  c.occurred_at = *t;
  if (full) {
    if (c.child_id.empty()) return Status::InvalidArgument("child_id", "is required");
    if (!doc.contains("actor") || !doc["actor"].is_object()) {
      return Status::InvalidArgument("actor", "is required: {\"user\", \"role\", \"team\"}");
    }
    for (auto [key, out] : {std::pair<const char*, std::string*>{"user", &c.actor.user},
                            {"role", &c.actor.role}, {"team", &c.actor.team}}) {
      if (Status s = text(doc["actor"], std::string("actor.") + key, key, out); !s.ok()) return s;
    }
    if (c.actor.role == "system") {
      return Status::InvalidArgument("actor.role", "'system' is the engine's own role (its scheduler), not a person's");
    }
  }
  if (doc.contains("params")) {
    if (!doc["params"].is_object()) return Status::InvalidArgument("params", "must be an object of strings");
    for (auto it = doc["params"].begin(); it != doc["params"].end(); ++it) {
      if (!it->is_string()) return Status::InvalidArgument("params." + it.key(), "must be a string");
      c.params[it.key()] = it->get<std::string>();
    }
  }
  if (doc.contains("expected_version")) {
    if (!doc["expected_version"].is_number_unsigned()) {
      return Status::InvalidArgument("expected_version", "must be a whole number");
    }
    c.expected_version = doc["expected_version"].get<std::uint64_t>();
  }
  return c;
}

}  // namespace casetrail::json
