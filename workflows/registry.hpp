// Every journey casetrail knows, by its stable name.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "workflows/journey.hpp"

namespace casetrail::workflows {

struct JourneyKind {
  std::string name;  // "child_protection"
  std::function<std::unique_ptr<Journey>(const RuleBook&)> make;
};

const std::vector<JourneyKind>& Journeys();

// The Markdown page (Mermaid diagram, transition table, roles) of one journey, generated from
// its transition table so that docs/workflows/ cannot drift from the code.
std::string DiagramPage(const Journey& journey);
// docs/workflows/README.md: the journeys, the cross-journey rules table, and action routing.
std::string IndexPage();
// The timescale rules of `book`, with their counting, wording and sources, and its editions.
std::string RulesPage(const RuleBook& book);

}  // namespace casetrail::workflows
