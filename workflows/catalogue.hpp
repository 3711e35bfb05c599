// The action catalogue: every action a person can record on a child's case, with the journey
// that owns it, the roles that may record it and the rules its parameters must meet. It is what
// GET /v1/actions answers and what the web UI builds its forms from; the checks themselves stay
// where they are (each journey's facade, Case::Apply), and the catalogue is read from the same
// tables (ParamRules, Permissions), so a form cannot ask for less than the workflows require.
//
// Thread-safety: built once on first use; read it from any thread.
#pragma once

#include <string>
#include <vector>

#include "workflows/journey.hpp"

namespace casetrail::workflows {

struct ActionInfo {
  std::string action;              // "cp.icpc_held"
  std::string journey;             // "child_protection"; "allocation" or "case" for case-level actions
  std::vector<std::string> roles;  // who may record it (never "system")
  std::vector<ParamRule> params;   // in the order they are checked
};

// Journey actions in journey order (registry.hpp), then the case-level actions a person records
// on a child's page (alloc.*, case.closed). Actions only the engine records (role system: the
// scheduler's deadline.* and case.age_reached) and the corrections (case.record_corrected and
// case.record_withdrawn, docs/audit.md) are not listed.
const std::vector<ActionInfo>& ActionCatalogue();

}  // namespace casetrail::workflows
