#include "workflows/catalogue.hpp"

#include "workflows/case.hpp"
#include "workflows/registry.hpp"

namespace casetrail::workflows {
namespace {

ParamRule Text(const char* action, const char* name) {
  ParamRule r;
  r.action = action;
  r.name = name;
  return r;
}

ParamRule Choice(const char* action, const char* name, std::vector<std::string> choices) {
  ParamRule r = Text(action, name);
  r.kind = ParamRule::Kind::kChoice;
  r.choices = std::move(choices);
  return r;
}

ParamRule OnlyIf(ParamRule r, const char* param, std::vector<std::string> values) {
  r.only_if_param = param;
  r.only_if_values = std::move(values);
  return r;
}

// The case-level actions' rules, as Case::Apply checks them (workflows/case.cpp; the catalogue
// test records each one with and without its parameters).
std::vector<ActionInfo> CaseLevel() {
  const std::vector<std::string> lead = {"early_help_worker", "family_support_worker", "personal_adviser",
                                         "social_worker"};
  std::vector<std::string> as = lead;
  as.insert(as.begin() + 2, "iro");
  return {
      {"alloc.team_allocated", "allocation", {"team_manager", "cass_worker"}, {Text("alloc.team_allocated", "team")}},
      {"alloc.worker_allocated",
       "allocation",
       {"team_manager"},
       {Choice("alloc.worker_allocated", "as", as), Text("alloc.worker_allocated", "worker"),
        OnlyIf(Text("alloc.worker_allocated", "team"), "as", lead)}},
      {"alloc.worker_deallocated",
       "allocation",
       {"team_manager"},
       {Choice("alloc.worker_deallocated", "as", {"iro", "lead_worker"}),
        OnlyIf(Choice("alloc.worker_deallocated", "reason", {"caseload_balancing", "ceased_looked_after", "other", "worker_left"}),
               "as", {"iro"}),
        OnlyIf(Choice("alloc.worker_deallocated", "reason", {"case_closed", "caseload_balancing", "other", "worker_left"}),
               "as", {"lead_worker"})}},
      {"case.closed", "case", {"team_manager"}, {Text("case.closed", "team")}},
  };
}

}  // namespace

const std::vector<ActionInfo>& ActionCatalogue() {
  static const std::vector<ActionInfo> catalogue = [] {
    std::vector<ActionInfo> out;
    for (const JourneyKind& kind : Journeys()) {
      auto journey = kind.make(RuleBook::Default());
      for (const Permission& p : journey->Permissions()) {
        ActionInfo info{p.action, kind.name, {}, {}};
        for (const auto& r : p.roles) {
          if (r != kSystemRole) info.roles.push_back(r);
        }
        if (info.roles.empty()) continue;  // the engine's own
        for (const ParamRule& r : journey->ParamRules()) {
          if (r.action == p.action) info.params.push_back(r);
        }
        out.push_back(std::move(info));
      }
    }
    for (auto& info : CaseLevel()) out.push_back(std::move(info));
    return out;
  }();
  return catalogue;
}

}  // namespace casetrail::workflows
