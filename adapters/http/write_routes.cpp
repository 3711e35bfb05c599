// The routes that write: registering a child, recording an action (synchronously, or decided on
// the I/O thread and answered once durable), and restricting a child's record. Who may write
// at all is checked before these run (Who::kRecorders, Who::kRestrictors); the child's scope
// is checked here, once the body is known to be well formed.
#include <mutex>

#include "adapters/http/api.hpp"
#include "adapters/http/detail/respond.hpp"
#include "adapters/json/command_json.hpp"
#include "adapters/json/event_json.hpp"
#include "adapters/views/views.hpp"

namespace casetrail::http {

using namespace detail;
namespace cj = casetrail::json;

namespace {

// The answer to an accepted command, written straight into the body: the same bytes as the
// compact dump of the JSON object with these keys (which sorts them), without building one on
// the busiest route. tests/adapters/test_http_api.cpp checks the body is canonical.
std::string AcceptedAnswer(const workflows::Command& c, const workflows::CommandOutcome& out) {
  const auto& v = out.verdict;
  const auto& a = out.append;
  std::string b;
  b.reserve(256 + 32 * out.allowed_actions.size());
  b.append("{\"accepted\":true,\"allowed_actions\":");
  AppendJsonStrings(&b, out.allowed_actions);
  b.append(",\"append\":{\"duplicate\":").append(a.duplicate ? "true" : "false");
  b.append(",\"first_position\":").append(std::to_string(a.first_position));
  b.append(",\"first_version\":").append(std::to_string(a.first_version));
  b.append(",\"last_position\":").append(std::to_string(a.last_position));
  b.append(",\"last_version\":").append(std::to_string(a.last_version));
  b.append(",\"recorded_at\":");
  AppendJsonString(&b, cj::FormatTime(a.recorded_at));
  b.append(",\"stream\":");
  AppendJsonString(&b, a.stream);
  b.append("},\"child\":");
  AppendJsonString(&b, c.child_id);
  b.append(",\"events\":");
  AppendJsonStrings(&b, out.event_types);
  b.append(",\"from_state\":");
  AppendJsonString(&b, v.verdict.from_state);
  b.append(",\"journey\":");
  AppendJsonString(&b, v.journey);
  b.append(",\"other_actions\":").append(views::OtherActions(out.other_actions).dump());
  b.append(",\"states\":{");
  bool first = true;
  for (const auto& [journey, state] : out.states) {  // a std::map: sorted, as the dump sorts
    if (replay::IsInitialState(journey, state)) continue;
    if (!first) b.push_back(',');
    first = false;
    AppendJsonString(&b, journey);
    b.push_back(':');
    AppendJsonString(&b, state);
  }
  b.append("},\"to_state\":");
  AppendJsonString(&b, v.verdict.to_state);
  b.append(",\"version\":").append(std::to_string(out.version)).push_back('}');
  return b;
}

}  // namespace

Response Api::Command(const Call& call) {
  auto c = CommandOf(call);
  if (auto* error = std::get_if<Response>(&c)) return std::move(*error);
  return Execute(std::get<workflows::Command>(c));
}

void Api::CommandAsync(const Call& call, std::function<void(Response)> done) {
  auto c = CommandOf(call);
  if (auto* error = std::get_if<Response>(&c)) return done(std::move(*error));
  workflows::Command cmd = std::move(std::get<workflows::Command>(c));
  auto answer = [this, done = std::move(done), c = cmd](Result<workflows::CommandOutcome> out) mutable {
    done(CommandAnswer(c, out));
  };
  cases_.ExecuteAsync(std::move(cmd), std::move(answer));
}

std::variant<workflows::Command, Response> Api::CommandOf(const Call& call) {
  const Request& r = call.request;
  const Principal& who = call.who;
  const std::string& child = call.Param("child");
  if (auto over = OverLimit(r, options_.max_body_bytes)) return *over;
  Json doc = Json::parse(r.body, nullptr, false);
  if (doc.is_discarded()) return Error(Status::InvalidArgument("body", "is not valid JSON"));
  auto parsed = cj::ParseCommand(doc, cj::CommandFields::kBody);
  if (!parsed.ok()) return Error(parsed.status());
  workflows::Command c = std::move(parsed).value();
  c.child_id = child;
  c.actor = Actor{who.user, who.role, who.team};
  // Team-scoped roles write only on their team's children (or new ones), or a late record dated
  // on a day their team held the child; nobody writes on a restricted child unless named.
  std::string why;
  if (TeamScoped(who.role) ? !MaySee(who, child, "command", &why, c.occurred_at) : Restricted(child, who, &why)) {
    return Error(Status::Forbidden(why));
  }
  // A placement or a proposed match that names a carer names an approved one (SM-22): checked
  // here, against the carer's record now, not by the child's case (which knows no carers).
  if (auto carer = c.params.find("carer"); carer != c.params.end() &&
      (c.action == "cic.placement_started" || c.action == "cic.placement_changed" || c.action == "ps.match_proposed")) {
    auto record = carers_.Load(carer->second);
    if (!record.ok() && !record.status().IsNotFound()) return Error(record.status());
    if (!record.ok()) return Error(Status::InvalidArgument("params.carer", "carer '" + carer->second + "' has no record (/v1/carers)"));
    if (record->record.State() != "ApprovedCarer") {
      return Error(Status::InvalidArgument("params.carer", "carer '" + carer->second + "' is not approved (" +
                                                               record->record.State() + ")"));
    }
  }
  return c;
}

Response Api::Execute(const workflows::Command& c) { return CommandAnswer(c, cases_.Execute(c)); }

Response Api::CommandAnswer(const workflows::Command& c, const Result<workflows::CommandOutcome>& out) {
  if (!out.ok()) {
    // Every event a command writes carries the command's occurred_at: the log's refusal of one
    // (a time in the future, "events[0].occurred_at") names the field the caller sent.
    const Status& s = out.status();
    const std::string& f = s.field();
    if (s.IsInvalidArgument() && f.rfind("events[", 0) == 0 && f.size() > 12 &&
        f.compare(f.size() - 12, 12, ".occurred_at") == 0) {
      return Error(Status::InvalidArgument("occurred_at", s.message()));
    }
    return Error(s);
  }
  Json body = {{"accepted", out->accepted},
               {"child", c.child_id},
               {"version", out->version},
               {"states", views::ActiveStates(out->states)},
               {"allowed_actions", out->allowed_actions},
               {"other_actions", views::OtherActions(out->other_actions)}};
  const auto& v = out->verdict;
  if (!out->accepted) {
    body["error"] = {{"code", v.verdict.rule == "forbidden_role" ? "forbidden" : "refused"},
                     {"rule", v.verdict.rule},
                     {"message", v.verdict.reason}};
    if (!v.verdict.guard.empty()) body["error"]["guard"] = v.verdict.guard;
    return JsonResponse(v.verdict.rule == "forbidden_role" ? 403 : 422, body);
  }
  Response res;
  res.status = out->append.duplicate ? 200 : 201;
  res.body = AcceptedAnswer(c, *out);
  return res;
}

Response Api::Register(const Call& call) {
  const Request& r = call.request;
  const Principal& who = call.who;
  if (auto over = OverLimit(r, options_.max_body_bytes)) return *over;
  auto doc = ParseBody(r.body, {"child_id", "date_of_birth", "unborn", "expected_due_date", "occurred_at", "command_id"});
  if (!doc.ok()) return Error(doc.status());
  workflows::Command c;
  std::string dob, due, occurred;
  for (auto [key, out] : {std::pair<const char*, std::string*>{"child_id", &c.child_id}, {"date_of_birth", &dob},
                          {"expected_due_date", &due}, {"occurred_at", &occurred}, {"command_id", &c.command_id}}) {
    if (Status s = StringField(*doc, key, 128, out); !s.ok()) return Error(s);
  }
  if (!ValidChildId(c.child_id)) {
    return Error(Status::InvalidArgument("child_id", "is required: 1 to 128 letters, digits, '.', '_' or '-'"));
  }
  bool unborn = false;
  if (doc->contains("unborn")) {
    if (!(*doc)["unborn"].is_boolean()) return Error(Status::InvalidArgument("unborn", "must be true or false"));
    unborn = (*doc)["unborn"].get<bool>();
  }
  if (unborn) {
    if (due.empty()) return Error(Status::InvalidArgument("expected_due_date", "is required for an unborn child"));
    if (!dob.empty()) return Error(Status::InvalidArgument("date_of_birth", "is not known for an unborn child"));
    c.params = {{"unborn", "yes"}, {"expected_due_date", due}};
  } else {
    if (dob.empty()) return Error(Status::InvalidArgument("date_of_birth", "is required (or unborn: true with expected_due_date)"));
    if (!due.empty()) return Error(Status::InvalidArgument("expected_due_date", "is only for an unborn child"));
    c.params = {{"date_of_birth", dob}};
  }
  if (occurred.empty()) {
    c.occurred_at = SystemClockUs();
  } else {
    auto t = cj::ParseTime(occurred, "occurred_at");
    if (!t.ok()) return Error(t.status());
    c.occurred_at = *t;
  }
  c.action = "case.child_registered";
  c.actor = Actor{who.user, who.role, who.team};
  return Execute(c);
}

Response Api::Restriction(const Call& call) {
  const Request& r = call.request;
  const Principal& who = call.who;
  const std::string& child = call.Param("child");
  if (auto over = OverLimit(r, options_.max_body_bytes)) return *over;
  const bool restrict = r.method == "PUT";
  auto doc = restrict ? ParseBody(r.body, {"users", "reason"}) : ParseBody(r.body, {"reason"});
  if (!doc.ok()) return Error(doc.status());
  std::string reason;
  if (Status s = StringField(*doc, "reason", 1000, &reason); !s.ok()) return Error(s);
  if (reason.empty()) return Error(Status::InvalidArgument("reason", "is required: why the record is (un)restricted"));
  Json users = Json::array();
  if (restrict) {
    if (!doc->contains("users") || !(*doc)["users"].is_array() || (*doc)["users"].empty() || (*doc)["users"].size() > 100) {
      return Error(Status::InvalidArgument("users", "is required: a list of 1 to 100 user names who may see the record"));
    }
    for (const auto& u : (*doc)["users"]) {
      if (!u.is_string() || u.get<std::string>().empty() || u.get<std::string>().size() > 128) {
        return Error(Status::InvalidArgument("users", "must hold user names (strings of 1 to 128 bytes)"));
      }
      users.push_back(u);
    }
  }
  if (auto c = Record(child); !c.ok()) return Error(c.status());
  std::string why;
  if (who.role == "team_manager" && !MaySee(who, child, "restriction", &why)) return Error(Status::Forbidden(why));
  AppendRequest req;
  req.stream = kRestrictionStreamPrefix + child;
  req.actor = Actor{who.user, who.role, who.team};
  EventData e;
  e.type = restrict ? "access.restricted" : "access.unrestricted";
  e.occurred_at = SystemClockUs();
  Json payload = {{"child", child}, {"reason", reason}};
  if (restrict) payload["users"] = users;
  e.payload = payload.dump();
  req.events.push_back(std::move(e));
  {
    // Before the write: from now on every check of this child looks the restriction up.
    std::lock_guard<std::mutex> lk(restrictions_mu_);
    ever_restricted_.insert(child);
  }
  auto res = log_.Append(std::move(req));
  {
    std::lock_guard<std::mutex> lk(restrictions_mu_);
    restrictions_.erase(child);  // re-read on the next check (also after a failed write)
    ++restrictions_generation_;
  }
  if (!res.ok()) return Error(res.status());
  Json body = {{"child", child}, {"restricted", restrict}, {"position", res->last_position}};
  if (restrict) body["users"] = users;
  return JsonResponse(200, body);
}

}  // namespace casetrail::http
