#include "replay/correction_event.hpp"

namespace casetrail::replay {

bool ParseCorrection(const EventView& e, CorrectionEvent* out) {
  CorrectionEvent c;
  if (!workflows::DecodeCorrection(e.type, e.payload, &c)) return false;
  c.by = std::string(e.actor_user) + " (" + std::string(e.actor_role) + ")";
  *out = std::move(c);
  return true;
}

}  // namespace casetrail::replay
