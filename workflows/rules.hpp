// Statutory and local timescales as versioned, effective-dated rule tables.
//
// Every timescale has a stable id: the T-xx ids of the seed specification where the Trust's
// documents name it, N-xx (the row of the national table in statutory-rules.md) where only
// national guidance does. Each carries its source, the wording it is counted from and the
// counting convention that wording gives (docs/workflows/rules.md lists them all).
//
// Two kinds of time choose the rule that judges an action:
//  - business time: a rule set is effective from a date (the law changed then); an action uses
//    the set in force on its business date.
//  - the edition of the rule book it was recorded under: when casetrail corrects a rule it got
//    wrong (edition 2 counts the 26-week limit beginning with the day of issue), the correction
//    is a new edition. Every action event records the edition that judged it, so an existing log
//    replays to exactly what it showed then; the next action on a child recorded under a later
//    edition moves the child's open deadlines that the correction changes, with an explicit
//    deadline.rescheduled event (workflows/case.hpp).
// Local standards override defaults, but never make a statutory timescale longer.
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

// How a period is counted from its start day (the wording of the source decides):
enum class Counting {
  // "within N of", "N after", "from": the start day is day 0; the last day is start + N.
  // (The usual reading of a period "of" or "after" a day: CPR 2.8, the Interpretation Act's
  // practice.) Working days: the Nth working day after the start day.
  kAfterTheDay,
  // "beginning with the day": the start day is day 1; the last day is start + N - 1 day.
  // Working days: the Nth working day counting the start day when it is one.
  kBeginningWithTheDay,
  // Hours: elapsed time from the moment it started.
  kElapsed,
};
const char* CountingName(Counting c);  // "after the day", "beginning with the day", "elapsed"

enum class Basis {
  kStatutory,      // regulations or statutory guidance: a ceiling for local standards
  kLocalStandard,  // the Trust's practice standard (configurable either way)
  kOversight,      // a flag or KPI window, not a deadline owed to anyone
};
const char* BasisName(Basis b);  // "statutory", "local standard", "oversight"


struct Timescale {
  std::string id;          // "T-06"
  std::string name;        // "Strategy discussion to initial child protection conference"
  Unit unit;
  int amount;
  Basis basis;
  std::string source;      // citation, e.g. "WT 2023 ch.4; SE:975"
  std::string confidence;  // [V] verified, [S] secondary, [M] unverified (statutory-rules.md)
  Counting counting = Counting::kAfterTheDay;
  std::string wording;     // the words the period is counted from, quoted or paraphrased
};

struct RuleSet {
  std::string version;  // "rules-2018.2": the effective year and the edition
  Date effective_from;
  std::vector<Timescale> rules;
  int edition = 1;      // the edition of the rule book that introduced this set
  Date adopted;         // the day that edition was released (documentation; not a clock)
  std::string change;   // for a correction: what it corrected and why
};

// The edition an action is judged under: 0 means the rule book's current one.
inline constexpr int kCurrentEdition = 0;

// When a deadline falls due: before `due_by` (exclusive). For day-based units that is the end
// of `due_date` (midnight UTC after it); for hours, start + hours.
struct Deadline {
  std::string rule_id;
  std::string rule_version;
  std::int64_t start_us = 0;
  Date due_date;
  std::int64_t due_by_us = 0;
  // When a breach of this deadline was recorded (deadline.breached, by the scheduler); 0: none.
  std::int64_t breached_at_us = 0;
  bool MetBy(std::int64_t at_us) const { return at_us < due_by_us; }
};

class RuleBook {
 public:
  // The built-in national and Trust defaults: sets effective 2015-01-01 and 2018-04-01, in
  // edition 1 (as first released) and edition 2 (2026-12-07: the 26-week limit and the
  // pre-proceedings review point counted beginning with the day they start).
  static const RuleBook& Default();
  explicit RuleBook(std::vector<RuleSet> sets);

  // The highest edition of any set.
  int CurrentEdition() const { return current_edition_; }
  // The set in force on `on` under `edition`: of the sets of that edition or earlier, the one
  // with the latest effective_from on or before `on` (a later edition's set replaces an earlier
  // one of the same date). NotFound before the first set.
  Result<const RuleSet*> SetOn(Date on, int edition = kCurrentEdition) const;
  // The rule in force on `on`; NotFound for an unknown id.
  Result<Timescale> Find(const std::string& id, Date on, int edition = kCurrentEdition) const;
  Result<std::string> VersionOn(Date on, int edition = kCurrentEdition) const;
  // The set named `version`, or nullptr.
  const RuleSet* SetNamed(const std::string& version) const;
  const std::vector<RuleSet>& sets() const { return sets_; }

  // A copy with rule `id` set to `amount` (same unit) in every set. InvalidArgument if the id is
  // unknown, the amount is not positive, or it would lengthen a statutory timescale.
  Result<RuleBook> WithLocalStandard(const std::string& id, int amount) const;
  // Applies a local-standards file: one "ID = AMOUNT" per line (in the rule's own unit), '#'
  // starts a comment. InvalidArgument names the line and the rule.
  Result<RuleBook> WithLocalStandards(std::string_view text) const;

  // The deadline of rule `id` for something that started at `start_us`, counted as the rule's
  // Counting says.
  Result<Deadline> Due(const std::string& id, std::int64_t start_us,
                       const Calendar& calendar = Calendar::EnglandAndWales(),
                       int edition = kCurrentEdition) const;
  Result<Deadline> Due(const std::string& id, std::int64_t start_us, int edition) const {
    return Due(id, start_us, Calendar::EnglandAndWales(), edition);
  }
  // The last day of a period of `rule` that starts on `start` (Due's arithmetic, for a rule
  // already found).
  static Result<Date> LastDay(const Timescale& rule, Date start, const Calendar& calendar);

  // SHA-256 (hex) of every set's version, dates and rules: recorded with events so an audit can
  // tell which rules judged them.
  std::string Fingerprint() const;

 private:
  std::vector<RuleSet> sets_;  // ascending (effective_from, edition)
  int current_edition_ = 1;
};

}  // namespace casetrail::workflows
