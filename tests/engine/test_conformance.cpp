// One conformance suite, run against the in-memory log and the RocksDB log.
#include <mutex>
#include <thread>

#include "engine/detail/storage.hpp"
#include "tests/engine/test_util.hpp"

using namespace casetrail;
using namespace casetrail::testing;

#define LOG_TEST(name) TEMPLATE_TEST_CASE(name, "[engine][conformance]", MemoryLog, RocksLog)

LOG_TEST("an empty log has head 0, no events and no streams") {
  TestType f;
  auto log = f.Open();
  CHECK(log->HeadPosition() == 0);
  CHECK(AllEvents(*log).empty());
  auto rs = log->ReadStream("child-1", 1, Direction::kForward, 10);
  CHECK(rs.status().IsNotFound());
  auto info = log->GetStreamInfo("child-1");
  REQUIRE(info.ok());
  CHECK(info->last_version == 0);
  CHECK(log->ReadPosition(1).status().IsNotFound());
}

LOG_TEST("appends get gap-free positions and per-stream versions, and keep every field") {
  TestType f;
  auto log = f.Open();
  AppendRequest r = One("child-1", ExpectedVersion::NoStream(), "cmd-1");
  r.correlation_id = "corr-1";
  r.causation_id = "cause-1";
  r.events[0].journey = "child_protection";
  r.events[0].episode = "cp-1";
  r.events[0].machine_fingerprint = "abc123";
  r.events[0].from_state = "S47Enquiry";
  r.events[0].to_state = "IcpcPending";
  r.events[0].schema_version = 2;
  r.events[0].payload = R"({"outcome":"icpc","note":"caf\u00e9 \u2713"})";
  r.events[0].event_id = "6f1c2d8e-0000-4000-8000-000000000001";
  auto a = log->Append(r);
  REQUIRE(a.ok());
  CHECK(a->first_position == 1);
  CHECK(a->last_position == 1);
  CHECK(a->first_version == 1);
  CHECK_FALSE(a->duplicate);
  auto b = log->Append(One("child-2"));
  auto c = log->Append(One("child-1", ExpectedVersion::Exact(1)));
  REQUIRE(b.ok());
  REQUIRE(c.ok());
  CHECK(b->first_position == 2);
  CHECK(b->first_version == 1);
  CHECK(c->first_position == 3);
  CHECK(c->first_version == 2);
  CHECK(log->HeadPosition() == 3);

  auto e = log->ReadPosition(1);
  REQUIRE(e.ok());
  CHECK(e->stream == "child-1");
  CHECK(e->version == 1);
  CHECK(e->type == "test.happened");
  CHECK(e->schema_version == 2);
  CHECK(e->event_id == "6f1c2d8e-0000-4000-8000-000000000001");
  CHECK(e->command_id == "cmd-1");
  CHECK(e->correlation_id == "corr-1");
  CHECK(e->causation_id == "cause-1");
  CHECK(e->occurred_at == kBusinessTime);
  CHECK(e->recorded_at == a->recorded_at);
  CHECK(e->recorded_at > kBusinessTime);
  CHECK(e->actor == Actor{"sw.jones", "social_worker", "north-1"});
  CHECK(e->journey == "child_protection");
  CHECK(e->episode == "cp-1");
  CHECK(e->machine_fingerprint == "abc123");
  CHECK(e->from_state == "S47Enquiry");
  CHECK(e->to_state == "IcpcPending");
  CHECK(e->payload == r.events[0].payload);
  // The store generates a time-ordered UUID (version 7) when the caller gives no event id.
  auto e2 = log->ReadPosition(2);
  REQUIRE(e2.ok());
  CHECK(e2->event_id.size() == 36);
  CHECK(e2->event_id[14] == '7');
}

LOG_TEST("a multi-event append is atomic and consecutive") {
  TestType f;
  auto log = f.Open();
  REQUIRE(log->Append(One("child-9")).ok());
  auto a = log->Append(
      Append("child-1", {Event("a.one"), Event("a.two"), Event("a.three")}, ExpectedVersion::NoStream()));
  REQUIRE(a.ok());
  CHECK(a->first_position == 2);
  CHECK(a->last_position == 4);
  CHECK(a->first_version == 1);
  CHECK(a->last_version == 3);
  auto events = log->ReadStream("child-1", 1, Direction::kForward, 100);
  REQUIRE(events.ok());
  REQUIRE(events->size() == 3);
  CHECK((*events)[0].type == "a.one");
  CHECK((*events)[2].type == "a.three");
  CHECK((*events)[2].position == 4);
  // One bad event refuses the whole append.
  auto bad = log->Append(Append("child-1", {Event("b.one"), Event("b.two", "{not json")}));
  CHECK(bad.status().IsInvalidArgument());
  CHECK(bad.status().field() == "events[1].payload");
  CHECK(log->HeadPosition() == 4);
}

LOG_TEST("a stale expected version is a Conflict with the actual version, and writes nothing") {
  TestType f;
  auto log = f.Open();
  REQUIRE(log->Append(One("child-1", ExpectedVersion::NoStream())).ok());
  REQUIRE(log->Append(One("child-1", ExpectedVersion::Exact(1))).ok());

  auto again = log->Append(One("child-1", ExpectedVersion::NoStream()));
  REQUIRE(again.status().IsConflict());
  CHECK(again.status().actual_version() == std::optional<std::uint64_t>(2));
  CHECK_THAT(again.status().message(), Catch::Contains("actual version 2"));

  auto stale = log->Append(One("child-1", ExpectedVersion::Exact(1)));
  REQUIRE(stale.status().IsConflict());
  CHECK(stale.status().actual_version() == std::optional<std::uint64_t>(2));

  auto missing = log->Append(One("child-2", ExpectedVersion::StreamExists()));
  REQUIRE(missing.status().IsConflict());
  CHECK(missing.status().actual_version() == std::optional<std::uint64_t>(0));

  auto ahead = log->Append(One("child-2", ExpectedVersion::Exact(5)));
  CHECK(ahead.status().IsConflict());

  CHECK(log->HeadPosition() == 2);
  CHECK(AllEvents(*log).size() == 2);
  CHECK(log->GetStreamInfo("child-2")->last_version == 0);
  CHECK(log->Append(One("child-1", ExpectedVersion::Exact(2))).ok());
  CHECK(log->Append(One("child-1", ExpectedVersion::StreamExists())).ok());
}

LOG_TEST("a retried command id returns the original positions and writes no second copy") {
  TestType f;
  auto log = f.Open();
  auto first = log->Append(One("child-1", ExpectedVersion::NoStream(), "cmd-42"));
  REQUIRE(first.ok());
  REQUIRE(log->Append(One("child-1")).ok());
  // The retry carries the same (now stale) expected version: it is still answered as a retry.
  auto retry = log->Append(One("child-1", ExpectedVersion::NoStream(), "cmd-42"));
  REQUIRE(retry.ok());
  CHECK(retry->duplicate);
  CHECK(retry->first_position == first->first_position);
  CHECK(retry->last_position == first->last_position);
  CHECK(retry->first_version == 1);
  CHECK(retry->recorded_at == first->recorded_at);
  CHECK(log->HeadPosition() == 2);
  auto found = log->FindCommand("cmd-42");
  REQUIRE(found.ok());
  CHECK(found->first_position == first->first_position);
  CHECK(found->duplicate);
  CHECK(log->FindCommand("cmd-43").status().IsNotFound());
  // The same command id for a different request is refused.
  auto other = log->Append(Append("child-1", {Event("test.other")}, ExpectedVersion::Any(), "cmd-42"));
  REQUIRE(other.status().IsConflict());
  CHECK_THAT(other.status().message(), Catch::Contains("cmd-42"));
  CHECK(log->HeadPosition() == 2);
}

LOG_TEST("a retried event id returns the original positions, a partial overlap is refused") {
  TestType f;
  auto log = f.Open();
  auto first = log->Append(Append("child-1", {Event("a.x", "{}", "ev-1"), Event("a.y", "{}", "ev-2")}));
  REQUIRE(first.ok());
  auto retry = log->Append(Append("child-1", {Event("a.x", "{}", "ev-1"), Event("a.y", "{}", "ev-2")},
                                  ExpectedVersion::NoStream()));
  REQUIRE(retry.ok());
  CHECK(retry->duplicate);
  CHECK(retry->first_position == 1);
  CHECK(retry->last_position == 2);
  CHECK(retry->last_version == 2);
  auto partial = log->Append(Append("child-1", {Event("a.y", "{}", "ev-2"), Event("a.z", "{}", "ev-3")}));
  CHECK(partial.status().IsConflict());
  auto elsewhere = log->Append(Append("child-2", {Event("a.x", "{}", "ev-1")}));
  REQUIRE(elsewhere.status().IsConflict());
  CHECK_THAT(elsewhere.status().message(), Catch::Contains("position 1"));
  CHECK(log->HeadPosition() == 2);
}

LOG_TEST("retries inside one group commit are answered as duplicates") {
  TestType f;
  auto log = f.Open();
  std::vector<std::future<Result<AppendResult>>> futures;
  std::vector<std::promise<Result<AppendResult>>> promises(20);
  for (int i = 0; i < 20; ++i) {
    futures.push_back(promises[i].get_future());
    log->AppendAsync(One("child-1", ExpectedVersion::Any(), "same-cmd"),
                     [&promises, i](Result<AppendResult> r) { promises[i].set_value(std::move(r)); });
  }
  int originals = 0;
  for (auto& fu : futures) {
    auto r = fu.get();
    REQUIRE(r.ok());
    CHECK(r->first_position == 1);
    if (!r->duplicate) ++originals;
  }
  CHECK(originals == 1);
  CHECK(log->HeadPosition() == 1);
}

LOG_TEST("every event is SHA-256 chained to the previous event of its stream") {
  TestType f;
  auto log = f.Open();
  for (int i = 0; i < 5; ++i) {
    REQUIRE(log->Append(One("child-1")).ok());
    REQUIRE(log->Append(One("child-2")).ok());
  }
  for (const char* s : {"child-1", "child-2"}) {
    auto events = log->ReadStream(s, 1, Direction::kForward, 100);
    REQUIRE(events.ok());
    REQUIRE(events->size() == 5);
    CHECK((*events)[0].prev_hash == Hash256{});
    for (std::size_t i = 1; i < events->size(); ++i) {
      CHECK((*events)[i].prev_hash == (*events)[i - 1].hash);
      CHECK((*events)[i].hash != (*events)[i - 1].hash);
    }
    CHECK(log->GetStreamInfo(s)->head_hash == events->back().hash);
  }
  auto rep = log->Verify();
  REQUIRE(rep.ok());
  CHECK(rep->ok);
  CHECK(rep->events_checked == 10);
  CHECK(rep->streams_checked == 2);
}

LOG_TEST("a stream reads forward and backward from a version, within a count") {
  TestType f;
  auto log = f.Open();
  for (int i = 0; i < 10; ++i) {
    REQUIRE(log->Append(One("child-1")).ok());
    REQUIRE(log->Append(One("child-10")).ok());  // a stream whose name extends the first
  }
  auto fwd = log->ReadStream("child-1", 4, Direction::kForward, 3);
  REQUIRE(fwd.ok());
  REQUIRE(fwd->size() == 3);
  CHECK((*fwd)[0].version == 4);
  CHECK((*fwd)[2].version == 6);
  auto back = log->ReadStream("child-1", UINT64_MAX, Direction::kBackward, 4);
  REQUIRE(back.ok());
  REQUIRE(back->size() == 4);
  CHECK((*back)[0].version == 10);
  CHECK((*back)[3].version == 7);
  auto back_from = log->ReadStream("child-1", 2, Direction::kBackward, 100);
  REQUIRE(back_from.ok());
  REQUIRE(back_from->size() == 2);
  CHECK((*back_from)[0].version == 2);
  auto past_end = log->ReadStream("child-1", 11, Direction::kForward, 100);
  REQUIRE(past_end.ok());
  CHECK(past_end->empty());
  auto all = log->ReadStream("child-1", 1, Direction::kForward, 100);
  REQUIRE(all.ok());
  CHECK(all->size() == 10);
  for (const auto& e : *all) CHECK(e.stream == "child-1");
}

LOG_TEST("the global log reads from a position with type and stream filters") {
  TestType f;
  auto log = f.Open();
  for (int i = 0; i < 6; ++i) {
    REQUIRE(log->Append(Append("child-" + std::to_string(i % 2),
                               {Event(i % 3 == 0 ? "cp.plan_started" : "cin.visit_held")}))
                .ok());
  }
  std::vector<std::uint64_t> seen;
  ReadAllOptions o;
  o.from_position = 3;
  REQUIRE(log->ReadAll(o, [&](const EventView& v) {
                seen.push_back(v.position);
                return true;
              }).ok());
  CHECK(seen == std::vector<std::uint64_t>{3, 4, 5, 6});
  seen.clear();
  o.from_position = 1;
  o.type_prefix = "cp.";
  REQUIRE(log->ReadAll(o, [&](const EventView& v) {
                CHECK(v.type == "cp.plan_started");
                seen.push_back(v.position);
                return true;
              }).ok());
  CHECK(seen == std::vector<std::uint64_t>{1, 4});
  seen.clear();
  o.type_prefix.clear();
  o.stream_prefix = "child-1";
  o.max_count = 2;
  REQUIRE(log->ReadAll(o, [&](const EventView& v) {
                seen.push_back(v.position);
                return true;
              }).ok());
  CHECK(seen == std::vector<std::uint64_t>{2, 4});
}

LOG_TEST("WaitForPosition returns when a later event is committed, or at the timeout") {
  TestType f;
  auto log = f.Open();
  REQUIRE(log->Append(One("child-1")).ok());
  CHECK(log->WaitForPosition(0, std::chrono::milliseconds(1)) == 1);
  auto t0 = std::chrono::steady_clock::now();
  CHECK(log->WaitForPosition(1, std::chrono::milliseconds(50)) == 1);
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(45));
  Status appended;  // asserted on this thread: Catch2 v2's assertions are not thread-safe
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    appended = log->Append(One("child-1")).status();
  });
  const auto t1 = std::chrono::steady_clock::now();
  const std::uint64_t head = log->WaitForPosition(1, std::chrono::seconds(10));
  const auto waited = std::chrono::steady_clock::now() - t1;
  writer.join();
  REQUIRE(appended.ok());
  CHECK(head == 2);
  CHECK(waited < std::chrono::seconds(5));  // woken by the commit, not by the 10 s timeout
}

LOG_TEST("checkpoints are stored by name") {
  TestType f;
  auto log = f.Open();
  CHECK(log->GetCheckpoint("projection.summary").status().IsNotFound());
  REQUIRE(log->SetCheckpoint("projection.summary", 42).ok());
  CHECK(*log->GetCheckpoint("projection.summary") == 42);
  CHECK(log->SetCheckpoint("", 1).IsInvalidArgument());
}

LOG_TEST("snapshots are stored by name, replaced whole, and bounded") {
  TestType f;
  auto log = f.Open();
  CHECK(log->GetSnapshot("case.child-1").status().IsNotFound());
  std::string big(3000, 'x');
  big[17] = '\0';  // values are bytes
  REQUIRE(log->PutSnapshot("case.child-1", big).ok());
  CHECK(*log->GetSnapshot("case.child-1") == big);
  REQUIRE(log->PutSnapshot("case.child-1", "short").ok());
  CHECK(*log->GetSnapshot("case.child-1") == "short");
  Status empty = log->PutSnapshot("", "v");
  CHECK(empty.IsInvalidArgument());
  CHECK(empty.field() == "snapshot");
  CHECK(log->PutSnapshot("too.big", std::string(EventLog::kMaxSnapshotBytes + 1, 'y')).IsInvalidArgument());
  CHECK(log->HeadPosition() == 0);  // snapshots are not events
}

LOG_TEST("recorded_at never goes backwards, even when the clock does") {
  TestType f;
  std::atomic<TimestampUs> now{kBusinessTime + 1000000000};
  EventLogOptions o;
  o.clock = [&] { return now.load(); };
  auto log = f.Open(o);
  auto a = log->Append(One("child-1"));
  now -= 60000000;  // the clock steps back a minute
  auto b = log->Append(One("child-1"));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(b->recorded_at == a->recorded_at);
  CHECK(log->Stats().clock_regressions >= 1);
  now += 120000000;
  auto c = log->Append(One("child-1"));
  REQUIRE(c.ok());
  CHECK(c->recorded_at > b->recorded_at);
}

LOG_TEST("with recorded_at_submission each append records the clock it was submitted at") {
  TestType f;
  std::atomic<TimestampUs> now{kBusinessTime + 1000000000};
  EventLogOptions o;
  o.clock = [&] { return now.load(); };
  o.recorded_at_submission = true;
  auto log = f.Open(o);
  // 300 appends in flight at once, each submitted one second after the previous one; the log
  // groups them into commits, yet each keeps its own time.
  constexpr int kAppends = 300;
  std::vector<std::promise<Result<AppendResult>>> answers(kAppends);
  std::vector<TimestampUs> submitted(kAppends);
  for (int i = 0; i < kAppends; ++i) {
    submitted[static_cast<std::size_t>(i)] = now.load();
    log->AppendAsync(One("child-" + std::to_string(i % 7)), [&answers, i](Result<AppendResult> r) {
      answers[static_cast<std::size_t>(i)].set_value(std::move(r));
    });
    now += 1000000;
  }
  for (int i = 0; i < kAppends; ++i) {
    auto r = answers[static_cast<std::size_t>(i)].get_future().get();
    REQUIRE(r.ok());
    CHECK(r->first_position == static_cast<std::uint64_t>(i + 1));  // the order they were submitted in
    CHECK(r->recorded_at == submitted[static_cast<std::size_t>(i)]);
  }
  CHECK(log->Stats().clock_regressions == 0);
}

LOG_TEST("concurrent appends share group commits") {
  TestType f;
  auto log = f.Open();
  std::atomic<int> done{0};
  std::atomic<int> failed{0};
  for (int i = 0; i < 2000; ++i) {
    log->AppendAsync(One("child-" + std::to_string(i % 50)), [&](Result<AppendResult> r) {
      if (!r.ok()) ++failed;
      ++done;
    });
  }
  while (done.load() < 2000) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CHECK(failed == 0);
  LogStats s = log->Stats();
  CHECK(s.events == 2000);
  CHECK(s.commits < 2000);
  CHECK(s.max_batch_events > 1);
  CHECK(log->Verify()->ok);
}

LOG_TEST("appends after Close are refused as unavailable") {
  TestType f;
  auto log = f.Open();
  REQUIRE(log->Append(One("child-1")).ok());
  log->Close();
  CHECK(log->Append(One("child-1")).status().code() == Status::Code::kUnavailable);
}

namespace {

// Storage that fails the next N commits, to prove a failed write leaves no trace.
class FailingStorage final : public detail::Storage {
 public:
  explicit FailingStorage(std::unique_ptr<detail::Storage> inner) : inner_(std::move(inner)) {}
  std::atomic<int> fail_commits{0};
  Status Commit(const detail::CommitBatch& b, bool sync) override {
    if (fail_commits > 0) {
      --fail_commits;
      return Status::IOError("injected: disk full");
    }
    return inner_->Commit(b, sync);
  }
  Result<std::uint64_t> LastPosition() override { return inner_->LastPosition(); }
  Result<std::optional<detail::StreamMeta>> GetStreamMeta(const std::string& s) override {
    return inner_->GetStreamMeta(s);
  }
  Result<std::optional<std::uint64_t>> GetEventIdPosition(const std::string& id) override {
    return inner_->GetEventIdPosition(id);
  }
  Result<std::optional<detail::CommandRecord>> GetCommand(const std::string& id) override {
    return inner_->GetCommand(id);
  }
  Result<std::optional<std::string>> GetEvent(std::uint64_t p) override { return inner_->GetEvent(p); }
  Status GetEvents(const std::vector<std::uint64_t>& p,
                   std::vector<std::optional<std::string>>* out) override {
    return inner_->GetEvents(p, out);
  }
  Status ScanEvents(std::uint64_t a, std::uint64_t b,
                    const std::function<bool(std::uint64_t, std::string_view)>& fn) override {
    return inner_->ScanEvents(a, b, fn);
  }
  Status ScanStream(const std::string& s, std::uint64_t v, Direction d,
                    const std::function<bool(std::uint64_t, std::uint64_t)>& fn) override {
    return inner_->ScanStream(s, v, d, fn);
  }
  Status ScanStreamIndex(
      const std::function<bool(std::string_view, std::uint64_t, std::uint64_t)>& fn) override {
    return inner_->ScanStreamIndex(fn);
  }
  Status ScanStreamMetas(
      const std::function<bool(std::string_view, const detail::StreamMeta&)>& fn) override {
    return inner_->ScanStreamMetas(fn);
  }
  Status PutCheckpoint(const std::string& n, std::uint64_t p) override {
    return inner_->PutCheckpoint(n, p);
  }
  Result<std::optional<std::uint64_t>> GetCheckpoint(const std::string& n) override {
    return inner_->GetCheckpoint(n);
  }
  Status PutSnapshot(const std::string& n, std::string_view v) override { return inner_->PutSnapshot(n, v); }
  Result<std::optional<std::string>> GetSnapshot(const std::string& n) override {
    return inner_->GetSnapshot(n);
  }
  void Close() override { inner_->Close(); }

 private:
  std::unique_ptr<detail::Storage> inner_;
};

}  // namespace

TEST_CASE("a failed storage write acknowledges nothing and leaves no gap", "[engine][fault]") {
  auto storage = std::make_unique<FailingStorage>(detail::NewMemoryStorage());
  FailingStorage* fs = storage.get();
  auto log = std::move(detail::OpenEventLogOnStorage(std::move(storage), {})).value();
  REQUIRE(log->Append(One("child-1", ExpectedVersion::Any(), "cmd-1")).ok());
  fs->fail_commits = 1;
  auto failed = log->Append(One("child-1", ExpectedVersion::Exact(1), "cmd-2"));
  REQUIRE(failed.status().IsIOError());
  CHECK(log->HeadPosition() == 1);
  CHECK(log->GetStreamInfo("child-1")->last_version == 1);
  // The same command can be retried and now succeeds at the next position and version.
  auto retried = log->Append(One("child-1", ExpectedVersion::Exact(1), "cmd-2"));
  REQUIRE(retried.ok());
  CHECK_FALSE(retried->duplicate);
  CHECK(retried->first_position == 2);
  CHECK(retried->first_version == 2);
  CHECK(log->Verify()->ok);
}

TEST_CASE("a failed write with batches in flight leaves the log gap-free and the answers true",
          "[engine][fault]") {
  auto storage = std::make_unique<FailingStorage>(detail::NewMemoryStorage());
  FailingStorage* fs = storage.get();
  auto log = std::move(detail::OpenEventLogOnStorage(std::move(storage), {})).value();
  constexpr int kAppends = 3000;
  std::mutex mu;
  std::vector<AppendResult> acked;
  std::atomic<int> failed{0}, done{0};
  for (int i = 0; i < kAppends; ++i) {
    if (i == kAppends / 3 || i == 2 * kAppends / 3) fs->fail_commits = 1;
    log->AppendAsync(One("child-" + std::to_string(i % 17)), [&](Result<AppendResult> r) {
      if (r.ok()) {
        std::lock_guard<std::mutex> lk(mu);
        acked.push_back(*r);
      } else {
        CHECK(r.status().IsIOError());
        ++failed;
      }
      ++done;
    });
  }
  while (done.load() < kAppends) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CHECK(failed > 0);
  CHECK(acked.size() + failed == kAppends);
  CHECK(log->HeadPosition() == acked.size());
  for (const auto& a : acked) {
    auto e = log->ReadPosition(a.first_position);
    REQUIRE(e.ok());
    CHECK(e->stream == a.stream);
    CHECK(e->version == a.first_version);
  }
  auto rep = log->Verify();
  REQUIRE(rep.ok());
  CHECK(rep->ok);
  CHECK(rep->events_checked == acked.size());
}
