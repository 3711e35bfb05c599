// Projections: pure folds over the log, each with a name, a version and a checkpoint.
//
// A projection sees events in position order through Apply and never reads anything else, so
// rebuilding it from position 1 gives exactly what keeping it up to date live gives (tested:
// tests/replay/test_projections.cpp compares the serialised states byte for byte).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>
#include <string>
#include <vector>

#include "engine/event_log.hpp"
#include "replay/symbol.hpp"

namespace casetrail::replay {

// Hash maps keyed by strings that can be searched with a string_view (no allocation per event).
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// The child a projection touched last: the events of one append are one child's and come
// together, so most lookups are answered without hashing (entries never move in the map).
template <typename V>
struct LastChild {
  std::string stream;
  V* value = nullptr;
  void Clear() {
    stream.clear();
    value = nullptr;
  }
  V& Get(StringMap<V>& map, std::string_view event_stream, const std::string& id) {
    if (value && stream == event_stream) return *value;
    value = &map[id];
    stream.assign(event_stream);
    return *value;
  }
};

// Small integer ids for the strings a projection repeats millions of times (child ids, rule
// ids, teams), so that whole-caseload projections stay compact.
class Names {
 public:
  std::uint32_t Id(std::string_view name);
  const std::string& Name(std::uint32_t id) const { return names_[id]; }
  void Clear() {
    names_.clear();
    ids_.clear();
  }

 private:
  std::vector<std::string> names_;
  StringMap<std::uint32_t> ids_;
};

// What a per-child fold (PLO tracker, KPIs) keeps of an event, so that a later correction can
// refold the child without reading the log.
struct ChildInput {
  std::uint64_t version = 0;
  TimestampUs at = 0;
  Sym type, journey, from_state, to_state, team;
  std::map<std::string, std::string> params;  // an action's parameters; a deadline's rule and due
};

// A correction or withdrawal event (replay/fold.hpp), as projections read it.
struct CorrectionEvent {
  bool withdrawn = false;
  std::uint64_t target_version = 0;
  std::string target_type, target_team;
  TimestampUs target_recorded_at = 0;
  TimestampUs before_at = 0, after_at = 0;
  std::map<std::string, std::string> before_params, after_params;
  std::string reason, by;
  std::map<std::string, std::string> states;  // every journey after the refold
  struct Flag {
    std::string text;
    std::uint64_t version = 0;  // of the action that raised it
    TimestampUs at = 0;
  };
  std::vector<Flag> flags;                    // every flag, after the refold
  struct Deadline {
    std::string rule, rule_version, started, due, state;
    TimestampUs due_by = 0, closed_at = 0;
    std::uint64_t scheduled_by = 0, closed_by = 0;
  };
  std::vector<Deadline> deadlines;            // every deadline, after the refold
  struct Transition {
    std::uint64_t version = 0;
    std::string journey, from_state, to_state;
  };
  std::vector<Transition> transitions;        // actions whose transition changed
};
// False if the event is not a well-formed correction.
bool ParseCorrection(const EventView& e, CorrectionEvent* out);
// Edits a child's kept inputs by a correction: the target is changed or removed, changed
// transitions are applied, and the deadline inputs are replaced by the refold's (those `keep`
// accepts, as "deadline.scheduled" / "deadline.met" / ... inputs at the deciding version).
void CorrectInputs(std::vector<ChildInput>& inputs, const CorrectionEvent& c,
                   bool (*keep)(const std::string& type, const std::string& rule));

// The chronology text of a corrected or withdrawn entry: the corrected value, and the original.
std::string CorrectedText(std::string_view type, const std::map<std::string, std::string>& params,
                          const std::string& original, TimestampUs original_at, const std::string& by,
                          const std::string& reason);
std::string WithdrawnText(const std::string& original, const std::string& by, const std::string& reason);

class Projection {
 public:
  virtual ~Projection() = default;
  virtual const char* name() const = 0;
  virtual int version() const = 0;
  virtual void Apply(const EventView& e) = 0;
  virtual void Reset() = 0;
  // How much work an event is, relative to the others (RebuildAll balances threads with it).
  virtual double weight() const { return 1; }
  // A canonical text form of the whole state (sorted, deterministic).
  virtual std::string Serialize() const = 0;
  std::uint64_t position() const { return position_; }

 protected:
  friend class ProjectionRunner;
  std::uint64_t position_ = 0;  // the last position applied
};

// Keeps projections up to date and their checkpoints in the log's checkpoint store under
// "projection.<name>.v<version>".
class ProjectionRunner {
 public:
  explicit ProjectionRunner(EventLog& log) : log_(log) {}
  // Applies every event after the projection's position, up to the head (or at most
  // `max_events` of them); stores the checkpoint.
  Result<std::uint64_t> CatchUp(Projection& p, std::uint64_t max_events = UINT64_MAX);
  // Brings several projections up to date in one scan of the log, from the earliest of their
  // positions (each sees only the events after its own), up to the head or `max_events` past the
  // earliest. Stores their checkpoints when `checkpoint` (a live server does it now and then,
  // not on every step: a checkpoint is a write). Returns the earliest position reached.
  Result<std::uint64_t> CatchUpAll(std::span<Projection* const> ps, std::uint64_t max_events = UINT64_MAX,
                                   bool checkpoint = true);
  // Stores the checkpoints of projections kept up to date with CatchUpAll(..., false).
  Status StoreCheckpoints(std::span<Projection* const> ps);
  // Resets and applies the whole log.
  Result<std::uint64_t> Rebuild(Projection& p);
  // Rebuilds several projections in one pass over the log; `progress` (if given) is called
  // about every 65,536 events with the position reached.
  Result<std::uint64_t> RebuildAll(const std::vector<Projection*>& ps,
                                   const std::function<void(std::uint64_t)>& progress = {});
  static std::string CheckpointName(const Projection& p);

  // Seals the projection's checkpoint: stores, beside the log, its position and the SHA-256 of
  // its state (Serialize()), so that an auditor can later check it against the log.
  Status Seal(const Projection& p);
  struct Check {
    std::string name;          // "plo_tracker.v1"
    bool sealed = false;       // false: nothing to check (never sealed)
    bool ok = false;
    std::uint64_t position = 0;
    std::string reason;        // when !ok
  };
  // Rebuilds `fresh` (a new projection of the kind to check) from position 1 up to the sealed
  // position and compares digests; a checkpoint past the log's head is inconsistent too.
  Result<Check> Verify(Projection& fresh);

 private:
  EventLog& log_;
};

// One child's summary: active journeys and their states, legal status, placement, the last
// worker and team, open deadlines and flags.
class ChildSummaryProjection final : public Projection {
 public:
  struct Child {
    std::map<Sym, Sym> journeys;  // journey -> state (active ones)
    Sym legal_status;
    Sym placement;
    Sym last_worker;
    Sym team;
    std::map<Sym, Sym> open_deadlines;  // rule -> due date
    std::vector<Sym> flags;
    std::uint64_t version = 0;
    TimestampUs last_occurred_at = 0;
    std::vector<ChildInput> care_events;  // what set the legal status and placement (corrections)
  };
  const char* name() const override { return "child_summary"; }
  double weight() const override { return 3; }
  int version() const override { return 1; }
  void Apply(const EventView& e) override;
  void Reset() override {
    children_.clear();
    last_.Clear();
  }
  std::string Serialize() const override;
  const Child* Find(const std::string& child_id) const;
  // Children with an active journey, by team then worker (the last person who recorded an
  // action on the child; allocation is not modelled yet).
  std::map<std::string, std::map<std::string, int>> Caseload() const;

 private:
  static void ApplyCare(Child& c, const std::string& type, const std::map<std::string, std::string>& params);
  StringMap<Child> children_;  // by child id (sorted when serialized)
  LastChild<Child> last_;
};

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
  int version() const override { return 2; }
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
  };
  const char* name() const override { return "deadlines"; }
  double weight() const override { return 3; }
  int version() const override { return 1; }
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
  };
  Entry Render(const Item& it) const;
  void Add(const Entry& e);
  std::deque<Item> items_;  // a deque: growing it never copies (or doubles) the whole history
  std::unordered_map<std::uint64_t, std::size_t> open_;  // (child << 32 | rule) -> index
  Names names_;
};

// The Public Law Outline tracker for case progression officers: every child in pre-proceedings
// and in care proceedings, with weeks elapsed and a red/amber/green status as of a time.
//   pre-proceedings: red past the review point (T-31, 16 weeks, moved by extensions) or with
//                    the initial meeting overdue; amber from 12 weeks or with the meeting late;
//   proceedings:     red past the 26-week date (moved by extensions), amber from week 21.
class PloTrackerProjection final : public Projection {
 public:
  struct Child {
    std::string child;
    std::string team;          // the team that recorded the legal planning meeting / the issue
    std::string area;          // the team's area: its name before the last '-' ("north-1" -> "north")
    // pre-proceedings
    bool in_pre_proceedings = false;
    std::string lpm_date, letter_date, initial_meeting_due, initial_meeting_held, review_point;
    int reviews = 0;
    int extensions = 0;
    bool fgdm_offered = false;
    // proceedings
    bool in_proceedings = false;
    bool fdac = false;
    std::string issued, final_date;  // final_date: 26 weeks, moved by extensions
    int extension_weeks = 0;
    std::vector<std::string> hearings;  // "2026-10-14 case_management"
    bool pre_proceedings_before_issue = false;
    TimestampUs start_us = 0;           // LPM or issue, for weeks elapsed
  };
  const char* name() const override { return "plo_tracker"; }
  int version() const override { return 1; }
  void Apply(const EventView& e) override;
  void Reset() override { children_.clear(); }
  std::string Serialize() const override;
  // Children in pre-proceedings or proceedings, filtered by team and area when not empty.
  std::vector<Child> List(const std::string& team = {}, const std::string& area = {}) const;
  static int WeeksElapsed(const Child& c, TimestampUs now);
  static std::string Rag(const Child& c, TimestampUs now);  // "red", "amber", "green"

 private:
  static void Fold(Child& c, const ChildInput& in);
  void Refold(const std::string& id);
  std::map<std::string, Child> children_;                   // in pre-proceedings or proceedings now
  StringMap<std::vector<ChildInput>> inputs_;  // every child ever in either
};

// The Trust's measures (seed-spec section 4) for any period, by team and area. It keeps the
// facts (deadline outcomes, plans, pre-proceedings and proceedings, recording lag) and computes
// the measures on demand; a fact counts in the period in which it completed.
class KpiProjection final : public Projection {
 public:
  struct Value {
    double numerator = 0;
    double denominator = 0;  // 0: no data in the period
    double value() const { return denominator == 0 ? 0 : numerator / denominator; }
  };
  struct Filter {
    TimestampUs from = INT64_MIN;  // inclusive
    TimestampUs to = INT64_MAX;    // exclusive
    std::string team;
    std::string area;
  };
  const char* name() const override { return "kpis"; }
  double weight() const override { return 2; }
  int version() const override { return 2; }
  void Apply(const EventView& e) override;
  void Reset() override;
  std::string Serialize() const override;
  // Measure name -> value. Proportions are numerator/denominator; averages are a sum over a count.
  std::map<std::string, Value> Compute(const Filter& f) const;

 private:
  // 32 bytes a fact; kinds ("T-01", "plan_started", ...), outcomes and teams are Names ids.
  struct Fact {
    std::uint32_t kind = 0, outcome = 0, team = 0;
    std::uint32_t version = 0;  // the action it came from (a child's stream version)
    TimestampUs at = 0;
    double amount = 0;          // weeks or days where the measure is an average
  };
  // One child's facts: deadline outcomes as they come, the rest folded from the few inputs it
  // keeps (so a correction refolds the child).
  struct ChildFacts {
    std::vector<ChildInput> inputs;
    std::vector<Fact> facts;           // from inputs
    std::vector<Fact> deadline_facts;  // deadlines met or met late
    std::optional<TimestampUs> lpm, issued, plan_since;
    bool issued_after_pre = false;
    Sym plan_team;
    std::uint64_t last_action = 0;  // the version of the child's latest action
  };
  Fact MakeFact(std::string_view kind, std::string_view outcome, TimestampUs at, double amount,
                std::string_view team, std::uint64_t version);
  void Fold(ChildFacts& c, const ChildInput& in);
  void Refold(ChildFacts& c);
  // Recording lag, summed by team and London day of recording: (sum of days, count).
  void AddLag(std::string_view team, TimestampUs recorded_at, double days, int count);
  StringMap<ChildFacts> children_;
  LastChild<ChildFacts> last_;
  Names names_;
  std::map<std::pair<std::uint32_t, std::int32_t>, std::pair<double, std::int64_t>> lag_;  // (team id, day)
};

// Is `state` the journey's initial state (the journey is not active)? From the transition tables.
bool IsInitialState(std::string_view journey, std::string_view state);

// Is this event a cross-journey consequence the pipeline derived (payload "derived": true)?
bool IsDerivedPayload(std::string_view payload);
// A team's area: its name before the last '-' ("north-1" -> "north").
std::string AreaOf(const std::string& team);

// "child-1001" -> "1001"; empty for streams that are not a child's.
std::string ChildIdOf(std::string_view stream);
// "cp.icpc_held" with {"outcome":"cp_plan","category":"neglect"} ->
// "Initial child protection conference held: outcome cp plan, category neglect".
std::string Describe(std::string_view type, std::string_view payload);

}  // namespace casetrail::replay
