#include "replay/event_helpers.hpp"

#include <map>

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

std::string AreaOf(const std::string& team) {
  auto dash = team.rfind('-');
  return dash == std::string::npos ? team : team.substr(0, dash);
}

}  // namespace casetrail::replay
