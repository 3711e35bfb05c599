// Support for families with no recourse to public funds (NRPF) as a Boost.MSM machine: a
// referral, the family assessment with the check that the family is genuinely destitute, section
// 17 support (subsistence, accommodation) under a child in need plan reviewed every 3 months
// (T-13) until the parent's immigration status changes, a human rights assessment, and the end of
// support.
// Sources: seed-spec SM-18 (SG:303-307, SE:696-698); T-13 (SG:304).
#include "workflows/detail/msm_support.hpp"

namespace casetrail::workflows {
namespace {

using detail::EventBase;
namespace msmf = detail::msmf;
namespace mpl = detail::mpl;
using msmf::none;
using msmf::Row;

struct ReferralReceived : EventBase { static constexpr const char* kName = "nrpf.referral_received"; };
struct DestitutionChecked : EventBase { static constexpr const char* kName = "nrpf.destitution_checked"; };
struct SupportStarted : EventBase { static constexpr const char* kName = "nrpf.support_started"; };
struct SupportReviewed : EventBase { static constexpr const char* kName = "nrpf.support_reviewed"; };
struct HumanRightsAssessmentCompleted : EventBase { static constexpr const char* kName = "nrpf.human_rights_assessment_completed"; };
struct SupportEnded : EventBase { static constexpr const char* kName = "nrpf.support_ended"; };
struct AssessmentEnded : EventBase { static constexpr const char* kName = "nrpf.assessment_ended"; };

struct Context : detail::ContextBase {
  bool destitute = false;
  template <class Io>
  void Fields(Io& io) {
    io("destitute", destitute);
  }
};

// "check if each family is genuinely destitute" before support (SG:306).
struct DestitutionVerified {
  static constexpr const char* kName = "DestitutionVerified(SG:306: the family is destitute)";
  template <class E, class F, class S, class T>
  bool operator()(E const&, F& fsm, S&, T&) const { return fsm.ctx.destitute; }
};

CASETRAIL_ACTION(StartAssessment, { c.destitute = false; })
CASETRAIL_ACTION(RecordDestitution, { c.destitute = detail::ParamIs(e, "outcome", "destitute"); })
CASETRAIL_ACTION(StartSupport, { c.Schedule("T-13", at); })
CASETRAIL_ACTION(ReviewSupport, { c.Meet("T-13", at); c.Schedule("T-13", at); })
CASETRAIL_ACTION(EndSupport, { c.CancelAll(); c.destitute = false; })

struct NoNrpfSupport : msmf::state<> { static constexpr const char* kName = "NoNrpfSupport"; };
struct FamilyAssessment : msmf::state<> { static constexpr const char* kName = "FamilyAssessment"; };
struct SupportedUnderS17 : msmf::state<> { static constexpr const char* kName = "SupportedUnderS17"; };

struct NrpfDef : detail::JourneyDef<NrpfDef, Context, NoNrpfSupport> {
  static constexpr const char* kJourney = "nrpf";
  static const std::vector<Permission>& Permissions();
  static const detail::ParamSpecs& Params();

  // clang-format off
  struct transition_table : mpl::vector<
  //    Source             Event                           Target             Action             Guard
  //   +------------------+-------------------------------+------------------+------------------+--------------------+
    Row<NoNrpfSupport,     ReferralReceived,               FamilyAssessment,  StartAssessment,   none>,
  //   +------------------+-------------------------------+------------------+------------------+--------------------+
    Row<FamilyAssessment,  DestitutionChecked,             none,              RecordDestitution, none>,
    Row<FamilyAssessment,  SupportStarted,                 SupportedUnderS17, StartSupport,      DestitutionVerified>,
    Row<FamilyAssessment,  AssessmentEnded,                NoNrpfSupport,     EndSupport,        none>,
  //   +------------------+-------------------------------+------------------+------------------+--------------------+
    Row<SupportedUnderS17, SupportReviewed,                none,              ReviewSupport,     none>,
    Row<SupportedUnderS17, HumanRightsAssessmentCompleted, none,              none,              none>,
    Row<SupportedUnderS17, SupportEnded,                   NoNrpfSupport,     EndSupport,        none>
  //   +------------------+-------------------------------+------------------+------------------+--------------------+
  > {};
  // clang-format on
};

const detail::ParamSpecs& NrpfDef::Params() {
  static const detail::ParamSpecs specs = {
      {DestitutionChecked::kName, {{"outcome", {"destitute", "not_destitute"}}}},
      {SupportStarted::kName, {{"support", {"subsistence", "accommodation", "subsistence_and_accommodation"}}}},
      {HumanRightsAssessmentCompleted::kName, {{"outcome", {"support_continues", "family_can_return_to_home_country"}}}},
      {SupportEnded::kName,
       {{"reason", {"immigration_status_changed", "returned_to_home_country", "no_longer_destitute", "moved_away", "other"}}}},
      {AssessmentEnded::kName, {{"reason", {"not_destitute", "not_eligible", "family_withdrew", "other"}}}},
  };
  return specs;
}

// Seed-spec 5.1: the NRPF Team assesses, supports and reviews; managers end support.
const std::vector<Permission>& NrpfDef::Permissions() {
  static const std::vector<Permission> p = {
      {ReferralReceived::kName, {"nrpf_worker", "social_worker", "team_manager"}},
      {DestitutionChecked::kName, {"nrpf_worker", "social_worker"}},
      {SupportStarted::kName, {"team_manager"}},
      {SupportReviewed::kName, {"nrpf_worker", "social_worker", "team_manager"}},
      {HumanRightsAssessmentCompleted::kName, {"nrpf_worker", "social_worker"}},
      {SupportEnded::kName, {"team_manager"}},
      {AssessmentEnded::kName, {"team_manager"}},
  };
  return p;
}

}  // namespace

std::unique_ptr<Journey> NewNrpf(const RuleBook& rules) {
  return std::make_unique<detail::MsmJourney<NrpfDef>>(rules);
}

}  // namespace casetrail::workflows
