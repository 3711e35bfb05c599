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

// One child's summary: active journeys and their states, legal status, placement, who is
// responsible (the allocated team and worker; before any allocation was recorded, the team of
// whoever last recorded an action), the last worker, open deadlines and flags.
class ChildSummaryProjection final : public Projection {
 public:
  struct Child {
    std::map<Sym, Sym> journeys;  // journey -> state (active ones)
    Sym legal_status;
    Sym placement;
    Sym last_worker;
    Sym team;             // the responsible team: allocated, else the last recorder's
    Sym recorder_team;    // the team of whoever last recorded an action
    bool allocation_recorded = false;
    Sym allocated_team, allocated_worker, allocated_as;  // empty worker: unallocated
    TimestampUs allocation_since = 0;  // business time of the last allocation change
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
  // Children with an active journey, by responsible team: each allocated worker's children,
  // and the team's unallocated children (no worker; before any allocation was recorded, children
  // count under the last person who recorded an action on them).
  struct CaseloadChild {
    std::string child;
    std::map<std::string, std::string> journeys;
    TimestampUs since = 0;  // allocated / unallocated since (business time; 0: not known)
  };
  struct TeamCaseload {
    std::map<std::string, std::vector<CaseloadChild>> by_worker;  // sorted by child id
    std::vector<CaseloadChild> unallocated;
  };
  std::map<std::string, TeamCaseload> Caseload() const;

 private:
  static void ApplyCare(Child& c, const std::string& type, const std::map<std::string, std::string>& params);
  StringMap<Child> children_;  // by child id (sorted when serialized)
  LastChild<Child> last_;
};

}  // namespace casetrail::replay
