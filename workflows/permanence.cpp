// Permanence outside adoption as a Boost.MSM machine: a special guardianship or connected-person
// (kinship) assessment (at least 12 weeks, T-60; a mid-point review by week 7, T-61; a
// connected person's assessment to the fostering panel in 16 weeks, T-120), filed with a
// recommendation or without one while checks are outstanding (then an addendum), decided by the
// fostering panel (a connected carer, who may later be assessed for special guardianship: the
// test-out route) or by the court (a special guardianship or child arrangements order), with
// post-order support for at least 6 months (T-62) and its plan reviewed every year (T-64); and
// the discharge of a care order for a child placed with parents or moving to special
// guardianship: identified, schedule 3 assessment, application, discharge.
// Sources: seed-spec SM-11 (CP:740-791, SG:340-341, SE:1404-1427).
#include <boost/mpl/joint_view.hpp>

#include "workflows/detail/msm_support.hpp"

namespace casetrail::workflows {
namespace {

using detail::EventBase;
namespace msmf = detail::msmf;
namespace mpl = detail::mpl;
using msmf::none;
using msmf::Row;

struct AssessmentStarted : EventBase { static constexpr const char* kName = "pm.assessment_started"; };
struct MidpointReviewHeld : EventBase { static constexpr const char* kName = "pm.midpoint_review_held"; };
struct AssessmentFiled : EventBase { static constexpr const char* kName = "pm.assessment_filed"; };
struct AddendumFiled : EventBase { static constexpr const char* kName = "pm.addendum_filed"; };
struct PanelDecisionMade : EventBase { static constexpr const char* kName = "pm.panel_decision_made"; };
struct OrderGranted : EventBase { static constexpr const char* kName = "pm.order_granted"; };
struct AssessmentEnded : EventBase { static constexpr const char* kName = "pm.assessment_ended"; };
struct SupportPlanReviewed : EventBase { static constexpr const char* kName = "pm.support_plan_reviewed"; };
struct PostOrderSupportEnded : EventBase { static constexpr const char* kName = "pm.post_order_support_ended"; };
struct IdentifiedForDischarge : EventBase { static constexpr const char* kName = "pm.identified_for_discharge"; };
struct Schedule3AssessmentCompleted : EventBase { static constexpr const char* kName = "pm.schedule3_assessment_completed"; };
struct DischargeApplicationMade : EventBase { static constexpr const char* kName = "pm.discharge_application_made"; };
struct CareOrderDischarged : EventBase { static constexpr const char* kName = "pm.care_order_discharged"; };
struct DischargeWithdrawn : EventBase { static constexpr const char* kName = "pm.discharge_withdrawn"; };

struct Context : detail::ContextBase {
  std::string route;  // of the assessment or the discharge
  std::int64_t started_at = 0;
  std::int64_t order_at = 0;
  template <class Io>
  void Fields(Io& io) {
    io("route", route);
    io("started_at", started_at);
    io("order_at", order_at);
  }
};

CASETRAIL_PARAM_GUARD(WithoutRecommendation, "recommendation", "none_checks_outstanding")

struct WithRecommendation {
  static constexpr const char* kName = "WithRecommendation";
  template <class E, class F, class S, class T>
  bool operator()(E const& e, F&, S&, T&) const {
    return !detail::ParamIs(e, "recommendation", "none_checks_outstanding");
  }
};

// The fostering panel decides on connected persons; the court on special guardianship (CP:740).
struct ConnectedPersonApproved {
  static constexpr const char* kName = "ConnectedPersonApproved(a connected-person assessment, approved)";
  template <class E, class F, class S, class T>
  bool operator()(E const& e, F& fsm, S&, T&) const {
    return fsm.ctx.route == "connected_person" && detail::ParamIs(e, "decision", "approved");
  }
};
struct ConnectedPersonNotApproved {
  static constexpr const char* kName = "ConnectedPersonNotApproved(a connected-person assessment, not approved)";
  template <class E, class F, class S, class T>
  bool operator()(E const& e, F& fsm, S&, T&) const {
    return fsm.ctx.route == "connected_person" && detail::ParamIs(e, "decision", "not_approved");
  }
};

// T-62: special guardianship support stays open 6 months after the order.
struct SupportPeriodOver {
  static constexpr const char* kName = "SupportPeriodOver(T-62: 6 months after the order)";
  template <class E, class F, class S, class T>
  bool operator()(E const& e, F& fsm, S&, T&) const {
    auto d = fsm.ctx.rules->Due("T-62", fsm.ctx.order_at, e.action->rules_edition);
    return d.ok() && e.action->occurred_at_us >= d->due_date.StartUs();
  }
};

CASETRAIL_ACTION(StartAssessment, {
  c.CancelAll();
  c.route = *e.action->Param("route");
  c.started_at = at;
  c.Schedule("T-61", at);
  if (c.route == "connected_person") c.Schedule("T-120", at);
})
CASETRAIL_ACTION(MeetMidpoint, { c.Meet("T-61", at); })
CASETRAIL_ACTION(File, {
  c.Cancel("T-61");
  auto minimum = c.rules->Due("T-60", c.started_at, c.edition);
  if (minimum.ok() && at < minimum->due_date.StartUs()) {
    c.Flag("T-60: assessment filed before the 12-week minimum (due no sooner than " + minimum->due_date.ToString() + ")");
  }
})
CASETRAIL_ACTION(Decide, { c.Meet("T-120", at); })
CASETRAIL_ACTION(StartPostOrder, {
  c.CancelAll();
  c.order_at = at;
  c.Schedule("T-64", at);
})
CASETRAIL_ACTION(ReviewSupportPlan, { c.Meet("T-64", at); c.Schedule("T-64", at); })
CASETRAIL_ACTION(EndAll, { c.CancelAll(); c.route.clear(); })
CASETRAIL_ACTION(StartDischarge, { c.CancelAll(); c.route = *e.action->Param("route"); })

struct NoPermanenceWork : msmf::state<> { static constexpr const char* kName = "NoPermanenceWork"; };
struct AssessmentInProgress : msmf::state<> { static constexpr const char* kName = "AssessmentInProgress"; };
struct ChecksOutstanding : msmf::state<> { static constexpr const char* kName = "ChecksOutstanding"; };
struct AwaitingDecision : msmf::state<> { static constexpr const char* kName = "AwaitingDecision"; };
struct ConnectedCarerApproved : msmf::state<> { static constexpr const char* kName = "ConnectedCarerApproved"; };
struct PostOrderSupport : msmf::state<> { static constexpr const char* kName = "PostOrderSupport"; };
struct DischargeIdentified : msmf::state<> { static constexpr const char* kName = "DischargeIdentified"; };
struct DischargeApplied : msmf::state<> { static constexpr const char* kName = "DischargeApplied"; };

struct PermanenceDef : detail::JourneyDef<PermanenceDef, Context, NoPermanenceWork> {
  static constexpr const char* kJourney = "permanence";
  static const std::vector<Permission>& Permissions();
  static const detail::ParamSpecs& Params();

  // clang-format off
  using Rows1 = mpl::vector<
  //    Source                  Event                         Target                  Action             Guard
  //   +-----------------------+-----------------------------+-----------------------+------------------+---------------------------+
    Row<NoPermanenceWork,       AssessmentStarted,            AssessmentInProgress,   StartAssessment,   none>,
    Row<NoPermanenceWork,       IdentifiedForDischarge,       DischargeIdentified,    StartDischarge,    none>,
  //   +-----------------------+-----------------------------+-----------------------+------------------+---------------------------+
    Row<AssessmentInProgress,   MidpointReviewHeld,           none,                   MeetMidpoint,      none>,
    Row<AssessmentInProgress,   AssessmentFiled,              ChecksOutstanding,      File,              WithoutRecommendation>,
    Row<AssessmentInProgress,   AssessmentFiled,              AwaitingDecision,       File,              WithRecommendation>,
    Row<AssessmentInProgress,   AssessmentEnded,              NoPermanenceWork,       EndAll,            none>,
  //   +-----------------------+-----------------------------+-----------------------+------------------+---------------------------+
    Row<ChecksOutstanding,      AddendumFiled,                AwaitingDecision,       none,              none>,
    Row<ChecksOutstanding,      AssessmentEnded,              NoPermanenceWork,       EndAll,            none>,
  //   +-----------------------+-----------------------------+-----------------------+------------------+---------------------------+
    Row<AwaitingDecision,       PanelDecisionMade,            ConnectedCarerApproved, Decide,            ConnectedPersonApproved>,
    Row<AwaitingDecision,       PanelDecisionMade,            NoPermanenceWork,       EndAll,            ConnectedPersonNotApproved>,
    Row<AwaitingDecision,       OrderGranted,                 PostOrderSupport,       StartPostOrder,    none>,
    Row<AwaitingDecision,       AssessmentEnded,              NoPermanenceWork,       EndAll,            none>,
  //   +-----------------------+-----------------------------+-----------------------+------------------+---------------------------+
    // The test-out route: a connected carer assessed for special guardianship later (CP:789).
    Row<ConnectedCarerApproved, AssessmentStarted,            AssessmentInProgress,   StartAssessment,   none>,
    Row<ConnectedCarerApproved, AssessmentEnded,              NoPermanenceWork,       EndAll,            none>
  >;
  using Rows2 = mpl::vector<
  //   +-----------------------+-----------------------------+-----------------------+------------------+---------------------------+
    Row<PostOrderSupport,       SupportPlanReviewed,          none,                   ReviewSupportPlan, none>,
    Row<PostOrderSupport,       PostOrderSupportEnded,        NoPermanenceWork,       EndAll,            SupportPeriodOver>,
  //   +-----------------------+-----------------------------+-----------------------+------------------+---------------------------+
    Row<DischargeIdentified,    Schedule3AssessmentCompleted, none,                   none,              none>,
    Row<DischargeIdentified,    DischargeApplicationMade,     DischargeApplied,       none,              none>,
    Row<DischargeIdentified,    DischargeWithdrawn,           NoPermanenceWork,       EndAll,            none>,
  //   +-----------------------+-----------------------------+-----------------------+------------------+---------------------------+
    Row<DischargeApplied,       CareOrderDischarged,          NoPermanenceWork,       EndAll,            none>,
    Row<DischargeApplied,       OrderGranted,                 PostOrderSupport,       StartPostOrder,    none>,
    Row<DischargeApplied,       DischargeWithdrawn,           NoPermanenceWork,       EndAll,            none>
  //   +-----------------------+-----------------------------+-----------------------+------------------+---------------------------+
  >;
  // clang-format on
  struct transition_table : mpl::joint_view<Rows1, Rows2> {};
};

const detail::ParamSpecs& PermanenceDef::Params() {
  static const detail::ParamSpecs specs = {
      {AssessmentStarted::kName, {{"route", {"special_guardianship", "connected_person"}}, {"carer", {}}}},
      {AssessmentFiled::kName, {{"recommendation", {"positive", "negative", "none_checks_outstanding"}}}},
      {AddendumFiled::kName, {{"recommendation", {"positive", "negative"}}}},
      {PanelDecisionMade::kName, {{"decision", {"approved", "not_approved"}}}},
      {OrderGranted::kName, {{"order", {"special_guardianship_order", "child_arrangements_order"}}}},
      {AssessmentEnded::kName, {{"reason", {"withdrawn_by_carer", "negative_assessment", "order_refused", "plan_changed", "other"}}}},
      {PostOrderSupportEnded::kName, {{"reason", {"support_plan_completed", "family_declined", "moved_away", "other"}}}},
      {IdentifiedForDischarge::kName, {{"route", {"placed_with_parents", "special_guardianship"}}}},
      {DischargeWithdrawn::kName, {{"reason", {}}}},
  };
  return specs;
}

// Seed-spec SM-11: the Connected Persons Team assesses (SG:340), the fostering panel's agency
// decision maker approves connected carers, the court makes orders (recorded by legal), the SGO
// Support Team supports (SG:341); discharge is overseen by managers and court progression
// officers with legal (SE:1425).
const std::vector<Permission>& PermanenceDef::Permissions() {
  static const std::vector<Permission> p = {
      {AssessmentStarted::kName, {"connected_persons_worker", "social_worker", "team_manager"}},
      {MidpointReviewHeld::kName, {"connected_persons_worker", "team_manager"}},
      {AssessmentFiled::kName, {"connected_persons_worker", "social_worker"}},
      {AddendumFiled::kName, {"connected_persons_worker", "social_worker"}},
      {PanelDecisionMade::kName, {"agency_decision_maker"}},
      {OrderGranted::kName, {"legal", "system"}},
      {AssessmentEnded::kName, {"team_manager", "connected_persons_worker"}},
      {SupportPlanReviewed::kName, {"sgo_support_worker", "social_worker"}},
      {PostOrderSupportEnded::kName, {"team_manager"}},
      {IdentifiedForDischarge::kName, {"team_manager"}},
      {Schedule3AssessmentCompleted::kName, {"social_worker"}},
      {DischargeApplicationMade::kName, {"legal"}},
      {CareOrderDischarged::kName, {"legal"}},
      {DischargeWithdrawn::kName, {"team_manager", "legal"}},
  };
  return p;
}

}  // namespace

std::unique_ptr<Journey> NewPermanence(const RuleBook& rules) {
  return std::make_unique<detail::MsmJourney<PermanenceDef>>(rules);
}

}  // namespace casetrail::workflows
