// A case service command as the write-side tests record them: a user named after the role,
// in a team of the north area unless told otherwise.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "workflows/case_service.hpp"

namespace casetrail::testing {

inline workflows::Command MakeCommand(const std::string& child, const std::string& action,
                                      TimestampUs at, const std::string& role,
                                      std::map<std::string, std::string> params = {}) {
  workflows::Command c;
  c.child_id = child;
  c.action = action;
  c.occurred_at = at;
  c.actor = Actor{"u." + role, role, "north-1"};
  c.params = std::move(params);
  return c;
}

}  // namespace casetrail::testing
