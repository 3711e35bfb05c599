// CorrectionEvent: a case.record_corrected or case.record_withdrawn event (replay/fold.hpp), as
// the projections read it: the target action before and after, and what the pipeline's refold of
// the child derived (every journey's state, every flag and deadline, the changed transitions).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/event.hpp"

namespace casetrail::replay {

struct CorrectionEvent {
  bool withdrawn = false;
  std::uint64_t target_version = 0;
  std::string target_type, target_team;
  TimestampUs target_recorded_at = 0;
  TimestampUs before_at = 0, after_at = 0;
  std::map<std::string, std::string> before_params, after_params;
  std::string reason, by;
  std::map<std::string, std::string> states;  // every journey after the refold
  struct Flag {
    std::string text;
    std::uint64_t version = 0;  // of the action that raised it
    TimestampUs at = 0;
  };
  std::vector<Flag> flags;                    // every flag, after the refold
  struct Deadline {
    std::string rule, rule_version, started, due, state;
    TimestampUs due_by = 0, closed_at = 0;
    std::uint64_t scheduled_by = 0, closed_by = 0;
  };
  std::vector<Deadline> deadlines;            // every deadline, after the refold
  struct Transition {
    std::uint64_t version = 0;
    std::string journey, from_state, to_state;
  };
  std::vector<Transition> transitions;        // actions whose transition changed
};
// False if the event is not a well-formed correction.
bool ParseCorrection(const EventView& e, CorrectionEvent* out);

}  // namespace casetrail::replay
