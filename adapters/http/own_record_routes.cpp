// Records of their own, not a child's (workflows/own_record.hpp): the LADO's allegations
// against people who work with children (streams "allegation-<id>": recorded by the LADO team,
// Who::kLadoOfficers; read by it, auditors and admins, Who::kAllegationReaders, each read recorded
// in the access log; never sent to subscribers or the Kafka relay) and carers (streams
// "carer-<id>": recorded by the fostering and adoption services as the carers journey allows,
// read by every role but subscriber services).
#include <mutex>
#include <set>

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

Response Api::RecordCommand(const Call& call, workflows::OwnRecordService& service, const std::string& param) {
  const Request& r = call.request;
  const Principal& who = call.who;
  if (auto over = OverLimit(r, options_.max_body_bytes)) return *over;
  Json doc = Json::parse(r.body, nullptr, false);
  if (doc.is_discarded()) return Error(Status::InvalidArgument("body", "is not valid JSON"));
  auto parsed = cj::ParseCommand(doc, cj::CommandFields::kBody);
  if (!parsed.ok()) return Error(parsed.status());
  workflows::OwnRecordCommand c;
  c.id = call.Param(param);
  c.action = std::move(parsed->action);
  c.occurred_at = parsed->occurred_at;
  c.params = std::move(parsed->params);
  c.command_id = std::move(parsed->command_id);
  c.expected_version = parsed->expected_version;
  c.actor = Actor{who.user, who.role, who.team};
  auto out = service.Execute(c);
  if (!out.ok()) {
    const Status& s = out.status();
    if (s.IsInvalidArgument() && s.field().starts_with("events[") && s.field().ends_with(".occurred_at")) {
      return Error(Status::InvalidArgument("occurred_at", s.message()));
    }
    return Error(s);
  }
  Json body = {{"accepted", out->accepted},
               {param, c.id},
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

Result<Json> Api::RecordView(const Call& call, workflows::OwnRecordService& service, const std::string& param) {
  const std::string& id = call.Param(param);
  const workflows::RecordKind& kind = service.kind();
  auto state = service.Load(id);
  if (!state.ok()) {
    if (state.status().IsNotFound()) return Status::NotFound(kind.name + " '" + id + "' has no record");
    return state.status();
  }
  auto events = log_.ReadStream(workflows::RecordStreamOf(kind, id), 1, Direction::kForward, SIZE_MAX);
  if (!events.ok()) return events.status();
  Json history = Json::array();
  for (const auto& e : *events) {
    Json h = {{"version", e.version},
              {"type", e.type},
              {"occurred_at", cj::FormatTime(e.occurred_at)},
              {"recorded_at", cj::FormatTime(e.recorded_at)},
              {"actor", {{"user", e.actor.user}, {"role", e.actor.role}}}};
    if (!e.type.starts_with("deadline.") && !e.type.starts_with("flag.")) {
      h["from_state"] = e.from_state;
      h["to_state"] = e.to_state;
      h["params"] = workflows::ActionParams(e.payload);
    } else {
      h["payload"] = Json::parse(e.payload, nullptr, false);
    }
    history.push_back(std::move(h));
  }
  const TimestampUs now = SystemClockUs();
  Json body = {{param, id},
               {"version", state->version},
               {"state", state->record.State()},
               {"allowed_actions", state->record.AllowedActions(call.who.role)},
               {"history", history}};
  Json open = Json::array();
  for (const auto& d : state->record.OpenDeadlines()) {
    open.push_back({{"rule", d.rule_id}, {"due", d.due_date.ToString()}, {"overdue", now >= d.due_by_us}});
  }
  body["open_deadlines"] = open;
  return body;
}

Response Api::AllegationCommand(const Call& call) { return RecordCommand(call, allegations_, "allegation"); }

Response Api::Allegation(const Call& call) {
  if (Status s = NoQuery(call); !s.ok()) return Error(s);
  const std::string& id = call.Param("allegation");
  auto body = RecordView(call, allegations_, "allegation");
  if (!body.ok()) return Error(body.status());
  access_log_.Record(call.who, "access.read", "", "allegation " + id, "");
  if (Status s = CatchUp(); !s.ok()) return Error(s);
  std::shared_lock lk(views_mu_);
  if (const auto* a = allegations_register_.Find(id)) (*body)["register"] = RegisterJson(*a, SystemClockUs());
  return JsonResponse(200, *body);
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

namespace {

Json CarerJson(const replay::CarersProjection::Entry& c) {
  auto time = [](TimestampUs t) { return t == 0 ? Json(nullptr) : Json(cj::FormatTime(t)); };
  return Json{{"carer", c.id},
              {"kind", c.kind},
              {"household", c.household},
              {"state", c.state},
              {"version", c.version},
              {"enquiry_at", time(c.enquiry_at)},
              {"approved_at", time(c.approved_at)},
              {"deregistered_at", time(c.deregistered_at)},
              {"places", c.places},
              {"ages", c.ages},
              {"children", c.children},
              {"vacancies", c.vacancies()},
              {"review_due", c.review_due.empty() ? Json(nullptr) : Json(c.review_due)},
              {"unannounced_visit_due", c.visit_due.empty() ? Json(nullptr) : Json(c.visit_due)}};
}

}  // namespace

Response Api::CarerCommand(const Call& call) { return RecordCommand(call, carers_, "carer"); }

Response Api::Carer(const Call& call) {
  if (Status s = NoQuery(call); !s.ok()) return Error(s);
  auto body = RecordView(call, carers_, "carer");
  if (!body.ok()) return Error(body.status());
  if (Status s = CatchUp(); !s.ok()) return Error(s);
  std::shared_lock lk(views_mu_);
  if (const auto* c = carers_register_.Find(call.Param("carer"))) (*body)["register"] = CarerJson(*c);
  return JsonResponse(200, *body);
}

Response Api::Carers(const Call& call) {
  std::map<std::string, std::string> q;
  if (Status s = ReadQuery(call, &q); !s.ok()) return Error(s);
  static const std::set<std::string> kKinds = {"foster_carer", "connected_person", "adopter"};
  if (q.count("kind") && !kKinds.count(q["kind"])) {
    return Error(Status::InvalidArgument("kind", "must be one of: adopter, connected_person, foster_carer"));
  }
  const bool vacancies_only = q.count("vacancies") && q["vacancies"] == "yes";
  if (q.count("vacancies") && q["vacancies"] != "yes" && q["vacancies"] != "no") {
    return Error(Status::InvalidArgument("vacancies", "must be yes or no"));
  }
  const std::string today = workflows::Date::FromTimestampUs(SystemClockUs()).ToString();
  if (Status s = CatchUp(); !s.ok()) return Error(s);
  std::shared_lock lk(views_mu_);
  Json list = Json::array();
  int approved = 0, vacancies = 0, reviews_overdue = 0, visits_overdue = 0;
  for (const auto& c : carers_register_.List()) {
    if (q.count("kind") && c.kind != q["kind"]) continue;
    if (vacancies_only && (c.state != "ApprovedCarer" || c.vacancies() == 0)) continue;
    if (c.state == "ApprovedCarer") {
      ++approved;
      vacancies += c.vacancies();
      reviews_overdue += !c.review_due.empty() && c.review_due < today;
      visits_overdue += !c.visit_due.empty() && c.visit_due < today;
    }
    list.push_back(CarerJson(c));
  }
  return JsonResponse(200, Json{{"carers", list},
                                {"summary",
                                 {{"approved", approved},
                                  {"vacancies", vacancies},
                                  {"reviews_overdue", reviews_overdue},
                                  {"unannounced_visits_overdue", visits_overdue}}}});
}

}  // namespace casetrail::http
