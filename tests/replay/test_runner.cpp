// The projection runner: rebuilding from position 1 equals keeping projections up to date live,
// checkpoints are named after the projection, and replay names the seven projections.
#include "replay/runner.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "replay/projections.hpp"
#include "tests/replay/projections/support.hpp"

namespace casetrail::replay::testing {

namespace {

// The "do" lines of a scenario file, as commands for `child`.
std::vector<Command> ScenarioCommands(const std::filesystem::path& file, const std::string& child) {
  std::vector<Command> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream w(line);
    std::string verb, date, role;
    w >> verb;
    if (verb == "record") return {};  // a record of its own (an allegation, a carer): not a child's
    if (verb != "do") continue;
    Command c;
    c.child_id = child;
    w >> c.action >> date >> role;
    c.occurred_at = T(date);
    c.actor = Actor{"u." + role, role, "team-" + child.substr(0, 1)};
    std::string kv;
    while (w >> kv) {
      auto eq = kv.find('=');
      c.params[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

TEST_CASE("rebuilding projections from position 1 equals keeping them live", "[replay][projections]") {
  // A simulated caseload: every scenario journey, 30 children each, interleaved step by step.
  std::vector<std::vector<Command>> children;
  const std::filesystem::path dir = std::filesystem::path(CASETRAIL_SOURCE_DIR) / "tests/workflows/scenarios";
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (!ScenarioCommands(e.path(), "probe").empty()) files.push_back(e.path());  // a child's scenario
  }
  std::sort(files.begin(), files.end());
  for (int copy = 0; copy < 30; ++copy) {
    for (std::size_t f = 0; f < files.size(); ++f) {
      children.push_back(ScenarioCommands(files[f], std::to_string(f) + "x" + std::to_string(copy)));
    }
  }
  EventLogOptions o;
  o.clock = [] { return T("2031-01-01"); };  // the scenarios run to 2030
  auto log = OpenMemoryEventLog(o);
  CaseService svc(*log);
  ProjectionRunner runner(*log);
  ChildSummaryProjection live_summary;
  ChronologyProjection live_chronology;
  std::size_t accepted = 0;
  for (std::size_t step = 0;; ++step) {
    bool any = false;
    for (auto& cmds : children) {
      if (step >= cmds.size()) continue;
      any = true;
      auto r = svc.Execute(cmds[step]);
      REQUIRE(r.ok());
      INFO(cmds[step].child_id << " " << cmds[step].action << ": " << r->verdict.verdict.reason);
      REQUIRE(r->accepted);
      ++accepted;
      if (accepted % 7 == 0) {  // live: catch up often, at irregular points
        REQUIRE(runner.CatchUp(live_summary).ok());
        REQUIRE(runner.CatchUp(live_chronology).ok());
      }
    }
    if (!any) break;
  }
  REQUIRE(runner.CatchUp(live_summary).ok());
  REQUIRE(runner.CatchUp(live_chronology).ok());
  ChildSummaryProjection rebuilt_summary;
  ChronologyProjection rebuilt_chronology;
  REQUIRE(runner.Rebuild(rebuilt_summary).ok());
  REQUIRE(runner.Rebuild(rebuilt_chronology).ok());
  CHECK(accepted > 1000);
  CHECK(log->HeadPosition() > 2000);
  CHECK(rebuilt_summary.Serialize() == live_summary.Serialize());
  CHECK(rebuilt_chronology.Serialize() == live_chronology.Serialize());
  CHECK(live_summary.position() == log->HeadPosition());
  CHECK(*log->GetCheckpoint("projection.child_summary.v3") == log->HeadPosition());
  // The summary agrees with the workflows' own view of every child.
  int with_active = 0;
  for (std::size_t f = 0; f < files.size(); ++f) {
    const std::string id = std::to_string(f) + "x0";
    auto c = svc.Load(id);
    REQUIRE(c.ok());
    const auto* s = live_summary.Find(id);
    REQUIRE(s != nullptr);
    std::map<Sym, Sym> active;
    for (const auto& j : c->ActiveJourneys()) active[j] = c->States().at(j);
    INFO(id);
    CHECK(s->journeys == active);
    with_active += active.empty() ? 0 : 1;
  }
  CHECK(with_active >= 3);
}

TEST_CASE("replay names the six projections, and makes each by its name", "[replay][projections]") {
  CHECK(ProjectionNames() ==
        std::vector<std::string>{"child_summary", "chronology", "deadlines", "plo_tracker", "kpis", "allegations", "carers"});
  auto all = MakeProjections();
  REQUIRE(all.size() == ProjectionNames().size());
  std::vector<std::string> checkpoints;
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i]->name() == ProjectionNames()[i]);
    CHECK(all[i]->position() == 0);
    checkpoints.push_back(ProjectionRunner::CheckpointName(*all[i]));
    auto one = MakeProjection(ProjectionNames()[i]);
    REQUIRE(one != nullptr);
    CHECK(std::string(one->name()) == ProjectionNames()[i]);
  }
  // The checkpoints keep their names (a new version would start a new checkpoint).
  CHECK(checkpoints == std::vector<std::string>{"projection.child_summary.v3", "projection.chronology.v3",
                                                "projection.deadlines.v2", "projection.plo_tracker.v4",
                                                "projection.kpis.v5", "projection.allegations.v1",
                                                "projection.carers.v1"});
  CHECK(MakeProjection("child") == nullptr);
  CHECK(MakeProjection("") == nullptr);
}

}  // namespace casetrail::replay::testing
