#include "workflows/registry.hpp"

#include "workflows/case.hpp"
#include "workflows/placements.hpp"

namespace casetrail::workflows {

const std::vector<SeedMachine>& SeedMachines() {
  static const std::vector<SeedMachine> m = {
      {"SM-01", "Front door", "front_door", "modelled"},
      {"SM-02", "Early help", "early_help", "modelled"},
      {"SM-03", "Family support and step-up/step-down", "early_help", "modelled (step-up, step-down, X-10, X-13)"},
      {"SM-04", "Statutory assessment", "assessment", "modelled"},
      {"SM-05", "Child in need plan", "child_in_need", "modelled"},
      {"SM-06", "Child protection", "child_protection", "modelled"},
      {"SM-07", "Pre-proceedings (PLO)", "pre_proceedings", "modelled"},
      {"SM-08", "Care proceedings", "care_proceedings", "modelled"},
      {"SM-09", "Children in care", "child_in_care", "modelled"},
      {"SM-10", "Placements", "child_in_care", "placements with the DfE placement detail (placements.md), their visits, changes and endings, and missing episodes, inside child_in_care; stability as KPIs; the search for a placement as its own journey (placement_search: request, referrals, offers, match, the external placement panel; closed by the placement, X-41)"},
      {"SM-11", "Permanence routes (SGO, connected persons, discharge)", "permanence", "modelled; private fostering as its own journey (private_fostering: notification, the Reg 4 visit, suitability, Reg 8 visits to the end, X-38 to X-40)"},
      {"SM-12", "Adoption", "adoption", "modelled (the child's side; the adopters' details the SSDA903 needs are recorded with the match; the adopter's own assessment belongs with the carers, SM-22: not yet)"},
      {"SM-13", "Team transfer", "transfer", "modelled"},
      {"SM-14", "Case closure and re-referral", "case", "case-level actions, not a journey: case.closed (X-11, X-18), re-referral routing (X-09)"},
      {"SM-15", "Leaving care", "leaving_care", "modelled"},
      {"SM-16", "Unaccompanied asylum-seeking children", "uasc", "modelled"},
      {"SM-17", "LADO allegations", "lado", "modelled as its own record, not a child's: stream allegation-<id>, routes /v1/allegations, read only by the LADO team and auditors (docs/api.md); its T-100 and T-103 deadlines are met or met late by the actions (the scheduler's breach ticks follow children only: not yet)"},
      {"SM-18", "NRPF family support", "nrpf", "modelled (the child in care over 4 weeks handover, T-44: not yet)"},
      {"SM-19", "Homeless 16-17 year olds", "homeless_16_17", "modelled"},
      {"SM-20", "Children with disabilities", "disabled_children", "modelled (short breaks as decisions on the package; Ascent and transition to adult services: not yet)"},
      {"SM-21", "Interventions and service episodes", "interventions, missing_exploitation", "modelled: one machine holding every service a child is referred to; missing from home and exploitation (EmpowerU) as their own journey, a looked-after child's missing episodes in child_in_care"},
      {"SM-22", "Carers", "carers", "modelled as its own record, not a child's: stream carer-<id>, routes /v1/carers; foster carers, connected persons and prospective adopters (the PAR's two stages, T-51), panel and agency decision, reviews T-121 and unannounced visits T-121u; a placement or match naming a carer needs an approved one (the API checks it); special guardians are followed on the child's record (permanence)"},
  };
  return m;
}

const std::vector<JourneyKind>& Journeys() {
  static const std::vector<JourneyKind> kinds = {
      {"front_door", "fd.", [](const RuleBook& r) { return NewFrontDoor(r); }},
      {"early_help", "eh.", [](const RuleBook& r) { return NewEarlyHelp(r); }},
      {"assessment", "as.", [](const RuleBook& r) { return NewAssessment(r); }},
      {"child_in_need", "cin.", [](const RuleBook& r) { return NewChildInNeed(r); }},
      {"child_protection", "cp.", [](const RuleBook& r) { return NewChildProtection(r); }},
      {"pre_proceedings", "plo.", [](const RuleBook& r) { return NewPreProceedings(r); }},
      {"care_proceedings", "court.", [](const RuleBook& r) { return NewCareProceedings(r); }},
      {"child_in_care", "cic.", [](const RuleBook& r) { return NewChildInCare(r); }},
      {"leaving_care", "lc.", [](const RuleBook& r) { return NewLeavingCare(r); }},
      {"transfer", "tr.", [](const RuleBook& r) { return NewTransfer(r); }},
      {"adoption", "ad.", [](const RuleBook& r) { return NewAdoption(r); }},
      {"permanence", "pm.", [](const RuleBook& r) { return NewPermanence(r); }},
      {"uasc", "uasc.", [](const RuleBook& r) { return NewUasc(r); }},
      {"missing_exploitation", "mx.", [](const RuleBook& r) { return NewMissingExploitation(r); }},
      {"nrpf", "nrpf.", [](const RuleBook& r) { return NewNrpf(r); }},
      {"homeless_16_17", "hl.", [](const RuleBook& r) { return NewHomeless1617(r); }},
      {"disabled_children", "cwd.", [](const RuleBook& r) { return NewDisabledChildren(r); }},
      {"interventions", "iv.", [](const RuleBook& r) { return NewInterventions(r); }},
      {"private_fostering", "pf.", [](const RuleBook& r) { return NewPrivateFostering(r); }},
      {"placement_search", "ps.", [](const RuleBook& r) { return NewPlacementSearch(r); }},
  };
  return kinds;
}

const std::vector<JourneyKind>& OtherRecordJourneys() {
  static const std::vector<JourneyKind> kinds = {
      {"lado", "lado.", [](const RuleBook& r) { return NewLado(r); }},
      {"carers", "carer.", [](const RuleBook& r) { return NewCarers(r); }},
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
  md += "\nNot part of a child's case: each decides a record of its own (its own stream and routes).\n\n";
  md += "| journey | record | states | actions | rows | page |\n|---|---|---:|---:|---:|---|\n";
  for (const auto& kind : OtherRecordJourneys()) {
    auto j = kind.make(RuleBook::Default());
    const auto& t = j->Table();
    const std::string record = kind.name == "lado"
                                   ? "an allegation against someone who works with children: stream `allegation-<id>`, `/v1/allegations`"
                                   : "a foster carer, connected person or adopter: stream `carer-<id>`, `/v1/carers`";
    md += "| " + kind.name + " | " + record + " (workflows/own_record.hpp) | " + std::to_string(t.states.size()) + " | " +
          std::to_string(t.actions.size()) + " | " + std::to_string(t.rows.size()) + " | [" + kind.name + ".md](" +
          kind.name + ".md) |\n";
  }
  md += "\nThe timescales the journeys schedule deadlines by, and how each is counted: [rules.md](rules.md).\n";
  md += "The detail a looked-after child's placement records for the SSDA903 (DfE placement codes, provider, URN,\n"
        "postcode, distance, coded reasons for a change): [placements.md](placements.md).\n";
  md += "\n## Allocation\n\nWho is responsible for the child: not a journey (who, not where in a process), ";
  md += "recorded under journey `allocation` with the states NotHeld (no team), AwaitingAllocation (a team, no ";
  md += "worker: an unallocated child) and Allocated. Tests: `tests/replay/test_allocation.cpp`.\n\n";
  md += "| action | parameters | recorded by |\n|---|---|---|\n";
  md += "| alloc.team_allocated | team: the team that now holds the child (a new team leaves it unallocated there) | team_manager, cass_worker |\n";
  md += "| alloc.worker_allocated | team, worker, as: social_worker, early_help_worker, family_support_worker, personal_adviser (the lead worker) | team_manager |\n";
  md += "| alloc.worker_allocated | worker, as: iro (the IRO of a looked-after child, CA 1989 s25A, held beside the lead worker; refused `not_looked_after` otherwise) | team_manager |\n";
  md += "| alloc.worker_deallocated | reason: worker_left, caseload_balancing, other (the child stays with the team, unallocated); case_closed (X-18) | team_manager |\n";
  md += "| alloc.worker_deallocated | as: iro, reason: worker_left, caseload_balancing, ceased_looked_after, other (the IRO leaves) | team_manager |\n";
  md += "\nA completed transfer allocates the receiving team's lead worker (X-17); closing the case ends the allocation (X-18); ";
  md += "`cic.iro_allocated {iro}` allocates the IRO (X-19), who leaves when the child ceases to be looked after (X-20); ";
  md += "`lc.personal_adviser_allocated {adviser, team?}` makes a former relevant child's personal adviser the lead worker (X-21). ";
  md += "Every view answers who held a child on any date by business time (the caseload `as_of`, team scope, KPIs).\n";
  md += "\n## The seeds' journeys (seed-spec section 2)\n\nEvery candidate machine of the seed documents, and where it is now.\n\n";
  md += "| seed-spec | journey | where |\n|---|---|---|\n";
  for (const auto& m : SeedMachines()) md += "| " + m.id + " " + m.title + " | " + m.journey + " | " + m.status + " |\n";
  md += "\n## Cross-journey rules\n\nEach rule has a test in `tests/workflows/test_case.cpp` (the allocation rules X-17 to X-21 in ";
  md += "`tests/replay/test_allocation.cpp`). ";
  md += "Consequences are recorded by the role `system` (the engine itself), in the same command.\n\n";
  md += "| id | when | then | source |\n|---|---|---|---|\n";
  for (const auto& r : CrossJourneyRules()) {
    md += "| " + r.id + " | " + r.when + " | " + r.then + " | " + r.source + " |\n";
  }
  return md;
}

namespace {
std::string Cell(std::string s) {
  for (std::size_t i = 0; (i = s.find('|', i)) != std::string::npos; i += 2) s.replace(i, 1, "\\|");
  return s;
}
}  // namespace

std::string RulesPage(const RuleBook& book) {
  std::string md = "# Timescale rules\n\n";
  md += "Generated from `workflows/rules.cpp` by `workflow_diagrams`: do not edit. Each rule says how its\n"
        "period is counted, from the wording of its source:\n\n"
        "- **after the day** (\"within N of\", \"N after\", \"from\"): the day it starts is day 0; the last day\n"
        "  is that day + N. Working days: the Nth working day after it.\n"
        "- **beginning with the day**: the day it starts is day 1; the last day is one day sooner. CA 1989\n"
        "  s32(1)(a)(ii): proceedings issued on 15 January 2026 must be disposed of by 15 July 2026\n"
        "  (issue day + 181 days), not 16 July.\n"
        "- **elapsed**: hours from the moment it started.\n\n"
        "Months are calendar months, clamped to the end of a shorter month (30 November + 3 months is\n"
        "28 February). A deadline is met by an action on its last day, at any time of that day.\n\n";
  auto latest = book.SetOn(Date::FromYmd(9999, 12, 31));
  if (latest.ok()) {
    const RuleSet& s = **latest;
    md += "## In force now: " + s.version + " (effective " + s.effective_from.ToString() + ", edition " +
          std::to_string(s.edition) + ")\n\n";
    md += "| id | timescale | period | counted | from the wording | basis | source | conf. |\n";
    md += "|---|---|---|---|---|---|---|---|\n";
    for (const auto& r : s.rules) {
      std::string unit = UnitName(r.unit);
      if (r.amount == 1) unit.pop_back();  // "1 working day"
      md += "| " + r.id + " | " + Cell(r.name) + " | " + std::to_string(r.amount) + " " + unit + " | " +
            CountingName(r.counting) + " | " + Cell(r.wording) + " | " + BasisName(r.basis) + " | " + Cell(r.source) +
            " | " + Cell(r.confidence) + " |\n";
    }
  }
  md += "\n## Rule sets and editions\n\n"
        "A rule set is effective from a business date (the law changed then): an action is judged by the set\n"
        "in force on the day it happened. An edition is a release of casetrail's rule tables: when casetrail\n"
        "corrects a rule it got wrong, the correction is a new edition of every set it touches. Every action\n"
        "event records the edition that judged it (`rules_edition` in its payload; events without it were\n"
        "judged by edition 1), so a log replays to exactly what it showed when it was written: deadlines\n"
        "already scheduled keep their stored dates. The next action recorded on a child under a later\n"
        "edition recounts that child's open deadlines whose rule the correction changed, and writes a\n"
        "`deadline.rescheduled` event for each (the rule, the new and the previous due date and rule version,\n"
        "and the correction's reason), before the action's own effects, so the action is judged by the\n"
        "corrected date. A deadline moved by an extension keeps its extension. Deadlines already met, late or\n"
        "cancelled are history and are not recounted.\n\n";
  md += "| set | effective from | edition | released | change |\n|---|---|---:|---|---|\n";
  for (const auto& s : book.sets()) {
    md += "| " + s.version + " | " + s.effective_from.ToString() + " | " + std::to_string(s.edition) + " | " +
          s.adopted.ToString() + " | " + Cell(s.change.empty() ? std::string("as first released") : s.change) + " |\n";
  }
  md += "\nWhat each set changes from the set before it (same edition, earlier date; or same date, earlier\n"
        "edition):\n\n| set | rule | before | after |\n|---|---|---|---|\n";
  auto describe = [](const Timescale& r) {
    return std::to_string(r.amount) + " " + UnitName(r.unit) + ", " + CountingName(r.counting);
  };
  for (const auto& s : book.sets()) {
    const RuleSet* prev = nullptr;
    for (const auto& o : book.sets()) {
      const bool earlier_date = o.edition == s.edition && o.effective_from < s.effective_from;
      const bool earlier_edition = o.effective_from == s.effective_from && o.edition < s.edition;
      if (earlier_date || earlier_edition) prev = &o;
    }
    if (!prev) continue;
    for (const auto& r : s.rules) {
      for (const auto& p : prev->rules) {
        if (p.id != r.id) continue;
        if (p.amount != r.amount || p.unit != r.unit || p.counting != r.counting) {
          md += "| " + s.version + " | " + r.id + " | " + describe(p) + " (" + prev->version + ") | " + describe(r) +
                " |\n";
        }
      }
    }
  }
  return md;
}

std::string PlacementsPage() {
  std::string md = "# Placements: the detail the SSDA903 needs\n\n";
  md += "Generated from `workflows/placements.cpp` and the child_in_care table by `workflow_diagrams`: do not edit.\n\n";
  md += "`cic.placement_started` and `cic.placement_changed` record the placement's kind (`placement`) and term\n"
        "(`long_term`), and may record its detail for the children looked after return (seed-spec SM-10;\n"
        "dfe-returns.md 4.3-4.4). Each is optional and checked when given; a wrong one is refused with\n"
        "`invalid_parameter` naming it, and nothing is written.\n\n"
        "| parameter | what | checked |\n|---|---|---|\n"
        "| `place` | the DfE placement type code (PLACE) | one of the codes below, valid on the day of the action, of the same kind as `placement` (and, for U1/U3/U4/U6, the same term as `long_term`) |\n"
        "| `provider` | PLACE_PROVIDER (below) | one of them |\n"
        "| `urn` | the setting's Ofsted unique reference number (URN) | SC and 6 digits, or 6 or 7 digits; `XXXXXXX` for an unregistered setting |\n"
        "| `postcode` | the placement's postcode (PL_POST) | a UK postcode |\n"
        "| `distance_miles` | distance from home in miles | 0 to 999.9 |\n"
        "| `carer` | the carer's casetrail record (`carer-<id>`, `/v1/carers`) | the API refuses a carer with no record or not approved now (`params.carer`) |\n"
        "| `same_carer` | on a change: the same carer (903 RNE T or U, not P or B) | yes, no |\n"
        "| `change_reason` | on a change or an end: REASON_PLACE_CHANGE | the reasons below |\n"
        "| `planned` | on `cic.placement_ended`: a planned or an unplanned ending | yes, no |\n\n"
        "`cic.went_missing` may record `type`: `missing` (903 M, whereabouts unknown) or\n"
        "`away_without_authorisation` (A, whereabouts known).\n\n";
  md += "## Placement codes\n\n| code | casetrail kind | meaning | valid from | valid to | source |\n|---|---|---|---|---|---|\n";
  for (const auto& c : PlacementCodes()) {
    const bool always = c.valid_from == Date::FromYmd(1990, 1, 1);
    const bool forever = c.valid_to == Date::FromYmd(9999, 12, 31);
    md += "| " + c.code + " | " + (c.kind.empty() ? "any (a temporary move)" : c.kind) +
          (c.long_term.empty() ? "" : ", long_term " + c.long_term) + " | " + Cell(c.words) + " | " +
          (always ? "–" : c.valid_from.ToString()) + " | " + (forever ? "–" : c.valid_to.ToString()) + " | " +
          Cell(c.source) + " |\n";
  }
  md += "\n## Providers (PLACE_PROVIDER)\n\n| provider | 903 |\n|---|---|\n";
  for (const auto& r : PlacementProviders()) md += "| " + r.words + " | " + r.code + " |\n";
  md += "\n## Reasons for a change (REASON_PLACE_CHANGE)\n\n| change_reason | 903 |\n|---|---|\n";
  for (const auto& r : PlacementChangeReasons()) md += "| " + r.words + " | " + r.code + " |\n";
  return md;
}

}  // namespace casetrail::workflows
