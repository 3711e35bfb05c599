// The JSON form of a command (workflows::Command), shared by `casetrail record` and the HTTP API.
//
//   {"action": "cp.visit_held", "occurred_at": "2026-11-20T10:00:00Z", "params": {"k": "v"},
//    "command_id": "...", "expected_version": 15}
// and, where the caller does not say them otherwise (a command file), also
//   "child_id": "1002", "actor": {"user": "...", "role": "...", "team": "..."}
// Unknown fields, wrong types and missing required fields are InvalidArgument naming the field.
#pragma once

#include <nlohmann/json.hpp>

#include "workflows/case_service.hpp"

namespace casetrail::json {

enum class CommandFields {
  kBody,  // the HTTP body: child from the path, actor from the token
  kFull,  // a command file: child_id and actor in the document
};

Result<workflows::Command> ParseCommand(const nlohmann::json& doc, CommandFields fields);

}  // namespace casetrail::json
