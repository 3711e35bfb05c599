// Restricted children and read scope: who may see a child's record (docs/api.md, "Access
// rules"). A restriction is the last event of stream "restriction-<child>"; the index of
// children ever restricted spares most checks a lookup.
#include <nlohmann/json.hpp>

#include <mutex>

#include "adapters/http/api.hpp"
#include "adapters/http/detail/respond.hpp"

namespace casetrail::http {

using namespace detail;

void Api::RestrictionIndex::Apply(const EventView& e) {
  constexpr std::string_view kPrefix = kRestrictionStreamPrefix;
  if (!e.stream.starts_with(kPrefix)) return;
  std::lock_guard<std::mutex> lk(api_.restrictions_mu_);
  api_.ever_restricted_.emplace(e.stream.substr(kPrefix.size()));
}

// Restricted children: stream "restriction-<child>" holds access.restricted {users, reason} and
// access.unrestricted {reason}; its last event decides. One point lookup per child, cached: this
// process is the only writer of those streams (the log is open in one process), and Restriction()
// refreshes the cache entry after each write.
std::shared_ptr<const std::set<std::string>> Api::RestrictionOf(const std::string& child) {
  std::uint64_t generation;
  {
    std::lock_guard<std::mutex> lk(restrictions_mu_);
    if (index_complete_ && !ever_restricted_.count(child)) return nullptr;  // never restricted
    auto it = restrictions_.find(child);
    if (it != restrictions_.end()) return it->second;
    generation = restrictions_generation_;
  }
  std::shared_ptr<const std::set<std::string>> named;
  auto last = log_.ReadStream(kRestrictionStreamPrefix + child, UINT64_MAX, Direction::kBackward, 1);
  if (last.ok() && !last->empty() && (*last)[0].type == "access.restricted") {
    auto users = std::make_shared<std::set<std::string>>();
    Json p = Json::parse((*last)[0].payload, nullptr, false);
    if (p.is_object() && p.contains("users") && p["users"].is_array()) {
      for (const auto& u : p["users"]) {
        if (u.is_string()) users->insert(u.get<std::string>());
      }
    }
    named = std::move(users);
  } else if (!last.ok() && last.status().code() != Status::Code::kNotFound) {
    // The log cannot say: treat the record as restricted to nobody (fail closed), uncached.
    return std::make_shared<const std::set<std::string>>();
  }
  std::lock_guard<std::mutex> lk(restrictions_mu_);
  if (generation != restrictions_generation_) return named;  // a restriction was written meanwhile: do not cache
  if (restrictions_.size() > 200000) restrictions_.clear();
  restrictions_[child] = named;
  return named;
}

bool Api::Restricted(const std::string& child, const Principal& who, std::string* why) {
  auto named = RestrictionOf(child);
  if (!named || named->count(who.user)) return false;
  if (why) *why = "child " + child + "'s record is restricted to named users, and " + who.user + " is not one of them";
  return true;
}

bool Api::MaySee(const Principal& who, const std::string& child, const std::string& what, std::string* why,
                 TimestampUs as_of) {
  if (who.role == "subscriber") {
    *why = "role subscriber may only subscribe to events";
    return false;
  }
  if (Restricted(child, who, why)) return false;
  if (Privileged(who.role)) {
    access_log_.Record(who, "access.read", child, what, "");
    return true;
  }
  if (Status s = CatchUp(); !s.ok()) {
    *why = s.message();
    return false;
  }
  std::shared_lock lk(views_mu_);
  const auto* c = summary_.Find(child);
  if (!c) return true;  // nothing to see: the route answers 404
  // Team scope follows allocation: the responsible team's people, the allocated worker and IRO,
  // and the last person who recorded on the child; asked as of a past date, also those who held
  // the child on that date.
  auto holds = [&](const std::string& team, const std::string& worker, const std::string& iro, const std::string& last) {
    return team == who.team || worker == who.user || iro == who.user || last == who.user;
  };
  if (holds(c->team, c->allocated_worker, c->allocated_iro, c->last_worker)) return true;
  if (as_of != INT64_MAX) {
    const auto then = summary_.ResponsibleOn(child, as_of);
    if (holds(then.team, then.worker, then.iro, "")) return true;
  }
  *why = "child " + child + " belongs to team " + c->team.str() + ", not " + who.team;
  return false;
}

}  // namespace casetrail::http
