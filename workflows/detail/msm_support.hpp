// Shared machinery for the journey translation units: naming, describing a transition table,
// and reading the active state. Include only from a machine's .cpp (it pulls in Boost.MSM).
#pragma once

#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/back/tools.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/msm/front/state_machine_def.hpp>
#include <boost/mpl/for_each.hpp>
#include <boost/mpl/vector.hpp>

#include <string>
#include <type_traits>
#include <vector>

#include "engine/hash.hpp"
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
    r.internal = std::is_same_v<typename Row::Target, msmf::none>;
    r.target = r.internal ? r.source : NameOf<typename Row::Target>();
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

}  // namespace casetrail::workflows::detail
