// CorrectionEvent: a case.record_corrected or case.record_withdrawn event (workflows/case_events.hpp), as
// the projections read it: the target action before and after, and what the pipeline's refold of
// the child derived (every journey's state, every flag and deadline, the changed transitions).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/event.hpp"
#include "workflows/case_events.hpp"

namespace casetrail::replay {

struct CorrectionEvent : workflows::CorrectionRecord {  // the payload, by the one codec
  std::string by;  // "user (role)" of the correcting event
};
// False if the event is not a well-formed correction.
bool ParseCorrection(const EventView& e, CorrectionEvent* out);

}  // namespace casetrail::replay
