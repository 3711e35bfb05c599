// A child's case: every journey of one child, the actions that route to them, and the
// cross-journey rules that keep them consistent (docs/workflows/cross-journey.md, one row each,
// each with a test).
//
// Deterministic: a Case is a pure fold of the actions it accepts. Thread-safety: none; one Case
// per child under the child's lock.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workflows/journey.hpp"

namespace casetrail::workflows {

// Allocation: who is responsible for the child (seed-spec R2; SG:400-419). Not a journey (it
// is who, not where in a process), recorded under journey "allocation" with the states
// NotHeld (no team), AwaitingAllocation (a team, no worker: an unallocated child) and Allocated:
//   alloc.team_allocated {team}                       the team that holds the child; a new team
//                                                      leaves the child unallocated in it
//   alloc.worker_allocated {team, worker, as}         the lead worker (as: social_worker,
//                                                      early_help_worker, family_support_worker,
//                                                      personal_adviser) in a team
//   alloc.worker_deallocated {reason}                 worker_left, caseload_balancing, other: the
//                                                      child stays with the team, unallocated
//   alloc.worker_allocated {worker, as: iro}          the IRO of a looked-after child (CA 1989
//                                                      s25A), held beside the lead worker
//   alloc.worker_deallocated {as: iro, reason}        the IRO leaves (reason also
//                                                      ceased_looked_after)
// Team managers record them (and cass workers route a referral to a team); the transfer journey,
// closure, the IRO and personal adviser actions and leaving care change them through
// cross-journey rules.
inline constexpr const char* kAllocation = "allocation";
struct Allocation {
  std::string team;    // empty: no team holds the child
  std::string worker;  // empty: unallocated
  std::string as;      // the worker's role in the allocation
  std::int64_t since = 0;  // business time of the last change (a worker allocated or removed, a team)
  std::string iro;         // the looked-after child's IRO (empty: none)
  std::string State() const { return team.empty() ? "NotHeld" : worker.empty() ? "AwaitingAllocation" : "Allocated"; }
};

// Case-level actions (not owned by a journey):
//   case.child_registered {date_of_birth | expected_due_date, unborn: yes|no}
//   case.child_born {date_of_birth}
//   case.closed {team}            all journeys idle; remembers the team for re-referrals
// The role "system" is the engine itself: adapters never grant it to a person.
inline constexpr const char* kSystemRole = "system";

// Time-driven actions: recorded only by the engine (role "system"), by the scheduler
// (scheduler/scheduler.hpp), when time passes rather than when someone acts:
//   deadline.breached {rule, due}  at the end of the deadline's last day (its due_by): it passed
//                                  unmet. It stays open; an action that meets it later is late.
//                                  Refused (not_due) once it was met, moved or cancelled: a
//                                  late-recorded action that met it in time cancels the tick.
//   deadline.due_soon {rule, due, notice}  from the start of the `notice`th working day before
//                                  the last day (or when scheduled, if later): a reminder for
//                                  subscribers (per team); it changes nothing in the case.
//   case.age_reached {age}         at the start of the 16th, 18th, 21st or 25th birthday: the
//                                  cross-journey rules that depend on age run then (X-06, X-08,
//                                  ), not at the next action someone records.
// A replay skips a time-driven action that no longer holds after a correction (it is what the
// scheduler wrote then; the correction's refold says what holds now).
inline constexpr const char* kDeadlineBreached = "deadline.breached";
inline constexpr const char* kDeadlineDueSoon = "deadline.due_soon";
inline constexpr const char* kAgeReached = "case.age_reached";
bool IsTimeDriven(std::string_view action);
inline constexpr int kMilestoneAges[] = {16, 18, 21, 25};

// An action the case allows now and the roles that may record it (the engine's own role, and
// the roles of case-level actions, as the workflows define them).
struct AllowedAction {
  std::string action;
  std::vector<std::string> roles;
};

struct CrossJourneyRule {
  std::string id;           // "X-01"
  std::string when;         // the triggering action and condition, in words
  std::string then;         // the consequence
  std::string source;       // citation
};
const std::vector<CrossJourneyRule>& CrossJourneyRules();

struct CaseVerdict {
  std::string journey;  // the journey the action belonged to ("case" for case-level actions)
  Verdict verdict;
  // Consequences applied by cross-journey rules: (rule id, journey, the system action's verdict).
  struct Consequence {
    std::string rule;
    std::string journey;
    std::string action;
    std::map<std::string, std::string> params;
    Verdict verdict;
  };
  std::vector<Consequence> consequences;
  // Open deadlines the action's rule edition counts differently from the edition that scheduled
  // them (a corrected rule): recounted before the action applies, so the action is judged by
  // the corrected date. Empty when the action is refused.
  struct Rescheduled {
    std::string journey;  // "case" for the case's own deadlines (T-45)
    Deadline before;
    Deadline after;
    std::string reason;   // the correction, from the new rule set's change note
  };
  std::vector<Rescheduled> rescheduled;
  bool accepted() const { return verdict.accepted; }
};

class Case {
 public:
  explicit Case(const RuleBook& rules = RuleBook::Default());
  Case(const Case& other);
  Case& operator=(const Case& other);
  Case(Case&&) noexcept = default;
  Case& operator=(Case&&) noexcept = default;

  // Recounts open deadlines under the action's rule edition (CaseVerdict::rescheduled), routes
  // the action to its journey by prefix (fd., eh., as., cin., cp., plo., court., cic., lc., tr.)
  // or handles a case.* action, then applies the cross-journey rules. A refused action changes
  // nothing, the recount included.
  CaseVerdict Apply(const Action& action);

  // journey -> state, for every journey.
  std::map<std::string, std::string> States() const;
  // Journeys not in their initial state.
  std::vector<std::string> ActiveJourneys() const;
  std::vector<std::string> AllowedActions() const;
  // The same, each with the roles that may record it ("system" left out: nobody's role).
  std::vector<AllowedAction> AllowedActionsWithRoles() const;
  // The allowed actions split for `role`: those it may record (*mine) and those that need
  // another role (*others). An empty role splits nothing: every action is *mine.
  void AllowedFor(const std::string& role, std::vector<std::string>* mine, std::vector<AllowedAction>* others) const;
  std::vector<Deadline> OpenDeadlines() const;
  // The journey `name` (one in its initial state when no action reached it yet).
  const Journey& journey(const std::string& name) const { return J(name); }

  // The whole case (every journey and the case's own history facts) as text, for snapshots.
  // Load(Save()) gives a case that answers every later action exactly as this one does.
  std::string Save() const;
  // Corruption if the text is not a case snapshot, or one of its journeys' tables no longer
  // has the state it names (the snapshot is then ignored and the case rebuilt from the log).
  static Result<Case> Load(std::string_view saved, const RuleBook& rules = RuleBook::Default());

  const Allocation& allocation() const { return allocation_; }
  bool unborn() const { return unborn_; }
  std::optional<Date> date_of_birth() const { return dob_; }
  // Days looked after since the 14th birthday (for leaving-care eligibility).
  int DaysLookedAfterSince14() const { return looked_after_days_since_14_; }

 private:
  const Journey& J(const std::string& name) const;
  Journey& Mut(const std::string& name);  // builds the journey on first use
  CaseVerdict Route(const Action& a);
  Verdict ApplyAllocation(const Action& a);
  CaseVerdict ApplyBreach(const Action& a);
  CaseVerdict ApplyDueSoon(const Action& a);
  // The open deadline of `rule` and the journey that owns it ("case" and nullptr: the case's own).
  std::optional<Deadline> FindOpen(const std::string& rule, std::string* journey, Journey** owner);
  Verdict ApplyCaseAction(const Action& a);
  std::vector<CaseVerdict::Rescheduled> Recount(int edition);
  void Restore(const std::vector<CaseVerdict::Rescheduled>& recounted);
  void ApplyRules(const Action& a, CaseVerdict* out);
  void Consequence(const char* rule, const std::string& journey, const std::string& action,
                   const Action& cause, std::map<std::string, std::string> params, CaseVerdict* out);
  void TrackCareTime(std::int64_t at);
  template <class Io>
  void Fields(Io& io);

  const RuleBook* rules_;
  std::map<std::string, std::unique_ptr<Journey>> journeys_;  // the journeys actions reached
  bool unborn_ = false;
  std::optional<Date> dob_;
  std::optional<std::int64_t> last_closed_;
  std::string last_team_;
  std::optional<std::int64_t> last_step_down_;
  std::optional<std::int64_t> looked_after_since_;
  std::optional<std::int64_t> last_cp_plan_ended_;
  std::optional<std::int64_t> last_returned_home_;
  std::map<std::string, Deadline> case_open_;  // deadlines that need the child's age (T-45)
  int looked_after_days_since_14_ = 0;
  Allocation allocation_;
  std::string transfer_to_team_;  // the receiving team of the transfer in progress
  std::string discharge_route_;   // of the care-order discharge in progress
  int private_fostering_to_ = 16;  // the age private fostering ends at: 18 for a disabled child
  // The edition the open deadlines were last counted under (not saved: after a snapshot load
  // the first action recounts, which changes nothing when nothing needs it).
  int recounted_edition_ = -1;
};

}  // namespace casetrail::workflows
