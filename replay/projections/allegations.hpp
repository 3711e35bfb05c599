// The "allegations" projection: the LADO's register of allegations against people who work with
// children (workflows/own_record.hpp; streams "allegation-<id>"), each with where it stands, its
// referral's facts, its outcome and its two timescales (T-100 the referrer's, T-103 the LADO's).
// What every projection guarantees: replay/projection.hpp. The API shows it only to the LADO team
// and auditors (docs/api.md); it ignores children's streams, and children's projections ignore it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "replay/projection.hpp"

namespace casetrail::replay {

class AllegationsProjection final : public Projection {
 public:
  struct Deadline {
    std::string due;    // YYYY-MM-DD; empty: never scheduled
    TimestampUs due_by = 0;
    std::string state;  // open, met, met_late, cancelled ("" when never scheduled)
  };
  struct Entry {
    std::string id;
    std::string state;  // the lado journey's state
    std::uint64_t version = 0;
    TimestampUs referred_at = 0;         // business time of the (first) referral
    std::string concern_raised_on;       // YYYY-MM-DD
    std::string sector, employment, criteria, referrer, children;
    std::string evaluation;              // the initial evaluation's outcome
    TimestampUs evaluated_at = 0;
    std::string outcome;                 // substantiated, unsubstantiated, unfounded, false, malicious
    std::string dbs_referral;
    TimestampUs concluded_at = 0;        // of the last conclusion (or the closure at evaluation)
    int reopened = 0;
    Deadline t100, t103;
  };
  // The register's measures for allegations referred in [from, to) (business time).
  struct Summary {
    int referred = 0, open = 0, closed_at_evaluation = 0, concluded = 0;
    std::map<std::string, int> outcomes;  // of the concluded
    int t100_late = 0, t103_late = 0, t103_overdue = 0;  // overdue: open past its day at `now`
    // Keeping children safe in education 2024 Part 4 (ext): 80% resolved within one month, 90%
    // within three, all but the most exceptional within 12; counted over the concluded.
    int within_1_month = 0, within_3_months = 0, within_12_months = 0;
  };

  const char* name() const override { return "allegations"; }
  int version() const override { return 1; }
  void Apply(const EventView& e) override;
  void Reset() override { items_.clear(); }
  std::string Serialize() const override;

  const Entry* Find(const std::string& id) const;
  // Every allegation, most recently referred first.
  std::vector<Entry> List() const;
  Summary Summarise(TimestampUs from, TimestampUs to, TimestampUs now) const;
  // "open", "met", "met_late", "cancelled", or "breached" (open and past its day at `now`).
  static std::string StatusAt(const Deadline& d, TimestampUs now);

 private:
  std::map<std::string, Entry> items_;
};

}  // namespace casetrail::replay
