// The audit commands: show (the child as of a date), explain, export, verify-bundle, and replay
// (rebuild and seal the projections).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <tuple>

#include "adapters/cli/commands.hpp"
#include "adapters/json/event_json.hpp"
#include "adapters/views/views.hpp"
#include "engine/hash.hpp"
#include "replay/audit.hpp"
#include "replay/projections.hpp"
#include "workflows/calendar.hpp"
#include "workflows/registry.hpp"

namespace casetrail::cli {
namespace {

using Json = nlohmann::json;
namespace cj = casetrail::json;

std::string Day(TimestampUs us) { return workflows::Date::FromTimestampUs(us).ToString(); }

struct ShowOptions {
  std::string child, as_of, known_at;
};

int Replay(Session& session, const std::vector<std::string>& names) {
  EventLog& log = session.log;
  const bool json = session.json();
  std::vector<std::unique_ptr<replay::Projection>> owned;
  if (names.empty()) {
    owned = replay::MakeProjections();
  } else {
    for (const auto& n : names) owned.push_back(replay::MakeProjection(n));  // names checked by the option
  }
  std::vector<replay::Projection*> ps;
  for (auto& p : owned) ps.push_back(p.get());
  const std::uint64_t head = log.HeadPosition();
  const bool tty = isatty(STDERR_FILENO) == 1;
  const auto start = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  auto progress = [&](std::uint64_t at) {
    if (!tty || json) return;
    const double frac = head ? static_cast<double>(at) / static_cast<double>(head) : 1.0;
    const int filled = static_cast<int>(frac * 30);
    const double s = seconds();
    std::fprintf(stderr, "\r[%-30s] %3d%%  %s / %s events  %.2f M events/s", std::string(filled, '#').c_str(),
                 static_cast<int>(frac * 100), Thousands(at).c_str(), Thousands(head).c_str(),
                 s > 0 ? static_cast<double>(at) / s / 1e6 : 0.0);
    std::fflush(stderr);
  };
  replay::ProjectionRunner runner(log);
  auto r = runner.RebuildAll(ps, progress);
  if (tty && !json) std::fprintf(stderr, "\n");
  if (!r.ok()) return Fail(r.status(), json);
  const double s = seconds();
  Json out = {{"events", *r}, {"seconds", s}, {"events_per_second", s > 0 ? static_cast<double>(*r) / s : 0.0}};
  Json list = Json::array();
  for (auto* p : ps) {
    if (Status st = runner.Seal(*p); !st.ok()) return Fail(st, json);
    list.push_back({{"name", p->name()}, {"version", p->version()}, {"position", p->position()},
                    {"digest", Sha256Hex(p->Serialize())}});
  }
  out["projections"] = list;
  if (json) {
    std::cout << out.dump() << "\n";
    return 0;
  }
  std::printf("rebuilt %zu projection%s from %s events in %.2f s (%.0f events/s); checkpoints sealed:\n", ps.size(),
              ps.size() == 1 ? "" : "s", Thousands(*r).c_str(), s, s > 0 ? static_cast<double>(*r) / s : 0.0);
  for (const auto& p : list) {
    std::printf("  %-14s v%-2d position %-10s state %s\n", p["name"].get<std::string>().c_str(), p["version"].get<int>(),
                Thousands(p["position"].get<std::uint64_t>()).c_str(), p["digest"].get<std::string>().substr(0, 16).c_str());
  }
  return 0;
}

int Show(Session& s, const ShowOptions& o) {
  if (Status st = NeedChild(o.child); !st.ok()) return s.Fail(st);
  TimestampUs x = INT64_MAX, y = INT64_MAX;
  for (auto [text, field, out] : {std::tuple<const std::string*, const char*, TimestampUs*>{&o.as_of, "as_of", &x},
                                  {&o.known_at, "known_at", &y}}) {
    if (text->empty()) continue;
    auto t = cj::ParseAsOf(*text, field);
    if (!t.ok()) return s.Fail(t.status());
    *out = *t;
  }
  replay::Audit audit(s.log, s.rules);
  auto v = audit.AsOf(o.child, x, y, true);
  if (!v.ok()) return s.Fail(v.status());
  const TimestampUs now = x == INT64_MAX ? SystemClockUs() : x;
  if (s.json()) {
    std::cout << views::AsOf(o.child, *v, x, y, now).dump() << "\n";
    return 0;
  }
  std::cout << "child " << v->child_id;
  std::cout << (x == INT64_MAX ? std::string(", everything recorded") : ", as things stood on " + Day(x));
  std::cout << (y == INT64_MAX ? std::string("") : ", as the record stood on " + Day(y)) << "\n";
  if (v->version == 0) {
    std::cout << "  nothing was recorded by then\n";
    return 0;
  }
  std::cout << "  record version " << v->version << "\n";
  bool any = false;
  for (const auto& [j, s] : v->states) {
    if (replay::IsInitialState(j, s)) continue;
    any = true;
    std::cout << "  " << j << ": " << s << "\n";
  }
  if (!any) std::cout << "  no active journey\n";
  for (const auto& d : v->open_deadlines) {
    std::cout << "  deadline " << d.rule_id << " due " << d.due_date.ToString() << (now >= d.due_by_us ? "  BREACHED" : "")
              << "\n";
  }
  for (const auto& f : v->flags) std::cout << "  flag: " << f << "\n";
  for (const auto& s : v->skipped) {
    std::cout << "  not applicable then: v" << s.version << " " << s.action << " (" << s.reason << ")\n";
  }
  std::cout << "  chronology:\n";
  for (const auto& e : v->chronology) {
    std::cout << "    " << Day(e.occurred_at) << "  " << e.text << "  [" << e.recorded_by << ", recorded "
              << Day(e.recorded_at) << "]\n";
  }
  return 0;
}

int Explain(Session& s, const std::string& child) {
  if (Status st = NeedChild(child); !st.ok()) return s.Fail(st);
  replay::Audit audit(s.log, s.rules);
  auto trace = audit.Explain(child);
  if (!trace.ok()) return s.Fail(trace.status());
  if (s.json()) {
    std::cout << views::Explain(child, *trace).dump() << "\n";
    return 0;
  }
  for (const auto& t : *trace) {
    std::cout << "v" << t.version << "  " << Day(t.occurred_at) << "  " << t.action << "  by " << t.actor << "\n";
    if (!t.from_state.empty()) {
      std::cout << "      " << t.journey << ": " << t.from_state << " -> " << t.to_state;
      if (!t.guard.empty()) std::cout << "  [guard " << t.guard << "]";
      std::cout << "\n";
    }
    for (const auto& d : t.deadlines) std::cout << "      deadline " << d << "\n";
    for (const auto& k : t.consequences) std::cout << "      then " << k << "\n";
    for (const auto& f : t.flags) std::cout << "      flag: " << f << "\n";
    if (!t.correction.empty()) std::cout << "      " << t.correction << "\n";
  }
  return 0;
}

int Export(Session& s, const std::string& child, const std::string& file) {
  const bool json = s.json();
  if (Status st = NeedChild(child); !st.ok()) return s.Fail(st);
  replay::Audit audit(s.log, s.rules);
  auto bundle = audit.Export(child);
  if (!bundle.ok()) return Fail(bundle.status(), json);
  if (file.empty()) {
    std::cout << *bundle << "\n";
    return 0;
  }
  std::ofstream out(file);
  if (!(out << *bundle << "\n")) {
    return Fail(Status::IOError("cannot write '" + file + "'"), json);
  }
  out.close();
  auto report = replay::Audit::VerifyBundle(*bundle);
  if (json) {
    std::cout << Json{{"file", file}, {"events", report.events}, {"head_hash", report.head_hash}}.dump() << "\n";
  } else {
    std::cout << "exported child " << child << ": " << report.events << " events, head hash " << report.head_hash
              << ", to " << file << "\n";
  }
  return 0;
}

int VerifyBundle(const std::string& file, bool json) {
  auto text = ReadInput(file);
  if (!text.ok()) return Fail(text.status(), json);
  auto r = replay::Audit::VerifyBundle(*text);
  if (json) {
    std::cout << Json{{"ok", r.ok}, {"child", r.child_id}, {"events", r.events}, {"head_hash", r.head_hash},
                      {"reason", r.reason}}
                     .dump()
              << "\n";
  } else if (r.ok) {
    std::cout << "verified: the bundle of child " << r.child_id << " holds " << r.events
              << " events, every hash recomputed and chained; head hash " << r.head_hash << "\n";
  } else {
    std::cout << "BROKEN: " << r.reason << "\n";
  }
  return r.ok ? 0 : 6;
}

}  // namespace

void AddAuditCommands(CLI::App& app, Registry& r) {
  auto show = std::make_shared<ShowOptions>();
  CLI::App* c = app.add_subcommand("show", "the child as things stood on a date, as the record stood on another");
  AddChildOption(c, &show->child);
  c->add_option("--as-of", show->as_of, "what had happened by DATE")->type_name("DATE");
  c->add_option("--known-at", show->known_at, "what had been recorded by DATE")->type_name("DATE");
  r.On(c, [show](Session& s) { return Show(s, *show); });

  auto child = std::make_shared<std::string>();
  c = app.add_subcommand("explain", "the transition trace: each action, guard, from -> to, deadlines");
  AddChildOption(c, child.get());
  r.On(c, [child](Session& s) { return Explain(s, *child); });

  auto file = std::make_shared<std::string>();
  c = app.add_subcommand("export", "the child's history as a self-verifying bundle (JSON)");
  AddChildOption(c, child.get());
  c->add_option("--out", *file, "write the bundle to FILE (default: standard output)")->type_name("FILE");
  r.On(c, [child, file](Session& s) { return Export(s, *child, *file); });

  c = app.add_subcommand("verify-bundle", "recompute every hash of an exported bundle (no log needed)");
  c->add_option("FILE", *file, "the bundle")->required()->check(CLI::Validator(CLI::ExistingFile).description(""));
  r.OnWithoutLog(c, [file](const GlobalOptions& g) { return VerifyBundle(*file, g.json); });

  auto names = std::make_shared<std::vector<std::string>>();
  c = app.add_subcommand("replay", "rebuild the projections from position 1 (progress bar, events/s) and seal "
                                   "their checkpoints");
  c->add_option("--projection", *names, "only these (comma-separated; default all)")
      ->type_name("NAMES")
      ->delimiter(',')
      ->check(CLI::IsMember(replay::ProjectionNames()));
  r.On(c, [names](Session& s) { return Replay(s, *names); });
}

}  // namespace casetrail::cli
