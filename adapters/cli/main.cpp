// casetrail: the command-line front end of the event log.
//
// Exit codes: 0 ok, 1 storage error (I/O, corruption), 2 usage, 3 invalid input,
// 4 conflict, 5 not found, 6 verify found a broken chain.
#include <pthread.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/cli/commands.hpp"
#include "adapters/demo.hpp"
#include "adapters/key_value_file.hpp"
#include "adapters/cli/relay_command.hpp"
#include "adapters/http/server.hpp"
#include "adapters/http/tokens.hpp"
#include "adapters/json/command_json.hpp"
#include "adapters/json/event_json.hpp"
#include "engine/event_log.hpp"
#include "workflows/case_service.hpp"
#include "replay/projections.hpp"

using namespace casetrail;
using Json = nlohmann::json;
namespace cj = casetrail::json;

namespace {

constexpr const char* kDefaultData = "casetrail-data";

constexpr const char* kUsage = R"(casetrail: an event-sourced case workflow engine for children's social care

usage: casetrail <command> [--data DIR] [options]

commands (DIR defaults to ./casetrail-data):
  serve [--listen ADDR:PORT] [--tokens FILE] [--demo] [--config FILE]
                             the HTTP API (docs/api.md) until SIGTERM or SIGINT, which drain
                             in-flight requests; --demo loads the demo history into an empty
                             log and, if FILE does not exist, writes demo tokens to it and
                             prints them (default ADDR:PORT 127.0.0.1:8080, FILE DIR/tokens);
                             --config: "key = value" lines for these options and io-threads,
                             worker-threads, max-body-bytes, read-timeout-seconds,
                             subscriber-buffer-bytes, max-subscribers, heartbeat-seconds,
                             cache-children
        [--kafka-brokers HOST:PORT --kafka-topic T [--kafka-name N] [--kafka-config FILE]]
                             also relay every event to Kafka (docs/kafka.md)
  relay kafka --brokers HOST:PORT --topic T [--name N] [--kafka-config FILE] [--once]
                             publish every event from the checkpoint N (default kafka-relay) to
                             topic T, when no server runs; until SIGINT/SIGTERM, or with --once
                             until caught up with the head (docs/kafka.md)
  token --user U --role R --team T
                             a new API token: prints it once, and the line for the tokens file
  shell                      interactive prompt on the log (loads the demo history if empty)
  demo                       load the demo history into an empty log
  append --stream S --type T [--payload JSON] [--occurred-at TIME] [--expected V]
         [--command-id ID] [--event-id ID] [--user U --role R --team T]
                             append one event (V: any, no_stream, stream_exists or a version)
  record FILE                append the raw request in FILE (JSON {"stream","events"}; '-' reads
                             standard input); child streams take commands only (below)
  read --stream S [--from V] [--backward] [--limit N]
                             events of one stream
  log [--from P] [--type-prefix X] [--stream-prefix X] [--limit N]
                             the global log in position order
  info --stream S            a stream's last version, position and chain head
  head                       the highest committed position
  verify                     recompute every hash chain, check the indexes, and check every sealed
                             projection checkpoint against the log
  do --child ID --action NAME --role ROLE [--user U] [--team T] [--occurred-at TIME]
     [--command-id ID] [--expected V] [key=value ...]
                             record an action on a child's case through the workflows
                             (e.g. do --child 1001 --action cp.strategy_discussion_held
                              --role team_manager outcome=s47)
  case --child ID            a child's journeys, open deadlines and the actions allowed now
  chronology CHILD           the child's chronology: significant events in business-time order
  show CHILD [--as-of DATE] [--known-at DATE]
                             the child as things stood on DATE (what had happened by then), as the
                             record stood on --known-at (what had been recorded by then)
  explain CHILD              the transition trace: each action, guard, from -> to, deadlines
  export CHILD [--out FILE]  the child's history as a self-verifying bundle (JSON)
  verify-bundle FILE         recompute every hash of an exported bundle
  replay [--projection NAMES]
                             rebuild all projections (or child_summary,chronology,deadlines,
                             plo_tracker,kpis) from position 1, with a progress bar and events/s,
                             and seal their checkpoints
  record FILE                a command in FILE through the workflows: {"child_id", "action",
                             "occurred_at", "actor": {"user","role","team"}, "params",
                             "command_id", "expected_version"}; corrections are the actions
                             case.record_corrected / case.record_withdrawn
  plo [--team T] [--area A] [--as-of TIME]
                             the PLO tracker: children in pre-proceedings and proceedings, with
                             weeks elapsed and red/amber/green
  caseload                   children with an active journey, by team and worker
  kpis --from DATE --to DATE [--team T] [--area A]
                             the Trust's measures for a period (to is exclusive)
  deadlines [--due-within DAYS] [--as-of TIME]
                             overdue deadlines of every child, and those due soon (default 14 days)
  simulate [--preset birmingham|england] [--children N] [--years Y] [--seed S] [--start DATE]
           [--params FILE] [--cache-children N] [--in-flight N]
                             generate children's journeys through the workflows into an empty log
                             (bulk mode, business dates in the past, deterministic for a seed);
                             N: children who first come to the front door in the window (default
                             1,000; birmingham 102,000 over 2 years ~ 60,000 contacts a year);
                             --cache-children: cases kept in memory (default 2,000,000, a few
                             KB each); --in-flight: commands sent ahead (default 256; the log
                             is the same for any value); docs/simulator.md

options:
  --json                     machine-readable output (one JSON document per line)
  --local-standards FILE     local timescales for do/case/demo/shell: "ID = AMOUNT" per line
                             (e.g. "N-10 = 15"); may tighten, never lengthen, a statutory one
  --bulk                     non-durable bulk-import mode (no fsync before acknowledging)

exit codes: 0 ok, 1 storage error, 2 usage, 3 invalid input, 4 conflict, 5 not found,
            6 verify found damage, 7 refused by the workflow
)";

using cli::Args;
using cli::ExitCodeFor;

const std::set<std::string> kFlags = {"json", "bulk", "backward", "demo", "once", "help"};

bool ParseArgs(const std::vector<std::string>& argv, Args* a, std::string* err) {
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& s = argv[i];
    if (s == "-h") {
      a->opts["help"] = "1";
    } else if (s.rfind("--", 0) == 0) {
      std::string key = s.substr(2);
      if (auto eq = key.find('='); eq != std::string::npos) {
        a->opts[key.substr(0, eq)] = key.substr(eq + 1);
      } else if (kFlags.count(key)) {
        a->opts[key] = "1";
      } else if (i + 1 < argv.size()) {
        a->opts[key] = argv[++i];
      } else {
        *err = "option --" + key + " needs a value";
        return false;
      }
    } else if (a->command.empty()) {
      a->command = s;
    } else {
      a->positional.push_back(s);
    }
  }
  return true;
}

class Cli {
 public:
  Cli(EventLog& log, bool json_out, const workflows::RuleBook& rules)
      : log_(log), json_(json_out), rules_(rules) {}

  int Fail(const Status& s) {
    if (json_) {
      std::cout << Json{{"error", cj::ToJson(s)}}.dump() << "\n";
    } else {
      std::cerr << "error: " << s.ToString() << "\n";
    }
    return ExitCodeFor(s);
  }

  int Append(const Args& a) {
    AppendRequest r;
    r.stream = a.Get("stream");
    r.command_id = a.Get("command-id");
    r.actor = Actor{a.Get("user", "cli"), a.Get("role", "admin"), a.Get("team")};
    if (a.Has("expected")) {
      auto ev = ExpectedVersion::Parse(a.Get("expected"));
      if (!ev.ok()) return Fail(ev.status());
      r.expected = *ev;
    }
    EventData e;
    e.type = a.Get("type");
    e.event_id = a.Get("event-id");
    e.payload = a.Get("payload", "{}");
    e.occurred_at = SystemClockUs();
    if (a.Has("occurred-at")) {
      auto t = cj::ParseTime(a.Get("occurred-at"), "occurred_at");
      if (!t.ok()) return Fail(t.status());
      e.occurred_at = *t;
    }
    r.events.push_back(std::move(e));
    return Record(std::move(r));
  }

  int RecordFile(const std::string& path) {
    std::stringstream buf;
    if (path == "-") {
      buf << std::cin.rdbuf();
    } else {
      std::ifstream in(path);
      if (!in) return Fail(Status::InvalidArgument("file", "cannot read '" + path + "'"));
      buf << in.rdbuf();
    }
    auto doc = Json::parse(buf.str(), nullptr, false);
    if (doc.is_object() && doc.contains("action")) return RecordCommand(doc);
    auto r = cj::ParseAppendRequest(buf.str());
    if (!r.ok()) return Fail(r.status());
    return Record(std::move(r).value());
  }

  // A command document through the pipeline (the same checks as `do`).
  int RecordCommand(const Json& doc) {
    auto c = cj::ParseCommand(doc, cj::CommandFields::kFull);
    if (!c.ok()) return Fail(c.status());
    return Execute(*c);
  }

  int Record(AppendRequest r) {
    if (r.stream.rfind("child-", 0) == 0) {
      return Fail(Status::InvalidArgument("stream", "child streams are written only through the workflows: record a "
                                                    "command (child_id, action, ...) or use 'do'"));
    }
    auto res = log_.Append(std::move(r));
    if (!res.ok()) return Fail(res.status());
    if (json_) {
      std::cout << cj::ToJson(*res).dump() << "\n";
    } else {
      std::cout << (res->duplicate ? "already recorded" : "recorded") << ": " << res->stream
                << " v" << res->first_version;
      if (res->last_version != res->first_version) std::cout << "..v" << res->last_version;
      std::cout << " at position " << res->first_position;
      if (res->last_position != res->first_position) std::cout << ".." << res->last_position;
      std::cout << "\n";
    }
    return 0;
  }

  void PrintEvent(const RecordedEvent& e) {
    if (json_) {
      std::cout << cj::ToJson(e).dump() << "\n";
      return;
    }
    std::printf("%8llu  %-22s v%-4llu %-28s %s  by %s (%s)  %s\n",
                static_cast<unsigned long long>(e.position), e.stream.c_str(),
                static_cast<unsigned long long>(e.version), e.type.c_str(),
                cj::FormatTime(e.occurred_at).substr(0, 10).c_str(), e.actor.user.c_str(),
                e.actor.role.c_str(), e.payload.size() > 60 ? (e.payload.substr(0, 57) + "...").c_str()
                                                            : e.payload.c_str());
  }

  void PrintHeader() {
    if (!json_) {
      std::printf("%8s  %-22s %-5s %-28s %-10s  %s\n", "position", "stream", "ver", "type",
                  "occurred", "actor / payload");
    }
  }

  int Read(const Args& a) {
    std::uint64_t from = std::stoull(a.Get("from", a.Has("backward") ? "18446744073709551615" : "1"));
    auto events = log_.ReadStream(a.Get("stream"), from,
                                  a.Has("backward") ? Direction::kBackward : Direction::kForward,
                                  std::stoull(a.Get("limit", "1000")));
    if (!events.ok()) return Fail(events.status());
    PrintHeader();
    for (const auto& e : *events) PrintEvent(e);
    return 0;
  }

  int Log(const Args& a) {
    ReadAllOptions o;
    o.from_position = std::stoull(a.Get("from", "1"));
    o.max_count = std::stoull(a.Get("limit", "1000"));
    o.type_prefix = a.Get("type-prefix");
    o.stream_prefix = a.Get("stream-prefix");
    PrintHeader();
    Status s = log_.ReadAll(o, [&](const EventView& v) {
      PrintEvent(v.ToRecorded());
      return true;
    });
    return s.ok() ? 0 : Fail(s);
  }

  int Info(const Args& a) {
    auto info = log_.GetStreamInfo(a.Get("stream"));
    if (!info.ok()) return Fail(info.status());
    if (info->last_version == 0) return Fail(Status::NotFound("stream '" + info->stream + "' does not exist"));
    Json j = {{"stream", info->stream},
              {"last_version", info->last_version},
              {"last_position", info->last_position},
              {"head_hash", HexOf(info->head_hash)}};
    std::cout << (json_ ? j.dump() : j.dump(2)) << "\n";
    return 0;
  }

  int Head() {
    if (json_) {
      std::cout << Json{{"head_position", log_.HeadPosition()}}.dump() << "\n";
    } else {
      std::cout << log_.HeadPosition() << "\n";
    }
    return 0;
  }

  int Verify() {
    auto rep = log_.Verify();
    if (!rep.ok()) return Fail(rep.status());
    if (json_) {
      std::cout << cj::ToJson(*rep).dump() << "\n";
    } else if (rep->ok) {
      std::cout << "verified: " << rep->events_checked << " events in " << rep->streams_checked
                << " streams; every hash chain and index is intact (head " << rep->head_position
                << ")\n";
    } else {
      std::cout << "BROKEN: stream '" << rep->broken_stream << "' version " << rep->broken_version
                << " at position " << rep->broken_position << ": " << rep->reason << "\n";
    }
    if (!rep->ok) return 6;
    auto projections = cli::VerifyProjections(log_, json_);
    if (!projections.ok()) return Fail(projections.status());
    return *projections ? 0 : 6;
  }

  int Chronology(const Args& a) {
    replay::ChronologyProjection chron;
    replay::ProjectionRunner runner(log_);
    if (auto r = runner.CatchUp(chron); !r.ok()) return Fail(r.status());
    auto entries = chron.For(a.Child(), log_);
    if (!entries.ok()) return Fail(entries.status());
    for (const auto& e : *entries) {
      if (json_) {
        std::cout << Json{{"occurred_at", cj::FormatTime(e.occurred_at)},
                          {"recorded_at", cj::FormatTime(e.recorded_at)},
                          {"position", e.position},
                          {"text", e.text},
                          {"recorded_by", e.recorded_by}}.dump()
                  << "\n";
      } else {
        std::cout << workflows::Date::FromTimestampUs(e.occurred_at).ToString() << "  " << e.text
                  << "  [" << e.recorded_by << ", recorded "
                  << workflows::Date::FromTimestampUs(e.recorded_at).ToString() << "]\n";
      }
    }
    return 0;
  }

  int Plo(const Args& a) {
    replay::PloTrackerProjection plo;
    replay::ProjectionRunner runner(log_);
    if (auto r = runner.CatchUp(plo); !r.ok()) return Fail(r.status());
    TimestampUs now = SystemClockUs();
    if (a.Has("as-of")) {
      auto t = cj::ParseTime(a.Get("as-of"), "as_of");
      if (!t.ok()) return Fail(t.status());
      now = *t;
    }
    using P = replay::PloTrackerProjection;
    auto list = plo.List(a.Get("team"), a.Get("area"));
    if (!json_) {
      std::printf("%-8s %-10s %-15s %-5s %-6s %-11s %-11s %s\n", "child", "team", "stage", "week", "rag",
                  "started", "due", "detail");
    }
    for (const auto& c : list) {
      const std::string stage = c.in_proceedings ? (c.fdac ? "proceedings/FDAC" : "proceedings") : "pre-proceedings";
      const std::string started = c.in_proceedings ? c.issued : c.lpm_date;
      const std::string due = c.in_proceedings ? c.final_date : c.review_point;
      std::string detail;
      if (c.in_proceedings) {
        detail = std::to_string(c.hearings.size()) + " hearings";
        if (c.extension_weeks) detail += ", extended " + std::to_string(c.extension_weeks) + " weeks";
        detail += c.pre_proceedings_before_issue ? ", after pre-proceedings" : ", no pre-proceedings";
      } else {
        detail = c.initial_meeting_held.empty() ? "initial meeting due " + c.initial_meeting_due
                                                : "initial meeting " + c.initial_meeting_held;
        detail += ", " + std::to_string(c.reviews) + " reviews";
        if (c.extensions) detail += ", " + std::to_string(c.extensions) + " extensions";
      }
      if (json_) {
        std::cout << Json{{"child", c.child}, {"team", c.team}, {"area", c.area}, {"stage", stage},
                          {"week", P::WeeksElapsed(c, now)}, {"rag", P::Rag(c, now)},
                          {"started", started}, {"due", due}, {"detail", detail}}.dump()
                  << "\n";
      } else {
        std::printf("%-8s %-10s %-15s %-5d %-6s %-11s %-11s %s\n", c.child.c_str(), c.team.c_str(),
                    stage.c_str(), P::WeeksElapsed(c, now), P::Rag(c, now).c_str(), started.c_str(),
                    due.c_str(), detail.c_str());
      }
    }
    return 0;
  }

  int Kpis(const Args& a) {
    replay::KpiProjection k;
    replay::ProjectionRunner runner(log_);
    if (auto r = runner.CatchUp(k); !r.ok()) return Fail(r.status());
    replay::KpiProjection::Filter f;
    for (auto [opt, out] : {std::pair<const char*, TimestampUs*>{"from", &f.from}, {"to", &f.to}}) {
      if (!a.Has(opt)) return Fail(Status::InvalidArgument(opt, "is required (a date such as 2026-04-01)"));
      auto t = cj::ParseTime(a.Get(opt), opt);
      if (!t.ok()) return Fail(t.status());
      *out = *t;
    }
    f.team = a.Get("team");
    f.area = a.Get("area");
    for (const auto& [name, v] : k.Compute(f)) {
      const bool average = name.rfind("average_", 0) == 0;
      if (json_) {
        std::cout << Json{{"measure", name}, {"value", v.value()}, {"numerator", v.numerator},
                          {"denominator", v.denominator}}.dump() << "\n";
      } else if (v.denominator == 0) {
        std::printf("%-48s %10s\n", name.c_str(), "no data");
      } else if (average) {
        std::printf("%-48s %10.1f  (over %.0f)\n", name.c_str(), v.value(), v.denominator);
      } else {
        std::printf("%-48s %9.1f%%  (%.0f of %.0f)\n", name.c_str(), 100 * v.value(), v.numerator,
                    v.denominator);
      }
    }
    return 0;
  }

  int Caseload() {
    replay::ChildSummaryProjection summary;
    replay::ProjectionRunner runner(log_);
    if (auto r = runner.CatchUp(summary); !r.ok()) return Fail(r.status());
    for (const auto& [team, workers] : summary.Caseload()) {
      int total = 0;
      for (const auto& [w, n] : workers) total += n;
      if (json_) {
        std::cout << Json{{"team", team}, {"children", total}, {"by_worker", workers}}.dump() << "\n";
        continue;
      }
      std::cout << (team.empty() ? "(no team)" : team) << ": " << total << " children\n";
      for (const auto& [w, n] : workers) std::cout << "  " << w << "  " << n << "\n";
    }
    return 0;
  }

  int Deadlines(const Args& a) {
    replay::DeadlinesProjection d;
    replay::ProjectionRunner runner(log_);
    if (auto r = runner.CatchUp(d); !r.ok()) return Fail(r.status());
    TimestampUs now = SystemClockUs();
    if (a.Has("as-of")) {
      auto t = cj::ParseTime(a.Get("as-of"), "as_of");
      if (!t.ok()) return Fail(t.status());
      now = *t;
    }
    const int days = std::stoi(a.Get("due-within", "14"));
    auto print = [&](const char* heading, const std::vector<replay::DeadlinesProjection::Entry>& list) {
      if (json_) {
        for (const auto& e : list) {
          std::cout << Json{{"list", heading}, {"child", e.child}, {"rule", e.rule}, {"started", e.started},
                            {"due", e.due}, {"status", replay::DeadlinesProjection::StatusAt(e, now)}}.dump()
                    << "\n";
        }
        return;
      }
      std::cout << heading << " (" << list.size() << ")\n";
      for (const auto& e : list) {
        std::cout << "  child " << e.child << "  " << e.rule << "  due " << e.due << "  (started "
                  << e.started << ")\n";
      }
    };
    print("overdue", d.Overdue(now));
    print("due soon", d.DueSoon(now, days));
    return 0;
  }

  // "cp: core_group_held visit_held | fd: contact_received ..." (grouped by prefix).
  static std::string Grouped(const std::vector<std::string>& actions) {
    std::map<std::string, std::string> by_prefix;
    std::vector<std::string> order;
    for (const auto& x : actions) {
      auto dot = x.find('.');
      std::string prefix = x.substr(0, dot);
      if (!by_prefix.count(prefix)) order.push_back(prefix);
      by_prefix[prefix] += " " + x.substr(dot + 1);
    }
    std::string out;
    for (const auto& p : order) out += (out.empty() ? "" : "\n    ") + p + ":" + by_prefix[p];
    return out;
  }

  int Do(const Args& a) {
    workflows::Command c;
    c.child_id = a.Get("child");
    c.action = a.Get("action");
    c.actor = Actor{a.Get("user", "cli"), a.Get("role"), a.Get("team")};
    c.command_id = a.Get("command-id");
    c.occurred_at = SystemClockUs();
    if (a.Has("occurred-at")) {
      auto t = cj::ParseTime(a.Get("occurred-at"), "occurred_at");
      if (!t.ok()) return Fail(t.status());
      c.occurred_at = *t;
    }
    if (a.Has("expected")) c.expected_version = std::stoull(a.Get("expected"));
    for (const auto& kv : a.positional) {
      auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        return Fail(Status::InvalidArgument(kv, "parameters are key=value"));
      }
      c.params[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    return Execute(c);
  }

  int Execute(const workflows::Command& c) {
    workflows::CaseService svc(log_, rules_);
    auto r = svc.Execute(c);
    if (!r.ok()) return Fail(r.status());
    const auto& v = r->verdict;
    if (json_) {
      Json j = {{"accepted", r->accepted},
                {"journey", v.journey},
                {"from_state", v.verdict.from_state},
                {"to_state", v.verdict.to_state},
                {"states", r->states},
                {"allowed_actions", r->allowed_actions},
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
      std::cout << "allowed now:\n    " << Grouped(r->allowed_actions) << "\n";
      return 7;
    }
    if (r->append.duplicate) {
      std::cout << "already recorded (command " << c.command_id << ") at position "
                << r->append.first_position << "\n";
      return 0;
    }
    std::cout << "recorded " << c.action << " for child " << c.child_id << " at positions "
              << r->append.first_position << ".." << r->append.last_position << ": ";
    if (v.journey == "case" && v.verdict.from_state == "case") {
      std::cout << (v.verdict.reason.empty() ? "case" : v.verdict.reason) << "\n";
    } else {
      std::cout << v.journey << " " << v.verdict.from_state << " -> " << v.verdict.to_state << "\n";
    }
    for (const auto& d : v.verdict.deadlines) {
      static const char* kKinds[] = {"scheduled", "met", "MET LATE", "cancelled"};
      std::cout << "  deadline " << d.deadline.rule_id << " " << kKinds[static_cast<int>(d.kind)]
                << " (due " << d.deadline.due_date.ToString() << ")\n";
    }
    for (const auto& f : v.verdict.flags_raised) std::cout << "  flag: " << f << "\n";
    for (const auto& k : v.consequences) {
      if (k.verdict.accepted) {
        std::cout << "  " << k.rule << ": " << k.action << " (" << k.journey << " "
                  << k.verdict.from_state << " -> " << k.verdict.to_state << ")\n";
      }
    }
    return 0;
  }

  int CaseView(const Args& a) {
    workflows::CaseService svc(log_, rules_);
    std::uint64_t version = 0;
    auto c = svc.Load(a.Get("child"), &version);
    if (!c.ok()) return Fail(c.status());
    if (version == 0) return Fail(Status::NotFound("child '" + a.Get("child") + "' has no record"));
    const TimestampUs now = SystemClockUs();
    if (json_) {
      Json deadlines = Json::array();
      for (const auto& d : c->OpenDeadlines()) {
        deadlines.push_back({{"rule", d.rule_id}, {"due", d.due_date.ToString()}, {"overdue", now >= d.due_by_us}});
      }
      std::cout << Json{{"child", a.Get("child")}, {"version", version}, {"states", c->States()},
                        {"active", c->ActiveJourneys()}, {"open_deadlines", deadlines},
                        {"allowed_actions", c->AllowedActions()}}.dump()
                << "\n";
      return 0;
    }
    std::cout << "child " << a.Get("child") << " (version " << version << ")\n";
    for (const auto& j : c->ActiveJourneys()) std::cout << "  " << j << ": " << c->States().at(j) << "\n";
    if (c->ActiveJourneys().empty()) std::cout << "  no active journey\n";
    for (const auto& d : c->OpenDeadlines()) {
      std::cout << "  deadline " << d.rule_id << " due " << d.due_date.ToString()
                << (now >= d.due_by_us ? "  OVERDUE" : "") << "\n";
    }
    std::cout << "  allowed now:\n    " << Grouped(c->AllowedActions()) << "\n";
    return 0;
  }

  // A small, plausible history recorded through the workflows, so that a new user has
  // something to look at: four children on different journeys.
  // Loaded once: if child 1001 has a record the demo children are there already. (They may be
  // added on top of a simulated caseload: their ids do not collide with the simulator's "c<n>".)
  int Demo() {
    auto info = log_.GetStreamInfo("child-1001");
    if (info.ok() && info->last_version > 0) {
      std::cout << "the demo children are already in the log (" << log_.HeadPosition() << " events); not loaded again\n";
      return 0;
    }
    workflows::CaseService svc(log_, rules_);
    std::size_t actions = 0;
    if (Status st = LoadDemoCaseload(svc, &actions); !st.ok()) return Fail(st);
    std::cout << "loaded the demo caseload: " << actions << " actions on 4 children (the log now holds "
              << log_.HeadPosition() << " events)\n";
    return 0;
  }

  int Dispatch(const Args& a) {
    const std::string& c = a.command;
    if (c == "append") return Append(a);
    if (c == "record") {
      if (a.positional.empty()) return Usage("record needs a FILE (or - for standard input)");
      return RecordFile(a.positional[0]);
    }
    if (c == "read") return Read(a);
    if (c == "log") return Log(a);
    if (c == "info") return Info(a);
    if (c == "head") return Head();
    if (c == "verify") return Verify();
    if (c == "replay") return cli::Replay(log_, a, json_);
    if (c == "show") return cli::Show(log_, rules_, a, json_);
    if (c == "explain") return cli::Explain(log_, rules_, a, json_);
    if (c == "export") return cli::Export(log_, rules_, a, json_);
    if (c == "verify-bundle") return cli::VerifyBundle(a, json_);
    if (c == "demo") return Demo();
    if (c == "do") return Do(a);
    if (c == "case") return CaseView(a);
    if (c == "chronology") return Chronology(a);
    if (c == "deadlines") return Deadlines(a);
    if (c == "plo") return Plo(a);
    if (c == "caseload") return Caseload();
    if (c == "kpis") return Kpis(a);
    return Usage("unknown command '" + c + "'");
  }

  static int Usage(const std::string& why) {
    std::cerr << "error: " << why << "\n\n" << kUsage;
    return 2;
  }

  int Shell(const std::string& data_dir) {
    if (log_.HeadPosition() == 0) Demo();
    std::cout << "\ncasetrail is running on the event log in " << data_dir << " (head position "
              << log_.HeadPosition() << ")\n";
    Verify();
    std::cout << "\nType a command as on the command line without 'casetrail', e.g.\n"
                 "  case --child 1002\n"
                 "  do --child 1002 --action cp.visit_held --role social_worker\n"
                 "  log --stream-prefix child-1002\n"
                 "  verify\n"
                 "'help' lists every command; 'quit' (or Ctrl-D) stops.\n";
    std::string line;
    for (;;) {
      std::cout << "casetrail> " << std::flush;
      if (!std::getline(std::cin, line)) break;
      std::vector<std::string> words;
      if (!SplitWords(line, &words)) {
        std::cerr << "error: unbalanced quotes\n";
        continue;
      }
      if (words.empty()) continue;
      if (words[0] == "quit" || words[0] == "exit") break;
      if (words[0] == "help") {
        std::cout << kUsage;
        continue;
      }
      Args a;
      std::string err;
      if (!ParseArgs(words, &a, &err)) {
        std::cerr << "error: " << err << "\n";
        continue;
      }
      try {
        Dispatch(a);
      } catch (const std::exception& e) {  // e.g. --limit abc
        std::cerr << "error: " << e.what() << "\n";
      }
    }
    std::cout << "\nbye\n";
    return 0;
  }

  // Shell-like splitting with single and double quotes.
  static bool SplitWords(const std::string& line, std::vector<std::string>* out) {
    std::string cur;
    bool in_word = false;
    char quote = 0;
    for (char ch : line) {
      if (quote) {
        if (ch == quote) quote = 0;
        else cur.push_back(ch);
      } else if (ch == '\'' || ch == '"') {
        quote = ch;
        in_word = true;
      } else if (ch == ' ' || ch == '\t') {
        if (in_word) out->push_back(cur);
        cur.clear();
        in_word = false;
      } else {
        cur.push_back(ch);
        in_word = true;
      }
    }
    if (quote) return false;
    if (in_word) out->push_back(cur);
    return true;
  }

 private:
  EventLog& log_;
  bool json_;
  const workflows::RuleBook& rules_;
};

}  // namespace

// The demo users of `serve --demo`, one per kind of user of the API.
const std::vector<http::Principal> kDemoUsers = {
    {"sw.jones", "social_worker", "north-1"}, {"tm.khan", "team_manager", "north-1"},
    {"cass.adams", "cass_worker", "north-1"},  {"chair.lee", "cp_chair", "safeguarding"}, {"legal.ng", "legal", "legal"},
    {"cpo.brown", "case_progression_officer", "legal"}, {"audit.reid", "auditor", "audit"},
    {"relay.svc", "subscriber", "integration"}, {"ops.admin", "admin", "operations"},
};

// serve --config FILE: "key = value" lines (adapters/key_value_file.hpp). Keys: serve's options
// (listen, tokens, kafka-brokers, kafka-topic, kafka-name, kafka-config) and the tuning below.
// An option given on the command line wins over the file.
const std::set<std::string> kServeConfigKeys = {
    "listen", "tokens", "kafka-brokers", "kafka-topic", "kafka-name", "kafka-config",
    "io-threads", "worker-threads", "max-body-bytes", "read-timeout-seconds",
    "subscriber-buffer-bytes", "max-subscribers", "heartbeat-seconds", "cache-children"};

Result<Args> WithServeConfig(const Args& a) {
  Args out = a;
  if (!a.Has("config")) return out;
  auto lines = ReadKeyValueFile(a.Get("config"), "config");
  if (!lines.ok()) return lines.status();
  for (const auto& l : *lines) {
    if (!kServeConfigKeys.count(l.key)) {
      return Status::InvalidArgument(a.Get("config") + ":" + std::to_string(l.line), "'" + l.key + "' is not a serve setting");
    }
    if (!out.Has(l.key)) out.opts[l.key] = l.value;
  }
  return out;
}

// A whole-number setting in [lo, hi].
Result<std::uint64_t> Setting(const Args& a, const std::string& key, std::uint64_t def, std::uint64_t lo, std::uint64_t hi) {
  if (!a.Has(key)) return def;
  const std::string v = a.Get(key);
  if (v.empty() || v.size() > 12 || v.find_first_not_of("0123456789") != std::string::npos || std::stoull(v) < lo ||
      std::stoull(v) > hi) {
    return Status::InvalidArgument(key, "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  return std::stoull(v);
}

int Serve(EventLog& log, const workflows::RuleBook& rules, const Args& given, const std::string& data, Cli& cli) {
  auto configured = WithServeConfig(given);
  if (!configured.ok()) return cli::Fail(configured.status(), false);
  const Args& a = *configured;
  const std::string listen = a.Get("listen", "127.0.0.1:8080");
  const auto colon = listen.rfind(':');
  http::ServerOptions so;
  so.address = listen.substr(0, colon);
  const std::string port = colon == std::string::npos ? "" : listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) > 65535) {
    std::cerr << "error: --listen must be ADDRESS:PORT (got '" << listen << "')\n";
    return 3;
  }
  so.port = static_cast<std::uint16_t>(std::stoi(port));
  http::ApiOptions ao;
  struct Tuning {
    const char* key;
    std::uint64_t def, lo, hi;
  };
  for (const Tuning& t : {Tuning{"io-threads", 2, 1, 64}, Tuning{"worker-threads", 64, 1, 1024},
                          Tuning{"max-body-bytes", 1 << 20, 1024, 64 << 20}, Tuning{"read-timeout-seconds", 30, 1, 3600},
                          Tuning{"subscriber-buffer-bytes", 4 << 20, 64 << 10, 1 << 30},
                          Tuning{"max-subscribers", 1024, 1, 100000}, Tuning{"heartbeat-seconds", 15, 1, 300},
                          Tuning{"cache-children", workflows::CaseService::kDefaultCacheChildren, 1, 100000000}}) {
    auto v = Setting(a, t.key, t.def, t.lo, t.hi);
    if (!v.ok()) return cli::Fail(v.status(), false);
    const std::string k = t.key;
    if (k == "io-threads") so.io_threads = static_cast<int>(*v);
    if (k == "worker-threads") so.worker_threads = static_cast<int>(*v);
    if (k == "max-body-bytes") so.max_body_bytes = ao.max_body_bytes = *v;
    if (k == "read-timeout-seconds") so.read_timeout = std::chrono::seconds(*v);
    if (k == "subscriber-buffer-bytes") ao.subscriptions.max_buffer_bytes = *v;
    if (k == "max-subscribers") ao.subscriptions.max_subscribers = *v;
    if (k == "heartbeat-seconds") ao.subscriptions.default_heartbeat = std::chrono::seconds(*v);
    if (k == "cache-children") ao.cache_children = *v;
  }
  const std::string tokens_file = a.Get("tokens", (std::filesystem::path(data) / "tokens").string());
  if (a.Has("demo")) {
    if (cli.Demo() != 0) return 1;
    if (!std::filesystem::exists(tokens_file)) {
      std::ofstream out(tokens_file);
      out << "# casetrail demo tokens (serve --demo): hash user role team\n";
      std::cout << "demo tokens (written as salted hashes to " << tokens_file << "; shown only now):\n";
      for (const auto& p : kDemoUsers) {
        auto [token, line] = http::Tokens::Make(p);
        out << line << "\n";
        std::cout << "  " << p.role << " " << p.user << " (" << p.team << "): " << token << "\n";
      }
      if (!out) {
        std::cerr << "error: cannot write " << tokens_file << "\n";
        return 1;
      }
    }
  }
  http::Tokens tokens(tokens_file);
  if (std::filesystem::exists(tokens_file)) {
    if (Status s = tokens.Reload(); !s.ok()) {
      std::cerr << "error: " << s.ToString() << "\n";
      return 3;
    }
  } else {
    std::cerr << "warning: no tokens file " << tokens_file
              << ": every request except /health and /metrics will be refused (see 'casetrail token')\n";
  }
  // Block SIGINT/SIGTERM in every thread; the main thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto relay = cli::StartServeRelay(log, a);  // after the mask: its threads inherit it
  if (!relay.ok()) return cli::Fail(relay.status(), false);
  http::Api api(log, rules, tokens, ao);
  if (*relay) {
    kafka::Relay* r = relay->get();
    api.SetExtraMetrics([r] { return kafka::RelayMetricsText(r->Stats()); });
  }
  http::Server server(api, so);
  if (Status s = server.Start(); !s.ok()) {
    std::cerr << "error: " << s.ToString() << "\n";
    return 1;
  }
  std::cout << "casetrail serving http://" << so.address << ":" << server.port() << " on the event log in " << data
            << " (head position " << log.HeadPosition() << "); try: curl http://" << so.address << ":" << server.port()
            << "/health" << std::endl;
  int sig = 0;
  sigwait(&signals, &sig);
  std::cout << "stopping (signal " << sig << "): draining requests in flight" << std::endl;
  server.Stop();
  if (*relay) (*relay)->Stop();
  log.Close();
  std::cout << "stopped" << std::endl;
  return 0;
}

int main(int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  Args a;
  std::string err;
  if (!ParseArgs(words, &a, &err)) return Cli::Usage(err);
  if (a.command.empty() || a.command == "help" || a.Has("help")) {
    std::cout << kUsage;
    return a.command.empty() && !a.Has("help") ? 2 : 0;
  }
  if (a.command == "token") {
    if (!a.Has("user") || !a.Has("role") || !a.Has("team")) return Cli::Usage("token needs --user, --role and --team");
    auto [token, line] = http::Tokens::Make({a.Get("user"), a.Get("role"), a.Get("team")});
    std::cout << "token (shown once; give it to " << a.Get("user") << "): " << token
              << "\nline for the tokens file:\n" << line << "\n";
    return 0;
  }
  if (a.command == "simulate") {  // opens its own log: the simulated clock, bulk mode
    try {
      return cli::Simulate(a);
    } catch (const std::exception& e) {
      return Cli::Usage(std::string("simulate: ") + e.what());
    }
  }
  static const std::set<std::string> kCommands = {"serve", "shell", "demo", "append", "record", "read",
                                                  "log",   "info", "head",   "verify", "do",
                                                  "case",  "chronology", "deadlines", "plo", "caseload", "kpis",
                                                  "replay", "show", "explain", "export", "verify-bundle",
                                                  "relay"};
  if (!kCommands.count(a.command)) return Cli::Usage("unknown command '" + a.command + "'");
  const std::string data = a.Get("data", kDefaultData);
  EventLogOptions options;
  options.durable = !a.Has("bulk");
  auto opened = OpenRocksEventLog(data, options);
  if (!opened.ok()) {
    std::cerr << "error: cannot open the event log in '" << data
              << "': " << opened.status().ToString() << "\n";
    return 1;
  }
  auto log = std::move(opened).value();
  workflows::RuleBook rules = workflows::RuleBook::Default();
  if (a.Has("local-standards")) {
    std::ifstream in(a.Get("local-standards"));
    if (!in) {
      std::cerr << "error: cannot read local standards file '" << a.Get("local-standards") << "'\n";
      return 3;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto local = rules.WithLocalStandards(text.str());
    if (!local.ok()) {
      std::cerr << "error: " << local.status().ToString() << "\n";
      return 3;
    }
    rules = std::move(local).value();
  }
  Cli cli(*log, a.Has("json"), rules);
  try {
    if (a.command == "shell") return cli.Shell(data);
    if (a.command == "serve") return Serve(*log, rules, a, data, cli);
    if (a.command == "relay") return cli::RelayCommand(*log, a, a.Has("json"));
    return cli.Dispatch(a);
  } catch (const std::exception& e) {  // malformed numbers in options
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
}
