// casetrail serve (the HTTP API until SIGTERM or SIGINT) and casetrail token (a new API token).
#include <pthread.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "adapters/cli/commands.hpp"
#include "adapters/cli/relay_command.hpp"
#include "adapters/key_value_file.hpp"
#include "adapters/http/server.hpp"
#include "adapters/http/tokens.hpp"
#include "workflows/case_service.hpp"

namespace casetrail::cli {
namespace {

// The demo users of `serve --demo`, one per kind of user of the API, and two of the simulated
// caseload's allocated workers (the simulator names a team's workers "<role>.<team>.<n>"), who
// have children of their own on a simulated caseload (GET /v1/caseload?team=north-1).
const std::vector<http::Principal> kDemoUsers = {
    {"sw.jones", "social_worker", "north-1"}, {"tm.khan", "team_manager", "north-1"},
    {"cass.adams", "cass_worker", "north-1"},  {"chair.lee", "cp_chair", "safeguarding"}, {"legal.ng", "legal", "legal"},
    {"cpo.brown", "case_progression_officer", "legal"}, {"audit.reid", "auditor", "audit"},
    {"relay.svc", "subscriber", "integration"}, {"ops.admin", "admin", "operations"},
    {"lado.patel", "lado_officer", "lado"}, {"fw.ali", "fostering_worker", "fostering"},
    {"social_worker.north-1.1", "social_worker", "north-1"}, {"early_help_worker.north-1.1", "early_help_worker", "north-1"},
};

// A whole-number setting in [lo, hi] (io-threads, max-body-bytes, ...).
struct Tuning {
  std::uint64_t value, lo, hi;
  CLI::Option* option = nullptr;
};

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  std::string tokens;  // default DIR/tokens
  std::string ui;      // the web UI's files (none by default)
  std::string config;
  bool demo = false;
  KafkaArgs kafka;
  std::map<std::string, Tuning> tuning = {
      {"io-threads", {2, 1, 64}},
      {"worker-threads", {64, 1, 1024}},
      {"max-body-bytes", {1 << 20, 1024, 64 << 20}},
      {"read-timeout-seconds", {30, 1, 3600}},
      {"subscriber-buffer-bytes", {4 << 20, 64 << 10, 1 << 30}},
      {"max-subscribers", {1024, 1, 100000}},
      {"heartbeat-seconds", {15, 1, 300}},
      {"cache-children", {workflows::CaseService::kDefaultCacheChildren, 1, 100000000}},
      {"tick-seconds", {60, 0, 86400}},
      {"due-soon-working-days", {3, 0, 20}},
      {"session-hours", {8, 1, 24 * 30}},
  };
  // The options a config file may set too: name -> (where it goes, the option).
  std::map<std::string, std::pair<std::string*, CLI::Option*>> texts;
};

Status WholeNumber(const std::string& key, const std::string& v, Tuning* t) {
  if (v.empty() || v.size() > 12 || v.find_first_not_of("0123456789") != std::string::npos || std::stoull(v) < t->lo ||
      std::stoull(v) > t->hi) {
    return Status::InvalidArgument(key, "must be a whole number from " + std::to_string(t->lo) + " to " +
                                            std::to_string(t->hi));
  }
  t->value = std::stoull(v);
  return Status::Ok();
}

// serve --config FILE: "key = value" lines (adapters/key_value_file.hpp) for serve's options and
// the tuning settings. An option given on the command line wins over the file.
Status ApplyConfig(ServeOptions* o) {
  if (o->config.empty()) return Status::Ok();
  auto lines = ReadKeyValueFile(o->config, "config");
  if (!lines.ok()) return lines.status();
  for (const auto& l : *lines) {
    const std::string where = o->config + ":" + std::to_string(l.line);
    if (auto t = o->tuning.find(l.key); t != o->tuning.end()) {
      if (t->second.option->count() > 0) continue;
      if (Status s = WholeNumber(l.key, l.value, &t->second); !s.ok()) return s;
    } else if (auto x = o->texts.find(l.key); x != o->texts.end()) {
      if (x->second.second->count() == 0) *x->second.first = l.value;
    } else {
      return Status::InvalidArgument(where, "'" + l.key + "' is not a serve setting");
    }
  }
  return Status::Ok();
}

// The web UI installed with the binary: `ui` beside it (a build tree: build/casetrail and
// build/ui, scripts/build.sh) or ../share/casetrail/ui (cmake --install); empty if neither has
// an index.html.
std::string DefaultUiDir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  for (const auto& dir : {exe.parent_path() / "ui", exe.parent_path().parent_path() / "share" / "casetrail" / "ui"}) {
    if (std::filesystem::is_regular_file(dir / "index.html", ec)) return dir.string();
  }
  return {};
}

int Serve(Session& s, ServeOptions& o) {
  if (Status st = ApplyConfig(&o); !st.ok()) return Fail(st, false);
  const auto colon = o.listen.rfind(':');
  http::ServerOptions so;
  so.address = o.listen.substr(0, colon);
  const std::string port = colon == std::string::npos ? "" : o.listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) > 65535) {
    std::cerr << "error: --listen must be ADDRESS:PORT (got '" << o.listen << "')\n";
    return 3;
  }
  so.port = static_cast<std::uint16_t>(std::stoi(port));
  http::ApiOptions ao;
  auto tune = [&](const char* key) { return o.tuning.at(key).value; };
  so.io_threads = static_cast<int>(tune("io-threads"));
  so.worker_threads = static_cast<int>(tune("worker-threads"));
  so.max_body_bytes = ao.max_body_bytes = tune("max-body-bytes");
  so.read_timeout = std::chrono::seconds(tune("read-timeout-seconds"));
  ao.subscriptions.max_buffer_bytes = tune("subscriber-buffer-bytes");
  ao.subscriptions.max_subscribers = tune("max-subscribers");
  ao.subscriptions.default_heartbeat = std::chrono::seconds(tune("heartbeat-seconds"));
  ao.cache_children = tune("cache-children");
  ao.tick_interval = std::chrono::seconds(tune("tick-seconds"));
  ao.due_soon_working_days = static_cast<int>(tune("due-soon-working-days"));
  ao.session_lifetime = std::chrono::hours(tune("session-hours"));
  if (o.ui.empty()) o.ui = DefaultUiDir();
  if (o.ui == "none") o.ui.clear();
  if (!o.ui.empty()) {
    if (!std::filesystem::is_directory(o.ui)) {
      std::cerr << "error: --ui: '" << o.ui << "' is not a directory\n";
      return 3;
    }
    ao.ui_dir = o.ui;
  }
  const std::string tokens_file =
      o.tokens.empty() ? (std::filesystem::path(s.options.data) / "tokens").string() : o.tokens;
  if (o.demo) {
    if (Demo(s) != 0) return 1;
    if (!std::filesystem::exists(tokens_file)) {
      std::ofstream out(tokens_file);
      out << "# casetrail demo tokens (serve --demo): hash user role team\n";
      std::cout << "demo tokens (written as salted hashes to " << tokens_file << "; shown only now):\n";
      for (const auto& p : kDemoUsers) {
        auto [token, line] = http::Tokens::Make(p);
        out << line << "\n";
        std::cout << "  " << p.role << " " << p.user << " (" << p.team << "): " << token << "\n";
      }
      if (!out) {
        std::cerr << "error: cannot write " << tokens_file << "\n";
        return 1;
      }
    }
  }
  http::Tokens tokens(tokens_file);
  if (std::filesystem::exists(tokens_file)) {
    if (Status st = tokens.Reload(); !st.ok()) {
      std::cerr << "error: " << st.ToString() << "\n";
      return 3;
    }
  } else {
    std::cerr << "warning: no tokens file " << tokens_file
              << ": every request except /health and /metrics will be refused (see 'casetrail token')\n";
  }
  // Block SIGINT/SIGTERM in every thread; the main thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto relay = StartServeRelay(s.log, o.kafka);  // after the mask: its threads inherit it
  if (!relay.ok()) return Fail(relay.status(), false);
  http::Api api(s.log, s.rules, tokens, ao);
  if (*relay) {
    kafka::Relay* r = relay->get();
    api.SetExtraMetrics([r] { return kafka::RelayMetricsText(r->Stats()); });
  }
  http::Server server(api, so);
  if (Status st = server.Start(); !st.ok()) {
    std::cerr << "error: " << st.ToString() << "\n";
    return 1;
  }
  std::cout << "casetrail serving http://" << so.address << ":" << server.port() << " on the event log in "
            << s.options.data << " (head position " << s.log.HeadPosition() << "); try: curl http://" << so.address
            << ":" << server.port() << "/health" << std::endl;
  if (!o.ui.empty()) {
    std::cout << "web UI: http://" << so.address << ":" << server.port() << "/ (sign in with a token; files from "
              << o.ui << ")" << std::endl;
  }
  int sig = 0;
  sigwait(&signals, &sig);
  std::cout << "stopping (signal " << sig << "): draining requests in flight" << std::endl;
  server.Stop();
  if (*relay) (*relay)->Stop();
  s.log.Close();
  std::cout << "stopped" << std::endl;
  return 0;
}

void AddServe(CLI::App& app, Registry& r) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* c = app.add_subcommand("serve", "the HTTP API (docs/api.md) until SIGTERM or SIGINT, which drain "
                                            "in-flight requests");
  c->footer("--config FILE: \"key = value\" lines for listen, tokens, the kafka- options and the tuning settings;\n"
            "an option given on the command line wins. Relay to Kafka too: --kafka-brokers and --kafka-topic\n"
            "(docs/kafka.md).");
  auto text = [&](const std::string& name, std::string* where, const std::string& what) {
    o->texts[name] = {where, c->add_option("--" + name, *where, what)};
    return o->texts[name].second;
  };
  text("listen", &o->listen, "the address (default 127.0.0.1:8080)")->type_name("ADDR:PORT");
  text("tokens", &o->tokens, "the tokens file (default DIR/tokens)")->type_name("FILE");
  text("ui", &o->ui, "the web UI's files, served at / and /ui/ (default: the ui directory installed with the "
                    "binary; none: no UI)")->type_name("DIR");
  c->add_flag("--demo", o->demo,
              "load the demo history into an empty log and, if the tokens file does not exist, write demo "
              "tokens to it and print them");
  c->add_option("--config", o->config, "settings file")->type_name("FILE");
  text("kafka-brokers", &o->kafka.brokers, "also relay every event to Kafka")->type_name("HOST:PORT");
  text("kafka-topic", &o->kafka.topic, "the relay's topic")->type_name("T");
  text("kafka-name", &o->kafka.name, "the relay's checkpoint (default kafka-relay)")->type_name("N");
  text("kafka-config", &o->kafka.config, "librdkafka properties, key=value per line")->type_name("FILE");
  for (auto& [key, t] : o->tuning) {
    t.option = c->add_option("--" + key, t.value, "tuning (" + std::to_string(t.lo) + " to " + std::to_string(t.hi) + ")")
                   ->check(CLI::Range(t.lo, t.hi))
                   ->group("Tuning");
  }
  r.On(c, [o](Session& s) { return Serve(s, *o); });
}

struct TokenOptions {
  std::string user, role, team;
};

void AddToken(CLI::App& app, Registry& r) {
  auto o = std::make_shared<TokenOptions>();
  CLI::App* c = app.add_subcommand("token", "a new API token: prints it once, and the line for the tokens file");
  c->add_option("--user", o->user, "the user")->required();
  c->add_option("--role", o->role, "the user's role")->required();
  c->add_option("--team", o->team, "the user's team")->required();
  r.OnWithoutLog(c, [o](const GlobalOptions& g) {
    if (o->role == "system") {
      return Fail(Status::InvalidArgument("role", "'system' is the engine's own role (its scheduler); no token may have it"),
                  g.json);
    }
    auto [token, line] = http::Tokens::Make({o->user, o->role, o->team});
    std::cout << "token (shown once; give it to " << o->user << "): " << token << "\nline for the tokens file:\n"
              << line << "\n";
    return 0;
  });
}

}  // namespace

void AddServeCommands(CLI::App& app, Registry& r) {
  AddServe(app, r);
  AddToken(app, r);
}

}  // namespace casetrail::cli
