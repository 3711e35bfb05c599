#include "adapters/kafka/relay.hpp"

#include "adapters/key_value_file.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "adapters/json/event_json.hpp"
#include "workflows/own_record.hpp"

namespace casetrail::kafka {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Events read from the log per ReadAll call (further bounded by the in-flight window).
constexpr std::uint64_t kReadBatch = 1000;

// Properties that carry the relay's guarantees: the caller may not change them.
const std::set<std::string> kFixedProperties = {"enable.idempotence", "acks", "request.required.acks",
                                                "dr_cb", "dr_msg_cb", "opaque"};

std::string EscapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

const char* RelayStateName(RelayState s) {
  switch (s) {
    case RelayState::kStopped: return "stopped";
    case RelayState::kRunning: return "running";
    case RelayState::kCaughtUp: return "caught_up";
    case RelayState::kError: return "error";
  }
  return "unknown";
}

std::string MessageKey(std::string_view stream) {
  constexpr std::string_view kChild = "child-";
  if (stream.size() > kChild.size() && stream.substr(0, kChild.size()) == kChild) {
    return std::string(stream.substr(kChild.size()));
  }
  return std::string(stream);
}

struct Relay::Impl {
  EventLog& log;
  RelayOptions opt;
  rd_kafka_t* rk = nullptr;
  std::thread thread;
  std::atomic<bool> stop{false};
  bool started = false;
  Status construct_status;

  // Owned by the relay thread (delivery reports are served on it by rd_kafka_poll/flush).
  std::uint64_t next = 1;   // the next position to read and produce
  std::uint64_t saved = 0;  // the checkpoint as last written
  std::set<std::uint64_t> done;  // delivered positions above st.delivered_position
  std::size_t in_flight_bytes = 0;
  bool failed = false;
  SteadyClock::time_point last_save{};

  // Shared with Stats(), Wait() and status().
  mutable std::mutex mu;
  std::condition_variable finished_cv;
  bool finished = true;
  RelayStats st;
  Status final_status;

  Impl(EventLog& l, RelayOptions o) : log(l), opt(std::move(o)) {
    st.name = opt.name;
    st.topic = opt.topic;
    auto cp = log.GetCheckpoint(opt.name);
    if (cp.ok()) {
      st.delivered_position = *cp;
    } else if (!cp.status().IsNotFound()) {
      construct_status = cp.status();
    }
  }

  void SetState(RelayState s) {
    std::lock_guard<std::mutex> lk(mu);
    st.state = s;
  }

  std::uint64_t Delivered() {
    std::lock_guard<std::mutex> lk(mu);
    return st.delivered_position;
  }

  // Records the first permanent error; the relay loop then shuts down.
  void Fail(const Status& s) {
    std::lock_guard<std::mutex> lk(mu);
    ++st.errors;
    st.last_error = s.ToString();
    if (!failed) final_status = s;
    failed = true;
  }

  static void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    static_cast<Impl*>(opaque)->Delivered(*m);
  }

  void Delivered(const rd_kafka_message_t& m) {
    const auto pos = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(m._private));
    in_flight_bytes -= std::min(in_flight_bytes, m.len);
    if (m.err == RD_KAFKA_RESP_ERR__PURGE_QUEUE || m.err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
      // Given up at Stop(): not delivered, not an error; sent again after the restart.
      std::lock_guard<std::mutex> lk(mu);
      --st.in_flight;
      return;
    }
    if (m.err) {
      // librdkafka retries everything retriable itself (retries and message.timeout.ms are
      // unbounded), so a failed report is permanent.
      {
        std::lock_guard<std::mutex> lk(mu);
        --st.in_flight;
      }
      Fail(Status::IOError("kafka delivery of position " + std::to_string(pos) + " to topic '" + opt.topic +
                           "' failed: " + rd_kafka_err2name(m.err) + ": " + rd_kafka_err2str(m.err)));
      return;
    }
    std::lock_guard<std::mutex> lk(mu);
    --st.in_flight;
    ++st.relayed;
    Advance(pos);
  }

  // Position `pos` is done (delivered, or never sent); the delivered position moves over every
  // position done without a gap. REQUIRES: mu held.
  void Advance(std::uint64_t pos) {
    if (pos == st.delivered_position + 1) {
      ++st.delivered_position;
      while (!done.empty() && *done.begin() == st.delivered_position + 1) {
        done.erase(done.begin());
        ++st.delivered_position;
      }
    } else if (pos > st.delivered_position) {
      done.insert(pos);
    }
  }

  static void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
      char buf[512];
      const rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, buf, sizeof buf);
      self->Fail(Status::IOError(std::string("kafka producer fatal error: ") + rd_kafka_err2name(orig) + ": " + buf));
      return;
    }
    std::lock_guard<std::mutex> lk(self->mu);
    ++self->st.client_errors;
    self->st.last_error = std::string("kafka: ") + rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)) + ": " +
                          (reason ? reason : "");
  }

  Status Configure(rd_kafka_conf_t* conf) {
    char errstr[512];
    auto set = [&](const std::string& key, const std::string& value, const std::string& field) -> Status {
      if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
        return Status::InvalidArgument(field, errstr);
      }
      return Status::Ok();
    };
    const std::vector<std::pair<std::string, std::string>> defaults = {
        {"client.id", "casetrail-" + opt.name},
        // Java-client compatible partitioning, so other producers of the same keys agree.
        {"partitioner", "murmur2_random"},
        {"linger.ms", std::to_string(opt.linger.count())},
        {"message.timeout.ms", std::to_string(opt.message_timeout.count())},
    };
    for (const auto& [k, v] : defaults) {
      if (Status s = set(k, v, k); !s.ok()) return s;
    }
    for (const auto& [k, v] : opt.properties) {
      if (kFixedProperties.count(k)) {
        return Status::InvalidArgument(k, "is fixed by the relay (idempotent producer, acks=all)");
      }
      if (Status s = set(k, v, k); !s.ok()) return s;
    }
    for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
             {"bootstrap.servers", opt.brokers}, {"enable.idempotence", "true"}, {"acks", "all"}}) {
      if (Status s = set(k, v, k == "bootstrap.servers" ? "brokers" : k); !s.ok()) return s;
    }
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_dr_msg_cb(conf, &Impl::OnDelivery);
    rd_kafka_conf_set_error_cb(conf, &Impl::OnError);
    return Status::Ok();
  }

  enum class Produced { kOk, kQueueFull, kFailed };

  Produced Produce(const EventView& e) {
    const std::string value = json::ToJson(e.ToRecorded()).dump();
    const std::string key = MessageKey(e.stream);
    const std::string position = std::to_string(e.position);
    const std::string version = std::to_string(e.version);
    const std::string schema_version = std::to_string(e.schema_version);
    rd_kafka_vu_t vu[12] = {};
    std::size_t n = 0;
    vu[n].vtype = RD_KAFKA_VTYPE_TOPIC;
    vu[n++].u.cstr = opt.topic.c_str();
    vu[n].vtype = RD_KAFKA_VTYPE_KEY;
    vu[n++].u.mem = {const_cast<char*>(key.data()), key.size()};
    vu[n].vtype = RD_KAFKA_VTYPE_VALUE;
    vu[n++].u.mem = {const_cast<char*>(value.data()), value.size()};
    vu[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vu[n++].u.i = RD_KAFKA_MSG_F_COPY;
    vu[n].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
    vu[n++].u.i64 = e.recorded_at / 1000;
    vu[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
    vu[n++].u.ptr = reinterpret_cast<void*>(static_cast<std::uintptr_t>(e.position));
    for (auto [name, v] : {std::pair<const char*, std::string_view>{"event_id", e.event_id},
                           {"position", position},
                           {"stream", e.stream},
                           {"type", e.type},
                           {"version", version},
                           {"schema_version", schema_version}}) {
      vu[n].vtype = RD_KAFKA_VTYPE_HEADER;
      vu[n++].u.header = {name, v.data(), static_cast<ssize_t>(v.size())};
    }
    rd_kafka_error_t* err = rd_kafka_produceva(rk, vu, n);
    if (!err) {
      in_flight_bytes += value.size();
      std::lock_guard<std::mutex> lk(mu);
      ++st.in_flight;
      return Produced::kOk;
    }
    const rd_kafka_resp_err_t code = rd_kafka_error_code(err);
    const std::string text = rd_kafka_error_string(err);
    rd_kafka_error_destroy(err);
    if (code == RD_KAFKA_RESP_ERR__QUEUE_FULL) return Produced::kQueueFull;
    Fail(Status::IOError("kafka: cannot produce position " + std::to_string(e.position) + " (" + std::to_string(value.size()) +
                         " bytes) to topic '" + opt.topic + "': " + rd_kafka_err2name(code) + ": " + text));
    return Produced::kFailed;
  }

  std::uint64_t InFlight() {
    std::lock_guard<std::mutex> lk(mu);
    return st.in_flight;
  }

  bool WindowFull() { return InFlight() >= opt.max_in_flight || in_flight_bytes >= opt.max_in_flight_bytes; }

  // Produces the next events, as many as the window allows. False if the local queue is full.
  bool ReadBatch() {
    ReadAllOptions ro;
    ro.from_position = next;
    ro.max_count = std::min<std::uint64_t>(kReadBatch, opt.max_in_flight - std::min(opt.max_in_flight, InFlight()));
    bool queue_full = false;
    Status s = log.ReadAll(ro, [&](const EventView& e) {
      if (e.position != next) {
        Fail(Status::Corruption("kafka relay: the log skipped from position " + std::to_string(next) + " to " +
                                std::to_string(e.position)));
        return false;
      }
      // An allegation against someone who works with children is the LADO's record, read only
      // by the LADO team and auditors (workflows/own_record.hpp): never relayed.
      if (workflows::IsRestrictedRecordStream(e.stream)) {
        std::lock_guard<std::mutex> lk(mu);
        Advance(e.position);
        ++next;
        return true;
      }
      const Produced p = Produce(e);
      if (p != Produced::kOk) {
        queue_full = p == Produced::kQueueFull;
        return false;
      }
      ++next;
      return in_flight_bytes < opt.max_in_flight_bytes;
    });
    if (!s.ok()) Fail(s);
    return !queue_full;
  }

  void SaveCheckpoint(bool force) {
    const std::uint64_t d = Delivered();
    if (d == saved) return;
    const auto now = SteadyClock::now();
    if (!force && now - last_save < opt.checkpoint_interval) return;
    if (Status s = log.SetCheckpoint(opt.name, d); !s.ok()) {
      Fail(s);
      return;
    }
    saved = d;
    last_save = now;
  }

  void Run() {
    while (!stop.load() && !failed) {
      rd_kafka_poll(rk, 0);
      if (failed) break;
      SaveCheckpoint(false);
      if (failed) break;
      const std::uint64_t head = log.HeadPosition();
      if (next <= head && !WindowFull()) {
        SetState(RelayState::kRunning);
        if (!ReadBatch()) rd_kafka_poll(rk, 50);  // the local queue is full: let it drain
        continue;
      }
      if (WindowFull()) {  // backpressure: wait for delivery reports
        rd_kafka_poll(rk, 50);
        continue;
      }
      if (InFlight() > 0) {
        rd_kafka_poll(rk, 10);
        continue;
      }
      if (Delivered() == head) {
        SetState(RelayState::kCaughtUp);
        SaveCheckpoint(true);
        if (opt.stop_when_caught_up) break;
      }
      log.WaitForPosition(head, std::chrono::milliseconds(100));
    }
    Shutdown();
  }

  void Shutdown() {
    // Deliver what is in flight, within the bound; then give up on the rest (sent again later).
    const auto deadline = SteadyClock::now() + opt.stop_timeout;
    while (InFlight() > 0 && SteadyClock::now() < deadline) rd_kafka_flush(rk, 100);
    if (InFlight() > 0) {
      rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      const auto purge_deadline = SteadyClock::now() + std::chrono::seconds(2);
      while (InFlight() > 0 && SteadyClock::now() < purge_deadline) rd_kafka_poll(rk, 50);
    }
    SaveCheckpoint(true);
    rd_kafka_destroy(rk);
    rk = nullptr;
    Status error;
    {
      std::lock_guard<std::mutex> lk(mu);
      st.state = failed ? RelayState::kError : RelayState::kStopped;
      st.in_flight = 0;
      done.clear();
      finished = true;
      error = final_status;
    }
    finished_cv.notify_all();
    if (!error.ok() && opt.on_error) opt.on_error(error);
  }
};

Relay::Relay(EventLog& log, RelayOptions options) : impl_(std::make_unique<Impl>(log, std::move(options))) {}

Relay::~Relay() { Stop(); }

Status Relay::Start() {
  Impl& m = *impl_;
  if (m.started) return Status::Conflict("the kafka relay '" + m.opt.name + "' was already started");
  if (m.opt.brokers.empty()) return Status::InvalidArgument("brokers", "must name at least one broker (host:port)");
  if (m.opt.topic.empty()) return Status::InvalidArgument("topic", "must not be empty");
  if (m.opt.max_in_flight == 0) return Status::InvalidArgument("max_in_flight", "must be at least 1");
  if (m.opt.linger.count() < 0 || m.opt.message_timeout.count() < 0) {
    return Status::InvalidArgument("linger", "times must not be negative");
  }
  // Fresh: another relay with this name may have run since construction.
  std::uint64_t checkpoint = 0;
  if (auto cp = m.log.GetCheckpoint(m.opt.name); cp.ok()) {
    checkpoint = *cp;
  } else if (cp.status().IsInvalidArgument()) {
    return Status::InvalidArgument("name", cp.status().message());
  } else if (!cp.status().IsNotFound()) {
    return cp.status();
  }
  const std::uint64_t head = m.log.HeadPosition();
  if (checkpoint > head) {
    return Status::Conflict("the checkpoint '" + m.opt.name + "' is at position " + std::to_string(checkpoint) +
                            ", beyond the log's head " + std::to_string(head) +
                            ": this is not the log it relayed (relaying would skip events)");
  }
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (Status s = m.Configure(conf); !s.ok()) {
    rd_kafka_conf_destroy(conf);
    return s;
  }
  char errstr[512];
  m.rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!m.rk) {
    rd_kafka_conf_destroy(conf);
    return Status::InvalidArgument("brokers", std::string("cannot create the kafka producer: ") + errstr);
  }
  m.next = checkpoint + 1;
  m.saved = checkpoint;
  m.last_save = SteadyClock::now();
  {
    std::lock_guard<std::mutex> lk(m.mu);
    m.st.delivered_position = checkpoint;
    m.st.state = RelayState::kRunning;
    m.finished = false;
  }
  m.started = true;
  m.thread = std::thread([&m] { m.Run(); });
  return Status::Ok();
}

void Relay::Stop() {
  if (!impl_->thread.joinable()) return;
  impl_->stop = true;
  impl_->thread.join();
}

bool Relay::Wait(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lk(impl_->mu);
  return impl_->finished_cv.wait_for(lk, timeout, [&] { return impl_->finished; });
}

Status Relay::status() const {
  std::lock_guard<std::mutex> lk(impl_->mu);
  if (!impl_->construct_status.ok() && !impl_->started) return impl_->construct_status;
  return impl_->final_status;
}

RelayStats Relay::Stats() const {
  RelayStats s;
  {
    std::lock_guard<std::mutex> lk(impl_->mu);
    s = impl_->st;
  }
  s.head_position = impl_->log.HeadPosition();
  s.lag = s.head_position > s.delivered_position ? s.head_position - s.delivered_position : 0;
  return s;
}

std::string RelayMetricsText(const RelayStats& s) {
  const std::string labels = "{relay=\"" + EscapeLabel(s.name) + "\",topic=\"" + EscapeLabel(s.topic) + "\"}";
  std::ostringstream o;
  auto metric = [&](const char* name, const char* type, const char* help, std::uint64_t v) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n"
      << name << labels << " " << v << "\n";
  };
  metric("casetrail_kafka_relay_delivered_position", "gauge",
         "The relay's checkpoint: every event at or below this position is delivered to Kafka.",
         s.delivered_position);
  metric("casetrail_kafka_relay_head_position", "gauge", "The log's head position.", s.head_position);
  metric("casetrail_kafka_relay_lag_events", "gauge", "Events not yet delivered: head minus checkpoint.", s.lag);
  metric("casetrail_kafka_relay_in_flight", "gauge", "Events produced whose delivery is not yet reported.",
         s.in_flight);
  metric("casetrail_kafka_relay_events_total", "counter", "Successful delivery reports since the relay started.",
         s.relayed);
  metric("casetrail_kafka_relay_errors_total", "counter",
         "Permanent delivery errors and fatal producer errors (the relay stops).", s.errors);
  metric("casetrail_kafka_relay_client_errors_total", "counter",
         "Transient client errors (e.g. brokers down); librdkafka retries.", s.client_errors);
  o << "# HELP casetrail_kafka_relay_state The relay's state (1 for the current one).\n"
       "# TYPE casetrail_kafka_relay_state gauge\n";
  for (RelayState st : {RelayState::kStopped, RelayState::kRunning, RelayState::kCaughtUp, RelayState::kError}) {
    o << "casetrail_kafka_relay_state{relay=\"" << EscapeLabel(s.name) << "\",topic=\"" << EscapeLabel(s.topic)
      << "\",state=\"" << RelayStateName(st) << "\"} " << (s.state == st ? 1 : 0) << "\n";
  }
  return o.str();
}

Result<std::map<std::string, std::string>> LoadKafkaProperties(const std::string& path) {
  auto lines = ReadKeyValueFile(path, "kafka-config");
  if (!lines.ok()) return lines.status();
  std::map<std::string, std::string> props;
  for (auto& l : *lines) props[l.key] = std::move(l.value);
  return props;
}

}  // namespace casetrail::kafka
