#include "sim/simulator.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <condition_variable>
#include <mutex>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "engine/hash.hpp"
#include "replay/runner.hpp"
#include "replay/team_directory.hpp"
#include "scheduler/scheduler.hpp"
#include "workflows/case_service.hpp"
#include "sim/generator.hpp"
#include "sim/records.hpp"
#include "workflows/own_record.hpp"

namespace casetrail::sim {

using workflows::Date;

EventLogOptions SimulationLogOptions(std::uint64_t seed, std::shared_ptr<SimClock> clock) {
  EventLogOptions o;
  o.durable = false;
  o.clock = [clock] { return clock->Now(); };
  o.recorded_at_submission = true;  // commands are pipelined: each records the time set for it
  auto counter = std::make_shared<std::uint64_t>(0);
  const std::string prefix = "sim-" + std::to_string(seed) + "-e";
  // Called on the appending thread in append order (one simulator thread): deterministic.
  o.event_ids = [counter, prefix] { return prefix + std::to_string(++*counter); };
  return o;
}

Result<TimestampUs> WindowEnd(Date start, int years, TimestampUs now_us) {
  if (years < 1) return Status::InvalidArgument("years", "must be at least 1");
  const auto& cal = workflows::Calendar::EnglandAndWales();
  if (!cal.Covers(start)) {
    return Status::InvalidArgument("start", "must be within the working-day calendar (" +
                                                cal.first_covered().ToString() + " to " +
                                                cal.last_covered().ToString() + ")");
  }
  const Date end = start.AddYears(years);
  if (end.StartUs() > now_us) {
    return Status::InvalidArgument(
        "start", "the simulated window " + start.ToString() + " to " + end.ToString() +
                     " ends after today (" + Date::FromTimestampUs(now_us).ToString() +
                     "): business dates must be in the past; choose an earlier --start or fewer --years");
  }
  return end.StartUs();
}

workflows::Date HistoryStart(Date start, int years) {
  if (years <= 0) return start;
  const Date first = workflows::Calendar::EnglandAndWales().first_covered().AddDays(7);
  const Date from = start.AddYears(-years);
  return std::min(std::max(from, first), start);
}

namespace {

struct Item {
  TimestampUs at;
  std::uint64_t child;
  std::uint32_t index;  // UINT32_MAX: the child's first contact comes due (generate its life)
  bool operator>(const Item& o) const {
    if (at != o.at) return at > o.at;
    if (child != o.child) return child > o.child;
    return index > o.index;
  }
};

std::string Worker(const char* role, const std::string& team, std::uint64_t child) {
  return std::string(role) + "." + team + "." + std::to_string(child % 7 + 1);
}

}  // namespace

Result<SimReport> Simulate(EventLog& log, SimClock& clock, const workflows::RuleBook& rules, const SimOptions& o,
                           TimestampUs now_us) {
  const auto wall0 = std::chrono::steady_clock::now();
  if (log.HeadPosition() != 0) {
    return Status::InvalidArgument("data", "the simulator writes into an empty log (this one holds " +
                                               std::to_string(log.HeadPosition()) + " events)");
  }
  auto end = WindowEnd(o.start, o.years, now_us);
  if (!end.ok()) return end.status();
  const Params& params = o.params ? *o.params : Params::Default();
  SimReport rep;
  rep.start_us = o.start.StartUs();
  rep.end_us = *end;
  const Date history_from = HistoryStart(o.start, o.history_years);
  rep.history_from_us = history_from.StartUs();
  LifeGenerator gen(params, rules, rep.start_us, rep.end_us);
  workflows::CaseService service(log, rules);
  service.SetCacheCapacity(o.cache_children);
  // Each team's workers, sized so that its open children make the seeds' caseload (K-W1).
  const double open_expected = static_cast<double>(o.children) / std::max(1, o.years) *
                               params.Num("allocation.open_children_per_new_child_per_year");
  // Social workers for the children a social worker holds, early help workers for the rest.
  const double sw_share = params.Num("allocation.social_work_share_of_open");
  auto workers = [&](double share) {
    return std::max<std::uint64_t>(
        2, static_cast<std::uint64_t>(std::llround(open_expected * share / static_cast<double>(gen.teams().size()) /
                                                   params.Num("allocation.caseload_per_worker"))));
  };
  const std::uint64_t social_workers_per_team = workers(sw_share), other_workers_per_team = workers(1 - sw_share);
  // The IROs (one service for the Trust), sized so that the looked-after children make their caseload.
  const std::uint64_t iros = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::llround(open_expected * params.Num("allocation.looked_after_share_of_open") /
                                                 params.Num("allocation.iro_caseload"))));

  // The Trust's teams as reference data (replay/team_directory.hpp), from the history's start.
  clock.Set(rep.history_from_us);
  for (const std::string& t : gen.teams()) {
    replay::TeamVersion v;
    v.team = t;
    v.area = t.substr(0, t.rfind('-'));
    v.name = "Children's social care, " + v.area + " " + t.substr(t.rfind('-') + 1);
    v.service = "children's social care";
    v.effective_from = history_from;
    AppendRequest req;
    req.stream = replay::kTeamsStream;
    req.command_id = "sim-" + std::to_string(o.seed) + "-team-" + t;
    req.actor = Actor{"simulator", "admin", ""};
    EventData e;
    e.type = replay::kTeamDefined;
    e.occurred_at = rep.history_from_us;
    e.payload = replay::TeamDefinedPayload(v);
    req.events.push_back(std::move(e));
    if (auto r = log.Append(std::move(req)); !r.ok()) return r.status();
  }
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> queue;
  for (std::uint64_t i = 0; i < o.children; ++i) {
    queue.push({Date::FromTimestampUs(gen.Arrival(o.seed, i)).StartUs(), i, UINT32_MAX});
  }
  // The history: children arriving before the window at the window's rate, numbered after it.
  const double per_year = static_cast<double>(o.children) / std::max(1, o.years);
  const auto history_children = static_cast<std::uint64_t>(std::llround(
      per_year * static_cast<double>(rep.start_us - rep.history_from_us) / (365.2425 * 86400e6)));
  for (std::uint64_t k = 0; k < history_children; ++k) {
    const std::uint64_t i = o.children + k;
    queue.push({Date::FromTimestampUs(gen.ArrivalBefore(o.seed, i, rep.history_from_us)).StartUs(), i, UINT32_MAX});
  }
  auto arrival = [&](std::uint64_t i) {
    return i < o.children ? gen.Arrival(o.seed, i) : gen.ArrivalBefore(o.seed, i, rep.history_from_us);
  };
  std::unordered_map<std::uint64_t, Life> lives;
  const std::string seed_text = std::to_string(o.seed);
  std::uint64_t command_no = 0;
  double open_days = 0, open_days_last_year = 0;
  const TimestampUs last_year = std::max(rep.start_us, Date::FromTimestampUs(rep.end_us).AddYears(-1).StartUs());
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  };
  SimOptions::Progress progress;
  auto report_progress = [&](TimestampUs now) {
    if (!o.progress) return;
    progress.sim_now = now;
    // A year of history holds about a tenth of a window year's commands (only the children still
    // known at the start are written): weighted so, the bar and its ETA move evenly.
    auto weighted = [&](TimestampUs t) {
      const double before = static_cast<double>(std::clamp(t, rep.history_from_us, rep.start_us) - rep.history_from_us);
      const double after = static_cast<double>(std::max<TimestampUs>(0, t - rep.start_us));
      return 0.1 * before + after;
    };
    progress.fraction = std::clamp(weighted(now) / weighted(rep.end_us), 0.0, 1.0);
    progress.commands = rep.commands;
    progress.events = rep.events;
    progress.refusals = rep.refusals;
    progress.children_started = rep.children + rep.children_before;
    progress.elapsed_s = elapsed();
    o.progress(progress);
  };
  auto problem = [&](std::string text) {
    if (rep.problems.size() < 20) rep.problems.push_back(std::move(text));
  };

  // Pipelined: up to o.in_flight commands are on their way to the log at once (the sequencer
  // groups them into one commit), yet the log is what a one-at-a-time run writes. Every command
  // is decided on this thread, in queue order, before the next is sent: a command is sent only
  // when its child (its lock stripe) has nothing in flight, so ExecuteAsync decides it inline,
  // and the log takes appends in the order they were submitted, with event ids and recorded
  // times (EventLogOptions::recorded_at_submission) read on this thread.
  std::mutex mu;  // guards rep's counters, in_flight and failed, written by the completions
  std::condition_variable cv;
  std::size_t in_flight = 0;
  const std::size_t max_in_flight = std::max<std::size_t>(o.in_flight, 1);
  std::unordered_set<std::uint64_t> failed;  // children whose append failed after it was sent
  std::uint64_t sent = 0;
  struct Sent {  // what a completion needs to count its command
    std::uint64_t child;
    const char* action;
    TimestampUs occurred_at, recorded_at;
  };
  auto counted = [&](const Sent& c, const Result<workflows::CommandOutcome>& r) {
    // REQUIRES: mu held. True if the command was accepted.
    auto when = [&] { return Date::FromTimestampUs(c.occurred_at).ToString(); };
    const std::string child_id = "c" + std::to_string(c.child + 1);
    if (!r.ok()) {
      ++rep.errors;
      problem("child " + child_id + " " + c.action + " at " + when() + ": error " + r.status().ToString());
      failed.insert(c.child);
      return false;
    }
    if (!r->accepted) {
      ++rep.refusals;
      problem("child " + child_id + " " + c.action + " at " + when() + ": refused (" + r->verdict.verdict.rule +
              ") " + r->verdict.verdict.reason);
      failed.insert(c.child);
      return false;
    }
    ++rep.commands;
    if (c.recorded_at < rep.start_us) ++rep.commands_before;
    rep.events += r->event_types.size();
    ++rep.actions[c.action];
    if (std::string_view(c.action) == "fd.contact_received" && c.occurred_at >= rep.start_us) ++rep.contacts;
    return true;
  };
  // The scheduler, ticked at each London midnight once every command recorded before it is in.
  scheduler::DueIndex due(o.due_soon_working_days);
  replay::ProjectionRunner due_runner(log);
  scheduler::Scheduler sched(service, due, [&] {
    auto r = due_runner.CatchUp(due);
    return r.ok() ? Status::Ok() : r.status();
  });
  sched.SetOneAtATime(true);  // deterministic: the same log on every run
  Date next_midnight = history_from.AddDays(1);
  auto tick_until = [&](TimestampUs t) -> Status {
    if (!o.scheduler) return Status::Ok();
    while (next_midnight.StartUs() <= t && next_midnight.StartUs() <= rep.end_us) {
      {
        std::unique_lock<std::mutex> lk(mu);
        cv.wait(lk, [&] { return in_flight == 0; });
      }
      const TimestampUs at = next_midnight.StartUs();
      clock.Set(at);
      auto r = sched.Tick(at);
      if (!r.ok()) return r.status();
      ++rep.ticks;
      rep.time_overtaken += r->overtaken;
      rep.errors += r->errors.size();
      for (const auto& e : r->errors) problem("scheduler: " + e);
      next_midnight = next_midnight.AddDays(1);
    }
    return Status::Ok();
  };
  // The records of their own (allegations, carers), written in recorded order between the
  // children's commands, each decided and made durable before the next command is sent.
  const std::vector<RecordAction> records = GenerateRecords(params, o.seed, rep.history_from_us, rep.end_us, per_year);
  std::size_t next_record = 0;
  workflows::OwnRecordService allegations(log, workflows::AllegationRecord(), rules);
  workflows::OwnRecordService carers(log, workflows::CarerRecord(), rules);
  auto records_until = [&](TimestampUs t) -> Status {
    for (; next_record < records.size() && records[next_record].recorded_at <= t; ++next_record) {
      const RecordAction& r = records[next_record];
      if (Status s = tick_until(r.recorded_at); !s.ok()) return s;
      clock.Set(r.recorded_at);
      workflows::OwnRecordCommand cmd;
      cmd.id = r.id;
      cmd.action = r.action;
      cmd.occurred_at = r.occurred_at;
      for (const auto& [k, v] : r.params) cmd.params.emplace(k, v);
      cmd.actor = Actor{std::string(r.role) + ".records.1", r.role, r.kind->name == "allegation" ? "lado" : "fostering"};
      cmd.command_id = "sim-" + seed_text + "-r" + std::to_string(next_record + 1);
      auto out = (r.kind == &workflows::AllegationRecord() ? allegations : carers).Execute(cmd);
      std::lock_guard<std::mutex> lk(mu);
      if (!out.ok() || !out->accepted) {
        ++(out.ok() ? rep.refusals : rep.errors);
        problem(r.kind->name + " " + r.id + " " + r.action + ": " + (out.ok() ? out->verdict.reason : out.status().ToString()));
        continue;
      }
      ++rep.commands;
      if (r.recorded_at < rep.start_us) ++rep.commands_before;
      rep.events += out->event_types.size();
      ++rep.actions[r.action];
    }
    return Status::Ok();
  };
  while (!queue.empty()) {
    const Item it = queue.top();
    queue.pop();
    if (Status s = records_until(it.at); !s.ok()) return s;
    if (Status s = tick_until(it.at); !s.ok()) return s;
    if (it.index == UINT32_MAX) {
      Life life = gen.Generate(o.seed, it.child, arrival(it.child));
      if (it.child >= o.children) {
        // A life of the history is written only if the child is still known at the start:
        // open then, or recorded on again later.
        bool known = false;
        for (const auto& [from, to] : life.open) known |= to > rep.start_us;
        for (const auto& a : life.actions) known |= a.recorded_at >= rep.start_us;
        if (!known) continue;
        ++rep.children_before;
      } else {
        ++rep.children;
      }
      for (auto [from, to] : life.open) {
        from = std::max(from, rep.start_us);
        if (to <= from) continue;
        open_days += static_cast<double>(to - from);
        if (to > last_year) open_days_last_year += static_cast<double>(to - std::max(from, last_year));
        if (to >= rep.end_us) ++rep.open_at_end;
      }
      if (life.actions.empty()) continue;
      queue.push({life.actions[0].recorded_at, it.child, 0});
      lives.emplace(it.child, std::move(life));
      continue;
    }
    auto found = lives.find(it.child);
    Life& life = found->second;
    const SimAction& a = life.actions[it.index];
    workflows::Command cmd;
    cmd.child_id = "c" + std::to_string(it.child + 1);
    {
      std::unique_lock<std::mutex> lk(mu);
      cv.wait(lk, [&] { return in_flight < max_in_flight && !service.WouldWait(cmd.child_id); });
      if (failed.count(it.child) > 0) {  // an earlier command of this child was not written
        lives.erase(found);
        continue;
      }
      ++in_flight;
    }
    clock.Set(a.recorded_at);
    cmd.action = a.action;
    cmd.occurred_at = a.occurred_at;
    const std::string& team = gen.teams()[static_cast<std::size_t>(a.team)];
    for (const auto& [k, v] : a.params) {
      if (v == "$iro") {  // the child's IRO, the same for all its care episodes
        cmd.params.emplace(k, "iro." + std::to_string((it.child + 1) * 0x9E3779B97F4A7C15ull % iros + 1));
        continue;
      }
      if (v != "$worker") {
        cmd.params.emplace(k, v);
        continue;
      }
      // A worker of the team, never the one the child has now (a change of worker changes it).
      std::string as = "social_worker";
      for (const auto& [pk, pv] : a.params) as = std::string_view(pk) == "as" ? pv : as;
      std::string name;
      do {
        const std::uint64_t mix = (it.child + 1) * 0x9E3779B97F4A7C15ull ^ static_cast<std::uint64_t>(++life.worker_generation) * 0xBF58476D1CE4E5B9ull;
        const std::uint64_t n = as == "social_worker" ? social_workers_per_team : other_workers_per_team;
        name = as + "." + team + "." + std::to_string(mix % n + 1);
      } while (name == life.allocated_worker);
      cmd.params.emplace(k, name);
      life.allocated_worker = name;
    }
    if (std::string_view(a.action) == "alloc.worker_deallocated") life.allocated_worker.clear();
    // The allocated worker records the social worker's actions; the others by role and team.
    const bool by_allocated = !life.allocated_worker.empty() && life.allocated_worker.starts_with(a.role) &&
                              life.allocated_worker.size() > std::strlen(a.role) &&
                              life.allocated_worker[std::strlen(a.role)] == '.';
    cmd.actor = Actor{by_allocated ? life.allocated_worker : Worker(a.role, team, it.child), a.role, team};
    cmd.command_id = "sim-" + seed_text + "-" + std::to_string(++command_no);
    service.ExecuteAsync(std::move(cmd), [&, sent = Sent{it.child, a.action, a.occurred_at, a.recorded_at}](
                                             Result<workflows::CommandOutcome> r) {
      {
        std::lock_guard<std::mutex> lk(mu);
        counted(sent, r);
        --in_flight;
      }
      cv.notify_all();
    });
    if (++sent % 4096 == 0) {
      std::lock_guard<std::mutex> lk(mu);
      report_progress(a.recorded_at);
    }
    // A refusal is answered before ExecuteAsync returns (decided inline), so a refused child's
    // later actions are never sent; an append that fails later stops them at the check above.
    bool stop = false;
    {
      std::lock_guard<std::mutex> lk(mu);
      stop = failed.count(it.child) > 0;
    }
    if (!stop && it.index + 1 < life.actions.size()) {
      queue.push({life.actions[it.index + 1].recorded_at, it.child, it.index + 1});
    } else {
      lives.erase(found);
    }
  }
  if (Status s = records_until(rep.end_us); !s.ok()) return s;
  {
    std::unique_lock<std::mutex> lk(mu);
    cv.wait(lk, [&] { return in_flight == 0; });
  }
  if (Status s = tick_until(rep.end_us); !s.ok()) return s;
  if (o.scheduler) {
    // What the ticks wrote, by action (from the log: the scheduler's commands).
    Status s = log.ReadAll(ReadAllOptions{}, [&](const EventView& e) {
      if (e.actor_role == workflows::kSystemRole && !workflows::IsDerivedPayload(e.payload) &&
          workflows::IsTimeDriven(e.type)) {
        ++rep.time_driven[std::string(e.type)];
      }
      if (e.type == "deadline.breach_cancelled") ++rep.time_driven[std::string(e.type)];
      return true;
    });
    if (!s.ok()) return s;
  }
  const double window = static_cast<double>(rep.end_us - rep.start_us);
  rep.average_open = open_days / window;
  rep.average_open_last_year = open_days_last_year / static_cast<double>(rep.end_us - last_year);
  rep.rebuilt_from_snapshot = service.hydrations().from_snapshot;
  rep.rebuilt_from_log = service.hydrations().from_log;
  rep.elapsed_s = elapsed();
  report_progress(rep.end_us);
  return rep;
}

Result<std::string> LogDigest(EventLog& log) {
  std::string buffer;
  std::string digest;
  Status s = log.ReadAll(ReadAllOptions{}, [&](const EventView& e) {
    buffer.append(std::to_string(e.position)).push_back(' ');
    buffer.append(e.stream).push_back(' ');
    buffer.append(std::to_string(e.version)).push_back(' ');
    buffer.append(HexOf(e.hash, 32)).push_back('\n');
    if (buffer.size() > (1 << 20)) {
      digest = Sha256Hex(digest + buffer);
      buffer.clear();
    }
    return true;
  });
  if (!s.ok()) return s;
  return Sha256Hex(digest + buffer);
}

}  // namespace casetrail::sim
