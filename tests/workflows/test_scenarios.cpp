// Given/when/then scenarios (tests/workflows/scenarios/*.txt), each also replayed from an event
// log: the accepted actions are appended as events, read back, and folded into a fresh case,
// which must reach the same states and open deadlines.
//
// Lines: do ACTION DATE ROLE [k=v ...]            the action must be accepted
//        refuse RULE ACTION DATE ROLE [k=v ...]   it must be refused by RULE, changing nothing
//        expect journey=State ...                 states now
//        expect-flag TEXT                         the last accepted action raised a flag with TEXT
//        expect-consequence RULE                  the last accepted action triggered rule RULE
//        record KIND                              (first) the scenario is a record of its own, not a
//                                                 child's (allegation, carer: workflows/own_record.hpp)
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/event_log.hpp"
#include "tests/workflows/journey_test_util.hpp"
#include "workflows/case.hpp"
#include "workflows/own_record.hpp"

using namespace casetrail;
using namespace casetrail::workflows;

namespace {

Action ParseAction(std::istringstream& in, const std::string& name) {
  Action a;
  a.name = name;
  std::string date;
  in >> date >> a.role;
  a.occurred_at_us = testing::At(date.c_str());
  std::string kv;
  while (in >> kv) {
    auto eq = kv.find('=');
    REQUIRE(eq != std::string::npos);
    a.params[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return a;
}

EventData ToEvent(const Action& a) {
  EventData e;
  e.type = a.name;
  e.occurred_at = a.occurred_at_us;
  e.payload = nlohmann::json(a.params).dump();
  return e;
}

Action FromEvent(const RecordedEvent& e) {
  Action a;
  a.name = e.type;
  a.occurred_at_us = e.occurred_at;
  a.role = e.actor.role;
  a.params = nlohmann::json::parse(e.payload).get<std::map<std::string, std::string>>();
  return a;
}

// What a scenario acts on: a child's case, or a record of its own (`record KIND`).
struct Subject {
  Case c;
  std::optional<OwnRecord> record;
  CaseVerdict Apply(const Action& a) {
    if (!record) return c.Apply(a);
    CaseVerdict v;
    v.journey = record->journey().Table().journey;
    v.verdict = record->Apply(a);
    return v;
  }
  std::map<std::string, std::string> States() const {
    if (!record) return c.States();
    return {{record->journey().Table().journey, record->State()}};
  }
  std::vector<Deadline> OpenDeadlines() const { return record ? record->OpenDeadlines() : c.OpenDeadlines(); }
};

void RunScenario(const std::filesystem::path& file) {
  std::ifstream in(file);
  REQUIRE(in);
  // Scenarios run to 2030 (support to 21): the log's clock stands after their last date.
  EventLogOptions options;
  options.clock = [] { return testing::At("2031-01-01"); };
  auto log = OpenMemoryEventLog(options);
  std::string stream = "child-" + file.stem().string();
  Subject c;
  CaseVerdict last;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    INFO(file.filename().string() << ":" << line_no << ": " << line);
    std::istringstream words(line);
    std::string verb;
    words >> verb;
    if (verb == "record") {
      std::string kind;
      words >> kind;
      for (const RecordKind* k : RecordKinds()) {
        if (k->name == kind) c.record.emplace(*k);
      }
      REQUIRE(c.record);
      stream = RecordStreamOf(c.record->kind(), file.stem().string());
    } else if (verb == "do") {
      std::string name;
      words >> name;
      Action a = ParseAction(words, name);
      last = c.Apply(a);
      INFO(last.verdict.reason);
      REQUIRE(last.accepted());
      AppendRequest r;
      r.stream = stream;
      r.actor.role = a.role;
      r.events.push_back(ToEvent(a));
      REQUIRE(log->Append(r).ok());
    } else if (verb == "refuse") {
      std::string rule, name;
      words >> rule >> name;
      const auto before = c.States();
      const auto open = c.OpenDeadlines().size();
      CaseVerdict v = c.Apply(ParseAction(words, name));
      CHECK_FALSE(v.accepted());
      CHECK(v.verdict.rule == rule);
      CHECK_FALSE(v.verdict.reason.empty());
      CHECK(c.States() == before);
      CHECK(c.OpenDeadlines().size() == open);
    } else if (verb == "expect") {
      std::string kv;
      while (words >> kv) {
        auto eq = kv.find('=');
        CHECK(c.States().at(kv.substr(0, eq)) == kv.substr(eq + 1));
      }
    } else if (verb == "expect-flag") {
      std::string text;
      words >> text;
      bool found = false;
      for (const auto& f : last.verdict.flags_raised) found |= f.find(text) != std::string::npos;
      CHECK(found);
    } else if (verb == "expect-consequence") {
      std::string rule;
      words >> rule;
      bool found = false;
      for (const auto& k : last.consequences) found |= (k.rule == rule && k.verdict.accepted);
      CHECK(found);
    } else {
      FAIL("unknown verb '" << verb << "'");
    }
  }
  // Replay from the log: the same states and the same open deadlines.
  auto events = log->ReadStream(stream, 1, Direction::kForward, 100000);
  REQUIRE(events.ok());
  Subject replayed;
  if (c.record) replayed.record.emplace(c.record->kind());
  for (const auto& e : *events) REQUIRE(replayed.Apply(FromEvent(e)).accepted());
  CHECK(replayed.States() == c.States());
  auto due = [](const Subject& k) {
    std::vector<std::string> out;
    for (const auto& d : k.OpenDeadlines()) out.push_back(d.rule_id + "@" + d.due_date.ToString());
    return out;
  };
  CHECK(due(replayed) == due(c));
}

}  // namespace

TEST_CASE("scenarios: realistic journeys end to end, and again from the log", "[workflows][scenario]") {
  const std::filesystem::path dir = std::filesystem::path(CASETRAIL_SOURCE_DIR) / "tests/workflows/scenarios";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".txt") continue;
    SECTION(entry.path().filename().string()) { RunScenario(entry.path()); }
    ++files;
  }
  CHECK(files >= 6);
}
