// Homeless 16 and 17 year olds and the joint housing protocol as a Boost.MSM machine: a young
// person presents as homeless (aged 16 or 17: X-35), is assessed as a child in need because of
// accommodation, and mediation and a return home, support under section 17, or, where all other
// options are unsuccessful and with the young person's wishes taken into account, accommodation
// under section 20 (the young person is then looked after: X-34).
// Sources: seed-spec SM-19 (SG:264-266, SG:451, CP:1246); T-93 (SG:264).
#include "workflows/detail/msm_support.hpp"

namespace casetrail::workflows {
namespace {

using detail::EventBase;
namespace msmf = detail::msmf;
namespace mpl = detail::mpl;
using msmf::none;
using msmf::Row;

struct Presented : EventBase { static constexpr const char* kName = "hl.presented"; };
struct Assessed : EventBase { static constexpr const char* kName = "hl.assessed"; };
struct MediationHeld : EventBase { static constexpr const char* kName = "hl.mediation_held"; };
struct OutcomeAgreed : EventBase { static constexpr const char* kName = "hl.outcome_agreed"; };

struct Context : detail::ContextBase {
  template <class Io>
  void Fields(Io&) {}
};

CASETRAIL_PARAM_GUARD(InNeedDueToAccommodation, "outcome", "in_need_due_to_accommodation")
CASETRAIL_PARAM_GUARD(NotInNeed, "outcome", "not_in_need")

struct NotHomeless : msmf::state<> { static constexpr const char* kName = "NotHomeless"; };
struct PresentedHomeless : msmf::state<> { static constexpr const char* kName = "PresentedHomeless"; };
struct InNeedOfAccommodation : msmf::state<> { static constexpr const char* kName = "InNeedOfAccommodation"; };

struct HomelessDef : detail::JourneyDef<HomelessDef, Context, NotHomeless> {
  static constexpr const char* kJourney = "homeless_16_17";
  static const std::vector<Permission>& Permissions();
  static const detail::ParamSpecs& Params();

  // clang-format off
  struct transition_table : mpl::vector<
  //    Source                 Event          Target                 Action  Guard
  //   +----------------------+--------------+----------------------+-------+--------------------------+
    Row<NotHomeless,           Presented,     PresentedHomeless,     none,   none>,
  //   +----------------------+--------------+----------------------+-------+--------------------------+
    Row<PresentedHomeless,     Assessed,      InNeedOfAccommodation, none,   InNeedDueToAccommodation>,
    Row<PresentedHomeless,     Assessed,      NotHomeless,           none,   NotInNeed>,
  //   +----------------------+--------------+----------------------+-------+--------------------------+
    Row<InNeedOfAccommodation, MediationHeld, none,                  none,   none>,
    Row<InNeedOfAccommodation, OutcomeAgreed, NotHomeless,           none,   none>
  //   +----------------------+--------------+----------------------+-------+--------------------------+
  > {};
  // clang-format on
};

const detail::ParamSpecs& HomelessDef::Params() {
  static const detail::ParamSpecs specs = {
      {Presented::kName, {{"referred_by", {"self", "housing_service", "st_basils", "family", "other"}}}},
      {Assessed::kName, {{"outcome", {"in_need_due_to_accommodation", "not_in_need"}}}},
      {OutcomeAgreed::kName, {{"route", {"mediation_return_home", "cin_support_s17", "accommodated_s20"}}}},
  };
  return specs;
}

// Seed-spec SM-19: the Homeless Young People Team assesses and mediates; its manager agrees the
// outcome (SG:451).
const std::vector<Permission>& HomelessDef::Permissions() {
  static const std::vector<Permission> p = {
      {Presented::kName, {"social_worker", "cass_worker", "team_manager"}},
      {Assessed::kName, {"social_worker"}},
      {MediationHeld::kName, {"social_worker", "family_support_worker"}},
      {OutcomeAgreed::kName, {"team_manager"}},
  };
  return p;
}

}  // namespace

std::unique_ptr<Journey> NewHomeless1617(const RuleBook& rules) {
  return std::make_unique<detail::MsmJourney<HomelessDef>>(rules);
}

}  // namespace casetrail::workflows
