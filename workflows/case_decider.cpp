#include "workflows/case_decider.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "workflows/detail/event_builders.hpp"

namespace casetrail::workflows {
namespace {

using nlohmann::json;
using detail::ActionEvent;
using detail::AddEffects;
using detail::AddRescheduled;
using detail::DeadlinePayload;

}  // namespace

Status CaseDecider::CheckKey(const std::string& id) const {
  if (id.empty()) return Status::InvalidArgument("child_id", "must not be empty");
  if (id.size() > 128) return Status::InvalidArgument("child_id", "is longer than 128 bytes");
  for (char ch : id) {
    if (ch <= 0x20 || ch >= 0x7f) {
      return Status::InvalidArgument("child_id", "must be printable ASCII without spaces");
    }
  }
  return Status::Ok();
}

Status CaseDecider::Check(const Command& cmd) const {
  if (Status s = CheckKey(cmd.child_id); !s.ok()) return s;
  if (cmd.action.empty()) return Status::InvalidArgument("action", "must not be empty");
  if (cmd.occurred_at == 0) return Status::InvalidArgument("occurred_at", "is required");
  return Status::Ok();
}

Result<CommandOutcome> CaseDecider::Retried(const Command& cmd, const AppendResult& original,
                                            const std::vector<RecordedEvent>& written, const State& now) const {
  CommandOutcome out;
  out.accepted = true;
  out.append = original;
  for (const auto& e : written) out.event_types.push_back(e.type);
  if (!written.empty()) {
    const auto& first = written.front();
    out.verdict.journey = first.journey;
    out.verdict.verdict.accepted = true;
    out.verdict.verdict.from_state = first.from_state;
    out.verdict.verdict.to_state = first.to_state;
  }
  out.states = now.c.States();
  now.c.AllowedFor(cmd.actor.role, &out.allowed_actions, &out.other_actions);
  out.version = now.version;
  return out;
}

CaseDecider::Decision CaseDecider::Decide(const Command& cmd, const State& cached) const {
  if (IsCorrection(cmd.action)) return Correct(cmd, cached);

  // Decide on a copy: the cached case changes only once the events are durable.
  State next = cached;
  FoldStep step;
  step.action.name = cmd.action;
  step.action.occurred_at_us = cmd.occurred_at;
  step.action.role = cmd.actor.role;
  step.action.params = cmd.params;
  step.action.rules_edition = rules_.CurrentEdition();
  CommandOutcome out;
  out.verdict = step.verdict = next.c.Apply(step.action);
  if (!out.verdict.accepted()) {
    out.states = cached.c.States();
    cached.c.AllowedFor(cmd.actor.role, &out.allowed_actions, &out.other_actions);
    out.version = cached.version;
    return out;
  }
  Track(next, step);

  AppendRequest req;
  auto fingerprint = [&](const std::string& journey) {
    return journey == "case" || journey == kAllocation ? journey : next.c.journey(journey).Table().fingerprint;
  };
  // A breach's or a reminder's event carries its deadline, like the other deadline events.
  std::string payload = EncodeActionPayload(cmd.params, step.action.rules_edition);
  if (cmd.action == kDeadlineBreached || cmd.action == kDeadlineDueSoon) {
    json p = DeadlinePayload(out.verdict.verdict.deadlines.at(0).deadline);
    p["rules_edition"] = step.action.rules_edition;
    if (cmd.action == kDeadlineDueSoon) p["notice_working_days"] = std::stoi(cmd.params.at("notice"));
    payload = p.dump();
  }
  req.events.push_back(ActionEvent(cmd.action, cmd.occurred_at, std::move(payload),
                                   out.verdict.journey, out.verdict.verdict,
                                   fingerprint(out.verdict.journey)));
  AddRescheduled(out.verdict, cmd.occurred_at, &req.events);
  AddEffects(out.verdict.verdict, out.verdict.journey, cmd.occurred_at, &req.events);
  // Consequences are the engine's own actions (role "system" in the workflows). The actor
  // applies to the whole append; consequences say in their payload which rule made them and
  // that they are derived (IsDerivedPayload).
  for (const auto& k : out.verdict.consequences) {
    if (!k.verdict.accepted) continue;
    req.events.push_back(ActionEvent(k.action, cmd.occurred_at,
                                     json{{"rule", k.rule}, {"params", k.params}, {"derived", true}}.dump(),
                                     k.journey, k.verdict, fingerprint(k.journey)));
    AddEffects(k.verdict, k.journey, cmd.occurred_at, &req.events);
  }
  return Append(cmd, std::move(req), std::move(next), std::move(out));
}

CaseDecider::Decision CaseDecider::Append(const Command& cmd, AppendRequest req, State next, CommandOutcome out) {
  req.actor = cmd.actor;
  for (const auto& e : req.events) out.event_types.push_back(e.type);
  return Decision::Append(std::move(req), std::move(next), std::move(out));
}

void CaseDecider::Accepted(const Command& cmd, const AppendResult& res, State* next, CommandOutcome* out) const {
  out->accepted = true;
  out->append = res;
  out->states = next->c.States();
  next->c.AllowedFor(cmd.actor.role, &out->allowed_actions, &out->other_actions);
  out->version = res.last_version;
  next->version = res.last_version;
  next->recorded_at = res.recorded_at;
  if (res.last_version / kSnapshotEvery != (res.first_version - 1) / kSnapshotEvery) {
    // Derived state: a failed snapshot write costs a longer rebuild later, never a fact.
    (void)SaveSnapshot(log_, cmd.child_id, *next, rules_);
    next->segment_min = INT64_MAX;
  }
}

namespace {

const char* StateName(DeadlineEffect::Kind k) {
  switch (k) {
    case DeadlineEffect::Kind::kScheduled: return "open";
    case DeadlineEffect::Kind::kMet: return "met";
    case DeadlineEffect::Kind::kMetLate: return "met_late";
    case DeadlineEffect::Kind::kCancelled: return "cancelled";
    case DeadlineEffect::Kind::kBreached:
    case DeadlineEffect::Kind::kBreachCancelled:
    case DeadlineEffect::Kind::kDueSoon: return "open";
  }
  return "open";
}

// Every deadline of a refolded history, with what became of it (the DeadlinesProjection's view
// of one child, carried in a correction's payload).
struct DeadlineLedger {
  std::vector<CorrectionRecord::Deadline> list;
  std::map<std::string, std::size_t> open;  // rule -> index in list
  void Recount(const CaseVerdict& v) {
    for (const auto& r : v.rescheduled) {
      auto it = open.find(r.after.rule_id);
      if (it == open.end()) continue;
      CorrectionRecord::Deadline& en = list[it->second];
      en.rule_version = r.after.rule_version;
      en.due = r.after.due_date.ToString();
      en.due_by = r.after.due_by_us;
    }
  }
  void Add(const Verdict& v, const FoldStep& step) {
    for (const auto& d : v.deadlines) {
      if (d.kind == DeadlineEffect::Kind::kScheduled) {
        if (auto again = open.find(d.deadline.rule_id); again != open.end()) {
          // Scheduled again while open (an extension of the 26 weeks): the same deadline, moved.
          CorrectionRecord::Deadline& en = list[again->second];
          en.rule_version = d.deadline.rule_version;
          en.due = d.deadline.due_date.ToString();
          en.due_by = d.deadline.due_by_us;
          en.breached_at = d.deadline.breached_at_us;
          continue;
        }
        open[d.deadline.rule_id] = list.size();
        CorrectionRecord::Deadline en;
        en.rule = d.deadline.rule_id;
        en.rule_version = d.deadline.rule_version;
        en.started = Date::FromTimestampUs(d.deadline.start_us).ToString();
        en.due = d.deadline.due_date.ToString();
        en.due_by = d.deadline.due_by_us;
        en.state = "open";
        en.scheduled_by = step.event->version;
        list.push_back(std::move(en));
        continue;
      }
      auto it = open.find(d.deadline.rule_id);
      if (it == open.end()) continue;
      CorrectionRecord::Deadline& en = list[it->second];
      if (d.kind == DeadlineEffect::Kind::kDueSoon) continue;
      if (d.kind == DeadlineEffect::Kind::kBreached || d.kind == DeadlineEffect::Kind::kBreachCancelled) {
        en.breached_at = d.kind == DeadlineEffect::Kind::kBreached ? d.deadline.breached_at_us : 0;
        continue;  // still open
      }
      en.state = StateName(d.kind);
      en.closed_at = step.action.occurred_at_us;
      en.closed_by = step.event->version;
      open.erase(it);
    }
  }
};

}  // namespace

CaseDecider::Decision CaseDecider::Correct(const Command& cmd, const State& cached) const {
  const bool withdraw = cmd.action == kRecordWithdrawn;
  auto param = [&](const std::string& k) -> const std::string* {
    auto it = cmd.params.find(k);
    return it == cmd.params.end() ? nullptr : &it->second;
  };
  for (const auto& [k, v] : cmd.params) {
    const bool known = k == "target_version" || k == "reason" ||
                       (!withdraw && (k == "occurred_on" || (k.rfind("set.", 0) == 0 && k.size() > 4)));
    if (!known) {
      return Status::InvalidArgument("params." + k, std::string("is not a parameter of ") + cmd.action +
                                                        (withdraw ? " (target_version, reason)"
                                                                  : " (target_version, reason, occurred_on, set.<param>)"));
    }
  }
  const std::string* tv_text = param("target_version");
  std::uint64_t tv = 0;
  if (!tv_text || tv_text->empty() || tv_text->size() > 19 ||
      tv_text->find_first_not_of("0123456789") != std::string::npos || (tv = std::stoull(*tv_text)) == 0) {
    return Status::InvalidArgument("params.target_version", "is required: the version of the action to " +
                                                                std::string(withdraw ? "withdraw" : "correct"));
  }
  const std::string* reason = param("reason");
  if (!reason || reason->find_first_not_of(" \t") == std::string::npos) {
    return Status::InvalidArgument("params.reason", "is required: say why the record is " +
                                                        std::string(withdraw ? "withdrawn" : "corrected"));
  }
  if (tv > cached.version) {
    return Status::InvalidArgument("params.target_version", "child '" + cmd.child_id + "' has no version " +
                                                                *tv_text + " (last is " +
                                                                std::to_string(cached.version) + ")");
  }
  auto events = log_.ReadStream(StreamOf(cmd.child_id), 1, Direction::kForward, SIZE_MAX);
  if (!events.ok()) return events.status();
  if (events->size() < tv || (*events)[tv - 1].version != tv) {
    return Status::Corruption("stream " + StreamOf(cmd.child_id) + " is not contiguous at version " + *tv_text);
  }
  const RecordedEvent& target = (*events)[tv - 1];
  if (IsTimeDriven(target.type)) {
    return Status::InvalidArgument("params.target_version",
                                   "version " + *tv_text + " is '" + target.type +
                                       "', which the scheduler wrote when time passed; correct the action or date it depends on");
  }
  if (!IsActionEvent(target)) {
    return Status::InvalidArgument(
        "params.target_version",
        "version " + *tv_text + " is '" + target.type + "', which " +
            (IsCorrection(target.type) ? std::string("is itself a correction; correct the action it references")
                                       : std::string("the engine derived; correct the action that caused it")));
  }

  CommandOutcome out;
  out.verdict.journey = "case";
  out.verdict.verdict.from_state = out.verdict.verdict.to_state = "case";
  auto refuse = [&](const char* rule, std::string why) {
    out.verdict.verdict.rule = rule;
    out.verdict.verdict.reason = std::move(why);
    out.states = cached.c.States();
    cached.c.AllowedFor(cmd.actor.role, &out.allowed_actions, &out.other_actions);
    out.version = cached.version;
    return out;
  };
  const std::string& role = cmd.actor.role;
  std::vector<std::string> roles = CorrectionRoles(cached.c, target.type);
  bool role_ok = !role.empty() && role != "auditor" && role != kSystemRole;
  if (role_ok && !roles.empty()) role_ok = std::find(roles.begin(), roles.end(), role) != roles.end();
  if (!role_ok) {
    std::string list;
    for (const auto& r : roles) list += (list.empty() ? "" : ", ") + r;
    return refuse("forbidden_role", "'" + target.type + "' may be " + (withdraw ? "withdrawn" : "corrected") +
                                        " only by: " + (list.empty() ? "a practitioner" : list) + " (not " +
                                        (role.empty() ? "no role" : role) + ")");
  }
  auto corrections = CorrectionsIn(*events);
  Action before = ActionOf(target);
  if (auto it = corrections.find(tv); it != corrections.end()) {
    if (it->second.withdrawn) {
      return refuse("already_withdrawn", "version " + *tv_text + " was withdrawn by version " +
                                             std::to_string(it->second.version));
    }
    before.occurred_at_us = it->second.occurred_at;
    before.params = it->second.params;
  }
  Action after = before;
  if (!withdraw) {
    if (const std::string* on = param("occurred_on")) {
      auto d = Date::Parse(*on, "params.occurred_on");
      if (!d.ok()) return d.status();
      const TimestampUs time_of_day =
          before.occurred_at_us - Date::FromTimestampUs(before.occurred_at_us).StartUs();
      after.occurred_at_us = d->StartUs() + time_of_day;
      if (after.occurred_at_us > cmd.occurred_at) {
        return Status::InvalidArgument("params.occurred_on", "is after the correction itself");
      }
    }
    for (const auto& [k, v] : cmd.params) {
      if (k.rfind("set.", 0) == 0) after.params[k.substr(4)] = v;
    }
    if (after.occurred_at_us == before.occurred_at_us && after.params == before.params) {
      return Status::InvalidArgument("params", "the correction changes nothing (give occurred_on or set.<param>)");
    }
  }
  Correction mine;
  mine.version = cached.version + 1;
  mine.withdrawn = withdraw;
  mine.occurred_at = after.occurred_at_us;
  mine.params = after.params;
  corrections[tv] = mine;

  // Refold the whole history with the correction: it stands only if every later action does.
  State next{Case(rules_)};
  DeadlineLedger ledger;
  CorrectionRecord record;  // the payload: transitions and flags are gathered by the refold
  FoldOptions fold;
  fold.on_step = [&](const FoldStep& step) {
    Track(next, step);
    const auto& v = step.verdict.verdict;
    if (v.from_state != step.event->from_state || v.to_state != step.event->to_state) {
      record.transitions.push_back({step.event->version, step.verdict.journey, v.from_state, v.to_state});
    }
    ledger.Recount(step.verdict);
    ledger.Add(step.verdict.verdict, step);
    for (const auto& k : step.verdict.consequences) ledger.Add(k.verdict, step);
    auto log_flags = [&](const Verdict& fv) {
      for (const auto& f : fv.flags_raised) {
        record.flags.push_back({f, step.event->version, step.action.occurred_at_us});
      }
    };
    log_flags(v);
    for (const auto& k : step.verdict.consequences) log_flags(k.verdict);
  };
  if (Status s = Fold(next.c, *events, 0, corrections, fold); !s.ok()) {
    if (!s.IsCorruption()) return s;
    // Name the action that would no longer hold.
    std::string msg = s.message();
    return refuse("correction_conflict", std::string(withdraw ? "withdrawing" : "correcting") + " version " +
                                             *tv_text + " ('" + target.type + "') would break the record: " + msg);
  }
  next.version = cached.version;
  next.recorded_at = cached.recorded_at;

  record.withdrawn = withdraw;
  record.params = cmd.params;
  record.target_version = tv;
  record.target_event_id = target.event_id;
  record.target_type = target.type;
  record.target_journey = target.journey;
  record.target_recorded_at = target.recorded_at;
  record.target_team = target.actor.team;
  record.reason = *reason;
  record.before_at = before.occurred_at_us;
  record.before_params = before.params;
  record.after_at = after.occurred_at_us;
  record.after_params = after.params;
  record.states = next.c.States();
  const Allocation& alloc = next.c.allocation();
  record.allocation = {{"team", alloc.team}, {"worker", alloc.worker}, {"as", alloc.as}, {"iro", alloc.iro}};
  record.deadlines = std::move(ledger.list);
  EventData e;
  e.type = cmd.action;
  e.occurred_at = cmd.occurred_at;
  e.journey = "case";
  e.machine_fingerprint = "case";
  e.payload = EncodeCorrection(record);
  AppendRequest req;
  req.events.push_back(std::move(e));
  // A snapshot at or after the target no longer tells the truth: drop it before the append (a
  // crash in between costs a rebuild, never a wrong answer).
  if (Status d = DropSnapshotsFrom(log_, cmd.child_id, tv); !d.ok()) return d;
  out.verdict.verdict.accepted = true;
  out.verdict.verdict.reason = std::string(withdraw ? "withdrew" : "corrected") + " version " + *tv_text;
  return Append(cmd, std::move(req), std::move(next), std::move(out));
}

}  // namespace casetrail::workflows
