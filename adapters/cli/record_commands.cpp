// The commands that write: append and append-file (raw events on streams other than children's),
// do and record (an action on a child's case through the workflows), demo.
#include <iostream>
#include <map>
#include <memory>
#include <vector>

#include "adapters/cli/commands.hpp"
#include "adapters/demo.hpp"
#include "adapters/json/command_json.hpp"
#include "adapters/json/event_json.hpp"
#include "adapters/views/views.hpp"
#include "workflows/case_service.hpp"

namespace casetrail::cli {
namespace {

using Json = nlohmann::json;
namespace cj = casetrail::json;

int Append(Session& s, AppendRequest r) {
  if (r.stream.rfind("child-", 0) == 0) {
    return s.Fail(Status::InvalidArgument("stream", "child streams are written only through the workflows: record a "
                                                    "command (casetrail record FILE) or use 'do'"));
  }
  auto res = s.log.Append(std::move(r));
  if (!res.ok()) return s.Fail(res.status());
  if (s.json()) {
    std::cout << cj::ToJson(*res).dump() << "\n";
    return 0;
  }
  std::cout << (res->duplicate ? "already recorded" : "recorded") << ": " << res->stream << " v" << res->first_version;
  if (res->last_version != res->first_version) std::cout << "..v" << res->last_version;
  std::cout << " at position " << res->first_position;
  if (res->last_position != res->first_position) std::cout << ".." << res->last_position;
  std::cout << "\n";
  return 0;
}

// A command through the pipeline (do, record), and what it did.
int Execute(Session& s, const workflows::Command& c) {
  workflows::CaseService svc(s.log, s.rules);
  auto r = svc.Execute(c);
  if (!r.ok()) return s.Fail(r.status());
  const auto& v = r->verdict;
  if (s.json()) {
    Json j = {{"accepted", r->accepted},     {"journey", v.journey},
              {"from_state", v.verdict.from_state}, {"to_state", v.verdict.to_state},
              {"states", r->states},         {"allowed_actions", r->allowed_actions},
              {"other_actions", views::OtherActions(r->other_actions)},
              {"version", r->version}};
    if (r->accepted) {
      j["append"] = cj::ToJson(r->append);
      j["events"] = r->event_types;
    } else {
      j["refusal"] = {{"rule", v.verdict.rule}, {"reason", v.verdict.reason}};
    }
    std::cout << j.dump() << "\n";
    return r->accepted ? 0 : 7;
  }
  if (!r->accepted) {
    std::cout << "refused (" << v.verdict.rule << "): " << v.verdict.reason << "\n";
    std::cout << "allowed now for " << c.actor.role << ":\n    "
              << (r->allowed_actions.empty() ? std::string("(none)") : GroupedActions(r->allowed_actions)) << "\n";
    if (!r->other_actions.empty()) {
      std::cout << "allowed now for other roles:\n";
      for (const auto& a : r->other_actions) {
        std::string roles;
        for (const auto& x : a.roles) roles += (roles.empty() ? "" : ", ") + x;
        std::cout << "    " << a.action << " (" << roles << ")\n";
      }
    }
    return 7;
  }
  if (r->append.duplicate) {
    std::cout << "already recorded (command " << c.command_id << ") at position " << r->append.first_position << "\n";
    return 0;
  }
  std::cout << "recorded " << c.action << " for child " << c.child_id << " at positions " << r->append.first_position
            << ".." << r->append.last_position << ": ";
  if (v.journey == "case" && v.verdict.from_state == "case") {
    std::cout << (v.verdict.reason.empty() ? "case" : v.verdict.reason) << "\n";
  } else {
    std::cout << v.journey << " " << v.verdict.from_state << " -> " << v.verdict.to_state << "\n";
  }
  for (const auto& r : v.rescheduled) {
    std::cout << "  deadline " << r.after.rule_id << " rescheduled (due " << r.after.due_date.ToString() << ", was "
              << r.before.due_date.ToString() << "): " << r.reason << "\n";
  }
  for (const auto& d : v.verdict.deadlines) {
    static const char* kKinds[] = {"scheduled", "met", "MET LATE", "cancelled", "BREACHED", "breach withdrawn", "due soon"};
    std::cout << "  deadline " << d.deadline.rule_id << " " << kKinds[static_cast<int>(d.kind)] << " (due "
              << d.deadline.due_date.ToString() << ")\n";
  }
  for (const auto& f : v.verdict.flags_raised) std::cout << "  flag: " << f << "\n";
  for (const auto& k : v.consequences) {
    if (k.verdict.accepted) {
      std::cout << "  " << k.rule << ": " << k.action << " (" << k.journey << " " << k.verdict.from_state << " -> "
                << k.verdict.to_state << ")\n";
    }
  }
  return 0;
}

struct AppendOptions {
  std::string stream, type, payload = "{}", occurred_at, expected, command_id, event_id;
  std::string user = "cli", role = "admin", team;
};

void AddAppend(CLI::App& app, Registry& r) {
  auto o = std::make_shared<AppendOptions>();
  CLI::App* c = app.add_subcommand("append", "append one raw event to a stream other than a child's");
  c->add_option("--stream", o->stream, "the stream")->required();
  c->add_option("--type", o->type, "the event type")->required();
  c->add_option("--payload", o->payload, "the payload (JSON; default {})")->type_name("JSON");
  c->add_option("--occurred-at", o->occurred_at, "business time (default now)")->type_name("TIME");
  c->add_option("--expected", o->expected, "any, no_stream, stream_exists or a version")->type_name("V");
  c->add_option("--command-id", o->command_id, "retrying with the same id writes nothing new")->type_name("ID");
  c->add_option("--event-id", o->event_id, "the event's id")->type_name("ID");
  c->add_option("--user", o->user, "the actor (default cli)");
  c->add_option("--role", o->role, "the actor's role (default admin)");
  c->add_option("--team", o->team, "the actor's team");
  r.On(c, [o](Session& s) {
    AppendRequest req;
    req.stream = o->stream;
    req.command_id = o->command_id;
    req.actor = Actor{o->user, o->role, o->team};
    if (!o->expected.empty()) {
      auto ev = ExpectedVersion::Parse(o->expected);
      if (!ev.ok()) return s.Fail(ev.status());
      req.expected = *ev;
    }
    EventData e;
    e.type = o->type;
    e.event_id = o->event_id;
    e.payload = o->payload;
    auto at = TimeOption(o->occurred_at, "occurred_at", SystemClockUs());
    if (!at.ok()) return s.Fail(at.status());
    e.occurred_at = *at;
    req.events.push_back(std::move(e));
    return Append(s, std::move(req));
  });
}

// append-file and record: a JSON document in FILE ('-': standard input). Each says which command
// takes the other kind of document.
void AddFileCommands(CLI::App& app, Registry& r) {
  auto file = std::make_shared<std::string>();
  CLI::App* raw = app.add_subcommand(
      "append-file", "append the raw request in FILE (JSON {\"stream\", \"events\"}) to a stream other than a child's");
  raw->add_option("FILE", *file, "the request (- reads standard input)")->type_name("JSON")->required()->check(kFileOrStdin);
  r.On(raw, [file](Session& s) {
    auto text = ReadInput(*file);
    if (!text.ok()) return s.Fail(text.status());
    auto doc = Json::parse(*text, nullptr, false);
    if (doc.is_object() && doc.contains("action")) {
      return s.Fail(Status::InvalidArgument("file", "holds a command (\"action\"): record it with 'casetrail record'"));
    }
    auto req = cj::ParseAppendRequest(*text);
    if (!req.ok()) return s.Fail(req.status());
    return Append(s, std::move(req).value());
  });
  CLI::App* command = app.add_subcommand("record", "record the command in FILE through the workflows");
  command->footer(
      "FILE: JSON {\"child_id\", \"action\", \"occurred_at\", \"actor\": {\"user\", \"role\", \"team\"}, \"params\",\n"
      "\"command_id\", \"expected_version\"} (- reads standard input); the same checks as 'do'. Corrections are\n"
      "the actions case.record_corrected and case.record_withdrawn.");
  command->add_option("FILE", *file, "the command (- reads standard input)")->type_name("JSON")->required()->check(kFileOrStdin);
  r.On(command, [file](Session& s) {
    auto text = ReadInput(*file);
    if (!text.ok()) return s.Fail(text.status());
    auto doc = Json::parse(*text, nullptr, false);
    if (doc.is_object() && doc.contains("stream") && !doc.contains("action")) {
      return s.Fail(Status::InvalidArgument("file", "holds a raw append request (\"stream\"): use 'casetrail append-file'"));
    }
    auto c = cj::ParseCommand(doc, cj::CommandFields::kFull);
    if (!c.ok()) return s.Fail(c.status());
    return Execute(s, *c);
  });
}

struct DoOptions {
  std::string child, action, role, user = "cli", team, occurred_at, command_id;
  std::uint64_t expected = 0;
  std::vector<std::string> params;
};

void AddDo(CLI::App& app, Registry& r) {
  auto o = std::make_shared<DoOptions>();
  CLI::App* c = app.add_subcommand("do", "record an action on a child's case through the workflows");
  c->footer("e.g. casetrail do --child 1001 --action cp.strategy_discussion_held --role team_manager outcome=s47");
  c->add_option("--child", o->child, "the child's id")->required()->type_name("ID");
  c->add_option("--action", o->action, "the action, e.g. cp.visit_held")->required()->type_name("NAME");
  c->add_option("--role", o->role, "the actor's role")->required();
  c->add_option("--user", o->user, "the actor (default cli)");
  c->add_option("--team", o->team, "the actor's team");
  c->add_option("--occurred-at", o->occurred_at, "business time (default now)")->type_name("TIME");
  c->add_option("--command-id", o->command_id, "retrying with the same id writes nothing new")->type_name("ID");
  auto* expected = c->add_option("--expected", o->expected, "the child's record version the action expects");
  expected->type_name("V");
  c->add_option("params", o->params, "the action's parameters")->type_name("KEY=VALUE")->check(kKeyValue);
  r.On(c, [o, expected](Session& s) {
    workflows::Command cmd;
    cmd.child_id = o->child;
    cmd.action = o->action;
    cmd.actor = Actor{o->user, o->role, o->team};
    if (o->role == "system") {
      return s.Fail(Status::InvalidArgument("role", "'system' is the engine's own role (its scheduler): use 'casetrail tick'"));
    }
    cmd.command_id = o->command_id;
    auto at = TimeOption(o->occurred_at, "occurred_at", SystemClockUs());
    if (!at.ok()) return s.Fail(at.status());
    cmd.occurred_at = *at;
    if (expected->count() > 0) cmd.expected_version = o->expected;
    for (const auto& kv : o->params) {
      const auto eq = kv.find('=');
      cmd.params[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    return Execute(s, cmd);
  });
}

}  // namespace

// A small, plausible history recorded through the workflows, so that a new user has something to
// look at: four children on different journeys. Loaded once: if child 1001 has a record the demo
// children are there already. (They may be added on top of a simulated caseload: their ids do
// not collide with the simulator's "c<n>".)
int Demo(Session& s) {
  auto info = s.log.GetStreamInfo("child-1001");
  if (info.ok() && info->last_version > 0) {
    std::cout << "the demo children are already in the log (" << s.log.HeadPosition() << " events); not loaded again\n";
    return 0;
  }
  workflows::CaseService svc(s.log, s.rules);
  std::size_t actions = 0;
  if (Status st = LoadDemoCaseload(svc, &actions); !st.ok()) return s.Fail(st);
  std::cout << "loaded the demo caseload: " << actions << " actions on 4 children (the log now holds "
            << s.log.HeadPosition() << " events)\n";
  return 0;
}

void AddRecordCommands(CLI::App& app, Registry& r) {
  AddAppend(app, r);
  AddFileCommands(app, r);
  AddDo(app, r);
  r.On(app.add_subcommand("demo", "load the demo history into an empty log"), Demo);
}

}  // namespace casetrail::cli
