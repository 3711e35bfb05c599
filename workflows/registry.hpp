// Every journey casetrail knows, by its stable name.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "workflows/journey.hpp"

namespace casetrail::workflows {

struct JourneyKind {
  std::string name;    // "child_protection"
  std::string prefix;  // "cp.": the actions of this journey are named with it
  std::function<std::unique_ptr<Journey>(const RuleBook&)> make;
};

// The journeys of a child's case (workflows/case.hpp).
const std::vector<JourneyKind>& Journeys();
// Journeys that decide a record of their own, not a child's (lado: an allegation,
// workflows/own_record.hpp).
const std::vector<JourneyKind>& OtherRecordJourneys();

// The candidate machines of the seed documents (seed-spec section 2, SM-01 to SM-22) and where
// each is now: the journey that models it, or why none does yet.
struct SeedMachine {
  std::string id;       // "SM-12"
  std::string title;
  std::string journey;  // the journey (or "case"), "–" when none
  std::string status;
};
const std::vector<SeedMachine>& SeedMachines();

// The Markdown page (Mermaid diagram, transition table, roles) of one journey, generated from
// its transition table so that docs/workflows/ cannot drift from the code.
std::string DiagramPage(const Journey& journey);
// docs/workflows/README.md: the journeys, the cross-journey rules table, and action routing.
std::string IndexPage();
// The timescale rules of `book`, with their counting, wording and sources, and its editions.
std::string RulesPage(const RuleBook& book);
// docs/workflows/placements.md: the placement detail a looked-after child's placement records
// for the SSDA903, and the DfE placement codes with their kinds and the years they are valid.
std::string PlacementsPage();

}  // namespace casetrail::workflows
