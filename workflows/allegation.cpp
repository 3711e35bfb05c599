#include "workflows/allegation.hpp"

#include <algorithm>

#include "workflows/case_events.hpp"
#include "workflows/detail/event_builders.hpp"
#include "workflows/fold.hpp"

namespace casetrail::workflows {

std::string AllegationStreamOf(const std::string& id) { return std::string(kAllegationStreamPrefix) + id; }

std::string AllegationIdOf(std::string_view stream) {
  if (stream.substr(0, kAllegationStreamPrefix.size()) != kAllegationStreamPrefix) return {};
  return std::string(stream.substr(kAllegationStreamPrefix.size()));
}

Allegation::Allegation(const RuleBook& rules) : journey_(NewLado(rules)) {}

Verdict Allegation::Apply(const Action& a) {
  if (a.name.rfind("lado.", 0) != 0) {
    Verdict v;
    v.from_state = v.to_state = State();
    v.rule = "not_an_allegation_action";
    v.reason = "'" + a.name + "' is not an action on an allegation (lado.*); a child's actions are recorded on the child";
    return v;
  }
  return journey_->Apply(a);
}

std::vector<std::string> Allegation::AllowedActions(const std::string& role) const {
  std::vector<std::string> out;
  for (const auto& action : journey_->AllowedActions()) {
    bool may = role.empty();
    for (const auto& p : journey_->Permissions()) {
      if (p.action == action) may |= std::find(p.roles.begin(), p.roles.end(), role) != p.roles.end();
    }
    if (may) out.push_back(action);
  }
  return out;
}

Status AllegationDecider::CheckKey(const std::string& id) const {
  if (id.empty() || id.size() > 128) return Status::InvalidArgument("allegation_id", "must be 1 to 128 bytes");
  for (char ch : id) {
    if (ch <= 0x20 || ch >= 0x7f) return Status::InvalidArgument("allegation_id", "must be printable ASCII without spaces");
  }
  return Status::Ok();
}

Status AllegationDecider::Check(const Command& cmd) const {
  if (Status s = CheckKey(cmd.allegation_id); !s.ok()) return s;
  if (cmd.action.empty()) return Status::InvalidArgument("action", "must not be empty");
  if (cmd.occurred_at == 0) return Status::InvalidArgument("occurred_at", "is required");
  return Status::Ok();
}

Result<AllegationState> AllegationService::Rebuild(const std::vector<RecordedEvent>& events, const RuleBook& rules) {
  AllegationState st{Allegation(rules), 0};
  for (const auto& e : events) {
    st.version = e.version;
    if (!IsActionEvent(e)) continue;
    Action a = ActionOf(e);
    Verdict v = st.allegation.Apply(a);
    if (!v.accepted) {
      return Status::Corruption("stream " + e.stream + " version " + std::to_string(e.version) + " ('" + e.type +
                                "') is refused on replay: " + v.reason);
    }
  }
  return st;
}

Result<AllegationState> AllegationDecider::Load(const std::string& id) const {
  auto events = log_.ReadStream(AllegationStreamOf(id), 1, Direction::kForward, SIZE_MAX);
  if (!events.ok()) return events.status();
  if (events->empty()) return Status::NotFound("no allegation " + id);
  return AllegationService::Rebuild(*events, rules_);
}

Result<AllegationState> AllegationService::Load(const std::string& id) {
  auto s = svc_.Load(id);
  if (!s.ok()) return s.status();
  if ((*s)->version == 0) return Status::NotFound("no allegation " + id);
  return **s;
}

Result<AllegationOutcome> AllegationDecider::Retried(const Command& cmd, const AppendResult& original,
                                                     const std::vector<RecordedEvent>& written,
                                                     const State& now) const {
  AllegationOutcome out;
  out.accepted = true;
  out.append = original;
  for (const auto& e : written) out.event_types.push_back(e.type);
  if (!written.empty()) {
    out.verdict.accepted = true;
    out.verdict.from_state = written.front().from_state;
    out.verdict.to_state = written.front().to_state;
  }
  out.state = now.allegation.State();
  out.allowed_actions = now.allegation.AllowedActions(cmd.actor.role);
  out.version = now.version;
  return out;
}

AllegationDecider::Decision AllegationDecider::Decide(const Command& cmd, const State& now) const {
  State next = now;
  Action a;
  a.name = cmd.action;
  a.occurred_at_us = cmd.occurred_at;
  a.role = cmd.actor.role;
  a.params = cmd.params;
  a.rules_edition = rules_.CurrentEdition();
  AllegationOutcome out;
  out.verdict = next.allegation.Apply(a);
  if (!out.verdict.accepted) {
    out.state = now.allegation.State();
    out.allowed_actions = now.allegation.AllowedActions(cmd.actor.role);
    out.version = now.version;
    return out;
  }
  const Journey& j = next.allegation.journey();
  AppendRequest req;
  req.events.push_back(detail::ActionEvent(cmd.action, cmd.occurred_at, EncodeActionPayload(cmd.params, a.rules_edition),
                                           j.Table().journey, out.verdict, j.Table().fingerprint));
  detail::AddEffects(out.verdict, j.Table().journey, cmd.occurred_at, &req.events);
  req.actor = cmd.actor;
  for (const auto& e : req.events) out.event_types.push_back(e.type);
  return Decision::Append(std::move(req), std::move(next), std::move(out));
}

void AllegationDecider::Accepted(const Command& cmd, const AppendResult& res, State* next, Outcome* out) const {
  out->accepted = true;
  out->append = res;
  out->state = next->allegation.State();
  out->allowed_actions = next->allegation.AllowedActions(cmd.actor.role);
  out->version = res.last_version;
  next->version = res.last_version;
}

}  // namespace casetrail::workflows
