// casetrail: the command-line front end of the event log. This file holds the application (its
// global options, parsing and exit codes), the dispatch to the commands and the interactive shell;
// the commands are in the files named in commands.hpp.
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/cli/commands.hpp"

namespace casetrail::cli {
namespace {

constexpr const char* kFooter =
    "Every command takes --data DIR (default ./casetrail-data), --json (the HTTP API's JSON, one\n"
    "document per line), --bulk (no fsync before acknowledging) and --local-standards FILE (local\n"
    "timescales, \"ID = AMOUNT\" per line, e.g. \"N-10 = 15\": may tighten, never lengthen, a\n"
    "statutory one). 'casetrail COMMAND --help' prints a command's usage.\n\n"
    "exit codes: 0 ok, 1 storage error, 2 usage, 3 invalid input, 4 conflict, 5 not found,\n"
    "            6 verify found damage, 7 refused by the workflow";

struct App {
  std::unique_ptr<CLI::App> app;
  CLI::App* shell = nullptr;
};

// The application with every command (the shell's: only those on the open log), options bound to *g.
App MakeApp(GlobalOptions* g, Registry& r) {
  App a;
  a.app = std::make_unique<CLI::App>(
      "casetrail: an event-sourced case workflow engine for children's social care", "casetrail");
  CLI::App& app = *a.app;
  app.fallthrough();  // the global options may follow the command's name (inherited by the commands)
  app.footer(kFooter);
  app.add_option("--data", g->data, "the event log's directory")->type_name("DIR");
  app.add_flag("--json", g->json, "machine-readable output: the HTTP API's JSON");
  app.add_flag("--bulk", g->bulk, "non-durable bulk-import mode (no fsync before acknowledging)");
  app.add_option("--local-standards", g->local_standards, "local timescales for do/case/demo/shell")
      ->type_name("FILE")
      ->check(CLI::Validator(CLI::ExistingFile).description(""));
  if (!r.shell()) {
    AddServeCommands(app, r);
    AddRelayCommand(app, r);
    a.shell = app.add_subcommand("shell", "interactive prompt on the log (loads the demo history if empty)");
  }
  AddRecordCommands(app, r);
  AddLogCommands(app, r);
  AddViewCommands(app, r);
  AddAuditCommands(app, r);
  AddTickCommand(app, r);
  AddTeamsCommand(app, r);
  if (!r.shell()) AddSimulateCommand(app, r);
  for (CLI::App* c : app.get_subcommands({})) {  // the commands inherit the footer unless they set their own
    if (c->get_footer() != kFooter) c->footer(c->get_footer() + "\n\nAlso --data DIR, --json, --bulk, --local-standards FILE (casetrail --help).");
  }
  return a;
}

// Parses `words` (the arguments after the program's name). False when the command line was
// only a request for help or was wrong: *code is then the exit code (help printed: 0; usage: 2;
// an option's value is invalid: 3).
bool Parse(CLI::App& app, std::vector<std::string> words, int* code) {
  std::reverse(words.begin(), words.end());  // CLI11 takes the arguments last first
  try {
    app.parse(words);
    return true;
  } catch (const CLI::CallForHelp& e) {
    *code = app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    *code = app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    const auto extras = app.remaining();
    if (dynamic_cast<const CLI::ExtrasError*>(&e) && app.get_subcommands().empty() && !extras.empty()) {
      what = "unknown command '" + extras.front() + "'";
    }
    std::cerr << "error: " << what << "\n(casetrail --help lists the commands; casetrail COMMAND --help "
                                      "prints a command's usage)\n";
    const bool bad_value =
        dynamic_cast<const CLI::ValidationError*>(&e) != nullptr || dynamic_cast<const CLI::ConversionError*>(&e) != nullptr;
    *code = bad_value ? 3 : 2;
  }
  return false;
}

// The command the line named (the deepest: `relay kafka`); the application itself when none.
CLI::App* Selected(CLI::App& app) {
  CLI::App* c = &app;
  while (!c->get_subcommands().empty()) c = c->get_subcommands().front();
  return c;
}

// Shell-like splitting with single and double quotes; false on an unbalanced quote.
bool SplitWords(const std::string& line, std::vector<std::string>* out) {
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (char ch : line) {
    if (quote) {
      if (ch == quote) quote = 0;
      else cur.push_back(ch);
    } else if (ch == '\'' || ch == '"') {
      quote = ch;
      in_word = true;
    } else if (ch == ' ' || ch == '\t') {
      if (in_word) out->push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      cur.push_back(ch);
      in_word = true;
    }
  }
  if (quote) return false;
  if (in_word) out->push_back(cur);
  return true;
}

// One command line typed at the shell, on the shell's log (its own --json applies to it).
void ShellLine(Session& base, const std::vector<std::string>& words) {
  GlobalOptions line = base.options;
  line.json = false;
  Registry r(/*shell=*/true);
  App a = MakeApp(&line, r);
  int code = 0;
  if (!Parse(*a.app, words, &code)) return;
  const Registry::Run* run = r.Find(Selected(*a.app));
  if (!run) {
    std::cout << a.app->help();
    return;
  }
  line.json = line.json || base.options.json;
  Session s{base.log, base.rules, line};
  try {
    (*run)(s);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
  }
}

int Shell(Session& s) {
  if (s.log.HeadPosition() == 0) Demo(s);
  std::cout << "\ncasetrail is running on the event log in " << s.options.data << " (head position "
            << s.log.HeadPosition() << ")\n";
  Verify(s);
  std::cout << "\nType a command as on the command line without 'casetrail', e.g.\n"
               "  case --child 1002\n"
               "  do --child 1002 --action cp.visit_held --role social_worker\n"
               "  log --stream-prefix child-1002\n"
               "  verify\n"
               "'help' lists every command, 'COMMAND --help' one command's usage; 'quit' (or Ctrl-D) stops.\n";
  std::string text;
  for (;;) {
    std::cout << "casetrail> " << std::flush;
    if (!std::getline(std::cin, text)) break;
    std::vector<std::string> words;
    if (!SplitWords(text, &words)) {
      std::cerr << "error: unbalanced quotes\n";
      continue;
    }
    if (words.empty()) continue;
    if (words[0] == "quit" || words[0] == "exit") break;
    if (words[0] == "help") words = {"--help"};
    ShellLine(s, words);
  }
  std::cout << "\nbye\n";
  return 0;
}

// The rule book with the local standards file applied, if one is given.
Result<workflows::RuleBook> Rules(const GlobalOptions& g) {
  workflows::RuleBook rules = workflows::RuleBook::Default();
  if (g.local_standards.empty()) return rules;
  std::ifstream in(g.local_standards);
  if (!in) return Status::InvalidArgument("local-standards", "cannot read '" + g.local_standards + "'");
  std::stringstream text;
  text << in.rdbuf();
  return rules.WithLocalStandards(text.str());
}

int Main(std::vector<std::string> words) {
  GlobalOptions g;
  Registry r(/*shell=*/false);
  App a = MakeApp(&g, r);
  if (!words.empty() && words[0] == "help") {  // casetrail help [COMMAND]
    words.erase(words.begin());
    words.push_back("--help");
  }
  if (words.empty()) {
    std::cout << a.app->help();
    return 2;
  }
  int code = 0;
  if (!Parse(*a.app, words, &code)) return code;
  CLI::App* command = Selected(*a.app);
  if (command == a.app.get()) {
    std::cout << a.app->help();
    return 2;
  }
  if (const auto* run = r.FindWithoutLog(command)) return (*run)(g);
  const Registry::Run* run = r.Find(command);
  if (!run && command != a.shell) {
    std::cout << command->help();
    return 2;
  }
  EventLogOptions options;
  options.durable = !g.bulk;
  auto opened = OpenRocksEventLog(g.data, options);
  if (!opened.ok()) {
    std::cerr << "error: cannot open the event log in '" << g.data << "': " << opened.status().ToString() << "\n";
    return 1;
  }
  auto log = std::move(opened).value();
  auto rules = Rules(g);
  if (!rules.ok()) return Fail(rules.status(), g.json);
  Session s{*log, *rules, g};
  try {
    return command == a.shell ? Shell(s) : (*run)(s);
  } catch (const std::exception& e) {  // a bug: nothing a user typed should throw
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace
}  // namespace casetrail::cli

int main(int argc, char** argv) { return casetrail::cli::Main(std::vector<std::string>(argv + 1, argv + argc)); }
