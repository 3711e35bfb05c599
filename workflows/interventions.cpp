// Interventions and service episodes as a Boost.MSM machine: each service a child is referred
// to (Families Together Plus, multi-systemic therapy, family group conferences, TESS, Lifelong
// Links, ...) runs Referred -> Accepted or Declined -> Active -> Reviewed -> Ended with an
// outcome, several at once; the machine is in InterventionsOpen while any is. Families Together
// Plus lasts at most 12 weeks (T-110), multi-systemic therapy at most 20 (T-111), the youth
// offending prevention offer at most 6 months (T-112).
// Sources: seed-spec SM-21 (SG:237-314, SE:749-1215).
#include <sstream>

#include "workflows/detail/msm_support.hpp"

namespace casetrail::workflows {
namespace {

using detail::EventBase;
namespace msmf = detail::msmf;
namespace mpl = detail::mpl;
using msmf::none;
using msmf::Row;

struct Referred : EventBase { static constexpr const char* kName = "iv.referred"; };
struct Accepted : EventBase { static constexpr const char* kName = "iv.accepted"; };
struct Declined : EventBase { static constexpr const char* kName = "iv.declined"; };
struct Reviewed : EventBase { static constexpr const char* kName = "iv.reviewed"; };
struct Ended : EventBase { static constexpr const char* kName = "iv.ended"; };

// The timescale of a service, if the seeds give one.
const char* RuleOf(const std::string& service) {
  if (service == "families_together_plus") return "T-110";
  if (service == "multi_systemic_therapy") return "T-111";
  if (service == "youth_offending_prevention") return "T-112";
  return nullptr;
}

struct Context : detail::ContextBase {
  std::map<std::string, std::string> services;  // service -> "referred" | "active"
  template <class Io>
  void Fields(Io& io) {
    // One line: "service=status,service=status" (services and statuses are closed word lists).
    std::string text;
    for (const auto& [s, st] : services) text += (text.empty() ? "" : ",") + s + "=" + st;
    io("services", text);
    if constexpr (std::is_same_v<Io, detail::FieldReader>) {
      services.clear();
      std::stringstream in(text);
      for (std::string item; std::getline(in, item, ',');) {
        auto eq = item.find('=');
        if (eq != std::string::npos) services[item.substr(0, eq)] = item.substr(eq + 1);
      }
    }
  }
  const std::string* StatusOf(const EventBase& e) const {
    auto it = services.find(*e.action->Param("service"));
    return it == services.end() ? nullptr : &it->second;
  }
};

struct NotOpen {
  static constexpr const char* kName = "NotOpen(the service is not already open)";
  template <class E, class F, class S, class T>
  bool operator()(E const& e, F& fsm, S&, T&) const { return fsm.ctx.StatusOf(e) == nullptr; }
};
template <bool kLast>
struct ReferredGuard {
  static constexpr const char* kName = kLast ? "ReferredLast(the service is referred, no other is open)"
                                             : "ReferredOthersOpen(the service is referred, another is open)";
  template <class E, class F, class S, class T>
  bool operator()(E const& e, F& fsm, S&, T&) const {
    const std::string* s = fsm.ctx.StatusOf(e);
    return s && *s == "referred" && (fsm.ctx.services.size() == 1) == kLast;
  }
};
template <bool kLast>
struct ActiveGuard {
  static constexpr const char* kName = kLast ? "ActiveLast(the service is active, no other is open)"
                                             : "ActiveOthersOpen(the service is active, another is open)";
  template <class E, class F, class S, class T>
  bool operator()(E const& e, F& fsm, S&, T&) const {
    const std::string* s = fsm.ctx.StatusOf(e);
    return s && *s == "active" && (fsm.ctx.services.size() == 1) == kLast;
  }
};
struct IsReferred {
  static constexpr const char* kName = "IsReferred(the service is referred)";
  template <class E, class F, class S, class T>
  bool operator()(E const& e, F& fsm, S&, T&) const {
    const std::string* s = fsm.ctx.StatusOf(e);
    return s && *s == "referred";
  }
};
struct IsActive {
  static constexpr const char* kName = "IsActive(the service is active)";
  template <class E, class F, class S, class T>
  bool operator()(E const& e, F& fsm, S&, T&) const {
    const std::string* s = fsm.ctx.StatusOf(e);
    return s && *s == "active";
  }
};

CASETRAIL_ACTION(Refer, { c.services[*e.action->Param("service")] = "referred"; })
CASETRAIL_ACTION(Accept, {
  const std::string& service = *e.action->Param("service");
  c.services[service] = "active";
  if (const char* rule = RuleOf(service)) c.Schedule(rule, at);
})
CASETRAIL_ACTION(Close, {
  const std::string& service = *e.action->Param("service");
  if (const char* rule = RuleOf(service)) c.Meet(rule, at);
  c.services.erase(service);
})

struct NoIntervention : msmf::state<> { static constexpr const char* kName = "NoIntervention"; };
struct InterventionsOpen : msmf::state<> { static constexpr const char* kName = "InterventionsOpen"; };

struct InterventionsDef : detail::JourneyDef<InterventionsDef, Context, NoIntervention> {
  static constexpr const char* kJourney = "interventions";
  static const std::vector<Permission>& Permissions();
  static const detail::ParamSpecs& Params();

  // clang-format off
  struct transition_table : mpl::vector<
  //    Source             Event     Target             Action  Guard
  //   +------------------+---------+------------------+-------+----------------------+
    Row<NoIntervention,    Referred, InterventionsOpen, Refer,  none>,
  //   +------------------+---------+------------------+-------+----------------------+
    Row<InterventionsOpen, Referred, none,              Refer,  NotOpen>,
    Row<InterventionsOpen, Accepted, none,              Accept, IsReferred>,
    Row<InterventionsOpen, Declined, NoIntervention,    Close,  ReferredGuard<true>>,
    Row<InterventionsOpen, Declined, none,              Close,  ReferredGuard<false>>,
    Row<InterventionsOpen, Reviewed, none,              none,   IsActive>,
    Row<InterventionsOpen, Ended,    NoIntervention,    Close,  ActiveGuard<true>>,
    Row<InterventionsOpen, Ended,    none,              Close,  ActiveGuard<false>>
  //   +------------------+---------+------------------+-------+----------------------+
  > {};
  // clang-format on
};

const std::set<std::string> kServices = {
    "families_together", "families_together_plus", "multi_systemic_therapy", "family_group_conference",
    "family_connectors", "lifelong_links", "tess", "family_time", "parenting_assessment",
    "youth_offending_service", "youth_offending_prevention", "harmful_sexual_behaviour", "prevent_channel",
    "advocacy", "independent_visitor", "breaking_the_cycle", "domestic_abuse_service", "mentoring", "edge_of_care"};

const detail::ParamSpecs& InterventionsDef::Params() {
  static const detail::ParamSpecs specs = {
      {Referred::kName, {{"service", kServices}}},
      {Accepted::kName, {{"service", kServices}}},
      {Declined::kName, {{"service", kServices}, {"reason", {"not_eligible", "family_declined", "no_capacity", "other"}}}},
      {Reviewed::kName, {{"service", kServices}}},
      {Ended::kName, {{"service", kServices}, {"outcome", {"goals_met", "goals_partly_met", "goals_not_met", "disengaged", "other"}}}},
  };
  return specs;
}

// Seed-spec SM-21: the child's worker refers; the service (its worker or manager) accepts,
// reviews and ends.
const std::vector<Permission>& InterventionsDef::Permissions() {
  static const std::vector<Permission> p = {
      {Referred::kName, {"social_worker", "early_help_worker", "family_support_worker", "personal_adviser", "team_manager"}},
      {Accepted::kName, {"intervention_worker", "team_manager"}},
      {Declined::kName, {"intervention_worker", "team_manager"}},
      {Reviewed::kName, {"intervention_worker", "social_worker"}},
      {Ended::kName, {"intervention_worker", "team_manager"}},
  };
  return p;
}

}  // namespace

std::unique_ptr<Journey> NewInterventions(const RuleBook& rules) {
  return std::make_unique<detail::MsmJourney<InterventionsDef>>(rules);
}

}  // namespace casetrail::workflows
