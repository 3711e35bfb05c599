#include "engine/event_log.hpp"

#include <chrono>
#include <future>

#include "engine/detail/storage.hpp"

namespace casetrail {

TimestampUs SystemClockUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<AppendResult> EventLog::Append(AppendRequest request) {
  std::promise<Result<AppendResult>> done;
  auto fut = done.get_future();
  AppendAsync(std::move(request),
              [&done](Result<AppendResult> r) { done.set_value(std::move(r)); });
  return fut.get();
}

std::unique_ptr<EventLog> OpenMemoryEventLog(EventLogOptions options) {
  auto r = detail::OpenEventLogOnStorage(detail::NewMemoryStorage(), std::move(options));
  return std::move(r).value();  // memory storage cannot fail to open
}

Result<std::unique_ptr<EventLog>> OpenRocksEventLog(const std::string& path,
                                                    EventLogOptions options) {
  auto storage = detail::OpenRocksStorage(path, options.durable);
  if (!storage.ok()) return storage.status();
  return detail::OpenEventLogOnStorage(std::move(storage).value(), std::move(options));
}

}  // namespace casetrail
