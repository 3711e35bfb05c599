// Journey: the Boost-free facade over one Boost.MSM machine (one journey of one child).
//
// Each machine lives in its own translation unit (MSM is costly to compile) and is reached only
// through this interface. Machines are deterministic functions of (state, action): they read no
// clock and do no I/O; the time is the action's occurred_at and the timescales come from the
// RuleBook given at construction.
//
// Thread-safety: a Journey is not thread-safe; use one per child under the child's lock.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "workflows/rules.hpp"

namespace casetrail::workflows {

// A request to record something that happened, already parsed (state machines never see JSON).
struct Action {
  std::string name;                           // "cp.icpc_held"
  std::int64_t occurred_at_us = 0;            // business time
  std::string role;                           // the actor's role
  std::map<std::string, std::string> params;  // e.g. {"outcome": "cp_plan", "category": "neglect"}
  // The edition of the rule book the action is judged under (rules.hpp): the current one for a
  // new command, the one its event recorded for a replay.
  int rules_edition = kCurrentEdition;

  const std::string* Param(const std::string& key) const {
    auto it = params.find(key);
    return it == params.end() ? nullptr : &it->second;
  }
};

// One row of a transition table, as text (for docs, fingerprints and refusals).
struct TransitionRow {
  std::string source;
  std::string action;
  std::string target;  // equal to source for an internal transition
  std::string guard;   // empty: none
  std::string effect;  // the action functor's name; empty: none
  bool internal = false;
};

struct TableDescription {
  std::string journey;             // "child_protection"
  std::string initial_state;
  std::vector<std::string> states;
  std::vector<std::string> actions;
  std::vector<TransitionRow> rows;
  std::string fingerprint;         // SHA-256 of the rows: stored with every accepted event
};

// The roles allowed to record each action of a journey (auditors never write).
struct Permission {
  std::string action;
  std::vector<std::string> roles;
};

// What one parameter of an action must be, checked before the machine sees the action (a
// missing or wrong one is refused with rule invalid_parameter, naming it). The action catalogue
// (catalogue.hpp) lists them so that a form can be built from them.
struct ParamRule {
  enum class Kind { kText, kDate, kChoice };
  std::string action;                // "cp.icpc_held"
  std::string name;                  // "category"
  Kind kind = Kind::kText;           // kText: any non-empty text; kDate: YYYY-MM-DD, not after the
                                     // action (unless listed_date)
  std::vector<std::string> choices;  // kChoice: the values allowed, sorted
  bool optional = false;             // may be left out (checked when given)
  bool listed_date = false;          // kDate: on or after the action's day (a date listed ahead)
  // Required (and checked) only when parameter `only_if_param` has one of `only_if_values`
  // ({"outcome", {"cp_plan"}}); empty: always.
  std::string only_if_param;
  std::vector<std::string> only_if_values;
};

// A deadline a transition opens, and what happens to open ones.
struct DeadlineEffect {
  // kBreached: the scheduler recorded that the deadline passed unmet (it stays open).
  // kBreachCancelled: a recorded breach was wrong: an action recorded later met it in time.
  // kDueSoon: the scheduler's reminder (the deadline, for its event; nothing changes).
  enum class Kind { kScheduled, kMet, kMetLate, kCancelled, kBreached, kBreachCancelled, kDueSoon };
  Kind kind;
  Deadline deadline;
};

struct Verdict {
  bool accepted = false;
  std::string from_state;
  std::string to_state;
  std::string guard;      // the guard that let it through, or that refused it
  std::string rule;       // for refusals: "no_transition", "guard_failed", "forbidden_role",
                          // "invalid_parameter"
  std::string reason;     // plain words, naming the guard or parameter
  std::vector<DeadlineEffect> deadlines;
  std::vector<std::string> flags_raised;  // e.g. "T-10: second child protection plan within 24 months"
};

class Journey {
 public:
  virtual ~Journey() = default;
  virtual const TableDescription& Table() const = 0;
  virtual const std::vector<Permission>& Permissions() const = 0;
  // The parameters its actions require, in the order they are checked.
  virtual const std::vector<ParamRule>& ParamRules() const = 0;
  virtual std::string State() const = 0;
  // Applies the action if the role may record it and the table allows it; otherwise leaves the
  // journey unchanged and says why.
  virtual Verdict Apply(const Action& action) = 0;
  // Actions that have a row from the current state (their guards may still refuse).
  virtual std::vector<std::string> AllowedActions() const = 0;
  // Deadlines still open, by rule id.
  virtual std::vector<Deadline> OpenDeadlines() const = 0;
  // Replaces the open deadline of `d.rule_id` with `d` (a recount under a corrected rule);
  // false if no deadline of that rule is open.
  virtual bool Reschedule(const Deadline& d) = 0;
  virtual std::unique_ptr<Journey> Clone() const = 0;
  // The journey's whole state (its state by name, its open deadlines and its data) as text, for
  // snapshots; Load restores it into a journey of the same kind and rule book. Corruption if
  // the text is not a snapshot of this journey (or names a state its table no longer has).
  virtual std::string Save() const = 0;
  virtual Status Load(std::string_view saved) = 0;
};

// Child protection: strategy discussion -> S47 -> ICPC -> CP plan -> reviews -> end.
std::unique_ptr<Journey> NewChildProtection(const RuleBook& rules = RuleBook::Default());
// Pre-proceedings (PLO): LPM -> letter -> initial meeting -> reviews -> step down/continue/issue.
std::unique_ptr<Journey> NewPreProceedings(const RuleBook& rules = RuleBook::Default());
// Front door (CASS/MASH/EDT): contact -> triage -> decision within one working day.
std::unique_ptr<Journey> NewFrontDoor(const RuleBook& rules = RuleBook::Default());
// Early help and family support (Level 3): allocation, support, step-up, step-down.
std::unique_ptr<Journey> NewEarlyHelp(const RuleBook& rules = RuleBook::Default());
// Transfer between teams: 2 weeks, a joint visit, a current summary, a named lead worker.
std::unique_ptr<Journey> NewTransfer(const RuleBook& rules = RuleBook::Default());
// Statutory assessment: started -> completed -> authorised, 45 working days from referral.
std::unique_ptr<Journey> NewAssessment(const RuleBook& rules = RuleBook::Default());
// Child in need plan: started -> visits, reviews, reassessment -> ended.
std::unique_ptr<Journey> NewChildInNeed(const RuleBook& rules = RuleBook::Default());
// Child in care: looked after, IRO, reviews, placements and visits, missing episodes.
std::unique_ptr<Journey> NewChildInCare(const RuleBook& rules = RuleBook::Default());
// Leaving care: eligible -> relevant / former relevant, pathway plans, personal adviser.
std::unique_ptr<Journey> NewLeavingCare(const RuleBook& rules = RuleBook::Default());
// Care proceedings: issue (26 weeks) -> hearings -> final order; FDAC variant.
std::unique_ptr<Journey> NewCareProceedings(const RuleBook& rules = RuleBook::Default());
// Adoption, the child's side: decision, authority to place, match, placement, order, support.
std::unique_ptr<Journey> NewAdoption(const RuleBook& rules = RuleBook::Default());
// Permanence outside adoption: special guardianship and connected-person assessments, orders
// and post-order support; discharge of a care order.
std::unique_ptr<Journey> NewPermanence(const RuleBook& rules = RuleBook::Default());
// Unaccompanied asylum-seeking children: arrival, trafficking risk, age assessment, the
// National Transfer Scheme, UASC status to 18 and former UASC after.
std::unique_ptr<Journey> NewUasc(const RuleBook& rules = RuleBook::Default());
// Missing from home and exploitation (children not looked after): episodes, return interviews,
// exploitation screening.
std::unique_ptr<Journey> NewMissingExploitation(const RuleBook& rules = RuleBook::Default());
// No recourse to public funds: family assessment, destitution, s17 support reviewed 3-monthly.
std::unique_ptr<Journey> NewNrpf(const RuleBook& rules = RuleBook::Default());
// Homeless 16 and 17 year olds: presented, assessed, mediation, s17 support or s20.
std::unique_ptr<Journey> NewHomeless1617(const RuleBook& rules = RuleBook::Default());
// Children with disabilities: assessment, package of care, short breaks, EHCP advice.
std::unique_ptr<Journey> NewDisabledChildren(const RuleBook& rules = RuleBook::Default());
// Interventions and service episodes, several at once (FT+, MST, FGC, TESS, ...).
std::unique_ptr<Journey> NewInterventions(const RuleBook& rules = RuleBook::Default());
// Private fostering: notified, the Reg 4 visit, suitability, Reg 8 visits, the end.
std::unique_ptr<Journey> NewPrivateFostering(const RuleBook& rules = RuleBook::Default());
// The search for a placement: request, referrals, offers, match, the external placement panel.
std::unique_ptr<Journey> NewPlacementSearch(const RuleBook& rules = RuleBook::Default());
// Allegations against people who work with children (the LADO): referral, initial evaluation,
// management, outcome. Not a child's journey: it decides an allegation's own record
// (workflows/own_record.hpp), never part of a Case.
std::unique_ptr<Journey> NewLado(const RuleBook& rules = RuleBook::Default());
// Carers (foster carers, connected persons, prospective adopters): enquiry, assessment, panel,
// approval, supervision, reviews, deregistration. A carer's own record, not a child's.
std::unique_ptr<Journey> NewCarers(const RuleBook& rules = RuleBook::Default());

}  // namespace casetrail::workflows
