#include "sim/simulator.hpp"

#include <algorithm>
#include <chrono>
#include <queue>
#include <unordered_map>

#include "engine/hash.hpp"
#include "replay/case_service.hpp"
#include "sim/generator.hpp"

namespace casetrail::sim {

using workflows::Date;

EventLogOptions SimulationLogOptions(std::uint64_t seed, std::shared_ptr<SimClock> clock) {
  EventLogOptions o;
  o.durable = false;
  o.clock = [clock] { return clock->Now(); };
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
  LifeGenerator gen(params, rules, rep.start_us, rep.end_us);
  replay::CaseService service(log, rules);

  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> queue;
  for (std::uint64_t i = 0; i < o.children; ++i) {
    queue.push({Date::FromTimestampUs(gen.Arrival(o.seed, i)).StartUs(), i, UINT32_MAX});
  }
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
    progress.fraction = std::clamp(static_cast<double>(now - rep.start_us) / static_cast<double>(rep.end_us - rep.start_us), 0.0, 1.0);
    progress.commands = rep.commands;
    progress.events = rep.events;
    progress.refusals = rep.refusals;
    progress.children_started = rep.children;
    progress.elapsed_s = elapsed();
    o.progress(progress);
  };
  auto problem = [&](std::string text) {
    if (rep.problems.size() < 20) rep.problems.push_back(std::move(text));
  };

  replay::Command cmd;
  while (!queue.empty()) {
    const Item it = queue.top();
    queue.pop();
    if (it.index == UINT32_MAX) {
      Life life = gen.Generate(o.seed, it.child, gen.Arrival(o.seed, it.child));
      ++rep.children;
      for (const auto& [from, to] : life.open) {
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
    clock.Set(a.recorded_at);
    cmd.child_id = "c" + std::to_string(it.child + 1);
    cmd.action = a.action;
    cmd.occurred_at = a.occurred_at;
    cmd.params.clear();
    for (const auto& [k, v] : a.params) cmd.params.emplace(k, v);
    const std::string& team = gen.teams()[static_cast<std::size_t>(a.team)];
    cmd.actor = Actor{Worker(a.role, team, it.child), a.role, team};
    cmd.command_id = "sim-" + seed_text + "-" + std::to_string(++command_no);
    auto r = service.Execute(cmd);
    bool drop = false;
    if (!r.ok()) {
      ++rep.errors;
      problem("child " + cmd.child_id + " " + cmd.action + " at " + Date::FromTimestampUs(a.occurred_at).ToString() +
              ": error " + r.status().ToString());
      drop = true;
    } else if (!r->accepted) {
      ++rep.refusals;
      problem("child " + cmd.child_id + " " + cmd.action + " at " + Date::FromTimestampUs(a.occurred_at).ToString() +
              ": refused (" + r->verdict.verdict.rule + ") " + r->verdict.verdict.reason);
      drop = true;
    } else {
      ++rep.commands;
      rep.events += r->event_types.size();
      ++rep.actions[a.action];
      if (std::string_view(a.action) == "fd.contact_received") ++rep.contacts;
    }
    if ((rep.commands + rep.refusals) % 4096 == 0) report_progress(a.recorded_at);
    if (!drop && it.index + 1 < life.actions.size()) {
      queue.push({life.actions[it.index + 1].recorded_at, it.child, it.index + 1});
    } else {
      lives.erase(found);
    }
  }
  const double window = static_cast<double>(rep.end_us - rep.start_us);
  rep.average_open = open_days / window;
  rep.average_open_last_year = open_days_last_year / static_cast<double>(rep.end_us - last_year);
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
