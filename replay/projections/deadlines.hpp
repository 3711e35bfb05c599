// The "deadlines" projection. What every projection guarantees: replay/projection.hpp; the list
// of projections and how to make one by name: replay/projections.hpp.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "replay/projection_support.hpp"
#include "replay/projection.hpp"

namespace casetrail::replay {

// Every deadline the workflows scheduled, by child and rule, with what became of it. "Breached"
// depends on when one asks: an open deadline is breached once its due time has passed.
class DeadlinesProjection final : public Projection {
 public:
  enum class State { kOpen, kMet, kMetLate, kCancelled };
  struct Entry {
    std::string child;
    std::string rule;
    std::string rule_version;
    std::string started;   // YYYY-MM-DD
    std::string due;       // YYYY-MM-DD
    TimestampUs due_by = 0;
    State state = State::kOpen;
    TimestampUs closed_at = 0;  // business time of the event that met or cancelled it
    TimestampUs breach_recorded_at = 0;  // business time of a deadline.breached still standing
  };
  const char* name() const override { return "deadlines"; }
  double weight() const override { return 3; }
  int version() const override { return 2; }
  void Apply(const EventView& e) override;
  void Reset() override {
    items_.clear();
    open_.clear();
    names_.Clear();
  }
  std::string Serialize() const override;
  // "open", "met", "met_late", "cancelled", or "breached" (open and due before `now`).
  static std::string StatusAt(const Entry& e, TimestampUs now);
  // Open deadlines already past due at `now`, earliest first.
  std::vector<Entry> Overdue(TimestampUs now) const;
  // Open deadlines falling due within `days` days after `now`, earliest first.
  std::vector<Entry> DueSoon(TimestampUs now, int days) const;
  std::vector<Entry> entries() const;

 private:
  // 40 bytes a deadline: a whole caseload's history of deadlines fits in memory.
  struct Item {
    std::uint32_t child = 0, rule = 0, rule_version = 0;  // Names ids
    std::int32_t started = 0, due = 0;                    // London days since 1970-01-01
    State state = State::kOpen;
    TimestampUs due_by = 0;
    TimestampUs closed_at = 0;
    TimestampUs breach_recorded_at = 0;
  };
  Entry Render(const Item& it) const;
  void Add(const Entry& e);
  std::deque<Item> items_;  // a deque: growing it never copies (or doubles) the whole history
  std::unordered_map<std::uint64_t, std::size_t> open_;  // (child << 32 | rule) -> index
  Names names_;
};

}  // namespace casetrail::replay
