#include "workflows/registry.hpp"

#include "workflows/case.hpp"

namespace casetrail::workflows {

const std::vector<JourneyKind>& Journeys() {
  static const std::vector<JourneyKind> kinds = {
      {"front_door", [](const RuleBook& r) { return NewFrontDoor(r); }},
      {"early_help", [](const RuleBook& r) { return NewEarlyHelp(r); }},
      {"assessment", [](const RuleBook& r) { return NewAssessment(r); }},
      {"child_in_need", [](const RuleBook& r) { return NewChildInNeed(r); }},
      {"child_protection", [](const RuleBook& r) { return NewChildProtection(r); }},
      {"pre_proceedings", [](const RuleBook& r) { return NewPreProceedings(r); }},
      {"care_proceedings", [](const RuleBook& r) { return NewCareProceedings(r); }},
      {"child_in_care", [](const RuleBook& r) { return NewChildInCare(r); }},
      {"leaving_care", [](const RuleBook& r) { return NewLeavingCare(r); }},
      {"transfer", [](const RuleBook& r) { return NewTransfer(r); }},
  };
  return kinds;
}

std::string DiagramPage(const Journey& j) {
  const TableDescription& t = j.Table();
  std::string md;
  md += "# Journey: " + t.journey + "\n\n";
  md += "Generated from the transition table in `workflows/` by `workflow_diagrams`: do not edit.\n";
  md += "Regenerate with `cmake --build build --target diagrams`; a test fails when this page and\n";
  md += "the table differ.\n\n";
  md += "Table fingerprint (recorded with every event this table accepts): `" + t.fingerprint + "`\n\n";
  md += "```mermaid\nstateDiagram-v2\n";
  md += "    [*] --> " + t.initial_state + "\n";
  for (const auto& r : t.rows) {
    md += "    " + r.source + " --> " + r.target + " : " + r.action;
    if (!r.guard.empty()) md += " [" + r.guard + "]";
    if (!r.effect.empty()) md += " / " + r.effect;
    md += "\n";
  }
  md += "```\n\n";
  md += "| from | action | to | guard | effect |\n|---|---|---|---|---|\n";
  for (const auto& r : t.rows) {
    md += "| " + r.source + " | `" + r.action + "` | " + (r.internal ? "(stays)" : r.target) +
          " | " + (r.guard.empty() ? "–" : r.guard) + " | " + (r.effect.empty() ? "–" : r.effect) +
          " |\n";
  }
  md += "\n## Who may record each action\n\n| action | roles |\n|---|---|\n";
  for (const auto& p : j.Permissions()) {
    std::string roles;
    for (const auto& r : p.roles) roles += (roles.empty() ? "" : ", ") + r;
    md += "| `" + p.action + "` | " + roles + " |\n";
  }
  return md;
}

std::string IndexPage() {
  std::string md = "# Workflows\n\n";
  md += "Generated from the transition tables and the cross-journey rules by `workflow_diagrams`: do\n";
  md += "not edit. A child's case holds one instance of every journey below; an action is routed to\n";
  md += "its journey by its prefix, and the cross-journey rules then keep the journeys consistent.\n\n";
  md += "| journey | states | actions | rows | page |\n|---|---:|---:|---:|---|\n";
  for (const auto& kind : Journeys()) {
    auto j = kind.make(RuleBook::Default());
    const auto& t = j->Table();
    md += "| " + kind.name + " | " + std::to_string(t.states.size()) + " | " +
          std::to_string(t.actions.size()) + " | " + std::to_string(t.rows.size()) + " | [" +
          kind.name + ".md](" + kind.name + ".md) |\n";
  }
  md += "\n## Cross-journey rules\n\nEach rule has a test in `tests/workflows/test_case.cpp`. ";
  md += "Consequences are recorded by the role `system` (the engine itself), in the same command.\n\n";
  md += "| id | when | then | source |\n|---|---|---|---|\n";
  for (const auto& r : CrossJourneyRules()) {
    md += "| " + r.id + " | " + r.when + " | " + r.then + " | " + r.source + " |\n";
  }
  return md;
}

}  // namespace casetrail::workflows
