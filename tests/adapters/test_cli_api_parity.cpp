// One view layer (adapters/views/views.hpp): `casetrail <view> --json` answers the HTTP API's
// body, document for document, for the same log and parameters.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

#include "adapters/http/api.hpp"
#include "engine/event_log.hpp"
#include "tests/adapters/cli_runner.hpp"

using casetrail::testing::TempDir;
using casetrail::testing::RunCli;
using Json = nlohmann::json;

TEST_CASE("the CLI's --json views are the HTTP API's bodies for the same log and parameters",
          "[adapters][cli][views]") {
  TempDir dir;
  REQUIRE(RunCli(dir, "demo").code == 0);
  // (CLI arguments, API target): the child summary, PLO and deadlines first, then the others.
  const std::vector<std::pair<std::string, std::string>> views = {
      {"case --child 1002 --role admin", "/v1/children/1002"},
      {"case 1004 --role admin", "/v1/children/1004"},
      {"plo --as-of 2026-12-01T10:00:00Z", "/v1/plo?as_of=2026-12-01T10:00:00Z"},
      {"plo --as-of 2027-05-01 --team north-1", "/v1/plo?as_of=2027-05-01&team=north-1"},
      {"deadlines --as-of 2027-03-10T00:00:00Z --due-within 30", "/v1/deadlines?as_of=2027-03-10T00:00:00Z&due_within=30"},
      {"deadlines --as-of 2026-10-01 --team north-1", "/v1/deadlines?as_of=2026-10-01&team=north-1"},
      {"chronology 1003", "/v1/children/1003/chronology"},
      {"show 1002 --as-of 2026-09-20", "/v1/children/1002/as-of?as_of=2026-09-20"},
      {"show 1002 --as-of 2026-09-20 --known-at 2026-09-25", "/v1/children/1002/as-of?as_of=2026-09-20&known_at=2026-09-25"},
      {"explain 1002", "/v1/children/1002/explain"},
      {"kpis --from 2026-01-01 --to 2027-01-01", "/v1/kpis?from=2026-01-01&to=2027-01-01"},
      {"kpis --from 2026-01-01 --to 2027-01-01 --area north", "/v1/kpis?from=2026-01-01&to=2027-01-01&area=north"},
      {"caseload", "/v1/caseload"},
  };
  std::vector<std::string> cli;
  for (const auto& [args, target] : views) {
    auto r = RunCli(dir, args + " --json");
    INFO(args << "\n" << r.out);
    REQUIRE(r.code == 0);
    REQUIRE(r.out.find('\n') == r.out.size() - 1);  // one document, on one line
    cli.push_back(r.out);
  }
  // The API on the same log (after the CLI: one process opens the log at a time).
  auto log = casetrail::OpenRocksEventLog(dir.sub("data"), {});
  REQUIRE(log.ok());
  casetrail::http::Tokens tokens;
  tokens.Add("admin", {"ops.admin", "admin", "operations"});
  casetrail::http::Api api(**log, casetrail::workflows::RuleBook::Default(), tokens);
  for (std::size_t i = 0; i < views.size(); ++i) {
    INFO(views[i].first << " / " << views[i].second);
    auto r = api.Handle(casetrail::http::Request{"GET", views[i].second, "Bearer admin", "", "", {}, {}, {}, {}});
    REQUIRE(r.status == 200);
    const Json body = Json::parse(r.body);
    CHECK_FALSE(body.empty());
    CHECK(Json::parse(cli[i]) == body);
  }
}
