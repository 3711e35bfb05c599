// Early help and family support (Level 3) as a Boost.MSM machine: a request is allocated at the
// weekly locality meeting (BCT early help, partner-led, voluntary sector, or redirected to
// CASS); support with a family plan and reviews for up to 6 months; closure; step-up to social
// care with a manager's agreement and the family's consent; step-down from social care when
// the child in need plan is complete, a closure summary exists and the family consents.
// Sources: seed-spec SM-02/SM-03 (SG:473-517, FS:9-56).
#include "workflows/detail/msm_support.hpp"

namespace casetrail::workflows {
namespace {

using detail::EventBase;
namespace msmf = detail::msmf;
namespace mpl = detail::mpl;
using msmf::none;
using msmf::Row;

struct RequestReceived : EventBase { static constexpr const char* kName = "eh.request_received"; };
struct AllocationDecided : EventBase { static constexpr const char* kName = "eh.allocation_decided"; };
struct FamilyPlanAgreed : EventBase { static constexpr const char* kName = "eh.family_plan_agreed"; };
struct EhReviewHeld : EventBase { static constexpr const char* kName = "eh.review_held"; };
struct SteppedUp : EventBase { static constexpr const char* kName = "eh.stepped_up"; };
struct EhClosed : EventBase { static constexpr const char* kName = "eh.closed"; };
struct SteppedDown : EventBase { static constexpr const char* kName = "eh.stepped_down_from_social_care"; };

struct Context : detail::ContextBase {
  std::string provider;
  template <class Io>
  void Fields(Io& io) {
    io("provider", provider);
  }
};

CASETRAIL_PARAM_GUARD(AllocatedToProvider, "redirect", "no")
CASETRAIL_PARAM_GUARD(RedirectedToCass, "redirect", "yes")

// Step-up: "discussed and agreed with the line manager ... consent gained" (SG:513, SG:517).
struct ManagerAgreedAndConsent {
  static constexpr const char* kName = "ManagerAgreedAndConsent";
  template <class E, class F, class S, class T>
  bool operator()(E const& e, F&, S&, T&) const {
    return detail::ParamIs(e, "manager_agreed", "yes") && detail::ParamIs(e, "consent", "yes");
  }
};
// Step-down: "CiN plan has been completed, a closure summary and consent" (FS:24-28).
struct StepDownPreconditionsMet {
  static constexpr const char* kName = "StepDownPreconditionsMet";
  template <class E, class F, class S, class T>
  bool operator()(E const& e, F&, S&, T&) const {
    return detail::ParamIs(e, "cin_plan_completed", "yes") &&
           detail::ParamIs(e, "closure_summary", "yes") && detail::ParamIs(e, "consent", "yes");
  }
};

CASETRAIL_ACTION(StartSupport, {
  c.provider = *e.action->Param("provider");
  c.Schedule("T-22", at);
})
CASETRAIL_ACTION(StartSteppedDownSupport, {
  c.provider = "bct_early_help";
  c.Schedule("T-22", at);
})
CASETRAIL_ACTION(EndSupport, { c.Meet("T-22", at); c.CancelAll(); })

struct NoEarlyHelp : msmf::state<> { static constexpr const char* kName = "NoEarlyHelp"; };
struct AwaitingAllocation : msmf::state<> { static constexpr const char* kName = "AwaitingAllocation"; };
struct EarlyHelpActive : msmf::state<> { static constexpr const char* kName = "EarlyHelpActive"; };

struct EarlyHelpDef : detail::JourneyDef<EarlyHelpDef, Context, NoEarlyHelp> {
  static constexpr const char* kJourney = "early_help";
  static const std::vector<Permission>& Permissions();
  static const detail::ParamSpecs& Params();

  // clang-format off
  struct transition_table : mpl::vector<
  //    Source              Event              Target              Action                   Guard
  //   +-------------------+------------------+-------------------+------------------------+--------------------------+
    Row<NoEarlyHelp,        RequestReceived,   AwaitingAllocation, none,                    none>,
    Row<NoEarlyHelp,        SteppedDown,       EarlyHelpActive,    StartSteppedDownSupport, StepDownPreconditionsMet>,
  //   +-------------------+------------------+-------------------+------------------------+--------------------------+
    Row<AwaitingAllocation, AllocationDecided, EarlyHelpActive,    StartSupport,            AllocatedToProvider>,
    Row<AwaitingAllocation, AllocationDecided, NoEarlyHelp,        none,                    RedirectedToCass>,
  //   +-------------------+------------------+-------------------+------------------------+--------------------------+
    Row<EarlyHelpActive,    FamilyPlanAgreed,  none,               none,                    none>,
    Row<EarlyHelpActive,    EhReviewHeld,      none,               none,                    none>,
    Row<EarlyHelpActive,    SteppedUp,         NoEarlyHelp,        EndSupport,              ManagerAgreedAndConsent>,
    Row<EarlyHelpActive,    EhClosed,          NoEarlyHelp,        EndSupport,              none>
  //   +-------------------+------------------+-------------------+------------------------+--------------------------+
  > {};
  // clang-format on

};

const detail::ParamSpecs& EarlyHelpDef::Params() {
  static const detail::ParamSpecs specs = {
      {RequestReceived::kName, {{"route", {"family_connect_form", "cass_request_for_support", "self"}}}},
      {AllocationDecided::kName,
       {{"redirect", {"yes", "no"}},
        {"provider", {"bct_early_help", "partner_led", "voluntary_sector"}, "redirect", "no"}}},
      {SteppedUp::kName, {{"manager_agreed", {"yes", "no"}}, {"consent", {"yes", "no"}}}},
      {SteppedDown::kName,
       {{"cin_plan_completed", {"yes", "no"}}, {"closure_summary", {"yes", "no"}}, {"consent", {"yes", "no"}}}},
      {EhClosed::kName, {{"outcome", {"needs_met", "family_disengaged", "moved_away", "other"}}}},
  };
  return specs;
}

const std::vector<Permission>& EarlyHelpDef::Permissions() {
  static const std::vector<Permission> p = {
      {RequestReceived::kName, {"early_help_worker", "cass_worker"}},
      {AllocationDecided::kName, {"early_help_manager"}},
      {FamilyPlanAgreed::kName, {"early_help_worker"}},
      {EhReviewHeld::kName, {"early_help_worker"}},
      {SteppedUp::kName, {"early_help_worker", "early_help_manager"}},
      {EhClosed::kName, {"early_help_manager"}},
      {SteppedDown::kName, {"team_manager"}},
  };
  return p;
}

}  // namespace

std::unique_ptr<Journey> NewEarlyHelp(const RuleBook& rules) {
  return std::make_unique<detail::MsmJourney<EarlyHelpDef>>(rules);
}

}  // namespace casetrail::workflows
