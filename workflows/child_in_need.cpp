// The child in need plan as a Boost.MSM machine: plan started, visits (at most 6 weeks apart),
// reviews, reassessment every 12 months, plan ended (step-down, closure, escalation).
// Sources: seed-spec SM-05 (SE:698; FS:28); statutory-rules.md row 11.
#include "workflows/detail/msm_support.hpp"

namespace casetrail::workflows {
namespace {

using detail::EventBase;
namespace msmf = detail::msmf;
namespace mpl = detail::mpl;
using msmf::none;
using msmf::Row;

struct CinPlanStarted : EventBase { static constexpr const char* kName = "cin.plan_started"; };
struct CinVisitHeld : EventBase { static constexpr const char* kName = "cin.visit_held"; };
struct CinReviewHeld : EventBase { static constexpr const char* kName = "cin.review_held"; };
struct CinReassessmentCompleted : EventBase { static constexpr const char* kName = "cin.reassessment_completed"; };
struct CinPlanEnded : EventBase { static constexpr const char* kName = "cin.plan_ended"; };

struct Context : detail::ContextBase {
  std::int64_t plan_started = 0;
  template <class Io>
  void Fields(Io& io) {
    io("plan_started", plan_started);
  }
};

CASETRAIL_ACTION(StartCinPlan, {
  c.plan_started = at;
  c.Schedule("T-11", at);
  c.Schedule("T-12", at);
})
CASETRAIL_ACTION(RecordCinVisit, { c.Meet("T-11", at); c.Schedule("T-11", at); })
CASETRAIL_ACTION(RecordReassessment, { c.Meet("T-12", at); c.Schedule("T-12", at); })
CASETRAIL_ACTION(EndCinPlan, { c.CancelAll(); })

struct NoCinPlan : msmf::state<> { static constexpr const char* kName = "NoCinPlan"; };
struct OnCinPlan : msmf::state<> { static constexpr const char* kName = "OnCinPlan"; };

struct ChildInNeedDef : detail::JourneyDef<ChildInNeedDef, Context, NoCinPlan> {
  static constexpr const char* kJourney = "child_in_need";
  static const std::vector<Permission>& Permissions();
  static const detail::ParamSpecs& Params();

  // clang-format off
  struct transition_table : mpl::vector<
  //    Source     Event                     Target     Action              Guard
  //   +----------+-------------------------+----------+-------------------+------+
    Row<NoCinPlan, CinPlanStarted,           OnCinPlan, StartCinPlan,       none>,
    Row<OnCinPlan, CinVisitHeld,             none,      RecordCinVisit,     none>,
    Row<OnCinPlan, CinReviewHeld,            none,      none,               none>,
    Row<OnCinPlan, CinReassessmentCompleted, none,      RecordReassessment, none>,
    Row<OnCinPlan, CinPlanEnded,             NoCinPlan, EndCinPlan,         none>
  //   +----------+-------------------------+----------+-------------------+------+
  > {};
  // clang-format on

};

const detail::ParamSpecs& ChildInNeedDef::Params() {
  static const detail::ParamSpecs specs = {
      {CinPlanEnded::kName,
       {{"reason", {"step_down_to_early_help", "closure", "child_protection_plan",
                    "became_looked_after", "moved_away"}}}},
  };
  return specs;
}

// Ending a plan (step-down or closure) needs a team manager's agreement (FS:28; seed-spec 5.2).
const std::vector<Permission>& ChildInNeedDef::Permissions() {
  static const std::vector<Permission> p = {
      {CinPlanStarted::kName, {"social_worker", "team_manager"}},
      {CinVisitHeld::kName, {"social_worker"}},
      {CinReviewHeld::kName, {"social_worker", "team_manager"}},
      {CinReassessmentCompleted::kName, {"social_worker"}},
      {CinPlanEnded::kName, {"team_manager", "system"}},
  };
  return p;
}

}  // namespace

std::unique_ptr<Journey> NewChildInNeed(const RuleBook& rules) {
  return std::make_unique<detail::MsmJourney<ChildInNeedDef>>(rules);
}

}  // namespace casetrail::workflows
