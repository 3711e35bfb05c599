// The "chronology" projection. What every projection guarantees: replay/projection.hpp; the list
// of projections and how to make one by name: replay/projections.hpp.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/event_log.hpp"
#include "replay/projection_support.hpp"
#include "replay/projection.hpp"

namespace casetrail::replay {

// The chronology every record needs: the significant events of a child's life in business-time
// order, in plain words, with who recorded them and when.
class ChronologyProjection final : public Projection {
 public:
  struct Entry {
    TimestampUs occurred_at = 0;  // as corrected
    TimestampUs recorded_at = 0;
    std::uint64_t position = 0;
    std::uint64_t version = 0;
    std::string text;             // as corrected (and saying so)
    std::string recorded_by;      // "user (role)"
    std::string original;         // corrected or withdrawn entries: the text first recorded
    TimestampUs original_at = 0;  // ... and its business time
  };
  const char* name() const override { return "chronology"; }
  int version() const override { return 3; }
  void Apply(const EventView& e) override;
  void Reset() override {
    children_.clear();
    notes_.clear();
    last_.Clear();
  }
  std::string Serialize() const override;
  // In business-time order (ties by position), the text rendered from the events the index
  // points at. Corrected entries show the corrected value and the original; withdrawn ones say
  // so. NotFound if the child has no entries.
  Result<std::vector<Entry>> For(const std::string& child_id, EventLog& log) const;

 private:
  // The projection keeps an index, not text: 24 bytes an entry, so that a whole caseload's
  // chronology fits in memory; the words come from the log when a chronology is read.
  struct Item {
    TimestampUs occurred_at = 0;  // as corrected
    std::uint64_t position = 0;
    std::uint32_t version = 0;
    std::uint32_t note = 0;       // 1-based index into notes_ (0: not corrected)
  };
  struct Note {  // the latest correction or withdrawal of an entry
    bool withdrawn = false;
    std::map<std::string, std::string> params;
    std::string by, reason;
  };
  StringMap<std::vector<Item>> children_;
  LastChild<std::vector<Item>> last_;
  std::vector<Note> notes_;
};

}  // namespace casetrail::replay
