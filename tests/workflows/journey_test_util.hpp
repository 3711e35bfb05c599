// Table-driven checks shared by the journey tests: every row can be taken, and every
// (state, action) pair without a row is refused with nothing changed.
#pragma once

#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "workflows/journey.hpp"

namespace casetrail::workflows::testing {

using Params = std::map<std::string, std::string>;

inline std::int64_t At(const char* date, int hour = 10) {
  return std::move(Date::Parse(date, "d")).value().StartUs() + hour * 3600LL * 1000000;
}

// An action recorded by the first role allowed to record it.
inline Action Act(const Journey& j, const std::string& name, const char* date, Params params = {}) {
  Action a;
  a.name = name;
  a.occurred_at_us = At(date);
  a.params = std::move(params);
  for (const auto& p : j.Permissions()) {
    if (p.action == name) a.role = p.roles.front();
  }
  return a;
}

struct JourneyFixture {
  std::function<std::unique_ptr<Journey>()> make;
  // For each state, the (action, params) steps from the initial state that reach it.
  std::map<std::string, std::vector<std::pair<std::string, Params>>> paths;
  std::map<std::string, Params> guard_params;   // parameters that make each guard hold
  std::map<std::string, Params> action_params;  // parameters an action needs when unguarded
  // The day a guarded row is taken on, for guards that count time from the path (default
  // 2026-04-01, after every path's steps on 2026-03-01, 03-02, ...).
  std::map<std::string, std::string> guard_dates;
  // Another path to a row's source state, for guards that depend on how it was reached.
  std::map<std::string, std::vector<std::pair<std::string, Params>>> guard_paths;

  std::unique_ptr<Journey> Reach(const std::string& state, const std::string& guard = "") const {
    auto j = make();
    if (state != j->Table().initial_state) {
      auto it = guard_paths.find(guard);
      if (guard.empty() || it == guard_paths.end()) it = paths.find(state);
      REQUIRE(it != paths.end());
      int day = 1;
      for (const auto& [action, params] : it->second) {
        char date[32];
        std::snprintf(date, sizeof date, "2026-03-%02d", day++);
        Verdict v = j->Apply(Act(*j, action, date, params));
        INFO("reaching " << state << " with " << action << ": " << v.reason);
        REQUIRE(v.accepted);
      }
    }
    REQUIRE(j->State() == state);
    return j;
  }

  Params ParamsFor(const std::string& action, const std::string& guard) const {
    if (auto it = guard_params.find(guard); !guard.empty() && it != guard_params.end()) return it->second;
    if (auto it = action_params.find(action); it != action_params.end()) return it->second;
    return {};
  }
};

inline void CheckEveryRow(const JourneyFixture& f) {
  auto probe = f.make();
  for (const TransitionRow& row : probe->Table().rows) {
    INFO(row.source << " --" << row.action << " [" << row.guard << "]--> " << row.target);
    auto j = f.Reach(row.source, row.guard);
    auto date = f.guard_dates.find(row.guard);
    Verdict v = j->Apply(Act(*j, row.action, date == f.guard_dates.end() ? "2026-04-01" : date->second.c_str(),
                             f.ParamsFor(row.action, row.guard)));
    INFO(v.reason);
    CHECK(v.accepted);
    CHECK(v.from_state == row.source);
    CHECK(v.to_state == row.target);
    CHECK(j->State() == row.target);
  }
}

inline int CheckEveryRefusal(const JourneyFixture& f) {
  auto probe = f.make();
  const TableDescription& t = probe->Table();
  int refused = 0;
  for (const std::string& state : t.states) {
    for (const std::string& action : t.actions) {
      bool has_row = false;
      for (const auto& r : t.rows) has_row |= (r.source == state && r.action == action);
      if (has_row) continue;
      INFO(state << " / " << action);
      auto j = f.Reach(state);
      const auto open_before = j->OpenDeadlines().size();
      Verdict v = j->Apply(Act(*j, action, "2026-04-01", f.ParamsFor(action, "")));
      CHECK_FALSE(v.accepted);
      CHECK(v.rule == "no_transition");
      CHECK_THAT(v.reason, Catch::Contains(state));
      CHECK(j->State() == state);
      CHECK(j->OpenDeadlines().size() == open_before);
      ++refused;
    }
  }
  return refused;
}

}  // namespace casetrail::workflows::testing
