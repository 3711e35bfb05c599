// A child in care as a Boost.MSM machine: becomes looked after with a legal status, IRO
// allocated within 72 hours, reviews (20 working days, then 3 months, then 6-monthly), a
// permanence plan by the second review, placements and their visits (within a week, then at
// most 6 weeks, or 3 months in a long-term placement), missing episodes and return interviews,
// health assessments, PEPs, and ceasing to be looked after.
// Sources: seed-spec SM-09/SM-10 (SG:329, SE:1224, SE:1285); statutory-rules.md rows 12-19.
#include <boost/mpl/joint_view.hpp>

#include "workflows/detail/msm_support.hpp"
#include "workflows/placements.hpp"

namespace casetrail::workflows {
namespace {

using detail::EventBase;
namespace msmf = detail::msmf;
namespace mpl = detail::mpl;
using msmf::none;
using msmf::Row;

struct BecameLookedAfter : EventBase { static constexpr const char* kName = "cic.became_looked_after"; };
struct IroAllocated : EventBase { static constexpr const char* kName = "cic.iro_allocated"; };
struct ReviewHeld : EventBase { static constexpr const char* kName = "cic.review_held"; };
struct PermanencePlanAgreed : EventBase { static constexpr const char* kName = "cic.permanence_plan_agreed"; };
struct LegalStatusChanged : EventBase { static constexpr const char* kName = "cic.legal_status_changed"; };
struct PlacementStarted : EventBase { static constexpr const char* kName = "cic.placement_started"; };
struct PlacementChanged : EventBase { static constexpr const char* kName = "cic.placement_changed"; };
struct PlacementEnded : EventBase { static constexpr const char* kName = "cic.placement_ended"; };
struct VisitHeld : EventBase { static constexpr const char* kName = "cic.visit_held"; };
struct WentMissing : EventBase { static constexpr const char* kName = "cic.went_missing"; };
struct ReturnedFromMissing : EventBase { static constexpr const char* kName = "cic.returned_from_missing"; };
struct ReturnInterviewHeld : EventBase { static constexpr const char* kName = "cic.return_interview_held"; };
struct HealthAssessmentCompleted : EventBase { static constexpr const char* kName = "cic.health_assessment_completed"; };
struct PepHeld : EventBase { static constexpr const char* kName = "cic.pep_held"; };
struct CeasedLookedAfter : EventBase { static constexpr const char* kName = "cic.ceased_looked_after"; };

struct Context : detail::ContextBase {
  std::string legal_status;
  int reviews = 0;
  bool permanence_plan = false;
  bool long_term = false;
  std::int64_t looked_after_since = 0;
  template <class Io>
  void Fields(Io& io) {
    io("legal_status", legal_status);
    io("reviews", reviews);
    io("permanence_plan", permanence_plan);
    io("long_term", long_term);
    io("looked_after_since", looked_after_since);
  }
};

CASETRAIL_ACTION(StartCare, {
  c.legal_status = *e.action->Param("legal_status");
  c.reviews = 0;
  c.permanence_plan = false;
  c.looked_after_since = at;
  c.Schedule("T-40", at);
  c.Schedule("N-12", at);
  // The first PEP this term, or next term when care starts in a term's last 4 weeks (T-48).
  const Date today = Date::FromTimestampUs(at);
  Date term_end = SchoolTermEnd(today);
  if (today.AddWeeks(4) > term_end) term_end = SchoolTermEnd(term_end.AddDays(1));
  c.ScheduleOn("T-48", at, term_end);
})
CASETRAIL_ACTION(MeetIro, { c.Meet("T-40", at); })
CASETRAIL_ACTION(RecordReview, {
  ++c.reviews;
  c.Meet("N-12", at);
  c.Meet("N-13", at);
  c.Meet("N-14", at);
  if (c.reviews == 2 && !c.permanence_plan) {
    c.Flag("T-42: no permanence plan by the second review");
  }
  c.Schedule(c.reviews == 1 ? "N-13" : "N-14", at);
})
CASETRAIL_ACTION(RecordPermanencePlan, { c.permanence_plan = true; })
CASETRAIL_ACTION(ChangeLegalStatus, { c.legal_status = *e.action->Param("legal_status"); })
CASETRAIL_ACTION(StartPlacement, {
  const std::string* lt = e.action->Param("long_term");
  c.long_term = lt && *lt == "yes";
  c.Cancel("N-19b");
  c.Cancel("N-19c");
  c.Cancel("N-19a");
  c.Schedule("N-19a", at);
})
CASETRAIL_ACTION(EndPlacementVisits, {
  c.Cancel("N-19a");
  c.Cancel("N-19b");
  c.Cancel("N-19c");
})
CASETRAIL_ACTION(RecordVisit, {
  c.Meet("N-19a", at);
  c.Meet("N-19b", at);
  c.Meet("N-19c", at);
  c.Schedule(c.long_term ? "N-19c" : "N-19b", at);
})
CASETRAIL_ACTION(ScheduleReturnInterview, { c.Schedule("T-4A", at); })
CASETRAIL_ACTION(MeetReturnInterview, { c.Meet("T-4A", at); })
CASETRAIL_ACTION(RecordPep, {
  c.Meet("T-48", at);
  c.ScheduleOn("T-48", at, SchoolTermEnd(SchoolTermEnd(Date::FromTimestampUs(at)).AddDays(1)));
})
CASETRAIL_ACTION(RecordHealthAssessment, { c.Meet("T-46", at); c.Schedule("T-46", at); })
CASETRAIL_ACTION(EndCare, { c.CancelAll(); c.legal_status.clear(); })

struct NotLookedAfter : msmf::state<> { static constexpr const char* kName = "NotLookedAfter"; };
struct LookedAfter : msmf::state<> { static constexpr const char* kName = "LookedAfter"; };
struct Placed : msmf::state<> { static constexpr const char* kName = "Placed"; };
struct MissingFromPlacement : msmf::state<> { static constexpr const char* kName = "MissingFromPlacement"; };

struct ChildInCareDef : detail::JourneyDef<ChildInCareDef, Context, NotLookedAfter> {
  static constexpr const char* kJourney = "child_in_care";
  static const std::vector<Permission>& Permissions();
  static const detail::ParamSpecs& Params();

  // clang-format off
  using Rows1 = mpl::vector<
  //    Source                Event                      Target                Action                   Guard
  //   +---------------------+--------------------------+---------------------+------------------------+------+
    Row<NotLookedAfter,       BecameLookedAfter,         LookedAfter,          StartCare,               none>,
  //   +---------------------+--------------------------+---------------------+------------------------+------+
    Row<LookedAfter,          PlacementStarted,          Placed,               StartPlacement,          none>,
    Row<LookedAfter,          IroAllocated,              none,                 MeetIro,                 none>,
    Row<LookedAfter,          ReviewHeld,                none,                 RecordReview,            none>,
    Row<LookedAfter,          PermanencePlanAgreed,      none,                 RecordPermanencePlan,    none>,
    Row<LookedAfter,          LegalStatusChanged,        none,                 ChangeLegalStatus,       none>,
    Row<LookedAfter,          HealthAssessmentCompleted, none,                 RecordHealthAssessment,  none>,
    Row<LookedAfter,          PepHeld,                   none,                 RecordPep,               none>,
    Row<LookedAfter,          CeasedLookedAfter,         NotLookedAfter,       EndCare,                 none>
  >;
  using Rows2 = mpl::vector<
    Row<Placed,               PlacementChanged,          none,                 StartPlacement,          none>,
    Row<Placed,               PlacementEnded,            LookedAfter,          EndPlacementVisits,      none>,
    Row<Placed,               VisitHeld,                 none,                 RecordVisit,             none>,
    Row<Placed,               IroAllocated,              none,                 MeetIro,                 none>,
    Row<Placed,               ReviewHeld,                none,                 RecordReview,            none>,
    Row<Placed,               PermanencePlanAgreed,      none,                 RecordPermanencePlan,    none>,
    Row<Placed,               LegalStatusChanged,        none,                 ChangeLegalStatus,       none>,
    Row<Placed,               HealthAssessmentCompleted, none,                 RecordHealthAssessment,  none>,
    Row<Placed,               PepHeld,                   none,                 RecordPep,               none>,
    Row<Placed,               ReturnInterviewHeld,       none,                 MeetReturnInterview,     none>,
    Row<Placed,               WentMissing,               MissingFromPlacement, none,                    none>,
    Row<Placed,               CeasedLookedAfter,         NotLookedAfter,       EndCare,                 none>,
  //   +---------------------+--------------------------+---------------------+------------------------+------+
    Row<MissingFromPlacement, ReturnedFromMissing,       Placed,               ScheduleReturnInterview, none>,
    Row<MissingFromPlacement, CeasedLookedAfter,         NotLookedAfter,       EndCare,                 none>
  //   +---------------------+--------------------------+---------------------+------------------------+------+
  >;
  // clang-format on
  struct transition_table : mpl::joint_view<Rows1, Rows2> {};

};

// The SSDA903 LS codes: V2, C1, C2, E1, J2, J1, L1, L2; V3, V4 (short breaks, recorded as
// episodes or as an agreement), L3 and J3 (dfe-returns.md 4.4).
const std::set<std::string> kLegalStatuses = {
    "s20", "interim_care_order", "care_order", "placement_order", "pace", "remand",
    "police_protection", "emergency_protection_order", "short_breaks_episodes", "short_breaks_agreement",
    "child_assessment_order", "youth_rehabilitation_order_with_residence"};

std::set<std::string> Words(const std::vector<ChangeReason>& table) {
  std::set<std::string> out;
  for (const auto& r : table) out.insert(r.words);
  return out;
}
const std::set<std::string> kChangeReasons = Words(PlacementChangeReasons());

// A placement's kind, and its detail for the SSDA903 (each optional, checked when given: the
// PLACE code against the kind and the day by the case, PlacementDetailProblem in case.cpp).
std::vector<detail::ParamSpec> PlacementParams(bool change) {
  std::vector<detail::ParamSpec> p = {
      {"placement", {"foster_care", "connected_person", "residential", "placed_with_parents",
                     "placed_for_adoption", "semi_independent", "secure", "other"}},
      {"long_term", {"yes", "no"}},
  };
  if (change) p.push_back({"reason", {}});
  std::set<std::string> codes;
  for (const auto& c : PlacementCodes()) codes.insert(c.code);
  p.push_back({"place", codes, nullptr, nullptr, true});
  p.push_back({"provider", Words(PlacementProviders()), nullptr, nullptr, true});
  p.push_back({"urn", {}, nullptr, nullptr, true});
  p.push_back({"postcode", {}, nullptr, nullptr, true});
  p.push_back({"distance_miles", {}, nullptr, nullptr, true});
  p.push_back({"carer", {}, nullptr, nullptr, true});  // the carer's record (carer-<id>): must be approved (the API checks)
  if (change) {
    p.push_back({"same_carer", {"yes", "no"}, nullptr, nullptr, true});
    p.push_back({"change_reason", kChangeReasons, nullptr, nullptr, true});
  }
  return p;
}

const detail::ParamSpecs& ChildInCareDef::Params() {
  static const detail::ParamSpecs specs = {
      {BecameLookedAfter::kName, {{"legal_status", kLegalStatuses}}},
      {LegalStatusChanged::kName, {{"legal_status", kLegalStatuses}}},
      {PlacementStarted::kName, PlacementParams(false)},
      {PlacementChanged::kName, PlacementParams(true)},
      {PlacementEnded::kName,
       {{"reason", {}},
        {"planned", {"yes", "no"}, nullptr, nullptr, true},
        {"change_reason", kChangeReasons, nullptr, nullptr, true}}},
      {WentMissing::kName, {{"type", {"missing", "away_without_authorisation"}, nullptr, nullptr, true}}},
      {PermanencePlanAgreed::kName,
       {{"plan", {"return_home", "adoption", "special_guardianship", "long_term_foster_care",
                  "child_arrangements_order", "residential", "independence"}}}},
      {CeasedLookedAfter::kName,
       {{"reason", {"returned_home", "adopted", "special_guardianship_order",
                    "child_arrangements_order", "turned_18", "moved_to_independence",
                    "transferred_to_another_authority", "age_assessed_adult", "other"}}}},
  };
  return specs;
}

// Seed-spec 5.2: only an IRO records a looked-after review; auditors never write.
const std::vector<Permission>& ChildInCareDef::Permissions() {
  static const std::vector<Permission> p = {
      {BecameLookedAfter::kName, {"social_worker", "team_manager", "system"}},
      {IroAllocated::kName, {"iro", "team_manager"}},
      {ReviewHeld::kName, {"iro"}},
      {PermanencePlanAgreed::kName, {"team_manager", "iro"}},
      {LegalStatusChanged::kName, {"legal", "social_worker", "system"}},
      {PlacementStarted::kName, {"social_worker", "team_manager", "system"}},
      {PlacementChanged::kName, {"social_worker", "team_manager", "system"}},
      {PlacementEnded::kName, {"social_worker", "team_manager"}},
      {VisitHeld::kName, {"social_worker"}},
      {WentMissing::kName, {"social_worker", "carer_liaison"}},
      {ReturnedFromMissing::kName, {"social_worker", "carer_liaison"}},
      {ReturnInterviewHeld::kName, {"social_worker", "return_interview_worker"}},
      {HealthAssessmentCompleted::kName, {"social_worker", "health"}},
      {PepHeld::kName, {"virtual_school", "social_worker"}},
      {CeasedLookedAfter::kName, {"team_manager", "system"}},
  };
  return p;
}

}  // namespace

std::unique_ptr<Journey> NewChildInCare(const RuleBook& rules) {
  return std::make_unique<detail::MsmJourney<ChildInCareDef>>(rules);
}

}  // namespace casetrail::workflows
