// The LADO journey (allegations against people who work with children) and the allegation's own
// record: every row, every refusal, T-100 and T-103, and an allegation never on a child's record.
#include <catch2/catch.hpp>

#include "engine/event_log.hpp"
#include "tests/engine/test_util.hpp"
#include "tests/workflows/journey_test_util.hpp"
#include "workflows/own_record.hpp"
#include "workflows/case.hpp"
#include "workflows/case_service.hpp"

using namespace casetrail;
using namespace casetrail::workflows;
using namespace casetrail::workflows::testing;

namespace {

const Params kReferral = {{"concern_raised_on", "2026-03-01"}, {"sector", "education"},   {"employment", "paid"},
                          {"subject", "teacher A"},             {"criteria", "harmed_a_child"}, {"referrer", "employer"}};

JourneyFixture LadoFixture() {
  JourneyFixture f;
  f.make = [] { return NewLado(); };
  const std::pair<std::string, Params> referral = {"lado.referral_received", kReferral};
  f.paths["AwaitingEvaluation"] = {referral};
  f.paths["ManagedByLado"] = {referral, {"lado.initial_evaluation_completed", {{"outcome", "threshold_met"}}}};
  f.paths["ClosedAtEvaluation"] = {referral, {"lado.initial_evaluation_completed", {{"outcome", "advice_given"}}}};
  f.paths["Concluded"] = {referral,
                          {"lado.initial_evaluation_completed", {{"outcome", "threshold_met"}}},
                          {"lado.allegation_concluded", {{"outcome", "unfounded"}}}};
  f.guard_params = {{"ThresholdMet", {{"outcome", "threshold_met"}}},
                    {"ThresholdNotMet", {{"outcome", "referred_to_other_authority"}}}};
  f.action_params = {{"lado.referral_received", kReferral},
                     {"lado.initial_evaluation_completed", {{"outcome", "advice_given"}}},
                     {"lado.strategy_discussion_held", {{"with_police", "yes"}}},
                     {"lado.employer_action_recorded", {{"action", "suspended"}}},
                     {"lado.allegation_concluded", {{"outcome", "substantiated"}, {"dbs_referral", "yes"}}},
                     {"lado.allegation_reopened", {{"reason", "new information from the police"}}}};
  return f;
}

Action Lado(const char* name, const char* date, Params params, const char* role = "lado_officer", int hour = 10) {
  Action a;
  a.name = name;
  a.occurred_at_us = At(date, hour);
  a.role = role;
  a.params = std::move(params);
  return a;
}

bool Has(const Verdict& v, DeadlineEffect::Kind kind, const char* rule) {
  for (const auto& d : v.deadlines) {
    if (d.kind == kind && d.deadline.rule_id == rule) return true;
  }
  return false;
}

OwnRecordCommand Cmd(const char* id, const char* action, const char* date, Params params,
                      const char* role = "lado_officer") {
  OwnRecordCommand c;
  c.id = id;
  c.action = action;
  c.occurred_at = At(date);
  c.params = std::move(params);
  c.actor = Actor{"lado.patel", role, "lado"};
  c.command_id = std::string(id) + "-" + action + "-" + date;
  return c;
}

}  // namespace

TEST_CASE("every LADO transition can be taken", "[workflows][lado]") { CheckEveryRow(LadoFixture()); }

TEST_CASE("every LADO action without a row is refused and changes nothing", "[workflows][lado]") {
  CHECK(CheckEveryRefusal(LadoFixture()) > 0);
}

TEST_CASE("T-100: a referral made the next working day after the concern meets the referrer's duty",
          "[workflows][lado][rules]") {
  auto j = NewLado();
  Params p = kReferral;
  p["concern_raised_on"] = "2026-03-05";  // a Thursday
  Verdict v = j->Apply(Lado("lado.referral_received", "2026-03-06", p));
  REQUIRE(v.accepted);
  CHECK(Has(v, DeadlineEffect::Kind::kScheduled, "T-100"));
  CHECK(Has(v, DeadlineEffect::Kind::kMet, "T-100"));
  CHECK(Has(v, DeadlineEffect::Kind::kScheduled, "T-103"));  // the LADO's own evaluation is now due
}

TEST_CASE("T-100: a referral two working days after the concern is met late", "[workflows][lado][rules]") {
  auto j = NewLado();
  Params p = kReferral;
  p["concern_raised_on"] = "2026-03-05";  // Thursday; Friday is the one working day; Monday is late
  Verdict v = j->Apply(Lado("lado.referral_received", "2026-03-09", p));
  REQUIRE(v.accepted);
  CHECK(Has(v, DeadlineEffect::Kind::kMetLate, "T-100"));
}

TEST_CASE("T-103: the initial evaluation on the next working day is in time, the day after is late",
          "[workflows][lado][rules]") {
  for (const auto& [day, late] : std::vector<std::pair<const char*, bool>>{{"2026-03-09", false}, {"2026-03-10", true}}) {
    auto j = NewLado();
    REQUIRE(j->Apply(Lado("lado.referral_received", "2026-03-06", kReferral)).accepted);  // Friday
    Verdict v = j->Apply(Lado("lado.initial_evaluation_completed", day, {{"outcome", "threshold_met"}}));
    REQUIRE(v.accepted);
    CHECK(Has(v, late ? DeadlineEffect::Kind::kMetLate : DeadlineEffect::Kind::kMet, "T-103"));
    CHECK(j->OpenDeadlines().empty());
  }
}

TEST_CASE("a substantiated allegation must say whether the person was referred to the DBS", "[workflows][lado]") {
  auto j = LadoFixture().Reach("ManagedByLado");
  Verdict v = j->Apply(Lado("lado.allegation_concluded", "2026-04-01", {{"outcome", "substantiated"}}));
  CHECK_FALSE(v.accepted);
  CHECK(v.rule == "invalid_parameter");
  CHECK_THAT(v.reason, Catch::Contains("dbs_referral"));
  CHECK(j->Apply(Lado("lado.allegation_concluded", "2026-04-01", {{"outcome", "malicious"}})).accepted);
}

TEST_CASE("a referral names the concern's date, the sector and which of the four criteria is met",
          "[workflows][lado]") {
  for (const char* missing : {"concern_raised_on", "sector", "criteria", "subject"}) {
    auto j = NewLado();
    Params p = kReferral;
    p.erase(missing);
    Verdict v = j->Apply(Lado("lado.referral_received", "2026-03-06", p));
    INFO(missing);
    CHECK_FALSE(v.accepted);
    CHECK_THAT(v.reason, Catch::Contains(missing));
  }
  auto j = NewLado();
  Params p = kReferral;
  p["concern_raised_on"] = "2026-03-07";  // after the referral
  CHECK_FALSE(j->Apply(Lado("lado.referral_received", "2026-03-06", p)).accepted);
}

TEST_CASE("only the LADO team records an allegation, auditors and social workers do not", "[workflows][lado]") {
  for (const char* role : {"social_worker", "team_manager", "auditor", ""}) {
    auto j = NewLado();
    Verdict v = j->Apply(Lado("lado.referral_received", "2026-03-06", kReferral, role));
    INFO(role);
    CHECK(v.rule == "forbidden_role");
  }
}

TEST_CASE("an allegation's action is refused on a child's record, and a child's action on an allegation",
          "[workflows][lado]") {
  Case c;
  auto v = c.Apply(Lado("lado.referral_received", "2026-03-06", kReferral));
  CHECK_FALSE(v.accepted());
  CHECK(v.verdict.rule == "not_a_child_action");
  CHECK_THAT(v.verdict.reason, Catch::Contains("/v1/allegations"));
  CHECK(c.States().count("lado") == 0);

  OwnRecord a(AllegationRecord());
  Verdict w = a.Apply(Lado("cin.plan_started", "2026-03-06", {}, "social_worker"));
  CHECK_FALSE(w.accepted);
  CHECK(w.rule == "not_a_allegation_action");
}

TEST_CASE("an allegation is its own stream: written, retried, rebuilt from the log", "[workflows][lado][pipeline]") {
  casetrail::testing::TempDir dir;
  {
    auto log = std::move(OpenRocksEventLog(dir.str())).value();
    OwnRecordService svc(*log, AllegationRecord());
    Params p = kReferral;
    p["concern_raised_on"] = "2026-03-05";
    auto first = svc.Execute(Cmd("A-1", "lado.referral_received", "2026-03-06", p));
    REQUIRE(first.ok());
    REQUIRE(first->accepted);
    CHECK(first->append.stream == "allegation-A-1");
    CHECK(first->state == "AwaitingEvaluation");
    CHECK(first->event_types ==
          std::vector<std::string>{"lado.referral_received", "deadline.scheduled", "deadline.met", "deadline.scheduled"});
    auto retried = svc.Execute(Cmd("A-1", "lado.referral_received", "2026-03-06", p));
    REQUIRE(retried.ok());
    CHECK(retried->append.duplicate);
    auto refused = svc.Execute(Cmd("A-1", "lado.allegation_concluded", "2026-03-09", {{"outcome", "false"}}));
    REQUIRE(refused.ok());
    CHECK_FALSE(refused->accepted);
    CHECK(refused->verdict.rule == "no_transition");
    CHECK(refused->version == 4);  // nothing written
    auto auditor = svc.Execute(Cmd("A-1", "lado.initial_evaluation_completed", "2026-03-09",
                                   {{"outcome", "threshold_met"}}, "auditor"));
    REQUIRE(auditor.ok());
    CHECK(auditor->verdict.rule == "forbidden_role");
    REQUIRE(svc.Execute(Cmd("A-1", "lado.initial_evaluation_completed", "2026-03-09", {{"outcome", "threshold_met"}}))
                ->accepted);
    // The child's pipeline never sees it: no child "A-1" exists.
    CaseService cases(*log);
    std::uint64_t child_version = 99;
    REQUIRE(cases.Load("A-1", &child_version).ok());
    CHECK(child_version == 0);
  }
  auto log = std::move(OpenRocksEventLog(dir.str())).value();
  OwnRecordService fresh(*log, AllegationRecord());
  auto a = fresh.Load("A-1");
  REQUIRE(a.ok());
  CHECK(a->record.State() == "ManagedByLado");
  CHECK(a->version == 6);
  auto none = fresh.Load("A-2");
  INFO(none.status().message());
  CHECK(none.status().IsNotFound());
}

// ---- carers (SM-22): a carer's own record ----------------------------------------------------

namespace {

JourneyFixture CarersFixture() {
  JourneyFixture f;
  f.make = [] { return NewCarers(); };
  const std::pair<std::string, Params> enquiry = {"carer.enquiry_received", {{"kind", "foster_carer"}, {"household", "couple"}}};
  const std::pair<std::string, Params> started = {"carer.assessment_started", {}};
  const std::pair<std::string, Params> recommended = {"carer.panel_recommended", {{"recommendation", "approve"}}};
  const std::pair<std::string, Params> approved = {"carer.approval_decided", {{"decision", "approved"}, {"places", "2"}, {"ages", "0-10"}}};
  f.paths["Enquiry"] = {enquiry};
  f.paths["InAssessment"] = {enquiry, started};
  f.paths["AwaitingDecision"] = {enquiry, started, recommended};
  f.paths["ApprovedCarer"] = {enquiry, started, recommended, approved};
  f.paths["Deregistered"] = {enquiry, started, recommended, approved, {"carer.deregistered", {{"reason", "retired"}}}};
  f.guard_params = {{"Approved", approved.second}, {"NotApproved", {{"decision", "not_approved"}}},
                    {"AssessmentComplete(an adopter's two PAR stages, SG:345)", recommended.second}};
  f.action_params = {{"carer.enquiry_received", enquiry.second},
                     {"carer.enquiry_closed", {{"reason", "withdrew"}}},
                     {"carer.assessment_stage_completed", {{"stage", "1"}}},
                     {"carer.panel_recommended", recommended.second},
                     {"carer.approval_decided", approved.second},
                     {"carer.assessment_withdrawn", {{"reason", "withdrew"}}},
                     {"carer.approval_changed", {{"places", "3"}, {"ages", "0-12"}}},
                     {"carer.deregistered", {{"reason", "resigned"}}}};
  return f;
}

}  // namespace

TEST_CASE("carers: every row can be taken", "[workflows][carers]") { CheckEveryRow(CarersFixture()); }
TEST_CASE("carers: every action without a row is refused", "[workflows][carers]") {
  CHECK(CheckEveryRefusal(CarersFixture()) > 0);
}

TEST_CASE("T-51: an adopter goes to panel only after both PAR stages, and is approved within 8 months or late",
          "[workflows][carers][rules]") {
  auto j = NewCarers();
  REQUIRE(j->Apply(Act(*j, "carer.enquiry_received", "2026-01-05", {{"kind", "adopter"}, {"household", "single"}})).accepted);
  REQUIRE(j->Apply(Act(*j, "carer.assessment_started", "2026-01-12")).accepted);
  Verdict early = j->Apply(Act(*j, "carer.panel_recommended", "2026-03-01", {{"recommendation", "approve"}}));
  CHECK(early.rule == "guard_failed");
  REQUIRE(j->Apply(Act(*j, "carer.assessment_stage_completed", "2026-03-01", {{"stage", "1"}})).accepted);
  CHECK(j->Apply(Act(*j, "carer.panel_recommended", "2026-03-02", {{"recommendation", "approve"}})).rule == "guard_failed");
  REQUIRE(j->Apply(Act(*j, "carer.assessment_stage_completed", "2026-08-01", {{"stage", "2"}})).accepted);
  REQUIRE(j->Apply(Act(*j, "carer.panel_recommended", "2026-09-01", {{"recommendation", "approve"}})).accepted);
  Verdict v = j->Apply(Act(*j, "carer.approval_decided", "2026-09-14", {{"decision", "approved"}, {"places", "1"}, {"ages", "0-4"}}));
  REQUIRE(v.accepted);
  bool late = false;
  for (const auto& d : v.deadlines) late |= d.kind == DeadlineEffect::Kind::kMetLate && d.deadline.rule_id == "T-51";
  CHECK(late);  // 12 January + 8 months is 12 September
  CHECK(j->OpenDeadlines().empty());  // an approved adopter waits for a match: no foster carer's reviews
}

TEST_CASE("T-120, T-121, T-121u: a foster carer's panel within 16 weeks, then yearly reviews and unannounced visits",
          "[workflows][carers][rules]") {
  auto j = CarersFixture().Reach("ApprovedCarer");  // approved 2026-04-01 by the fixture's dates
  std::map<std::string, std::string> due;
  for (const auto& d : j->OpenDeadlines()) due[d.rule_id] = d.due_date.ToString();
  CHECK(due == std::map<std::string, std::string>{{"T-121", "2027-03-04"}, {"T-121u", "2027-03-04"}});
  REQUIRE(j->Apply(Act(*j, "carer.unannounced_visit_held", "2026-10-01")).accepted);
  for (const auto& d : j->OpenDeadlines()) due[d.rule_id] = d.due_date.ToString();
  CHECK(due["T-121u"] == "2027-10-01");
  CHECK(due["T-121"] == "2027-03-04");
}

TEST_CASE("a carer's record is its own stream, and a child's action is refused on it", "[workflows][carers][pipeline]") {
  auto log = OpenMemoryEventLog();
  OwnRecordService svc(*log, CarerRecord());
  OwnRecordCommand c = Cmd("C-9", "carer.enquiry_received", "2026-03-02", {{"kind", "connected_person"}, {"household", "single"}});
  c.actor = Actor{"fw.ali", "connected_persons_worker", "fostering"};
  auto out = svc.Execute(c);
  REQUIRE(out.ok());
  REQUIRE(out->accepted);
  CHECK(out->append.stream == "carer-C-9");
  OwnRecordCommand wrong = Cmd("C-9", "cin.plan_started", "2026-03-03", {});
  wrong.actor = c.actor;
  CHECK(svc.Execute(wrong)->verdict.rule == "not_a_carer_action");
  CHECK(RecordKindOf("carer-C-9") == &CarerRecord());
  CHECK_FALSE(IsRestrictedRecordStream("carer-C-9"));
  CHECK(IsRestrictedRecordStream("allegation-L-1"));
  CHECK(RecordKindOf("child-1") == nullptr);
}
