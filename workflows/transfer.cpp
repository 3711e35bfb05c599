// Transfer of a child between teams as a Boost.MSM machine: completed within 2 weeks, with at
// least one joint visit, a record summary updated within the last month, and never without a
// named lead worker. Sources: seed-spec SM-13 (SG:400-412).
#include "workflows/detail/msm_support.hpp"

namespace casetrail::workflows {
namespace {

using detail::EventBase;
namespace msmf = detail::msmf;
namespace mpl = detail::mpl;
using msmf::none;
using msmf::Row;

struct TransferRequested : EventBase { static constexpr const char* kName = "tr.transfer_requested"; };
struct JointVisitHeld : EventBase { static constexpr const char* kName = "tr.joint_visit_held"; };
struct SummaryUpdated : EventBase { static constexpr const char* kName = "tr.summary_updated"; };
struct TransferCompleted : EventBase { static constexpr const char* kName = "tr.transfer_completed"; };
struct TransferCancelled : EventBase { static constexpr const char* kName = "tr.transfer_cancelled"; };

struct Context : detail::ContextBase {
  int joint_visits = 0;
  std::int64_t summary_updated = 0;
  std::string to_team;
  template <class Io>
  void Fields(Io& io) {
    io("joint_visits", joint_visits);
    io("summary_updated", summary_updated);
    io("to_team", to_team);
  }
};

// Every condition of the transfer standard, so a refusal names the one that failed.
struct TransferStandardMet {
  static constexpr const char* kName = "TransferStandardMet(joint visit, summary within a month, lead worker)";
  template <class E, class F, class S, class T>
  bool operator()(E const& e, F& fsm, S&, T&) const {
    const auto& c = fsm.ctx;
    if (c.joint_visits < 1 || c.summary_updated == 0) return false;
    auto window = c.rules->Due("T-71", c.summary_updated, c.edition);
    return window.ok() && window->MetBy(e.action->occurred_at_us) && e.action->Param("lead_worker");
  }
};

CASETRAIL_ACTION(StartTransfer, {
  c.joint_visits = 0;
  c.summary_updated = 0;
  c.to_team = *e.action->Param("to_team");
  c.Schedule("T-70", at);
})
CASETRAIL_ACTION(CountJointVisit, { ++c.joint_visits; })
CASETRAIL_ACTION(RecordSummary, { c.summary_updated = at; })
CASETRAIL_ACTION(FinishTransfer, { c.Meet("T-70", at); c.CancelAll(); })
CASETRAIL_ACTION(AbandonTransfer, { c.CancelAll(); })

struct NoTransfer : msmf::state<> { static constexpr const char* kName = "NoTransfer"; };
struct TransferPending : msmf::state<> { static constexpr const char* kName = "TransferPending"; };

struct TransferDef : detail::JourneyDef<TransferDef, Context, NoTransfer> {
  static constexpr const char* kJourney = "transfer";
  static const std::vector<Permission>& Permissions();
  static const detail::ParamSpecs& Params();

  // clang-format off
  struct transition_table : mpl::vector<
  //    Source           Event              Target           Action           Guard
  //   +----------------+------------------+----------------+----------------+---------------------+
    Row<NoTransfer,      TransferRequested, TransferPending, StartTransfer,   none>,
    Row<TransferPending, JointVisitHeld,    none,            CountJointVisit, none>,
    Row<TransferPending, SummaryUpdated,    none,            RecordSummary,   none>,
    Row<TransferPending, TransferCompleted, NoTransfer,      FinishTransfer,  TransferStandardMet>,
    Row<TransferPending, TransferCancelled, NoTransfer,      AbandonTransfer, none>
  //   +----------------+------------------+----------------+----------------+---------------------+
  > {};
  // clang-format on

};

const detail::ParamSpecs& TransferDef::Params() {
  static const detail::ParamSpecs specs = {
      {TransferRequested::kName, {{"to_team", {}}}},
      {TransferCompleted::kName, {{"lead_worker", {}}}},
      {TransferCancelled::kName, {{"reason", {}}}},
  };
  return specs;
}

const std::vector<Permission>& TransferDef::Permissions() {
  static const std::vector<Permission> p = {
      {TransferRequested::kName, {"team_manager"}},
      {JointVisitHeld::kName, {"social_worker"}},
      {SummaryUpdated::kName, {"social_worker"}},
      {TransferCompleted::kName, {"team_manager"}},
      {TransferCancelled::kName, {"team_manager"}},
  };
  return p;
}

}  // namespace

std::unique_ptr<Journey> NewTransfer(const RuleBook& rules) {
  return std::make_unique<detail::MsmJourney<TransferDef>>(rules);
}

}  // namespace casetrail::workflows
