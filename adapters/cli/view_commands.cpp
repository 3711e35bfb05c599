// The views of a child and of the caseload: case, chronology, plo, deadlines, caseload, kpis.
// With --json each prints the view layer's document (the HTTP API's answer, adapters/views/);
// the tables are drawn from the same document, so the two never disagree.
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

#include "adapters/cli/commands.hpp"
#include "adapters/json/event_json.hpp"
#include "adapters/views/views.hpp"
#include "replay/projections.hpp"
#include "workflows/calendar.hpp"
#include "workflows/case_service.hpp"

namespace casetrail::cli {
namespace {

using Json = nlohmann::json;
namespace cj = casetrail::json;

std::string Day(TimestampUs us) { return workflows::Date::FromTimestampUs(us).ToString(); }
std::string Str(const Json& j) { return j.get<std::string>(); }

// Brings projection p up to the head of the log.
Status CatchUp(Session& s, replay::Projection& p) {
  replay::ProjectionRunner runner(s.log);
  auto r = runner.CatchUp(p);
  return r.ok() ? Status::Ok() : r.status();
}

int Print(const Json& view) {
  std::cout << view.dump() << "\n";
  return 0;
}

int CaseView(Session& s, const std::string& child, const std::string& role) {
  if (Status st = NeedChild(child); !st.ok()) return s.Fail(st);
  workflows::CaseService svc(s.log, s.rules);
  std::uint64_t version = 0;
  auto c = svc.Load(child, &version);
  if (!c.ok()) return s.Fail(c.status());
  if (version == 0) return s.Fail(Status::NotFound("child '" + child + "' has no record"));
  const TimestampUs now = SystemClockUs();
  if (s.json()) {
    replay::ChildSummaryProjection summary;
    if (Status st = CatchUp(s, summary); !st.ok()) return s.Fail(st);
    return Print(views::ChildSummary(child, version, *c, summary.Find(child), now, role));
  }
  std::cout << "child " << child << " (version " << version << ")\n";
  for (const auto& j : c->ActiveJourneys()) std::cout << "  " << j << ": " << c->States().at(j) << "\n";
  if (c->ActiveJourneys().empty()) std::cout << "  no active journey\n";
  for (const auto& d : c->OpenDeadlines()) {
    std::cout << "  deadline " << d.rule_id << " due " << d.due_date.ToString() << (now >= d.due_by_us ? "  OVERDUE" : "")
              << "\n";
  }
  std::vector<std::string> mine;
  std::vector<workflows::AllowedAction> others;
  c->AllowedFor(role, &mine, &others);
  std::cout << "  allowed now" << (role.empty() ? "" : " for " + role) << ":\n    "
            << (mine.empty() ? std::string("(none)") : GroupedActions(mine)) << "\n";
  if (!others.empty()) {
    std::cout << "  allowed now for other roles:\n";
    for (const auto& a : others) {
      std::string roles;
      for (const auto& r : a.roles) roles += (roles.empty() ? "" : ", ") + r;
      std::cout << "    " << a.action << " (" << roles << ")\n";
    }
  }
  return 0;
}

int Chronology(Session& s, const std::string& child) {
  if (Status st = NeedChild(child); !st.ok()) return s.Fail(st);
  replay::ChronologyProjection chron;
  if (Status st = CatchUp(s, chron); !st.ok()) return s.Fail(st);
  auto entries = chron.For(child, s.log);
  if (!entries.ok()) return s.Fail(entries.status());
  if (s.json()) return Print(views::Chronology(child, *entries));
  for (const auto& e : *entries) {
    std::cout << Day(e.occurred_at) << "  " << e.text << "  [" << e.recorded_by << ", recorded " << Day(e.recorded_at)
              << "]\n";
  }
  return 0;
}

struct PloOptions {
  std::string team, area, as_of;
};

int Plo(Session& s, const PloOptions& o) {
  replay::PloTrackerProjection plo;
  if (Status st = CatchUp(s, plo); !st.ok()) return s.Fail(st);
  auto now = AsOfOption(o.as_of);
  if (!now.ok()) return s.Fail(now.status());
  const Json view = views::Plo(plo, {o.team, o.area, *now}, {});
  if (s.json()) return Print(view);
  std::printf("%-8s %-10s %-15s %-5s %-6s %-11s %-11s %s\n", "child", "team", "stage", "week", "rag", "started", "due",
              "detail");
  for (const auto& c : view["children"]) {
    const bool proceedings = c["stage"] == "proceedings";
    std::string stage = proceedings ? (c["fdac"].get<bool>() ? "proceedings/FDAC" : "proceedings") : "pre-proceedings";
    std::string detail;
    if (proceedings) {
      detail = std::to_string(c["hearings"].size()) + " hearings";
      if (int w = c["extension_weeks"]; w) detail += ", extended " + std::to_string(w) + " weeks";
      detail += c["after_pre_proceedings"].get<bool>() ? ", after pre-proceedings" : ", no pre-proceedings";
    } else {
      detail = Str(c["initial_meeting_held"]).empty() ? "initial meeting due " + Str(c["initial_meeting_due"])
                                                      : "initial meeting " + Str(c["initial_meeting_held"]);
      detail += ", " + std::to_string(c["reviews"].get<int>()) + " reviews";
      if (int n = c["extensions"]; n) detail += ", " + std::to_string(n) + " extensions";
    }
    std::printf("%-8s %-10s %-15s %-5d %-6s %-11s %-11s %s\n", Str(c["child"]).c_str(), Str(c["team"]).c_str(),
                stage.c_str(), c["week"].get<int>(), Str(c["rag"]).c_str(),
                Str(proceedings ? c["issued"] : c["lpm"]).c_str(),
                Str(proceedings ? c["final_hearing_due"] : c["review_point"]).c_str(), detail.c_str());
  }
  return 0;
}

struct DeadlinesOptions {
  std::optional<std::string> team;
  std::string as_of;
  int due_within = 14;
};

int Deadlines(Session& s, const DeadlinesOptions& o) {
  replay::DeadlinesProjection d;
  replay::ChildSummaryProjection summary;  // the children's teams, for --team
  if (Status st = CatchUp(s, d); !st.ok()) return s.Fail(st);
  if (o.team) {
    if (Status st = CatchUp(s, summary); !st.ok()) return s.Fail(st);
  }
  auto now = AsOfOption(o.as_of);
  if (!now.ok()) return s.Fail(now.status());
  const Json view = views::Deadlines(d, summary, {o.team, *now, o.due_within}, {});
  if (s.json()) return Print(view);
  for (const auto& [heading, key] : {std::pair<const char*, const char*>{"overdue", "overdue"}, {"due soon", "due_soon"}}) {
    std::cout << heading << " (" << view[key].size() << ")\n";
    for (const auto& e : view[key]) {
      std::cout << "  child " << Str(e["child"]) << "  " << Str(e["rule"]) << "  due " << Str(e["due"]) << "  (started "
                << Str(e["started"]) << ")\n";
    }
  }
  return 0;
}

struct CaseloadOptions {
  std::optional<std::string> team;
  std::string as_of;
};

int Caseload(Session& s, const CaseloadOptions& o) {
  replay::ChildSummaryProjection summary;
  if (Status st = CatchUp(s, summary); !st.ok()) return s.Fail(st);
  views::CaseloadQuery q{o.team, INT64_MAX, SystemClockUs()};
  if (!o.as_of.empty()) {
    auto as_of = AsOfOption(o.as_of);
    if (!as_of.ok()) return s.Fail(as_of.status());
    q.as_of = *as_of;
  }
  const Json view = views::Caseload(summary, q);
  if (s.json()) return Print(view);
  for (const auto& t : view["teams"]) {
    std::cout << (Str(t["team"]).empty() ? "(no team)" : Str(t["team"])) << ": " << t["children"].get<int>()
              << " children, " << t["unallocated_count"].get<int>() << " unallocated\n";
    for (const auto& [w, n] : t["by_worker"].items()) std::cout << "  " << w << "  " << n.get<int>() << "\n";
    for (const auto& u : t["unallocated"]) {
      std::cout << "  unallocated: child " << Str(u["child"]);
      if (!u["days"].is_null()) std::cout << " for " << u["days"].get<int>() << " days (since " << Str(u["since"]) << ")";
      std::cout << "\n";
    }
  }
  for (const auto& i : view["iros"]) {
    const std::size_t n = i["children"].size();
    std::cout << "IRO " << Str(i["iro"]) << ": " << n << " looked-after " << (n == 1 ? "child" : "children") << "\n";
  }
  return 0;
}

struct KpiOptions {
  std::string from, to, team, area;
};

int Kpis(Session& s, const KpiOptions& o) {
  replay::KpiProjection k;
  if (Status st = CatchUp(s, k); !st.ok()) return s.Fail(st);
  replay::KpiProjection::Filter f;
  for (auto [field, text, out] : {std::tuple<const char*, const std::string*, TimestampUs*>{"from", &o.from, &f.from},
                                  {"to", &o.to, &f.to}}) {
    if (text->empty()) return s.Fail(Status::InvalidArgument(field, "is required (a date such as 2026-04-01)"));
    auto t = cj::ParseTime(*text, field);
    if (!t.ok()) return s.Fail(t.status());
    *out = *t;
  }
  if (f.to <= f.from) return s.Fail(Status::InvalidArgument("to", "must be after from (the period runs from 'from' up to 'to')"));
  f.team = o.team;
  f.area = o.area;
  const Json view = views::Kpis(k, f, o.from, o.to);
  if (s.json()) return Print(view);
  for (const auto& [name, v] : view["measures"].items()) {
    const double num = v["numerator"], den = v["denominator"];
    if (v["value"].is_null()) {
      std::printf("%-48s %10s\n", name.c_str(), "no data");
    } else if (name.rfind("average_", 0) == 0) {
      std::printf("%-48s %10.1f  (over %.0f)\n", name.c_str(), v["value"].get<double>(), den);
    } else {
      std::printf("%-48s %9.1f%%  (%.0f of %.0f)\n", name.c_str(), 100 * v["value"].get<double>(), num, den);
    }
  }
  return 0;
}

// --team T: given (even empty) or not.
CLI::Option* AddTeam(CLI::App* c, std::optional<std::string>* team) {
  return c->add_option_function<std::string>("--team", [team](const std::string& t) { *team = t; }, "only team T's")
      ->type_name("T");
}

}  // namespace

void AddViewCommands(CLI::App& app, Registry& r) {
  auto child = std::make_shared<std::string>();
  CLI::App* c = app.add_subcommand("case", "a child's journeys, open deadlines and the actions allowed now");
  AddChildOption(c, child.get());
  auto role = std::make_shared<std::string>();
  c->add_option("--role", *role, "answer the allowed actions for role R: those R may record, the others with "
                                 "their roles (default: all, as an operator sees them)")
      ->type_name("R");
  r.On(c, [child, role](Session& s) { return CaseView(s, *child, *role); });
  c = app.add_subcommand("chronology", "the child's chronology: significant events in business-time order");
  AddChildOption(c, child.get());
  r.On(c, [child](Session& s) { return Chronology(s, *child); });

  auto plo = std::make_shared<PloOptions>();
  c = app.add_subcommand("plo", "the PLO tracker: children in pre-proceedings and proceedings, weeks elapsed, "
                                "red/amber/green");
  c->add_option("--team", plo->team, "only team T's children")->type_name("T");
  c->add_option("--area", plo->area, "only area A's children")->type_name("A");
  c->add_option("--as-of", plo->as_of, "weeks and red/amber/green at TIME (a date: its end; default now)")->type_name("TIME");
  r.On(c, [plo](Session& s) { return Plo(s, *plo); });

  auto dl = std::make_shared<DeadlinesOptions>();
  c = app.add_subcommand("deadlines", "overdue deadlines of every child, and those due soon");
  c->add_option("--due-within", dl->due_within, "due soon: within DAYS (default 14)")
      ->type_name("DAYS")
      ->check(CLI::Range(0, 9999));
  c->add_option("--as-of", dl->as_of, "overdue and due soon at TIME (a date: its end; default now)")->type_name("TIME");
  AddTeam(c, &dl->team);
  r.On(c, [dl](Session& s) { return Deadlines(s, *dl); });

  auto cl = std::make_shared<CaseloadOptions>();
  c = app.add_subcommand("caseload", "children with an active journey, by team and worker");
  AddTeam(c, &cl->team);
  c->add_option("--as-of", cl->as_of, "the caseload on TIME (a date: its end; default now)")->type_name("TIME");
  r.On(c, [cl](Session& s) { return Caseload(s, *cl); });

  auto kpis = std::make_shared<KpiOptions>();
  c = app.add_subcommand("kpis", "the Trust's measures for a period (--to is exclusive)");
  c->add_option("--from", kpis->from, "the period's first day (required)")->type_name("DATE");
  c->add_option("--to", kpis->to, "the day after the period (required)")->type_name("DATE");
  c->add_option("--team", kpis->team, "only team T's")->type_name("T");
  c->add_option("--area", kpis->area, "only area A's")->type_name("A");
  r.On(c, [kpis](Session& s) { return Kpis(s, *kpis); });
}

}  // namespace casetrail::cli
