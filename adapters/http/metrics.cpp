// What /metrics says: requests by route (the route table's labels) and status, time per route,
// the log's counters, the subscription hub's, and whatever SetExtraMetrics adds.
#include <map>
#include <mutex>
#include <sstream>

#include "adapters/http/api.hpp"

namespace casetrail::http {

void Api::SetExtraMetrics(std::function<std::string()> extra) {
  std::lock_guard<std::mutex> lk(extra_mu_);
  extra_metrics_ = std::move(extra);
}

void Api::Count(const std::string& route, int status, std::chrono::steady_clock::time_point start) {
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::lock_guard<std::mutex> lk(counters_->mu);
  ++counters_->requests[{route, status}];
  counters_->seconds[route] += secs;
}

Response Api::ServeMetrics(const Call&) {
  Response res;
  res.content_type = "text/plain; version=0.0.4";
  res.body = Metrics();
  return res;
}

std::string Api::Metrics() const {
  std::ostringstream o;
  o << "# HELP casetrail_http_requests_total HTTP requests by route and status.\n"
       "# TYPE casetrail_http_requests_total counter\n";
  std::map<std::string, std::uint64_t> by_route;
  std::map<std::string, double> seconds;
  {
    std::lock_guard<std::mutex> lk(counters_->mu);
    for (const auto& [key, n] : counters_->requests) {
      o << "casetrail_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second << "\"} " << n << "\n";
      by_route[key.first] += n;
    }
    seconds = counters_->seconds;
  }
  o << "# HELP casetrail_http_request_seconds Time spent answering, by route.\n"
       "# TYPE casetrail_http_request_seconds summary\n";
  for (const auto& [route, s] : seconds) {
    o << "casetrail_http_request_seconds_sum{route=\"" << route << "\"} " << s << "\n";
    o << "casetrail_http_request_seconds_count{route=\"" << route << "\"} " << by_route[route] << "\n";
  }
  const LogStats st = log_.Stats();
  o << "# TYPE casetrail_log_appends_total counter\ncasetrail_log_appends_total " << st.appends << "\n";
  o << "# TYPE casetrail_log_events_total counter\ncasetrail_log_events_total " << st.events << "\n";
  o << "# HELP casetrail_log_commits_total Group commits (one WAL write and fsync each when durable).\n"
       "# TYPE casetrail_log_commits_total counter\ncasetrail_log_commits_total " << st.commits << "\n";
  o << "# HELP casetrail_log_commit_batch_events_max The largest group commit, in events.\n"
       "# TYPE casetrail_log_commit_batch_events_max gauge\ncasetrail_log_commit_batch_events_max "
    << st.max_batch_events << "\n";
  o << "# TYPE casetrail_log_head_position gauge\ncasetrail_log_head_position " << log_.HeadPosition() << "\n";
  const HubStats hs = hub_.Stats();
  o << "# HELP casetrail_subscribers Open subscriptions (SSE), and of them those that have caught up.\n"
       "# TYPE casetrail_subscribers gauge\ncasetrail_subscribers " << hs.subscribers << "\n"
    << "# TYPE casetrail_subscribers_live gauge\ncasetrail_subscribers_live " << hs.live << "\n";
  o << "# HELP casetrail_subscriber_lag_max Events between the head and the slowest open subscriber.\n"
       "# TYPE casetrail_subscriber_lag_max gauge\ncasetrail_subscriber_lag_max " << hs.max_lag << "\n";
  o << "# TYPE casetrail_subscription_events_sent_total counter\ncasetrail_subscription_events_sent_total "
    << hs.frames_sent << "\n";
  o << "# HELP casetrail_subscriber_overflows_total Subscribers ended because their buffer was full.\n"
       "# TYPE casetrail_subscriber_overflows_total counter\ncasetrail_subscriber_overflows_total " << hs.overflows << "\n";
  if (ticker_) {
    const auto ts = ticker_->stats();
    o << "# HELP casetrail_scheduler_ticks_total Scheduler ticks (scheduler/scheduler.hpp).\n"
         "# TYPE casetrail_scheduler_ticks_total counter\ncasetrail_scheduler_ticks_total " << ts.ticks << "\n";
    o << "# HELP casetrail_scheduler_events_total Time-driven commands by result: written, already written, "
         "overtaken (met or moved first), error.\n# TYPE casetrail_scheduler_events_total counter\n"
      << "casetrail_scheduler_events_total{result=\"written\"} " << ts.written << "\n"
      << "casetrail_scheduler_events_total{result=\"already\"} " << ts.already << "\n"
      << "casetrail_scheduler_events_total{result=\"overtaken\"} " << ts.overtaken << "\n"
      << "casetrail_scheduler_events_total{result=\"error\"} " << ts.errors << "\n";
    o << "# HELP casetrail_scheduler_last_tick_seconds The last tick's time to find and to write its events.\n"
         "# TYPE casetrail_scheduler_last_tick_seconds gauge\n"
      << "casetrail_scheduler_last_tick_seconds{phase=\"find\"} " << ts.last_find_seconds << "\n"
      << "casetrail_scheduler_last_tick_seconds{phase=\"write\"} " << ts.last_write_seconds << "\n";
  }
  {
    std::lock_guard<std::mutex> lk(extra_mu_);
    if (extra_metrics_) o << extra_metrics_();
  }
  return o.str();
}

}  // namespace casetrail::http
