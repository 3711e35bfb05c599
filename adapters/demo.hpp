// The demo caseload: four children on different journeys, each allocated to a social worker in
// team north-1 (the looked-after child also has an IRO), recorded through the workflows (the
// README's tour, `casetrail demo`, `serve --demo`, and the test that checks docs/api.md's examples).
#pragma once

#include <cstddef>

#include "engine/status.hpp"
#include "workflows/case_service.hpp"

namespace casetrail {

// Records the demo actions (command ids "demo-<child>-<action>", so loading twice writes nothing
// new). *actions is the number of actions.
Status LoadDemoCaseload(workflows::CaseService& service, std::size_t* actions = nullptr);

}  // namespace casetrail
