// CommandService<Decider>: the write side of any event-sourced aggregate, generic over a decider
// that knows the domain (workflows/case_service.hpp supplies the child's case). It knows nothing
// of social care. For each command it
//
//   1. answers a retried command (same command id) with what the original append wrote;
//   2. hydrates the stream's state: from its cache, else Decider::Load (a snapshot plus the
//      tail of the stream), else the decider's empty state when the stream has no events;
//   3. refuses a stale expected version (Conflict, with the actual version);
//   4. asks the decider to decide on the state: an answer now (a refusal, an error) or the
//      events to append with the state they lead to;
//   5. appends them with the expected version the state had and the command id (idempotency);
//   6. once durable, lets the decider finish the answer (and snapshot), and caches the new state.
//
// Guarantees: commands on one stream run one at a time, in the order they arrived (each stream
// hashes to one of kStripes stripes; a stripe is held from the decision until the append is
// durable, also across threads for ExecuteAsync); different streams proceed in parallel. A
// cached state is never modified in place: a command decides on a copy and replaces it once
// durable, so a failed append leaves nothing behind (the entry is dropped and rebuilt next time).
//
// Thread-safety: every public member may be called concurrently.
//
// The Decider (one instance, owned by the service; its members are called under the stream's
// stripe unless noted) provides:
//   using Command;  with members `std::string command_id` (empty: none) and
//                   `std::optional<std::uint64_t> expected_version`
//   using State;    copyable
//   using Outcome;  the answer to a command
//   static constexpr const char* kNoun;                    "child": names a stream's owner in errors
//   Status Check(const Command&) const;                    before anything (bad key, missing fields)
//   Status CheckKey(const std::string& key) const;         for Load
//   const std::string& KeyOf(const Command&) const;       the key (child id) that picks the stream
//   std::string StreamOf(const std::string& key) const;
//   Result<State> Load(const std::string& key);            NotFound when the stream has no events
//                                                          (also called without the stripe, by a
//                                                          read that does not wait; must be thread-safe)
//   State Empty() const;
//   static std::uint64_t VersionOf(const State&);
//   static bool FromSnapshot(const State&);                for the hydration statistics
//   Result<Outcome> Retried(const Command&, const AppendResult& original,
//                           const std::vector<RecordedEvent>& written, const State& now);
//   Decision Decide(const Command&, const State& now);    Decision = CommandDecision<State, Outcome>
//   void Accepted(const Command&, const AppendResult&, State* next, Outcome* out);
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/event_log.hpp"

namespace casetrail {

// What a decider decided: an answer now, or an append (the events, the actor) with the state
// it leads to and the answer to give once it is durable. The service fills in the stream, the
// expected version and the command id.
template <typename State, typename Outcome>
struct CommandDecision {
  CommandDecision(Status s) : now(Result<Outcome>(std::move(s))) {}        // NOLINT: implicit on purpose
  CommandDecision(Outcome o) : now(Result<Outcome>(std::move(o))) {}       // NOLINT
  CommandDecision(Result<Outcome> r) : now(std::move(r)) {}                // NOLINT
  static CommandDecision Append(AppendRequest request, State next, Outcome out) {
    CommandDecision d;
    d.request = std::move(request);
    d.next.emplace(std::move(next));
    d.out = std::move(out);
    return d;
  }
  std::optional<Result<Outcome>> now;  // answered now; else an append:
  AppendRequest request;
  std::optional<State> next;           // the state once the append is durable
  Outcome out;                         // the answer then (Decider::Accepted completes it)

 private:
  CommandDecision() = default;
};

// Per-key serialisation: each key hashes to one of kStripes stripes; a stripe is held by one
// command at a time and handed to the next waiter in arrival order.
class StreamStripes {
 public:
  static constexpr std::size_t kStripes = 4096;
  using Post = std::function<void(std::function<void()>)>;
  std::size_t For(const std::string& key) const;
  void Lock(std::size_t stripe);                                   // blocks until held
  bool TryLock(std::size_t stripe);                                // holds it if free
  // Runs `run` holding the stripe: now, on this thread, if it is free; else `post`s it when the
  // holder hands the stripe over.
  void LockAsync(std::size_t stripe, std::function<void()> run, Post post);
  void Unlock(std::size_t stripe);                                 // hands it to the next waiter
  bool Busy(std::size_t stripe);

  // Releases a stripe already held (by Lock or TryLock) when it goes out of scope.
  class Held {
   public:
    Held(StreamStripes& stripes, std::size_t stripe) : stripes_(stripes), stripe_(stripe) {}
    ~Held() { stripes_.Unlock(stripe_); }
    Held(const Held&) = delete;
    Held& operator=(const Held&) = delete;

   private:
    StreamStripes& stripes_;
    std::size_t stripe_;
  };

 private:
  struct Stripe {
    std::mutex mu;
    bool busy = false;
    std::deque<std::function<void()>> waiting;
  };
  Stripe stripes_[kStripes];
};

template <typename Decider>
class CommandService {
 public:
  using Command = typename Decider::Command;
  using State = typename Decider::State;
  using Outcome = typename Decider::Outcome;
  using Decision = CommandDecision<State, Outcome>;

  // The decider is constructed from `args`.
  template <typename... Args>
  explicit CommandService(EventLog& log, Args&&... args) : log_(log), decider_(std::forward<Args>(args)...) {}

  // InvalidArgument (what Decider::Check says), Conflict (stale expected version, a command id
  // used on another stream), IOError; a refusal by the decider is whatever Outcome it answered.
  Result<Outcome> Execute(const Command& command);

  // Execute without blocking on the fsync: decides on the calling thread (or, when a command on
  // the same stream is still in flight, after it, on the executor), appends with
  // EventLog::AppendAsync, and calls `done` exactly once: with the outcome once the events are
  // durable, or with a refusal or an error.
  using Done = std::function<void(Result<Outcome>)>;
  void ExecuteAsync(Command command, Done done);
  // Whether a command on this key would wait now (one on it, or on a key sharing its stripe, is
  // in flight). Stale as soon as another thread sends commands.
  bool WouldWait(const std::string& key) { return stripes_.Busy(stripes_.For(key)); }
  // Where ExecuteAsync continues (the answer to a durable append, a command that waited for its
  // stream): by default inline, on the log's committer thread or the thread that freed the stripe.
  using Executor = std::function<void(std::function<void()>)>;
  void SetExecutor(Executor post) {
    std::lock_guard<std::mutex> lk(executor_mu_);
    executor_ = std::make_shared<const Executor>(std::move(post));
  }

  // The state as the log holds it now. A read never waits for a command in flight: it then
  // answers with the last durable state (cached, or loaded without caching).
  Result<std::shared_ptr<const State>> Load(const std::string& key);

  struct HydrationStats {
    std::uint64_t from_cache = 0, from_snapshot = 0, from_log = 0;
  };
  HydrationStats hydrations() const {
    std::lock_guard<std::mutex> lk(cache_mu_);
    return hydrations_;
  }
  // Drops the cache (the next command on each stream hydrates from a snapshot or the log).
  void ClearCache() {
    std::lock_guard<std::mutex> lk(cache_mu_);
    cache_.clear();
    cache_order_.clear();
  }
  // How many states the cache holds at most (first in, first out beyond that, one at a time).
  static constexpr std::size_t kDefaultCacheCapacity = 100000;
  void SetCacheCapacity(std::size_t states) {
    std::lock_guard<std::mutex> lk(cache_mu_);
    cache_capacity_ = states < 1 ? 1 : states;
  }

  Decider& decider() { return decider_; }
  const Decider& decider() const { return decider_; }

 private:
  Result<std::shared_ptr<const State>> Hydrate(const std::string& key);  // under the key's stripe
  Decision Decide(const Command& command);                              // under the key's stripe
  Result<Outcome> Finish(const Command& command, Decision pending, Result<AppendResult> appended);
  // Caches `s` (under cache_mu_); returns a state evicted to make room, freed by the caller
  // after unlocking.
  std::shared_ptr<const State> CacheLocked(const std::string& key, std::shared_ptr<const State> s);
  void Post(std::function<void()> fn) {
    std::shared_ptr<const Executor> post;
    {
      std::lock_guard<std::mutex> lk(executor_mu_);
      post = executor_;
    }
    if (post && *post) return (*post)(std::move(fn));
    fn();
  }

  EventLog& log_;
  Decider decider_;
  StreamStripes stripes_;
  std::mutex executor_mu_;
  std::shared_ptr<const Executor> executor_;
  mutable std::mutex cache_mu_;
  std::unordered_map<std::string, std::shared_ptr<const State>> cache_;
  std::deque<std::string> cache_order_;  // keys in the order they entered the cache
  std::size_t cache_capacity_ = kDefaultCacheCapacity;
  HydrationStats hydrations_;
};

// ---- implementation -----------------------------------------------------------------------

template <typename D>
std::shared_ptr<const typename D::State> CommandService<D>::CacheLocked(const std::string& key,
                                                                         std::shared_ptr<const State> s) {
  // First in, first out, one entry at a time: clearing the whole cache when it was full took
  // ~0.2 s under the lock (100,000 cases freed), a stall every command felt.
  auto [it, inserted] = cache_.insert_or_assign(key, std::move(s));
  if (inserted) cache_order_.push_back(key);
  std::shared_ptr<const State> evicted;
  while (cache_.size() > cache_capacity_ && !cache_order_.empty()) {
    auto old = cache_.find(cache_order_.front());
    cache_order_.pop_front();
    if (old != cache_.end() && old != it) {
      evicted = std::move(old->second);  // at most one is freed outside the caller's lock
      cache_.erase(old);
    }
  }
  return evicted;
}

template <typename D>
Result<std::shared_ptr<const typename D::State>> CommandService<D>::Hydrate(const std::string& key) {
  {
    std::lock_guard<std::mutex> lk(cache_mu_);
    if (auto it = cache_.find(key); it != cache_.end()) {
      ++hydrations_.from_cache;
      return it->second;
    }
  }
  auto loaded = decider_.Load(key);
  if (!loaded.ok()) {
    if (loaded.status().IsNotFound()) return std::make_shared<const State>(decider_.Empty());
    return loaded.status();
  }
  // Kept for the next command or read (the caller holds the key's stripe, so no command on it
  // can have replaced it meanwhile).
  auto state = std::make_shared<const State>(std::move(loaded).value());
  std::shared_ptr<const State> evicted;
  {
    std::lock_guard<std::mutex> lk(cache_mu_);
    ++(D::FromSnapshot(*state) ? hydrations_.from_snapshot : hydrations_.from_log);
    evicted = CacheLocked(key, state);
  }
  return state;  // `evicted` is destroyed here, outside the lock
}

template <typename D>
Result<std::shared_ptr<const typename D::State>> CommandService<D>::Load(const std::string& key) {
  if (Status s = decider_.CheckKey(key); !s.ok()) return s;
  const std::size_t stripe = stripes_.For(key);
  if (!stripes_.TryLock(stripe)) {
    // A command on this key (or one sharing its stripe) is in flight. A read never waits for it
    // (the HTTP server reads on its I/O threads, which also finish commands): it answers with
    // the last durable state, the cached one or, uncached, loaded from the log without caching.
    {
      std::lock_guard<std::mutex> lk(cache_mu_);
      if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    }
    auto loaded = decider_.Load(key);
    if (!loaded.ok()) {
      if (!loaded.status().IsNotFound()) return loaded.status();
      return std::make_shared<const State>(decider_.Empty());
    }
    return std::make_shared<const State>(std::move(loaded).value());
  }
  StreamStripes::Held held(stripes_, stripe);
  return Hydrate(key);
}

template <typename D>
Result<typename D::Outcome> CommandService<D>::Execute(const Command& cmd) {
  if (Status s = decider_.Check(cmd); !s.ok()) return s;
  const std::size_t stripe = stripes_.For(decider_.KeyOf(cmd));
  stripes_.Lock(stripe);
  StreamStripes::Held held(stripes_, stripe);
  Decision d = Decide(cmd);
  if (d.now) return std::move(*d.now);
  AppendRequest req = std::move(d.request);
  auto appended = log_.Append(std::move(req));
  return Finish(cmd, std::move(d), std::move(appended));
}

template <typename D>
void CommandService<D>::ExecuteAsync(Command command, Done done) {
  if (Status s = decider_.Check(command); !s.ok()) return done(s);
  struct Job {
    Command cmd;
    Done done;
  };
  auto job = std::make_shared<Job>(Job{std::move(command), std::move(done)});
  const std::size_t stripe = stripes_.For(decider_.KeyOf(job->cmd));
  stripes_.LockAsync(
      stripe,
      [this, job, stripe] {
        Decision d = Decide(job->cmd);
        if (d.now) {
          stripes_.Unlock(stripe);
          return job->done(std::move(*d.now));
        }
        auto pending = std::make_shared<Decision>(std::move(d));
        AppendRequest req = std::move(pending->request);
        log_.AppendAsync(std::move(req), [this, job, pending, stripe](Result<AppendResult> appended) {
          // On the committer thread: the rest (cache, snapshot, the answer) goes to the executor.
          Post([this, job, pending, stripe, appended = std::move(appended)]() mutable {
            auto out = Finish(job->cmd, std::move(*pending), std::move(appended));
            stripes_.Unlock(stripe);
            job->done(std::move(out));
          });
        });
      },
      [this](std::function<void()> fn) { Post(std::move(fn)); });
}

template <typename D>
typename CommandService<D>::Decision CommandService<D>::Decide(const Command& cmd) {
  const std::string& key = decider_.KeyOf(cmd);
  // A retried command answers with its original result, whatever happened since.
  if (!cmd.command_id.empty()) {
    auto found = log_.FindCommand(cmd.command_id);
    if (found.ok()) {
      if (found->stream != decider_.StreamOf(key)) {
        return Status::Conflict("command_id '" + cmd.command_id + "' was used for another " + D::kNoun);
      }
      // What the original append wrote, as its answer said.
      auto written = log_.ReadStream(found->stream, found->first_version, Direction::kForward,
                                     static_cast<std::size_t>(found->last_version - found->first_version + 1));
      if (!written.ok()) return written.status();
      auto h = Hydrate(key);
      if (!h.ok()) return h.status();
      return decider_.Retried(cmd, *found, *written, **h);
    }
    if (!found.status().IsNotFound()) return found.status();
  }
  auto h = Hydrate(key);
  if (!h.ok()) return h.status();
  const State& now = **h;
  const std::uint64_t version = D::VersionOf(now);
  if (cmd.expected_version && *cmd.expected_version != version) {
    Status c = Status::Conflict(std::string(D::kNoun) + " '" + key + "': expected version " +
                                std::to_string(*cmd.expected_version) + ", actual version " + std::to_string(version));
    c.WithActualVersion(version);
    return c;
  }
  Decision d = decider_.Decide(cmd, now);
  if (d.now) return d;
  d.request.stream = decider_.StreamOf(key);
  d.request.expected = version == 0 ? ExpectedVersion::NoStream() : ExpectedVersion::Exact(version);
  d.request.command_id = cmd.command_id;
  return d;
}

template <typename D>
Result<typename D::Outcome> CommandService<D>::Finish(const Command& cmd, Decision pending,
                                                      Result<AppendResult> res) {
  const std::string& key = decider_.KeyOf(cmd);
  if (!res.ok()) {
    std::lock_guard<std::mutex> lk(cache_mu_);
    cache_.erase(key);  // the log may have moved on: rebuild next time
    return res.status();
  }
  State& next = *pending.next;
  decider_.Accepted(cmd, *res, &next, &pending.out);
  auto cached = std::make_shared<const State>(std::move(next));
  std::shared_ptr<const State> evicted;
  {
    std::lock_guard<std::mutex> lk(cache_mu_);
    evicted = CacheLocked(key, std::move(cached));
  }
  return std::move(pending.out);
}

}  // namespace casetrail
