// Small questions the read side asks of a child's events: which stream is a child's, which
// events the pipeline derived, whether a journey is active, a team's area. Pure functions,
// callable from any thread.
#pragma once

#include <string>
#include <string_view>

#include "workflows/case_events.hpp"

namespace casetrail::replay {

// Is `state` the journey's initial state (the journey is not active)? From the transition tables.
bool IsInitialState(std::string_view journey, std::string_view state);
// A journey's small index (0..n-1, in name order) and back, for projections that keep one per
// event; -1 for a name that is not a journey.
int JourneyIndex(std::string_view journey);
const std::string& JourneyName(int index);
// One of the journeys (workflows/registry.hpp; not "case", not "allocation").
bool IsJourney(std::string_view name);

// The child stream's format is the write side's (workflows/case_events.hpp).
using workflows::ChildIdOf;
using workflows::IsDerivedPayload;

// A team's area: its name before the last '-' ("north-1" -> "north").
std::string AreaOf(const std::string& team);

}  // namespace casetrail::replay
