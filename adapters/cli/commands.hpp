// The casetrail command line: how a command is declared (CLI11) and what it runs with.
//
// main.cpp builds one CLI::App; each subject file adds its commands to it (Add*Commands). A
// command binds its options to variables it owns and registers what it runs once the command
// line is parsed. Parsing, typing and validating options is CLI11's; what a command prints is
// its own. Its --json output is the view layer's (adapters/views/views.hpp): the HTTP API's shape.
//
// Exit codes: 0 ok, 1 storage error, 2 usage, 3 invalid input, 4 conflict, 5 not found,
// 6 verify found damage, 7 refused by the workflow.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/event_log.hpp"
#include "workflows/rules.hpp"

namespace casetrail::cli {

// The options every command takes (given before or after the command's name).
struct GlobalOptions {
  std::string data = "casetrail-data";  // --data DIR
  bool json = false;                    // --json
  bool bulk = false;                    // --bulk
  std::string local_standards;          // --local-standards FILE
};

// What a command runs with: the opened log, the rule book (with local standards), the options.
struct Session {
  EventLog& log;
  const workflows::RuleBook& rules;
  const GlobalOptions& options;
  bool json() const { return options.json; }
  // Prints an error (text on stderr, or {"error": ...} on stdout with --json) and returns its exit code.
  int Fail(const Status& s) const;
};

// The commands a command line may name, and what each runs once parsed.
class Registry {
 public:
  using Run = std::function<int(Session&)>;
  using RunWithoutLog = std::function<int(const GlobalOptions&)>;
  // In the interactive shell only the commands on the open log are offered (no serve, shell,
  // relay, token, simulate).
  explicit Registry(bool shell) : shell_(shell) {}
  bool shell() const { return shell_; }
  // A command on the opened log.
  void On(CLI::App* command, Run run) { runs_[command] = std::move(run); }
  // A command that opens no log (token) or its own (simulate).
  void OnWithoutLog(CLI::App* command, RunWithoutLog run) { no_log_[command] = std::move(run); }
  const Run* Find(const CLI::App* command) const;
  const RunWithoutLog* FindWithoutLog(const CLI::App* command) const;

 private:
  bool shell_;
  std::map<const CLI::App*, Run> runs_;
  std::map<const CLI::App*, RunWithoutLog> no_log_;
};

// The command groups, by subject. Each adds its commands to `app` and their runs to `r`.
void AddRecordCommands(CLI::App& app, Registry& r);   // append, append-file, record, do, demo
void AddLogCommands(CLI::App& app, Registry& r);      // read, log, info, head, verify
void AddViewCommands(CLI::App& app, Registry& r);     // case, chronology, plo, deadlines, caseload, kpis
void AddAuditCommands(CLI::App& app, Registry& r);    // show, explain, export, verify-bundle, replay
void AddServeCommands(CLI::App& app, Registry& r);    // serve, token
void AddRelayCommand(CLI::App& app, Registry& r);     // relay kafka
void AddSimulateCommand(CLI::App& app, Registry& r);  // simulate
void AddTickCommand(CLI::App& app, Registry& r);      // tick
void AddTeamsCommand(CLI::App& app, Registry& r);     // teams, teams load

// ---- shared by the commands -------------------------------------------------------------------
int ExitCodeFor(const Status& s);
// Prints an error as Session::Fail does.
int Fail(const Status& s, bool json);
// Validators: a readable FILE or '-' (standard input); "key=value" with a non-empty key.
extern const CLI::Validator kFileOrStdin;
extern const CLI::Validator kKeyValue;
// The time an option names (ParseTime; the field named as in the HTTP API, e.g. "as_of"), or
// `otherwise` when the option is empty.
Result<TimestampUs> TimeOption(const std::string& text, const std::string& field, TimestampUs otherwise);
// An "as of" option as the HTTP API reads as_of (ParseAsOf: a date is the end of that London
// day), or now when the option is empty.
Result<TimestampUs> AsOfOption(const std::string& text);
// A child named as CHILD or --child ID: adds both to `command`, bound to *child.
void AddChildOption(CLI::App* command, std::string* child);
// InvalidArgument naming the child field when it is empty.
Status NeedChild(const std::string& child);
// The text of FILE, or of standard input for '-'.
Result<std::string> ReadInput(const std::string& path);
// "cp: core_group_held visit_held\n    fd: contact_received ..." (actions grouped by prefix).
std::string GroupedActions(const std::vector<std::string>& actions);
// "1234567" -> "1,234,567".
std::string Thousands(std::uint64_t n);
// Records the demo caseload into the log (once) and says so.
int Demo(Session& s);
// The whole check of casetrail verify: the hash chains and indexes, then the sealed checkpoints.
int Verify(Session& s);

}  // namespace casetrail::cli
