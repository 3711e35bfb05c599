// Leaving care as a Boost.MSM machine: an eligible child (looked after 13 weeks since 14,
// including the 16th birthday; eligibility is computed from care history by the case) gets a
// needs assessment within 3 months, a pathway plan reviewed at most 6-monthly and a personal
// adviser; leaving care at 16/17 makes a relevant child, 18 a former relevant child, with
// staying put to 21 and support to 25.
// Sources: seed-spec SM-15 (SG:256, CP:805); statutory-rules.md rows 20-26.
#include "workflows/detail/msm_support.hpp"

namespace casetrail::workflows {
namespace {

using detail::EventBase;
namespace msmf = detail::msmf;
namespace mpl = detail::mpl;
using msmf::none;
using msmf::Row;

struct BecameEligible : EventBase { static constexpr const char* kName = "lc.became_eligible"; };
struct NeedsAssessmentCompleted : EventBase { static constexpr const char* kName = "lc.needs_assessment_completed"; };
struct PathwayPlanAgreed : EventBase { static constexpr const char* kName = "lc.pathway_plan_agreed"; };
struct PathwayPlanReviewed : EventBase { static constexpr const char* kName = "lc.pathway_plan_reviewed"; };
struct PersonalAdviserAllocated : EventBase { static constexpr const char* kName = "lc.personal_adviser_allocated"; };
struct LeftCare : EventBase { static constexpr const char* kName = "lc.left_care"; };
struct Turned18 : EventBase { static constexpr const char* kName = "lc.turned_18"; };
struct StayingPutStarted : EventBase { static constexpr const char* kName = "lc.staying_put_started"; };
struct KeepingInTouch : EventBase { static constexpr const char* kName = "lc.keeping_in_touch"; };
struct SupportEnded : EventBase { static constexpr const char* kName = "lc.support_ended"; };

struct Context : detail::ContextBase {
  bool personal_adviser = false;
  bool staying_put = false;
  template <class Io>
  void Fields(Io& io) {
    io("personal_adviser", personal_adviser);
    io("staying_put", staying_put);
  }
};

CASETRAIL_ACTION(StartEligibility, { c.Schedule("N-21", at); })
CASETRAIL_ACTION(MeetNeedsAssessment, { c.Meet("N-21", at); })
CASETRAIL_ACTION(StartPathwayPlan, { c.Cancel("N-22"); c.Schedule("N-22", at); })
CASETRAIL_ACTION(ReviewPathwayPlan, { c.Meet("N-22", at); c.Schedule("N-22", at); })
CASETRAIL_ACTION(AllocateAdviser, { c.personal_adviser = true; })
CASETRAIL_ACTION(StartStayingPut, { c.staying_put = true; })
CASETRAIL_ACTION(RecordContact, { c.Meet("N-26", at); c.Schedule("N-26", at); })
CASETRAIL_ACTION(BecomeFormerRelevant, { c.Schedule("N-26", at); })
CASETRAIL_ACTION(EndSupport, { c.CancelAll(); })

struct NotACareLeaver : msmf::state<> { static constexpr const char* kName = "NotACareLeaver"; };
struct EligibleChild : msmf::state<> { static constexpr const char* kName = "EligibleChild"; };
struct RelevantChild : msmf::state<> { static constexpr const char* kName = "RelevantChild"; };
struct FormerRelevantChild : msmf::state<> { static constexpr const char* kName = "FormerRelevantChild"; };

struct LeavingCareDef : detail::JourneyDef<LeavingCareDef, Context, NotACareLeaver> {
  static constexpr const char* kJourney = "leaving_care";
  static const std::vector<Permission>& Permissions();
  static const detail::ParamSpecs& Params();

  // clang-format off
  struct transition_table : mpl::vector<
  //    Source               Event                     Target               Action                Guard
  //   +--------------------+-------------------------+--------------------+---------------------+------+
    Row<NotACareLeaver,      BecameEligible,           EligibleChild,       StartEligibility,     none>,
  //   +--------------------+-------------------------+--------------------+---------------------+------+
    Row<EligibleChild,       NeedsAssessmentCompleted, none,                MeetNeedsAssessment,  none>,
    Row<EligibleChild,       PathwayPlanAgreed,        none,                StartPathwayPlan,     none>,
    Row<EligibleChild,       PathwayPlanReviewed,      none,                ReviewPathwayPlan,    none>,
    Row<EligibleChild,       PersonalAdviserAllocated, none,                AllocateAdviser,      none>,
    Row<EligibleChild,       LeftCare,                 RelevantChild,       none,                 none>,
    Row<EligibleChild,       Turned18,                 FormerRelevantChild, BecomeFormerRelevant, none>,
  //   +--------------------+-------------------------+--------------------+---------------------+------+
    Row<RelevantChild,       PathwayPlanReviewed,      none,                ReviewPathwayPlan,    none>,
    Row<RelevantChild,       PersonalAdviserAllocated, none,                AllocateAdviser,      none>,
    Row<RelevantChild,       Turned18,                 FormerRelevantChild, BecomeFormerRelevant, none>,
  //   +--------------------+-------------------------+--------------------+---------------------+------+
    // An assessment or a pathway plan done before the 18th birthday may be recorded after it,
    // when the birthday (case.age_reached, X-08) already made the child a former relevant child.
    Row<FormerRelevantChild, NeedsAssessmentCompleted, none,                MeetNeedsAssessment,  none>,
    Row<FormerRelevantChild, PathwayPlanAgreed,        none,                StartPathwayPlan,     none>,
    Row<FormerRelevantChild, PathwayPlanReviewed,      none,                ReviewPathwayPlan,    none>,
    Row<FormerRelevantChild, PersonalAdviserAllocated, none,                AllocateAdviser,      none>,
    Row<FormerRelevantChild, StayingPutStarted,        none,                StartStayingPut,      none>,
    Row<FormerRelevantChild, KeepingInTouch,           none,                RecordContact,        none>,
    Row<FormerRelevantChild, SupportEnded,             NotACareLeaver,      EndSupport,           none>
  //   +--------------------+-------------------------+--------------------+---------------------+------+
  > {};
  // clang-format on

};

const detail::ParamSpecs& LeavingCareDef::Params() {
  static const detail::ParamSpecs specs = {
      {SupportEnded::kName,
       {{"reason", {"reached_21", "reached_25", "declined_support", "moved_abroad", "died", "other"}}}},
  };
  return specs;
}

const std::vector<Permission>& LeavingCareDef::Permissions() {
  static const std::vector<Permission> p = {
      {BecameEligible::kName, {"social_worker", "team_manager", "system"}},
      {NeedsAssessmentCompleted::kName, {"social_worker"}},
      {PathwayPlanAgreed::kName, {"social_worker", "team_manager"}},
      {PathwayPlanReviewed::kName, {"iro", "personal_adviser", "social_worker"}},
      {PersonalAdviserAllocated::kName, {"team_manager"}},
      {LeftCare::kName, {"social_worker", "team_manager", "system"}},
      {Turned18::kName, {"social_worker", "personal_adviser", "team_manager", "system"}},
      {StayingPutStarted::kName, {"personal_adviser", "team_manager"}},
      {KeepingInTouch::kName, {"personal_adviser"}},
      {SupportEnded::kName, {"team_manager", "system"}},
  };
  return p;
}

}  // namespace

std::unique_ptr<Journey> NewLeavingCare(const RuleBook& rules) {
  return std::make_unique<detail::MsmJourney<LeavingCareDef>>(rules);
}

}  // namespace casetrail::workflows
