// The front door (CASS / MASH / EDT) as a Boost.MSM machine: a contact is triaged (consent,
// further information, MASH information sharing) to a decision within one working day;
// significant harm goes to a strategy discussion without delay; EDT episodes out of hours are
// handed over. Sources: seed-spec SM-01 (SG:222-228, SE:640-661); statutory-rules.md row 1.
#include "workflows/detail/msm_support.hpp"

namespace casetrail::workflows {
namespace {

using detail::EventBase;
namespace msmf = detail::msmf;
namespace mpl = detail::mpl;
using msmf::none;
using msmf::Row;

struct ContactReceived : EventBase { static constexpr const char* kName = "fd.contact_received"; };
struct ConsentRequested : EventBase { static constexpr const char* kName = "fd.consent_requested"; };
struct ConsentGiven : EventBase { static constexpr const char* kName = "fd.consent_given"; };
struct ConsentRefused : EventBase { static constexpr const char* kName = "fd.consent_refused"; };
struct FurtherInformationRequested : EventBase { static constexpr const char* kName = "fd.further_information_requested"; };
struct InformationReceived : EventBase { static constexpr const char* kName = "fd.information_received"; };
struct MashCheckRequested : EventBase { static constexpr const char* kName = "fd.mash_check_requested"; };
struct MashInformationShared : EventBase { static constexpr const char* kName = "fd.mash_information_shared"; };
struct DecisionMade : EventBase { static constexpr const char* kName = "fd.decision_made"; };
struct SignificantHarmIdentified : EventBase { static constexpr const char* kName = "fd.significant_harm_identified"; };
struct EdtEpisodeOpened : EventBase { static constexpr const char* kName = "fd.edt_episode_opened"; };
struct EdtHandedOver : EventBase { static constexpr const char* kName = "fd.edt_handed_over"; };

struct Context : detail::ContextBase {
  std::string last_decision;
  template <class Io>
  void Fields(Io& io) {
    io("last_decision", last_decision);
  }
};

CASETRAIL_PARAM_GUARD(HandedToCass, "to", "cass")
CASETRAIL_PARAM_GUARD(HandedToAllocatedWorker, "to", "allocated_worker")

CASETRAIL_ACTION(StartDecisionClock, { c.Schedule("T-01", at); })
CASETRAIL_ACTION(RecordDecision, {
  c.Meet("T-01", at);
  c.CancelAll();
  c.last_decision = *e.action->Param("decision");
})
CASETRAIL_ACTION(DecideStrategyDiscussion, {
  c.Meet("T-01", at);
  c.CancelAll();
  c.last_decision = "strategy_discussion";
})
CASETRAIL_ACTION(DecideNoConsent, {
  c.Meet("T-01", at);
  c.CancelAll();
  c.last_decision = "nfa_no_consent";
})

struct NoOpenContact : msmf::state<> { static constexpr const char* kName = "NoOpenContact"; };
struct InTriage : msmf::state<> { static constexpr const char* kName = "InTriage"; };
struct AwaitingConsent : msmf::state<> { static constexpr const char* kName = "AwaitingConsent"; };
struct AwaitingInformation : msmf::state<> { static constexpr const char* kName = "AwaitingInformation"; };
struct MashInformationSharing : msmf::state<> { static constexpr const char* kName = "MashInformationSharing"; };
struct EdtEpisode : msmf::state<> { static constexpr const char* kName = "EdtEpisode"; };

struct FrontDoorDef : detail::JourneyDef<FrontDoorDef, Context, NoOpenContact> {
  static constexpr const char* kJourney = "front_door";
  static const std::vector<Permission>& Permissions();
  static const detail::ParamSpecs& Params();

  // clang-format off
  struct transition_table : mpl::vector<
  //    Source                  Event                        Target                  Action                    Guard
  //   +-----------------------+----------------------------+-----------------------+-------------------------+------------------------+
    Row<NoOpenContact,          ContactReceived,             InTriage,               StartDecisionClock,       none>,
    Row<NoOpenContact,          EdtEpisodeOpened,            EdtEpisode,             none,                     none>,
  //   +-----------------------+----------------------------+-----------------------+-------------------------+------------------------+
    Row<InTriage,               ConsentRequested,            AwaitingConsent,        none,                     none>,
    Row<InTriage,               FurtherInformationRequested, AwaitingInformation,    none,                     none>,
    Row<InTriage,               MashCheckRequested,          MashInformationSharing, none,                     none>,
    Row<InTriage,               DecisionMade,                NoOpenContact,          RecordDecision,           none>,
    Row<InTriage,               SignificantHarmIdentified,   NoOpenContact,          DecideStrategyDiscussion, none>,
  //   +-----------------------+----------------------------+-----------------------+-------------------------+------------------------+
    Row<AwaitingConsent,        ConsentGiven,                InTriage,               none,                     none>,
    Row<AwaitingConsent,        ConsentRefused,              NoOpenContact,          DecideNoConsent,          none>,
    Row<AwaitingConsent,        SignificantHarmIdentified,   NoOpenContact,          DecideStrategyDiscussion, none>,
    Row<AwaitingInformation,    InformationReceived,         InTriage,               none,                     none>,
    Row<AwaitingInformation,    SignificantHarmIdentified,   NoOpenContact,          DecideStrategyDiscussion, none>,
    Row<MashInformationSharing, MashInformationShared,       InTriage,               none,                     none>,
    Row<MashInformationSharing, SignificantHarmIdentified,   NoOpenContact,          DecideStrategyDiscussion, none>,
  //   +-----------------------+----------------------------+-----------------------+-------------------------+------------------------+
    Row<EdtEpisode,             EdtHandedOver,               InTriage,               StartDecisionClock,       HandedToCass>,
    Row<EdtEpisode,             EdtHandedOver,               NoOpenContact,          none,                     HandedToAllocatedWorker>
  //   +-----------------------+----------------------------+-----------------------+-------------------------+------------------------+
  > {};
  // clang-format on

};

const detail::ParamSpecs& FrontDoorDef::Params() {
  static const detail::ParamSpecs specs = {
      {ContactReceived::kName,
       {{"source", {"police", "health", "school", "early_years", "self", "family", "local_authority",
                    "voluntary_sector", "anonymous", "other"}}}},
      {DecisionMade::kName,
       {{"decision", {"signpost", "early_help", "assessment", "strategy_discussion", "nfa"}}}},
      {EdtHandedOver::kName, {{"to", {"cass", "allocated_worker"}}}},
  };
  return specs;
}

// Seed-spec 5.1-5.2: CASS qualified social workers triage and decide (manager oversight); MASH
// partners share information; EDT works out of hours.
const std::vector<Permission>& FrontDoorDef::Permissions() {
  static const std::vector<Permission> p = {
      {ContactReceived::kName, {"cass_worker", "edt_worker"}},
      {ConsentRequested::kName, {"cass_worker"}},
      {ConsentGiven::kName, {"cass_worker"}},
      {ConsentRefused::kName, {"cass_worker"}},
      {FurtherInformationRequested::kName, {"cass_worker"}},
      {InformationReceived::kName, {"cass_worker"}},
      {MashCheckRequested::kName, {"cass_worker"}},
      {MashInformationShared::kName, {"mash_partner", "cass_worker"}},
      {DecisionMade::kName, {"cass_worker", "team_manager"}},
      {SignificantHarmIdentified::kName, {"cass_worker", "team_manager"}},
      {EdtEpisodeOpened::kName, {"edt_worker"}},
      {EdtHandedOver::kName, {"edt_worker"}},
  };
  return p;
}

}  // namespace

std::unique_ptr<Journey> NewFrontDoor(const RuleBook& rules) {
  return std::make_unique<detail::MsmJourney<FrontDoorDef>>(rules);
}

}  // namespace casetrail::workflows
