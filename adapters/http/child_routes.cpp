// The child's record: GET /v1/children/{child} and its sub-resources (allowed actions,
// chronology, as-of, explain, export). Who may read them is checked before these run
// (Who::kChildReaders).
#include <algorithm>
#include <mutex>

#include "adapters/http/api.hpp"
#include "adapters/http/detail/respond.hpp"
#include "adapters/json/event_json.hpp"

namespace casetrail::http {

using namespace detail;
namespace cj = casetrail::json;

Result<workflows::Case> Api::Record(const std::string& child, std::uint64_t* version) {
  std::uint64_t v = 0;
  auto c = cases_.Load(child, &v);
  if (!c.ok()) return c.status();
  if (v == 0) return Status::NotFound("child '" + child + "' has no record");
  if (version) *version = v;
  return c;
}

Response Api::Child(const Call& call) {
  if (Status s = NoQuery(call); !s.ok()) return Error(s);
  const std::string& child = call.Param("child");
  std::uint64_t version = 0;
  auto c = Record(child, &version);
  if (!c.ok()) return Error(c.status());
  if (Status s = CatchUp(); !s.ok()) return Error(s);
  const TimestampUs now = SystemClockUs();
  Json deadlines = Json::array();
  for (const auto& d : c->OpenDeadlines()) {
    deadlines.push_back({{"rule", d.rule_id}, {"due", d.due_date.ToString()}, {"overdue", now >= d.due_by_us}});
  }
  Json body = {{"child", child},
               {"version", version},
               {"states", ActiveStates(c->States())},
               {"open_deadlines", deadlines},
               {"allowed_actions", c->AllowedActions()}};
  std::shared_lock lk(views_mu_);
  if (const auto* s = summary_.Find(child)) {
    body["legal_status"] = s->legal_status.str();
    body["placement"] = s->placement.str();
    body["team"] = s->team.str();
    body["last_worker"] = s->last_worker.str();
    Json flags = Json::array();
    for (const auto& f : s->flags) flags.push_back(f.str());
    body["flags"] = flags;
  }
  return JsonResponse(200, body);
}

Response Api::Chronology(const Call& call) {
  if (Status s = NoQuery(call); !s.ok()) return Error(s);
  const std::string& child = call.Param("child");
  if (Status s = CatchUp(); !s.ok()) return Error(s);
  std::shared_lock lk(views_mu_);
  auto entries = chronology_.For(child, log_);
  if (!entries.ok()) return Error(entries.status());
  Json list = Json::array();
  for (const auto& e : *entries) {
    Json j = {{"occurred_at", cj::FormatTime(e.occurred_at)}, {"recorded_at", cj::FormatTime(e.recorded_at)},
              {"version", e.version}, {"text", e.text}, {"recorded_by", e.recorded_by}};
    if (!e.original.empty()) j["original"] = {{"text", e.original}, {"occurred_at", cj::FormatTime(e.original_at)}};
    list.push_back(std::move(j));
  }
  return JsonResponse(200, Json{{"child", child}, {"chronology", list}});
}

Response Api::AsOf(const Call& call) {
  const std::string& child = call.Param("child");
  std::map<std::string, std::string> q;
  if (Status s = ReadQuery(call, &q); !s.ok()) return Error(s);
  TimestampUs x = INT64_MAX, y = INT64_MAX;
  for (auto [key, out] : {std::pair<const char*, TimestampUs*>{"as_of", &x}, {"known_at", &y}}) {
    if (!q.count(key)) continue;
    auto t = cj::ParseAsOf(q[key], key);
    if (!t.ok()) return Error(t.status());
    *out = *t;
  }
  auto v = audit_.AsOf(child, x, y, q["chronology"] != "no");
  if (!v.ok()) return Error(v.status());
  Json deadlines = Json::array();
  const TimestampUs now = x == INT64_MAX ? SystemClockUs() : x;
  for (const auto& d : v->open_deadlines) {
    deadlines.push_back({{"rule", d.rule_id}, {"due", d.due_date.ToString()}, {"breached", now >= d.due_by_us}});
  }
  Json chronology = Json::array();
  for (const auto& e : v->chronology) {
    chronology.push_back({{"occurred_at", cj::FormatTime(e.occurred_at)}, {"version", e.version}, {"text", e.text}});
  }
  Json skipped = Json::array();
  for (const auto& s : v->skipped) skipped.push_back({{"version", s.version}, {"action", s.action}, {"reason", s.reason}});
  return JsonResponse(200, Json{{"child", child},
                                {"as_of", x == INT64_MAX ? Json(nullptr) : Json(cj::FormatTime(x))},
                                {"known_at", y == INT64_MAX ? Json(nullptr) : Json(cj::FormatTime(y))},
                                {"version", v->version},
                                {"states", ActiveStates(v->states)},
                                {"open_deadlines", deadlines},
                                {"flags", v->flags},
                                {"skipped", skipped},
                                {"chronology", chronology}});
}

Response Api::Explain(const Call& call) {
  if (Status s = NoQuery(call); !s.ok()) return Error(s);
  const std::string& child = call.Param("child");
  auto trace = audit_.Explain(child);
  if (!trace.ok()) return Error(trace.status());
  Json steps = Json::array();
  for (const auto& t : *trace) {
    steps.push_back({{"version", t.version},     {"occurred_at", cj::FormatTime(t.occurred_at)},
                     {"action", t.action},       {"actor", t.actor},
                     {"journey", t.journey},     {"from_state", t.from_state},
                     {"to_state", t.to_state},   {"guard", t.guard},
                     {"deadlines", t.deadlines}, {"consequences", t.consequences},
                     {"flags", t.flags},         {"correction", t.correction}});
  }
  return JsonResponse(200, Json{{"child", child}, {"trace", steps}});
}

Response Api::Export(const Call& call) {
  if (Status s = NoQuery(call); !s.ok()) return Error(s);
  const std::string& child = call.Param("child");
  auto bundle = audit_.Export(child);
  if (!bundle.ok()) return Error(bundle.status());
  Response r;
  r.body = *bundle;
  r.headers.push_back({"Content-Disposition", "attachment; filename=\"child-" + child + ".json\""});
  return r;
}

Response Api::AllowedActions(const Call& call) {
  if (Status s = NoQuery(call); !s.ok()) return Error(s);
  const std::string& child = call.Param("child");
  std::uint64_t version = 0;
  auto c = Record(child, &version);
  if (!c.ok()) return Error(c.status());
  const auto states = c->States();
  std::map<std::string, std::vector<std::string>> roles;
  for (const auto& [journey, state] : states) {
    for (const auto& p : c->journey(journey).Permissions()) roles[p.action] = p.roles;
  }
  const bool writer = !NeverWrites(call.who.role);
  Json actions = Json::array();
  Json mine = Json::array();
  for (const auto& a : c->AllowedActions()) {
    auto it = roles.find(a);
    Json j = {{"action", a}};
    if (it != roles.end()) j["roles"] = it->second;
    actions.push_back(std::move(j));
    const bool may = it == roles.end() ? writer
                                       : std::find(it->second.begin(), it->second.end(), call.who.role) != it->second.end();
    if (may && writer) mine.push_back(a);
  }
  return JsonResponse(200, Json{{"child", child},
                                {"version", version},
                                {"states", ActiveStates(states)},
                                {"allowed_actions", actions},
                                {"allowed_for_you", mine},
                                {"role", call.who.role}});
}

}  // namespace casetrail::http
