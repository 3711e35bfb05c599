// The chronology's wording: an event in plain words, and a corrected or withdrawn entry. Used by
// the chronology projection (replay/projections/chronology.hpp) and by the audit's as-of view
// (replay/audit.hpp), so that both say the same thing. Pure functions, callable from any thread.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "engine/event.hpp"

namespace casetrail::replay {

// "cp.icpc_held" with {"outcome":"cp_plan","category":"neglect"} ->
// "Initial child protection conference held: outcome cp plan, category neglect".
std::string Describe(std::string_view type, std::string_view payload);

// The chronology text of a corrected or withdrawn entry: the corrected value, and the original.
std::string CorrectedText(std::string_view type, const std::map<std::string, std::string>& params,
                          const std::string& original, TimestampUs original_at, const std::string& by,
                          const std::string& reason);
std::string WithdrawnText(const std::string& original, const std::string& by, const std::string& reason);

}  // namespace casetrail::replay
