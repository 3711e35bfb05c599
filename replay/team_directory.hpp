// Teams and areas as reference data: versioned and dated, as events of the stream
// "reference-teams" (`casetrail teams load FILE` writes them), so that a team's area is what the
// Trust says it is on a date, not a guess from the team's id.
//
//   team.defined {team, name, area, service, effective_from (YYYY-MM-DD)}
//
// A later definition of the same team from a later date replaces it from that date (a team that
// moves to another area keeps its past area for past facts). A team with no definition in force
// falls back to AreaOf (the part of its id before the last '-'), as before reference data.
//
// Thread-safety: none; the projections that hold one apply its events with their own.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event.hpp"
#include "engine/event_log.hpp"
#include "engine/status.hpp"
#include "workflows/calendar.hpp"

namespace casetrail::replay {

inline constexpr const char* kTeamsStream = "reference-teams";
inline constexpr const char* kTeamDefined = "team.defined";

struct TeamVersion {
  std::string team, name, area, service;
  workflows::Date effective_from;
};

class TeamDirectory {
 public:
  // Folds a team.defined event of the reference stream; ignores every other event.
  void Apply(const EventView& e);
  // Folds the payload of a team.defined event (what Apply does for one).
  void ApplyDefinition(std::string_view payload);
  void Reset() { teams_.clear(); }
  // The team's area on `on`; its latest area when `on` is before every definition; AreaOf(team)
  // for a team never defined.
  std::string AreaOn(const std::string& team, workflows::Date on) const;
  std::string Area(const std::string& team) const;  // as defined last
  // Every definition, by team, oldest first.
  const std::map<std::string, std::vector<TeamVersion>>& teams() const { return teams_; }

 private:
  std::map<std::string, std::vector<TeamVersion>> teams_;
};

// Parses a teams file: CSV with the header "team,name,area,service,effective_from" and one
// definition a line ('#' starts a comment). InvalidArgument names the line and the field.
Result<std::vector<TeamVersion>> ParseTeamsCsv(std::string_view text);
// Checks one definition: a team id of 1 to 64 characters without spaces or '/', an area.
// InvalidArgument names `where` and the field.
Status CheckTeam(const TeamVersion& v, const std::string& where);
// The payload of a team.defined event.
std::string TeamDefinedPayload(const TeamVersion& v);
// Writes the definitions the log does not hold yet (same team, date, name, area and service), in
// one atomic append to the reference stream recorded by `actor`, with a command id derived from
// what it writes (sending the same definitions twice writes them once). REQUIRES: each passed
// CheckTeam.
struct TeamsWritten {
  int written = 0;
  int already = 0;            // already in the log
  std::uint64_t position = 0;  // of the last definition written (0: none)
};
Result<TeamsWritten> DefineTeams(EventLog& log, const std::vector<TeamVersion>& teams, const Actor& actor);

// The directory as the log holds it now (the reference stream alone, not the whole log).
Result<TeamDirectory> ReadTeamDirectory(EventLog& log);

}  // namespace casetrail::replay
