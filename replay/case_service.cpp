#include "replay/case_service.hpp"

#include "replay/projection.hpp"

#include <nlohmann/json.hpp>

#include <functional>

namespace casetrail::replay {
namespace {

using nlohmann::json;
using workflows::Action;
using workflows::CaseVerdict;
using workflows::DeadlineEffect;
using workflows::Verdict;

constexpr std::size_t kMaxCachedChildren = 100000;

// Deadlines, flags and cross-journey consequences are derived again on replay.
bool IsDerived(const RecordedEvent& e) {
  if (e.type.rfind("deadline.", 0) == 0 || e.type.rfind("flag.", 0) == 0) return true;
  return IsDerivedPayload(e.payload);
}

const char* DeadlineType(DeadlineEffect::Kind k) {
  switch (k) {
    case DeadlineEffect::Kind::kScheduled: return "deadline.scheduled";
    case DeadlineEffect::Kind::kMet: return "deadline.met";
    case DeadlineEffect::Kind::kMetLate: return "deadline.met_late";
    case DeadlineEffect::Kind::kCancelled: return "deadline.cancelled";
  }
  return "deadline.unknown";
}

EventData ActionEvent(const std::string& type, TimestampUs at, const json& payload,
                      const std::string& journey, const Verdict& v, const std::string& fingerprint) {
  EventData e;
  e.type = type;
  e.occurred_at = at;
  e.payload = payload.dump();
  e.journey = journey;
  e.from_state = v.from_state;
  e.to_state = v.to_state;
  e.machine_fingerprint = fingerprint.substr(0, 64);
  return e;
}

void AddEffects(const Verdict& v, const std::string& journey, TimestampUs at,
                std::vector<EventData>* out) {
  for (const auto& d : v.deadlines) {
    EventData e;
    e.type = DeadlineType(d.kind);
    e.occurred_at = at;
    e.journey = journey;
    e.payload = json{{"rule", d.deadline.rule_id},
                     {"rule_version", d.deadline.rule_version},
                     {"started", workflows::Date::FromTimestampUs(d.deadline.start_us).ToString()},
                     {"due", d.deadline.due_date.ToString()},
                     {"due_by_us", d.deadline.due_by_us}}
                    .dump();
    out->push_back(std::move(e));
  }
  for (const auto& f : v.flags_raised) {
    EventData e;
    e.type = "flag.raised";
    e.occurred_at = at;
    e.journey = journey;
    e.payload = json{{"text", f}}.dump();
    out->push_back(std::move(e));
  }
}

}  // namespace

std::string StreamOf(const std::string& child_id) { return "child-" + child_id; }

CaseService::CaseService(EventLog& log, const workflows::RuleBook& rules)
    : log_(log), rules_(rules) {}

std::mutex& CaseService::LockFor(const std::string& child_id) {
  return stripes_[std::hash<std::string>{}(child_id) % 64];
}

Result<workflows::Case> CaseService::Rebuild(const std::vector<RecordedEvent>& events,
                                            const workflows::RuleBook& rules) {
  workflows::Case c(rules);
  for (const auto& e : events) {
    if (IsDerived(e)) continue;
    Action a;
    a.name = e.type;
    a.occurred_at_us = e.occurred_at;
    a.role = e.actor.role;
    json payload = json::parse(e.payload, nullptr, false);
    if (payload.is_object() && payload.contains("params") && payload["params"].is_object()) {
      for (auto it = payload["params"].begin(); it != payload["params"].end(); ++it) {
        if (it->is_string()) a.params[it.key()] = it->get<std::string>();
      }
    }
    CaseVerdict v = c.Apply(a);
    if (!v.accepted()) {
      return Status::Corruption("replay of " + e.stream + " diverged at version " +
                                std::to_string(e.version) + " ('" + e.type + "'): " +
                                v.verdict.reason);
    }
  }
  return c;
}

Result<CaseService::Cached> CaseService::Hydrate(const std::string& child_id) {
  {
    std::lock_guard<std::mutex> lk(cache_mu_);
    if (auto it = cache_.find(child_id); it != cache_.end()) return it->second;
  }
  Cached fresh{workflows::Case(rules_), 0};
  auto events = log_.ReadStream(StreamOf(child_id), 1, Direction::kForward, SIZE_MAX);
  if (!events.ok() && !events.status().IsNotFound()) return events.status();
  if (events.ok() && !events->empty()) {
    auto c = Rebuild(*events, rules_);
    if (!c.ok()) return c.status();
    fresh.c = std::move(c).value();
    fresh.version = events->back().version;
  }
  return fresh;
}

Result<workflows::Case> CaseService::Load(const std::string& child_id, std::uint64_t* version) {
  if (auto s = log_.GetStreamInfo(StreamOf(child_id)); !s.ok()) {
    return Status::InvalidArgument("child_id", s.status().message());
  }
  std::lock_guard<std::mutex> child(LockFor(child_id));
  auto h = Hydrate(child_id);
  if (!h.ok()) return h.status();
  if (version) *version = h->version;
  return std::move(h->c);
}

Result<CommandOutcome> CaseService::Execute(const Command& cmd) {
  if (cmd.child_id.empty()) return Status::InvalidArgument("child_id", "must not be empty");
  if (auto s = log_.GetStreamInfo(StreamOf(cmd.child_id)); !s.ok()) {
    return Status::InvalidArgument("child_id", s.status().message());
  }
  if (cmd.action.empty()) return Status::InvalidArgument("action", "must not be empty");
  if (cmd.occurred_at == 0) return Status::InvalidArgument("occurred_at", "is required");

  std::lock_guard<std::mutex> child(LockFor(cmd.child_id));
  // A retried command answers with its original result, whatever happened since.
  if (!cmd.command_id.empty()) {
    auto found = log_.FindCommand(cmd.command_id);
    if (found.ok()) {
      if (found->stream != StreamOf(cmd.child_id)) {
        return Status::Conflict("command_id '" + cmd.command_id + "' was used for another child");
      }
      CommandOutcome out;
      out.accepted = true;
      out.append = *found;
      auto h = Hydrate(cmd.child_id);
      if (!h.ok()) return h.status();
      out.states = h->c.States();
      out.allowed_actions = h->c.AllowedActions();
      out.version = h->version;
      return out;
    }
    if (!found.status().IsNotFound()) return found.status();
  }
  auto h = Hydrate(cmd.child_id);
  if (!h.ok()) return h.status();
  Cached cached = std::move(h).value();
  if (cmd.expected_version && *cmd.expected_version != cached.version) {
    Status c = Status::Conflict("child '" + cmd.child_id + "': expected version " +
                                std::to_string(*cmd.expected_version) + ", actual version " +
                                std::to_string(cached.version));
    c.WithActualVersion(cached.version);
    return c;
  }

  // Decide on a copy: the cached case changes only once the events are durable.
  workflows::Case next = cached.c;
  Action a;
  a.name = cmd.action;
  a.occurred_at_us = cmd.occurred_at;
  a.role = cmd.actor.role;
  a.params = cmd.params;
  CommandOutcome out;
  out.verdict = next.Apply(a);
  if (!out.verdict.accepted()) {
    out.states = cached.c.States();
    out.allowed_actions = cached.c.AllowedActions();
    out.version = cached.version;
    return out;
  }

  AppendRequest req;
  req.stream = StreamOf(cmd.child_id);
  req.expected = cached.version == 0 ? ExpectedVersion::NoStream() : ExpectedVersion::Exact(cached.version);
  req.command_id = cmd.command_id;
  req.actor = cmd.actor;
  auto fingerprint = [&](const std::string& journey) {
    return journey == "case" ? std::string("case") : next.journey(journey).Table().fingerprint;
  };
  req.events.push_back(ActionEvent(cmd.action, cmd.occurred_at, json{{"params", cmd.params}},
                                   out.verdict.journey, out.verdict.verdict,
                                   fingerprint(out.verdict.journey)));
  AddEffects(out.verdict.verdict, out.verdict.journey, cmd.occurred_at, &req.events);
  // Consequences are the engine's own actions (role "system" in the workflows).
  std::vector<std::size_t> system_events;
  for (const auto& k : out.verdict.consequences) {
    if (!k.verdict.accepted) continue;
    system_events.push_back(req.events.size());
    req.events.push_back(ActionEvent(k.action, cmd.occurred_at, json{{"rule", k.rule}, {"params", k.params}},
                                     k.journey, k.verdict, fingerprint(k.journey)));
    AddEffects(k.verdict, k.journey, cmd.occurred_at, &req.events);
  }
  // The actor applies to the whole append; consequences say in their payload which rule made
  // them and that they are derived (see IsDerived).
  for (std::size_t i : system_events) {
    json p = json::parse(req.events[i].payload);
    p["derived"] = true;
    req.events[i].payload = p.dump();
  }
  for (const auto& e : req.events) out.event_types.push_back(e.type);

  auto res = log_.Append(std::move(req));
  if (!res.ok()) {
    std::lock_guard<std::mutex> lk(cache_mu_);
    cache_.erase(cmd.child_id);  // the log may have moved on: rebuild next time
    return res.status();
  }
  out.accepted = true;
  out.append = *res;
  out.states = next.States();
  out.allowed_actions = next.AllowedActions();
  out.version = res->last_version;
  {
    std::lock_guard<std::mutex> lk(cache_mu_);
    if (cache_.size() >= kMaxCachedChildren) cache_.clear();
    cache_[cmd.child_id] = Cached{std::move(next), res->last_version};
  }
  return out;
}

}  // namespace casetrail::replay
