#include "replay/projections/carers.hpp"

#include <nlohmann/json.hpp>

#include "workflows/case_events.hpp"
#include "workflows/own_record.hpp"

namespace casetrail::replay {

void CarersProjection::Unplace(const std::string& child) {
  auto it = placed_with_.find(child);
  if (it == placed_with_.end()) return;
  if (auto c = carers_.find(it->second); c != carers_.end()) c->second.children.erase(child);
  placed_with_.erase(it);
}

void CarersProjection::Apply(const EventView& e) {
  const std::string_view type = e.type;
  const std::string child = workflows::ChildIdOf(e.stream);
  if (!child.empty()) {
    // A child's placement naming a carer (cic.placement_started/changed {carer}); any later
    // placement, end or end of care takes the child from that carer. Corrections are not followed
    // (a corrected placement shows when the child's next placement is recorded).
    if (type == "cic.placement_started" || type == "cic.placement_changed") {
      Unplace(child);
      const auto params = workflows::ActionParams(e.payload);
      if (auto it = params.find("carer"); it != params.end() && carers_.count(it->second)) {
        placed_with_[child] = it->second;
        carers_[it->second].children.insert(child);
      }
    } else if (type == "cic.placement_ended" || type == "cic.ceased_looked_after") {
      Unplace(child);
    }
    return;
  }
  const std::string id = workflows::RecordIdOf(workflows::CarerRecord(), e.stream);
  if (id.empty()) return;
  Entry& c = carers_[id];
  c.id = id;
  c.version = e.version;
  if (type.starts_with("deadline.")) {
    const auto p = nlohmann::json::parse(e.payload, nullptr, false);
    if (!p.is_object()) return;
    const std::string rule = p.value("rule", "");
    std::string* due = rule == "T-121" ? &c.review_due : rule == "T-121u" ? &c.visit_due : nullptr;
    if (!due) return;
    *due = type == "deadline.scheduled" || type == "deadline.rescheduled" ? p.value("due", "") : "";
    return;
  }
  if (!type.starts_with("carer.")) return;
  if (!e.to_state.empty()) c.state = std::string(e.to_state);
  const auto params = workflows::ActionParams(e.payload);
  auto param = [&](const char* k) {
    auto it = params.find(k);
    return it == params.end() ? std::string() : it->second;
  };
  if (type == "carer.enquiry_received") {
    c.kind = param("kind");
    c.household = param("household");
    c.enquiry_at = e.occurred_at;
    c.approved_at = c.deregistered_at = 0;
    c.places = 0;
    c.ages.clear();
  } else if ((type == "carer.approval_decided" && param("decision") == "approved") || type == "carer.approval_changed") {
    if (type == "carer.approval_decided") c.approved_at = e.occurred_at;
    c.places = std::atoi(param("places").c_str());
    c.ages = param("ages");
  } else if (type == "carer.deregistered") {
    c.deregistered_at = e.occurred_at;
  }
}

const CarersProjection::Entry* CarersProjection::Find(const std::string& id) const {
  auto it = carers_.find(id);
  return it == carers_.end() ? nullptr : &it->second;
}

std::vector<CarersProjection::Entry> CarersProjection::List() const {
  std::vector<Entry> out;
  for (const auto& [id, c] : carers_) out.push_back(c);
  return out;
}

std::string CarersProjection::Serialize() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [id, c] : carers_) {
    out.push_back({{"id", c.id}, {"kind", c.kind}, {"household", c.household}, {"state", c.state}, {"version", c.version},
                   {"enquiry_at", c.enquiry_at}, {"approved_at", c.approved_at}, {"deregistered_at", c.deregistered_at},
                   {"places", c.places}, {"ages", c.ages}, {"review_due", c.review_due}, {"visit_due", c.visit_due},
                   {"children", c.children}});
  }
  return out.dump();
}

}  // namespace casetrail::replay
