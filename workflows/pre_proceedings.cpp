// Pre-proceedings under the Public Law Outline as a Boost.MSM machine: legal planning meeting ->
// letter before proceedings -> initial pre-proceedings meeting -> reviews (extension approved by
// a head of service, family group decision-making) -> outcome (step down, continue, issue).
// Sources: seed-spec SM-07 (SE:1005-1033, CP:1040); statutory-rules.md rows 35-38.
#include "workflows/detail/msm_support.hpp"

namespace casetrail::workflows {
namespace {

using detail::EventBase;
namespace msmf = detail::msmf;
namespace mpl = detail::mpl;
using msmf::none;
using msmf::Row;

struct LegalPlanningMeetingHeld : EventBase { static constexpr const char* kName = "plo.legal_planning_meeting_held"; };
struct LetterBeforeProceedingsSent : EventBase { static constexpr const char* kName = "plo.letter_before_proceedings_sent"; };
struct InitialMeetingHeld : EventBase { static constexpr const char* kName = "plo.initial_meeting_held"; };
struct ReviewMeetingHeld : EventBase { static constexpr const char* kName = "plo.review_meeting_held"; };
struct FamilyGroupConferenceOffered : EventBase { static constexpr const char* kName = "plo.fgdm_offered"; };
struct FamilyGroupConferenceHeld : EventBase { static constexpr const char* kName = "plo.fgdm_held"; };
struct ExtensionApproved : EventBase { static constexpr const char* kName = "plo.extension_approved"; };
struct PreProceedingsConcluded : EventBase { static constexpr const char* kName = "plo.pre_proceedings_concluded"; };

struct Context : detail::ContextBase {
  std::int64_t started = 0;
  int extensions = 0;
  template <class Io>
  void Fields(Io& io) {
    io("started", started);
    io("extensions", extensions);
  }
};

CASETRAIL_PARAM_GUARD(DecidedPreProceedings, "decision", "pre_proceedings")
CASETRAIL_PARAM_GUARD(DecidedToIssue, "decision", "issue_proceedings")
CASETRAIL_PARAM_GUARD(ThresholdNotMet, "decision", "threshold_not_met")
CASETRAIL_PARAM_GUARD(SteppedDown, "outcome", "step_down")
CASETRAIL_PARAM_GUARD(Continues, "outcome", "continue")
CASETRAIL_PARAM_GUARD(ProceedingsToIssue, "outcome", "issue_proceedings")

CASETRAIL_ACTION(StartPreProceedings, {
  c.started = at;
  c.extensions = 0;
  c.Schedule("T-30", at);
  c.Schedule("T-31", at);
})
CASETRAIL_ACTION(MeetInitialMeeting, { c.Meet("T-30", at); })
CASETRAIL_ACTION(ExtendReviewPoint, {
  ++c.extensions;
  c.Cancel("T-31");
  c.Schedule("T-31", at);
})
CASETRAIL_ACTION(RescheduleReviewPoint, { c.Meet("T-31", at); c.Schedule("T-31", at); })
CASETRAIL_ACTION(ConcludePreProceedings, { c.Meet("T-31", at); c.CancelAll(); })

struct NoPloInvolvement : msmf::state<> { static constexpr const char* kName = "NoPloInvolvement"; };
struct LetterDue : msmf::state<> { static constexpr const char* kName = "LetterDue"; };
struct InitialMeetingDue : msmf::state<> { static constexpr const char* kName = "InitialMeetingDue"; };
struct InPreProceedings : msmf::state<> { static constexpr const char* kName = "InPreProceedings"; };

struct PreProceedingsDef : detail::JourneyDef<PreProceedingsDef, Context, NoPloInvolvement> {
  static constexpr const char* kJourney = "pre_proceedings";
  static const std::vector<Permission>& Permissions();
  static const detail::ParamSpecs& Params();

  // clang-format off
  struct transition_table : mpl::vector<
  //    Source             Event                        Target             Action                  Guard
  //   +------------------+----------------------------+------------------+-----------------------+----------------------+
    Row<NoPloInvolvement,  LegalPlanningMeetingHeld,    LetterDue,         StartPreProceedings,    DecidedPreProceedings>,
    Row<NoPloInvolvement,  LegalPlanningMeetingHeld,    none,              none,                   DecidedToIssue>,
    Row<NoPloInvolvement,  LegalPlanningMeetingHeld,    none,              none,                   ThresholdNotMet>,
  //   +------------------+----------------------------+------------------+-----------------------+----------------------+
    Row<LetterDue,         LetterBeforeProceedingsSent, InitialMeetingDue, none,                   none>,
    Row<InitialMeetingDue, InitialMeetingHeld,          InPreProceedings,  MeetInitialMeeting,     none>,
  //   +------------------+----------------------------+------------------+-----------------------+----------------------+
    Row<InPreProceedings,  ReviewMeetingHeld,           none,              none,                   none>,
    Row<InPreProceedings,  FamilyGroupConferenceOffered, none,             none,                   none>,
    Row<InPreProceedings,  FamilyGroupConferenceHeld,   none,              none,                   none>,
    Row<InPreProceedings,  ExtensionApproved,           none,              ExtendReviewPoint,      none>,
    Row<InPreProceedings,  PreProceedingsConcluded,     NoPloInvolvement,  ConcludePreProceedings, SteppedDown>,
    Row<InPreProceedings,  PreProceedingsConcluded,     none,              RescheduleReviewPoint,  Continues>,
    Row<InPreProceedings,  PreProceedingsConcluded,     NoPloInvolvement,  ConcludePreProceedings, ProceedingsToIssue>
  //   +------------------+----------------------------+------------------+-----------------------+----------------------+
  > {};
  // clang-format on

};

const detail::ParamSpecs& PreProceedingsDef::Params() {
  static const detail::ParamSpecs specs = {
      {LegalPlanningMeetingHeld::kName,
       {{"decision", {"pre_proceedings", "issue_proceedings", "threshold_not_met"}}}},
      {ExtensionApproved::kName, {{"reason", {}}}},
      {PreProceedingsConcluded::kName, {{"outcome", {"step_down", "continue", "issue_proceedings"}}}},
  };
  return specs;
}

// Seed-spec 5.2: heads of service approve extensions (SE:1029); legal chairs the LPM.
const std::vector<Permission>& PreProceedingsDef::Permissions() {
  static const std::vector<Permission> p = {
      {LegalPlanningMeetingHeld::kName, {"legal", "team_manager"}},
      {LetterBeforeProceedingsSent::kName, {"legal", "social_worker"}},
      {InitialMeetingHeld::kName, {"social_worker", "team_manager"}},
      {ReviewMeetingHeld::kName, {"social_worker", "team_manager"}},
      {FamilyGroupConferenceOffered::kName, {"social_worker"}},
      {FamilyGroupConferenceHeld::kName, {"social_worker"}},
      {ExtensionApproved::kName, {"head_of_service"}},
      {PreProceedingsConcluded::kName, {"team_manager", "head_of_service", "system"}},
  };
  return p;
}

}  // namespace

std::unique_ptr<Journey> NewPreProceedings(const RuleBook& rules) {
  return std::make_unique<detail::MsmJourney<PreProceedingsDef>>(rules);
}

}  // namespace casetrail::workflows
