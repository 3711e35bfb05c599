// DueIndex: the scheduler's view of what time will make happen, as a projection ("due") of the
// log: every open deadline with its due time and whether its breach is recorded, and every
// child's date of birth, active journeys and milestones already recorded.
//
// Guarantees: those of every projection (replay/projection.hpp): a pure fold in log order, so a
// rebuild from the log equals the live index, and a restarted scheduler knows exactly which
// breaches and milestones are already written. Corrections replace a child's deadlines with the
// refold's (workflows/case_events.hpp).
//
// Thread-safety: none (a projection); the owner serialises Apply with the queries.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "replay/projection.hpp"
#include "replay/projection_support.hpp"

namespace casetrail::scheduler {

// One thing time makes happen to one child.
struct DueItem {
  enum class Kind { kBreach, kAge, kDueSoon };
  TimestampUs at = 0;   // business time: a deadline's due_by, the start of a birthday, or of
                        // the notice's first day
  std::string child;
  Kind kind = Kind::kBreach;
  std::string rule;     // kBreach, kDueSoon: the rule; kAge: empty
  std::string due;      // kBreach, kDueSoon: the last day (YYYY-MM-DD)
  std::string journey;  // kBreach, kDueSoon: the journey that owns the deadline
  int age = 0;          // kAge; kDueSoon: the notice in working days
  std::string team;     // the child's team (the allocated team; before any, the last recorder's)
  // The deterministic command id: "time:<child>:breach:<rule>:<due>", "time:<child>:age:<n>" or
  // "time:<child>:due_soon:<rule>:<due>".
  // Restarts, a second scheduler and replays all send the same id, so the log writes it once.
  std::string CommandId() const;
  // "deadline.breached", "case.age_reached" or "deadline.due_soon".
  const char* Action() const;
};

// An open deadline falling due soon (the due-soon feed).
struct OpenDeadline {
  std::string child, rule, journey, due, team;
  TimestampUs due_by = 0;
  bool breached = false;
};

class DueIndex final : public replay::Projection {
 public:
  // `due_soon_working_days`: the notice of a deadline.due_soon reminder (0: no reminders).
  explicit DueIndex(int due_soon_working_days = 0) : notice_(due_soon_working_days) {}
  const char* name() const override { return "due"; }
  int version() const override { return 1; }
  void Apply(const EventView& e) override;
  void Reset() override;
  std::string Serialize() const override;

  // Everything due at or before `until` and not yet recorded, in business-time order (then by
  // child, kind, rule). Breaches of every open deadline; reminders `due_soon_working_days`
  // before the last day; age milestones (16, 18 for a child with an active journey; 21, 25
  // while leaving care) whose birthday falls after the child's first recorded action.
  std::vector<DueItem> DueBy(TimestampUs until) const;
  // Open deadlines whose last day is after `now`'s day and on or before `last_day`, earliest
  // first; `team` empty: every team's.
  std::vector<OpenDeadline> DueBetween(TimestampUs now, const std::string& last_day, const std::string& team) const;
  std::size_t open_deadlines() const { return deadlines_.size(); }
  std::size_t children() const { return children_.size(); }

 private:
  struct Child {
    std::int32_t dob = INT32_MIN;            // London days; INT32_MIN: unknown
    TimestampUs first_at = INT64_MAX;        // business time of the first action
    TimestampUs active_since = INT64_MAX;    // since when a journey is active (INT64_MAX: none)
    std::map<std::string, std::string> journeys;  // active journey -> state
    std::uint8_t ages_recorded = 0;          // bit i: kMilestoneAges[i] recorded
    std::string team;                        // the responsible team: allocated, else the last recorder's
    std::string recorder_team, allocated_team;
    std::array<TimestampUs, 4> queued{};     // birthdays in pending_ages_ (0: not queued)
  };
  struct Deadline {
    std::string journey, due;
    TimestampUs due_by = 0;
    TimestampUs breached_at = 0;  // 0: no breach recorded
    TimestampUs scheduled_at = 0; // business time of the event that scheduled it
    bool reminded = false;        // deadline.due_soon written for this due date
    TimestampUs notice_at = 0;    // when its reminder is due (0: none)
  };
  using Key = std::pair<std::string, std::string>;  // (child, rule)
  void SetDeadline(const Key& key, Deadline d);
  void EraseDeadline(const Key& key);
  // Queues the child's birthdays still to come while it is open (after any change to its date
  // of birth, activity or recorded ages), so that DueBy reads only what is due.
  void RefreshAges(const std::string& id, Child& c);

  replay::StringMap<Child> children_;
  std::map<Key, Deadline> deadlines_;
  // Open, unbreached deadlines by due time: what DueBy scans.
  std::set<std::tuple<TimestampUs, std::string, std::string>> pending_;
  // Open deadlines whose reminder is still to send, by its time.
  std::set<std::tuple<TimestampUs, std::string, std::string>> pending_soon_;
  const int notice_;
  // Birthdays of open children not yet recorded: (start of the birthday, child, age).
  std::set<std::tuple<TimestampUs, std::string, int>> pending_ages_;
};

}  // namespace casetrail::scheduler
