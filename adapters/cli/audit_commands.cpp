// The audit and replay commands of the casetrail command line: replay, show, explain, export,
// verify-bundle, and the projection half of verify.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "adapters/cli/commands.hpp"
#include "adapters/json/event_json.hpp"
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

std::string Thousands(std::uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

Status NeedChild(const Args& a) {
  if (a.Child().empty()) return Status::InvalidArgument("child", "name the child: CHILD or --child ID");
  return Status::Ok();
}

}  // namespace

int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case Status::Code::kOk: return 0;
    case Status::Code::kInvalidArgument: return 3;
    case Status::Code::kConflict: return 4;
    case Status::Code::kNotFound: return 5;
    case Status::Code::kRejected: return 7;
    default: return 1;
  }
}

int Fail(const Status& s, bool json) {
  if (json) {
    std::cout << Json{{"error", cj::ToJson(s)}}.dump() << "\n";
  } else {
    std::cerr << "error: " << s.ToString() << "\n";
  }
  return ExitCodeFor(s);
}

int Replay(EventLog& log, const Args& a, bool json) {
  std::vector<std::unique_ptr<replay::Projection>> owned;
  std::string names = a.Get("projection");
  if (names.empty()) {
    owned = replay::MakeProjections();
  } else {
    std::stringstream in(names);
    std::string n;
    while (std::getline(in, n, ',')) {
      auto p = replay::MakeProjection(n);
      if (!p) {
        std::string known;
        for (const auto& k : replay::ProjectionNames()) known += (known.empty() ? "" : ", ") + k;
        return Fail(Status::InvalidArgument("projection", "unknown projection '" + n + "' (" + known + ")"), json);
      }
      owned.push_back(std::move(p));
    }
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

int Show(EventLog& log, const workflows::RuleBook& rules, const Args& a, bool json) {
  if (Status s = NeedChild(a); !s.ok()) return Fail(s, json);
  TimestampUs x = INT64_MAX, y = INT64_MAX;
  if (a.Has("as-of")) {
    auto t = cj::ParseAsOf(a.Get("as-of"), "as_of");
    if (!t.ok()) return Fail(t.status(), json);
    x = *t;
  }
  if (a.Has("known-at")) {
    auto t = cj::ParseAsOf(a.Get("known-at"), "known_at");
    if (!t.ok()) return Fail(t.status(), json);
    y = *t;
  }
  replay::Audit audit(log, rules);
  auto v = audit.AsOf(a.Child(), x, y, true);
  if (!v.ok()) return Fail(v.status(), json);
  const TimestampUs now = x == INT64_MAX ? SystemClockUs() : x;
  if (json) {
    Json deadlines = Json::array();
    for (const auto& d : v->open_deadlines) {
      deadlines.push_back({{"rule", d.rule_id}, {"due", d.due_date.ToString()}, {"breached", now >= d.due_by_us}});
    }
    Json chronology = Json::array();
    for (const auto& e : v->chronology) {
      Json j = {{"occurred_at", cj::FormatTime(e.occurred_at)}, {"recorded_at", cj::FormatTime(e.recorded_at)},
                {"version", e.version}, {"text", e.text}, {"recorded_by", e.recorded_by}};
      if (!e.original.empty()) j["original"] = {{"text", e.original}, {"occurred_at", cj::FormatTime(e.original_at)}};
      chronology.push_back(std::move(j));
    }
    Json skipped = Json::array();
    for (const auto& s : v->skipped) skipped.push_back({{"version", s.version}, {"action", s.action}, {"reason", s.reason}});
    std::cout << Json{{"child", v->child_id},
                      {"as_of", x == INT64_MAX ? Json(nullptr) : Json(cj::FormatTime(x))},
                      {"known_at", y == INT64_MAX ? Json(nullptr) : Json(cj::FormatTime(y))},
                      {"version", v->version},
                      {"states", v->states},
                      {"open_deadlines", deadlines},
                      {"flags", v->flags},
                      {"skipped", skipped},
                      {"chronology", chronology}}
                     .dump()
              << "\n";
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

int Explain(EventLog& log, const workflows::RuleBook& rules, const Args& a, bool json) {
  if (Status s = NeedChild(a); !s.ok()) return Fail(s, json);
  replay::Audit audit(log, rules);
  auto trace = audit.Explain(a.Child());
  if (!trace.ok()) return Fail(trace.status(), json);
  for (const auto& t : *trace) {
    if (json) {
      std::cout << Json{{"version", t.version},         {"position", t.position},
                        {"occurred_at", cj::FormatTime(t.occurred_at)},
                        {"recorded_at", cj::FormatTime(t.recorded_at)},
                        {"action", t.action},           {"actor", t.actor},
                        {"journey", t.journey},         {"from_state", t.from_state},
                        {"to_state", t.to_state},       {"guard", t.guard},
                        {"deadlines", t.deadlines},     {"consequences", t.consequences},
                        {"flags", t.flags},             {"correction", t.correction}}
                       .dump()
                << "\n";
      continue;
    }
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

int Export(EventLog& log, const workflows::RuleBook& rules, const Args& a, bool json) {
  if (Status s = NeedChild(a); !s.ok()) return Fail(s, json);
  replay::Audit audit(log, rules);
  auto bundle = audit.Export(a.Child());
  if (!bundle.ok()) return Fail(bundle.status(), json);
  if (!a.Has("out")) {
    std::cout << *bundle << "\n";
    return 0;
  }
  std::ofstream out(a.Get("out"));
  if (!(out << *bundle << "\n")) {
    return Fail(Status::IOError("cannot write '" + a.Get("out") + "'"), json);
  }
  out.close();
  auto report = replay::Audit::VerifyBundle(*bundle);
  if (json) {
    std::cout << Json{{"file", a.Get("out")}, {"events", report.events}, {"head_hash", report.head_hash}}.dump() << "\n";
  } else {
    std::cout << "exported child " << a.Child() << ": " << report.events << " events, head hash " << report.head_hash
              << ", to " << a.Get("out") << "\n";
  }
  return 0;
}

int VerifyBundle(const Args& a, bool json) {
  if (a.positional.empty()) return Fail(Status::InvalidArgument("file", "name the bundle FILE"), json);
  std::ifstream in(a.positional[0]);
  if (!in) return Fail(Status::InvalidArgument("file", "cannot read '" + a.positional[0] + "'"), json);
  std::stringstream text;
  text << in.rdbuf();
  auto r = replay::Audit::VerifyBundle(text.str());
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

Result<bool> VerifyProjections(EventLog& log, bool json) {
  bool ok = true;
  replay::ProjectionRunner runner(log);
  for (const auto& fresh : replay::MakeProjections()) {
    auto check = runner.Verify(*fresh);
    if (!check.ok()) return check.status();
    if (!check->sealed) continue;
    ok &= check->ok;
    if (json) {
      std::cout << Json{{"projection", check->name}, {"position", check->position}, {"ok", check->ok},
                        {"reason", check->reason}}
                       .dump()
                << "\n";
    } else if (check->ok) {
      std::cout << "projection " << check->name << " sealed at position " << Thousands(check->position)
                << ": consistent with the log\n";
    } else {
      std::cout << "INCONSISTENT: projection " << check->name << ": " << check->reason << "\n";
    }
  }
  return ok;
}

}  // namespace casetrail::cli
