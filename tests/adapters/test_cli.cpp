// The casetrail command as a user runs it: exit codes, messages, and nothing written on errors.
#include <fstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "tests/adapters/cli_runner.hpp"

using casetrail::testing::TempDir;
using Json = nlohmann::json;

namespace {

casetrail::testing::CliRun Cli(const TempDir& dir, const std::string& args, const std::string& stdin_text = {}) {
  return casetrail::testing::RunCli(dir, args, stdin_text);
}

}  // namespace

TEST_CASE("the CLI appends, refuses bad input with the field named, and verifies", "[adapters][cli]") {
  TempDir dir;
  auto demo = Cli(dir, "demo");
  REQUIRE(demo.code == 0);
  CHECK_THAT(demo.out, Catch::Contains("26 actions on 4 children (the log now holds 56 events"));

  auto ok = Cli(dir, "append --stream referral-1 --type cin.visit_held --occurred-at 2026-01-05T10:00:00Z");
  CHECK(ok.code == 0);
  CHECK_THAT(ok.out, Catch::Contains("position 57"));

  auto bad_json = Cli(dir, "append --stream referral-1 --type a.b --payload '{\"x\":'");
  CHECK(bad_json.code == 3);
  CHECK_THAT(bad_json.out, Catch::Contains("events[0].payload"));

  auto stale = Cli(dir, "append --stream referral-1 --type a.b --expected no_stream");
  CHECK(stale.code == 4);
  CHECK_THAT(stale.out, Catch::Contains("actual version 1"));

  auto bad_expected = Cli(dir, "append --stream referral-1 --type a.b --expected newest");
  CHECK(bad_expected.code == 3);
  CHECK_THAT(bad_expected.out, Catch::Contains("expected_version"));

  auto unknown_field = Cli(dir, "append-file - --json",
                           R"({"stream":"referral-2","events":[{"type":"a.b","occurred_at":"2026-01-01","oops":1}]})");
  CHECK(unknown_field.code == 3);
  CHECK_THAT(unknown_field.out, Catch::Contains("\"field\":\"events[0].oops\""));
  // The two file commands have distinct names; each points to the other for the other's document.
  auto raw_to_record = Cli(dir, "record -", R"({"stream":"referral-2","events":[{"type":"a.b"}]})");
  CHECK(raw_to_record.code == 3);
  CHECK_THAT(raw_to_record.out, Catch::Contains("use 'casetrail append-file'"));
  auto command_to_raw = Cli(dir, "append-file -", R"({"child_id":"1002","action":"cp.visit_held"})");
  CHECK(command_to_raw.code == 3);
  CHECK_THAT(command_to_raw.out, Catch::Contains("record it with 'casetrail record'"));
  auto no_file = Cli(dir, "append-file " + dir.sub("nothing.json"));
  CHECK(no_file.code == 3);
  CHECK_THAT(no_file.out, Catch::Contains("cannot read"));

  auto missing = Cli(dir, "read --stream child-404");
  CHECK(missing.code == 5);

  auto usage = Cli(dir, "frobnicate");
  CHECK(usage.code == 2);
  CHECK_THAT(usage.out, Catch::Contains("unknown command 'frobnicate'"));
  // Options are typed: a word where a number belongs, or a number out of range, is invalid input
  // naming the option; a missing required option or a missing value is a usage error.
  auto not_a_number = Cli(dir, "log --limit abc");
  CHECK(not_a_number.code == 3);
  CHECK_THAT(not_a_number.out, Catch::Contains("--limit"));
  auto out_of_range = Cli(dir, "deadlines --due-within 10000");
  CHECK(out_of_range.code == 3);
  CHECK_THAT(out_of_range.out, Catch::Contains("--due-within"));
  auto no_stream = Cli(dir, "info");
  CHECK(no_stream.code == 2);
  CHECK_THAT(no_stream.out, Catch::Contains("--stream is required"));
  auto no_team = Cli(dir, "token --user u --role admin");
  CHECK(no_team.code == 2);
  CHECK_THAT(no_team.out, Catch::Contains("--team is required"));
  CHECK(Cli(dir, "relay").code == 2);  // relay needs its target (kafka)

  // --help (or -h) after a command prints that command's usage, not the whole list, and
  // succeeds; it is not an option missing its value. Alone, it lists every command.
  for (auto [help, own_option, other_command] :
       {std::tuple<const char*, const char*, const char*>{"replay --help", "--projection", "append-file"},
        {"serve -h", "--listen", "verify-bundle"},
        {"help deadlines", "--due-within", "simulate"},
        {"record --help", "FILE", "append-file"},
        {"relay kafka --help", "--brokers", "simulate"}}) {
    INFO(help);
    auto h = Cli(dir, help);
    CHECK(h.code == 0);
    const std::string name = std::string(help).substr(0, std::string(help).find(" -"));
    CHECK_THAT(h.out, Catch::Contains("Usage: casetrail " + (name.rfind("help ", 0) == 0 ? name.substr(5) : name)));
    CHECK_THAT(h.out, Catch::Contains(own_option));
    CHECK(h.out.find(other_command) == std::string::npos);
    CHECK(h.out.find("needs a value") == std::string::npos);
  }
  auto all = Cli(dir, "--help");
  CHECK(all.code == 0);
  for (const char* command : {"append-file", "record", "serve", "relay", "simulate", "verify-bundle", "kpis"}) {
    CHECK_THAT(all.out, Catch::Contains(std::string("  ") + command));
  }
  CHECK(Cli(dir, "").code == 2);  // no command: the list, and a usage error

  auto head = Cli(dir, "head");
  CHECK(head.out == "57\n");  // none of the refused commands wrote anything

  auto verify = Cli(dir, "verify --json");
  CHECK(verify.code == 0);
  CHECK_THAT(verify.out, Catch::Contains("\"ok\":true"));
}

TEST_CASE("the CLI records actions through the workflows and shows a child's case", "[adapters][cli]") {
  TempDir dir;
  REQUIRE(Cli(dir, "demo").code == 0);
  auto refused = Cli(dir, "do --child 1002 --action cp.icpc_held --role cp_chair outcome=cp_plan category=neglect");
  CHECK(refused.code == 7);
  CHECK_THAT(refused.out, Catch::Contains("not allowed in state OnCpPlan"));
  CHECK_THAT(refused.out, Catch::Contains("allowed now for cp_chair:\n    cp: midway_review_held review_conference_held"));
  CHECK_THAT(refused.out, Catch::Contains("cp.core_group_held (social_worker, team_manager)"));
  auto forbidden = Cli(dir, "do --child 1002 --action cp.review_conference_held --role social_worker outcome=end");
  CHECK(forbidden.code == 7);
  CHECK_THAT(forbidden.out, Catch::Contains("cp_chair"));
  auto bad_param = Cli(dir, "do --child 1002 --action cp.review_conference_held --role cp_chair outcome=maybe");
  CHECK(bad_param.code == 7);
  CHECK_THAT(bad_param.out, Catch::Contains("'outcome' must be one of"));
  auto head_before = Cli(dir, "head").out;
  auto ok = Cli(dir, "do --child 1002 --action cp.review_conference_held --role cp_chair "
                     "--occurred-at 2026-11-20T10:00:00Z outcome=end --json");
  CHECK(ok.code == 0);
  CHECK_THAT(ok.out, Catch::Contains("\"to_state\":\"NoCpInvolvement\""));
  CHECK(Cli(dir, "head").out != head_before);
  auto view = Cli(dir, "case --child 1002");
  CHECK(view.code == 0);
  CHECK_THAT(view.out, Catch::Contains("no active journey"));
  CHECK(Cli(dir, "case --child 9999").code == 5);
  auto chron = Cli(dir, "chronology --child 1003");
  CHECK(chron.code == 0);
  CHECK_THAT(chron.out, Catch::Contains("2026-06-02  Legal planning meeting held: decision pre proceedings"));
  CHECK_THAT(chron.out, Catch::Contains("Pre-proceedings concluded: outcome issue proceedings (by rule X-01)"));
  CHECK(Cli(dir, "chronology --child 9999").code == 5);
  auto deadlines = Cli(dir, "deadlines --as-of 2027-03-10T00:00:00Z --due-within 30");
  CHECK(deadlines.code == 0);
  CHECK_THAT(deadlines.out, Catch::Contains("child 1003  T-32  due 2027-03-28"));  // due soon: 26 weeks beginning with the issue day
  CHECK_THAT(deadlines.out, Catch::Contains("overdue ("));
  auto plo = Cli(dir, "plo --as-of 2026-12-01T10:00:00Z");
  CHECK(plo.code == 0);
  CHECK_THAT(plo.out, Catch::Contains("1003"));
  CHECK_THAT(plo.out, Catch::Contains("proceedings"));
  CHECK_THAT(plo.out, Catch::Contains("after pre-proceedings"));
  CHECK(Cli(dir, "plo --team south-9").out.find("1003") == std::string::npos);
  auto caseload = Cli(dir, "caseload");
  CHECK(caseload.code == 0);
  CHECK_THAT(caseload.out, Catch::Contains("north-1: 3 children"));
  auto kpis = Cli(dir, "kpis --from 2026-01-01 --to 2027-01-01");
  CHECK(kpis.code == 0);
  CHECK_THAT(kpis.out, Catch::Contains("icpc_within_15_working_days"));
  CHECK_THAT(kpis.out, Catch::Contains("(1 of 1)"));
  // --json: the HTTP API's documents (docs/api.md), one per line.
  auto child = Json::parse(Cli(dir, "case --child 1004 --json").out);
  CHECK(child["child"] == "1004");
  CHECK(child["states"]["child_in_care"] == "Placed");
  CHECK_FALSE(child["states"].contains("child_protection"));  // only active journeys
  CHECK(child["team"] == "north-1");
  CHECK(child.contains("legal_status"));
  CHECK_FALSE(child.contains("active"));
  auto deadlines_json = Json::parse(Cli(dir, "deadlines --as-of 2027-03-10T00:00:00Z --due-within 30 --json").out);
  CHECK(deadlines_json["as_of"] == "2027-03-10T00:00:00Z");
  CHECK(deadlines_json["overdue"].is_array());
  CHECK(deadlines_json["due_soon"].at(0)["child"] == "1003");
  CHECK(deadlines_json["due_soon"].at(0)["rule"] == "T-32");
  CHECK(deadlines_json["due_soon"].at(0)["due"] == "2027-03-28");
  CHECK(Json::parse(Cli(dir, "deadlines --as-of 2027-03-10T00:00:00Z --due-within 30 --team south-9 --json").out)
            ["due_soon"].empty());
  auto plo_json = Json::parse(Cli(dir, "plo --as-of 2026-12-01T10:00:00Z --json").out);
  CHECK(plo_json["as_of"] == "2026-12-01T10:00:00Z");
  REQUIRE(plo_json["children"].size() == 1);
  CHECK(plo_json["children"][0]["child"] == "1003");
  CHECK(plo_json["children"][0]["stage"] == "proceedings");
  CHECK(plo_json["children"][0]["final_hearing_due"] == "2027-03-28");
  CHECK(plo_json["children"][0]["after_pre_proceedings"] == true);
  auto kpis_json = Json::parse(Cli(dir, "kpis --from 2026-01-01 --to 2027-01-01 --json").out);
  CHECK(kpis_json["from"] == "2026-01-01");
  CHECK(kpis_json["measures"]["icpc_within_15_working_days"] == Json({{"value", 1.0}, {"numerator", 1.0}, {"denominator", 1.0}}));
  auto caseload_json = Json::parse(Cli(dir, "caseload --json").out);
  CHECK(caseload_json["teams"][0]["team"] == "north-1");
  CHECK(caseload_json["teams"][0]["children"] == 3);  // 1002's plan ended above: no active journey
  CHECK(caseload_json["teams"][0]["by_worker"] == Json({{"sw.jones", 2}, {"sw.osei", 1}}));
  // As of a date before the plan ended, 1002 is in sw.osei's caseload again.
  auto november = Json::parse(Cli(dir, "caseload --as-of 2026-11-01 --json").out);
  CHECK(november["as_of"] == "2026-11-01T23:59:59.999999Z");
  CHECK(november["teams"][0]["by_worker"] == Json({{"sw.jones", 2}, {"sw.osei", 2}}));
  CHECK(caseload_json["iros"][0]["iro"] == "iro.patel");
  // As of 1 July 2026 only 1003 (pre-proceedings) and 1004 (in care) had an active journey.
  auto july = Json::parse(Cli(dir, "caseload --as-of 2026-07-01 --json").out);
  CHECK(july["teams"][0]["by_worker"] == Json({{"sw.jones", 1}, {"sw.osei", 1}}));
  CHECK(Cli(dir, "caseload --as-of 2026-02-30").code == 3);
  auto chron_json = Json::parse(Cli(dir, "chronology 1003 --json").out);
  CHECK(chron_json["child"] == "1003");
  CHECK(chron_json["chronology"][0]["text"] == "Worker allocated: as social worker, team north-1, worker sw.osei");
  CHECK(chron_json["chronology"][1]["text"] == "Legal planning meeting held: decision pre proceedings");
  CHECK(chron_json["chronology"][1]["version"] == 2);
  auto no_period = Cli(dir, "kpis --from 2026-01-01");
  CHECK(no_period.code == 3);
  CHECK_THAT(no_period.out, Catch::Contains("to"));
  CHECK(Cli(dir, "verify").code == 0);
}

TEST_CASE("the CLI applies a local-standards file and refuses a bad one", "[adapters][cli]") {
  TempDir dir;
  std::ofstream(dir.sub("local.txt")) << "# visits every 15 working days\nN-10 = 15\n";
  std::ofstream(dir.sub("bad.txt")) << "T-06 = 30\n";
  REQUIRE(Cli(dir, "do --child 5 --action cp.strategy_discussion_held --role team_manager "
                   "--occurred-at 2026-11-02T10:00:00Z outcome=s47").code == 0);
  REQUIRE(Cli(dir, "do --child 5 --action cp.s47_concluded --role social_worker "
                   "--occurred-at 2026-11-03T10:00:00Z outcome=icpc").code == 0);
  auto plan = Cli(dir, "do --child 5 --action cp.icpc_held --role cp_chair --occurred-at 2026-11-09T10:00:00Z "
                       "--local-standards " + dir.sub("local.txt") + " outcome=cp_plan category=neglect");
  CHECK(plan.code == 0);
  CHECK_THAT(plan.out, Catch::Contains("N-10 scheduled (due 2026-11-30)"));  // 15 working days
  auto bad = Cli(dir, "case --child 5 --local-standards " + dir.sub("bad.txt"));
  CHECK(bad.code == 3);
  CHECK_THAT(bad.out, Catch::Contains("may not lengthen"));
}

TEST_CASE("the shell runs commands from standard input and stops at its end", "[adapters][cli]") {
  TempDir dir;
  auto r = Cli(dir, "shell", "head\nread --stream child-1002 --limit 1\ncase --child 1004\nquit\n");
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("loaded the demo caseload"));
  CHECK_THAT(r.out, Catch::Contains("child_in_care: Placed"));
  CHECK_THAT(r.out, Catch::Contains("fd.contact_received"));
  CHECK_THAT(r.out, Catch::Contains("bye"));
}

TEST_CASE("the CLI's audit commands: show as of a date, explain, export and verify a bundle, replay",
          "[adapters][cli][audit]") {
  TempDir dir;
  REQUIRE(Cli(dir, "demo").code == 0);
  auto early = Cli(dir, "show 1002 --as-of 2026-09-20");
  CHECK(early.code == 0);
  CHECK_THAT(early.out, Catch::Contains("as things stood on 2026-09-20"));
  CHECK_THAT(early.out, Catch::Contains("child_protection: AwaitingIcpc"));
  CHECK(early.out.find("Core group meeting") == std::string::npos);
  auto before_record = Cli(dir, "show 1002 --known-at 2020-01-01");
  CHECK_THAT(before_record.out, Catch::Contains("nothing was recorded by then"));
  CHECK(Cli(dir, "show 1002 --as-of 2026-13-01").code == 3);
  CHECK(Cli(dir, "show 9999").code == 5);
  CHECK(Cli(dir, "show").code == 3);

  auto early_json = Json::parse(Cli(dir, "show 1002 --as-of 2026-09-20 --json").out);
  CHECK(early_json["as_of"] == "2026-09-20T22:59:59.999999Z");  // the end of that London day
  CHECK(early_json["known_at"].is_null());
  CHECK(early_json["states"] == Json({{"child_protection", "AwaitingIcpc"}}));
  CHECK(early_json["open_deadlines"][0]["rule"] == "T-06");
  CHECK(early_json["open_deadlines"][0].contains("breached"));
  CHECK(early_json["chronology"][0].size() == 3);  // occurred_at, version, text
  auto trace_json = Json::parse(Cli(dir, "explain 1002 --json").out);
  CHECK(trace_json["child"] == "1002");
  CHECK(trace_json["trace"][0]["version"] == 1);
  CHECK(trace_json["trace"][0].size() == 12);

  auto trace = Cli(dir, "explain 1002");
  CHECK(trace.code == 0);
  CHECK_THAT(trace.out, Catch::Contains("child_protection: AwaitingIcpc -> OnCpPlan  [guard PlanDecided]"));
  CHECK_THAT(trace.out, Catch::Contains("deadline met T-06"));

  // A correction through a command file: the chronology shows both values.
  std::ofstream(dir.sub("fix.json")) << R"({"child_id":"1002","action":"case.record_corrected",
    "occurred_at":"2026-11-01T10:00:00Z","actor":{"user":"tm.khan","role":"team_manager","team":"north-1"},
    "params":{"target_version":"7","reason":"date typed wrongly","occurred_on":"2026-09-04"}})";
  auto fix = Cli(dir, "record " + dir.sub("fix.json"));
  CHECK(fix.code == 0);
  CHECK_THAT(fix.out, Catch::Contains("corrected version 7"));
  auto chron = Cli(dir, "chronology 1002");
  CHECK_THAT(chron.out, Catch::Contains("2026-09-04  Strategy discussion held: outcome s47 [corrected by tm.khan (team_manager): "
                                        "date typed wrongly; recorded as: Strategy discussion held: outcome s47 on 2026-09-05]"));
  std::ofstream(dir.sub("bad.json")) << R"({"child_id":"1002","action":"case.record_corrected",
    "occurred_at":"2026-11-01T10:00:00Z","actor":{"user":"tm.khan","role":"team_manager","team":"north-1"},
    "params":{"target_version":"7","occurred_on":"2026-09-04"}})";
  auto bad = Cli(dir, "record " + dir.sub("bad.json") + " --json");
  CHECK(bad.code == 3);
  CHECK_THAT(bad.out, Catch::Contains("\"field\":\"params.reason\""));
  auto raw = Cli(dir, "append --stream child-1002 --type cp.visit_held");
  CHECK(raw.code == 3);
  CHECK_THAT(raw.out, Catch::Contains("only through the workflows"));

  auto exported = Cli(dir, "export 1002 --out " + dir.sub("bundle.json"));
  CHECK(exported.code == 0);
  auto verified = Cli(dir, "verify-bundle " + dir.sub("bundle.json"));
  CHECK(verified.code == 0);
  CHECK_THAT(verified.out, Catch::Contains("holds 18 events"));
  std::string text;
  {
    std::ifstream in(dir.sub("bundle.json"));
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  text.replace(text.find("physical_abuse"), 8, "PHYSICAL");
  std::ofstream(dir.sub("tampered.json")) << text;
  auto tampered = Cli(dir, "verify-bundle " + dir.sub("tampered.json"));
  CHECK(tampered.code == 6);
  CHECK_THAT(tampered.out, Catch::Contains("hash does not match"));

  auto replayed = Cli(dir, "replay");
  CHECK(replayed.code == 0);
  CHECK_THAT(replayed.out, Catch::Contains("rebuilt 7 projections from 57 events"));
  auto verify = Cli(dir, "verify");
  CHECK(verify.code == 0);
  CHECK_THAT(verify.out, Catch::Contains("projection plo_tracker.v4 sealed at position 57: consistent with the log"));
  CHECK(Cli(dir, "replay --projection kpis,nope").code == 3);
}

TEST_CASE("casetrail teams load writes team definitions once and names a bad line", "[adapters][cli][teams]") {
  TempDir dir;
  REQUIRE(Cli(dir, "demo").code == 0);
  const std::string file = dir.sub("teams.csv");
  std::ofstream(file) << "team,name,area,service,effective_from\n"
                         "north-1,North 1,north,children's social care,2024-04-01\n"
                         "hub-a,Hub A,east,early help,2024-04-01\n";
  auto load = Cli(dir, "teams load " + file);
  CHECK(load.code == 0);
  CHECK_THAT(load.out, Catch::Contains("2 definitions written, 0 already in the log"));
  auto again = Cli(dir, "teams load " + file);
  CHECK_THAT(again.out, Catch::Contains("0 definitions written, 2 already in the log"));
  auto list = Json::parse(Cli(dir, "teams --json").out);
  REQUIRE(list["teams"].size() == 2);
  CHECK(list["teams"][0]["team"] == "hub-a");
  CHECK(list["teams"][0]["area"] == "east");
  const std::string bad = dir.sub("bad.csv");
  std::ofstream(bad) << "team,name,area,service,effective_from\nx,X,,CSC,2024-04-01\n";
  auto refused = Cli(dir, "teams load " + bad);
  CHECK(refused.code == 3);
  CHECK_THAT(refused.out, Catch::Contains("teams line 2 area"));
}
