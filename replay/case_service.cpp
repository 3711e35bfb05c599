#include "replay/case_service.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <future>

namespace casetrail::replay {
namespace {

using nlohmann::json;
using workflows::Action;
using workflows::CaseVerdict;
using workflows::DeadlineEffect;
using workflows::Verdict;

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

CaseService::CaseService(EventLog& log, const workflows::RuleBook& rules)
    : log_(log), rules_(rules) {}

CaseService::Stripe& CaseService::StripeFor(const std::string& child_id) {
  return stripes_[std::hash<std::string>{}(child_id) % kStripes];
}

void CaseService::Lock(Stripe& s) {
  std::unique_lock<std::mutex> lk(s.mu);
  if (!s.busy) {
    s.busy = true;
    return;
  }
  auto granted = std::make_shared<std::promise<void>>();
  s.waiting.push_back([granted] { granted->set_value(); });
  lk.unlock();
  granted->get_future().wait();  // Unlock handed the stripe over: busy stayed true
}

void CaseService::LockAsync(Stripe& s, std::function<void()> run) {
  {
    std::lock_guard<std::mutex> lk(s.mu);
    if (s.busy) {
      s.waiting.push_back([this, run = std::move(run)]() mutable { Post(std::move(run)); });
      return;
    }
    s.busy = true;
  }
  run();
}

bool CaseService::WouldWait(const std::string& child_id) {
  Stripe& s = StripeFor(child_id);
  std::lock_guard<std::mutex> lk(s.mu);
  return s.busy;
}

void CaseService::Unlock(Stripe& s) {
  std::function<void()> next;
  {
    std::lock_guard<std::mutex> lk(s.mu);
    if (s.waiting.empty()) {
      s.busy = false;
      return;
    }
    next = std::move(s.waiting.front());
    s.waiting.pop_front();
  }
  next();
}

class CaseService::StripeGuard {
 public:
  StripeGuard(CaseService& svc, Stripe& s) : svc_(svc), s_(s) { svc_.Lock(s_); }
  ~StripeGuard() { svc_.Unlock(s_); }
  StripeGuard(const StripeGuard&) = delete;
  StripeGuard& operator=(const StripeGuard&) = delete;

 private:
  CaseService& svc_;
  Stripe& s_;
};

CaseService::HydrationStats CaseService::hydrations() const {
  std::lock_guard<std::mutex> lk(cache_mu_);
  return hydrations_;
}

void CaseService::SetCacheCapacity(std::size_t children) {
  std::lock_guard<std::mutex> lk(cache_mu_);
  cache_capacity_ = std::max<std::size_t>(children, 1);
  // Shrinking frees the oldest entries at the next insertion, one at a time.
}

void CaseService::ClearCache() {
  std::lock_guard<std::mutex> lk(cache_mu_);
  cache_.clear();
  cache_order_.clear();
}

std::shared_ptr<const CaseService::Cached> CaseService::CacheLocked(const std::string& child_id,
                                                                   std::shared_ptr<const Cached> c) {
  // First in, first out, one entry at a time: clearing the whole cache when it was full took
  // ~0.2 s under the lock (100,000 cases freed), a stall every command felt.
  auto [it, inserted] = cache_.insert_or_assign(child_id, std::move(c));
  if (inserted) cache_order_.push_back(child_id);
  std::shared_ptr<const Cached> evicted;
  while (cache_.size() > cache_capacity_ && !cache_order_.empty()) {
    auto old = cache_.find(cache_order_.front());
    cache_order_.pop_front();
    if (old != cache_.end() && old != it) {
      evicted = std::move(old->second);  // at most one is freed outside the caller's lock
      cache_.erase(old);
    }
  }
  return evicted;
}

Result<workflows::Case> CaseService::Rebuild(const std::vector<RecordedEvent>& events,
                                            const workflows::RuleBook& rules) {
  workflows::Case c(rules);
  if (Status s = Fold(c, events, 0, CorrectionsIn(events), FoldOptions{}); !s.ok()) return s;
  return c;
}

Result<std::shared_ptr<const CaseService::Cached>> CaseService::Hydrate(const std::string& child_id) {
  {
    std::lock_guard<std::mutex> lk(cache_mu_);
    if (auto it = cache_.find(child_id); it != cache_.end()) {
      ++hydrations_.from_cache;
      return it->second;
    }
  }
  auto loaded = LoadCase(log_, child_id, rules_);
  if (!loaded.ok()) {
    if (loaded.status().IsNotFound()) return std::make_shared<const Cached>(workflows::Case(rules_));
    return loaded.status();
  }
  // Kept for the next command or read (the caller holds the child's lock, so no command on
  // this child can have replaced it meanwhile).
  auto cached = std::make_shared<const Cached>(std::move(loaded).value());
  std::shared_ptr<const Cached> evicted;
  {
    std::lock_guard<std::mutex> lk(cache_mu_);
    ++(cached->snapshot_version ? hydrations_.from_snapshot : hydrations_.from_log);
    evicted = CacheLocked(child_id, cached);
  }
  return cached;  // `evicted` is destroyed here, outside the lock
}

namespace {
// A child id is 1 to 128 printable ASCII characters without spaces (its stream is "child-<id>").
Status CheckChildId(const std::string& id) {
  if (id.empty()) return Status::InvalidArgument("child_id", "must not be empty");
  if (id.size() > 128) return Status::InvalidArgument("child_id", "is longer than 128 bytes");
  for (char ch : id) {
    if (ch <= 0x20 || ch >= 0x7f) {
      return Status::InvalidArgument("child_id", "must be printable ASCII without spaces");
    }
  }
  return Status::Ok();
}
}  // namespace

Result<workflows::Case> CaseService::Load(const std::string& child_id, std::uint64_t* version) {
  if (Status s = CheckChildId(child_id); !s.ok()) return s;
  Stripe& stripe = StripeFor(child_id);
  if (!TryLock(stripe)) {
    // A command on this child (or one sharing its stripe) is in flight. A read never waits for
    // it (the HTTP server reads on its I/O threads, which also finish commands): it answers with
    // the last durable state, the cached one or, uncached, rebuilt from the log without caching.
    {
      std::lock_guard<std::mutex> lk(cache_mu_);
      if (auto it = cache_.find(child_id); it != cache_.end()) {
        if (version) *version = it->second->version;
        return it->second->c;
      }
    }
    auto loaded = LoadCase(log_, child_id, rules_);
    if (!loaded.ok()) {
      if (!loaded.status().IsNotFound()) return loaded.status();
      if (version) *version = 0;
      return workflows::Case(rules_);
    }
    if (version) *version = loaded->version;
    return std::move(loaded->c);
  }
  struct Unlocker {
    CaseService* svc;
    Stripe* s;
    ~Unlocker() { svc->Unlock(*s); }
  } unlock{this, &stripe};
  auto h = Hydrate(child_id);
  if (!h.ok()) return h.status();
  if (version) *version = (*h)->version;
  return (*h)->c;
}

bool CaseService::TryLock(Stripe& s) {
  std::lock_guard<std::mutex> lk(s.mu);
  if (s.busy) return false;
  s.busy = true;
  return true;
}

namespace {
Status CheckCommand(const Command& cmd) {
  if (Status s = CheckChildId(cmd.child_id); !s.ok()) return s;
  if (cmd.action.empty()) return Status::InvalidArgument("action", "must not be empty");
  if (cmd.occurred_at == 0) return Status::InvalidArgument("occurred_at", "is required");
  return Status::Ok();
}
}  // namespace

Result<CommandOutcome> CaseService::Execute(const Command& cmd) {
  if (Status s = CheckCommand(cmd); !s.ok()) return s;
  StripeGuard child(*this, StripeFor(cmd.child_id));
  Decision d = Decide(cmd);
  if (d.now) return std::move(*d.now);
  AppendRequest req = std::move(d.pending.request);
  auto appended = log_.Append(std::move(req));
  return Finish(cmd, std::move(d.pending), std::move(appended));
}

void CaseService::ExecuteAsync(Command command, Done done) {
  if (Status s = CheckCommand(command); !s.ok()) return done(s);
  struct Job {
    Command cmd;
    Done done;
  };
  auto job = std::make_shared<Job>(Job{std::move(command), std::move(done)});
  Stripe& stripe = StripeFor(job->cmd.child_id);
  LockAsync(stripe, [this, job, &stripe] {
    Decision d = Decide(job->cmd);
    if (d.now) {
      Unlock(stripe);
      return job->done(std::move(*d.now));
    }
    auto pending = std::make_shared<Pending>(std::move(d.pending));
    AppendRequest req = std::move(pending->request);
    log_.AppendAsync(std::move(req), [this, job, pending, &stripe](Result<AppendResult> appended) {
      // On the committer thread: the rest (cache, snapshot, the answer) goes to the executor.
      Post([this, job, pending, &stripe, appended = std::move(appended)]() mutable {
        auto out = Finish(job->cmd, std::move(*pending), std::move(appended));
        Unlock(stripe);
        job->done(std::move(out));
      });
    });
  });
}

CaseService::Decision CaseService::Decide(const Command& cmd) {
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
      // What the original append wrote, as its answer said.
      auto written = log_.ReadStream(found->stream, found->first_version, Direction::kForward,
                                     static_cast<std::size_t>(found->last_version - found->first_version + 1));
      if (!written.ok()) return written.status();
      for (const auto& e : *written) out.event_types.push_back(e.type);
      if (!written->empty()) {
        const auto& first = written->front();
        out.verdict.journey = first.journey;
        out.verdict.verdict.accepted = true;
        out.verdict.verdict.from_state = first.from_state;
        out.verdict.verdict.to_state = first.to_state;
      }
      auto h = Hydrate(cmd.child_id);
      if (!h.ok()) return h.status();
      out.states = (*h)->c.States();
      out.allowed_actions = (*h)->c.AllowedActions();
      out.version = (*h)->version;
      return out;
    }
    if (!found.status().IsNotFound()) return found.status();
  }
  auto h = Hydrate(cmd.child_id);
  if (!h.ok()) return h.status();
  const Cached& cached = **h;
  if (cmd.expected_version && *cmd.expected_version != cached.version) {
    Status c = Status::Conflict("child '" + cmd.child_id + "': expected version " +
                                std::to_string(*cmd.expected_version) + ", actual version " +
                                std::to_string(cached.version));
    c.WithActualVersion(cached.version);
    return c;
  }
  if (IsCorrection(cmd.action)) return ExecuteCorrection(cmd, cached);

  // Decide on a copy: the cached case changes only once the events are durable.
  Cached next = cached;
  FoldStep step;
  step.action.name = cmd.action;
  step.action.occurred_at_us = cmd.occurred_at;
  step.action.role = cmd.actor.role;
  step.action.params = cmd.params;
  CommandOutcome out;
  out.verdict = step.verdict = next.c.Apply(step.action);
  if (!out.verdict.accepted()) {
    out.states = cached.c.States();
    out.allowed_actions = cached.c.AllowedActions();
    out.version = cached.version;
    return out;
  }
  Track(next, step);

  AppendRequest req;
  auto fingerprint = [&](const std::string& journey) {
    return journey == "case" ? std::string("case") : next.c.journey(journey).Table().fingerprint;
  };
  req.events.push_back(ActionEvent(cmd.action, cmd.occurred_at, json{{"params", cmd.params}},
                                   out.verdict.journey, out.verdict.verdict,
                                   fingerprint(out.verdict.journey)));
  AddEffects(out.verdict.verdict, out.verdict.journey, cmd.occurred_at, &req.events);
  // Consequences are the engine's own actions (role "system" in the workflows). The actor
  // applies to the whole append; consequences say in their payload which rule made them and
  // that they are derived (IsDerivedPayload).
  for (const auto& k : out.verdict.consequences) {
    if (!k.verdict.accepted) continue;
    req.events.push_back(ActionEvent(k.action, cmd.occurred_at,
                                     json{{"rule", k.rule}, {"params", k.params}, {"derived", true}},
                                     k.journey, k.verdict, fingerprint(k.journey)));
    AddEffects(k.verdict, k.journey, cmd.occurred_at, &req.events);
  }
  return Prepare(cmd, std::move(req), std::move(next), std::move(out));
}

CaseService::Decision CaseService::Prepare(const Command& cmd, AppendRequest req, Cached next, CommandOutcome out) {
  req.stream = StreamOf(cmd.child_id);
  req.expected = next.version == 0 ? ExpectedVersion::NoStream() : ExpectedVersion::Exact(next.version);
  req.command_id = cmd.command_id;
  req.actor = cmd.actor;
  for (const auto& e : req.events) out.event_types.push_back(e.type);
  Pending p;
  p.request = std::move(req);
  p.next.emplace(std::move(next));
  p.out = std::move(out);
  return p;
}

Result<CommandOutcome> CaseService::Finish(const Command& cmd, Pending pending, Result<AppendResult> res) {
  Cached& next = *pending.next;
  CommandOutcome& out = pending.out;
  if (!res.ok()) {
    std::lock_guard<std::mutex> lk(cache_mu_);
    cache_.erase(cmd.child_id);  // the log may have moved on: rebuild next time
    return res.status();
  }
  out.accepted = true;
  out.append = *res;
  out.states = next.c.States();
  out.allowed_actions = next.c.AllowedActions();
  out.version = res->last_version;
  next.version = res->last_version;
  next.recorded_at = res->recorded_at;
  if (res->last_version / kSnapshotEvery != (res->first_version - 1) / kSnapshotEvery) {
    // Derived state: a failed snapshot write costs a longer rebuild later, never a fact.
    (void)SaveSnapshot(log_, cmd.child_id, next, rules_);
    next.segment_min = INT64_MAX;
  }
  auto cached = std::make_shared<const Cached>(std::move(next));
  std::shared_ptr<const Cached> evicted;
  {
    std::lock_guard<std::mutex> lk(cache_mu_);
    evicted = CacheLocked(cmd.child_id, std::move(cached));
  }
  return out;
}

namespace {

json ParamsJson(const std::map<std::string, std::string>& params) {
  json j = json::object();
  for (const auto& [k, v] : params) j[k] = v;
  return j;
}

const char* StateName(DeadlineEffect::Kind k) {
  switch (k) {
    case DeadlineEffect::Kind::kScheduled: return "open";
    case DeadlineEffect::Kind::kMet: return "met";
    case DeadlineEffect::Kind::kMetLate: return "met_late";
    case DeadlineEffect::Kind::kCancelled: return "cancelled";
  }
  return "open";
}

// Every deadline of a refolded history, with what became of it (the DeadlinesProjection's view
// of one child, carried in a correction's payload).
struct DeadlineLedger {
  json list = json::array();
  std::map<std::string, std::size_t> open;  // rule -> index in list
  void Add(const Verdict& v, const FoldStep& step) {
    for (const auto& d : v.deadlines) {
      if (d.kind == DeadlineEffect::Kind::kScheduled) {
        open[d.deadline.rule_id] = list.size();
        list.push_back({{"rule", d.deadline.rule_id},
                        {"rule_version", d.deadline.rule_version},
                        {"started", workflows::Date::FromTimestampUs(d.deadline.start_us).ToString()},
                        {"due", d.deadline.due_date.ToString()},
                        {"due_by_us", d.deadline.due_by_us},
                        {"state", "open"},
                        {"closed_at_us", 0},
                        {"scheduled_by", step.event->version}});
        continue;
      }
      auto it = open.find(d.deadline.rule_id);
      if (it == open.end()) continue;
      json& en = list[it->second];
      en["state"] = StateName(d.kind);
      en["closed_at_us"] = step.action.occurred_at_us;
      en["closed_by"] = step.event->version;
      open.erase(it);
    }
  }
};

}  // namespace

CaseService::Decision CaseService::ExecuteCorrection(const Command& cmd, const Cached& cached) {
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
    out.allowed_actions = cached.c.AllowedActions();
    out.version = cached.version;
    return out;
  };
  const std::string& role = cmd.actor.role;
  std::vector<std::string> roles = CorrectionRoles(cached.c, target.type);
  bool role_ok = !role.empty() && role != "auditor" && role != workflows::kSystemRole;
  if (role_ok && !roles.empty()) role_ok = std::find(roles.begin(), roles.end(), role) != roles.end();
  if (!role_ok) {
    std::string list;
    for (const auto& r : roles) list += (list.empty() ? "" : ", ") + r;
    return refuse("forbidden_role", "'" + target.type + "' may be " + (withdraw ? "withdrawn" : "corrected") +
                                        " only by: " + (list.empty() ? "a practitioner" : list) + " (not " +
                                        (role.empty() ? "no role" : role) + ")");
  }
  auto corrections = CorrectionsIn(*events);
  workflows::Action before = ActionOf(target);
  if (auto it = corrections.find(tv); it != corrections.end()) {
    if (it->second.withdrawn) {
      return refuse("already_withdrawn", "version " + *tv_text + " was withdrawn by version " +
                                             std::to_string(it->second.version));
    }
    before.occurred_at_us = it->second.occurred_at;
    before.params = it->second.params;
  }
  workflows::Action after = before;
  if (!withdraw) {
    if (const std::string* on = param("occurred_on")) {
      auto d = workflows::Date::Parse(*on, "params.occurred_on");
      if (!d.ok()) return d.status();
      const TimestampUs time_of_day =
          before.occurred_at_us - workflows::Date::FromTimestampUs(before.occurred_at_us).StartUs();
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
  Cached next{workflows::Case(rules_)};
  DeadlineLedger ledger;
  json transitions = json::array();  // actions whose transition the correction changes
  json flag_log = json::array();     // every flag, with the action that raised it
  FoldOptions fold;
  fold.on_step = [&](const FoldStep& step) {
    Track(next, step);
    const auto& v = step.verdict.verdict;
    if (v.from_state != step.event->from_state || v.to_state != step.event->to_state) {
      transitions.push_back({{"version", step.event->version}, {"journey", step.verdict.journey},
                             {"from_state", v.from_state}, {"to_state", v.to_state}});
    }
    ledger.Add(step.verdict.verdict, step);
    for (const auto& k : step.verdict.consequences) ledger.Add(k.verdict, step);
    auto log_flags = [&](const Verdict& fv) {
      for (const auto& f : fv.flags_raised) {
        flag_log.push_back({{"text", f}, {"version", step.event->version}, {"occurred_at_us", step.action.occurred_at_us}});
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

  json states = json::object();
  for (const auto& [j, st] : next.c.States()) states[j] = st;
  json payload = {{"params", ParamsJson(cmd.params)},
                  {"target_version", tv},
                  {"target_event_id", target.event_id},
                  {"target_type", target.type},
                  {"target_journey", target.journey},
                  {"target_recorded_at_us", target.recorded_at},
                  {"target_team", target.actor.team},
                  {"reason", *reason},
                  {"before", {{"occurred_at_us", before.occurred_at_us}, {"params", ParamsJson(before.params)}}},
                  {"states", states},
                  {"deadlines", ledger.list},
                  {"transitions", transitions},
                  {"flags", flag_log}};
  if (!withdraw) {
    payload["after"] = {{"occurred_at_us", after.occurred_at_us}, {"params", ParamsJson(after.params)}};
  }
  EventData e;
  e.type = cmd.action;
  e.occurred_at = cmd.occurred_at;
  e.journey = "case";
  e.machine_fingerprint = "case";
  e.payload = payload.dump();
  AppendRequest req;
  req.events.push_back(std::move(e));
  // A snapshot at or after the target no longer tells the truth: drop it before the append (a
  // crash in between costs a rebuild, never a wrong answer).
  if (Status d = DropSnapshotsFrom(log_, cmd.child_id, tv); !d.ok()) return d;
  out.verdict.verdict.accepted = true;
  out.verdict.verdict.reason = std::string(withdraw ? "withdrew" : "corrected") + " version " + *tv_text;
  return Prepare(cmd, std::move(req), std::move(next), std::move(out));
}

}  // namespace casetrail::replay
