// Children with disabilities as a Boost.MSM machine: a referral to the disabled children's
// service (0-18, where the primary need is the disability: X-36), the assessment, which leads to
// a package of care reviewed by a reviewing officer or to another journey (child in need, child
// protection, care), short-break packages decided by the Community Resource Panel (or urgently
// outside it), and social care advice to an education, health and care needs assessment.
// Sources: seed-spec SM-20 (SG:243-245, SG:355, SE:1093-1103); T-101 (SG:243).
#include "workflows/detail/msm_support.hpp"

namespace casetrail::workflows {
namespace {

using detail::EventBase;
namespace msmf = detail::msmf;
namespace mpl = detail::mpl;
using msmf::none;
using msmf::Row;

struct ReferralReceived : EventBase { static constexpr const char* kName = "cwd.referral_received"; };
struct AssessmentCompleted : EventBase { static constexpr const char* kName = "cwd.assessment_completed"; };
struct PackageReviewed : EventBase { static constexpr const char* kName = "cwd.package_reviewed"; };
struct ShortBreaksDecided : EventBase { static constexpr const char* kName = "cwd.short_breaks_decided"; };
struct EhcpAdviceRequested : EventBase { static constexpr const char* kName = "cwd.ehcp_advice_requested"; };
struct EhcpAdviceSubmitted : EventBase { static constexpr const char* kName = "cwd.ehcp_advice_submitted"; };
struct ServiceEnded : EventBase { static constexpr const char* kName = "cwd.service_ended"; };

struct Context : detail::ContextBase {
  template <class Io>
  void Fields(Io&) {}
};

CASETRAIL_PARAM_GUARD(PackageOfCareNeeded, "outcome", "package_of_care")
struct OtherOutcome {
  static constexpr const char* kName = "OtherOutcome(child in need, child protection, looked after or no service)";
  template <class E, class F, class S, class T>
  bool operator()(E const& e, F&, S&, T&) const { return !detail::ParamIs(e, "outcome", "package_of_care"); }
};

CASETRAIL_ACTION(RequestAdvice, { c.Schedule("N-EHC", at); })
CASETRAIL_ACTION(SubmitAdvice, { c.Meet("N-EHC", at); })
CASETRAIL_ACTION(EndService, { c.CancelAll(); })

struct NotKnownToService : msmf::state<> { static constexpr const char* kName = "NotKnownToService"; };
struct DisabilityAssessment : msmf::state<> { static constexpr const char* kName = "DisabilityAssessment"; };
struct PackageOfCare : msmf::state<> { static constexpr const char* kName = "PackageOfCare"; };

struct DisabledChildrenDef : detail::JourneyDef<DisabledChildrenDef, Context, NotKnownToService> {
  static constexpr const char* kJourney = "disabled_children";
  static const std::vector<Permission>& Permissions();
  static const detail::ParamSpecs& Params();

  // clang-format off
  struct transition_table : mpl::vector<
  //    Source                Event                Target                Action         Guard
  //   +---------------------+--------------------+---------------------+--------------+---------------------+
    Row<NotKnownToService,    ReferralReceived,    DisabilityAssessment, none,          none>,
  //   +---------------------+--------------------+---------------------+--------------+---------------------+
    Row<DisabilityAssessment, AssessmentCompleted, PackageOfCare,        none,          PackageOfCareNeeded>,
    Row<DisabilityAssessment, AssessmentCompleted, NotKnownToService,    EndService,    OtherOutcome>,
    Row<DisabilityAssessment, EhcpAdviceRequested, none,                 RequestAdvice, none>,
    Row<DisabilityAssessment, EhcpAdviceSubmitted, none,                 SubmitAdvice,  none>,
  //   +---------------------+--------------------+---------------------+--------------+---------------------+
    Row<PackageOfCare,        PackageReviewed,     none,                 none,          none>,
    Row<PackageOfCare,        ShortBreaksDecided,  none,                 none,          none>,
    Row<PackageOfCare,        EhcpAdviceRequested, none,                 RequestAdvice, none>,
    Row<PackageOfCare,        EhcpAdviceSubmitted, none,                 SubmitAdvice,  none>,
    Row<PackageOfCare,        ServiceEnded,        NotKnownToService,    EndService,    none>
  //   +---------------------+--------------------+---------------------+--------------+---------------------+
  > {};
  // clang-format on
};

const detail::ParamSpecs& DisabledChildrenDef::Params() {
  static const detail::ParamSpecs specs = {
      {AssessmentCompleted::kName,
       {{"outcome", {"package_of_care", "child_in_need", "child_protection", "looked_after", "no_service"}}}},
      {ShortBreaksDecided::kName, {{"decision", {"approved", "declined"}}, {"route", {"panel", "urgent_outside_panel"}}}},
      {ServiceEnded::kName, {{"reason", {"reached_18", "transferred_to_adult_services", "needs_met", "moved_away", "other"}}}},
  };
  return specs;
}

// Seed-spec SM-20: disabled children's social workers assess; reviewing officers review
// packages of care (SE:1097); the Community Resource Panel decides short breaks (SE:1101);
// EHCP officers coordinate the social care advice (SG:244).
const std::vector<Permission>& DisabledChildrenDef::Permissions() {
  static const std::vector<Permission> p = {
      {ReferralReceived::kName, {"social_worker", "cass_worker", "team_manager"}},
      {AssessmentCompleted::kName, {"social_worker"}},
      {PackageReviewed::kName, {"reviewing_officer"}},
      {ShortBreaksDecided::kName, {"team_manager", "head_of_service"}},
      {EhcpAdviceRequested::kName, {"ehcp_officer", "social_worker"}},
      {EhcpAdviceSubmitted::kName, {"ehcp_officer", "social_worker"}},
      {ServiceEnded::kName, {"team_manager", "system"}},
  };
  return p;
}

}  // namespace

std::unique_ptr<Journey> NewDisabledChildren(const RuleBook& rules) {
  return std::make_unique<detail::MsmJourney<DisabledChildrenDef>>(rules);
}

}  // namespace casetrail::workflows
