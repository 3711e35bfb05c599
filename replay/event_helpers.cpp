#include "replay/event_helpers.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include "workflows/registry.hpp"

namespace casetrail::replay {
namespace {

const std::map<std::string, std::string, std::less<>>& InitialStates() {
  static const std::map<std::string, std::string, std::less<>> m = [] {
    std::map<std::string, std::string, std::less<>> out;
    for (const auto& kind : workflows::Journeys()) {
      out[kind.name] = kind.make(workflows::RuleBook::Default())->Table().initial_state;
    }
    return out;
  }();
  return m;
}

}  // namespace

bool IsInitialState(std::string_view journey, std::string_view state) {
  auto it = InitialStates().find(journey);
  return it != InitialStates().end() && it->second == state;
}

bool IsJourney(std::string_view name) { return InitialStates().find(name) != InitialStates().end(); }

namespace {
const std::vector<std::string>& JourneyNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& [name, initial] : InitialStates()) out.push_back(name);
    return out;
  }();
  return names;
}
}  // namespace

int JourneyIndex(std::string_view journey) {
  const auto& names = JourneyNames();
  auto it = std::lower_bound(names.begin(), names.end(), journey);
  return it != names.end() && *it == journey ? static_cast<int>(it - names.begin()) : -1;
}

const std::string& JourneyName(int index) { return JourneyNames().at(static_cast<std::size_t>(index)); }

std::string AreaOf(const std::string& team) {
  auto dash = team.rfind('-');
  return dash == std::string::npos ? team : team.substr(0, dash);
}

}  // namespace casetrail::replay
