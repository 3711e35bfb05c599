// The calibration report: how far a simulated caseload is from the Trust the seeds describe.
//
// Each target is a figure of seed-spec section 4 (K-xx) that casetrail's events express, with
// the tolerance within which the simulation counts as calibrated. Stocks (children in care, on
// a child protection plan, in pre-proceedings, care leavers, open) are measured on the reference
// date and compared as rates per 10,000 children of a population scaled with the run (K-S12:
// ~286,000 children for the Birmingham preset's ~51,000 new children a year), so that every
// measure is scale-free except the contacts a year, which are compared at the run's scale.
// Flows are counted over the 12 months before the reference date; timeliness, repeat plans and
// durations are the KPI projection's measures over the same 12 months.
//
// The figures come from the log alone (projections rebuilt over it and one scan), so the report
// describes what any user of the log would see, not what the simulator meant to write.
//
// Thread-safety: Calibrate reads the log (it may be open for writing elsewhere); the functions
// hold no state.
#pragma once

#include <string>
#include <vector>

#include "engine/event_log.hpp"
#include "engine/status.hpp"

namespace casetrail::sim {

struct CalibrationTarget {
  std::string id;       // the seed's id, "K-C1"
  std::string measure;  // "children_in_care_per_10000"
  std::string what;     // in words
  double seed = 0;      // the seed's figure, in the measure's unit
  double tolerance = 0; // absolute, in the measure's unit: pass when |simulated - seed| <= tolerance
  std::string source;   // "SE:1113-1118"
};

struct CalibrationLine {
  CalibrationTarget target;
  double simulated = 0;
  bool measured = false;  // false: no data (a rate with no denominator)
  bool pass() const;
};

// A Trust (or England) to calibrate against: its scale and its figures.
struct CalibrationPreset {
  std::string name;                  // "birmingham", "england"
  double new_children_per_year = 0;  // the simulate preset's new children a year
  double population = 0;             // the child population (0-17) at that scale
  std::string population_source;     // in words, for the report
  std::vector<CalibrationTarget> targets;
};

// Birmingham: seed-spec section 4's figures; ~286,000 children (K-S12) for 51,000 new a year.
const CalibrationPreset& BirminghamCalibration();
// England: the national figures (DfE children in need and looked-after statistics, and the
// national comparators seed-spec section 4 quotes); ~12.0 million children for 2,040,000 new a
// year (the england preset, 40 times Birmingham's).
const CalibrationPreset& EnglandCalibration();

struct CalibrationReport {
  std::string preset;          // the preset's name
  std::string population_source;
  std::string reference_date;  // YYYY-MM-DD: the window's last day
  double new_children_per_year = 0;
  double population = 0;  // the child population the rates are per 10,000 of
  std::vector<CalibrationLine> lines;
  int misses() const;
  std::string Markdown() const;  // a table: id, measure, seed, simulated, tolerance, pass or MISS
};

// The Birmingham targets (seed-spec section 4).
const std::vector<CalibrationTarget>& BirminghamTargets();

// Measures the log at `end` (the window's end, exclusive) for a run that brought
// `new_children_per_year` children to the front door for the first time each year, against the
// preset's targets (rates per 10,000 of its population scaled to the run).
Result<CalibrationReport> Calibrate(EventLog& log, TimestampUs end, double new_children_per_year,
                                    const CalibrationPreset& preset = BirminghamCalibration());

}  // namespace casetrail::sim
