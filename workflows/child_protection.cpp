// Child protection as a Boost.MSM machine: strategy discussion -> S47 enquiry -> initial child
// protection conference -> child protection plan (core groups, visits, midway and review
// conferences) -> plan ended. Sources: seed-spec SM-06; statutory-rules.md rows 4, 6-8, 10.
#include <map>
#include <optional>
#include <set>

#include "workflows/detail/msm_support.hpp"

namespace casetrail::workflows {
namespace {

using detail::EventBase;
namespace msmf = detail::msmf;
namespace mpl = detail::mpl;
using msmf::none;
using msmf::Row;

// ---- events (stored names never derive from the class name) -----------------------------------
struct StrategyDiscussionHeld : EventBase { static constexpr const char* kName = "cp.strategy_discussion_held"; };
struct S47Concluded : EventBase { static constexpr const char* kName = "cp.s47_concluded"; };
struct IcpcHeld : EventBase { static constexpr const char* kName = "cp.icpc_held"; };
struct CoreGroupHeld : EventBase { static constexpr const char* kName = "cp.core_group_held"; };
struct VisitHeld : EventBase { static constexpr const char* kName = "cp.visit_held"; };
struct MidwayReviewHeld : EventBase { static constexpr const char* kName = "cp.midway_review_held"; };
struct ReviewConferenceHeld : EventBase { static constexpr const char* kName = "cp.review_conference_held"; };
struct PlanEnded : EventBase { static constexpr const char* kName = "cp.plan_ended"; };

// ---- the journey's data, beside the machine ---------------------------------------------------
struct Context {
  const RuleBook* rules = nullptr;
  Verdict* verdict = nullptr;  // the verdict being built by the current Apply
  std::map<std::string, Deadline> open;
  std::optional<std::int64_t> plan_started;
  std::optional<std::int64_t> last_plan_ended;
  std::string category;

  void Schedule(const std::string& rule, std::int64_t from) {
    auto d = rules->Due(rule, from);
    if (!d.ok()) return;  // outside the calendar: nothing to schedule (reported by rules tests)
    open[rule] = *d;
    verdict->deadlines.push_back({DeadlineEffect::Kind::kScheduled, *d});
  }
  void Meet(const std::string& rule, std::int64_t at) {
    auto it = open.find(rule);
    if (it == open.end()) return;
    verdict->deadlines.push_back(
        {it->second.MetBy(at) ? DeadlineEffect::Kind::kMet : DeadlineEffect::Kind::kMetLate,
         it->second});
    open.erase(it);
  }
  void CancelAll() {
    for (auto& [rule, d] : open) verdict->deadlines.push_back({DeadlineEffect::Kind::kCancelled, d});
    open.clear();
  }
};

bool ParamIs(const EventBase& e, const char* key, const char* value) {
  const std::string* v = e.action->Param(key);
  return v && *v == value;
}

// ---- guards ----------------------------------------------------------------------------------
#define CT_GUARD(Name, key, value)                                     \
  struct Name {                                                        \
    static constexpr const char* kName = #Name;                        \
    template <class E, class F, class S, class T>                      \
    bool operator()(E const& e, F&, S&, T&) const {                    \
      return ParamIs(e, key, value);                                   \
    }                                                                  \
  };
CT_GUARD(DecidedS47, "outcome", "s47")
CT_GUARD(DecidedNoS47, "outcome", "no_s47")
CT_GUARD(ConferenceRequired, "outcome", "icpc")
CT_GUARD(NoConferenceRequired, "outcome", "no_icpc")
CT_GUARD(PlanDecided, "outcome", "cp_plan")
CT_GUARD(NoPlanDecided, "outcome", "no_plan")
CT_GUARD(PlanContinues, "outcome", "continue")
CT_GUARD(PlanToEnd, "outcome", "end")
#undef CT_GUARD

// ---- actions (deterministic: the time is the event's occurred_at) ------------------------------
#define CT_ACTION(Name, body)                                          \
  struct Name {                                                        \
    static constexpr const char* kName = #Name;                        \
    template <class E, class F, class S, class T>                      \
    void operator()(E const& e, F& fsm, S&, T&) const {                \
      Context& c = fsm.ctx;                                            \
      const std::int64_t at = e.action->occurred_at_us;                \
      (void)at;                                                        \
      body                                                             \
    }                                                                  \
  };
CT_ACTION(ScheduleIcpc, { c.Schedule("T-06", at); })
CT_ACTION(CancelIcpc, { c.CancelAll(); })
CT_ACTION(CloseWithoutPlan, { c.Meet("T-06", at); c.CancelAll(); })
CT_ACTION(StartPlan, {
  c.Meet("T-06", at);
  if (c.last_plan_ended) {
    auto window = c.rules->Due("T-10", *c.last_plan_ended);
    if (window.ok() && window->MetBy(at)) {
      c.verdict->flags_raised.push_back("T-10: second child protection plan within 24 months");
    }
  }
  c.plan_started = at;
  c.category = *e.action->Param("category");
  c.Schedule("N-08", at);
  c.Schedule("T-08", at);
  c.Schedule("N-10", at);
})
CT_ACTION(MeetCoreGroup, { c.Meet("N-08", at); })
CT_ACTION(RecordVisit, { c.Meet("N-10", at); c.Schedule("N-10", at); })
CT_ACTION(ContinuePlan, {
  c.Meet("T-08", at);
  c.Meet("T-08b", at);
  c.Schedule("T-08b", at);
})
CT_ACTION(EndPlan, {
  c.Meet("T-08", at);
  c.Meet("T-08b", at);
  c.CancelAll();
  c.last_plan_ended = at;
  c.plan_started.reset();
  c.category.clear();
})
#undef CT_ACTION

// ---- states (situations, with stable names) ---------------------------------------------------
struct NoCpInvolvement : msmf::state<> { static constexpr const char* kName = "NoCpInvolvement"; };
struct S47Enquiry : msmf::state<> { static constexpr const char* kName = "S47Enquiry"; };
struct AwaitingIcpc : msmf::state<> { static constexpr const char* kName = "AwaitingIcpc"; };
struct OnCpPlan : msmf::state<> { static constexpr const char* kName = "OnCpPlan"; };

struct ChildProtectionDef : msmf::state_machine_def<ChildProtectionDef> {
  using initial_state = NoCpInvolvement;
  Context ctx;
  int rejected_state = -1;  // set by no_transition

  // clang-format off
  struct transition_table : mpl::vector<
  //    Source           Event                  Target           Action            Guard
  //   +----------------+----------------------+----------------+-----------------+---------------------+
    Row<NoCpInvolvement, StrategyDiscussionHeld, S47Enquiry,     ScheduleIcpc,     DecidedS47>,
    Row<NoCpInvolvement, StrategyDiscussionHeld, none,           none,             DecidedNoS47>,
  //   +----------------+----------------------+----------------+-----------------+---------------------+
    Row<S47Enquiry,      S47Concluded,           AwaitingIcpc,   none,             ConferenceRequired>,
    Row<S47Enquiry,      S47Concluded,           NoCpInvolvement, CancelIcpc,      NoConferenceRequired>,
  //   +----------------+----------------------+----------------+-----------------+---------------------+
    Row<AwaitingIcpc,    IcpcHeld,               OnCpPlan,       StartPlan,        PlanDecided>,
    Row<AwaitingIcpc,    IcpcHeld,               NoCpInvolvement, CloseWithoutPlan, NoPlanDecided>,
  //   +----------------+----------------------+----------------+-----------------+---------------------+
    Row<OnCpPlan,        CoreGroupHeld,          none,           MeetCoreGroup,    none>,
    Row<OnCpPlan,        VisitHeld,              none,           RecordVisit,      none>,
    Row<OnCpPlan,        MidwayReviewHeld,       none,           none,             none>,
    Row<OnCpPlan,        StrategyDiscussionHeld, none,           none,             none>,
    Row<OnCpPlan,        ReviewConferenceHeld,   none,           ContinuePlan,     PlanContinues>,
    Row<OnCpPlan,        ReviewConferenceHeld,   NoCpInvolvement, EndPlan,         PlanToEnd>,
    Row<OnCpPlan,        PlanEnded,              NoCpInvolvement, EndPlan,         none>
  //   +----------------+----------------------+----------------+-----------------+---------------------+
  > {};
  // clang-format on

  // A refused action is a value, never an assert (STYLE 10).
  template <class Fsm, class Event>
  void no_transition(Event const&, Fsm&, int state) {
    rejected_state = state;
  }
};

using Machine = boost::msm::back::state_machine<ChildProtectionDef>;

// What each action needs, checked before the machine sees it (guards stay total).
struct ParamSpec {
  const char* key;
  std::set<std::string> allowed;  // empty: any non-empty text
  const char* only_if_key = nullptr;
  const char* only_if_value = nullptr;
};

const std::map<std::string, std::vector<ParamSpec>>& ParamSpecs() {
  static const std::map<std::string, std::vector<ParamSpec>> specs = {
      {StrategyDiscussionHeld::kName, {{"outcome", {"s47", "no_s47"}}}},
      {S47Concluded::kName, {{"outcome", {"icpc", "no_icpc"}}}},
      {IcpcHeld::kName,
       {{"outcome", {"cp_plan", "no_plan"}},
        {"category", {"neglect", "physical_abuse", "sexual_abuse", "emotional_abuse", "multiple"},
         "outcome", "cp_plan"}}},
      {ReviewConferenceHeld::kName, {{"outcome", {"continue", "end"}}}},
      {PlanEnded::kName, {{"reason", {}}}},
  };
  return specs;
}

const std::vector<Permission>& CpPermissions() {
  static const std::vector<Permission> p = {
      {StrategyDiscussionHeld::kName, {"social_worker", "team_manager"}},
      {S47Concluded::kName, {"social_worker", "team_manager"}},
      {IcpcHeld::kName, {"cp_chair"}},
      {CoreGroupHeld::kName, {"social_worker", "team_manager"}},
      {VisitHeld::kName, {"social_worker"}},
      {MidwayReviewHeld::kName, {"cp_chair"}},
      {ReviewConferenceHeld::kName, {"cp_chair"}},
      {PlanEnded::kName, {"cp_chair", "team_manager"}},
  };
  return p;
}

class ChildProtection final : public Journey {
 public:
  explicit ChildProtection(const RuleBook& rules) {
    machine_.ctx.rules = &rules;
    machine_.start();
  }
  ChildProtection(const ChildProtection& other) = default;

  const TableDescription& Table() const override {
    static const TableDescription t = detail::Describe<Machine>("child_protection");
    return t;
  }
  const std::vector<Permission>& Permissions() const override { return CpPermissions(); }

  std::string State() const override {
    return detail::StateNames<Machine>()[static_cast<std::size_t>(machine_.current_state()[0])];
  }

  std::vector<std::string> AllowedActions() const override {
    std::vector<std::string> out;
    const std::string state = State();
    for (const auto& r : Table().rows) {
      if (r.source == state && (out.empty() || out.back() != r.action)) {
        bool seen = false;
        for (const auto& a : out) seen |= (a == r.action);
        if (!seen) out.push_back(r.action);
      }
    }
    return out;
  }

  std::vector<Deadline> OpenDeadlines() const override {
    std::vector<Deadline> out;
    for (const auto& [rule, d] : machine_.ctx.open) out.push_back(d);
    return out;
  }

  std::unique_ptr<Journey> Clone() const override {
    return std::make_unique<ChildProtection>(*this);
  }

  Verdict Apply(const Action& a) override {
    Verdict v;
    v.from_state = State();
    auto refuse = [&](const char* rule, std::string reason) {
      v.rule = rule;
      v.reason = std::move(reason);
      v.to_state = v.from_state;
      return v;
    };
    // Who may record it.
    const Permission* perm = nullptr;
    for (const auto& p : Permissions()) {
      if (p.action == a.name) perm = &p;
    }
    if (!perm) return refuse("no_transition", "'" + a.name + "' is not an action of child protection");
    bool role_ok = false;
    for (const auto& r : perm->roles) role_ok |= (r == a.role);
    if (!role_ok) {
      std::string roles;
      for (const auto& r : perm->roles) roles += (roles.empty() ? "" : ", ") + r;
      return refuse("forbidden_role", "'" + a.name + "' may be recorded only by: " + roles +
                                          " (not " + (a.role.empty() ? "no role" : a.role) + ")");
    }
    // A row from this state (before parameters: "not now" is the more useful answer).
    bool has_row = false;
    for (const auto& r : Table().rows) has_row |= (r.source == v.from_state && r.action == a.name);
    if (!has_row) {
      return refuse("no_transition", "'" + a.name + "' is not allowed in state " + v.from_state);
    }
    // Its parameters.
    if (auto it = ParamSpecs().find(a.name); it != ParamSpecs().end()) {
      for (const ParamSpec& s : it->second) {
        if (s.only_if_key && !(a.Param(s.only_if_key) && *a.Param(s.only_if_key) == s.only_if_value)) {
          continue;
        }
        const std::string* val = a.Param(s.key);
        if (!val || val->empty()) {
          return refuse("invalid_parameter", std::string("'") + s.key + "' is required for '" +
                                                 a.name + "'");
        }
        if (!s.allowed.empty() && !s.allowed.count(*val)) {
          std::string allowed;
          for (const auto& x : s.allowed) allowed += (allowed.empty() ? "" : ", ") + x;
          return refuse("invalid_parameter", std::string("'") + s.key + "' must be one of: " +
                                                 allowed + " (got '" + *val + "')");
        }
      }
    }
    // The machine decides; effects are collected into `v`, and undone by keeping a copy.
    Machine before = machine_;
    machine_.ctx.verdict = &v;
    machine_.rejected_state = -1;
    boost::msm::back::HandledEnum handled = Dispatch(a);
    machine_.ctx.verdict = nullptr;
    if (handled == boost::msm::back::HANDLED_TRUE) {
      v.accepted = true;
      v.to_state = State();
      for (const auto& r : Table().rows) {
        if (r.source == v.from_state && r.action == a.name && !r.guard.empty()) {
          if (r.target == v.to_state) v.guard = r.guard;
        }
      }
      return v;
    }
    machine_ = before;
    Verdict refused;
    refused.from_state = refused.to_state = v.from_state;
    if (handled == boost::msm::back::HANDLED_GUARD_REJECT) {
      std::string guards;
      for (const auto& r : Table().rows) {
        if (r.source == v.from_state && r.action == a.name) guards += (guards.empty() ? "" : ", ") + r.guard;
      }
      refused.rule = "guard_failed";
      refused.guard = guards;
      refused.reason = "'" + a.name + "' in state " + v.from_state + ": no guard held (" + guards + ")";
    } else {
      refused.rule = "no_transition";
      refused.reason = "'" + a.name + "' is not allowed in state " + v.from_state;
    }
    return refused;
  }

 private:
  boost::msm::back::HandledEnum Dispatch(const Action& a) {
    if (a.name == StrategyDiscussionHeld::kName) return machine_.process_event(StrategyDiscussionHeld{{&a}});
    if (a.name == S47Concluded::kName) return machine_.process_event(S47Concluded{{&a}});
    if (a.name == IcpcHeld::kName) return machine_.process_event(IcpcHeld{{&a}});
    if (a.name == CoreGroupHeld::kName) return machine_.process_event(CoreGroupHeld{{&a}});
    if (a.name == VisitHeld::kName) return machine_.process_event(VisitHeld{{&a}});
    if (a.name == MidwayReviewHeld::kName) return machine_.process_event(MidwayReviewHeld{{&a}});
    if (a.name == ReviewConferenceHeld::kName) return machine_.process_event(ReviewConferenceHeld{{&a}});
    if (a.name == PlanEnded::kName) return machine_.process_event(PlanEnded{{&a}});
    return boost::msm::back::HANDLED_FALSE;
  }

  Machine machine_;
};

}  // namespace

std::unique_ptr<Journey> NewChildProtection(const RuleBook& rules) {
  return std::make_unique<ChildProtection>(rules);
}

}  // namespace casetrail::workflows
