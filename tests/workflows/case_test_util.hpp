// Helpers for tests of a child's Case: an action by role, applied with its acceptance required,
// and the cross-journey consequences it triggered.
#pragma once

#include <catch2/catch.hpp>

#include "tests/workflows/journey_test_util.hpp"
#include "workflows/case.hpp"

namespace casetrail::workflows::testing {

inline Action A(const std::string& name, const char* date, const std::string& role, Params p = {}) {
  Action a;
  a.name = name;
  a.occurred_at_us = At(date);
  a.role = role;
  a.params = std::move(p);
  return a;
}

// Applies `a`, which must be accepted.
inline void Do(Case& c, const Action& a) {
  CaseVerdict v = c.Apply(a);
  INFO(a.name << ": " << v.verdict.reason);
  REQUIRE(v.accepted());
}

// Whether the verdict holds a consequence of cross-journey rule `rule` (accepted, or refused).
inline bool HasConsequence(const CaseVerdict& v, const std::string& rule, bool accepted = true) {
  for (const auto& c : v.consequences) {
    if (c.rule == rule && c.verdict.accepted == accepted) return true;
  }
  return false;
}

}  // namespace casetrail::workflows::testing
