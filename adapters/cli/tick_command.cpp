// casetrail tick: writes the events time makes happen up to a time (scheduler/scheduler.hpp),
// for batch use when no server runs (a server's scheduler ticks by itself). Safe to repeat, to
// run beside a server, and to kill: every event has a deterministic command id.
#include <iostream>
#include <memory>

#include "adapters/cli/commands.hpp"
#include "adapters/json/event_json.hpp"
#include "replay/runner.hpp"
#include "scheduler/scheduler.hpp"
#include "workflows/calendar.hpp"

namespace casetrail::cli {
namespace {

struct TickOptions {
  std::string until;
  int due_soon = 3;
};

int Tick(Session& s, const TickOptions& o) {
  const TimestampUs now = SystemClockUs();
  auto until = TimeOption(o.until, "until", now);
  if (!until.ok()) return s.Fail(until.status());
  if (*until > now) {
    return s.Fail(Status::InvalidArgument("until", "is in the future: time-driven events are written when their time "
                                                   "has come"));
  }
  workflows::CaseService cases(s.log, s.rules);
  scheduler::DueIndex index(o.due_soon);
  replay::ProjectionRunner runner(s.log);
  scheduler::Scheduler sched(cases, index, [&] {
    auto r = runner.CatchUp(index);
    return r.ok() ? Status::Ok() : r.status();
  });
  auto r = sched.Tick(*until);
  if (!r.ok()) return s.Fail(r.status());
  if (s.json()) {
    nlohmann::json j = {{"until", workflows::Date::FromTimestampUs(r->until).ToString()},
                        {"due", r->due},
                        {"written", r->written},
                        {"already_written", r->already},
                        {"overtaken", r->overtaken},
                        {"errors", r->errors}};
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "tick to " << json::FormatTime(r->until) << ": " << r->due << " due, " << r->written << " written, "
              << r->already << " already written, " << r->overtaken << " overtaken (met, moved or corrected first)\n";
    for (const auto& e : r->errors) std::cout << "  error: " << e << "\n";
  }
  return r->errors.empty() ? 0 : 1;
}

}  // namespace

void AddTickCommand(CLI::App& app, Registry& r) {
  auto o = std::make_shared<TickOptions>();
  CLI::App* c = app.add_subcommand("tick", "write the events time makes happen up to TIME: deadlines breached, "
                                           "birthdays the rules depend on (docs/scheduler.md)");
  c->add_option("--until", o->until, "business time to tick to (default now; never later)")->type_name("TIME");
  c->add_option("--due-soon-working-days", o->due_soon, "reminders (deadline.due_soon) N working days before a "
                                                        "deadline's last day; 0: none (default 3)")
      ->type_name("N")
      ->check(CLI::Range(0, 20));
  r.On(c, [o](Session& s) { return Tick(s, *o); });
}

}  // namespace casetrail::cli
