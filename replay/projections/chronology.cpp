#include "replay/projections/chronology.hpp"

#include <algorithm>
#include <sstream>

#include "replay/chronology_text.hpp"
#include "replay/correction_event.hpp"
#include "replay/event_helpers.hpp"

namespace casetrail::replay {

void ChronologyProjection::Apply(const EventView& e) {
  const std::string id = ChildIdOf(e.stream);
  if (id.empty()) return;
  const std::string_view type = e.type;
  if (type == "deadline.scheduled" || type == "deadline.met" || type == "deadline.cancelled" ||
      type == "deadline.due_soon") {
    return;  // what a chronology shows of deadlines: missed, late, moved, withdrawn
  }
  std::vector<Item>& items = last_.Get(children_, e.stream, id);
  if (CorrectionEvent k; ParseCorrection(e, &k)) {
    for (Item& it : items) {
      if (it.version != k.target_version) continue;
      if (it.note == 0) {
        notes_.emplace_back();
        it.note = static_cast<std::uint32_t>(notes_.size());
      }
      Note& n = notes_[it.note - 1];
      n.withdrawn = k.withdrawn;
      n.params = k.after_params;
      n.by = k.by;
      n.reason = k.reason;
      it.occurred_at = k.withdrawn ? k.before_at : k.after_at;
    }
  }
  items.push_back({e.occurred_at, e.position, static_cast<std::uint32_t>(e.version), 0});
}

Result<std::vector<ChronologyProjection::Entry>> ChronologyProjection::For(const std::string& id,
                                                                           EventLog& log) const {
  auto it = children_.find(id);
  if (it == children_.end()) return Status::NotFound("child '" + id + "' has no record");
  std::vector<Item> items = it->second;
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.occurred_at != b.occurred_at ? a.occurred_at < b.occurred_at : a.position < b.position;
  });
  std::vector<Entry> out;
  out.reserve(items.size());
  for (const Item& item : items) {
    auto e = log.ReadPosition(item.position);
    if (!e.ok()) return e.status();
    Entry en;
    en.occurred_at = item.occurred_at;
    en.recorded_at = e->recorded_at;
    en.position = item.position;
    en.version = item.version;
    en.text = Describe(e->type, e->payload);
    en.recorded_by = e->actor.user + " (" + e->actor.role + ")";
    if (item.note) {
      const Note& n = notes_[item.note - 1];
      en.original = en.text;
      en.original_at = e->occurred_at;
      en.text = n.withdrawn ? WithdrawnText(en.original, n.by, n.reason)
                            : CorrectedText(e->type, n.params, en.original, e->occurred_at, n.by, n.reason);
    }
    out.push_back(std::move(en));
  }
  return out;
}

std::string ChronologyProjection::Serialize() const {
  std::ostringstream o;
  for (const auto* entry : Sorted(children_)) {
    const auto& [id, items] = *entry;
    for (const auto& it : items) {
      o << id << " " << it.occurred_at << " #" << it.position << " v" << it.version;
      if (it.note) {
        const Note& n = notes_[it.note - 1];
        o << (n.withdrawn ? " withdrawn" : " corrected") << " by " << n.by << ": " << n.reason;
        for (const auto& [k, v] : n.params) o << " " << k << "=" << v;
      }
      o << "\n";
    }
  }
  return o.str();
}

}  // namespace casetrail::replay
