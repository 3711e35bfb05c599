// SHA-256 for callers outside the engine (rule and transition-table fingerprints).
#pragma once

#include <string>
#include <string_view>

namespace casetrail {

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace casetrail
