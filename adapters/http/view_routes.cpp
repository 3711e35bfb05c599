// The caseload views (PLO, deadlines, KPIs, caseload) and the global log (events, verify).
// Roles are checked before these run (Who::kCaseViewers, kLogReaders, kAuditors); team-scoped
// roles see their own team's part of the caseload views (ScopedQuery).
#include <mutex>
#include <tuple>

#include "adapters/http/api.hpp"
#include "adapters/http/detail/respond.hpp"
#include "adapters/json/event_json.hpp"

namespace casetrail::http {

using namespace detail;
namespace cj = casetrail::json;

std::variant<std::string, Response> Api::ScopedQuery(const Call& call) {
  const std::string& role = call.who.role;
  std::string scoped = call.query;
  if (!TeamScoped(role)) return scoped;
  std::map<std::string, std::string> params;
  std::string bad;
  if (!ParseQuery(call.query, &params, &bad)) return Error(Status::InvalidArgument(bad, "is not valid percent-encoding"));
  if (params.count("team") && params["team"] != call.who.team) {
    return Error(Status::Forbidden("role " + role + " sees team " + call.who.team + " only"));
  }
  if (params.count("area")) return Error(Status::Forbidden("role " + role + " sees team " + call.who.team + " only"));
  if (!params.count("team")) scoped += (scoped.empty() ? "team=" : "&team=") + call.who.team;
  return scoped;
}

Response Api::Plo(const Call& call) {
  auto scoped = ScopedQuery(call);
  if (auto* error = std::get_if<Response>(&scoped)) return std::move(*error);
  std::map<std::string, std::string> q;
  if (Status s = ReadQuery(*call.route, std::get<std::string>(scoped), &q); !s.ok()) return Error(s);
  const Principal& who = call.who;
  auto as_of = AsOfOrNow(q);
  if (!as_of.ok()) return Error(as_of.status());
  const TimestampUs now = *as_of;
  if (Status s = CatchUp(); !s.ok()) return Error(s);
  std::shared_lock lk(views_mu_);
  Json list = Json::array();
  using P = replay::PloTrackerProjection;
  for (const auto& c : plo_.List(q["team"], q["area"])) {
    if (Restricted(c.child, who)) continue;
    Json j = {{"child", c.child}, {"team", c.team}, {"area", c.area},
              {"stage", c.in_proceedings ? "proceedings" : "pre_proceedings"},
              {"week", P::WeeksElapsed(c, now)}, {"rag", P::Rag(c, now)}};
    if (c.in_proceedings) {
      j["issued"] = c.issued;
      j["final_hearing_due"] = c.final_date;
      j["hearings"] = c.hearings;
      j["extension_weeks"] = c.extension_weeks;
      j["fdac"] = c.fdac;
      j["after_pre_proceedings"] = c.pre_proceedings_before_issue;
    } else {
      j["lpm"] = c.lpm_date;
      j["letter"] = c.letter_date;
      j["initial_meeting_due"] = c.initial_meeting_due;
      j["initial_meeting_held"] = c.initial_meeting_held;
      j["review_point"] = c.review_point;
      j["reviews"] = c.reviews;
      j["extensions"] = c.extensions;
    }
    list.push_back(std::move(j));
  }
  return JsonResponse(200, Json{{"as_of", cj::FormatTime(now)}, {"children", list}});
}

Response Api::Deadlines(const Call& call) {
  auto scoped = ScopedQuery(call);
  if (auto* error = std::get_if<Response>(&scoped)) return std::move(*error);
  std::map<std::string, std::string> q;
  if (Status s = ReadQuery(*call.route, std::get<std::string>(scoped), &q); !s.ok()) return Error(s);
  const Principal& who = call.who;
  auto as_of = AsOfOrNow(q);
  if (!as_of.ok()) return Error(as_of.status());
  const TimestampUs now = *as_of;
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
  auto list = [&](const std::vector<replay::DeadlinesProjection::Entry>& entries) {
    Json out = Json::array();
    for (const auto& e : entries) {
      if (Restricted(e.child, who)) continue;
      if (q.count("team")) {
        const auto* c = summary_.Find(e.child);
        if (!c || c->team != q["team"]) continue;
      }
      out.push_back({{"child", e.child}, {"rule", e.rule}, {"started", e.started}, {"due", e.due},
                     {"status", replay::DeadlinesProjection::StatusAt(e, now)}});
    }
    return out;
  };
  return JsonResponse(200, Json{{"as_of", cj::FormatTime(now)},
                                {"overdue", list(deadlines_.Overdue(now))},
                                {"due_soon", list(deadlines_.DueSoon(now, days))}});
}

Response Api::Kpis(const Call& call) {
  auto scoped = ScopedQuery(call);
  if (auto* error = std::get_if<Response>(&scoped)) return std::move(*error);
  std::map<std::string, std::string> q;
  if (Status s = ReadQuery(*call.route, std::get<std::string>(scoped), &q); !s.ok()) return Error(s);
  replay::KpiProjection::Filter f;
  for (auto [key, out] : {std::pair<const char*, TimestampUs*>{"from", &f.from}, {"to", &f.to}}) {
    if (!q.count(key)) return Error(Status::InvalidArgument(key, "is required (a date such as 2026-04-01)"));
    auto t = cj::ParseTime(q[key], key);
    if (!t.ok()) return Error(t.status());
    *out = *t;
  }
  f.team = q["team"];
  f.area = q["area"];
  if (Status s = CatchUp(); !s.ok()) return Error(s);
  std::shared_lock lk(views_mu_);
  Json measures = Json::object();
  for (const auto& [name, v] : kpis_.Compute(f)) {
    measures[name] = {{"value", v.denominator == 0 ? Json(nullptr) : Json(v.value())},
                      {"numerator", v.numerator},
                      {"denominator", v.denominator}};
  }
  return JsonResponse(200, Json{{"from", q["from"]}, {"to", q["to"]}, {"team", f.team}, {"area", f.area},
                                {"measures", measures}});
}

Response Api::Caseload(const Call& call) {
  auto scoped = ScopedQuery(call);
  if (auto* error = std::get_if<Response>(&scoped)) return std::move(*error);
  std::map<std::string, std::string> q;
  if (Status s = ReadQuery(*call.route, std::get<std::string>(scoped), &q); !s.ok()) return Error(s);
  if (Status s = CatchUp(); !s.ok()) return Error(s);
  std::shared_lock lk(views_mu_);
  Json teams = Json::array();
  for (const auto& [team, workers] : summary_.Caseload()) {
    if (q.count("team") && team != q["team"]) continue;
    int total = 0;
    for (const auto& [w, n] : workers) total += n;
    teams.push_back({{"team", team}, {"children", total}, {"by_worker", workers}});
  }
  return JsonResponse(200, Json{{"teams", teams}});
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
  // services get the whole log.
  const bool filtered = who.role != "subscriber";
  Json events = Json::array();
  std::uint64_t last = o.from_position - 1;
  Status s = log_.ReadAll(o, [&](const EventView& e) {
    last = e.position;
    if (filtered && e.stream.substr(0, 6) == "child-" && Restricted(std::string(e.stream.substr(6)), who)) return true;
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
