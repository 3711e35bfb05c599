// The events an accepted action writes beside itself (workflows/case_events.hpp lists their
// shapes): the action event, deadline effects and flags, and recounted deadlines. Shared by the
// child's case (case_decider.cpp) and an allegation's record (allegation.cpp). Include only from
// those .cpp files.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "engine/event.hpp"
#include "workflows/case.hpp"

namespace casetrail::workflows::detail {

inline const char* DeadlineType(DeadlineEffect::Kind k) {
  switch (k) {
    case DeadlineEffect::Kind::kScheduled: return "deadline.scheduled";
    case DeadlineEffect::Kind::kMet: return "deadline.met";
    case DeadlineEffect::Kind::kMetLate: return "deadline.met_late";
    case DeadlineEffect::Kind::kCancelled: return "deadline.cancelled";
    case DeadlineEffect::Kind::kBreached:
    case DeadlineEffect::Kind::kDueSoon: return nullptr;  // the action event itself
    case DeadlineEffect::Kind::kBreachCancelled: return "deadline.breach_cancelled";
  }
  return "deadline.unknown";
}

inline EventData ActionEvent(const std::string& type, TimestampUs at, std::string payload,
                      const std::string& journey, const Verdict& v, const std::string& fingerprint) {
  EventData e;
  e.type = type;
  e.occurred_at = at;
  e.payload = std::move(payload);
  e.journey = journey;
  e.from_state = v.from_state;
  e.to_state = v.to_state;
  e.machine_fingerprint = fingerprint.substr(0, 64);
  return e;
}

inline nlohmann::json DeadlinePayload(const Deadline& d) {
  return nlohmann::json{{"rule", d.rule_id},
              {"rule_version", d.rule_version},
              {"started", Date::FromTimestampUs(d.start_us).ToString()},
              {"due", d.due_date.ToString()},
              {"due_by_us", d.due_by_us}};
}

// Deadlines the action's rule edition recounted (before the action's own effects, which judge
// against the recounted date).
inline void AddRescheduled(const CaseVerdict& v, TimestampUs at, std::vector<EventData>* out) {
  for (const auto& r : v.rescheduled) {
    EventData e;
    e.type = "deadline.rescheduled";
    e.occurred_at = at;
    e.journey = r.journey;
    nlohmann::json p = DeadlinePayload(r.after);
    p["previous_due"] = r.before.due_date.ToString();
    p["previous_rule_version"] = r.before.rule_version;
    p["reason"] = r.reason;
    e.payload = p.dump();
    out->push_back(std::move(e));
  }
}

inline void AddEffects(const Verdict& v, const std::string& journey, TimestampUs at,
                std::vector<EventData>* out) {
  for (const auto& d : v.deadlines) {
    const char* type = DeadlineType(d.kind);
    if (!type) continue;
    EventData e;
    e.type = type;
    e.occurred_at = at;
    e.journey = journey;
    e.payload = DeadlinePayload(d.deadline).dump();
    out->push_back(std::move(e));
  }
  for (const auto& f : v.flags_raised) {
    EventData e;
    e.type = "flag.raised";
    e.occurred_at = at;
    e.journey = journey;
    e.payload = nlohmann::json{{"text", f}}.dump();
    out->push_back(std::move(e));
  }
}

}  // namespace casetrail::workflows::detail
