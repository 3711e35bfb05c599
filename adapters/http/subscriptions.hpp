// Subscriptions for downstream services: the log's events, in position order, from any
// position, then live, as Server-Sent Events frames ("id: <position>", "event: <type>",
// "data: <the event's JSON, as GET /v1/events gives it>").
//
// How a subscriber gets every event exactly once, in order:
//  * One tail thread follows the log's head, encodes each new event once, and keeps the last
//    `ring_events` of them in a ring. Positions [ring_start, next) are in the ring.
//  * A new subscriber catches up on its own thread, reading the log from its position. Once its
//    position is inside the ring, it switches to live under the hub's lock: the ring's frames
//    from its position are queued, and from then on the tail thread queues each new frame. The
//    switch is atomic with respect to the tail, so there is no gap and no duplicate.
//  * Every event goes through one global order, so each child's events arrive in order.
//
// Backpressure: each subscriber's queue is bounded (`max_buffer_bytes`). While catching up, a
// full queue only pauses that subscriber's own reader. When live, the tail thread never waits:
// a subscriber whose queue would overflow is ended with a final "overflow" frame naming the
// position to resume from (its data is "{"resume_from": P}"); the frames already queued are
// still delivered before it. Writers and other subscribers never wait for a slow consumer.
//
// Heartbeats: a subscriber that has had nothing to send for `heartbeat` gets an SSE comment
// (": heartbeat"), so proxies keep the connection and clients notice a dead one.
//
// Thread-safety: all methods may be called from any thread. Every Subscription must be released
// before its hub is destroyed.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/event_log.hpp"

namespace casetrail::http {

struct SubscriptionFilter {
  std::string type_prefix;    // only events whose type starts with this
  std::string stream_prefix;  // only events whose stream starts with this ("child-1002")
  std::string journey;        // only events of these journeys ("child_protection", or comma-separated)
  std::string team;           // only events recorded by this team
  // Notices instead of events: each frame says only that something happened (event "changed",
  // data {"position", "journey"}), for people's pages (GET /v1/changes), which then read what they
  // may see through the API. A notice names no child, no type and no payload.
  bool notices_only = false;
  bool operator==(const SubscriptionFilter&) const = default;
};

struct HubOptions {
  std::size_t max_buffer_bytes = 4 << 20;   // per subscriber
  std::size_t ring_events = 8192;           // recent frames kept for subscribers switching to live
  std::size_t max_subscribers = 1024;
  std::chrono::milliseconds default_heartbeat{15000};
};

class SubscriptionHub;

// One subscriber's stream of SSE bytes.
class Subscription : public std::enable_shared_from_this<Subscription> {
 public:
  // Moves what is ready into *out (appending). Returns false once the stream has ended and
  // nothing is left to take.
  bool Take(std::string* out);
  // Calls `ready` once, from any thread, when something can be taken or the stream ended
  // (at once if that is so now).
  void NotifyWhenReady(std::function<void()> ready);
  // The client went away (or the server is stopping): stops the subscription's work.
  void Cancel();

  std::uint64_t delivered_position() const { return delivered_.load(); }
  const std::string& name() const { return name_; }

  // For SubscriptionHub (public so the hub's helpers can reach it).
  struct Frame {
    std::uint64_t position = 0;
    std::string stream, type, journey, team;
    std::shared_ptr<const std::string> sse;  // the encoded frame, shared by every subscriber
  };
  Subscription(SubscriptionHub* hub, std::uint64_t from, SubscriptionFilter filter, std::string name,
               std::chrono::milliseconds heartbeat);
  ~Subscription();

 private:
  friend class SubscriptionHub;
  bool Matches(const Frame& f) const;
  // What this subscriber is sent for `f`: the event, or its notice (notices_only).
  std::shared_ptr<const std::string> Sse(const Frame& f) const;
  // Queues frames (under mu_). Live: on overflow ends the stream with an "overflow" frame.
  // Returns the ready callback to run (outside the locks), if any.
  std::function<void()> OfferLocked(const std::vector<const Frame*>& frames);
  std::function<void()> EndLocked(std::string last_frame);
  void CatchUp();  // the catch-up thread

  SubscriptionHub* hub_;
  const SubscriptionFilter filter_;
  const std::string name_;
  const std::chrono::milliseconds heartbeat_;

  std::mutex mu_;
  std::condition_variable space_;
  std::deque<std::pair<std::uint64_t, std::shared_ptr<const std::string>>> queue_;  // (position, frame)
  std::size_t queued_bytes_ = 0;
  std::uint64_t next_ = 1;      // the next position this subscriber has not yet been offered
  bool live_ = false;
  bool ended_ = false;          // no more frames will be queued
  bool cancelled_ = false;
  std::function<void()> ready_;
  std::chrono::steady_clock::time_point last_activity_;
  std::atomic<std::uint64_t> delivered_{0};
};

struct HubStats {
  std::uint64_t subscribers = 0;       // open now
  std::uint64_t live = 0;              // of which have caught up
  std::uint64_t max_lag = 0;           // head - delivered position, the worst open subscriber
  std::uint64_t frames_sent = 0;       // frames taken by subscribers since start
  std::uint64_t overflows = 0;         // subscribers ended because their buffer was full
  std::uint64_t tail_position = 0;     // the last position the tail thread encoded
};

class SubscriptionHub {
 public:
  SubscriptionHub(EventLog& log, HubOptions options = {});
  ~SubscriptionHub();

  // A subscription from position `from` (1 = the beginning; head + 1 = live only). Unavailable
  // when the hub is stopping or has max_subscribers open.
  Result<std::shared_ptr<Subscription>> Subscribe(std::uint64_t from, SubscriptionFilter filter,
                                                  std::string name = "",
                                                  std::chrono::milliseconds heartbeat = {});
  // Ends every subscription (their queued frames are still delivered) and stops the tail.
  void Stop();
  HubStats Stats() const;
  EventLog& log() { return log_; }
  const HubOptions& options() const { return options_; }

  // One event as a frame (also used by the catch-up readers).
  static Subscription::Frame Encode(const EventView& e);

 private:
  friend class Subscription;
  void Tail();
  void Detach(Subscription* s);
  // Under mu_: if s's position is inside the ring and the ring's frames from it fit its buffer,
  // queues them and makes s live. Returns whether it did (and the callback to run).
  bool TryGoLiveLocked(Subscription* s, std::function<void()>* ready);

  EventLog& log_;
  const HubOptions options_;
  mutable std::mutex mu_;
  std::deque<Subscription::Frame> ring_;
  std::uint64_t ring_start_ = 1;  // position of ring_.front() (or next_ when empty)
  std::uint64_t next_ = 1;        // the next position the tail will encode
  std::list<Subscription*> all_;  // open subscriptions
  std::list<Subscription*> live_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> frames_sent_{0};
  std::atomic<std::uint64_t> overflows_{0};
  int catching_up_ = 0;            // catch-up threads running (each holds its subscription)
  std::condition_variable caught_up_;
  std::thread tail_;
};

}  // namespace casetrail::http
