// Pre-proceedings (PLO) and care proceedings: every row, every refusal, and the timetable.
#include "tests/workflows/journey_test_util.hpp"

using namespace casetrail::workflows;
using namespace casetrail::workflows::testing;

namespace {

JourneyFixture PreProceedingsFixture() {
  JourneyFixture f;
  f.make = [] { return NewPreProceedings(); };
  const std::pair<std::string, Params> lpm = {"plo.legal_planning_meeting_held", {{"decision", "pre_proceedings"}}};
  f.paths["LetterDue"] = {lpm};
  f.paths["InitialMeetingDue"] = {lpm, {"plo.letter_before_proceedings_sent", {}}};
  f.paths["InPreProceedings"] = {lpm, {"plo.letter_before_proceedings_sent", {}}, {"plo.initial_meeting_held", {}}};
  f.guard_params = {{"DecidedPreProceedings", {{"decision", "pre_proceedings"}}},
                    {"DecidedToIssue", {{"decision", "issue_proceedings"}}},
                    {"ThresholdNotMet", {{"decision", "threshold_not_met"}}},
                    {"SteppedDown", {{"outcome", "step_down"}}},
                    {"Continues", {{"outcome", "continue"}}},
                    {"ProceedingsToIssue", {{"outcome", "issue_proceedings"}}}};
  f.action_params = {{"plo.legal_planning_meeting_held", {{"decision", "pre_proceedings"}}},
                     {"plo.extension_approved", {{"reason", "parenting assessment due"}}},
                     {"plo.pre_proceedings_concluded", {{"outcome", "step_down"}}}};
  return f;
}

JourneyFixture CareProceedingsFixture() {
  JourneyFixture f;
  f.make = [] { return NewCareProceedings(); };
  const std::pair<std::string, Params> issue = {"court.application_issued", {{"track", "standard"}}};
  f.paths["Issued"] = {issue};
  f.paths["CaseManagement"] = {issue, {"court.hearing_held", {{"hearing", "case_management"}}}};
  f.paths["IssuesResolution"] = {issue, {"court.hearing_held", {{"hearing", "case_management"}}},
                                 {"court.hearing_held", {{"hearing", "issues_resolution"}}}};
  f.paths["FdacProceedings"] = {{"court.application_issued", {{"track", "fdac"}}}};
  f.guard_params = {{"StandardTrack", {{"track", "standard"}}},
                    {"FdacTrack", {{"track", "fdac"}}},
                    {"CaseManagementHearing", {{"hearing", "case_management"}}},
                    {"FurtherCaseManagementHearing", {{"hearing", "further_case_management"}}},
                    {"IssuesResolutionHearing", {{"hearing", "issues_resolution"}}}};
  f.action_params = {{"court.application_issued", {{"track", "standard"}}},
                     {"court.hearing_held", {{"hearing", "case_management"}}},
                     {"court.interim_order_made", {{"order", "interim_care_order"}}},
                     {"court.extension_granted", {{"weeks", "8"}, {"reason", "expert report"}}},
                     {"court.final_order_made", {{"order", "care_order"}}},
                     {"court.application_withdrawn", {{"reason", "threshold no longer met"}}}};
  return f;
}

}  // namespace

TEST_CASE("pre-proceedings: every row can be taken", "[workflows][plo]") { CheckEveryRow(PreProceedingsFixture()); }

TEST_CASE("pre-proceedings: every action without a row is refused", "[workflows][plo]") {
  CHECK(CheckEveryRefusal(PreProceedingsFixture()) == 4 * 8 - 8);  // 8 (state, action) pairs have rows
}

TEST_CASE("pre-proceedings: the initial meeting falls due 10 working days after the LPM",
          "[workflows][plo]") {
  auto j = NewPreProceedings();
  Verdict lpm = j->Apply(Act(*j, "plo.legal_planning_meeting_held", "2026-12-14", {{"decision", "pre_proceedings"}}));
  REQUIRE(lpm.accepted);
  REQUIRE(lpm.deadlines.size() == 2);
  CHECK(lpm.deadlines[0].deadline.rule_id == "T-30");
  CHECK(lpm.deadlines[0].deadline.due_date.ToString() == "2026-12-30");  // over Christmas
  CHECK(lpm.deadlines[1].deadline.rule_id == "T-31");
  CHECK(lpm.deadlines[1].deadline.due_date.ToString() == "2027-04-04");  // week 16 ends: LPM day + 111
  // The initial meeting cannot come before the letter.
  CHECK(j->Apply(Act(*j, "plo.initial_meeting_held", "2026-12-20")).rule == "no_transition");
  REQUIRE(j->Apply(Act(*j, "plo.letter_before_proceedings_sent", "2026-12-15")).accepted);
  Verdict ippm = j->Apply(Act(*j, "plo.initial_meeting_held", "2027-01-05"));
  REQUIRE(ippm.accepted);
  CHECK(ippm.deadlines[0].kind == DeadlineEffect::Kind::kMetLate);
  // Only a head of service approves an extension.
  Action ext = Act(*j, "plo.extension_approved", "2027-03-30", {{"reason", "assessment"}});
  ext.role = "team_manager";
  CHECK(j->Apply(ext).rule == "forbidden_role");
  ext.role = "head_of_service";
  REQUIRE(j->Apply(ext).accepted);
  bool moved = false;
  for (const auto& d : j->OpenDeadlines()) moved |= d.rule_id == "T-31" && d.due_date.ToString() == "2027-07-19";
  CHECK(moved);
  Verdict out = j->Apply(Act(*j, "plo.pre_proceedings_concluded", "2027-06-01", {{"outcome", "step_down"}}));
  REQUIRE(out.accepted);
  CHECK(j->State() == "NoPloInvolvement");
  CHECK(j->OpenDeadlines().empty());
}

TEST_CASE("care proceedings: every row can be taken", "[workflows][court]") { CheckEveryRow(CareProceedingsFixture()); }

TEST_CASE("care proceedings: every action without a row is refused", "[workflows][court]") {
  CHECK(CheckEveryRefusal(CareProceedingsFixture()) == 5 * 7 - 19);  // 19 (state, action) pairs have rows
}

// CA 1989 s32(1)(a)(ii): "within the period of twenty-six weeks beginning with the day on which
// the application was issued" (the issue day is day 1; the last day is issue + 181 days);
// s32(8): each extension "is to end no more than eight weeks after" the end of the period.
TEST_CASE("care proceedings: 26 weeks beginning with the day of issue, moved by extensions of at most 8 weeks",
          "[workflows][court]") {
  auto j = NewCareProceedings();
  Verdict issue = j->Apply(Act(*j, "court.application_issued", "2026-03-02", {{"track", "standard"}}));
  REQUIRE(issue.accepted);
  REQUIRE(issue.deadlines.size() == 1);
  CHECK(issue.deadlines[0].deadline.rule_id == "T-32");
  CHECK(issue.deadlines[0].deadline.due_date.ToString() == "2026-08-30");  // Monday 2 March + 181 days
  CHECK(j->Apply(Act(*j, "court.extension_granted", "2026-08-20", {{"weeks", "9"}, {"reason", "x"}})).rule ==
        "invalid_parameter");
  CHECK(j->Apply(Act(*j, "court.extension_granted", "2026-08-20", {{"weeks", "8"}})).rule == "invalid_parameter");
  Verdict ext = j->Apply(Act(*j, "court.extension_granted", "2026-08-20", {{"weeks", "8"}, {"reason", "expert"}}));
  REQUIRE(ext.accepted);
  CHECK(j->OpenDeadlines().at(0).due_date.ToString() == "2026-10-25");  // + 56 days
  // A final order cannot be made before the case management hearing.
  CHECK(j->Apply(Act(*j, "court.final_order_made", "2026-09-01", {{"order", "care_order"}})).rule ==
        "no_transition");
  REQUIRE(j->Apply(Act(*j, "court.hearing_held", "2026-03-20", {{"hearing", "case_management"}})).accepted);
  Verdict fin = j->Apply(Act(*j, "court.final_order_made", "2026-10-20", {{"order", "care_order"}}));
  REQUIRE(fin.accepted);
  CHECK(fin.deadlines[0].kind == DeadlineEffect::Kind::kMet);
  CHECK(j->State() == "NoProceedings");
}
