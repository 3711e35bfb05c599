// Child protection as a Boost.MSM machine: strategy discussion -> S47 enquiry -> initial child
// protection conference -> child protection plan (core groups, visits, midway and review
// conferences) -> plan ended. Sources: seed-spec SM-06; statutory-rules.md rows 4, 6-8, 10.
#include <optional>

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
struct Context : detail::ContextBase {
  std::optional<std::int64_t> plan_started;
  std::optional<std::int64_t> last_plan_ended;
  std::string category;
  template <class Io>
  void Fields(Io& io) {
    io("plan_started", plan_started);
    io("last_plan_ended", last_plan_ended);
    io("category", category);
  }
};

// ---- guards ----------------------------------------------------------------------------------
CASETRAIL_PARAM_GUARD(DecidedS47, "outcome", "s47")
CASETRAIL_PARAM_GUARD(DecidedNoS47, "outcome", "no_s47")
CASETRAIL_PARAM_GUARD(ConferenceRequired, "outcome", "icpc")
CASETRAIL_PARAM_GUARD(NoConferenceRequired, "outcome", "no_icpc")
CASETRAIL_PARAM_GUARD(PlanDecided, "outcome", "cp_plan")
CASETRAIL_PARAM_GUARD(NoPlanDecided, "outcome", "no_plan")
CASETRAIL_PARAM_GUARD(PlanContinues, "outcome", "continue")
CASETRAIL_PARAM_GUARD(PlanToEnd, "outcome", "end")

// ---- actions (deterministic: the time is the event's occurred_at) ------------------------------
CASETRAIL_ACTION(ScheduleIcpc, { c.Schedule("T-06", at); })
CASETRAIL_ACTION(CancelIcpc, { c.CancelAll(); })
CASETRAIL_ACTION(CloseWithoutPlan, { c.Meet("T-06", at); c.CancelAll(); })
CASETRAIL_ACTION(StartPlan, {
  c.Meet("T-06", at);
  if (c.last_plan_ended) {
    auto window = c.rules->Due("T-10", *c.last_plan_ended, c.edition);
    if (window.ok() && window->MetBy(at)) {
      c.Flag("T-10: second child protection plan within 24 months");
    }
  }
  c.plan_started = at;
  c.category = *e.action->Param("category");
  c.Schedule("N-08", at);
  c.Schedule("T-08", at);
  c.Schedule("N-10", at);
  c.Schedule("T-09", at);  // oversight: a plan still open when this falls due is over 2 years
})
CASETRAIL_ACTION(MeetCoreGroup, { c.Meet("N-08", at); })
CASETRAIL_ACTION(RecordVisit, { c.Meet("N-10", at); c.Schedule("N-10", at); })
CASETRAIL_ACTION(ContinuePlan, {
  c.Meet("T-08", at);
  c.Meet("T-08b", at);
  c.Schedule("T-08b", at);
})
CASETRAIL_ACTION(EndPlan, {
  c.Meet("T-08", at);
  c.Meet("T-08b", at);
  c.CancelAll();
  c.last_plan_ended = at;
  c.plan_started.reset();
  c.category.clear();
})

// ---- states (situations, with stable names) ---------------------------------------------------
struct NoCpInvolvement : msmf::state<> { static constexpr const char* kName = "NoCpInvolvement"; };
struct S47Enquiry : msmf::state<> { static constexpr const char* kName = "S47Enquiry"; };
struct AwaitingIcpc : msmf::state<> { static constexpr const char* kName = "AwaitingIcpc"; };
struct OnCpPlan : msmf::state<> { static constexpr const char* kName = "OnCpPlan"; };

struct ChildProtectionDef : detail::JourneyDef<ChildProtectionDef, Context, NoCpInvolvement> {
  static constexpr const char* kJourney = "child_protection";
  static const std::vector<Permission>& Permissions();
  static const detail::ParamSpecs& Params();

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

};

const detail::ParamSpecs& ChildProtectionDef::Params() {
  static const detail::ParamSpecs specs = {
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

// Seed-spec section 5.2: only a CP chair records conference outcomes.
const std::vector<Permission>& ChildProtectionDef::Permissions() {
  static const std::vector<Permission> p = {
      {StrategyDiscussionHeld::kName, {"social_worker", "team_manager"}},
      {S47Concluded::kName, {"social_worker", "team_manager"}},
      {IcpcHeld::kName, {"cp_chair"}},
      {CoreGroupHeld::kName, {"social_worker", "team_manager"}},
      {VisitHeld::kName, {"social_worker"}},
      {MidwayReviewHeld::kName, {"cp_chair"}},
      {ReviewConferenceHeld::kName, {"cp_chair"}},
      {PlanEnded::kName, {"cp_chair", "team_manager", "system"}},
  };
  return p;
}

}  // namespace

std::unique_ptr<Journey> NewChildProtection(const RuleBook& rules) {
  return std::make_unique<detail::MsmJourney<ChildProtectionDef>>(rules);
}

}  // namespace casetrail::workflows
