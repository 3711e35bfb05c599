// Unaccompanied asylum-seeking children as a Boost.MSM machine: arrival (or transfer in under
// the National Transfer Scheme), the trafficking risk assessment at first encounter (T-91), a
// disputed age and its assessment (treated as a child meanwhile; a wait past 7 months is
// flagged, T-90), a referral to the National Referral Mechanism, Home Office decisions, transfer
// out under the National Transfer Scheme, and the end of UASC status: at 18 the young person is
// a former UASC (a care leaver to 25 while in the UK, T-83), or the status ends when the age
// assessment finds an adult or the child leaves. The SSDA903 UASC table's DUC is the day the
// status ended.
// Sources: seed-spec SM-16 (SG:298-301, SE:1481-1523); dfe-returns.md 4.2 (UASC), 4.4 (E15).
#include "workflows/detail/msm_support.hpp"

namespace casetrail::workflows {
namespace {

using detail::EventBase;
namespace msmf = detail::msmf;
namespace mpl = detail::mpl;
using msmf::none;
using msmf::Row;

struct Arrived : EventBase { static constexpr const char* kName = "uasc.arrived"; };
struct TraffickingRiskAssessed : EventBase { static constexpr const char* kName = "uasc.trafficking_risk_assessed"; };
struct NrmReferralMade : EventBase { static constexpr const char* kName = "uasc.nrm_referral_made"; };
struct AgeDisputed : EventBase { static constexpr const char* kName = "uasc.age_disputed"; };
struct AgeAssessed : EventBase { static constexpr const char* kName = "uasc.age_assessed"; };
struct AsylumDecisionRecorded : EventBase { static constexpr const char* kName = "uasc.asylum_decision_recorded"; };
struct NtsReferralMade : EventBase { static constexpr const char* kName = "uasc.nts_referral_made"; };
struct NtsReferralWithdrawn : EventBase { static constexpr const char* kName = "uasc.nts_referral_withdrawn"; };
struct NtsTransferredOut : EventBase { static constexpr const char* kName = "uasc.nts_transferred_out"; };
struct StatusEnded : EventBase { static constexpr const char* kName = "uasc.status_ended"; };
struct FormerStatusEnded : EventBase { static constexpr const char* kName = "uasc.former_status_ended"; };

struct Context : detail::ContextBase {
  std::string age_outcome;  // of the last age assessment
  template <class Io>
  void Fields(Io& io) {
    io("age_outcome", age_outcome);
  }
};

CASETRAIL_PARAM_GUARD(AssessedAsAdult, "outcome", "adult")
CASETRAIL_PARAM_GUARD(Turned18, "reason", "turned_18")
struct AssessedAsChild {
  static constexpr const char* kName = "AssessedAsChild";
  template <class E, class F, class S, class T>
  bool operator()(E const& e, F&, S&, T&) const {
    return !detail::ParamIs(e, "outcome", "adult");
  }
};
struct NotTurned18 {
  static constexpr const char* kName = "NotTurned18";
  template <class E, class F, class S, class T>
  bool operator()(E const& e, F&, S&, T&) const {
    return !detail::ParamIs(e, "reason", "turned_18");
  }
};

CASETRAIL_ACTION(Arrive, { c.age_outcome.clear(); c.Schedule("T-91", at); })
CASETRAIL_ACTION(AssessTraffickingRisk, { c.Meet("T-91", at); })
CASETRAIL_ACTION(AwaitAgeAssessment, { c.Schedule("T-90", at); })
CASETRAIL_ACTION(RecordAge, { c.age_outcome = *e.action->Param("outcome"); c.Meet("T-90", at); })
CASETRAIL_ACTION(EndStatus, { c.CancelAll(); })

struct NotUasc : msmf::state<> { static constexpr const char* kName = "NotUasc"; };
struct Uasc : msmf::state<> { static constexpr const char* kName = "Uasc"; };
struct AgeAssessmentPending : msmf::state<> { static constexpr const char* kName = "AgeAssessmentPending"; };
struct NtsTransferPending : msmf::state<> { static constexpr const char* kName = "NtsTransferPending"; };
struct FormerUasc : msmf::state<> { static constexpr const char* kName = "FormerUasc"; };

struct UascDef : detail::JourneyDef<UascDef, Context, NotUasc> {
  static constexpr const char* kJourney = "uasc";
  static const std::vector<Permission>& Permissions();
  static const detail::ParamSpecs& Params();

  // clang-format off
  struct transition_table : mpl::vector<
  //    Source                Event                    Target                Action                 Guard
  //   +---------------------+------------------------+---------------------+----------------------+-----------------+
    Row<NotUasc,              Arrived,                 Uasc,                 Arrive,                none>,
  //   +---------------------+------------------------+---------------------+----------------------+-----------------+
    Row<Uasc,                 TraffickingRiskAssessed, none,                 AssessTraffickingRisk, none>,
    Row<Uasc,                 NrmReferralMade,         none,                 none,                  none>,
    Row<Uasc,                 AgeDisputed,             AgeAssessmentPending, AwaitAgeAssessment,    none>,
    Row<Uasc,                 AsylumDecisionRecorded,  none,                 none,                  none>,
    Row<Uasc,                 NtsReferralMade,         NtsTransferPending,   none,                  none>,
    Row<Uasc,                 StatusEnded,             FormerUasc,           EndStatus,             Turned18>,
    Row<Uasc,                 StatusEnded,             NotUasc,              EndStatus,             NotTurned18>,
  //   +---------------------+------------------------+---------------------+----------------------+-----------------+
    // Treated as a child until the assessment is completed (SE:1501).
    Row<AgeAssessmentPending, TraffickingRiskAssessed, none,                 AssessTraffickingRisk, none>,
    Row<AgeAssessmentPending, NrmReferralMade,         none,                 none,                  none>,
    Row<AgeAssessmentPending, AgeAssessed,             Uasc,                 RecordAge,             AssessedAsChild>,
    Row<AgeAssessmentPending, AgeAssessed,             NotUasc,              EndStatus,             AssessedAsAdult>,
    Row<AgeAssessmentPending, AsylumDecisionRecorded,  none,                 none,                  none>,
    Row<AgeAssessmentPending, StatusEnded,             FormerUasc,           EndStatus,             Turned18>,
  //   +---------------------+------------------------+---------------------+----------------------+-----------------+
    Row<NtsTransferPending,   TraffickingRiskAssessed, none,                 AssessTraffickingRisk, none>,
    Row<NtsTransferPending,   NtsReferralWithdrawn,    Uasc,                 none,                  none>,
    Row<NtsTransferPending,   NtsTransferredOut,       NotUasc,              EndStatus,             none>,
    Row<NtsTransferPending,   StatusEnded,             FormerUasc,           EndStatus,             Turned18>,
  //   +---------------------+------------------------+---------------------+----------------------+-----------------+
    Row<FormerUasc,           AsylumDecisionRecorded,  none,                 none,                  none>,
    Row<FormerUasc,           FormerStatusEnded,       NotUasc,              none,                  none>
  //   +---------------------+------------------------+---------------------+----------------------+-----------------+
  > {};
  // clang-format on
};

const detail::ParamSpecs& UascDef::Params() {
  static const detail::ParamSpecs specs = {
      {Arrived::kName, {{"route", {"spontaneous_arrival", "nts_transfer_in", "other"}}}},
      {TraffickingRiskAssessed::kName, {{"concern", {"yes", "no"}}}},
      {AgeAssessed::kName, {{"outcome", {"under_16", "aged_16_17", "adult"}}, {"assessed_date_of_birth", detail::kDateParam, nullptr, nullptr, true}}},
      {AsylumDecisionRecorded::kName,
       {{"decision", {"refugee_status", "humanitarian_protection", "uasc_leave", "refused", "appeal_lodged", "other"}}}},
      {NtsReferralMade::kName, {{"to_region", {}}}},
      {StatusEnded::kName, {{"reason", {"turned_18", "left_the_uk", "reunited_with_family", "other"}}}},
      {FormerStatusEnded::kName, {{"reason", {"reached_25", "left_the_uk", "leaving_care_support_ended", "other"}}}},
  };
  return specs;
}

// Seed-spec SM-16: the UASC teams' social workers record arrival and assessments; age
// assessments are the social workers' (Merton-compliant, two assessors); the manager refers to
// the National Transfer Scheme.
const std::vector<Permission>& UascDef::Permissions() {
  static const std::vector<Permission> p = {
      {Arrived::kName, {"social_worker", "team_manager"}},
      {TraffickingRiskAssessed::kName, {"social_worker"}},
      {NrmReferralMade::kName, {"social_worker", "team_manager"}},
      {AgeDisputed::kName, {"social_worker", "team_manager"}},
      {AgeAssessed::kName, {"social_worker", "team_manager"}},
      {AsylumDecisionRecorded::kName, {"social_worker", "personal_adviser"}},
      {NtsReferralMade::kName, {"team_manager"}},
      {NtsReferralWithdrawn::kName, {"team_manager"}},
      {NtsTransferredOut::kName, {"team_manager"}},
      {StatusEnded::kName, {"team_manager", "system"}},
      {FormerStatusEnded::kName, {"team_manager", "personal_adviser", "system"}},
  };
  return p;
}

}  // namespace

std::unique_ptr<Journey> NewUasc(const RuleBook& rules) {
  return std::make_unique<detail::MsmJourney<UascDef>>(rules);
}

}  // namespace casetrail::workflows
