// Subscriptions: GET /v1/subscribe (a live stream of the log) and the persistent, named ones
// under /v1/subscriptions/{name} (define, status, events, acknowledge). Roles are checked before
// these run (Who::kSubscribers, kSubscriptionUsers, kSubscriptionDefiners).
#include <mutex>
#include <optional>

#include "adapters/http/api.hpp"
#include "adapters/http/detail/respond.hpp"

namespace casetrail::http {

using namespace detail;

namespace {

Json FilterJson(const SubscriptionFilter& f) {
  return Json{{"type_prefix", f.type_prefix}, {"stream_prefix", f.stream_prefix}, {"journey", f.journey}, {"team", f.team}};
}

// A persistent subscription: its definition (the last event of stream "subscription-<name>")
// and its acknowledged position (checkpoint "subscription.<name>").
struct Persistent {
  std::string name, stream, checkpoint;
  std::optional<std::pair<std::uint64_t, SubscriptionFilter>> def;  // from, filter; nullopt: not defined

  explicit Persistent(const std::string& n)
      : name(n), stream(kSubscriptionStreamPrefix + n), checkpoint("subscription." + n) {}

  Status Load(EventLog& log) {
    def.reset();
    auto events = log.ReadStream(stream, UINT64_MAX, Direction::kBackward, 1);
    if (!events.ok()) return events.status().code() == Status::Code::kNotFound ? Status::Ok() : events.status();
    if (events->empty()) return Status::Ok();
    Json p = Json::parse((*events)[0].payload, nullptr, false);
    if (!p.is_object()) return Status::Corruption("subscription " + name + "'s definition is not JSON");
    def = {p.value("from", std::uint64_t{1}),
           SubscriptionFilter{p.value("type_prefix", ""), p.value("stream_prefix", ""), p.value("journey", ""),
                              p.value("team", "")}};
    return Status::Ok();
  }

  Response Answer(EventLog& log, int code, bool created) const {
    std::uint64_t acked = 0;
    if (auto c = log.GetCheckpoint(checkpoint); c.ok()) acked = *c;
    const std::uint64_t head = log.HeadPosition();
    return JsonResponse(code, Json{{"name", name},
                                   {"created", created},
                                   {"from", def->first},
                                   {"filter", FilterJson(def->second)},
                                   {"acknowledged", acked},
                                   {"head_position", head},
                                   {"lag", head > acked ? head - acked : 0}});
  }

  Response NotDefined() const {
    return Error(Status::NotFound("no subscription named " + name + " (define it with PUT)"));
  }
};

}  // namespace

Response Api::Subscribe(const Call& call) { return SseStream(call, false); }

// GET /v1/changes: notices (SubscriptionFilter::notices_only) for people's pages, live by default.
Response Api::Changes(const Call& call) { return SseStream(call, true); }

Response Api::SseStream(const Call& call, bool notices) {
  const Request& r = call.request;
  std::map<std::string, std::string> q;
  if (Status s = ReadQuery(call, &q); !s.ok()) return Error(s);
  const std::uint64_t head = log_.HeadPosition();
  std::uint64_t from = notices ? head + 1 : 1;
  if (!r.last_event_id.empty()) {
    auto id = Number(r.last_event_id, "Last-Event-ID", UINT64_MAX / 2);
    if (!id.ok()) return Error(id.status());
    from = *id + 1;
  } else if (q.count("from")) {
    if (q["from"] == "end") {
      from = head + 1;
    } else {
      auto f = Number(q["from"], "from", UINT64_MAX / 2);
      if (!f.ok()) return Error(f.status());
      from = std::max<std::uint64_t>(*f, 1);
    }
  }
  if (from > head + 1) {
    return Error(Status::InvalidArgument(r.last_event_id.empty() ? "from" : "Last-Event-ID",
                                         "is beyond the log's head (" + std::to_string(head) + ")"));
  }
  auto heartbeat = HeartbeatOf(q);
  if (!heartbeat.ok()) return Error(heartbeat.status());
  SubscriptionFilter f{q["type_prefix"], q["stream_prefix"], q["journey"], q["team"], notices};
  auto sub = hub_.Subscribe(from, std::move(f), "", *heartbeat);
  if (!sub.ok()) return Error(sub.status());
  return StreamResponse(*sub);
}

Response Api::SubscriptionStatus(const Call& call) {
  Persistent sub(call.Param("name"));
  if (Status s = sub.Load(log_); !s.ok()) return Error(s);
  if (!sub.def) return sub.NotDefined();
  if (Status s = NoQuery(call); !s.ok()) return Error(s);
  return sub.Answer(log_, 200, false);
}

Response Api::DefineSubscription(const Call& call) {
  const Request& r = call.request;
  const Principal& who = call.who;
  Persistent sub(call.Param("name"));
  const std::string& name = sub.name;
  if (Status s = sub.Load(log_); !s.ok()) return Error(s);
  if (Status s = NoQuery(call); !s.ok()) return Error(s);
  if (auto over = OverLimit(r, options_.max_body_bytes)) return *over;
  auto doc = ParseBody(r.body.empty() ? "{}" : r.body, {"from", "type_prefix", "stream_prefix", "journey", "team"});
  if (!doc.ok()) return Error(doc.status());
  SubscriptionFilter f;
  for (auto [key, out] : {std::pair<const char*, std::string*>{"type_prefix", &f.type_prefix},
                          {"stream_prefix", &f.stream_prefix}, {"journey", &f.journey}, {"team", &f.team}}) {
    if (Status s = StringField(*doc, key, 200, out); !s.ok()) return Error(s);
  }
  std::uint64_t from = 1;
  if (doc->contains("from")) {
    if (!(*doc)["from"].is_number_unsigned()) return Error(Status::InvalidArgument("from", "must be a whole number (a position)"));
    from = std::max<std::uint64_t>((*doc)["from"].get<std::uint64_t>(), 1);
  }
  if (sub.def) {
    if (sub.def->first == from && sub.def->second == f) return sub.Answer(log_, 200, false);
    return Error(Status::Conflict("subscription " + name + " is already defined differently (from " +
                                  std::to_string(sub.def->first) + ", filter " + FilterJson(sub.def->second).dump() +
                                  "); use a new name"));
  }
  AppendRequest req;
  req.stream = sub.stream;
  req.expected = ExpectedVersion::NoStream();
  req.actor = Actor{who.user, who.role, who.team};
  EventData e;
  e.type = "subscription.defined";
  e.occurred_at = SystemClockUs();
  Json payload = FilterJson(f);
  payload["from"] = from;
  payload["name"] = name;
  e.payload = payload.dump();
  req.events.push_back(std::move(e));
  auto res = log_.Append(std::move(req));
  if (!res.ok() && res.status().code() != Status::Code::kConflict) return Error(res.status());
  if (Status s = sub.Load(log_); !s.ok()) return Error(s);
  if (!sub.def) return Error(Status::Conflict("subscription " + name + " could not be defined"));
  if (sub.def->first != from || !(sub.def->second == f)) {
    return Error(Status::Conflict("subscription " + name + " was just defined differently by another request"));
  }
  return sub.Answer(log_, res.ok() ? 201 : 200, res.ok());
}

Response Api::AckSubscription(const Call& call) {
  Persistent sub(call.Param("name"));
  if (Status s = sub.Load(log_); !s.ok()) return Error(s);
  if (!sub.def) return sub.NotDefined();
  auto doc = ParseBody(call.request.body, {"position"});
  if (!doc.ok()) return Error(doc.status());
  if (!doc->contains("position") || !(*doc)["position"].is_number_unsigned()) {
    return Error(Status::InvalidArgument("position", "is required: the last position processed (a whole number)"));
  }
  const std::uint64_t p = (*doc)["position"].get<std::uint64_t>();
  if (p > log_.HeadPosition()) {
    return Error(Status::InvalidArgument("position", "is beyond the log's head (" + std::to_string(log_.HeadPosition()) + ")"));
  }
  std::lock_guard<std::mutex> lk(ack_mu_);
  std::uint64_t acked = 0;
  if (auto c = log_.GetCheckpoint(sub.checkpoint); c.ok()) acked = *c;
  if (p > acked) {
    if (Status s = log_.SetCheckpoint(sub.checkpoint, p); !s.ok()) return Error(s);
  }
  return sub.Answer(log_, 200, false);
}

// From the acknowledged position, or the definition's start.
Response Api::SubscriptionEvents(const Call& call) {
  Persistent sub(call.Param("name"));
  if (Status s = sub.Load(log_); !s.ok()) return Error(s);
  if (!sub.def) return sub.NotDefined();
  std::map<std::string, std::string> q;
  if (Status s = ReadQuery(call, &q); !s.ok()) return Error(s);
  auto heartbeat = HeartbeatOf(q);
  if (!heartbeat.ok()) return Error(heartbeat.status());
  std::uint64_t from = sub.def->first;
  if (auto c = log_.GetCheckpoint(sub.checkpoint); c.ok()) from = std::max(from, *c + 1);
  from = std::min(from, log_.HeadPosition() + 1);
  auto s = hub_.Subscribe(from, sub.def->second, sub.name, *heartbeat);
  if (!s.ok()) return Error(s.status());
  return StreamResponse(*s);
}

}  // namespace casetrail::http
