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
  // A journey's state from a business time on (the initial state: the journey ended). 16 bytes:
  // a caseload's history is kept for every child.
  struct JourneyStep {
    TimestampUs at = 0;
    std::uint32_t version = 0;
    std::uint16_t state = 0;   // states_ id
    std::uint8_t journey = 0;  // JourneyIndex
  };
  // The team of whoever recorded an action, from a business time on (the fallback before
  // allocation); kept when it changes.
  struct RecorderStep {
    TimestampUs at = 0;
    Sym team;
    std::uint32_t version = 0;
  };
  struct Child {
    std::map<Sym, Sym> journeys;  // journey -> state (active ones)
    Sym legal_status;
    Sym placement;
    Sym last_worker;
    Sym team;             // the responsible team: allocated, else the last recorder's
    Sym recorder_team;    // the team of whoever last recorded an action
    bool allocation_recorded = false;
    Sym allocated_team, allocated_worker, allocated_as;  // empty worker: unallocated
    Sym allocated_iro;
    TimestampUs allocation_since = 0;  // business time of the last allocation change
    std::map<Sym, Sym> open_deadlines;  // rule -> due date
    std::vector<Sym> flags;
    std::uint64_t version = 0;
    TimestampUs last_occurred_at = 0;
    std::vector<ChildInput> care_events;  // what set the legal status and placement (corrections)
    // Business-time history, for the caseload and team scope as of a past date.
    AllocationTimeline allocation;
    std::vector<JourneyStep> journey_steps;  // in recording order; only changes of state
    std::vector<RecorderStep> recorders;     // in recording order; only changes of the recorder's team
  };
  const char* name() const override { return "child_summary"; }
  double weight() const override { return 3; }
  int version() const override { return 3; }
  void Apply(const EventView& e) override;
  void Reset() override {
    children_.clear();
    last_.Clear();
    states_.Clear();
  }
  std::string Serialize() const override;
  const Child* Find(const std::string& child_id) const;
  // Children with an active journey on `as_of` (business time: actions that occurred by then,
  // as recorded now), by the team responsible on that day: each allocated worker's children, and
  // the team's unallocated children (no worker; a child with no allocation recorded by then is
  // unallocated in the team of whoever last recorded an action on it, since unknown). INT64_MAX: now.
  struct CaseloadChild {
    std::string child;
    std::map<std::string, std::string> journeys;
    TimestampUs since = 0;  // allocated / unallocated since (business time; 0: not known)
    std::string as;         // the worker's role (social_worker, ...), when allocated
  };
  struct TeamCaseload {
    std::map<std::string, std::vector<CaseloadChild>> by_worker;  // sorted by child id
    std::vector<CaseloadChild> unallocated;
  };
  std::map<std::string, TeamCaseload> Caseload(TimestampUs as_of = INT64_MAX) const;
  // Each IRO's looked-after children on `as_of`, sorted by child id.
  std::map<std::string, std::vector<CaseloadChild>> IroCaseload(TimestampUs as_of = INT64_MAX) const;
  // Who held a child on `as_of`: the responsible team (allocated, else the last recorder's), the
  // allocated worker and IRO. Empty team: no one (or no such child).
  struct Responsible {
    std::string team, worker, iro;
  };
  Responsible ResponsibleOn(const std::string& child_id, TimestampUs as_of) const;
  // The active journeys of a child on `as_of` (journey -> state).
  std::map<std::string, std::string> JourneysOn(const Child& c, TimestampUs as_of) const;

 private:
  static void ApplyCare(Child& c, const std::string& type, const std::map<std::string, std::string>& params);
  static void Refresh(Child& c);  // the current allocation fields, from the timeline
  static Responsible ResponsibleOn(const Child& c, TimestampUs as_of);
  std::uint16_t StateId(std::string_view state);
  StringMap<Child> children_;  // by child id (sorted when serialized)
  Names states_;               // the journeys' state names in journey_steps
  LastChild<Child> last_;
};

}  // namespace casetrail::replay
