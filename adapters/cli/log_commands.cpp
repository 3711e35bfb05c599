// The commands on the log itself: read (one stream), log (the global log), info, head, verify.
#include <cstdio>
#include <iostream>
#include <memory>

#include "adapters/cli/commands.hpp"
#include "adapters/json/event_json.hpp"
#include "replay/projections.hpp"

namespace casetrail::cli {
namespace {

using Json = nlohmann::json;
namespace cj = casetrail::json;

void PrintHeader(const Session& s) {
  if (!s.json()) {
    std::printf("%8s  %-22s %-5s %-28s %-10s  %s\n", "position", "stream", "ver", "type", "occurred", "actor / payload");
  }
}

void PrintEvent(const Session& s, const RecordedEvent& e) {
  if (s.json()) {
    std::cout << cj::ToJson(e).dump() << "\n";
    return;
  }
  const std::string payload = e.payload.size() > 60 ? e.payload.substr(0, 57) + "..." : e.payload;
  std::printf("%8llu  %-22s v%-4llu %-28s %s  by %s (%s)  %s\n", static_cast<unsigned long long>(e.position),
              e.stream.c_str(), static_cast<unsigned long long>(e.version), e.type.c_str(),
              cj::FormatTime(e.occurred_at).substr(0, 10).c_str(), e.actor.user.c_str(), e.actor.role.c_str(),
              payload.c_str());
}

struct ReadOptions {
  std::string stream;
  std::uint64_t from = 0;  // 0: the first (or, backward, the last) version
  bool backward = false;
  std::uint64_t limit = 1000;
};

struct LogOptions {
  std::uint64_t from = 1;
  std::string type_prefix, stream_prefix;
  std::uint64_t limit = 1000;
};

// The projection half of verify: every sealed checkpoint against the log. Returns false if one
// is inconsistent (and prints it); nothing is printed for unsealed projections.
Result<bool> VerifyProjections(Session& s) {
  bool ok = true;
  replay::ProjectionRunner runner(s.log);
  for (const auto& fresh : replay::MakeProjections()) {
    auto check = runner.Verify(*fresh);
    if (!check.ok()) return check.status();
    if (!check->sealed) continue;
    ok &= check->ok;
    if (s.json()) {
      std::cout << Json{{"projection", check->name}, {"position", check->position}, {"ok", check->ok},
                        {"reason", check->reason}}
                       .dump()
                << "\n";
    } else if (check->ok) {
      std::cout << "projection " << check->name << " sealed at position " << Thousands(check->position)
                << ": consistent with the log\n";
    } else {
      std::cout << "INCONSISTENT: projection " << check->name << ": " << check->reason << "\n";
    }
  }
  return ok;
}

}  // namespace

int Verify(Session& s) {
  auto rep = s.log.Verify();
  if (!rep.ok()) return s.Fail(rep.status());
  if (s.json()) {
    std::cout << cj::ToJson(*rep).dump() << "\n";
  } else if (rep->ok) {
    std::cout << "verified: " << rep->events_checked << " events in " << rep->streams_checked
              << " streams; every hash chain and index is intact (head " << rep->head_position << ")\n";
  } else {
    std::cout << "BROKEN: stream '" << rep->broken_stream << "' version " << rep->broken_version << " at position "
              << rep->broken_position << ": " << rep->reason << "\n";
  }
  if (!rep->ok) return 6;
  auto projections = VerifyProjections(s);
  if (!projections.ok()) return s.Fail(projections.status());
  return *projections ? 0 : 6;
}

void AddLogCommands(CLI::App& app, Registry& r) {
  auto ro = std::make_shared<ReadOptions>();
  CLI::App* read = app.add_subcommand("read", "events of one stream");
  read->add_option("--stream", ro->stream, "the stream")->required();
  read->add_option("--from", ro->from, "the first version to read (default: the first, or the last with --backward)")
      ->type_name("V");
  read->add_flag("--backward", ro->backward, "newest first");
  read->add_option("--limit", ro->limit, "at most N events (default 1000)")->type_name("N");
  r.On(read, [ro](Session& s) {
    const std::uint64_t from = ro->from != 0 ? ro->from : (ro->backward ? UINT64_MAX : 1);
    auto events = s.log.ReadStream(ro->stream, from, ro->backward ? Direction::kBackward : Direction::kForward,
                                   ro->limit);
    if (!events.ok()) return s.Fail(events.status());
    PrintHeader(s);
    for (const auto& e : *events) PrintEvent(s, e);
    return 0;
  });

  auto lo = std::make_shared<LogOptions>();
  CLI::App* log = app.add_subcommand("log", "the global log in position order");
  log->add_option("--from", lo->from, "the first position (default 1)")->type_name("P");
  log->add_option("--type-prefix", lo->type_prefix, "only events whose type starts with X")->type_name("X");
  log->add_option("--stream-prefix", lo->stream_prefix, "only events whose stream starts with X")->type_name("X");
  log->add_option("--limit", lo->limit, "at most N events (default 1000)")->type_name("N");
  r.On(log, [lo](Session& s) {
    ReadAllOptions o;
    o.from_position = lo->from;
    o.max_count = lo->limit;
    o.type_prefix = lo->type_prefix;
    o.stream_prefix = lo->stream_prefix;
    PrintHeader(s);
    Status st = s.log.ReadAll(o, [&](const EventView& v) {
      PrintEvent(s, v.ToRecorded());
      return true;
    });
    return st.ok() ? 0 : s.Fail(st);
  });

  auto stream = std::make_shared<std::string>();
  CLI::App* info = app.add_subcommand("info", "a stream's last version, position and chain head");
  info->add_option("--stream", *stream, "the stream")->required();
  r.On(info, [stream](Session& s) {
    auto i = s.log.GetStreamInfo(*stream);
    if (!i.ok()) return s.Fail(i.status());
    if (i->last_version == 0) return s.Fail(Status::NotFound("stream '" + i->stream + "' does not exist"));
    Json j = {{"stream", i->stream},
              {"last_version", i->last_version},
              {"last_position", i->last_position},
              {"head_hash", HexOf(i->head_hash)}};
    std::cout << (s.json() ? j.dump() : j.dump(2)) << "\n";
    return 0;
  });

  r.On(app.add_subcommand("head", "the highest committed position"), [](Session& s) {
    if (s.json()) {
      std::cout << Json{{"head_position", s.log.HeadPosition()}}.dump() << "\n";
    } else {
      std::cout << s.log.HeadPosition() << "\n";
    }
    return 0;
  });
  r.On(app.add_subcommand("verify", "recompute every hash chain, check the indexes, and check every sealed "
                                    "projection checkpoint against the log"),
       Verify);
}

}  // namespace casetrail::cli
