// The caseload views (PLO, deadlines, KPIs, caseload) and the global log (events, verify).
// Roles are checked before these run (Who::kCaseViewers, kLogReaders, kAuditors); team-scoped
// roles see their own team's part of the caseload views (ScopedQuery).
#include <mutex>
#include <optional>
#include <tuple>

#include "adapters/http/api.hpp"
#include "adapters/http/detail/respond.hpp"
#include "adapters/json/event_json.hpp"
#include "adapters/views/views.hpp"
#include "replay/chronology_text.hpp"
#include "replay/team_directory.hpp"
#include "workflows/catalogue.hpp"
#include "workflows/registry.hpp"

namespace casetrail::http {

using namespace detail;
namespace cj = casetrail::json;

std::variant<Api::Query, Response> Api::ScopedQuery(const Call& call) {
  const std::string& role = call.who.role;
  std::string scoped = call.query;
  Query q;
  auto read = [&]() -> std::variant<Query, Response> {
    if (Status s = ReadQuery(*call.route, scoped, &q); !s.ok()) return Error(s);
    return std::move(q);
  };
  if (!TeamScoped(role)) return read();
  std::map<std::string, std::string> params;
  std::string bad;
  if (!ParseQuery(call.query, &params, &bad)) return Error(Status::InvalidArgument(bad, "is not valid percent-encoding"));
  if (params.count("team") && params["team"] != call.who.team) {
    return Error(Status::Forbidden("role " + role + " sees team " + call.who.team + " only"));
  }
  if (params.count("area")) return Error(Status::Forbidden("role " + role + " sees team " + call.who.team + " only"));
  if (!params.count("team")) scoped += (scoped.empty() ? "team=" : "&team=") + call.who.team;
  return read();
}

Response Api::Plo(const Call& call) {
  auto scoped = ScopedQuery(call);
  if (auto* error = std::get_if<Response>(&scoped)) return std::move(*error);
  Query& q = std::get<Query>(scoped);
  auto as_of = AsOfOrNow(q);
  if (!as_of.ok()) return Error(as_of.status());
  if (Status s = CatchUp(); !s.ok()) return Error(s);
  std::shared_lock lk(views_mu_);
  auto visible = [&](const std::string& child) { return !Restricted(child, call.who); };
  return JsonResponse(200, views::Plo(plo_, {q["team"], q["area"], *as_of}, visible));
}

Response Api::Deadlines(const Call& call) {
  auto scoped = ScopedQuery(call);
  if (auto* error = std::get_if<Response>(&scoped)) return std::move(*error);
  Query& q = std::get<Query>(scoped);
  auto as_of = AsOfOrNow(q);
  if (!as_of.ok()) return Error(as_of.status());
  int days = 14;
  if (q.count("due_within")) {
    const std::string& d = q["due_within"];
    if (d.empty() || d.size() > 4 || d.find_first_not_of("0123456789") != std::string::npos) {
      return Error(Status::InvalidArgument("due_within", "must be a number of days (0 to 9999)"));
    }
    days = std::stoi(d);
  }
  if (Status s = CatchUp(); !s.ok()) return Error(s);
  std::shared_lock lk(views_mu_);
  auto visible = [&](const std::string& child) { return !Restricted(child, call.who); };
  views::DeadlinesQuery dq{std::nullopt, *as_of, days};
  if (q.count("team")) dq.team = q["team"];
  return JsonResponse(200, views::Deadlines(deadlines_, summary_, dq, visible));
}

Response Api::Kpis(const Call& call) {
  auto scoped = ScopedQuery(call);
  if (auto* error = std::get_if<Response>(&scoped)) return std::move(*error);
  Query& q = std::get<Query>(scoped);
  replay::KpiProjection::Filter f;
  for (auto [key, out] : {std::pair<const char*, TimestampUs*>{"from", &f.from}, {"to", &f.to}}) {
    if (!q.count(key)) return Error(Status::InvalidArgument(key, "is required (a date such as 2026-04-01)"));
    auto t = cj::ParseTime(q[key], key);
    if (!t.ok()) return Error(t.status());
    *out = *t;
  }
  if (f.to <= f.from) return Error(Status::InvalidArgument("to", "must be after from (the period runs from 'from' up to 'to')"));
  f.team = q["team"];
  f.area = q["area"];
  if (Status s = CatchUp(); !s.ok()) return Error(s);
  std::shared_lock lk(views_mu_);
  return JsonResponse(200, views::Kpis(kpis_, f, q["from"], q["to"]));
}

Response Api::Teams(const Call& call) {
  if (Status s = NoQuery(call); !s.ok()) return Error(s);
  auto d = replay::ReadTeamDirectory(log_);
  if (!d.ok()) return Error(d.status());
  Json teams = Json::array();
  for (const auto& [team, versions] : d->teams()) {
    for (const auto& v : versions) {
      teams.push_back({{"team", v.team}, {"name", v.name}, {"area", v.area}, {"service", v.service},
                       {"effective_from", v.effective_from.ToString()}});
    }
  }
  return JsonResponse(200, Json{{"teams", teams}});
}

// GET /v1/actions: the action catalogue (workflows/catalogue.hpp), the same for every caller.
Response Api::Actions(const Call& call) {
  if (Status s = NoQuery(call); !s.ok()) return Error(s);
  static const Json body = [] {
    Json actions = Json::array();
    for (const auto& a : workflows::ActionCatalogue()) {
      Json params = Json::array();
      for (const auto& p : a.params) {
        using Kind = workflows::ParamRule::Kind;
        Json j = {{"name", p.name},
                  {"kind", p.kind == Kind::kDate ? "date" : p.kind == Kind::kChoice ? "choice" : "text"}};
        if (p.kind == Kind::kChoice) j["choices"] = p.choices;
        if (p.optional) j["optional"] = true;
        if (p.listed_date) j["on_or_after_action"] = true;
        if (!p.only_if_param.empty()) j["required_when"] = {{"param", p.only_if_param}, {"values", p.only_if_values}};
        params.push_back(std::move(j));
      }
      actions.push_back({{"action", a.action},
                         {"title", replay::Describe(a.action, "{}")},
                         {"journey", a.journey},
                         {"roles", a.roles},
                         {"params", std::move(params)}});
    }
    return Json{{"actions", std::move(actions)}};
  }();
  return JsonResponse(200, body);
}

// GET /v1/journeys: each journey's states and transition table (what docs/workflows/ draws).
Response Api::JourneyTables(const Call& call) {
  if (Status s = NoQuery(call); !s.ok()) return Error(s);
  static const Json body = [] {
    Json journeys = Json::array();
    for (const auto& kind : workflows::Journeys()) {
      const auto& t = kind.make(workflows::RuleBook::Default())->Table();
      Json rows = Json::array();
      for (const auto& r : t.rows) {
        rows.push_back({{"from", r.source}, {"action", r.action}, {"to", r.target}, {"guard", r.guard}});
      }
      journeys.push_back(
          {{"journey", t.journey}, {"initial_state", t.initial_state}, {"states", t.states}, {"transitions", rows}});
    }
    return Json{{"journeys", std::move(journeys)}};
  }();
  return JsonResponse(200, body);
}

// GET /v1/rules: the timescale rules in force today, in words (what docs/workflows/rules.md lists),
// from this server's rule book (local standards included).
Response Api::Rules(const Call& call) {
  if (Status s = NoQuery(call); !s.ok()) return Error(s);
  const auto today = workflows::Date::FromTimestampUs(options_.clock());
  auto set = rules_.SetOn(today);
  if (!set.ok()) return Error(set.status());
  Json rules = Json::array();
  for (const auto& r : (*set)->rules) {
    rules.push_back({{"id", r.id},
                     {"title", r.name},
                     {"amount", r.amount},
                     {"unit", workflows::UnitName(r.unit)},
                     {"counting", workflows::CountingName(r.counting)},
                     {"basis", workflows::BasisName(r.basis)},
                     {"source", r.source},
                     {"wording", r.wording}});
  }
  return JsonResponse(200, Json{{"version", (*set)->version},
                                {"effective_from", (*set)->effective_from.ToString()},
                                {"edition", (*set)->edition},
                                {"rules", std::move(rules)}});
}

// POST /v1/teams: {"teams": [{team, name, area, service, effective_from}]}, GET's shape. Every
// definition is checked before anything is written; those already in the log are not written again.
Response Api::DefineTeams(const Call& call) {
  const Request& r = call.request;
  if (Status s = NoQuery(call); !s.ok()) return Error(s);
  if (auto over = OverLimit(r, options_.max_body_bytes)) return *over;
  auto doc = ParseBody(r.body, {"teams"});
  if (!doc.ok()) return Error(doc.status());
  if (!doc->contains("teams") || !(*doc)["teams"].is_array() || (*doc)["teams"].empty()) {
    return Error(Status::InvalidArgument("teams", "is required: a list of {team, name, area, service, effective_from}"));
  }
  std::vector<replay::TeamVersion> teams;
  for (std::size_t i = 0; i < (*doc)["teams"].size(); ++i) {
    const Json& t = (*doc)["teams"][i];
    const std::string where = "teams[" + std::to_string(i) + "].";
    if (!t.is_object()) return Error(Status::InvalidArgument("teams[" + std::to_string(i) + "]", "must be an object"));
    for (const auto& [key, value] : t.items()) {
      if (key != "team" && key != "name" && key != "area" && key != "service" && key != "effective_from") {
        return Error(Status::InvalidArgument(where + key, "is not a field of a team (team, name, area, service, effective_from)"));
      }
      if (!value.is_string()) return Error(Status::InvalidArgument(where + key, "must be a string"));
    }
    replay::TeamVersion v{t.value("team", ""), t.value("name", ""), t.value("area", ""), t.value("service", ""), {}};
    if (Status s = replay::CheckTeam(v, where); !s.ok()) return Error(s);
    auto from = workflows::Date::Parse(t.value("effective_from", ""), where + "effective_from");
    if (!from.ok()) return Error(from.status());
    v.effective_from = *from;
    teams.push_back(std::move(v));
  }
  auto w = replay::DefineTeams(log_, teams, Actor{call.who.user, call.who.role, call.who.team});
  if (!w.ok()) return Error(w.status());
  return JsonResponse(w->written > 0 ? 201 : 200,
                      Json{{"written", w->written}, {"already_defined", w->already}, {"position", w->position}});
}

Response Api::Caseload(const Call& call) {
  auto scoped = ScopedQuery(call);
  if (auto* error = std::get_if<Response>(&scoped)) return std::move(*error);
  Query& q = std::get<Query>(scoped);
  views::CaseloadQuery cq;
  if (q.count("team")) cq.team = q["team"];
  if (q.count("as_of")) {
    auto as_of = cj::ParseAsOf(q["as_of"], "as_of");
    if (!as_of.ok()) return Error(as_of.status());
    cq.as_of = *as_of;
  }
  cq.now = SystemClockUs();
  if (Status s = CatchUp(); !s.ok()) return Error(s);
  std::shared_lock lk(views_mu_);
  return JsonResponse(200, views::Caseload(summary_, cq));
}

Response Api::Events(const Call& call) {
  const Principal& who = call.who;
  std::map<std::string, std::string> q;
  if (Status s = ReadQuery(call, &q); !s.ok()) return Error(s);
  ReadAllOptions o;
  for (auto [key, out, max] : {std::tuple<const char*, std::uint64_t*, std::uint64_t>{"from", &o.from_position, UINT64_MAX / 2},
                               {"limit", &o.max_count, 10000}}) {
    if (!q.count(key)) continue;
    auto n = Number(q[key], key, max);
    if (!n.ok()) return Error(n.status());
    *out = *n;
  }
  if (!q.count("limit")) o.max_count = 1000;
  if (o.from_position == 0) o.from_position = 1;
  o.type_prefix = q["type_prefix"];
  o.stream_prefix = q["stream_prefix"];
  // People (auditors, admins) do not see restricted children's events unless named; subscriber
  // services get the whole log but the LADO's allegations (about adults who work with children,
  // read only by the LADO team and auditors).
  const bool filtered = who.role != "subscriber";
  Json events = Json::array();
  std::uint64_t last = o.from_position - 1;
  Status s = log_.ReadAll(o, [&](const EventView& e) {
    last = e.position;
    if (filtered && e.stream.substr(0, 6) == "child-" && Restricted(std::string(e.stream.substr(6)), who)) return true;
    if (!filtered && workflows::IsRestrictedRecordStream(e.stream)) return true;
    events.push_back(cj::ToJson(e.ToRecorded()));
    return true;
  });
  if (!s.ok()) return Error(s);
  return JsonResponse(200, Json{{"events", events}, {"next_from", last + 1}, {"head_position", log_.HeadPosition()}});
}

Response Api::Verify(const Call&) {
  auto rep = log_.Verify();
  if (!rep.ok()) return Error(rep.status());
  return JsonResponse(200, cj::ToJson(*rep));
}
}  // namespace casetrail::http
