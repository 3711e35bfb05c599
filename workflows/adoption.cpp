// Adoption, the child's side, as a Boost.MSM machine: the agency decision maker's decision that
// the child should be placed for adoption (the best-interest decision), authority to place (a
// placement order, or the parents' consent under ACA 2002 s19), family finding and the match,
// placement for adoption (12 months from the decision, T-50), the adoption order and
// post-adoption support; the decision can be reversed at any point before the order (the 903's
// PlacedAdoption reasons RD1-RD4). The adopters' details the SSDA903 AD1 table needs are
// recorded with the match.
// Sources: seed-spec SM-12 (SG:345-349, SE:1459-1468, CP:469-473); dfe-returns.md 4.4 (AD1,
// REASON_PLACED_CEASED).
#include "workflows/detail/msm_support.hpp"

namespace casetrail::workflows {
namespace {

using detail::EventBase;
namespace msmf = detail::msmf;
namespace mpl = detail::mpl;
using msmf::none;
using msmf::Row;

struct DecisionMade : EventBase { static constexpr const char* kName = "ad.decision_made"; };
struct AuthorityToPlaceGiven : EventBase { static constexpr const char* kName = "ad.authority_to_place_given"; };
struct ChildProfiled : EventBase { static constexpr const char* kName = "ad.child_profiled"; };
struct MatchApproved : EventBase { static constexpr const char* kName = "ad.match_approved"; };
struct IntroductionsStarted : EventBase { static constexpr const char* kName = "ad.introductions_started"; };
struct PlacedForAdoption : EventBase { static constexpr const char* kName = "ad.placed_for_adoption"; };
struct AdoptionOrderGranted : EventBase { static constexpr const char* kName = "ad.adoption_order_granted"; };
struct DecisionReversed : EventBase { static constexpr const char* kName = "ad.decision_reversed"; };
struct SupportEnded : EventBase { static constexpr const char* kName = "ad.support_ended"; };

struct Context : detail::ContextBase {
  std::string basis;  // of the authority to place: placement_order or s19_consent
  bool early_permanence = false;
  template <class Io>
  void Fields(Io& io) {
    io("basis", basis);
    io("early_permanence", early_permanence);
  }
};

// The adopters' details must describe one adopter or two (SSDA903 AD1 rules 511-520, 524).
struct AdoptersConsistent {
  static constexpr const char* kName = "AdoptersConsistent(one adopter: male or female, single; two: a pair, not single)";
  template <class E, class F, class S, class T>
  bool operator()(E const& e, F&, S&, T&) const {
    const bool one = detail::ParamIs(e, "adopters", "one");
    const bool single_sex = detail::ParamIs(e, "adopters_sex", "male") || detail::ParamIs(e, "adopters_sex", "female");
    const bool single_status = detail::ParamIs(e, "adopters_legal_status", "single");
    return one ? single_sex && single_status : !single_sex && !single_status;
  }
};

CASETRAIL_ACTION(Decide, {
  c.basis.clear();
  c.early_permanence = detail::ParamIs(e, "early_permanence", "yes");
  c.Schedule("T-50", at);
})
CASETRAIL_ACTION(Authorise, { c.basis = *e.action->Param("basis"); })
CASETRAIL_ACTION(Place, { c.Meet("T-50", at); })
CASETRAIL_ACTION(Reverse, { c.CancelAll(); c.basis.clear(); })
CASETRAIL_ACTION(StartSupport, { c.CancelAll(); })

struct NoAdoptionPlan : msmf::state<> { static constexpr const char* kName = "NoAdoptionPlan"; };
struct ShouldBePlaced : msmf::state<> { static constexpr const char* kName = "ShouldBePlaced"; };
struct AuthorisedToPlace : msmf::state<> { static constexpr const char* kName = "AuthorisedToPlace"; };
struct Matched : msmf::state<> { static constexpr const char* kName = "Matched"; };
struct PlacedForAdoptionState : msmf::state<> { static constexpr const char* kName = "PlacedForAdoption"; };
struct PostAdoptionSupport : msmf::state<> { static constexpr const char* kName = "PostAdoptionSupport"; };

struct AdoptionDef : detail::JourneyDef<AdoptionDef, Context, NoAdoptionPlan> {
  static constexpr const char* kJourney = "adoption";
  static const std::vector<Permission>& Permissions();
  static const detail::ParamSpecs& Params();

  // clang-format off
  struct transition_table : mpl::vector<
  //    Source                  Event                  Target                  Action        Guard
  //   +-----------------------+----------------------+-----------------------+-------------+--------------------+
    Row<NoAdoptionPlan,         DecisionMade,          ShouldBePlaced,         Decide,       none>,
  //   +-----------------------+----------------------+-----------------------+-------------+--------------------+
    Row<ShouldBePlaced,         AuthorityToPlaceGiven, AuthorisedToPlace,      Authorise,    none>,
    Row<ShouldBePlaced,         ChildProfiled,         none,                   none,         none>,
    Row<ShouldBePlaced,         DecisionReversed,      NoAdoptionPlan,         Reverse,      none>,
  //   +-----------------------+----------------------+-----------------------+-------------+--------------------+
    Row<AuthorisedToPlace,      ChildProfiled,         none,                   none,         none>,
    Row<AuthorisedToPlace,      MatchApproved,         Matched,                none,         AdoptersConsistent>,
    Row<AuthorisedToPlace,      DecisionReversed,      NoAdoptionPlan,         Reverse,      none>,
  //   +-----------------------+----------------------+-----------------------+-------------+--------------------+
    Row<Matched,                IntroductionsStarted,  none,                   none,         none>,
    Row<Matched,                PlacedForAdoption,     PlacedForAdoptionState, Place,        none>,
    Row<Matched,                DecisionReversed,      NoAdoptionPlan,         Reverse,      none>,
  //   +-----------------------+----------------------+-----------------------+-------------+--------------------+
    Row<PlacedForAdoptionState, AdoptionOrderGranted,  PostAdoptionSupport,    StartSupport, none>,
    Row<PlacedForAdoptionState, DecisionReversed,      NoAdoptionPlan,         Reverse,      none>,
  //   +-----------------------+----------------------+-----------------------+-------------+--------------------+
    Row<PostAdoptionSupport,    SupportEnded,          NoAdoptionPlan,         none,         none>
  //   +-----------------------+----------------------+-----------------------+-------------+--------------------+
  > {};
  // clang-format on
};

const detail::ParamSpecs& AdoptionDef::Params() {
  static const detail::ParamSpecs specs = {
      {DecisionMade::kName, {{"early_permanence", {"yes", "no"}, nullptr, nullptr, true}}},
      {AuthorityToPlaceGiven::kName, {{"basis", {"placement_order", "s19_consent"}}}},
      {MatchApproved::kName,
       {{"adopters", {"one", "two"}},
        {"adopters_sex", {"male", "female", "two_male", "two_female", "male_and_female"}},
        {"adopters_legal_status", {"single", "married_opposite_sex", "married_same_sex", "civil_partners",
                                   "unmarried_opposite_sex", "unmarried_same_sex"}},
        {"foster_carer", {"yes", "no"}}}},
      {PlacedForAdoption::kName, {{"with_current_foster_carer", {"yes", "no"}}}},
      {AdoptionOrderGranted::kName, {{"consent", {"unopposed", "dispensed_with"}}}},
      // The SSDA903 PlacedAdoption reasons (RD1-RD4).
      {DecisionReversed::kName,
       {{"reason", {"needs_changed", "no_placement_order", "no_adopters_found", "other"}}}},
      {SupportEnded::kName, {{"reason", {"no_longer_needed", "reached_18", "moved_away", "other"}}}},
  };
  return specs;
}

// Seed-spec SM-12: the agency decision maker decides and approves the match (on the panel's
// recommendation); the court grants placement and adoption orders (recorded by legal); Adopt
// Birmingham's family finders profile, introduce and place.
const std::vector<Permission>& AdoptionDef::Permissions() {
  static const std::vector<Permission> p = {
      {DecisionMade::kName, {"agency_decision_maker"}},
      {AuthorityToPlaceGiven::kName, {"legal", "social_worker", "system"}},
      {ChildProfiled::kName, {"adoption_worker", "social_worker"}},
      {MatchApproved::kName, {"agency_decision_maker"}},
      {IntroductionsStarted::kName, {"adoption_worker", "social_worker"}},
      {PlacedForAdoption::kName, {"adoption_worker", "social_worker"}},
      {AdoptionOrderGranted::kName, {"legal"}},
      {DecisionReversed::kName, {"agency_decision_maker"}},
      {SupportEnded::kName, {"adoption_worker", "team_manager"}},
  };
  return p;
}

}  // namespace

std::unique_ptr<Journey> NewAdoption(const RuleBook& rules) {
  return std::make_unique<detail::MsmJourney<AdoptionDef>>(rules);
}

}  // namespace casetrail::workflows
