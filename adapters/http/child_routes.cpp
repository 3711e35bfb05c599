// The child's record: GET /v1/children/{child} and its sub-resources (allowed actions,
// chronology, as-of, explain, export). Who may read them is checked before these run
// (Who::kChildReaders).
#include <algorithm>
#include <mutex>

#include "adapters/http/api.hpp"
#include "adapters/http/detail/respond.hpp"
#include "adapters/json/event_json.hpp"
#include "adapters/views/views.hpp"

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
  std::shared_lock lk(views_mu_);
  return JsonResponse(200, views::ChildSummary(child, version, *c, summary_.Find(child), SystemClockUs(), call.who.role));
}

Response Api::Chronology(const Call& call) {
  if (Status s = NoQuery(call); !s.ok()) return Error(s);
  const std::string& child = call.Param("child");
  if (Status s = CatchUp(); !s.ok()) return Error(s);
  std::shared_lock lk(views_mu_);
  auto entries = chronology_.For(child, log_);
  if (!entries.ok()) return Error(entries.status());
  return JsonResponse(200, views::Chronology(child, *entries));
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
  return JsonResponse(200, views::AsOf(child, *v, x, y, SystemClockUs()));
}

Response Api::Explain(const Call& call) {
  if (Status s = NoQuery(call); !s.ok()) return Error(s);
  const std::string& child = call.Param("child");
  auto trace = audit_.Explain(child);
  if (!trace.ok()) return Error(trace.status());
  return JsonResponse(200, views::Explain(child, *trace));
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
  Json body = {{"child", child}, {"version", version}, {"states", views::ActiveStates(c->States())}, {"role", call.who.role}};
  views::AddAllowed(&body, *c, call.who.role);
  return JsonResponse(200, body);
}

}  // namespace casetrail::http
