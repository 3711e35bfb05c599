// SHA-256 for callers outside the engine (rule and transition-table fingerprints). The event
// hash itself (ComputeEventHash) and HexOf are declared in engine/event.hpp, defined in hash.cpp.
#pragma once

#include <string>
#include <string_view>

namespace casetrail {

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace casetrail
