// Shared machinery for the journey translation units: naming, describing a transition table,
// and reading the active state. Include only from a machine's .cpp (it pulls in Boost.MSM).
#pragma once

#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/back/tools.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/msm/back/queue_container_circular.hpp>
#include <boost/msm/front/state_machine_def.hpp>
#include <boost/mpl/for_each.hpp>
#include <boost/mpl/vector.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/hash.hpp"
#include "workflows/detail/saved_fields.hpp"
#include "workflows/journey.hpp"

namespace casetrail::workflows::detail {

namespace msmf = boost::msm::front;
namespace mpl = boost::mpl;

// Every event carries the Action it was made from (guards read its parameters).
struct EventBase {
  const Action* action;
};

template <typename T>
std::string NameOf() {
  if constexpr (std::is_same_v<T, msmf::none>) {
    return "";
  } else {
    return T::kName;
  }
}

// Fills a TableDescription from an MSM transition table.
template <typename Fsm>
struct RowCollector {
  TableDescription* out;
  template <typename Row>
  void operator()(boost::msm::wrap<Row> const&) const {
    TransitionRow r;
    r.source = NameOf<typename Row::Source>();
    r.action = NameOf<typename Row::Evt>();
    // MSM's Row<S, E, none, ...> sets Target = Source; only its tag says it is internal.
    using Tag = typename Row::row_type_tag;
    r.internal = std::is_same_v<Tag, boost::msm::a_irow_tag> ||
                 std::is_same_v<Tag, boost::msm::g_irow_tag> ||
                 std::is_same_v<Tag, boost::msm::irow_tag> ||
                 std::is_same_v<Tag, boost::msm::_irow_tag>;
    r.target = NameOf<typename Row::Target>();
    r.guard = NameOf<typename Row::Guard>();
    r.effect = NameOf<typename Row::Action>();
    out->rows.push_back(std::move(r));
  }
};

template <typename Stt>
struct StateNameCollector {
  std::vector<std::string>* names;
  template <typename State>
  void operator()(boost::msm::wrap<State> const&) const {
    const int id = boost::msm::back::get_state_id<Stt, State>::value;
    if (names->size() <= static_cast<std::size_t>(id)) names->resize(id + 1);
    (*names)[id] = State::kName;
  }
};

template <typename Machine>
TableDescription Describe(const std::string& journey) {
  using Stt = typename Machine::stt;
  TableDescription t;
  t.journey = journey;
  // The front-end table: its rows keep Source, Evt, Target, Action and Guard.
  using FrontTable = typename Machine::transition_table;
  mpl::for_each<FrontTable, boost::msm::wrap<mpl::placeholders::_1>>(RowCollector<Machine>{&t});
  using States = typename boost::msm::back::generate_state_set<Stt>::type;
  mpl::for_each<States, boost::msm::wrap<mpl::placeholders::_1>>(StateNameCollector<Stt>{&t.states});
  t.initial_state = Machine::initial_state::kName;
  std::string text = journey + "\n";
  for (const auto& r : t.rows) {
    bool seen = false;
    for (const auto& a : t.actions) seen |= (a == r.action);
    if (!seen) t.actions.push_back(r.action);
    text += r.source + "|" + r.action + "|" + r.target + "|" + r.guard + "|" + r.effect + "\n";
  }
  t.fingerprint = Sha256Hex(text);
  return t;
}

// State names by MSM id, in the order MSM numbers them (in memory only: never persisted).
template <typename Machine>
const std::vector<std::string>& StateNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    using Stt = typename Machine::stt;
    using States = typename boost::msm::back::generate_state_set<Stt>::type;
    mpl::for_each<States, boost::msm::wrap<mpl::placeholders::_1>>(StateNameCollector<Stt>{&n});
    return n;
  }();
  return names;
}

// The data every journey keeps beside its machine: the rules, the open deadlines, and the
// verdict being built by the current Apply (actions add their effects to it).
struct ContextBase {
  const RuleBook* rules = nullptr;
  Verdict* verdict = nullptr;
  int edition = kCurrentEdition;  // the rule edition of the action being applied
  std::map<std::string, Deadline> open;

  void Schedule(const std::string& rule, std::int64_t from) {
    auto d = rules->Due(rule, from, edition);
    if (!d.ok()) return;  // outside the calendar's years: nothing can be scheduled
    open[rule] = *d;
    verdict->deadlines.push_back({DeadlineEffect::Kind::kScheduled, *d});
  }
  // A deadline whose date is not a plain timescale (a term end, a birthday).
  void ScheduleOn(const std::string& rule, std::int64_t from, Date due) {
    Deadline d;
    d.rule_id = rule;
    d.rule_version = rules->VersionOn(Date::FromTimestampUs(from), edition).value_or("");
    d.start_us = from;
    d.due_date = due;
    d.due_by_us = due.AddDays(1).StartUs();
    open[rule] = d;
    verdict->deadlines.push_back({DeadlineEffect::Kind::kScheduled, d});
  }
  void Meet(const std::string& rule, std::int64_t at) {
    auto it = open.find(rule);
    if (it == open.end()) return;
    const bool in_time = it->second.MetBy(at);
    // Recorded late, but it happened in time: the breach the scheduler wrote no longer holds
    // (withdrawn first, so the deadline closes as met with no breach standing).
    if (in_time && it->second.breached_at_us != 0) {
      verdict->deadlines.push_back({DeadlineEffect::Kind::kBreachCancelled, it->second});
    }
    verdict->deadlines.push_back(
        {in_time ? DeadlineEffect::Kind::kMet : DeadlineEffect::Kind::kMetLate, it->second});
    open.erase(it);
  }
  void Cancel(const std::string& rule) {
    auto it = open.find(rule);
    if (it == open.end()) return;
    verdict->deadlines.push_back({DeadlineEffect::Kind::kCancelled, it->second});
    open.erase(it);
  }
  void CancelAll() {
    for (auto& [rule, d] : open) verdict->deadlines.push_back({DeadlineEffect::Kind::kCancelled, d});
    open.clear();
  }
  void Flag(std::string text) { verdict->flags_raised.push_back(std::move(text)); }
};

inline bool ParamIs(const EventBase& e, const char* key, const char* value) {
  const std::string* v = e.action->Param(key);
  return v && *v == value;
}

// What an action needs, checked before the machine sees it (so guards stay total).
struct ParamSpec {
  const char* key;
  // empty: any non-empty text; kDateParam: a YYYY-MM-DD date not after the action (a date
  // something was done); kListedDateParam: a date on or after the action's day (a date something
  // is listed for, e.g. the next hearing)
  std::set<std::string> allowed;
  const char* only_if_key = nullptr;
  const char* only_if_value = nullptr;
  bool optional = false;  // may be left out; checked when given
};
inline const std::set<std::string> kDateParam = {"<date>"};
inline const std::set<std::string> kListedDateParam = {"<listed date>"};

// The date in parameter `key` (validated by the facade before any action runs).
inline Date DateParam(const EventBase& e, const char* key) {
  return std::move(Date::Parse(*e.action->Param(key), key)).value();
}
using ParamSpecs = std::map<std::string, std::vector<ParamSpec>>;

// A guard that holds when parameter `key` equals `value`.
#define CASETRAIL_PARAM_GUARD(Name, key, value)                 \
  struct Name {                                                 \
    static constexpr const char* kName = #Name;                 \
    template <class E, class F, class S, class T>               \
    bool operator()(E const& e, F&, S&, T&) const {             \
      return ::casetrail::workflows::detail::ParamIs(e, key, value); \
    }                                                           \
  };

// An action functor with `c` (the machine's context) and `at` (the event's business time).
#define CASETRAIL_ACTION(Name, ...)                             \
  struct Name {                                                 \
    static constexpr const char* kName = #Name;                 \
    template <class E, class F, class S, class T>               \
    void operator()(E const& e, F& fsm, S&, T&) const {         \
      auto& c = fsm.ctx;                                        \
      const std::int64_t at = e.action->occurred_at_us;         \
      (void)at;                                                 \
      (void)c;                                                  \
      __VA_ARGS__                                               \
    }                                                           \
  };

// Reaches the machine's active-state array through MSM's own serialization hook
// (state_machine::serialize does `ar & m_states` first): snapshots store the state by name
// and restore it here, without touching MSM's internals any other way.
struct ActiveStateProbe {
  int* states = nullptr;
  template <class T>
  ActiveStateProbe& operator&(T& t) {
    if constexpr (std::is_same_v<T, int[1]>) {
      if (!states) states = t;
    }
    return *this;
  }
};

// Dispatches an Action to the MSM event of the same name.
template <typename Machine>
struct Dispatcher {
  Machine* m;
  const Action* a;
  boost::msm::back::HandledEnum* result;
  bool* done;
  template <typename Row>
  void operator()(boost::msm::wrap<Row> const&) const {
    using Evt = typename Row::Evt;
    if (*done || a->name != Evt::kName) return;
    *done = true;
    Evt e;
    e.action = a;
    *result = m->process_event(e);
  }
};

// The common part of every machine definition: its initial state, its context and the override
// of no_transition (a refused action is a value, never MSM's default assert; STYLE 10).
template <typename Derived, typename Ctx, typename Initial>
struct JourneyDef : msmf::state_machine_def<Derived> {
  using initial_state = Initial;
  // No action posts events from inside a transition, so MSM's event queue (a std::deque, two
  // allocations each time a machine is built or copied) is left out; see also MsmJourney::Machine.
  using no_message_queue = int;
  Ctx ctx;
  int rejected_state = -1;
  template <class Fsm, class Event>
  void no_transition(Event const&, Fsm&, int state) {
    rejected_state = state;
  }
};

// The Journey facade for any machine definition `Def` that provides:
//   static constexpr const char* kJourney;      the journey's stable name
//   static const std::vector<Permission>& Permissions();
//   static const ParamSpecs& Params();
//   a member `ctx` derived from ContextBase, and `int rejected_state` set by no_transition.
template <typename Def>
class MsmJourney final : public Journey {
 public:
  // The deferred-events queue as an empty boost::circular_buffer (no state defers events): a
  // std::deque allocates on construction, and a case builds a machine per journey for each child it loads.
  using Machine = boost::msm::back::state_machine<Def, boost::msm::back::queue_container_circular>;

  explicit MsmJourney(const RuleBook& rules) {
    machine_.ctx.rules = &rules;
    machine_.start();
  }

  const TableDescription& Table() const override {
    static const TableDescription t = Describe<Machine>(Def::kJourney);
    return t;
  }
  const std::vector<Permission>& Permissions() const override { return Def::Permissions(); }
  const std::vector<ParamRule>& ParamRules() const override {
    static const std::vector<ParamRule> rules = [] {
      std::vector<ParamRule> out;
      for (const auto& [action, specs] : Def::Params()) {
        for (const ParamSpec& s : specs) {
          ParamRule r;
          r.action = action;
          r.name = s.key;
          const bool date = s.allowed == kDateParam || s.allowed == kListedDateParam;
          r.kind = s.allowed.empty() ? ParamRule::Kind::kText
                   : date            ? ParamRule::Kind::kDate
                                     : ParamRule::Kind::kChoice;
          r.optional = s.optional;
          r.listed_date = s.allowed == kListedDateParam;
          if (r.kind == ParamRule::Kind::kChoice) r.choices.assign(s.allowed.begin(), s.allowed.end());
          if (s.only_if_key) r.only_if_param = s.only_if_key;
          if (s.only_if_value) r.only_if_values = {s.only_if_value};
          out.push_back(std::move(r));
        }
      }
      return out;
    }();
    return rules;
  }
  std::string State() const override {
    return StateNames<Machine>()[static_cast<std::size_t>(machine_.current_state()[0])];
  }
  std::vector<std::string> AllowedActions() const override {
    // Per state, computed once from the transition table (every command's answer lists them).
    static const std::vector<std::vector<std::string>> by_state = [this] {
      const auto& names = StateNames<Machine>();
      std::vector<std::vector<std::string>> out(names.size());
      for (std::size_t k = 0; k < names.size(); ++k) {
        for (const auto& r : Table().rows) {
          if (r.source != names[k]) continue;
          bool seen = false;
          for (const auto& x : out[k]) seen |= (x == r.action);
          if (!seen) out[k].push_back(r.action);
        }
      }
      return out;
    }();
    return by_state[static_cast<std::size_t>(machine_.current_state()[0])];
  }
  std::vector<Deadline> OpenDeadlines() const override {
    std::vector<Deadline> out;
    for (const auto& [rule, d] : machine_.ctx.open) out.push_back(d);
    return out;
  }
  bool Reschedule(const Deadline& d) override {
    auto it = machine_.ctx.open.find(d.rule_id);
    if (it == machine_.ctx.open.end()) return false;
    it->second = d;
    return true;
  }
  std::unique_ptr<Journey> Clone() const override { return std::make_unique<MsmJourney>(*this); }
  Def& definition() { return machine_; }

  std::string Save() const override {
    FieldWriter w;
    w.Raw("journey", Def::kJourney);
    w.Raw("state", State());
    w("open", static_cast<int>(machine_.ctx.open.size()));
    int i = 0;
    for (const auto& [rule, d] : machine_.ctx.open) w(("open." + std::to_string(i++)).c_str(), d);
    auto& ctx = const_cast<decltype(machine_.ctx)&>(machine_.ctx);
    ctx.Fields(w);  // Fields only reads when given a writer
    return std::move(w).str();
  }

  Status Load(std::string_view saved) override {
    FieldReader r(saved);
    if (!r.ok()) return r.status();
    const std::string* journey = r.Find("journey");
    if (!journey || *journey != Def::kJourney) {
      return Status::Corruption(std::string("snapshot is not of journey ") + Def::kJourney);
    }
    const std::string* state = r.Find("state");
    const auto& names = StateNames<Machine>();
    int id = -1;
    for (std::size_t k = 0; state && k < names.size(); ++k) {
      if (names[k] == *state) id = static_cast<int>(k);
    }
    if (id < 0) {
      return Status::Corruption(std::string("snapshot names state '") + (state ? *state : "") +
                                "' that " + Def::kJourney + " does not have");
    }
    auto ctx = machine_.ctx;
    ctx.open.clear();
    int n = 0;
    r("open", n);
    for (int i = 0; i < n; ++i) {
      Deadline d;
      r(("open." + std::to_string(i)).c_str(), d);
      ctx.open[d.rule_id] = d;
    }
    ctx.Fields(r);
    if (!r.ok()) return r.status();
    ActiveStateProbe probe;
    machine_.serialize(probe, 0);
    if (!probe.states) return Status::Corruption("the machine's state could not be restored");
    probe.states[0] = id;
    machine_.ctx = std::move(ctx);
    return Status::Ok();
  }

  Verdict Apply(const Action& a) override {
    Verdict v;
    v.from_state = v.to_state = State();
    auto refuse = [&](const char* rule, std::string reason) {
      v.rule = rule;
      v.reason = std::move(reason);
      return v;
    };
    const Permission* perm = nullptr;
    for (const auto& p : Permissions()) {
      if (p.action == a.name) perm = &p;
    }
    if (!perm) {
      return refuse("no_transition", "'" + a.name + "' is not an action of " + Def::kJourney);
    }
    bool role_ok = false;
    for (const auto& r : perm->roles) role_ok |= (r == a.role);
    if (!role_ok) {
      std::string roles;
      for (const auto& r : perm->roles) roles += (roles.empty() ? "" : ", ") + r;
      return refuse("forbidden_role", "'" + a.name + "' may be recorded only by: " + roles +
                                          " (not " + (a.role.empty() ? "no role" : a.role) + ")");
    }
    bool has_row = false;
    for (const auto& r : Table().rows) has_row |= (r.source == v.from_state && r.action == a.name);
    if (!has_row) {
      return refuse("no_transition", "'" + a.name + "' is not allowed in state " + v.from_state);
    }
    if (auto it = Def::Params().find(a.name); it != Def::Params().end()) {
      for (const ParamSpec& s : it->second) {
        if (s.only_if_key &&
            !(a.Param(s.only_if_key) && *a.Param(s.only_if_key) == s.only_if_value)) {
          continue;
        }
        const std::string* val = a.Param(s.key);
        if ((!val || val->empty()) && s.optional) continue;
        if (!val || val->empty()) {
          return refuse("invalid_parameter",
                        std::string("'") + s.key + "' is required for '" + a.name + "'");
        }
        if (s.allowed == kDateParam || s.allowed == kListedDateParam) {
          auto d = Date::Parse(*val, s.key);
          if (!d.ok()) return refuse("invalid_parameter", "'" + std::string(s.key) + "' " + d.status().message());
          // A date something was done is not after the action; a date listed ahead not before it.
          if (s.allowed == kDateParam && d->StartUs() > a.occurred_at_us) {
            return refuse("invalid_parameter", "'" + std::string(s.key) + "' is after the action itself");
          }
          if (s.allowed == kListedDateParam && *d < Date::FromTimestampUs(a.occurred_at_us)) {
            return refuse("invalid_parameter", "'" + std::string(s.key) + "' is before the action itself");
          }
          continue;
        }
        if (!s.allowed.empty() && !s.allowed.count(*val)) {
          std::string allowed;
          for (const auto& x : s.allowed) allowed += (allowed.empty() ? "" : ", ") + x;
          return refuse("invalid_parameter", std::string("'") + s.key + "' must be one of: " +
                                                 allowed + " (got '" + *val + "')");
        }
      }
    }
    // The machine decides. A refusal changes nothing: MSM runs no action and leaves the state
    // when no row fires, and all of the journey's data changes in actions.
    machine_.ctx.verdict = &v;
    machine_.ctx.edition = a.rules_edition;
    machine_.rejected_state = -1;
    boost::msm::back::HandledEnum handled = boost::msm::back::HANDLED_FALSE;
    bool done = false;
    mpl::for_each<typename Machine::transition_table, boost::msm::wrap<mpl::placeholders::_1>>(
        Dispatcher<Machine>{&machine_, &a, &handled, &done});
    machine_.ctx.verdict = nullptr;
    if (handled == boost::msm::back::HANDLED_TRUE) {
      v.accepted = true;
      v.to_state = State();
      for (const auto& r : Table().rows) {
        if (r.source == v.from_state && r.action == a.name && r.target == v.to_state) {
          v.guard = r.guard;
        }
      }
      return v;
    }
    Verdict refused;
    refused.from_state = refused.to_state = v.from_state;
    std::string guards;
    for (const auto& r : Table().rows) {
      if (r.source == v.from_state && r.action == a.name && !r.guard.empty()) {
        guards += (guards.empty() ? "" : ", ") + r.guard;
      }
    }
    refused.rule = "guard_failed";
    refused.guard = guards;
    refused.reason = "'" + a.name + "' in state " + v.from_state + ": no guard held (" + guards + ")";
    return refused;
  }

 private:
  Machine machine_;
};

}  // namespace casetrail::workflows::detail
