// The "kpis" projection. What every projection guarantees: replay/projection.hpp; the list
// of projections and how to make one by name: replay/projections.hpp.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "replay/projection_support.hpp"
#include "replay/projection.hpp"
#include "replay/team_directory.hpp"
#include "replay/symbol.hpp"
#include "workflows/calendar.hpp"

namespace casetrail::replay {

// The Trust's measures (seed-spec section 4) for any period, by team and area. It keeps the
// facts (deadline outcomes, plans, pre-proceedings and proceedings, waits for allocation,
// recording lag) and computes the measures on demand; a fact counts in the period in which it
// completed. A fact counts for the team responsible for the child on the fact's day (the team
// that held the child by business time, so a late-recorded allocation moves the facts after
// it; before any allocation, the recorder's); recording lag for the recorder's team.
class KpiProjection final : public Projection {
 public:
  struct Value {
    double numerator = 0;
    double denominator = 0;  // 0: no data in the period
    double value() const { return denominator == 0 ? 0 : numerator / denominator; }
  };
  struct Filter {
    TimestampUs from = INT64_MIN;  // inclusive
    TimestampUs to = INT64_MAX;    // exclusive
    std::string team;
    std::string area;
  };
  const char* name() const override { return "kpis"; }
  double weight() const override { return 2; }
  int version() const override { return 5; }
  void Apply(const EventView& e) override;
  void Reset() override;
  std::string Serialize() const override;
  // Measure name -> value. Proportions are numerator/denominator; averages are a sum over a count.
  std::map<std::string, Value> Compute(const Filter& f) const;

 private:
  // 32 bytes a fact; kinds ("T-01", "plan_started", ...), outcomes and teams are Names ids.
  struct Fact {
    std::uint32_t kind = 0, outcome = 0, team = 0;
    std::uint32_t version = 0;  // the action it came from (a child's stream version)
    TimestampUs at = 0;
    double amount = 0;          // weeks or days where the measure is an average
  };
  // One child's facts: deadline outcomes as they come, the rest folded from the few inputs it
  // keeps (so a correction refolds the child).
  struct ChildFacts {
    std::vector<ChildInput> inputs;
    std::vector<Fact> facts;           // from inputs
    std::vector<Fact> deadline_facts;  // deadlines met or met late
    std::optional<TimestampUs> lpm, issued, plan_since;
    bool issued_after_pre = false;
    Sym plan_team;
    // Care and placements (placement stability, adoption timeliness): care periods (end
    // INT64_MAX while open), placement starts, the date of birth, authority to place.
    std::vector<std::pair<TimestampUs, TimestampUs>> care;
    std::vector<TimestampUs> placements;
    std::optional<workflows::Date> dob;
    std::optional<TimestampUs> authority_to_place;
    Sym last_team;  // the team of the child's latest kept input
    std::uint64_t last_action = 0;  // the version of the child's latest action
    AllocationTimeline allocation;  // who held the child, by business time
  };
  // The team a fact counts for: the team that held the child on the fact's day, else the
  // recorder's (the fact's own).
  const std::string& TeamOf(const ChildFacts& c, const Fact& x) const;
  // The team that held the child at `at`, else `otherwise`.
  const std::string& TeamOn(const ChildFacts& c, TimestampUs at, const std::string& otherwise) const;
  Fact MakeFact(std::string_view kind, std::string_view outcome, TimestampUs at, double amount,
                std::string_view team, std::uint64_t version);
  void Fold(ChildFacts& c, const ChildInput& in);
  void Refold(ChildFacts& c);
  // Recording lag, summed by team and London day of recording: (sum of days, count).
  void AddLag(std::string_view team, TimestampUs recorded_at, double days, int count);
  StringMap<ChildFacts> children_;
  LastChild<ChildFacts> last_;
  TeamDirectory teams_;  // areas, from the reference data (a fact's area on the fact's day)
  Names names_;
  std::map<std::pair<std::uint32_t, std::int32_t>, std::pair<double, std::int64_t>> lag_;  // (team id, day)
};

}  // namespace casetrail::replay
