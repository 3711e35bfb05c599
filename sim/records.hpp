// The records of their own that a Trust keeps beside its children's (workflows/own_record.hpp),
// generated for the simulator: the LADO's allegations against people who work with children, and
// the carers (foster carers, connected persons, prospective adopters) from enquiry to approval,
// supervision, visits, reviews and deregistration. Deterministic in the seed. Private to sim/.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/params.hpp"
#include "workflows/own_record.hpp"

namespace casetrail::sim {

struct RecordAction {
  std::int64_t occurred_at = 0;
  std::int64_t recorded_at = 0;
  const workflows::RecordKind* kind = nullptr;
  std::string id;
  const char* action = "";
  const char* role = "";
  std::vector<std::pair<const char*, std::string>> params;
};

// Every record action in [from_us, to_us), in recorded_at order (each record's actions in their
// own order), for a caseload of `children_per_year` new children a year.
std::vector<RecordAction> GenerateRecords(const Params& params, std::uint64_t seed, std::int64_t from_us,
                                          std::int64_t to_us, double children_per_year);

}  // namespace casetrail::sim
