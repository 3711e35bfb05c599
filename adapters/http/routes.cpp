// The route table: every route of the HTTP API, in docs/api.md's order. Read it as the API's
// contents page; the handlers live in *_routes.cpp, the steps every request goes through
// (authenticate, match, 405, who may) in api.cpp.
#include "adapters/http/routes.hpp"

#include <cstdlib>
#include <sstream>

#include "adapters/http/api.hpp"
#include "adapters/http/detail/respond.hpp"

namespace casetrail::http {

const char* Describe(Who who) {
  switch (who) {
    case Who::kAnyone: return "anyone, without a token";
    case Who::kSignIn: return "anyone: the token is in the body";
    case Who::kAnyCaller: return "any caller with a valid token";
    case Who::kRecorders: return "roles that record actions (not auditor, admin or subscriber)";
    case Who::kChildReaders:
      return "who may see the child's record (team-scoped roles: their team's children; restricted children: "
             "named users; not subscriber); privileged roles' reads are logged";
    case Who::kRestrictors: return "admin, team_manager";
    case Who::kCaseViewers: return "every role but subscriber (team-scoped roles: their own team's part)";
    case Who::kLogReaders: return "auditor, admin, subscriber";
    case Who::kAuditors: return "auditor, admin";
    case Who::kSubscribers: return "subscriber";
    case Who::kSubscriptionUsers: return "subscriber";
    case Who::kSubscriptionDefiners: return "subscriber, admin";
    case Who::kAdmins: return "admin";
    case Who::kLadoOfficers: return "lado_officer";
    case Who::kAllegationReaders: return "lado_officer, auditor, admin; each read recorded";
  }
  return "";
}

const std::vector<Route>& Routes() {
  using enum Who;
  using enum Door;
  // clang-format off
  static const std::vector<Route> kRoutes = {
// method    path                                        who may call           metrics label
//           query parameters ('*': required)            answers                              door
//           summary                                     handler
{"GET",     "/health",                                   kAnyone,               "health",
            "",                                          "200",                               kInline,
            "the server is up; the log's head",          &Api::Health},
{"POST",    "/v1/session",                               kSignIn,               "session",
            "",                                          "201 400 401 413",                   kWorker,
            "sign in: a token for a session cookie",     &Api::OpenSession},
{"GET",     "/v1/session",                               kAnyCaller,            "session",
            "",                                          "200 400 401",                       kInline,
            "who is signed in, and the session's CSRF token", &Api::ShowSession},
{"DELETE",  "/v1/session",                               kAnyCaller,            "session",
            "",                                          "200 400 401 403",                   kInline,
            "sign out",                                  &Api::CloseSession},
{"POST",    "/v1/children",                              kRecorders,            "register",
            "",                                          "200 201 400 401 403 409 413 422",   kWorker,
            "register a child",                          &Api::Register},
{"POST",    "/v1/children/{child}/commands",             kRecorders,            "command",
            "",                                          "200 201 400 401 403 409 413 422",   kAsync,
            "record an action",                          &Api::Command, &Api::CommandAsync},
{"GET",     "/v1/children/{child}",                      kChildReaders,         "child",
            "",                                          "200 400 401 403 404",               kInline,
            "the child now",                             &Api::Child},
{"GET",     "/v1/children/{child}/allowed-actions",      kChildReaders,         "allowed-actions",
            "",                                          "200 400 401 403 404",               kInline,
            "what may be recorded next, and by whom",    &Api::AllowedActions},
{"GET",     "/v1/children/{child}/chronology",           kChildReaders,         "chronology",
            "",                                          "200 400 401 403",                   kWorker,
            "the child's chronology",                    &Api::Chronology},
{"GET",     "/v1/children/{child}/as-of",                kChildReaders,         "as-of",
            "as_of known_at chronology",                 "200 400 401 403 404",               kWorker,
            "the record as it was, as it was known",     &Api::AsOf},
{"GET",     "/v1/children/{child}/explain",              kChildReaders,         "explain",
            "",                                          "200 400 401 403 404",               kWorker,
            "why the child is where it is",              &Api::Explain},
{"GET",     "/v1/children/{child}/export",               kChildReaders,         "export",
            "",                                          "200 400 401 403 404",               kWorker,
            "the child's record as a bundle",            &Api::Export},
{"PUT",     "/v1/children/{child}/restriction",          kRestrictors,          "restriction",
            "",                                          "200 400 401 403 404 413",           kWorker,
            "restrict the record to named users",        &Api::Restriction},
{"DELETE",  "/v1/children/{child}/restriction",          kRestrictors,          "restriction",
            "",                                          "200 400 401 403 404 413",           kWorker,
            "lift a restriction",                        &Api::Restriction},
{"POST",    "/v1/allegations/{allegation}/commands",     kLadoOfficers,         "allegation-command",
            "",                                          "200 201 400 401 403 409 413 422",   kWorker,
            "record a step on an allegation (the LADO)", &Api::AllegationCommand},
{"GET",     "/v1/allegations/{allegation}",              kAllegationReaders,    "allegation",
            "",                                          "200 400 401 403 404",               kWorker,
            "an allegation and its history",             &Api::Allegation},
{"GET",     "/v1/allegations",                           kAllegationReaders,    "allegations",
            "from to",                                   "200 400 401 403",                   kWorker,
            "the LADO's register of allegations",        &Api::Allegations},
{"POST",    "/v1/carers/{carer}/commands",               kRecorders,            "carer-command",
            "",                                          "200 201 400 401 403 409 413 422",   kWorker,
            "record a step on a carer's record",         &Api::CarerCommand},
{"GET",     "/v1/carers/{carer}",                        kCaseViewers,          "carer",
            "",                                          "200 400 401 403 404",               kWorker,
            "a carer and their history",                 &Api::Carer},
{"GET",     "/v1/carers",                                kCaseViewers,          "carers",
            "kind vacancies",                            "200 400 401 403",                   kWorker,
            "the register of carers, with vacancies",    &Api::Carers},
{"GET",     "/v1/plo",                                   kCaseViewers,          "plo",
            "team area as_of",                           "200 400 401 403",                   kWorker,
            "the PLO tracker",                           &Api::Plo},
{"GET",     "/v1/deadlines",                             kCaseViewers,          "deadlines",
            "as_of due_within team",                     "200 400 401 403",                   kWorker,
            "overdue and upcoming deadlines",            &Api::Deadlines},
{"GET",     "/v1/kpis",                                  kCaseViewers,          "kpis",
            "from* to* team area",                       "200 400 401 403",                   kWorker,
            "the Trust's measures for a period",         &Api::Kpis},
{"GET",     "/v1/caseload",                              kCaseViewers,          "caseload",
            "team as_of",                                "200 400 401 403",                   kWorker,
            "children by team and worker",               &Api::Caseload},
{"GET",     "/v1/teams",                                 kAnyCaller,            "teams",
            "",                                          "200 400 401",                       kWorker,
            "the Trust's teams and areas (reference data)", &Api::Teams},
{"POST",    "/v1/teams",                                 kAdmins,               "teams",
            "",                                          "200 201 400 401 403 413",           kWorker,
            "define teams and areas (reference data)",   &Api::DefineTeams},
{"GET",     "/v1/actions",                               kAnyCaller,            "actions",
            "",                                          "200 400 401",                       kInline,
            "every action, who may record it, its parameters", &Api::Actions},
{"GET",     "/v1/journeys",                              kAnyCaller,            "journeys",
            "",                                          "200 400 401",                       kInline,
            "each journey's states and transitions",     &Api::JourneyTables},
{"GET",     "/v1/rules",                                 kAnyCaller,            "rules",
            "",                                          "200 400 401",                       kInline,
            "the timescale rules in force, in words",    &Api::Rules},
{"GET",     "/v1/events",                                kLogReaders,           "events",
            "from limit type_prefix stream_prefix",      "200 400 401 403",                   kWorker,
            "the global log in position order",          &Api::Events},
{"GET",     "/v1/verify",                                kAuditors,             "verify",
            "",                                          "200 401 403",                       kWorker,
            "recompute every stream's hash chain",       &Api::Verify},
{"GET",     "/v1/subscribe",                             kSubscribers,          "subscribe",
            "from type_prefix stream_prefix journey team heartbeat", "200 400 401 403",       kInline,
            "subscribe to the log (server-sent events)", &Api::Subscribe},
{"GET",     "/v1/changes",                               kCaseViewers,          "changes",
            "from journey heartbeat",                    "200 400 401 403",                   kInline,
            "notices that something changed, for live pages (server-sent events)", &Api::Changes},
{"GET",     "/v1/subscriptions/{name}",                  kSubscriptionDefiners, "subscriptions",
            "",                                          "200 400 401 403 404",               kWorker,
            "a persistent subscription's position and lag", &Api::SubscriptionStatus},
{"PUT",     "/v1/subscriptions/{name}",                  kSubscriptionDefiners, "subscriptions",
            "",                                          "200 201 400 401 403 409 413",       kWorker,
            "define a persistent subscription",          &Api::DefineSubscription},
{"GET",     "/v1/subscriptions/{name}/events",           kSubscriptionUsers,    "subscriptions",
            "heartbeat",                                 "200 400 401 403 404",               kWorker,
            "a persistent subscription's events (server-sent events)", &Api::SubscriptionEvents},
{"POST",    "/v1/subscriptions/{name}/ack",              kSubscriptionUsers,    "subscriptions",
            "",                                          "200 400 401 403 404",               kWorker,
            "acknowledge events up to a position",       &Api::AckSubscription},
{"GET",     "/metrics",                                  kAnyone,               "metrics",
            "",                                          "200",                               kInline,
            "Prometheus metrics",                        &Api::ServeMetrics},
{"GET",     "/v1/openapi.json",                          kAnyCaller,            "openapi",
            "",                                          "200 400 401",                       kInline,
            "this API as an OpenAPI 3.1 document",       &Api::ServeOpenApi},
  };
  // clang-format on
  return kRoutes;
}

// ---- reading the table ------------------------------------------------------------------------

namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const auto slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}

bool IsParam(std::string_view segment) { return segment.size() > 2 && segment.front() == '{' && segment.back() == '}'; }

// A path parameter's rule: nullopt when `value` is well formed, else {field, message}.
std::optional<std::pair<std::string, std::string>> CheckParam(std::string_view name, const std::string& value) {
  if (name == "child" || name == "allegation" || name == "carer") {
    if (detail::ValidChildId(value)) return std::nullopt;
    return std::pair<std::string, std::string>{std::string(name) + "_id",
                                               "must be 1 to 128 letters, digits, '.', '_' or '-'"};
  }
  if (value.size() <= 64 && detail::ValidChildId(value)) return std::nullopt;  // {name}
  return std::pair<std::string, std::string>{"name", "must be 1 to 64 letters, digits, '.', '_' or '-'"};
}

}  // namespace

const std::string& Call::Param(std::string_view name) const {
  static const std::string kNone;
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return kNone;
}

std::vector<std::pair<std::string, bool>> Route::QueryParams() const {
  std::vector<std::pair<std::string, bool>> out;
  std::istringstream in(query);
  for (std::string p; in >> p;) {
    const bool required = p.back() == '*';
    if (required) p.pop_back();
    out.emplace_back(p, required);
  }
  return out;
}

std::vector<int> Route::Answers() const {
  std::vector<int> out;
  std::istringstream in(answers);
  for (int s; in >> s;) out.push_back(s);
  return out;
}

std::vector<std::string> Route::PathParams() const {
  std::vector<std::string> out;
  for (auto s : Segments(path)) {
    if (IsParam(s)) out.emplace_back(s.substr(1, s.size() - 2));
  }
  return out;
}

PathMatch MatchPath(std::string_view path) {
  // The patterns' segments, split once (views into the table's literals).
  static const std::vector<std::vector<std::string_view>> kPatterns = [] {
    std::vector<std::vector<std::string_view>> out;
    for (const Route& r : Routes()) out.push_back(Segments(r.path));
    return out;
  }();
  PathMatch m;
  const auto got = Segments(path);
  for (std::size_t n = 0; n < Routes().size(); ++n) {
    const Route& r = Routes()[n];
    const auto& want = kPatterns[n];
    if (want.size() > 1 && got.size() > 1 && want[1] != got[1]) continue;  // another family
    std::vector<std::pair<std::string, std::string>> params;
    bool same = true;  // the segments so far match the pattern's
    for (std::size_t i = 0; i < want.size() && i < got.size() && same; ++i) {
      if (!IsParam(want[i])) {
        same = want[i] == got[i];
        continue;
      }
      const std::string_view name = want[i].substr(1, want[i].size() - 2);
      const std::string value(got[i]);
      if (auto bad = CheckParam(name, value); bad && !m.bad_param) {
        m.bad_param = bad;
        // The label of the route the parameter belongs to ("/v1/children/{child}": child).
        std::string prefix;
        for (std::size_t k = 1; k <= i; ++k) prefix.append("/").append(want[k]);
        for (const Route& owner : Routes()) {
          if (prefix == owner.path) m.bad_param_label = owner.label;
        }
      }
      params.emplace_back(std::string(name), value);
    }
    if (same && want.size() == got.size()) {
      m.routes.push_back(&r);
      m.params = std::move(params);
    }
  }
  return m;
}

std::string AllowedMethods(const PathMatch& m) {
  std::string out;
  for (const Route* r : m.routes) {
    if (!out.empty()) out += ", ";
    out += r->method;
  }
  return out;
}

}  // namespace casetrail::http
