#include "replay/team_directory.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "engine/event_log.hpp"
#include "engine/hash.hpp"
#include "replay/event_helpers.hpp"

namespace casetrail::replay {

using nlohmann::json;

void TeamDirectory::Apply(const EventView& e) {
  if (e.stream != kTeamsStream || e.type != kTeamDefined) return;
  ApplyDefinition(e.payload);
}

Result<TeamDirectory> ReadTeamDirectory(EventLog& log) {
  TeamDirectory d;
  auto events = log.ReadStream(kTeamsStream, 1, Direction::kForward, SIZE_MAX);
  if (!events.ok()) {
    if (events.status().IsNotFound()) return d;  // no teams defined yet
    return events.status();
  }
  for (const auto& e : *events) {
    if (e.type == kTeamDefined) d.ApplyDefinition(e.payload);
  }
  return d;
}

void TeamDirectory::ApplyDefinition(std::string_view payload) {
  const json p = json::parse(payload, nullptr, false);
  if (!p.is_object()) return;
  TeamVersion v;
  v.team = p.value("team", "");
  v.name = p.value("name", "");
  v.area = p.value("area", "");
  v.service = p.value("service", "");
  auto from = workflows::Date::Parse(p.value("effective_from", ""), "effective_from");
  if (v.team.empty() || !from.ok()) return;
  v.effective_from = *from;
  auto& list = teams_[v.team];
  // One definition per date: a later event for the same date replaces it.
  list.erase(std::remove_if(list.begin(), list.end(),
                            [&](const TeamVersion& x) { return x.effective_from == v.effective_from; }),
             list.end());
  list.push_back(std::move(v));
  std::sort(list.begin(), list.end(),
            [](const TeamVersion& a, const TeamVersion& b) { return a.effective_from < b.effective_from; });
}

std::string TeamDirectory::AreaOn(const std::string& team, workflows::Date on) const {
  auto it = teams_.find(team);
  if (it == teams_.end() || it->second.empty()) return AreaOf(team);
  const TeamVersion* in_force = nullptr;
  for (const auto& v : it->second) {
    if (v.effective_from <= on) in_force = &v;
  }
  return in_force ? in_force->area : it->second.front().area;
}

std::string TeamDirectory::Area(const std::string& team) const {
  auto it = teams_.find(team);
  if (it == teams_.end() || it->second.empty()) return AreaOf(team);
  return it->second.back().area;
}

Result<std::vector<TeamVersion>> ParseTeamsCsv(std::string_view text) {
  std::vector<TeamVersion> out;
  int line_no = 0;
  bool header = false;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string line(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::vector<std::string> f;
    std::size_t start = 0;
    for (;;) {
      const auto comma = line.find(',', start);
      std::string cell = line.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      const auto b = cell.find_first_not_of(" \t"), e = cell.find_last_not_of(" \t");
      f.push_back(b == std::string::npos ? std::string() : cell.substr(b, e - b + 1));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    const std::string where = "teams line " + std::to_string(line_no);
    if (!header) {
      if (f != std::vector<std::string>{"team", "name", "area", "service", "effective_from"}) {
        return Status::InvalidArgument(where, "the header must be: team,name,area,service,effective_from");
      }
      header = true;
      continue;
    }
    if (f.size() != 5) return Status::InvalidArgument(where, "expected 5 fields, got " + std::to_string(f.size()));
    TeamVersion v{f[0], f[1], f[2], f[3], {}};
    if (Status s = CheckTeam(v, where + " "); !s.ok()) return s;
    auto from = workflows::Date::Parse(f[4], where + " effective_from");
    if (!from.ok()) return from.status();
    v.effective_from = *from;
    out.push_back(std::move(v));
  }
  if (!header) return Status::InvalidArgument("teams", "the file is empty: it needs the header and a team a line");
  return out;
}

Status CheckTeam(const TeamVersion& v, const std::string& where) {
  if (v.team.empty() || v.team.size() > 64 || v.team.find_first_of(" \t/") != std::string::npos) {
    return Status::InvalidArgument(where + "team", "must be 1 to 64 characters without spaces or '/'");
  }
  if (v.area.empty()) return Status::InvalidArgument(where + "area", "is required");
  return Status::Ok();
}

Result<TeamsWritten> DefineTeams(EventLog& log, const std::vector<TeamVersion>& teams, const Actor& actor) {
  auto d = ReadTeamDirectory(log);
  if (!d.ok()) return d.status();
  TeamsWritten out;
  AppendRequest req;
  req.stream = kTeamsStream;
  req.actor = actor;
  std::string all;               // what the append writes, for its command id
  std::set<std::string> batch;  // payloads already in this append
  for (const auto& v : teams) {
    bool known = false;
    if (auto it = d->teams().find(v.team); it != d->teams().end()) {
      for (const auto& x : it->second) {
        known |= x.effective_from == v.effective_from && x.name == v.name && x.area == v.area && x.service == v.service;
      }
    }
    const std::string payload = TeamDefinedPayload(v);
    if (known || !batch.insert(payload).second) {
      ++out.already;
      continue;
    }
    all += payload + "\n";
    EventData e;
    e.type = kTeamDefined;
    e.occurred_at = v.effective_from.StartUs();
    e.payload = payload;
    req.events.push_back(std::move(e));
  }
  if (req.events.empty()) return out;
  req.command_id = "teams:" + Sha256Hex(all).substr(0, 32);
  const int n = static_cast<int>(req.events.size());
  auto r = log.Append(std::move(req));
  if (!r.ok()) return r.status();
  out.written = r->duplicate ? 0 : n;
  out.already += r->duplicate ? n : 0;
  out.position = r->last_position;
  return out;
}

std::string TeamDefinedPayload(const TeamVersion& v) {
  return json{{"team", v.team},
              {"name", v.name},
              {"area", v.area},
              {"service", v.service},
              {"effective_from", v.effective_from.ToString()}}
      .dump();
}

}  // namespace casetrail::replay
