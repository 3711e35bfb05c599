// What the projections (replay/projections/) share: compact maps keyed by child id, the child a
// projection touched last, interned names, the inputs a per-child fold keeps so that a
// correction can refold the child, and sorted iteration for canonical serialisation. Not in
// detail/ because the projections' headers hold these as members; nothing outside replay/ uses them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/event.hpp"
#include "replay/correction_event.hpp"
#include "replay/symbol.hpp"

namespace casetrail::replay {

// Hash maps keyed by strings that can be searched with a string_view (no allocation per event).
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// The child a projection touched last: the events of one append are one child's and come
// together, so most lookups are answered without hashing (entries never move in the map).
template <typename V>
struct LastChild {
  std::string stream;
  V* value = nullptr;
  void Clear() {
    stream.clear();
    value = nullptr;
  }
  V& Get(StringMap<V>& map, std::string_view event_stream, const std::string& id) {
    if (value && stream == event_stream) return *value;
    value = &map[id];
    stream.assign(event_stream);
    return *value;
  }
};

// Small integer ids for the strings a projection repeats millions of times (child ids, rule
// ids, teams), so that whole-caseload projections stay compact.
class Names {
 public:
  std::uint32_t Id(std::string_view name);
  const std::string& Name(std::uint32_t id) const { return names_[id]; }
  void Clear() {
    names_.clear();
    ids_.clear();
  }

 private:
  std::vector<std::string> names_;
  StringMap<std::uint32_t> ids_;
};

// What a per-child fold (PLO tracker, KPIs) keeps of an event, so that a later correction can
// refold the child without reading the log.
struct ChildInput {
  std::uint64_t version = 0;
  TimestampUs at = 0;
  Sym type, journey, from_state, to_state, team;
  std::map<std::string, std::string> params;  // an action's parameters; a deadline's rule and due
};
// Edits a child's kept inputs by a correction: the target is changed or removed, changed
// transitions are applied, and the deadline inputs are replaced by the refold's (those `keep`
// accepts, as "deadline.scheduled" / "deadline.met" / ... inputs at the deciding version).
void CorrectInputs(std::vector<ChildInput>& inputs, const CorrectionEvent& c,
                   bool (*keep)(const std::string& type, const std::string& rule));

// An allocation event (journey "allocation", type alloc.*) as the projections read it: the
// team, worker and role (`as`) it names, the reason a worker was deallocated.
struct AllocationChange {
  Sym type, team, worker, as, reason;
  // The team that holds the child after this change, `before` the one before it: a lead
  // allocation names it, closing the case ends it, anything else (the IRO, a worker leaving)
  // keeps it.
  Sym TeamAfter(const Sym& before) const;
};
// False if `e` is not an allocation event.
bool ParseAllocation(const EventView& e, AllocationChange* out);

// Who held a child over business time, as recorded: every allocation event is a step at its
// business time (occurred_at), so a late-recorded or corrected allocation lands on its day.
// The lead allocation (team, worker, as) and the IRO are held side by side.
class AllocationTimeline {
 public:
  struct Holding {
    bool recorded = false;        // an allocation had been recorded by then
    Sym team, worker, as;         // the lead: empty worker is unallocated, empty team no one holds
    Sym iro;                      // the child's IRO (empty: none)
    TimestampUs since = 0;        // business time of the last change of team or lead worker
  };
  // A wait for a worker that ended: unallocated in `team` from `from` until `to`.
  struct Wait {
    Sym team;
    TimestampUs from = 0, to = 0;
    std::uint64_t version = 0;  // the allocation that ended it
  };
  void Apply(const EventView& e, const AllocationChange& a);
  // A correction of an allocation moves or edits its step; a withdrawal removes it.
  void Correct(const CorrectionEvent& k);
  // The holding at the end of business time `at` (steps with occurred_at <= at).
  Holding On(TimestampUs at) const;
  Holding Now() const { return On(INT64_MAX); }
  std::vector<Wait> Waits() const;
  bool empty() const { return steps_.empty(); }
  std::string Serialize() const;

 private:
  struct Step {
    TimestampUs at = 0;
    std::uint64_t version = 0;
    AllocationChange change;
  };
  static void Fold(Holding& h, const Step& s);
  std::vector<Step> steps_;  // by (at, version)
};

// A hash map's entries in key order, for canonical serialisation.
template <typename Map>
std::vector<const typename Map::value_type*> Sorted(const Map& m) {
  std::vector<const typename Map::value_type*> out;
  out.reserve(m.size());
  for (const auto& kv : m) out.push_back(&kv);
  std::sort(out.begin(), out.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  return out;
}

}  // namespace casetrail::replay
