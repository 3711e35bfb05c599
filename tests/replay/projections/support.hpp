// What the projection tests share: a business time, and recording an action through the pipeline.
#pragma once

#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "workflows/calendar.hpp"
#include "workflows/case_service.hpp"

namespace casetrail::replay::testing {

// The write side the tests record through.
using workflows::CaseService;
using workflows::Command;

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
