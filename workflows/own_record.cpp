#include "workflows/own_record.hpp"

#include <algorithm>

#include "workflows/case_events.hpp"
#include "workflows/detail/event_builders.hpp"
#include "workflows/fold.hpp"
#include "workflows/registry.hpp"

namespace casetrail::workflows {

const RecordKind& AllegationRecord() {
  static const RecordKind k{"allegation", std::string(kAllegationStreamPrefix), "lado", true};
  return k;
}

const RecordKind& CarerRecord() {
  static const RecordKind k{"carer", "carer-", "carers", false};
  return k;
}

const std::vector<const RecordKind*>& RecordKinds() {
  static const std::vector<const RecordKind*> kinds = {&AllegationRecord(), &CarerRecord()};
  return kinds;
}

const RecordKind* RecordKindOf(std::string_view stream) {
  for (const RecordKind* k : RecordKinds()) {
    if (stream.size() > k->stream_prefix.size() && stream.starts_with(k->stream_prefix)) return k;
  }
  return nullptr;
}

bool IsRestrictedRecordStream(std::string_view stream) {
  const RecordKind* k = RecordKindOf(stream);
  return k && k->restricted;
}

std::string RecordStreamOf(const RecordKind& kind, const std::string& id) { return kind.stream_prefix + id; }

std::string RecordIdOf(const RecordKind& kind, std::string_view stream) {
  if (!stream.starts_with(kind.stream_prefix)) return {};
  return std::string(stream.substr(kind.stream_prefix.size()));
}

namespace {

const JourneyKind& JourneyOf(const RecordKind& kind) {
  for (const auto& j : OtherRecordJourneys()) {
    if (j.name == kind.journey) return j;
  }
  std::abort();  // every record kind names a journey of OtherRecordJourneys() (a test checks)
}

}  // namespace

OwnRecord::OwnRecord(const RecordKind& kind, const RuleBook& rules) : kind_(&kind), journey_(JourneyOf(kind).make(rules)) {}

Verdict OwnRecord::Apply(const Action& a) {
  const std::string& prefix = JourneyOf(*kind_).prefix;
  if (a.name.rfind(prefix, 0) != 0) {
    Verdict v;
    v.from_state = v.to_state = State();
    v.rule = "not_a_" + kind_->name + "_action";
    v.reason = "'" + a.name + "' is not an action on a " + kind_->name + "'s record (" + prefix +
               "*); a child's actions are recorded on the child";
    return v;
  }
  return journey_->Apply(a);
}

std::vector<std::string> OwnRecord::AllowedActions(const std::string& role) const {
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

Status OwnRecordDecider::CheckKey(const std::string& id) const {
  const std::string field = kind_.name + "_id";
  if (id.empty() || id.size() > 128) return Status::InvalidArgument(field, "must be 1 to 128 bytes");
  for (char ch : id) {
    if (ch <= 0x20 || ch >= 0x7f) return Status::InvalidArgument(field, "must be printable ASCII without spaces");
  }
  return Status::Ok();
}

Status OwnRecordDecider::Check(const Command& cmd) const {
  if (Status s = CheckKey(cmd.id); !s.ok()) return s;
  if (cmd.action.empty()) return Status::InvalidArgument("action", "must not be empty");
  if (cmd.occurred_at == 0) return Status::InvalidArgument("occurred_at", "is required");
  return Status::Ok();
}

Result<OwnRecordState> OwnRecordService::Rebuild(const RecordKind& kind, const std::vector<RecordedEvent>& events,
                                                 const RuleBook& rules) {
  OwnRecordState st{OwnRecord(kind, rules), 0};
  for (const auto& e : events) {
    st.version = e.version;
    if (!IsActionEvent(e)) continue;
    Verdict v = st.record.Apply(ActionOf(e));
    if (!v.accepted) {
      return Status::Corruption("stream " + e.stream + " version " + std::to_string(e.version) + " ('" + e.type +
                                "') is refused on replay: " + v.reason);
    }
  }
  return st;
}

Result<OwnRecordState> OwnRecordDecider::Load(const std::string& id) const {
  auto events = log_.ReadStream(RecordStreamOf(kind_, id), 1, Direction::kForward, SIZE_MAX);
  if (!events.ok()) return events.status();
  if (events->empty()) return Status::NotFound("no " + kind_.name + " " + id);
  return OwnRecordService::Rebuild(kind_, *events, rules_);
}

Result<OwnRecordState> OwnRecordService::Load(const std::string& id) {
  auto s = svc_.Load(id);
  if (!s.ok()) return s.status();
  if ((*s)->version == 0) return Status::NotFound("no " + kind_.name + " " + id);
  return **s;
}

Result<OwnRecordOutcome> OwnRecordDecider::Retried(const Command& cmd, const AppendResult& original,
                                                   const std::vector<RecordedEvent>& written, const State& now) const {
  OwnRecordOutcome out;
  out.accepted = true;
  out.append = original;
  for (const auto& e : written) out.event_types.push_back(e.type);
  if (!written.empty()) {
    out.verdict.accepted = true;
    out.verdict.from_state = written.front().from_state;
    out.verdict.to_state = written.front().to_state;
  }
  out.state = now.record.State();
  out.allowed_actions = now.record.AllowedActions(cmd.actor.role);
  out.version = now.version;
  return out;
}

OwnRecordDecider::Decision OwnRecordDecider::Decide(const Command& cmd, const State& now) const {
  State next = now;
  Action a;
  a.name = cmd.action;
  a.occurred_at_us = cmd.occurred_at;
  a.role = cmd.actor.role;
  a.params = cmd.params;
  a.rules_edition = rules_.CurrentEdition();
  OwnRecordOutcome out;
  out.verdict = next.record.Apply(a);
  if (!out.verdict.accepted) {
    out.state = now.record.State();
    out.allowed_actions = now.record.AllowedActions(cmd.actor.role);
    out.version = now.version;
    return out;
  }
  const TableDescription& t = next.record.journey().Table();
  AppendRequest req;
  req.events.push_back(detail::ActionEvent(cmd.action, cmd.occurred_at, EncodeActionPayload(cmd.params, a.rules_edition),
                                           t.journey, out.verdict, t.fingerprint));
  detail::AddEffects(out.verdict, t.journey, cmd.occurred_at, &req.events);
  req.actor = cmd.actor;
  for (const auto& e : req.events) out.event_types.push_back(e.type);
  return Decision::Append(std::move(req), std::move(next), std::move(out));
}

void OwnRecordDecider::Accepted(const Command& cmd, const AppendResult& res, State* next, Outcome* out) const {
  out->accepted = true;
  out->append = res;
  out->state = next->record.State();
  out->allowed_actions = next->record.AllowedActions(cmd.actor.role);
  out->version = res.last_version;
  next->version = res.last_version;
}

}  // namespace casetrail::workflows
