// EventLog::Verify, shared by every storage backend (verify.cpp).
#pragma once

#include <cstdint>

#include "engine/detail/storage.hpp"
#include "engine/event_log.hpp"

namespace casetrail::detail {

// Pass 1: every event up to the log's end in position order: present, readable, chained, hashed,
// and the log reaches `head`. Pass 2: the stream index holds exactly the (version, position)
// pairs of the events. Pass 3: each stream's metadata (last version, last position, head hash)
// matches its events. The report names the first damage found.
Result<VerifyReport> VerifyStorage(Storage& storage, std::uint64_t head);

}  // namespace casetrail::detail
