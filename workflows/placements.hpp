// The detail of a looked-after child's placement that the SSDA903 return needs (seed-spec
// SM-10; dfe-returns.md 4.3-4.4): the DfE placement type codes with the years they are valid
// and the casetrail placement kind each belongs to, and the checks of a placement's optional
// detail (place, provider, urn, postcode, distance_miles) recorded on cic.placement_started,
// cic.placement_changed and cic.placement_ended.
//
// Boost-free; thread-safe (the tables are built once).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "workflows/calendar.hpp"

namespace casetrail::workflows {

struct PlacementCode {
  std::string code;   // "U4"
  std::string kind;   // casetrail's placement kind ("foster_care"); empty: any (temporary moves)
  std::string words;  // the DfE's meaning
  Date valid_from;    // the first day it may be used
  Date valid_to;      // the last day it may be used
  std::string long_term;  // "yes"/"no" when the code says whether the placement is long term
  std::string source;     // where the validity comes from
};
const std::vector<PlacementCode>& PlacementCodes();

// The coded reason for a placement change (`change_reason`) and its SSDA903 REASON_PLACE_CHANGE.
struct ChangeReason {
  std::string words;  // "carer_request_behaviour"
  std::string code;   // "CREQB"
};
const std::vector<ChangeReason>& PlacementChangeReasons();
// The SSDA903 PLACE_PROVIDER of each `provider`.
const std::vector<ChangeReason>& PlacementProviders();

// Why the placement detail in `params` cannot be recorded on `day` (the reason names the
// parameter), or empty when it can: a PLACE code valid that day and of the same kind (and term) as
// `placement`/`long_term`, an Ofsted URN (SC and 6 digits, 6-7 digits, or XXXXXXX for an
// unregistered setting), a UK postcode, a distance in miles from 0 to 999.9.
std::string PlacementDetailProblem(const std::map<std::string, std::string>& params, Date day);

}  // namespace casetrail::workflows
