// Private fostering as a Boost.MSM machine: a child under 16 (18 if disabled) cared for for 28
// days or more by someone who is not a parent, a person with parental responsibility or a close
// relative (CA 1989 s66). The child is not looked after. The local authority is notified, visits
// within 7 working days (a Reg 4 visit; in the Trust, jointly with a fostering worker, SE:822),
// assesses the arrangement's suitability, then visits at intervals of not more than 6 weeks in
// the arrangement's first year and 12 weeks after (Reg 8) until it ends (SE:826: some become a
// child arrangements or special guardianship order). An arrangement found unsuitable ends.
// Sources: seed-spec SM-11 (private fostering: SE:822-828, SG:342), T-65 (SE:822, SE:826; the
// numbers are the Children (Private Arrangements for Fostering) Regulations 2005 regs 4 and 8,
// ext: the seeds do not give them).
#include "workflows/detail/msm_support.hpp"

namespace casetrail::workflows {
namespace {

using detail::EventBase;
namespace msmf = detail::msmf;
namespace mpl = detail::mpl;
using msmf::none;
using msmf::Row;

struct Notified : EventBase { static constexpr const char* kName = "pf.notified"; };
struct NotPrivateFostering : EventBase { static constexpr const char* kName = "pf.not_private_fostering"; };
struct Reg4VisitHeld : EventBase { static constexpr const char* kName = "pf.reg4_visit_held"; };
struct AssessmentCompleted : EventBase { static constexpr const char* kName = "pf.assessment_completed"; };
struct VisitHeld : EventBase { static constexpr const char* kName = "pf.visit_held"; };
struct ArrangementEnded : EventBase { static constexpr const char* kName = "pf.arrangement_ended"; };

struct Context : detail::ContextBase {
  std::int64_t since = 0;  // when the authority was notified (the first year's visits count from it)
  template <class Io>
  void Fields(Io& io) {
    io("since", since);
  }
  // The next Reg 8 visit: 6 weeks in the first year of the arrangement, 12 weeks after.
  void NextVisit(std::int64_t at) {
    const bool first_year = Date::FromTimestampUs(at) < Date::FromTimestampUs(since).AddYears(1);
    Schedule(first_year ? "T-65b" : "T-65c", at);
  }
};

CASETRAIL_PARAM_GUARD(Suitable, "outcome", "suitable")
struct NotSuitable {
  static constexpr const char* kName = "NotSuitable";
  template <class E, class F, class S, class T>
  bool operator()(E const& e, F&, S&, T&) const {
    return !detail::ParamIs(e, "outcome", "suitable");
  }
};

CASETRAIL_ACTION(Notify, { c.since = at; c.Schedule("T-65", at); })
CASETRAIL_ACTION(FirstVisit, { c.Meet("T-65", at); c.NextVisit(at); })
CASETRAIL_ACTION(Visit, { c.Meet("T-65b", at); c.Meet("T-65c", at); c.NextVisit(at); })
CASETRAIL_ACTION(End, { c.CancelAll(); c.since = 0; })

struct NoPrivateFostering : msmf::state<> { static constexpr const char* kName = "NoPrivateFostering"; };
struct NotificationReceived : msmf::state<> { static constexpr const char* kName = "NotificationReceived"; };
struct ArrangementAssessed : msmf::state<> { static constexpr const char* kName = "ArrangementAssessed"; };
struct ArrangementSupervised : msmf::state<> { static constexpr const char* kName = "ArrangementSupervised"; };
struct ArrangementUnsuitable : msmf::state<> { static constexpr const char* kName = "ArrangementUnsuitable"; };

struct PrivateFosteringDef : detail::JourneyDef<PrivateFosteringDef, Context, NoPrivateFostering> {
  static constexpr const char* kJourney = "private_fostering";
  static const std::vector<Permission>& Permissions();
  static const detail::ParamSpecs& Params();

  // clang-format off
  struct transition_table : mpl::vector<
  //    Source                 Event                Target                 Action      Guard
  //   +----------------------+--------------------+----------------------+-----------+-------------+
    Row<NoPrivateFostering,    Notified,            NotificationReceived,  Notify,     none>,
  //   +----------------------+--------------------+----------------------+-----------+-------------+
    Row<NotificationReceived,  Reg4VisitHeld,       ArrangementAssessed,   FirstVisit, none>,
    Row<NotificationReceived,  NotPrivateFostering, NoPrivateFostering,    End,        none>,
    Row<NotificationReceived,  ArrangementEnded,    NoPrivateFostering,    End,        none>,
  //   +----------------------+--------------------+----------------------+-----------+-------------+
    Row<ArrangementAssessed,   VisitHeld,           none,                  Visit,      none>,
    Row<ArrangementAssessed,   AssessmentCompleted, ArrangementSupervised, none,       Suitable>,
    Row<ArrangementAssessed,   AssessmentCompleted, ArrangementUnsuitable, none,       NotSuitable>,
    Row<ArrangementAssessed,   ArrangementEnded,    NoPrivateFostering,    End,        none>,
  //   +----------------------+--------------------+----------------------+-----------+-------------+
    Row<ArrangementSupervised, VisitHeld,           none,                  Visit,      none>,
    Row<ArrangementSupervised, ArrangementEnded,    NoPrivateFostering,    End,        none>,
  //   +----------------------+--------------------+----------------------+-----------+-------------+
    Row<ArrangementUnsuitable, VisitHeld,           none,                  Visit,      none>,
    Row<ArrangementUnsuitable, ArrangementEnded,    NoPrivateFostering,    End,        none>
  //   +----------------------+--------------------+----------------------+-----------+-------------+
  > {};
  // clang-format on
};

const detail::ParamSpecs& PrivateFosteringDef::Params() {
  static const detail::ParamSpecs specs = {
      {Notified::kName,
       {{"notified_by", {"parent", "private_foster_carer", "school", "health", "police", "other_agency", "other"}},
        {"disabled", {"yes", "no"}},  // s66(4): a disabled child is privately fostered to 18
        {"homes_for_ukraine", {"yes", "no"}, nullptr, nullptr, true}}},  // SE:822 counts them
      {NotPrivateFostering::kName, {{"reason", {"close_relative", "under_28_days", "parent_returned", "other"}}}},
      {Reg4VisitHeld::kName, {{"joint_with_fostering", {"yes", "no"}}}},
      {AssessmentCompleted::kName, {{"outcome", {"suitable", "suitable_with_requirements", "unsuitable"}}}},
      {ArrangementEnded::kName,
       {{"reason", {"returned_to_parent", "child_arrangements_order", "special_guardianship_order", "became_looked_after",
                    "reached_age_limit", "prohibited", "moved_away", "other"}}}},
  };
  return specs;
}

// Seed-spec SM-11: the Private Fostering Team / SGO team (SG:342, SG:449); eight private
// fostering leads across the service (SE:822); managers decide suitability.
const std::vector<Permission>& PrivateFosteringDef::Permissions() {
  static const std::vector<Permission> p = {
      {Notified::kName, {"social_worker", "cass_worker", "team_manager"}},
      {NotPrivateFostering::kName, {"team_manager"}},
      {Reg4VisitHeld::kName, {"social_worker"}},
      {AssessmentCompleted::kName, {"team_manager"}},
      {VisitHeld::kName, {"social_worker"}},
      {ArrangementEnded::kName, {"social_worker", "team_manager", "system"}},
  };
  return p;
}

}  // namespace

std::unique_ptr<Journey> NewPrivateFostering(const RuleBook& rules) {
  return std::make_unique<detail::MsmJourney<PrivateFosteringDef>>(rules);
}

}  // namespace casetrail::workflows
