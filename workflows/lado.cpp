// Allegations against people who work with children, managed by the Local Authority Designated
// Officer (LADO), as a Boost.MSM machine. Unlike every other journey it is not part of a child's
// record: an allegation is about an adult, so it has its own record (workflows/own_record.hpp,
// stream "allegation-<id>") that only the LADO team and auditors read.
//
// The employer (or whoever learns of the concern) refers to the LADO within one working day of
// the concern being raised (T-100: checked when the referral is recorded, from the day the
// concern was raised); the LADO evaluates it within one working day of the referral (T-103):
// does it meet one of the harm criteria? If not, advice is given (or it is passed to the
// authority where the person works, or to another service) and the allegation is closed; if
// so, the LADO coordinates its management (strategy discussions with the police and children's
// social care, allegation management meetings, the employer's actions) to an outcome:
// substantiated, unsubstantiated, unfounded, false or malicious, with a referral to the DBS
// when substantiated. New information reopens it.
// Sources: seed-spec SM-17 (SG:323-325: the four criteria, paid and unpaid staff, volunteers,
// the self-employed; information coordination and cross-boundary liaison); T-100 (SG:324);
// outcome definitions: Keeping children safe in education 2024 Part 4 (ext: the seeds give none);
// T-103: local LADO procedures (ext).
#include "workflows/detail/msm_support.hpp"

namespace casetrail::workflows {
namespace {

using detail::EventBase;
namespace msmf = detail::msmf;
namespace mpl = detail::mpl;
using msmf::none;
using msmf::Row;

struct ReferralReceived : EventBase { static constexpr const char* kName = "lado.referral_received"; };
struct InitialEvaluationCompleted : EventBase { static constexpr const char* kName = "lado.initial_evaluation_completed"; };
struct StrategyDiscussionHeld : EventBase { static constexpr const char* kName = "lado.strategy_discussion_held"; };
struct ManagementMeetingHeld : EventBase { static constexpr const char* kName = "lado.management_meeting_held"; };
struct EmployerActionRecorded : EventBase { static constexpr const char* kName = "lado.employer_action_recorded"; };
struct AllegationConcluded : EventBase { static constexpr const char* kName = "lado.allegation_concluded"; };
struct AllegationReopened : EventBase { static constexpr const char* kName = "lado.allegation_reopened"; };

struct Context : detail::ContextBase {
  template <class Io>
  void Fields(Io&) {}
};

// "meets the criteria": one of SG:324's four (harmed a child, a possible offence, a risk of harm,
// unsuitable to work with children) is met, so the LADO manages the allegation.
CASETRAIL_PARAM_GUARD(ThresholdMet, "outcome", "threshold_met")
struct ThresholdNotMet {
  static constexpr const char* kName = "ThresholdNotMet";
  template <class E, class F, class S, class T>
  bool operator()(E const& e, F&, S&, T&) const {
    return !detail::ParamIs(e, "outcome", "threshold_met");
  }
};

// T-100 is the referrer's duty: counted from the day the concern was raised and met by the
// referral (recorded late, it is met late: the audit trail says which duty was missed). T-103
// is the LADO's own: the evaluation within one working day of the referral.
CASETRAIL_ACTION(ReceiveReferral, {
  c.Schedule("T-100", detail::DateParam(e, "concern_raised_on").StartUs());
  c.Meet("T-100", at);
  c.Schedule("T-103", at);
})
CASETRAIL_ACTION(Evaluate, { c.Meet("T-103", at); })
CASETRAIL_ACTION(Reopen, { c.CancelAll(); })
CASETRAIL_ACTION(ReopenForEvaluation, { c.CancelAll(); c.Schedule("T-103", at); })

struct NoAllegation : msmf::state<> { static constexpr const char* kName = "NoAllegation"; };
struct AwaitingEvaluation : msmf::state<> { static constexpr const char* kName = "AwaitingEvaluation"; };
struct ManagedByLado : msmf::state<> { static constexpr const char* kName = "ManagedByLado"; };
struct ClosedAtEvaluation : msmf::state<> { static constexpr const char* kName = "ClosedAtEvaluation"; };
struct Concluded : msmf::state<> { static constexpr const char* kName = "Concluded"; };

struct LadoDef : detail::JourneyDef<LadoDef, Context, NoAllegation> {
  static constexpr const char* kJourney = "lado";
  static const std::vector<Permission>& Permissions();
  static const detail::ParamSpecs& Params();

  // clang-format off
  struct transition_table : mpl::vector<
  //    Source              Event                        Target              Action               Guard
  //   +-------------------+----------------------------+-------------------+--------------------+-----------------+
    Row<NoAllegation,       ReferralReceived,            AwaitingEvaluation, ReceiveReferral,     none>,
  //   +-------------------+----------------------------+-------------------+--------------------+-----------------+
    Row<AwaitingEvaluation, InitialEvaluationCompleted,  ManagedByLado,      Evaluate,            ThresholdMet>,
    Row<AwaitingEvaluation, InitialEvaluationCompleted,  ClosedAtEvaluation, Evaluate,            ThresholdNotMet>,
  //   +-------------------+----------------------------+-------------------+--------------------+-----------------+
    Row<ManagedByLado,      StrategyDiscussionHeld,      none,               none,                none>,
    Row<ManagedByLado,      ManagementMeetingHeld,       none,               none,                none>,
    Row<ManagedByLado,      EmployerActionRecorded,      none,               none,                none>,
    Row<ManagedByLado,      AllegationConcluded,         Concluded,          none,                none>,
  //   +-------------------+----------------------------+-------------------+--------------------+-----------------+
    Row<Concluded,          AllegationReopened,          ManagedByLado,      Reopen,              none>,
    Row<ClosedAtEvaluation, AllegationReopened,          AwaitingEvaluation, ReopenForEvaluation, none>
  //   +-------------------+----------------------------+-------------------+--------------------+-----------------+
  > {};
  // clang-format on
};

const detail::ParamSpecs& LadoDef::Params() {
  using detail::kDateParam;
  static const detail::ParamSpecs specs = {
      {ReferralReceived::kName,
       {{"concern_raised_on", kDateParam},
        // SG:323: "paid, unpaid volunteers, casual agency staff or anyone who works in a
        // self-employed capacity"; the sector is where they work with children.
        {"sector", {"early_years", "education", "health", "social_care", "fostering", "residential_care", "police",
                    "faith", "sport_and_leisure", "transport", "voluntary", "other"}},
        {"employment", {"paid", "volunteer", "agency", "self_employed", "foster_carer"}},
        {"subject", {}},  // the person the allegation is about (a name or the employer's reference)
        // SG:324's criteria, one of which brings the LADO in.
        {"criteria", {"harmed_a_child", "possible_offence", "risk_of_harm", "unsuitable_to_work_with_children"}},
        {"referrer", {"employer", "police", "childrens_social_care", "parent", "child", "ofsted", "other_authority", "other"}},
        {"children", {}, nullptr, nullptr, true}}},  // the children concerned, by casetrail id, comma-separated
      {InitialEvaluationCompleted::kName,
       {{"outcome", {"threshold_met", "advice_given", "referred_to_other_authority", "referred_to_other_service"}}}},
      {StrategyDiscussionHeld::kName, {{"with_police", {"yes", "no"}}}},
      {EmployerActionRecorded::kName,
       {{"action", {"suspended", "redeployed", "restricted_duties", "no_action", "left_employment"}}}},
      // Keeping children safe in education 2024 Part 4's outcome definitions.
      {AllegationConcluded::kName,
       {{"outcome", {"substantiated", "unsubstantiated", "unfounded", "false", "malicious"}},
        {"dbs_referral", {"yes", "no"}, "outcome", "substantiated"}}},
      {AllegationReopened::kName, {{"reason", {}}}},
  };
  return specs;
}

// The LADO team records every step (seed-spec 7: "LADO / designated officers").
const std::vector<Permission>& LadoDef::Permissions() {
  static const std::vector<Permission> p = {
      {ReferralReceived::kName, {"lado_officer"}},
      {InitialEvaluationCompleted::kName, {"lado_officer"}},
      {StrategyDiscussionHeld::kName, {"lado_officer"}},
      {ManagementMeetingHeld::kName, {"lado_officer"}},
      {EmployerActionRecorded::kName, {"lado_officer"}},
      {AllegationConcluded::kName, {"lado_officer"}},
      {AllegationReopened::kName, {"lado_officer"}},
  };
  return p;
}

}  // namespace

std::unique_ptr<Journey> NewLado(const RuleBook& rules) {
  return std::make_unique<detail::MsmJourney<LadoDef>>(rules);
}

}  // namespace casetrail::workflows
