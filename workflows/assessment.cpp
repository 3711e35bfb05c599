// The statutory (s17 single / family) assessment as a Boost.MSM machine: started, completed,
// authorised by a manager (or returned for more work), within 45 working days of the referral.
// Sources: seed-spec SM-04 (SE:676); statutory-rules.md row 2 (WT 2018/2023).
#include "workflows/detail/msm_support.hpp"

namespace casetrail::workflows {
namespace {

using detail::EventBase;
namespace msmf = detail::msmf;
namespace mpl = detail::mpl;
using msmf::none;
using msmf::Row;

struct AssessmentStarted : EventBase { static constexpr const char* kName = "as.assessment_started"; };
struct AssessmentCompleted : EventBase { static constexpr const char* kName = "as.assessment_completed"; };
struct AssessmentAuthorised : EventBase { static constexpr const char* kName = "as.assessment_authorised"; };
struct AssessmentReturned : EventBase { static constexpr const char* kName = "as.assessment_returned"; };
struct AssessmentEndedEarly : EventBase { static constexpr const char* kName = "as.assessment_ended_early"; };

struct Context : detail::ContextBase {
  bool unborn = false;
  template <class Io>
  void Fields(Io& io) {
    io("unborn", unborn);
  }
};

// The 45 working days run from the referral, not from allocation or the start (WT 2023).
CASETRAIL_ACTION(StartFromReferral, {
  const Date referred = detail::DateParam(e, "referred_on");
  c.Schedule("T-14", referred.StartUs());
  const std::string* unborn = e.action->Param("unborn");
  c.unborn = unborn && *unborn == "yes";
})
CASETRAIL_ACTION(MeetAssessment, { c.Meet("T-14", at); c.CancelAll(); })
CASETRAIL_ACTION(AbandonAssessment, { c.CancelAll(); })

struct NoAssessment : msmf::state<> { static constexpr const char* kName = "NoAssessment"; };
struct InAssessment : msmf::state<> { static constexpr const char* kName = "InAssessment"; };
struct AwaitingAuthorisation : msmf::state<> { static constexpr const char* kName = "AwaitingAuthorisation"; };

struct AssessmentDef : detail::JourneyDef<AssessmentDef, Context, NoAssessment> {
  static constexpr const char* kJourney = "assessment";
  static const std::vector<Permission>& Permissions();
  static const detail::ParamSpecs& Params();

  // clang-format off
  struct transition_table : mpl::vector<
  //    Source                 Event                 Target                 Action             Guard
  //   +----------------------+---------------------+----------------------+------------------+------+
    Row<NoAssessment,          AssessmentStarted,    InAssessment,          StartFromReferral, none>,
    Row<InAssessment,          AssessmentCompleted,  AwaitingAuthorisation, none,              none>,
    Row<InAssessment,          AssessmentEndedEarly, NoAssessment,          AbandonAssessment, none>,
    Row<AwaitingAuthorisation, AssessmentAuthorised, NoAssessment,          MeetAssessment,    none>,
    Row<AwaitingAuthorisation, AssessmentReturned,   InAssessment,          none,              none>
  //   +----------------------+---------------------+----------------------+------------------+------+
  > {};
  // clang-format on

};

const detail::ParamSpecs& AssessmentDef::Params() {
  static const detail::ParamSpecs specs = {
      {AssessmentStarted::kName, {{"referred_on", detail::kDateParam}}},
      {AssessmentAuthorised::kName,
       {{"outcome", {"child_in_need_plan", "strategy_discussion", "early_help", "nfa"}}}},
      {AssessmentReturned::kName, {{"reason", {}}}},
      {AssessmentEndedEarly::kName, {{"reason", {}}}},
  };
  return specs;
}

// A team manager authorises (seed-spec 5.2: managers sign off assessments).
const std::vector<Permission>& AssessmentDef::Permissions() {
  static const std::vector<Permission> p = {
      {AssessmentStarted::kName, {"social_worker", "team_manager"}},
      {AssessmentCompleted::kName, {"social_worker"}},
      {AssessmentAuthorised::kName, {"team_manager"}},
      {AssessmentReturned::kName, {"team_manager"}},
      {AssessmentEndedEarly::kName, {"team_manager"}},
  };
  return p;
}

}  // namespace

std::unique_ptr<Journey> NewAssessment(const RuleBook& rules) {
  return std::make_unique<detail::MsmJourney<AssessmentDef>>(rules);
}

}  // namespace casetrail::workflows
