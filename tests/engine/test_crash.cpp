// kill -9 at random moments: every acknowledged event survives, positions stay gap-free, and
// verify passes. Tagged [slow]: it runs under the "fault" ctest label (CI runs it too).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <sstream>

#include "tests/engine/test_util.hpp"

using namespace casetrail;
using namespace casetrail::testing;

namespace {

struct Ack {
  std::uint64_t position;
  std::string stream;
  std::uint64_t version;
  std::string event_id;
};

// Runs crash_writer, lets it write for `run_for`, kills it with SIGKILL and returns its ACKs.
std::vector<Ack> RunAndKill(const std::string& dir, const std::string& prefix,
                            std::chrono::milliseconds run_for) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execl(CASETRAIL_CRASH_WRITER, "crash_writer", dir.c_str(), "4", prefix.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[65536];
  const auto deadline = std::chrono::steady_clock::now() + run_for;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  bool killed = false;
  for (;;) {
    auto now = std::chrono::steady_clock::now();
    // Kill once the time is up and at least one append was acknowledged (opening takes a moment).
    if (!killed && ((now >= deadline && out.find("ACK") != std::string::npos) || now >= give_up)) {
      kill(pid, SIGKILL);
      killed = true;
    }
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, 5) > 0) {
      ssize_t n = read(fds[0], buf, sizeof buf);
      if (n <= 0) break;  // EOF: the process is gone
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  std::vector<Ack> acks;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // a line cut by the kill has no newline: it was not acknowledged
    std::istringstream ls(line);
    std::string tag;
    Ack a;
    ls >> tag >> a.position >> a.stream >> a.version >> a.event_id;
    if (tag == "ACK") acks.push_back(a);
  }
  return acks;
}

}  // namespace

TEST_CASE("acknowledged durable appends survive kill -9 at random moments", "[engine][crash][slow]") {
  TempDir dir;
  std::mt19937 rng(20261123);
  std::vector<Ack> all_acks;
  constexpr int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    auto run_for = std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 300)(rng));
    auto acks = RunAndKill(dir.str(), "r" + std::to_string(round), run_for);
    INFO("round " << round << ", " << acks.size() << " acks");
    REQUIRE_FALSE(acks.empty());
    all_acks.insert(all_acks.end(), acks.begin(), acks.end());

    auto log = std::move(OpenRocksEventLog(dir.str())).value();
    // Every acknowledged event of every round is there, where it was acknowledged.
    for (const Ack& a : all_acks) {
      auto e = log->ReadPosition(a.position);
      REQUIRE(e.ok());
      CHECK(e->stream == a.stream);
      CHECK(e->version == a.version);
      CHECK(e->event_id == a.event_id);
    }
    // Positions are gap-free up to the head, and the chains verify.
    std::uint64_t expect = 1;
    REQUIRE(log->ReadAll({}, [&](const EventView& v) {
                  CHECK(v.position == expect);
                  ++expect;
                  return true;
                }).ok());
    CHECK(expect - 1 == log->HeadPosition());
    CHECK(log->HeadPosition() >= all_acks.size());
    auto rep = log->Verify();
    REQUIRE(rep.ok());
    CHECK(rep->ok);
    // Idempotency survived the crash: the last acknowledged event is recognised.
    const Ack& last = acks.back();
    AppendRequest retry;
    retry.stream = last.stream;
    EventData ev;
    ev.type = "test.crash_probe";
    ev.event_id = last.event_id;
    ev.occurred_at = SystemClockUs() - 1000000;
    retry.events.push_back(ev);
    auto dup = log->Append(retry);
    REQUIRE(dup.ok());
    CHECK(dup->duplicate);
    CHECK(dup->first_position == last.position);
  }
}
