// Shared pieces of the casetrail command line, and the audit and replay commands
// (adapters/cli/audit_commands.cpp). main.cpp holds the event-log and case commands.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/event_log.hpp"
#include "workflows/rules.hpp"

namespace casetrail::cli {

// Exit codes: 0 ok, 1 storage error, 2 usage, 3 invalid input, 4 conflict, 5 not found,
// 6 verify found damage, 7 refused by the workflow.
int ExitCodeFor(const Status& s);

struct Args {
  std::string command;
  std::map<std::string, std::string> opts;
  std::vector<std::string> positional;
  bool Has(const std::string& k) const { return opts.count(k) > 0; }
  std::string Get(const std::string& k, const std::string& def = {}) const {
    auto it = opts.find(k);
    return it == opts.end() ? def : it->second;
  }
  // The child a command is about: --child ID, or the first positional word.
  std::string Child() const { return Has("child") ? Get("child") : (positional.empty() ? "" : positional[0]); }
};

// Prints an error (text on stderr, or {"error": ...} on stdout with --json) and returns its exit code.
int Fail(const Status& s, bool json);

// casetrail replay [--projection NAME ...]: rebuilds projections from position 1 with a
// progress bar and events/s, then seals their checkpoints.
int Replay(EventLog& log, const Args& a, bool json);
// casetrail show CHILD [--as-of DATE] [--known-at DATE]
int Show(EventLog& log, const workflows::RuleBook& rules, const Args& a, bool json);
// casetrail explain CHILD
int Explain(EventLog& log, const workflows::RuleBook& rules, const Args& a, bool json);
// casetrail export CHILD [--out FILE]
int Export(EventLog& log, const workflows::RuleBook& rules, const Args& a, bool json);
// casetrail verify-bundle FILE
int VerifyBundle(const Args& a, bool json);
// casetrail simulate [--data DIR] [--preset birmingham|england] [--children N] [--years Y]
// [--seed S] [--start DATE] [--params FILE] [--json]: a simulated caseload through the command
// pipeline into an empty log (sim/simulator.hpp; docs/simulator.md). Opens its own log (bulk, with
// the simulated clock); exit code 7 if any command was refused.
int Simulate(const Args& a);
// The projection part of casetrail verify: every sealed checkpoint against the log. Returns
// false if one is inconsistent (and prints it); nothing is printed for unsealed projections.
Result<bool> VerifyProjections(EventLog& log, bool json);

}  // namespace casetrail::cli
