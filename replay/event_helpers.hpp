// Small questions the read side asks of a child's events: which stream is a child's, which
// events the pipeline derived, whether a journey is active, a team's area. Pure functions,
// callable from any thread.
#pragma once

#include <string>
#include <string_view>

namespace casetrail::replay {

// Is `state` the journey's initial state (the journey is not active)? From the transition tables.
bool IsInitialState(std::string_view journey, std::string_view state);

// Is this event a cross-journey consequence the pipeline derived (payload "derived": true)?
bool IsDerivedPayload(std::string_view payload);
// A team's area: its name before the last '-' ("north-1" -> "north").
std::string AreaOf(const std::string& team);

// "child-1001" -> "1001"; empty for streams that are not a child's.
std::string ChildIdOf(std::string_view stream);

}  // namespace casetrail::replay
