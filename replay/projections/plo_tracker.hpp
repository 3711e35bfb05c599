// The "plo_tracker" projection. What every projection guarantees: replay/projection.hpp; the list
// of projections and how to make one by name: replay/projections.hpp.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "replay/projection_support.hpp"
#include "replay/projection.hpp"
#include "replay/team_directory.hpp"

namespace casetrail::replay {

// The Public Law Outline tracker for case progression officers: every child in pre-proceedings
// and in care proceedings, with weeks elapsed and a red/amber/green status as of a time.
//   pre-proceedings: red past the review point (T-31, 16 weeks, moved by extensions) or with
//                    the initial meeting overdue; amber from 12 weeks or with the meeting late;
//   proceedings:     red past the 26-week date (moved by extensions), amber from week 21;
//                    with the child's placement changes since the issue (SM-10).
class PloTrackerProjection final : public Projection {
 public:
  struct Child {
    std::string child;
    std::string team;          // the team that recorded the legal planning meeting / the issue
    std::string area;          // the team's area: its name before the last '-' ("north-1" -> "north")
    // pre-proceedings
    bool in_pre_proceedings = false;
    std::string lpm_date, letter_date, initial_meeting_due, initial_meeting_held, review_point;
    int reviews = 0;
    int extensions = 0;
    bool fgdm_offered = false;
    // proceedings
    bool in_proceedings = false;
    bool fdac = false;
    std::string issued, final_date;  // final_date: 26 weeks, moved by extensions
    int extension_weeks = 0;
    std::vector<std::string> hearings;  // "2026-10-14 case_management"
    std::string court;                  // as recorded at issue (empty: not recorded)
    std::string next_hearing;           // the date the last issue or hearing listed the next one for
    // The child's placement changes since the issue ("2026-10-14 started foster_care", "...
    // changed residential", "... ended"): a move during proceedings is news for the court.
    std::vector<std::string> placement_changes;
    bool pre_proceedings_before_issue = false;
    TimestampUs start_us = 0;           // LPM or issue, for weeks elapsed
  };
  const char* name() const override { return "plo_tracker"; }
  int version() const override { return 4; }
  void Apply(const EventView& e) override;
  void Reset() override {
    children_.clear();
    inputs_.clear();
    allocated_team_.clear();
    teams_.Reset();
  }
  std::string Serialize() const override;
  // Children in pre-proceedings or proceedings, filtered by team and area when not empty.
  std::vector<Child> List(const std::string& team = {}, const std::string& area = {}) const;
  static int WeeksElapsed(const Child& c, TimestampUs now);
  static std::string Rag(const Child& c, TimestampUs now);  // "red", "amber", "green"

 private:
  static void Fold(Child& c, const ChildInput& in);
  void Refold(const std::string& id);
  std::map<std::string, Child> children_;                   // in pre-proceedings or proceedings now
  StringMap<std::vector<ChildInput>> inputs_;  // every child ever in either
  StringMap<std::string> allocated_team_;      // child -> the allocated team (a team holds it)
  TeamDirectory teams_;                        // areas, from the reference data
};

}  // namespace casetrail::replay
