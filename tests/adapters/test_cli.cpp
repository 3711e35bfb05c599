// The casetrail command as a user runs it: exit codes, messages, and nothing written on errors.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>

#include "tests/engine/test_util.hpp"

using casetrail::testing::TempDir;

namespace {

struct Run {
  int code;
  std::string out;
};

Run Cli(const TempDir& dir, const std::string& args, const std::string& stdin_text = {}) {
  std::string cmd = std::string(CASETRAIL_CLI) + " " + args + " --data " + dir.sub("data");
  std::string in_file = dir.sub("stdin.txt");
  std::ofstream(in_file) << stdin_text;
  cmd += " < " + in_file + " 2>&1";
  Run r{0, {}};
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::array<char, 4096> buf{};
  while (std::size_t n = fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace

TEST_CASE("the CLI appends, refuses bad input with the field named, and verifies", "[adapters][cli]") {
  TempDir dir;
  auto demo = Cli(dir, "demo");
  REQUIRE(demo.code == 0);
  CHECK_THAT(demo.out, Catch::Contains("21 actions on 4 children (the log now holds 50 events"));

  auto ok = Cli(dir, "append --stream referral-1 --type cin.visit_held --occurred-at 2026-01-05T10:00:00Z");
  CHECK(ok.code == 0);
  CHECK_THAT(ok.out, Catch::Contains("position 51"));

  auto bad_json = Cli(dir, "append --stream referral-1 --type a.b --payload '{\"x\":'");
  CHECK(bad_json.code == 3);
  CHECK_THAT(bad_json.out, Catch::Contains("events[0].payload"));

  auto stale = Cli(dir, "append --stream referral-1 --type a.b --expected no_stream");
  CHECK(stale.code == 4);
  CHECK_THAT(stale.out, Catch::Contains("actual version 1"));

  auto bad_expected = Cli(dir, "append --stream referral-1 --type a.b --expected newest");
  CHECK(bad_expected.code == 3);
  CHECK_THAT(bad_expected.out, Catch::Contains("expected_version"));

  auto unknown_field = Cli(dir, "record - --json",
                           R"({"stream":"referral-2","events":[{"type":"a.b","occurred_at":"2026-01-01","oops":1}]})");
  CHECK(unknown_field.code == 3);
  CHECK_THAT(unknown_field.out, Catch::Contains("\"field\":\"events[0].oops\""));

  auto missing = Cli(dir, "read --stream child-404");
  CHECK(missing.code == 5);

  auto usage = Cli(dir, "frobnicate");
  CHECK(usage.code == 2);
  // --help (or -h) after any command prints the usage and succeeds; it is not an option
  // missing its value.
  for (const char* help : {"replay --help", "serve -h", "--help"}) {
    INFO(help);
    auto h = Cli(dir, help);
    CHECK(h.code == 0);
    CHECK(h.out.find("usage: casetrail <command>") != std::string::npos);
    CHECK(h.out.find("needs a value") == std::string::npos);
  }

  auto head = Cli(dir, "head");
  CHECK(head.out == "51\n");  // none of the refused commands wrote anything

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
  CHECK_THAT(refused.out, Catch::Contains("cp: core_group_held"));
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
  CHECK_THAT(deadlines.out, Catch::Contains("child 1003  T-32  due 2027-03-29"));  // due soon: 26 weeks
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

  auto trace = Cli(dir, "explain 1002");
  CHECK(trace.code == 0);
  CHECK_THAT(trace.out, Catch::Contains("child_protection: AwaitingIcpc -> OnCpPlan  [guard PlanDecided]"));
  CHECK_THAT(trace.out, Catch::Contains("deadline met T-06"));

  // A correction through a command file: the chronology shows both values.
  std::ofstream(dir.sub("fix.json")) << R"({"child_id":"1002","action":"case.record_corrected",
    "occurred_at":"2026-11-01T10:00:00Z","actor":{"user":"tm.khan","role":"team_manager","team":"north-1"},
    "params":{"target_version":"5","reason":"date typed wrongly","occurred_on":"2026-09-04"}})";
  auto fix = Cli(dir, "record " + dir.sub("fix.json"));
  CHECK(fix.code == 0);
  CHECK_THAT(fix.out, Catch::Contains("corrected version 5"));
  auto chron = Cli(dir, "chronology 1002");
  CHECK_THAT(chron.out, Catch::Contains("2026-09-04  Strategy discussion held: outcome s47 [corrected by tm.khan (team_manager): "
                                        "date typed wrongly; recorded as: Strategy discussion held: outcome s47 on 2026-09-05]"));
  std::ofstream(dir.sub("bad.json")) << R"({"child_id":"1002","action":"case.record_corrected",
    "occurred_at":"2026-11-01T10:00:00Z","actor":{"user":"tm.khan","role":"team_manager","team":"north-1"},
    "params":{"target_version":"5","occurred_on":"2026-09-04"}})";
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
  CHECK_THAT(verified.out, Catch::Contains("holds 16 events"));
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
  CHECK_THAT(replayed.out, Catch::Contains("rebuilt 5 projections from 51 events"));
  auto verify = Cli(dir, "verify");
  CHECK(verify.code == 0);
  CHECK_THAT(verify.out, Catch::Contains("projection plo_tracker.v1 sealed at position 51: consistent with the log"));
  CHECK(Cli(dir, "replay --projection kpis,nope").code == 3);
}
