// What the projection tests share: a business time, and recording an action through the pipeline.
#pragma once

#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "replay/case_service.hpp"
#include "workflows/calendar.hpp"

namespace casetrail::replay::testing {

inline TimestampUs T(const std::string& date, int hour = 10) {
  return std::move(workflows::Date::Parse(date, "d")).value().StartUs() + hour * 3600LL * 1000000;
}

// Records an action through the pipeline and requires it to be accepted.
inline void Record(CaseService& svc, const std::string& child, const std::string& team, const std::string& action,
                   const std::string& date, const std::string& role, std::map<std::string, std::string> params = {},
                   const std::string& user = {}) {
  Command c;
  c.child_id = child;
  c.action = action;
  c.occurred_at = T(date);
  c.actor = Actor{user.empty() ? "u." + role : user, role, team};
  c.params = std::move(params);
  auto r = svc.Execute(c);
  REQUIRE(r.ok());
  INFO(action << ": " << r->verdict.verdict.reason);
  REQUIRE(r->accepted);
}

}  // namespace casetrail::replay::testing
