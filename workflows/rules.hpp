// Statutory and local timescales as versioned, effective-dated rule tables.
//
// Every timescale has a stable id: the T-xx ids of the seed specification where the Trust's
// documents name it, N-xx (the row of the national table in statutory-rules.md) where only
// national guidance does. A rule set is effective from a date; replaying an event uses the set
// in force on the event's business date, so past breach decisions reproduce. Local standards
// override defaults, but never make a statutory timescale longer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.hpp"
#include "workflows/calendar.hpp"

namespace casetrail::workflows {

enum class Unit { kHours, kWorkingDays, kDays, kWeeks, kMonths, kYears };
const char* UnitName(Unit u);  // "hours", "working days", ...

enum class Basis {
  kStatutory,      // regulations or statutory guidance: a ceiling for local standards
  kLocalStandard,  // the Trust's practice standard (configurable either way)
  kOversight,      // a flag or KPI window, not a deadline owed to anyone
};

struct Timescale {
  std::string id;          // "T-06"
  std::string name;        // "Strategy discussion to initial child protection conference"
  Unit unit;
  int amount;
  Basis basis;
  std::string source;      // citation, e.g. "WT 2023 ch.4; SE:975"
  std::string confidence;  // [V] verified, [S] secondary, [M] unverified (statutory-rules.md)
};

struct RuleSet {
  std::string version;  // "rules-2026.1"
  Date effective_from;
  std::vector<Timescale> rules;
};

// When a deadline falls due: before `due_by` (exclusive). For day-based units that is the end
// of `due_date` (midnight UTC after it); for hours, start + hours.
struct Deadline {
  std::string rule_id;
  std::string rule_version;
  std::int64_t start_us = 0;
  Date due_date;
  std::int64_t due_by_us = 0;
  bool MetBy(std::int64_t at_us) const { return at_us < due_by_us; }
};

class RuleBook {
 public:
  // The built-in national and Trust defaults (sets effective 2015-01-01 and 2018-04-01).
  static const RuleBook& Default();
  explicit RuleBook(std::vector<RuleSet> sets);

  // The rule in force on `on`; NotFound for an unknown id.
  Result<Timescale> Find(const std::string& id, Date on) const;
  Result<std::string> VersionOn(Date on) const;
  const std::vector<RuleSet>& sets() const { return sets_; }

  // A copy with rule `id` set to `amount` (same unit) in every set. InvalidArgument if the id is
  // unknown, the amount is not positive, or it would lengthen a statutory timescale.
  Result<RuleBook> WithLocalStandard(const std::string& id, int amount) const;
  // Applies a local-standards file: one "ID = AMOUNT" per line (in the rule's own unit), '#'
  // starts a comment. InvalidArgument names the line and the rule.
  Result<RuleBook> WithLocalStandards(std::string_view text) const;

  // The deadline of rule `id` for something that started at `start_us`.
  Result<Deadline> Due(const std::string& id, std::int64_t start_us,
                       const Calendar& calendar = Calendar::EnglandAndWales()) const;

  // SHA-256 (hex) of every set's version, dates and rules: recorded with events so an audit can
  // tell which rules judged them.
  std::string Fingerprint() const;

 private:
  std::vector<RuleSet> sets_;  // ascending effective_from
};

}  // namespace casetrail::workflows
