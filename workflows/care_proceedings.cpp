// Care proceedings as a Boost.MSM machine: application issued (day 1 of 26 weeks) -> case
// management -> issues resolution -> final order; interim orders, extensions of up to 8 weeks
// each with a reason, withdrawal; the FDAC variant with fortnightly judicial reviews.
// Sources: seed-spec SM-08 (CP:1124, SE:1180-1182, SG:291-293); statutory-rules.md rows 27-34
// (CA 1989 s32, PD12A, HMCTS hearing types).
#include <boost/mpl/joint_view.hpp>

#include "workflows/detail/msm_support.hpp"

namespace casetrail::workflows {
namespace {

using detail::EventBase;
namespace msmf = detail::msmf;
namespace mpl = detail::mpl;
using msmf::none;
using msmf::Row;

struct ApplicationIssued : EventBase { static constexpr const char* kName = "court.application_issued"; };
struct HearingHeld : EventBase { static constexpr const char* kName = "court.hearing_held"; };
struct InterimOrderMade : EventBase { static constexpr const char* kName = "court.interim_order_made"; };
struct ExtensionGranted : EventBase { static constexpr const char* kName = "court.extension_granted"; };
struct FdacReviewHeld : EventBase { static constexpr const char* kName = "court.fdac_review_held"; };
struct FinalOrderMade : EventBase { static constexpr const char* kName = "court.final_order_made"; };
struct ApplicationWithdrawn : EventBase { static constexpr const char* kName = "court.application_withdrawn"; };

struct Context : detail::ContextBase {
  std::int64_t issued = 0;
  int extension_weeks = 0;
  template <class Io>
  void Fields(Io& io) {
    io("issued", issued);
    io("extension_weeks", extension_weeks);
  }
};

CASETRAIL_PARAM_GUARD(StandardTrack, "track", "standard")
CASETRAIL_PARAM_GUARD(FdacTrack, "track", "fdac")
CASETRAIL_PARAM_GUARD(CaseManagementHearing, "hearing", "case_management")
CASETRAIL_PARAM_GUARD(FurtherCaseManagementHearing, "hearing", "further_case_management")
CASETRAIL_PARAM_GUARD(IssuesResolutionHearing, "hearing", "issues_resolution")

CASETRAIL_ACTION(StartTimetable, {
  c.issued = at;
  c.extension_weeks = 0;
  c.Schedule("T-32", at);
})
// An extension moves the 26-week date by the weeks granted (at most 8 each: CA 1989 s32(8)).
CASETRAIL_ACTION(ExtendTimetable, {
  auto it = c.open.find("T-32");
  if (it != c.open.end()) {
    const int weeks = std::stoi(*e.action->Param("weeks"));
    c.extension_weeks += weeks;
    it->second.due_date = it->second.due_date.AddWeeks(weeks);
    it->second.due_by_us = it->second.due_date.AddDays(1).StartUs();
    it->second.breached_at_us = 0;  // extended after a breach: the new date can be breached again
    c.verdict->deadlines.push_back({DeadlineEffect::Kind::kScheduled, it->second});
  }
})
CASETRAIL_ACTION(CloseProceedings, { c.Meet("T-32", at); c.CancelAll(); })

struct NoProceedings : msmf::state<> { static constexpr const char* kName = "NoProceedings"; };
struct Issued : msmf::state<> { static constexpr const char* kName = "Issued"; };
struct CaseManagement : msmf::state<> { static constexpr const char* kName = "CaseManagement"; };
struct IssuesResolution : msmf::state<> { static constexpr const char* kName = "IssuesResolution"; };
struct FdacProceedings : msmf::state<> { static constexpr const char* kName = "FdacProceedings"; };

struct CareProceedingsDef : detail::JourneyDef<CareProceedingsDef, Context, NoProceedings> {
  static constexpr const char* kJourney = "care_proceedings";
  static const std::vector<Permission>& Permissions();
  static const detail::ParamSpecs& Params();

  // More than 20 rows: chunks of at most 20 joined with joint_view (STACK-NOTES 2).
  // clang-format off
  using Rows1 = mpl::vector<
  //    Source            Event                 Target            Action            Guard
  //   +-----------------+---------------------+-----------------+-----------------+------------------------------+
    Row<NoProceedings,    ApplicationIssued,    Issued,           StartTimetable,   StandardTrack>,
    Row<NoProceedings,    ApplicationIssued,    FdacProceedings,  StartTimetable,   FdacTrack>,
  //   +-----------------+---------------------+-----------------+-----------------+------------------------------+
    Row<Issued,           HearingHeld,          CaseManagement,   none,             CaseManagementHearing>,
    Row<Issued,           InterimOrderMade,     none,             none,             none>,
    Row<Issued,           ExtensionGranted,     none,             ExtendTimetable,  none>,
    Row<Issued,           ApplicationWithdrawn, NoProceedings,    CloseProceedings, none>,
  //   +-----------------+---------------------+-----------------+-----------------+------------------------------+
    Row<CaseManagement,   HearingHeld,          none,             none,             FurtherCaseManagementHearing>,
    Row<CaseManagement,   HearingHeld,          IssuesResolution, none,             IssuesResolutionHearing>,
    Row<CaseManagement,   InterimOrderMade,     none,             none,             none>,
    Row<CaseManagement,   ExtensionGranted,     none,             ExtendTimetable,  none>,
    Row<CaseManagement,   FinalOrderMade,       NoProceedings,    CloseProceedings, none>,
    Row<CaseManagement,   ApplicationWithdrawn, NoProceedings,    CloseProceedings, none>
  >;
  using Rows2 = mpl::vector<
    Row<IssuesResolution, InterimOrderMade,     none,             none,             none>,
    Row<IssuesResolution, ExtensionGranted,     none,             ExtendTimetable,  none>,
    Row<IssuesResolution, FinalOrderMade,       NoProceedings,    CloseProceedings, none>,
    Row<IssuesResolution, ApplicationWithdrawn, NoProceedings,    CloseProceedings, none>,
  //   +-----------------+---------------------+-----------------+-----------------+------------------------------+
    Row<FdacProceedings,  FdacReviewHeld,       none,             none,             none>,
    Row<FdacProceedings,  InterimOrderMade,     none,             none,             none>,
    Row<FdacProceedings,  ExtensionGranted,     none,             ExtendTimetable,  none>,
    Row<FdacProceedings,  FinalOrderMade,       NoProceedings,    CloseProceedings, none>,
    Row<FdacProceedings,  ApplicationWithdrawn, NoProceedings,    CloseProceedings, none>
  //   +-----------------+---------------------+-----------------+-----------------+------------------------------+
  >;
  // clang-format on
  struct transition_table : mpl::joint_view<Rows1, Rows2> {};

};

const detail::ParamSpecs& CareProceedingsDef::Params() {
  static const detail::ParamSpecs specs = {
      // The court and the first hearing's date are recorded when known (the PLO board shows them).
      {ApplicationIssued::kName,
       {{"track", {"standard", "fdac"}},
        {"court", {}, nullptr, nullptr, true},
        {"next_hearing", detail::kListedDateParam, nullptr, nullptr, true}}},
      {HearingHeld::kName,
       {{"hearing", {"case_management", "further_case_management", "issues_resolution"}},
        {"next_hearing", detail::kListedDateParam, nullptr, nullptr, true}}},
      {InterimOrderMade::kName, {{"order", {"interim_care_order", "interim_supervision_order"}}}},
      {ExtensionGranted::kName,
       {{"weeks", {"1", "2", "3", "4", "5", "6", "7", "8"}}, {"reason", {}}}},
      {FinalOrderMade::kName,
       {{"order", {"care_order", "supervision_order", "placement_order",
                   "special_guardianship_order", "child_arrangements_order", "no_order"}}}},
      {ApplicationWithdrawn::kName, {{"reason", {}}}},
  };
  return specs;
}

const std::vector<Permission>& CareProceedingsDef::Permissions() {
  static const std::vector<Permission> p = {
      {ApplicationIssued::kName, {"legal"}},
      {HearingHeld::kName, {"legal", "case_progression_officer"}},
      {InterimOrderMade::kName, {"legal", "case_progression_officer"}},
      {ExtensionGranted::kName, {"legal", "case_progression_officer"}},
      {FdacReviewHeld::kName, {"legal", "social_worker", "case_progression_officer"}},
      {FinalOrderMade::kName, {"legal", "case_progression_officer"}},
      {ApplicationWithdrawn::kName, {"legal"}},
  };
  return p;
}

}  // namespace

std::unique_ptr<Journey> NewCareProceedings(const RuleBook& rules) {
  return std::make_unique<detail::MsmJourney<CareProceedingsDef>>(rules);
}

}  // namespace casetrail::workflows
