// Carers as a Boost.MSM machine: a foster carer, a connected person or a prospective adopter, from
// the first enquiry to approval and after. Not a child's journey: it decides a carer's own record
// (workflows/own_record.hpp, stream "carer-<id>"); a child's placement or match names the carer.
//
// Foster carers and connected persons are assessed and go to the fostering panel within 16 weeks
// (T-120, CP:677: "the service are currently completing assessments within 8-12 weeks");
// prospective adopters are assessed in two stages taking up to 8 months (the Prospective Adopter
// Report, T-51, SG:345). The panel recommends, the agency decision maker decides. An approved
// carer is reviewed at least yearly (T-121) and has at least one unannounced visit a year
// (T-121u), with monthly supervision (SG:339; an approved adopter waits for a match instead); approval may change (places, ages) and ends with
// deregistration (CP:673), for adopters when their child's adoption order is made.
// Sources: seed-spec SM-22 (SG:339-340, CP:673-695), SM-12 adopter side (SG:345), T-51, T-120,
// T-121.
#include "workflows/detail/msm_support.hpp"

namespace casetrail::workflows {
namespace {

using detail::EventBase;
namespace msmf = detail::msmf;
namespace mpl = detail::mpl;
using msmf::none;
using msmf::Row;

struct EnquiryReceived : EventBase { static constexpr const char* kName = "carer.enquiry_received"; };
struct EnquiryClosed : EventBase { static constexpr const char* kName = "carer.enquiry_closed"; };
struct AssessmentStarted : EventBase { static constexpr const char* kName = "carer.assessment_started"; };
struct StageCompleted : EventBase { static constexpr const char* kName = "carer.assessment_stage_completed"; };
struct PanelRecommended : EventBase { static constexpr const char* kName = "carer.panel_recommended"; };
struct ApprovalDecided : EventBase { static constexpr const char* kName = "carer.approval_decided"; };
struct AssessmentWithdrawn : EventBase { static constexpr const char* kName = "carer.assessment_withdrawn"; };
struct SupervisionHeld : EventBase { static constexpr const char* kName = "carer.supervision_held"; };
struct UnannouncedVisitHeld : EventBase { static constexpr const char* kName = "carer.unannounced_visit_held"; };
struct ReviewHeld : EventBase { static constexpr const char* kName = "carer.review_held"; };
struct ApprovalChanged : EventBase { static constexpr const char* kName = "carer.approval_changed"; };
struct Deregistered : EventBase { static constexpr const char* kName = "carer.deregistered"; };

struct Context : detail::ContextBase {
  std::string kind;   // foster_carer, connected_person, adopter
  int stages = 0;     // PAR stages completed (adopters)
  bool recommended = false;
  template <class Io>
  void Fields(Io& io) {
    io("kind", kind);
    io("stages", stages);
    io("recommended", recommended);
  }
  const char* AssessmentRule() const { return kind == "adopter" ? "T-51" : "T-120"; }
};

// An adopter's Prospective Adopter Report has two stages (SG:345): both before the panel.
struct AssessmentComplete {
  static constexpr const char* kName = "AssessmentComplete(an adopter's two PAR stages, SG:345)";
  template <class E, class F, class S, class T>
  bool operator()(E const&, F& fsm, S&, T&) const { return fsm.ctx.kind != "adopter" || fsm.ctx.stages >= 2; }
};
struct Approved {
  static constexpr const char* kName = "Approved";
  template <class E, class F, class S, class T>
  bool operator()(E const& e, F&, S&, T&) const { return detail::ParamIs(e, "decision", "approved"); }
};
struct NotApproved {
  static constexpr const char* kName = "NotApproved";
  template <class E, class F, class S, class T>
  bool operator()(E const& e, F&, S&, T&) const { return !detail::ParamIs(e, "decision", "approved"); }
};

CASETRAIL_ACTION(Enquire, { c.kind = *e.action->Param("kind"); c.stages = 0; c.recommended = false; })
CASETRAIL_ACTION(StartAssessment, { c.Schedule(c.AssessmentRule(), at); })
CASETRAIL_ACTION(CompleteStage, { c.stages = std::max(c.stages, *e.action->Param("stage") == "2" ? 2 : 1); })
// T-120 runs to the fostering panel; T-51 to the adopter's approval.
CASETRAIL_ACTION(Recommend, {
  c.recommended = detail::ParamIs(e, "recommendation", "approve");
  if (c.kind != "adopter") c.Meet("T-120", at);
})
CASETRAIL_ACTION(Approve, {
  c.Meet("T-51", at);
  if (c.kind != "adopter") {
    c.Schedule("T-121", at);
    c.Schedule("T-121u", at);
  }
})
CASETRAIL_ACTION(Visit, { c.Meet("T-121u", at); c.Schedule("T-121u", at); })
CASETRAIL_ACTION(Review, { c.Meet("T-121", at); c.Schedule("T-121", at); })
CASETRAIL_ACTION(Close, { c.CancelAll(); c.stages = 0; c.recommended = false; })

struct NotACarer : msmf::state<> { static constexpr const char* kName = "NotACarer"; };
struct Enquiry : msmf::state<> { static constexpr const char* kName = "Enquiry"; };
struct InAssessment : msmf::state<> { static constexpr const char* kName = "InAssessment"; };
struct AwaitingDecision : msmf::state<> { static constexpr const char* kName = "AwaitingDecision"; };
struct ApprovedCarer : msmf::state<> { static constexpr const char* kName = "ApprovedCarer"; };
struct Deregistration : msmf::state<> { static constexpr const char* kName = "Deregistered"; };

struct CarersDef : detail::JourneyDef<CarersDef, Context, NotACarer> {
  static constexpr const char* kJourney = "carers";
  static const std::vector<Permission>& Permissions();
  static const detail::ParamSpecs& Params();

  // clang-format off
  struct transition_table : mpl::vector<
  //    Source            Event                 Target            Action           Guard
  //   +-----------------+---------------------+-----------------+----------------+--------------------+
    Row<NotACarer,        EnquiryReceived,      Enquiry,          Enquire,         none>,
    Row<Deregistration,   EnquiryReceived,      Enquiry,          Enquire,         none>,
  //   +-----------------+---------------------+-----------------+----------------+--------------------+
    Row<Enquiry,          AssessmentStarted,    InAssessment,     StartAssessment, none>,
    Row<Enquiry,          EnquiryClosed,        NotACarer,        Close,           none>,
  //   +-----------------+---------------------+-----------------+----------------+--------------------+
    Row<InAssessment,     StageCompleted,       none,             CompleteStage,   none>,
    Row<InAssessment,     PanelRecommended,     AwaitingDecision, Recommend,       AssessmentComplete>,
    Row<InAssessment,     AssessmentWithdrawn,  NotACarer,        Close,           none>,
  //   +-----------------+---------------------+-----------------+----------------+--------------------+
    Row<AwaitingDecision, ApprovalDecided,      ApprovedCarer,    Approve,         Approved>,
    Row<AwaitingDecision, ApprovalDecided,      NotACarer,        Close,           NotApproved>,
  //   +-----------------+---------------------+-----------------+----------------+--------------------+
    Row<ApprovedCarer,    SupervisionHeld,      none,             none,            none>,
    Row<ApprovedCarer,    UnannouncedVisitHeld, none,             Visit,           none>,
    Row<ApprovedCarer,    ReviewHeld,           none,             Review,          none>,
    Row<ApprovedCarer,    ApprovalChanged,      none,             none,            none>,
    Row<ApprovedCarer,    Deregistered,         Deregistration,   Close,           none>
  //   +-----------------+---------------------+-----------------+----------------+--------------------+
  > {};
  // clang-format on
};

const detail::ParamSpecs& CarersDef::Params() {
  static const detail::ParamSpecs specs = {
      {EnquiryReceived::kName,
       {{"kind", {"foster_carer", "connected_person", "adopter"}},
        // The SSDA903's AD1 needs an adopter's household: one adopter or a couple (dfe-returns.md 4.5).
        {"household", {"single", "couple"}}}},
      {EnquiryClosed::kName, {{"reason", {"withdrew", "not_suitable", "other"}}}},
      {StageCompleted::kName, {{"stage", {"1", "2"}}}},
      {PanelRecommended::kName, {{"recommendation", {"approve", "not_approve"}}}},
      // The decision: for an approval, how many children and of what ages (the carer's terms).
      {ApprovalDecided::kName,
       {{"decision", {"approved", "not_approved"}},
        {"places", {"1", "2", "3", "4", "5", "6"}, "decision", "approved"},
        {"ages", {}, "decision", "approved"}}},  // e.g. "0-10"
      {AssessmentWithdrawn::kName, {{"reason", {"withdrew", "not_suitable", "other"}}}},
      {ApprovalChanged::kName, {{"places", {"1", "2", "3", "4", "5", "6"}}, {"ages", {}}}},
      {Deregistered::kName,
       {{"reason", {"resigned", "retired", "standards_of_care", "allegation", "adoption_order_made", "special_guardianship_order",
                    "moved_away", "other"}}}},
  };
  return specs;
}

// The fostering and adoption services assess and support carers; the panel recommends, the
// agency decision maker decides (CP:500, SG:339-340, SG:345); independent reviewing officers of
// foster carers hold the annual review.
const std::vector<Permission>& CarersDef::Permissions() {
  static const std::vector<Permission> p = {
      {EnquiryReceived::kName, {"fostering_worker", "adoption_worker", "connected_persons_worker"}},
      {EnquiryClosed::kName, {"fostering_worker", "adoption_worker", "connected_persons_worker"}},
      {AssessmentStarted::kName, {"fostering_worker", "adoption_worker", "connected_persons_worker"}},
      {StageCompleted::kName, {"adoption_worker"}},
      {PanelRecommended::kName, {"panel_chair"}},
      {ApprovalDecided::kName, {"agency_decision_maker"}},
      {AssessmentWithdrawn::kName, {"fostering_worker", "adoption_worker", "connected_persons_worker"}},
      {SupervisionHeld::kName, {"fostering_worker"}},
      {UnannouncedVisitHeld::kName, {"fostering_worker"}},
      {ReviewHeld::kName, {"reviewing_officer"}},
      {ApprovalChanged::kName, {"agency_decision_maker"}},
      {Deregistered::kName, {"agency_decision_maker"}},
  };
  return p;
}

}  // namespace

std::unique_ptr<Journey> NewCarers(const RuleBook& rules) {
  return std::make_unique<detail::MsmJourney<CarersDef>>(rules);
}

}  // namespace casetrail::workflows
