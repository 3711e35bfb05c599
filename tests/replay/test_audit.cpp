// Audit: snapshots, corrections and withdrawals, as-of questions, explain, and export bundles.
#include "replay/audit.hpp"

#include <catch2/catch.hpp>

#include <atomic>

#include "workflows/case_service.hpp"
#include "workflows/snapshots.hpp"
#include "replay/projections.hpp"
#include "tests/workflows/command_test_util.hpp"

using namespace casetrail;
using namespace casetrail::replay;
using namespace casetrail::workflows;

namespace {

constexpr TimestampUs kHourUs = 3600LL * 1000000;

TimestampUs T(const std::string& date, int hour = 10) {
  return std::move(workflows::Date::Parse(date, "d")).value().StartUs() + hour * kHourUs;
}

// A log whose clock the test sets: recorded_at is what the test says it is.
struct Fixture : casetrail::testing::ClockedLog {
  CaseService svc;
  Audit audit;
  explicit Fixture(const workflows::RuleBook& rules = workflows::RuleBook::Default())
      : ClockedLog(T("2026-01-01")), svc(*log, rules), audit(*log, rules) {}

  // Records an action (recorded at `recorded`, or an hour after it happened) and requires it.
  CommandOutcome Do(const std::string& child, const std::string& action, const std::string& date,
                    const std::string& role, std::map<std::string, std::string> params = {},
                    TimestampUs recorded = 0) {
    const TimestampUs at = T(date);
    Advance(recorded ? recorded : at + kHourUs);
    return casetrail::testing::RequireAccepted(
        svc.Execute(casetrail::testing::MakeCommand(child, action, at, role, std::move(params))), action);
  }
  Result<CommandOutcome> Try(const std::string& child, const std::string& action, const std::string& date,
                             const std::string& role, std::map<std::string, std::string> params) {
    Advance(T(date) + kHourUs);
    return svc.Execute(casetrail::testing::MakeCommand(child, action, T(date), role, std::move(params)));
  }
  std::uint64_t Version(const std::string& child) { return log->GetStreamInfo(StreamOf(child))->last_version; }
};

// Strategy discussion, S47, ICPC with a plan: the child is on a CP plan.
void OnPlan(Fixture& f, const std::string& child) {
  f.Do(child, "case.child_registered", "2026-01-02", "social_worker", {{"date_of_birth", "2020-07-21"}});
  f.Do(child, "cp.strategy_discussion_held", "2026-02-03", "team_manager", {{"outcome", "s47"}});
  f.Do(child, "cp.s47_concluded", "2026-02-10", "social_worker", {{"outcome", "icpc"}});
  f.Do(child, "cp.icpc_held", "2026-02-20", "cp_chair", {{"outcome", "cp_plan"}, {"category", "neglect"}});
}

// The version of the first event of `type` on the child's stream.
std::uint64_t VersionOf(Fixture& f, const std::string& child, const std::string& type) {
  auto events = f.log->ReadStream(StreamOf(child), 1, Direction::kForward, SIZE_MAX);
  REQUIRE(events.ok());
  for (const auto& e : *events) {
    if (e.type == type) return e.version;
  }
  FAIL("no " << type);
  return 0;
}

std::string ProjectionsOf(EventLog& log) {
  ChildSummaryProjection summary;
  ChronologyProjection chronology;
  DeadlinesProjection deadlines;
  PloTrackerProjection plo;
  KpiProjection kpis;
  ProjectionRunner runner(log);
  std::string out;
  for (Projection* p : std::initializer_list<Projection*>{&summary, &chronology, &deadlines, &plo, &kpis}) {
    REQUIRE(runner.Rebuild(*p).ok());
    out += std::string("## ") + p->name() + "\n" + p->Serialize();
  }
  return out;
}

}  // namespace

TEST_CASE("a snapshot and the tail give exactly the case a full replay gives", "[replay][snapshot]") {
  Fixture f;
  OnPlan(f, "2001");
  workflows::Date day = std::move(workflows::Date::Parse("2026-02-21", "d")).value();
  for (int i = 0; i < 260; ++i, day = day.AddDays(1)) f.Do("2001", "cp.visit_held", day.ToString(), "social_worker");
  const std::uint64_t version = f.Version("2001");
  REQUIRE(version > 2 * kSnapshotEvery);

  auto index = SnapshotIndex(*f.log, "2001");
  REQUIRE(index.ok());
  REQUIRE(index->size() == version / kSnapshotEvery);
  CHECK(index->back().version >= kSnapshotEvery * (version / kSnapshotEvery));

  auto events = f.log->ReadStream(StreamOf("2001"), 1, Direction::kForward, SIZE_MAX);
  auto full = CaseService::Rebuild(*events, workflows::RuleBook::Default());
  REQUIRE(full.ok());

  auto from_snapshot = LoadCase(*f.log, "2001", workflows::RuleBook::Default());
  REQUIRE(from_snapshot.ok());
  CHECK(from_snapshot->snapshot_version == index->back().version);
  CHECK(from_snapshot->events_read == version - index->back().version);
  CHECK(from_snapshot->version == version);
  CHECK(from_snapshot->c.Save() == full->Save());

  // The pipeline hydrates from it once its cache is gone, and decides the same.
  f.svc.ClearCache();
  auto before = f.svc.hydrations();
  auto next = f.Do("2001", "cp.visit_held", day.ToString(), "social_worker");
  CHECK(f.svc.hydrations().from_snapshot == before.from_snapshot + 1);
  CHECK(next.states.at("child_protection") == "OnCpPlan");

  SECTION("a damaged snapshot is ignored: the case comes from the log") {
    REQUIRE(f.log->PutSnapshot("case.2001@" + std::to_string(SnapshotIndex(*f.log, "2001")->back().version),
                               "journey=3:bad\n").ok());
    auto fallback = LoadCase(*f.log, "2001", workflows::RuleBook::Default());
    REQUIRE(fallback.ok());
    CHECK(fallback->snapshot_version < SnapshotIndex(*f.log, "2001")->back().version);
    auto all = f.log->ReadStream(StreamOf("2001"), 1, Direction::kForward, SIZE_MAX);
    CHECK(fallback->c.Save() == CaseService::Rebuild(*all, workflows::RuleBook::Default())->Save());
  }
  SECTION("a snapshot made under other rules is not used") {
    auto local = workflows::RuleBook::Default().WithLocalStandard("T-06", 10);
    if (local.ok()) {
      auto other = LoadCase(*f.log, "2001", *local);
      REQUIRE(other.ok());
      CHECK(other->snapshot_version == 0);
    }
  }
}

TEST_CASE("a journey's and a case's snapshot text round-trips and refuses what it is not",
          "[replay][snapshot]") {
  Fixture f;
  OnPlan(f, "2002");
  auto c = f.svc.Load("2002");
  REQUIRE(c.ok());
  auto back = workflows::Case::Load(c->Save());
  REQUIRE(back.ok());
  CHECK(back->Save() == c->Save());
  CHECK(back->States() == c->States());
  CHECK(back->OpenDeadlines().size() == c->OpenDeadlines().size());
  CHECK(workflows::Case::Load("format=3:xyz\n").status().IsCorruption());
  CHECK(workflows::Case::Load("not a snapshot").status().IsCorruption());
  auto cp = workflows::NewChildProtection();
  CHECK(cp->Load(c->journey("child_in_care").Save()).IsCorruption());
  std::string renamed = c->journey("child_protection").Save();
  renamed.replace(renamed.find("OnCpPlan"), 8, "OnCpPlaX");
  CHECK(cp->Load(renamed).IsCorruption());
  REQUIRE(cp->Load(c->journey("child_protection").Save()).ok());
  CHECK(cp->State() == "OnCpPlan");
}

TEST_CASE("as-of: what was true on a date, as the record stood on a date", "[replay][asof]") {
  Fixture f;
  OnPlan(f, "2003");
  // A visit on 2 March is recorded only on 20 March, after the core group of 5 March.
  f.Do("2003", "cp.core_group_held", "2026-03-05", "social_worker");
  f.Do("2003", "cp.visit_held", "2026-03-02", "social_worker", {}, T("2026-03-20"));

  auto view = [&](const char* x, const char* y) {
    auto v = f.audit.AsOf("2003", T(x, 23), T(y, 23), true);
    REQUIRE(v.ok());
    return *v;
  };
  auto has = [](const ChildView& v, const std::string& text) {
    for (const auto& e : v.chronology) {
      if (e.text.find(text) != std::string::npos) return true;
    }
    return false;
  };
  // On 10 March, as the record stood on 10 March: no visit yet.
  ChildView early = view("2026-03-10", "2026-03-10");
  CHECK(early.states.at("child_protection") == "OnCpPlan");
  CHECK_FALSE(has(early, "Child protection visit"));
  CHECK(has(early, "Core group meeting"));
  // On 10 March, as the record stood on 21 March: the late visit is there.
  ChildView late = view("2026-03-10", "2026-03-21");
  CHECK(has(late, "Child protection visit"));
  CHECK(late.version > early.version);
  // On 1 March: no core group and no visit, whenever asked.
  ChildView before = view("2026-03-01", "2026-03-21");
  CHECK_FALSE(has(before, "Core group meeting"));
  CHECK_FALSE(has(before, "Child protection visit"));
  // Before the plan: the child was in an S47 enquiry.
  CHECK(view("2026-02-05", "2026-03-21").states.at("child_protection") == "S47Enquiry");
  CHECK(view("2026-02-15", "2026-03-21").states.at("child_protection") == "AwaitingIcpc");
  // Before anything was recorded there is no state to show.
  CHECK(view("2026-03-10", "2025-12-01").version == 0);
  CHECK(f.audit.AsOf("nobody").status().IsNotFound());
  CHECK(f.audit.AsOf("").status().IsInvalidArgument());
}

TEST_CASE("as-of reads the child's stream from a snapshot, not the whole log", "[replay][asof][snapshot]") {
  Fixture f;
  OnPlan(f, "2004");
  workflows::Date day = std::move(workflows::Date::Parse("2026-02-21", "d")).value();
  for (int i = 0; i < 200; ++i, day = day.AddDays(1)) f.Do("2004", "cp.visit_held", day.ToString(), "social_worker");
  OnPlan(f, "2005");  // another child: never read
  auto now = f.audit.AsOf("2004");
  REQUIRE(now.ok());
  CHECK(now->snapshot_version > 0);
  CHECK(now->events_read < kSnapshotEvery);
  // An earlier date cannot use the snapshot (it holds later visits): the same answer as a full fold.
  auto early = f.audit.AsOf("2004", T("2026-03-01", 23));
  REQUIRE(early.ok());
  CHECK(early->snapshot_version == 0);
  CHECK(early->states.at("child_protection") == "OnCpPlan");
}

TEST_CASE("a correction changes the views and keeps the original for audit", "[replay][correction]") {
  Fixture f;
  OnPlan(f, "2010");
  const std::uint64_t sd = VersionOf(f, "2010", "cp.strategy_discussion_held");
  const std::uint64_t before_version = f.Version("2010");
  const std::string live_before = ProjectionsOf(*f.log);

  // The strategy discussion was on 2 February, not 3: the ICPC deadline (T-06) moves with it.
  auto r = f.Do("2010", "case.record_corrected", "2026-03-01", "team_manager",
                {{"target_version", std::to_string(sd)}, {"reason", "date typed wrongly"}, {"occurred_on", "2026-02-02"}});
  CHECK(r.event_types == std::vector<std::string>{"case.record_corrected"});
  CHECK(f.Version("2010") == before_version + 1);

  ChronologyProjection chronology;
  ProjectionRunner runner(*f.log);
  REQUIRE(runner.Rebuild(chronology).ok());
  bool corrected = false;
  auto entries = chronology.For("2010", *f.log);
  REQUIRE(entries.ok());
  for (const auto& e : *entries) {
    if (e.version != sd) continue;
    corrected = true;
    CHECK(workflows::Date::FromTimestampUs(e.occurred_at).ToString() == "2026-02-02");
    CHECK(e.text.find("corrected by u.team_manager (team_manager): date typed wrongly") != std::string::npos);
    CHECK(e.original.find("Strategy discussion held") == 0);
    CHECK(workflows::Date::FromTimestampUs(e.original_at).ToString() == "2026-02-03");
  }
  CHECK(corrected);

  DeadlinesProjection deadlines;
  REQUIRE(runner.Rebuild(deadlines).ok());
  bool icpc = false;
  for (const auto& e : deadlines.entries()) {
    if (e.child == "2010" && e.rule == "T-06") {
      icpc = true;
      CHECK(e.started == "2026-02-02");
    }
  }
  CHECK(icpc);

  // The record as it stood before the correction still shows the first version.
  auto as_was = f.audit.AsOf("2010", INT64_MAX, T("2026-02-28"), true);
  REQUIRE(as_was.ok());
  for (const auto& e : as_was->chronology) {
    if (e.version == sd) CHECK(workflows::Date::FromTimestampUs(e.occurred_at).ToString() == "2026-02-03");
  }
  // The case rebuilt from the log agrees with the pipeline's.
  auto events = f.log->ReadStream(StreamOf("2010"), 1, Direction::kForward, SIZE_MAX);
  CHECK(CaseService::Rebuild(*events, workflows::RuleBook::Default())->Save() == f.svc.Load("2010")->Save());
  CHECK(ProjectionsOf(*f.log) != live_before);
}

TEST_CASE("a withdrawal that later actions depend on is refused, one they do not is applied",
          "[replay][correction]") {
  Fixture f;
  OnPlan(f, "2011");
  const std::uint64_t icpc = VersionOf(f, "2011", "cp.icpc_held");
  f.Do("2011", "cp.core_group_held", "2026-03-03", "social_worker");
  const std::uint64_t version = f.Version("2011");

  auto refused = f.Try("2011", "case.record_withdrawn", "2026-03-04", "cp_chair",
                       {{"target_version", std::to_string(icpc)}, {"reason", "recorded on the wrong child"}});
  REQUIRE(refused.ok());
  CHECK_FALSE(refused->accepted);
  CHECK(refused->verdict.verdict.rule == "correction_conflict");
  CHECK(refused->verdict.verdict.reason.find("cp.core_group_held") != std::string::npos);
  CHECK(f.Version("2011") == version);  // nothing written

  const std::uint64_t core = VersionOf(f, "2011", "cp.core_group_held");
  auto ok = f.Do("2011", "case.record_withdrawn", "2026-03-04", "social_worker",
                 {{"target_version", std::to_string(core)}, {"reason", "meeting did not take place"}});
  CHECK(ok.states.at("child_protection") == "OnCpPlan");
  auto again = f.Try("2011", "case.record_withdrawn", "2026-03-05", "social_worker",
                     {{"target_version", std::to_string(core)}, {"reason", "twice"}});
  REQUIRE(again.ok());
  CHECK(again->verdict.verdict.rule == "already_withdrawn");

  // The core group deadline (N-08) is open again: withdrawn, the meeting never met it.
  ChildSummaryProjection summary;
  ProjectionRunner runner(*f.log);
  REQUIRE(runner.Rebuild(summary).ok());
  CHECK(summary.Find("2011")->open_deadlines.count("N-08") == 1);
  // Explain shows the withdrawn action and the withdrawal.
  auto trace = f.audit.Explain("2011");
  REQUIRE(trace.ok());
  bool saw_withdrawn = false, saw_withdrawal = false;
  for (const auto& t : *trace) {
    if (t.version == core) saw_withdrawn = t.correction.find("withdrawn by version") == 0;
    if (t.action == "case.record_withdrawn") saw_withdrawal = t.correction.find("withdraws version") == 0;
  }
  CHECK(saw_withdrawn);
  CHECK(saw_withdrawal);
}

TEST_CASE("bad corrections are refused with the field or rule, and nothing is written", "[replay][correction]") {
  Fixture f;
  OnPlan(f, "2012");
  const std::uint64_t version = f.Version("2012");
  const std::string sd = std::to_string(VersionOf(f, "2012", "cp.strategy_discussion_held"));
  const std::string deadline = std::to_string(VersionOf(f, "2012", "deadline.scheduled"));
  auto field_of = [&](const std::string& action, std::map<std::string, std::string> params, const std::string& role = "team_manager") {
    auto r = f.Try("2012", action, "2026-03-01", role, std::move(params));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().IsInvalidArgument());
    return r.status().field();
  };
  CHECK(field_of("case.record_corrected", {{"reason", "x"}, {"occurred_on", "2026-02-01"}}) == "params.target_version");
  CHECK(field_of("case.record_corrected", {{"target_version", "abc"}, {"reason", "x"}}) == "params.target_version");
  CHECK(field_of("case.record_corrected", {{"target_version", "999"}, {"reason", "x"}, {"occurred_on", "2026-02-01"}}) ==
        "params.target_version");
  CHECK(field_of("case.record_corrected", {{"target_version", sd}, {"occurred_on", "2026-02-01"}}) == "params.reason");
  CHECK(field_of("case.record_corrected", {{"target_version", sd}, {"reason", "x"}}) == "params");
  CHECK(field_of("case.record_corrected", {{"target_version", sd}, {"reason", "x"}, {"occurred_on", "2026-02-31"}}) ==
        "params.occurred_on");
  CHECK(field_of("case.record_corrected", {{"target_version", sd}, {"reason", "x"}, {"occurred_on", "2026-04-01"}}) ==
        "params.occurred_on");
  CHECK(field_of("case.record_corrected", {{"target_version", deadline}, {"reason", "x"}, {"occurred_on", "2026-02-01"}}) ==
        "params.target_version");
  CHECK(field_of("case.record_withdrawn", {{"target_version", sd}, {"reason", "x"}, {"occurred_on", "2026-02-01"}}) ==
        "params.occurred_on");
  auto auditor = f.Try("2012", "case.record_corrected", "2026-03-01", "auditor",
                       {{"target_version", sd}, {"reason", "x"}, {"occurred_on", "2026-02-01"}});
  REQUIRE(auditor.ok());
  CHECK(auditor->verdict.verdict.rule == "forbidden_role");
  auto chair = f.Try("2012", "case.record_corrected", "2026-03-01", "cp_chair",
                     {{"target_version", sd}, {"reason", "x"}, {"occurred_on", "2026-02-01"}});
  REQUIRE(chair.ok());
  CHECK(chair->verdict.verdict.rule == "forbidden_role");  // the chair does not record strategy discussions
  CHECK(f.Version("2012") == version);
}

TEST_CASE("projections rebuilt from position 1 equal live ones, with corrections in the history",
          "[replay][correction][projection]") {
  Fixture f;
  ChildSummaryProjection summary;
  ChronologyProjection chronology;
  DeadlinesProjection deadlines;
  PloTrackerProjection plo;
  KpiProjection kpis;
  ProjectionRunner runner(*f.log);
  std::vector<Projection*> all{&summary, &chronology, &deadlines, &plo, &kpis};
  auto catch_up = [&] {
    for (Projection* p : all) REQUIRE(runner.CatchUp(*p).ok());
  };
  for (int i = 0; i < 6; ++i) {
    const std::string child = "30" + std::to_string(i);
    OnPlan(f, child);
    catch_up();
    f.Do(child, "plo.legal_planning_meeting_held", "2026-03-02", "team_manager", {{"decision", "pre_proceedings"}});
    catch_up();
    f.Do(child, "plo.letter_before_proceedings_sent", "2026-03-04", "social_worker");
    const std::uint64_t lpm = VersionOf(f, child, "plo.legal_planning_meeting_held");
    if (i % 2 == 0) {
      f.Do(child, "case.record_corrected", "2026-03-05", "team_manager",
           {{"target_version", std::to_string(lpm)}, {"reason", "meeting date"}, {"occurred_on", "2026-03-01"}});
    }
    catch_up();
  }
  std::string live;
  for (Projection* p : all) live += std::string("## ") + p->name() + "\n" + p->Serialize();
  CHECK(live == ProjectionsOf(*f.log));
  auto tracked = plo.List();
  REQUIRE(tracked.size() == 6);
  CHECK(tracked[0].lpm_date == "2026-03-01");  // corrected
  CHECK(tracked[1].lpm_date == "2026-03-02");
}

TEST_CASE("an exported bundle verifies itself, and tampering is named", "[replay][export]") {
  Fixture f;
  OnPlan(f, "2020");
  auto bundle = f.audit.Export("2020");
  REQUIRE(bundle.ok());
  BundleReport ok = Audit::VerifyBundle(*bundle);
  INFO(ok.reason);
  CHECK(ok.ok);
  CHECK(ok.events == f.Version("2020"));
  CHECK(ok.head_hash == HexOf(f.log->GetStreamInfo("child-2020")->head_hash));
  CHECK(bundle->find("\"calendar_version\": \"ew-2026.1\"") != std::string::npos);
  CHECK(bundle->find("\"child_protection\": \"") != std::string::npos);

  std::string tampered = *bundle;
  auto at = tampered.find("neglect");
  REQUIRE(at != std::string::npos);
  tampered.replace(at, 7, "neglecx");
  BundleReport bad = Audit::VerifyBundle(tampered);
  CHECK_FALSE(bad.ok);
  CHECK(bad.reason.find("hash does not match") != std::string::npos);
  CHECK(bad.reason.find("version " + std::to_string(VersionOf(f, "2020", "cp.icpc_held"))) == 0);

  CHECK_FALSE(Audit::VerifyBundle("{}").ok);
  CHECK_FALSE(Audit::VerifyBundle("not json").ok);
  CHECK(f.audit.Export("nobody").status().IsNotFound());
}

TEST_CASE("explain gives the transition trace: guard, from -> to, deadlines", "[replay][explain]") {
  Fixture f;
  OnPlan(f, "2030");
  auto trace = f.audit.Explain("2030");
  REQUIRE(trace.ok());
  REQUIRE(trace->size() == 4);
  const TraceStep& sd = (*trace)[1];
  CHECK(sd.action == "cp.strategy_discussion_held");
  CHECK(sd.journey == "child_protection");
  CHECK(sd.from_state == "NoCpInvolvement");
  CHECK(sd.to_state == "S47Enquiry");
  CHECK(sd.guard == "DecidedS47");
  REQUIRE_FALSE(sd.deadlines.empty());
  CHECK(sd.deadlines[0].find("scheduled T-") == 0);
  const TraceStep& icpc = (*trace)[3];
  CHECK(icpc.to_state == "OnCpPlan");
  bool met = false;
  for (const auto& d : icpc.deadlines) met |= d.find("met T-06") == 0 || d.find("met late T-06") == 0;
  CHECK(met);
  CHECK(icpc.actor == "u.cp_chair (cp_chair, north-1)");
}

TEST_CASE("a sealed projection checkpoint is checked against the log", "[replay][verify]") {
  Fixture f;
  OnPlan(f, "2040");
  ProjectionRunner runner(*f.log);
  PloTrackerProjection plo;
  KpiProjection kpis;
  REQUIRE(runner.RebuildAll({&plo, &kpis}).ok());
  REQUIRE(runner.Seal(plo).ok());
  REQUIRE(runner.Seal(kpis).ok());
  PloTrackerProjection fresh_plo;
  KpiProjection fresh_kpis;
  ChronologyProjection never_sealed;
  CHECK(runner.Verify(fresh_plo)->ok);
  CHECK(runner.Verify(fresh_kpis)->ok);
  CHECK_FALSE(runner.Verify(never_sealed)->sealed);
  // More events after the seal do not matter: the check rebuilds up to the sealed position.
  f.Do("2040", "cp.core_group_held", "2026-03-03", "social_worker");
  CHECK(runner.Verify(fresh_kpis)->ok);
  // A state that does not match the log, and a checkpoint past the head, are named.
  REQUIRE(f.log->PutSnapshot(ProjectionRunner::CheckpointName(kpis) + ".seal", std::to_string(kpis.position()) + " 00ff").ok());
  auto wrong = runner.Verify(fresh_kpis);
  CHECK_FALSE(wrong->ok);
  CHECK(wrong->reason.find("differs from a rebuild") != std::string::npos);
  REQUIRE(f.log->PutSnapshot(ProjectionRunner::CheckpointName(plo) + ".seal", "999999 00ff").ok());
  auto past = runner.Verify(fresh_plo);
  CHECK_FALSE(past->ok);
  CHECK(past->reason.find("past the log's head") != std::string::npos);
}

TEST_CASE("as-of from snapshots and skipped segments equals a full fold, for any dates", "[replay][asof][snapshot]") {
  Fixture f;
  OnPlan(f, "2050");
  workflows::Date day = std::move(workflows::Date::Parse("2026-02-21", "d")).value();
  // Visits, every fifth one recorded a week late.
  for (int i = 0; i < 400; ++i, day = day.AddDays(1)) {
    const TimestampUs late = i % 5 == 0 ? day.AddDays(7).StartUs() + 12 * kHourUs : 0;
    f.Do("2050", "cp.visit_held", day.ToString(), "social_worker", {}, late);
  }
  REQUIRE(SnapshotIndex(*f.log, "2050")->size() >= 4);
  const TimestampUs first = T("2026-01-01"), last = f.now.load() + kHourUs;
  std::uint64_t read_with = 0, read_without = 0;
  for (int i = 0; i < 60; ++i) {
    const TimestampUs x = first + (last - first) / 60 * ((i * 37) % 60);
    const TimestampUs y = first + (last - first) / 60 * ((i * 53 + 11) % 61);
    FoldOptions o;
    o.occurred_by = x;
    o.recorded_by = y;
    o.skip_refused = true;
    auto fast = LoadCase(*f.log, "2050", workflows::RuleBook::Default(), o, true);
    auto full = LoadCase(*f.log, "2050", workflows::RuleBook::Default(), o, false);
    if (!full.ok()) {
      CHECK(fast.status().code() == full.status().code());
      continue;
    }
    REQUIRE(fast.ok());
    INFO("x " << x << " y " << y);
    CHECK(fast->c.Save() == full->c.Save());
    CHECK(fast->version == full->version);
    read_with += fast->events_read;
    read_without += full->events_read;
  }
  CHECK(read_with * 2 < read_without);  // snapshots and skipped segments read far less
}
