#include "adapters/demo.hpp"

#include <map>
#include <string>

#include "adapters/json/event_json.hpp"

namespace casetrail {

Status LoadDemoCaseload(workflows::CaseService& service, std::size_t* actions) {
  struct Step {
    const char* child;
    const char* date;
    const char* action;
    const char* user;
    const char* role;
    std::map<std::string, std::string> params;
  };
const Step steps[] = {
      {"1001", "2026-09-01T09:12:00Z", "fd.contact_received", "cass.adams", "cass_worker", {{"source", "school"}}},
      {"1001", "2026-09-01T15:40:00Z", "fd.decision_made", "tm.khan", "team_manager", {{"decision", "assessment"}}},
      {"1001", "2026-09-02T09:00:00Z", "alloc.worker_allocated", "tm.khan", "team_manager",
       {{"team", "north-1"}, {"worker", "sw.jones"}, {"as", "social_worker"}}},
      {"1001", "2026-09-03T10:00:00Z", "as.assessment_started", "sw.jones", "social_worker", {{"referred_on", "2026-09-01"}}},
      {"1001", "2026-10-20T16:00:00Z", "as.assessment_completed", "sw.jones", "social_worker", {}},
      {"1001", "2026-10-22T11:00:00Z", "as.assessment_authorised", "tm.khan", "team_manager", {{"outcome", "child_in_need_plan"}}},
      {"1001", "2026-10-26T10:00:00Z", "cin.plan_started", "sw.jones", "social_worker", {}},
      {"1002", "2026-09-05T11:00:00Z", "fd.contact_received", "cass.adams", "cass_worker", {{"source", "police"}}},
      {"1002", "2026-09-05T12:10:00Z", "fd.significant_harm_identified", "cass.adams", "cass_worker", {}},
      {"1002", "2026-09-05T12:15:00Z", "alloc.team_allocated", "cass.adams", "cass_worker", {{"team", "north-1"}}},
      {"1002", "2026-09-05T13:00:00Z", "alloc.worker_allocated", "tm.khan", "team_manager",
       {{"team", "north-1"}, {"worker", "sw.osei"}, {"as", "social_worker"}}},
      {"1002", "2026-09-05T13:30:00Z", "cp.strategy_discussion_held", "tm.khan", "team_manager", {{"outcome", "s47"}}},
      {"1002", "2026-09-16T09:00:00Z", "cp.s47_concluded", "sw.osei", "social_worker", {{"outcome", "icpc"}}},
      {"1002", "2026-09-24T10:00:00Z", "cp.icpc_held", "chair.lee", "cp_chair", {{"outcome", "cp_plan"}, {"category", "physical_abuse"}}},
      {"1002", "2026-10-12T10:00:00Z", "cp.core_group_held", "sw.osei", "social_worker", {}},
      {"1003", "2026-06-01T09:00:00Z", "alloc.worker_allocated", "tm.khan", "team_manager",
       {{"team", "north-1"}, {"worker", "sw.osei"}, {"as", "social_worker"}}},
      {"1003", "2026-06-02T09:00:00Z", "plo.legal_planning_meeting_held", "legal.ng", "legal", {{"decision", "pre_proceedings"}}},
      {"1003", "2026-06-04T12:00:00Z", "plo.letter_before_proceedings_sent", "legal.ng", "legal", {}},
      {"1003", "2026-06-16T14:00:00Z", "plo.initial_meeting_held", "sw.osei", "social_worker", {}},
      {"1003", "2026-09-28T09:30:00Z", "court.application_issued", "legal.ng", "legal", {{"track", "standard"}, {"court", "Birmingham Family Court"}, {"next_hearing", "2026-10-12"}}},
      {"1004", "2026-03-09T09:00:00Z", "case.child_registered", "sw.jones", "social_worker", {{"date_of_birth", "2012-04-17"}}},
      {"1004", "2026-03-09T10:00:00Z", "alloc.worker_allocated", "tm.khan", "team_manager",
       {{"team", "north-1"}, {"worker", "sw.jones"}, {"as", "social_worker"}}},
      {"1004", "2026-03-10T09:00:00Z", "cic.became_looked_after", "sw.jones", "social_worker", {{"legal_status", "s20"}}},
      {"1004", "2026-03-10T17:00:00Z", "cic.placement_started", "sw.jones", "social_worker", {{"placement", "foster_care"}, {"long_term", "no"}}},
      {"1004", "2026-03-12T10:00:00Z", "cic.iro_allocated", "tm.khan", "team_manager", {{"iro", "iro.patel"}}},
      {"1004", "2026-04-07T10:00:00Z", "cic.review_held", "iro.patel", "iro", {}},
  };
  for (const Step& s : steps) {
    workflows::Command c;
    c.child_id = s.child;
    c.action = s.action;
    c.occurred_at = *json::ParseTime(s.date, "date");
    c.actor = Actor{s.user, s.role, "north-1"};
    c.params = s.params;
    c.command_id = std::string("demo-") + s.child + "-" + s.action;
    auto r = service.Execute(c);
    if (!r.ok()) return r.status();
    if (!r->accepted) return Status::Rejected(std::string(s.action) + ": " + r->verdict.verdict.reason);
  }
  if (actions) *actions = std::size(steps);
  return Status::Ok();
}

}  // namespace casetrail
