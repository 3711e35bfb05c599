// The search for a looked-after child's placement, as a Boost.MSM machine: the social worker
// requests a placement with the child's needs; the Placements Team searches (internal carers
// first, then referrals to external providers: "often 40-50 referrals for each vacancy" for
// children with complex needs, SE:1381), receives offers and proposes a match; an external
// placement goes to the placement panel (CP:871, monthly reviews CP:1084), an internal one is
// matched directly; a match may fall through and the search resume. The search closes when the
// child is placed (X-41: the placement recorded in child_in_care closes it) or is no longer needed.
// Sources: seed-spec SM-10 (SG:351-355, SE:1381, CP:869-871, CP:1084).
#include "workflows/detail/msm_support.hpp"

namespace casetrail::workflows {
namespace {

using detail::EventBase;
namespace msmf = detail::msmf;
namespace mpl = detail::mpl;
using msmf::none;
using msmf::Row;

struct Requested : EventBase { static constexpr const char* kName = "ps.requested"; };
struct ReferralSent : EventBase { static constexpr const char* kName = "ps.referral_sent"; };
struct OfferReceived : EventBase { static constexpr const char* kName = "ps.offer_received"; };
struct MatchProposed : EventBase { static constexpr const char* kName = "ps.match_proposed"; };
struct PanelDecided : EventBase { static constexpr const char* kName = "ps.panel_decided"; };
struct MatchFellThrough : EventBase { static constexpr const char* kName = "ps.match_fell_through"; };
struct SearchClosed : EventBase { static constexpr const char* kName = "ps.search_closed"; };

struct Context : detail::ContextBase {
  template <class Io>
  void Fields(Io&) {}
};

CASETRAIL_PARAM_GUARD(External, "provider", "external")
struct Internal {
  static constexpr const char* kName = "Internal";
  template <class E, class F, class S, class T>
  bool operator()(E const& e, F&, S&, T&) const {
    return !detail::ParamIs(e, "provider", "external");
  }
};
CASETRAIL_PARAM_GUARD(Approved, "decision", "approved")
struct Declined {
  static constexpr const char* kName = "Declined";
  template <class E, class F, class S, class T>
  bool operator()(E const& e, F&, S&, T&) const {
    return !detail::ParamIs(e, "decision", "approved");
  }
};

struct NoSearch : msmf::state<> { static constexpr const char* kName = "NoSearch"; };
struct Searching : msmf::state<> { static constexpr const char* kName = "Searching"; };
struct AwaitingPanel : msmf::state<> { static constexpr const char* kName = "AwaitingPanel"; };
struct Matched : msmf::state<> { static constexpr const char* kName = "Matched"; };

struct PlacementSearchDef : detail::JourneyDef<PlacementSearchDef, Context, NoSearch> {
  static constexpr const char* kJourney = "placement_search";
  static const std::vector<Permission>& Permissions();
  static const detail::ParamSpecs& Params();

  // clang-format off
  struct transition_table : mpl::vector<
  //    Source         Event             Target         Action  Guard
  //   +--------------+-----------------+--------------+-------+----------+
    Row<NoSearch,      Requested,        Searching,     none,   none>,
  //   +--------------+-----------------+--------------+-------+----------+
    Row<Searching,     ReferralSent,     none,          none,   none>,
    Row<Searching,     OfferReceived,    none,          none,   none>,
    Row<Searching,     MatchProposed,    AwaitingPanel, none,   External>,
    Row<Searching,     MatchProposed,    Matched,       none,   Internal>,
    Row<Searching,     SearchClosed,     NoSearch,      none,   none>,
  //   +--------------+-----------------+--------------+-------+----------+
    Row<AwaitingPanel, PanelDecided,     Matched,       none,   Approved>,
    Row<AwaitingPanel, PanelDecided,     Searching,     none,   Declined>,
    Row<AwaitingPanel, SearchClosed,     NoSearch,      none,   none>,
  //   +--------------+-----------------+--------------+-------+----------+
    Row<Matched,       MatchFellThrough, Searching,     none,   none>,
    Row<Matched,       SearchClosed,     NoSearch,      none,   none>
  //   +--------------+-----------------+--------------+-------+----------+
  > {};
  // clang-format on
};

const detail::ParamSpecs& PlacementSearchDef::Params() {
  static const detail::ParamSpecs specs = {
      // The placement kinds of child_in_care's `placement`, and parent and child fostering (SE:162).
      {Requested::kName,
       {{"needs", {"foster_care", "connected_person", "parent_and_child", "residential", "secure", "semi_independent",
                   "other"}},
        {"urgency", {"planned", "emergency"}},
        {"with_siblings", {"yes", "no"}}}},
      {ReferralSent::kName, {{"provider", {"internal", "independent_fostering_agency", "private", "voluntary", "other_authority"}}}},
      {MatchProposed::kName, {{"provider", {"internal", "external"}}, {"carer", {}, nullptr, nullptr, true}}},
      {PanelDecided::kName, {{"decision", {"approved", "declined"}}}},
      {MatchFellThrough::kName, {{"reason", {"provider_withdrew", "child_needs_changed", "carer_unavailable", "other"}}}},
      {SearchClosed::kName, {{"reason", {"placed", "no_longer_needed", "returned_home", "other"}}}},
  };
  return specs;
}

// The Placements Team searches and secures external placements (SG:351); the external placement
// panel decides (CP:871): a head of service chairs it.
const std::vector<Permission>& PlacementSearchDef::Permissions() {
  static const std::vector<Permission> p = {
      {Requested::kName, {"social_worker", "team_manager"}},
      {ReferralSent::kName, {"placements_officer"}},
      {OfferReceived::kName, {"placements_officer"}},
      {MatchProposed::kName, {"placements_officer"}},
      {PanelDecided::kName, {"head_of_service"}},
      {MatchFellThrough::kName, {"placements_officer"}},
      {SearchClosed::kName, {"placements_officer", "team_manager", "system"}},
  };
  return p;
}

}  // namespace

std::unique_ptr<Journey> NewPlacementSearch(const RuleBook& rules) {
  return std::make_unique<detail::MsmJourney<PlacementSearchDef>>(rules);
}

}  // namespace casetrail::workflows
