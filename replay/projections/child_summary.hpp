// The "child_summary" projection. What every projection guarantees: replay/projection.hpp; the list
// of projections and how to make one by name: replay/projections.hpp.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "replay/projection_support.hpp"
#include "replay/projection.hpp"
#include "replay/symbol.hpp"

namespace casetrail::replay {

// One child's summary: active journeys and their states, legal status, placement, the last
// worker and team, open deadlines and flags.
class ChildSummaryProjection final : public Projection {
 public:
  struct Child {
    std::map<Sym, Sym> journeys;  // journey -> state (active ones)
    Sym legal_status;
    Sym placement;
    Sym last_worker;
    Sym team;
    std::map<Sym, Sym> open_deadlines;  // rule -> due date
    std::vector<Sym> flags;
    std::uint64_t version = 0;
    TimestampUs last_occurred_at = 0;
    std::vector<ChildInput> care_events;  // what set the legal status and placement (corrections)
  };
  const char* name() const override { return "child_summary"; }
  double weight() const override { return 3; }
  int version() const override { return 2; }
  void Apply(const EventView& e) override;
  void Reset() override {
    children_.clear();
    last_.Clear();
  }
  std::string Serialize() const override;
  const Child* Find(const std::string& child_id) const;
  // Children with an active journey, by team then worker (the last person who recorded an
  // action on the child; allocation is not modelled yet).
  std::map<std::string, std::map<std::string, int>> Caseload() const;

 private:
  static void ApplyCare(Child& c, const std::string& type, const std::map<std::string, std::string>& params);
  StringMap<Child> children_;  // by child id (sorted when serialized)
  LastChild<Child> last_;
};

}  // namespace casetrail::replay
