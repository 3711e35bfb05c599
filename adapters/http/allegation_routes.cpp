// The LADO's record: allegations against people who work with children (workflows/allegation.hpp,
// streams "allegation-<id>"). POST /v1/allegations/{allegation}/commands is for the LADO team
// (Who::kLadoOfficers); the allegation and the register are read by the LADO team, auditors and
// admins (Who::kAllegationReaders), and each read is recorded in the access log. Nothing here is
// part of a child's record, and nothing here reaches subscribers or the Kafka relay.
#include <mutex>

#include "adapters/http/api.hpp"
#include "adapters/http/detail/respond.hpp"
#include "adapters/json/command_json.hpp"
#include "adapters/json/event_json.hpp"
#include "workflows/case_events.hpp"

namespace casetrail::http {

using namespace detail;
namespace cj = casetrail::json;

namespace {

Json DeadlineJson(const replay::AllegationsProjection::Deadline& d, TimestampUs now) {
  if (d.state.empty()) return nullptr;
  return Json{{"due", d.due}, {"status", replay::AllegationsProjection::StatusAt(d, now)}};
}

Json RegisterJson(const replay::AllegationsProjection::Entry& a, TimestampUs now) {
  auto time = [](TimestampUs t) { return t == 0 ? Json(nullptr) : Json(cj::FormatTime(t)); };
  return Json{{"allegation", a.id},
              {"state", a.state},
              {"version", a.version},
              {"referred_at", time(a.referred_at)},
              {"concern_raised_on", a.concern_raised_on},
              {"sector", a.sector},
              {"employment", a.employment},
              {"criteria", a.criteria},
              {"referrer", a.referrer},
              {"children", a.children},
              {"evaluation", a.evaluation},
              {"outcome", a.outcome},
              {"dbs_referral", a.dbs_referral},
              {"concluded_at", time(a.concluded_at)},
              {"reopened", a.reopened},
              {"t100_referral", DeadlineJson(a.t100, now)},
              {"t103_evaluation", DeadlineJson(a.t103, now)}};
}

}  // namespace

Response Api::AllegationCommand(const Call& call) {
  const Request& r = call.request;
  const Principal& who = call.who;
  if (auto over = OverLimit(r, options_.max_body_bytes)) return *over;
  Json doc = Json::parse(r.body, nullptr, false);
  if (doc.is_discarded()) return Error(Status::InvalidArgument("body", "is not valid JSON"));
  auto parsed = cj::ParseCommand(doc, cj::CommandFields::kBody);
  if (!parsed.ok()) return Error(parsed.status());
  workflows::AllegationCommand c;
  c.allegation_id = call.Param("allegation");
  c.action = std::move(parsed->action);
  c.occurred_at = parsed->occurred_at;
  c.params = std::move(parsed->params);
  c.command_id = std::move(parsed->command_id);
  c.expected_version = parsed->expected_version;
  c.actor = Actor{who.user, who.role, who.team};
  auto out = allegations_.Execute(c);
  if (!out.ok()) {
    const Status& s = out.status();
    if (s.IsInvalidArgument() && s.field().starts_with("events[") && s.field().ends_with(".occurred_at")) {
      return Error(Status::InvalidArgument("occurred_at", s.message()));
    }
    return Error(s);
  }
  Json body = {{"accepted", out->accepted},
               {"allegation", c.allegation_id},
               {"version", out->version},
               {"state", out->state},
               {"allowed_actions", out->allowed_actions}};
  const workflows::Verdict& v = out->verdict;
  if (!out->accepted) {
    body["error"] = {{"code", v.rule == "forbidden_role" ? "forbidden" : "refused"}, {"rule", v.rule}, {"message", v.reason}};
    if (!v.guard.empty()) body["error"]["guard"] = v.guard;
    return JsonResponse(v.rule == "forbidden_role" ? 403 : 422, body);
  }
  body["from_state"] = v.from_state;
  body["to_state"] = v.to_state;
  body["events"] = out->event_types;
  body["append"] = {{"stream", out->append.stream},
                    {"first_position", out->append.first_position},
                    {"last_position", out->append.last_position},
                    {"first_version", out->append.first_version},
                    {"last_version", out->append.last_version},
                    {"duplicate", out->append.duplicate},
                    {"recorded_at", cj::FormatTime(out->append.recorded_at)}};
  return JsonResponse(out->append.duplicate ? 200 : 201, body);
}

Response Api::Allegation(const Call& call) {
  if (Status s = NoQuery(call); !s.ok()) return Error(s);
  const std::string& id = call.Param("allegation");
  auto state = allegations_.Load(id);
  if (!state.ok()) {
    if (state.status().IsNotFound()) return Error(Status::NotFound("allegation '" + id + "' has no record"));
    return Error(state.status());
  }
  access_log_.Record(call.who, "access.read", "", "allegation " + id, "");
  auto events = log_.ReadStream(workflows::AllegationStreamOf(id), 1, Direction::kForward, SIZE_MAX);
  if (!events.ok()) return Error(events.status());
  Json history = Json::array();
  for (const auto& e : *events) {
    Json h = {{"version", e.version},
              {"type", e.type},
              {"occurred_at", cj::FormatTime(e.occurred_at)},
              {"recorded_at", cj::FormatTime(e.recorded_at)},
              {"actor", {{"user", e.actor.user}, {"role", e.actor.role}}}};
    if (e.type.starts_with("lado.")) {
      h["from_state"] = e.from_state;
      h["to_state"] = e.to_state;
      h["params"] = workflows::ActionParams(e.payload);
    } else {
      h["payload"] = Json::parse(e.payload, nullptr, false);
    }
    history.push_back(std::move(h));
  }
  const TimestampUs now = SystemClockUs();
  Json body = {{"allegation", id},
               {"version", state->version},
               {"state", state->allegation.State()},
               {"allowed_actions", state->allegation.AllowedActions(call.who.role)},
               {"history", history}};
  Json open = Json::array();
  for (const auto& d : state->allegation.OpenDeadlines()) {
    open.push_back({{"rule", d.rule_id}, {"due", d.due_date.ToString()}, {"overdue", now >= d.due_by_us}});
  }
  body["open_deadlines"] = open;
  if (Status s = CatchUp(); !s.ok()) return Error(s);
  std::shared_lock lk(views_mu_);
  if (const auto* a = allegations_register_.Find(id)) body["register"] = RegisterJson(*a, now);
  return JsonResponse(200, body);
}

Response Api::Allegations(const Call& call) {
  std::map<std::string, std::string> q;
  if (Status s = ReadQuery(call, &q); !s.ok()) return Error(s);
  TimestampUs from = 0, to = INT64_MAX;
  for (auto [key, out] : {std::pair<const char*, TimestampUs*>{"from", &from}, {"to", &to}}) {
    if (!q.count(key)) continue;
    auto d = workflows::Date::Parse(q[key], key);
    if (!d.ok()) return Error(d.status());
    *out = key == std::string("to") ? d->AddDays(1).StartUs() : d->StartUs();
  }
  if (from >= to) return Error(Status::InvalidArgument("to", "must not be before from"));
  access_log_.Record(call.who, "access.read", "", "allegations register", "");
  const TimestampUs now = SystemClockUs();
  if (Status s = CatchUp(); !s.ok()) return Error(s);
  std::shared_lock lk(views_mu_);
  Json list = Json::array();
  for (const auto& a : allegations_register_.List()) {
    if (a.referred_at < from || a.referred_at >= to) continue;
    list.push_back(RegisterJson(a, now));
  }
  const auto s = allegations_register_.Summarise(from, to, now);
  auto share = [&](int n) { return s.concluded == 0 ? Json(nullptr) : Json(100.0 * n / s.concluded); };
  Json summary = {{"referred", s.referred},
                  {"open", s.open},
                  {"closed_at_evaluation", s.closed_at_evaluation},
                  {"concluded", s.concluded},
                  {"outcomes", s.outcomes},
                  {"t100_referred_late", s.t100_late},
                  {"t103_evaluated_late", s.t103_late},
                  {"t103_overdue", s.t103_overdue},
                  {"concluded_within_1_month_pct", share(s.within_1_month)},
                  {"concluded_within_3_months_pct", share(s.within_3_months)},
                  {"concluded_within_12_months_pct", share(s.within_12_months)}};
  return JsonResponse(200, Json{{"allegations", list}, {"summary", summary}});
}

}  // namespace casetrail::http
