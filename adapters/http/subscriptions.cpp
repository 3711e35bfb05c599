#include "adapters/http/subscriptions.hpp"

#include <pthread.h>

#include <nlohmann/json.hpp>

#include "adapters/json/event_json.hpp"
#include "workflows/own_record.hpp"

namespace casetrail::http {
namespace {

constexpr std::size_t kCatchUpChunk = 256;
constexpr std::size_t kTailChunk = 1024;

std::shared_ptr<const std::string> Heartbeat() {
  static const auto frame = std::make_shared<const std::string>(": heartbeat\n\n");
  return frame;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

// ---- Subscription --------------------------------------------------------------------------

Subscription::Subscription(SubscriptionHub* hub, std::uint64_t from, SubscriptionFilter filter, std::string name,
                           std::chrono::milliseconds heartbeat)
    : hub_(hub),
      filter_(std::move(filter)),
      name_(std::move(name)),
      heartbeat_(heartbeat),
      next_(from == 0 ? 1 : from),
      last_activity_(std::chrono::steady_clock::now()),
      delivered_(next_ - 1) {}

Subscription::~Subscription() {
  if (hub_) hub_->Detach(this);
}

// Whether `value` is one of the comma-separated `list` ("pre_proceedings,care_proceedings").
static bool InList(std::string_view list, std::string_view value) {
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    if (list.substr(start, comma - start) == value) return true;
    start = comma + 1;
  }
  return false;
}

bool Subscription::Matches(const Frame& f) const {
  // An allegation against someone who works with children is the LADO's record, read only by
  // the LADO team and auditors (workflows/own_record.hpp): never sent to a subscriber.
  if (workflows::IsRestrictedRecordStream(f.stream)) return false;
  return StartsWith(f.type, filter_.type_prefix) && StartsWith(f.stream, filter_.stream_prefix) &&
         (filter_.journey.empty() || InList(filter_.journey, f.journey)) &&
         (filter_.team.empty() || f.team == filter_.team);
}

std::shared_ptr<const std::string> Subscription::Sse(const Frame& f) const {
  if (!filter_.notices_only) return f.sse;
  const std::string p = std::to_string(f.position);
  return std::make_shared<const std::string>("id: " + p + "\nevent: changed\ndata: " +
                                             nlohmann::json{{"position", f.position}, {"journey", f.journey}}.dump() +
                                             "\n\n");
}

std::function<void()> Subscription::OfferLocked(const std::vector<const Frame*>& frames) {
  if (ended_) return {};
  bool added = false;
  for (const Frame* f : frames) {
    if (f->position < next_) continue;
    if (Matches(*f)) {
      auto sse = Sse(*f);
      const std::size_t size = sse->size();
      if (queued_bytes_ > 0 && queued_bytes_ + size > hub_->options_.max_buffer_bytes) {
        ++hub_->overflows_;
        const std::string data = nlohmann::json{{"resume_from", f->position},
                                                {"reason", "the subscriber's buffer of " +
                                                               std::to_string(hub_->options_.max_buffer_bytes) +
                                                               " bytes is full"}}
                                     .dump();
        return EndLocked("event: overflow\ndata: " + data + "\n\n");
      }
      queue_.emplace_back(f->position, std::move(sse));
      queued_bytes_ += size;
      added = true;
    }
    next_ = f->position + 1;
  }
  if (!added) return {};
  last_activity_ = std::chrono::steady_clock::now();
  return std::exchange(ready_, nullptr);
}

std::function<void()> Subscription::EndLocked(std::string last_frame) {
  if (!last_frame.empty()) {
    queued_bytes_ += last_frame.size();
    queue_.emplace_back(0, std::make_shared<const std::string>(std::move(last_frame)));
  }
  ended_ = true;
  space_.notify_all();
  return std::exchange(ready_, nullptr);
}

bool Subscription::Take(std::string* out) {
  std::lock_guard<std::mutex> lk(mu_);
  std::uint64_t frames = 0;
  while (!queue_.empty()) {
    auto& [position, frame] = queue_.front();
    out->append(*frame);
    queued_bytes_ -= frame->size();
    if (position != 0) ++frames;
    queue_.pop_front();
  }
  // Everything offered so far has been taken: the subscriber is at next_ - 1 (events its
  // filter skipped count as passed).
  delivered_ = next_ - 1;
  hub_->frames_sent_ += frames;
  space_.notify_all();
  return !ended_;
}

void Subscription::NotifyWhenReady(std::function<void()> ready) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (queue_.empty() && !ended_) {
      ready_ = std::move(ready);
      return;
    }
  }
  ready();
}

void Subscription::Cancel() {
  std::function<void()> dropped;  // released outside the lock (it may hold the last reference to a session)
  {
    std::lock_guard<std::mutex> lk(mu_);
    cancelled_ = true;
    ended_ = true;
    dropped = std::exchange(ready_, nullptr);
    space_.notify_all();
  }
  if (hub_) hub_->Detach(this);
}

void Subscription::CatchUp() {
  EventLog& log = hub_->log_;
  const std::size_t max_bytes = hub_->options_.max_buffer_bytes;
  std::vector<Frame> frames;
  for (;;) {
    {
      std::function<void()> ready;
      std::unique_lock<std::mutex> hub_lock(hub_->mu_);
      std::unique_lock<std::mutex> lk(mu_);
      if (ended_ || hub_->stopping_) return;
      if (hub_->TryGoLiveLocked(this, &ready)) {
        // The catch-up is over: the tail thread queues from here on.
        lk.unlock();
        hub_lock.unlock();
        if (ready) ready();
        return;
      }
    }
    std::uint64_t from;
    {
      std::lock_guard<std::mutex> lk(mu_);
      from = next_;
    }
    frames.clear();
    std::uint64_t last = from - 1;
    ReadAllOptions o;
    o.from_position = from;
    o.max_count = kCatchUpChunk;
    Status s = log.ReadAll(o, [&](const EventView& e) {
      last = e.position;
      Frame f = SubscriptionHub::Encode(e);
      if (Matches(f)) {
        f.sse = Sse(f);
        frames.push_back(std::move(f));
      }
      return true;
    });
    std::unique_lock<std::mutex> lk(mu_);
    if (!s.ok()) {
      // The log cannot be read: end the stream with the position to resume from.
      auto cb = EndLocked("event: error\ndata: " +
                          nlohmann::json{{"resume_from", next_}, {"reason", s.message()}}.dump() + "\n\n");
      lk.unlock();
      if (cb) cb();
      return;
    }
    for (Frame& f : frames) {
      space_.wait(lk, [&] { return ended_ || queued_bytes_ == 0 || queued_bytes_ + f.sse->size() <= max_bytes; });
      if (ended_) return;
      queued_bytes_ += f.sse->size();
      queue_.emplace_back(f.position, std::move(f.sse));
      next_ = f.position + 1;
      last_activity_ = std::chrono::steady_clock::now();
      if (auto cb = std::exchange(ready_, nullptr)) {
        lk.unlock();
        cb();
        lk.lock();
      }
    }
    next_ = std::max(next_, last + 1);
  }
}

// ---- SubscriptionHub -----------------------------------------------------------------------

Subscription::Frame SubscriptionHub::Encode(const EventView& e) {
  Subscription::Frame f;
  f.position = e.position;
  f.stream = e.stream;
  f.type = e.type;
  f.journey = e.journey;
  f.team = e.actor_team;
  std::string sse;
  sse.reserve(e.payload.size() + 512);
  sse += "id: ";
  sse += std::to_string(e.position);
  sse += "\nevent: ";
  sse += e.type;
  sse += "\ndata: ";
  sse += json::ToJson(e.ToRecorded()).dump();
  sse += "\n\n";
  f.sse = std::make_shared<const std::string>(std::move(sse));
  return f;
}

namespace {
HubOptions Checked(HubOptions o) {
  if (o.ring_events < kTailChunk) o.ring_events = kTailChunk;  // a tail batch always fits the ring
  return o;
}
}  // namespace

SubscriptionHub::SubscriptionHub(EventLog& log, HubOptions options) : log_(log), options_(Checked(options)) {
  next_ = log_.HeadPosition() + 1;
  ring_start_ = next_;
  tail_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "ct-sub-tail");
    Tail();
  });
}

SubscriptionHub::~SubscriptionHub() {
  Stop();
  std::lock_guard<std::mutex> lk(mu_);
  for (Subscription* s : all_) s->hub_ = nullptr;
}

Result<std::shared_ptr<Subscription>> SubscriptionHub::Subscribe(std::uint64_t from, SubscriptionFilter filter,
                                                                 std::string name, std::chrono::milliseconds heartbeat) {
  std::lock_guard<std::mutex> lk(mu_);
  if (stopping_) return Status::Unavailable("the server is stopping");
  if (all_.size() >= options_.max_subscribers) {
    return Status::Unavailable("there are already " + std::to_string(all_.size()) + " subscribers (the limit)");
  }
  auto s = std::make_shared<Subscription>(this, from, std::move(filter), std::move(name),
                                          heartbeat.count() > 0 ? heartbeat : options_.default_heartbeat);
  all_.push_back(s.get());
  std::function<void()> ready;  // nobody waits yet: nothing to call
  {
    std::lock_guard<std::mutex> sl(s->mu_);
    if (TryGoLiveLocked(s.get(), &ready)) return s;
  }
  ++catching_up_;
  std::thread([s, this]() mutable {
    s->CatchUp();
    s.reset();  // may destroy the subscription (it detaches under mu_)
    std::lock_guard<std::mutex> lk(mu_);
    --catching_up_;
    caught_up_.notify_all();
  }).detach();
  return s;
}

bool SubscriptionHub::TryGoLiveLocked(Subscription* s, std::function<void()>* ready) {
  if (s->next_ < ring_start_) return false;
  std::vector<std::pair<std::uint64_t, std::shared_ptr<const std::string>>> frames;
  std::size_t bytes = 0;
  for (std::size_t i = s->next_ - ring_start_; i < ring_.size(); ++i) {
    if (!s->Matches(ring_[i])) continue;
    frames.emplace_back(ring_[i].position, s->Sse(ring_[i]));
    bytes += frames.back().second->size();
  }
  if (s->queued_bytes_ > 0 && s->queued_bytes_ + bytes > options_.max_buffer_bytes) return false;
  // Everything from s->next_ fits: queue it without the overflow rule, then go live.
  for (auto& [position, sse] : frames) {
    s->queued_bytes_ += sse->size();
    s->queue_.emplace_back(position, std::move(sse));
  }
  s->next_ = std::max(s->next_, next_);
  s->live_ = true;
  live_.push_back(s);
  if (!frames.empty()) *ready = std::exchange(s->ready_, nullptr);
  return true;
}

void SubscriptionHub::Detach(Subscription* s) {
  std::lock_guard<std::mutex> lk(mu_);
  all_.remove(s);
  live_.remove(s);
}

void SubscriptionHub::Tail() {
  std::vector<Subscription::Frame> batch;
  std::vector<std::function<void()>> wake;
  for (;;) {
    std::uint64_t from;
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (stopping_) return;
      from = next_;
    }
    log_.WaitForPosition(from - 1, std::chrono::milliseconds(200));
    {
      // Nobody subscribed: skip to the head without reading or encoding (a new subscriber
      // catches up from the log up to ring_start_, then joins live from there).
      std::lock_guard<std::mutex> lk(mu_);
      if (stopping_) return;
      if (all_.empty()) {
        next_ = std::max(next_, log_.HeadPosition() + 1);
        ring_.clear();
        ring_start_ = next_;
        continue;
      }
    }
    batch.clear();
    ReadAllOptions o;
    o.from_position = from;
    o.max_count = kTailChunk;
    Status s = log_.ReadAll(o, [&](const EventView& e) {
      batch.push_back(Encode(e));
      return true;
    });
    if (!s.ok()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    wake.clear();
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (stopping_) return;
      const std::size_t n = batch.size();
      for (auto& f : batch) ring_.push_back(std::move(f));
      if (n > 0) next_ = ring_.back().position + 1;
      while (ring_.size() > options_.ring_events) ring_.pop_front();
      ring_start_ = ring_.empty() ? next_ : ring_.front().position;
      if (n > 0) {
        std::vector<const Subscription::Frame*> fresh;
        fresh.reserve(n);
        for (std::size_t i = ring_.size() - n; i < ring_.size(); ++i) fresh.push_back(&ring_[i]);
        for (auto it = live_.begin(); it != live_.end();) {
          Subscription* sub = *it;
          std::lock_guard<std::mutex> sl(sub->mu_);
          if (auto cb = sub->OfferLocked(fresh)) wake.push_back(std::move(cb));
          it = sub->ended_ ? live_.erase(it) : std::next(it);
        }
      }
      const auto now = std::chrono::steady_clock::now();
      for (Subscription* sub : all_) {
        std::lock_guard<std::mutex> sl(sub->mu_);
        if (sub->ended_ || !sub->queue_.empty() || now - sub->last_activity_ < sub->heartbeat_) continue;
        sub->queue_.emplace_back(0, Heartbeat());
        sub->queued_bytes_ += Heartbeat()->size();
        sub->last_activity_ = now;
        if (auto cb = std::exchange(sub->ready_, nullptr)) wake.push_back(std::move(cb));
      }
    }
    for (auto& w : wake) w();
  }
}

void SubscriptionHub::Stop() {
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (!stopping_) {
      stopping_ = true;
      for (Subscription* s : all_) {
        std::lock_guard<std::mutex> sl(s->mu_);
        if (auto cb = s->EndLocked("")) wake.push_back(std::move(cb));
      }
    }
  }
  for (auto& w : wake) w();
  {
    std::unique_lock<std::mutex> lk(mu_);
    caught_up_.wait(lk, [this] { return catching_up_ == 0; });
  }
  if (tail_.joinable() && tail_.get_id() != std::this_thread::get_id()) tail_.join();
}

HubStats SubscriptionHub::Stats() const {
  HubStats st;
  const std::uint64_t head = log_.HeadPosition();
  std::lock_guard<std::mutex> lk(mu_);
  st.subscribers = all_.size();
  st.live = live_.size();
  for (const Subscription* s : all_) {
    const std::uint64_t d = s->delivered_.load();
    if (head > d) st.max_lag = std::max(st.max_lag, head - d);
  }
  st.frames_sent = frames_sent_.load();
  st.overflows = overflows_.load();
  st.tail_position = next_ - 1;
  return st;
}

}  // namespace casetrail::http
