// Reading fields out of event payloads (JSON objects) for the projections, cheaply: the engine's
// own payloads (deadline.*, flag.raised) are flat objects written by nlohmann::json::dump, read
// in one pass without building a DOM; anything else falls back to the JSON parser. Internal to
// replay/.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace casetrail::replay {

// The action's parameters (the payload's "params" object, string values only); with `keep`,
// only those (what a projection keeps per event).
std::map<std::string, std::string> ParamsOf(std::string_view payload,
                                            std::initializer_list<std::string_view> keep = {});

// The top-level fields of a flat JSON object (no nested object or array, no escapes), read in
// one pass without building a DOM. Anything else makes ok false and callers parse.
struct FlatObject {
  bool ok = false;
  std::size_t n = 0;
  std::array<std::pair<std::string_view, std::string_view>, 16> fields;  // key -> raw value
  // The value of `key`: a string's text without its quotes, or a number's text; nullptr if absent.
  const std::string_view* Find(std::string_view key) const {
    for (std::size_t i = 0; i < n; ++i) {
      if (fields[i].first == key) return &fields[i].second;
    }
    return nullptr;
  }
};
// The views in the result point into `p`.
FlatObject ScanFlat(std::string_view p);

// A string field of the payload (empty if absent or not a string); `flat` is ScanFlat(payload).
std::string Field(const FlatObject& flat, std::string_view payload, const char* key);
std::string Field(std::string_view payload, const char* key);
// An integer field of the payload (0 if absent or not an integer); `flat` is ScanFlat(payload).
std::int64_t NumberField(const FlatObject& flat, std::string_view payload, const char* key);

}  // namespace casetrail::replay
