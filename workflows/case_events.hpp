// What a child's stream holds: the one definition of its events' shapes, written by the command
// pipeline (workflows/case_service.hpp) and read by the fold, audit and the projections.
//
//   stream "child-<id>"
//   the action itself      type = the action ("cp.icpc_held"), journey, from/to state, machine
//                          fingerprint; payload {"params": {...}, "rules_edition": N} (the rule
//                          edition that judged it; absent before editions: edition 1)
//   each consequence       a cross-journey rule's system action; payload {"params", "rule",
//                          "derived": true}
//   each deadline effect   "deadline.scheduled" | "deadline.met" | "deadline.met_late" |
//                          "deadline.cancelled"; payload {"rule", "rule_version", "started",
//                          "due", "due_by_us"}
//   each recount           "deadline.rescheduled" (after the action, before its own effects):
//                          an open deadline the action's rule edition counts differently;
//                          payload {"rule", "rule_version", "started", "due", "due_by_us",
//                          "previous_due", "previous_rule_version", "reason"}
//   a breach               "deadline.breached" (a time-driven action, workflows/case.hpp):
//                          the deadline payload above and "rules_edition"
//   a reminder             "deadline.due_soon" (time-driven): the deadline payload above,
//                          "notice_working_days" and "rules_edition"
//   a breach withdrawn     "deadline.breach_cancelled" (after deadline.met): an action recorded
//                          after the breach met the deadline in time; the deadline payload
//   each flag              "flag.raised"; payload {"text"}
//   a correction           "case.record_corrected" | "case.record_withdrawn"; payload: the
//                          CorrectionRecord below (EncodeCorrection / DecodeCorrection)
//
// Corrections. Nothing is ever rewritten. A later event references the action it corrects:
//   case.record_corrected  params: target_version, reason, and the corrected values:
//                          occurred_on (YYYY-MM-DD; the time of day is kept) and/or
//                          set.<param> (the action's parameter <param> takes this value)
//   case.record_withdrawn  params: target_version, reason (the action was recorded in error)
// The pipeline accepts one only if the child's whole history, refolded with it, still holds.
// The stored payload carries the target, the values before and after, and what the refold
// derived (states, deadlines, flags, changed transitions), so projections follow without
// re-reading the log.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event.hpp"

namespace casetrail::workflows {

std::string StreamOf(const std::string& child_id);  // "child-<id>"
std::string ChildIdOf(std::string_view stream);     // "child-1001" -> "1001"; empty for other streams

inline constexpr const char* kRecordCorrected = "case.record_corrected";
inline constexpr const char* kRecordWithdrawn = "case.record_withdrawn";
bool IsCorrection(std::string_view type);

// An action's (or a consequence's) parameters, from its payload {"params": {...}}.
std::map<std::string, std::string> ActionParams(std::string_view payload);

// An action's payload: its parameters and the rule edition it was judged under. A payload
// without "params" (deadline.breached) gives its top-level "rule" and "due" as parameters.
struct ActionPayload {
  std::map<std::string, std::string> params;
  int rules_edition = 1;  // events written before rule editions existed were judged by edition 1
};
ActionPayload DecodeActionPayload(std::string_view payload);
std::string EncodeActionPayload(const std::map<std::string, std::string>& params, int rules_edition);

// A consequence's payload says it was derived by a cross-journey rule (not recorded by a person).
bool IsDerivedPayload(std::string_view payload);

// The payload of a correction or withdrawal.
struct CorrectionRecord {
  bool withdrawn = false;                      // from the event's type, not the payload
  std::map<std::string, std::string> params;   // the command's own parameters, as given
  std::uint64_t target_version = 0;
  std::string target_event_id, target_type, target_journey, target_team;
  TimestampUs target_recorded_at = 0;
  std::string reason;
  TimestampUs before_at = 0;                   // the action as it stood before (its last correction)
  std::map<std::string, std::string> before_params;
  TimestampUs after_at = 0;                    // as corrected (a withdrawal: as before)
  std::map<std::string, std::string> after_params;
  std::map<std::string, std::string> states;   // every active journey after the refold
  std::map<std::string, std::string> allocation;  // team, worker, as after the refold
  struct Flag {
    std::string text;
    std::uint64_t version = 0;  // of the action that raised it
    TimestampUs at = 0;
  };
  std::vector<Flag> flags;                     // every flag, after the refold
  struct Deadline {
    std::string rule, rule_version, started, due, state;  // state: open, met, met_late, cancelled
    TimestampUs due_by = 0, closed_at = 0;
    TimestampUs breached_at = 0;                          // a breach the refold keeps (0: none)
    std::uint64_t scheduled_by = 0, closed_by = 0;        // versions of the actions
  };
  std::vector<Deadline> deadlines;             // every deadline, after the refold
  struct Transition {
    std::uint64_t version = 0;
    std::string journey, from_state, to_state;
  };
  std::vector<Transition> transitions;         // actions whose transition the correction changed
};

// The payload JSON (a withdrawal has no "after").
std::string EncodeCorrection(const CorrectionRecord& c);
// False if `type` is not a correction or the payload is not a well-formed one (no unsigned
// target_version). Missing parts read as empty.
bool DecodeCorrection(std::string_view type, std::string_view payload, CorrectionRecord* out);

}  // namespace casetrail::workflows
