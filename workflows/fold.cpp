#include "workflows/fold.hpp"

#include <algorithm>

namespace casetrail::workflows {

bool IsActionEvent(const RecordedEvent& e) {
  if (e.type == kDeadlineBreached) return true;  // time-driven: folded, so a case knows its breaches
  if (e.type.rfind("deadline.", 0) == 0 || e.type.rfind("flag.", 0) == 0) return false;
  if (IsCorrection(e.type)) return false;
  return !IsDerivedPayload(e.payload);
}

std::map<std::uint64_t, Correction> CorrectionsIn(const std::vector<RecordedEvent>& events,
                                                  TimestampUs recorded_by) {
  std::map<std::uint64_t, Correction> out;
  for (const auto& e : events) {
    if (!IsCorrection(e.type) || e.recorded_at > recorded_by) continue;
    CorrectionRecord r;
    if (!DecodeCorrection(e.type, e.payload, &r)) continue;
    Correction c;
    c.version = e.version;
    c.recorded_at = e.recorded_at;
    c.withdrawn = r.withdrawn;
    c.reason = std::move(r.reason);
    c.by = e.actor.user + " (" + e.actor.role + ")";
    if (!c.withdrawn) {
      c.occurred_at = r.after_at;
      c.params = std::move(r.after_params);
    }
    out[r.target_version] = std::move(c);
  }
  return out;
}

Action ActionOf(const RecordedEvent& e) {
  Action a;
  a.name = e.type;
  a.occurred_at_us = e.occurred_at;
  a.role = e.actor.role;
  auto payload = DecodeActionPayload(e.payload);
  a.params = std::move(payload.params);
  a.rules_edition = payload.rules_edition;
  return a;
}

Status Fold(Case& c, const std::vector<RecordedEvent>& events, std::size_t from,
            const std::map<std::uint64_t, Correction>& corrections, const FoldOptions& o) {
  for (std::size_t i = from; i < events.size(); ++i) {
    const RecordedEvent& e = events[i];
    if (e.recorded_at > o.recorded_by) break;  // recorded_at never decreases along the log
    if (!IsActionEvent(e)) continue;
    FoldStep step;
    step.event = &e;
    step.action = ActionOf(e);
    if (auto it = corrections.find(e.version); it != corrections.end()) {
      step.correction = &it->second;
      if (it->second.withdrawn) continue;
      step.action.occurred_at_us = it->second.occurred_at;
      step.action.params = it->second.params;
    }
    if (step.action.occurred_at_us > o.occurred_by) continue;
    step.verdict = c.Apply(step.action);
    if (!step.verdict.accepted()) {
      // A time-driven action a correction overtook (the deadline was met or moved, the birthday
      // corrected): the record of what the scheduler wrote then, not a divergence.
      if (IsTimeDriven(step.action.name)) {
        if (o.on_refused) o.on_refused(step);
        continue;
      }
      if (!o.skip_refused) {
        return Status::Corruption("replay of " + e.stream + " diverged at version " +
                                  std::to_string(e.version) + " ('" + e.type +
                                  "'): " + step.verdict.verdict.reason);
      }
      if (o.on_refused) o.on_refused(step);
      continue;
    }
    if (o.on_step) o.on_step(step);
  }
  return Status::Ok();
}

std::vector<std::string> CorrectionRoles(const Case& c, const std::string& action) {
  if (action.rfind("alloc.", 0) == 0) return {"team_manager"};  // allocation is the managers'
  for (const auto& [name, state] : c.States()) {
    for (const auto& p : c.journey(name).Permissions()) {
      if (p.action != action) continue;
      std::vector<std::string> roles;
      for (const auto& r : p.roles) {
        if (r != kSystemRole) roles.push_back(r);
      }
      bool manager = false;
      for (const auto& r : roles) manager |= (r == "team_manager");
      if (!manager) roles.push_back("team_manager");
      return roles;
    }
  }
  return {};
}

void Track(CaseState& s, const FoldStep& step) {
  s.max_occurred = std::max(s.max_occurred, step.action.occurred_at_us);
  s.segment_min = std::min(s.segment_min, step.action.occurred_at_us);
  for (const auto& f : step.verdict.verdict.flags_raised) s.flags.push_back(f);
  for (const auto& k : step.verdict.consequences) {
    for (const auto& f : k.verdict.flags_raised) s.flags.push_back(f);
  }
}

}  // namespace casetrail::workflows
