// casetrail teams [load FILE]: the Trust's teams and areas as reference data
// (replay/team_directory.hpp): list them, or load a CSV of definitions into the log.
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

#include "adapters/cli/commands.hpp"
#include "engine/hash.hpp"
#include "replay/team_directory.hpp"

namespace casetrail::cli {
namespace {

Result<replay::TeamDirectory> Directory(EventLog& log) { return replay::ReadTeamDirectory(log); }

int List(Session& s) {
  auto d = Directory(s.log);
  if (!d.ok()) return s.Fail(d.status());
  nlohmann::json teams = nlohmann::json::array();
  for (const auto& [team, versions] : d->teams()) {
    for (const auto& v : versions) {
      teams.push_back({{"team", v.team}, {"name", v.name}, {"area", v.area}, {"service", v.service},
                       {"effective_from", v.effective_from.ToString()}});
    }
  }
  if (s.json()) {
    std::cout << nlohmann::json{{"teams", teams}}.dump() << "\n";
    return 0;
  }
  if (teams.empty()) std::cout << "no teams defined (areas come from team ids: north-1 is in north)\n";
  for (const auto& t : teams) {
    std::cout << t["team"].get<std::string>() << "  " << t["area"].get<std::string>() << "  from "
              << t["effective_from"].get<std::string>() << "  " << t["name"].get<std::string>() << " ("
              << t["service"].get<std::string>() << ")\n";
  }
  return 0;
}

int Load(Session& s, const std::string& file) {
  auto text = ReadInput(file);
  if (!text.ok()) return s.Fail(text.status());
  auto rows = replay::ParseTeamsCsv(*text);
  if (!rows.ok()) return s.Fail(rows.status());
  auto w = replay::DefineTeams(s.log, *rows, Actor{"teams-file", "admin", ""});
  if (!w.ok()) return s.Fail(w.status());
  const int written = w->written, same = w->already;
  std::cout << "teams: " << written << " definitions written, " << same << " already in the log\n";
  return 0;
}

}  // namespace

void AddTeamsCommand(CLI::App& app, Registry& r) {
  CLI::App* c = app.add_subcommand("teams", "the Trust's teams and areas (reference data): list them, or 'teams load FILE'");
  r.On(c, [](Session& s) { return List(s); });
  auto file = std::make_shared<std::string>();
  CLI::App* load = c->add_subcommand("load", "load team definitions from a CSV: team,name,area,service,effective_from");
  load->add_option("FILE", *file, "the CSV ('-': standard input)")->required()->check(kFileOrStdin);
  r.On(load, [file](Session& s) { return Load(s, *file); });
}

}  // namespace casetrail::cli
