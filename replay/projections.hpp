// The read side's entry point: the seven projections casetrail keeps, by name, and a factory for
// them; with the Projection interface (replay/projection.hpp), the runner that keeps them up to
// date (replay/runner.hpp) and the event helpers their views use (replay/event_helpers.hpp).
//
//   child_summary  replay/projections/child_summary.hpp  a child's journeys, status, placement...
//   chronology     replay/projections/chronology.hpp     a child's significant events, in words
//   deadlines      replay/projections/deadlines.hpp      every deadline and what became of it
//   plo_tracker    replay/projections/plo_tracker.hpp    pre-proceedings and care proceedings
//   kpis           replay/projections/kpis.hpp           the Trust's measures for any period
//   allegations    replay/projections/allegations.hpp    the LADO's register (not children's records)
//   carers         replay/projections/carers.hpp         carers, their approval, children placed, vacancies
//
// A new projection is added here (ProjectionNames, MakeProjection) and nowhere else: the CLI's
// replay and verify commands take their list from these functions.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "replay/event_helpers.hpp"
#include "replay/projection.hpp"
#include "replay/projections/allegations.hpp"
#include "replay/projections/carers.hpp"
#include "replay/projections/child_summary.hpp"
#include "replay/projections/chronology.hpp"
#include "replay/projections/deadlines.hpp"
#include "replay/projections/kpis.hpp"
#include "replay/projections/plo_tracker.hpp"
#include "replay/runner.hpp"

namespace casetrail::replay {

// The names of every projection, in the order they are rebuilt and verified:
// child_summary, chronology, deadlines, plo_tracker, kpis, allegations, carers.
const std::vector<std::string>& ProjectionNames();
// A new, empty projection of that name; nullptr for a name not in ProjectionNames().
std::unique_ptr<Projection> MakeProjection(std::string_view name);
// One new, empty projection of each name, in ProjectionNames() order.
std::vector<std::unique_ptr<Projection>> MakeProjections();

}  // namespace casetrail::replay
