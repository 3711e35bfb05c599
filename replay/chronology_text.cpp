#include "replay/chronology_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "replay/detail/payload_fields.hpp"
#include "workflows/calendar.hpp"

namespace casetrail::replay {
namespace {

using nlohmann::json;

std::string Words(std::string s) {
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

const std::map<std::string, std::string>& Titles() {
  static const std::map<std::string, std::string> t = {
      {"case.child_registered", "Child registered"},
      {"case.child_born", "Child born"},
      {"case.closed", "Case closed"},
      {"fd.contact_received", "Contact received"},
      {"fd.consent_requested", "Consent requested from the family"},
      {"fd.consent_given", "Family consented to enquiries"},
      {"fd.consent_refused", "Family refused consent"},
      {"fd.further_information_requested", "Further information requested"},
      {"fd.information_received", "Further information received"},
      {"fd.mash_check_requested", "MASH partner checks requested"},
      {"fd.mash_information_shared", "MASH partners shared information"},
      {"fd.decision_made", "Front door decision"},
      {"fd.significant_harm_identified", "Significant harm identified: strategy discussion needed"},
      {"fd.edt_episode_opened", "Emergency duty team involved out of hours"},
      {"fd.edt_handed_over", "Emergency duty team handed over"},
      {"eh.request_received", "Early help requested"},
      {"eh.allocation_decided", "Early help allocation decided"},
      {"eh.family_plan_agreed", "Family plan agreed"},
      {"eh.review_held", "Early help review held"},
      {"eh.stepped_up", "Stepped up to children's social care"},
      {"eh.closed", "Early help closed"},
      {"eh.stepped_down_from_social_care", "Stepped down to early help"},
      {"as.assessment_started", "Assessment started"},
      {"as.assessment_completed", "Assessment completed"},
      {"as.assessment_authorised", "Assessment authorised"},
      {"as.assessment_returned", "Assessment returned for more work"},
      {"as.assessment_ended_early", "Assessment ended early"},
      {"cin.plan_started", "Child in need plan started"},
      {"cin.visit_held", "Child in need visit"},
      {"cin.review_held", "Child in need review"},
      {"cin.reassessment_completed", "Reassessment completed"},
      {"cin.plan_ended", "Child in need plan ended"},
      {"cp.strategy_discussion_held", "Strategy discussion held"},
      {"cp.s47_concluded", "Section 47 enquiry concluded"},
      {"cp.icpc_held", "Initial child protection conference held"},
      {"cp.core_group_held", "Core group meeting"},
      {"cp.visit_held", "Child protection visit"},
      {"cp.midway_review_held", "Midway review"},
      {"cp.review_conference_held", "Review child protection conference held"},
      {"cp.plan_ended", "Child protection plan ended"},
      {"plo.legal_planning_meeting_held", "Legal planning meeting held"},
      {"plo.letter_before_proceedings_sent", "Letter before proceedings sent"},
      {"plo.initial_meeting_held", "Initial pre-proceedings meeting held"},
      {"plo.review_meeting_held", "Pre-proceedings review meeting"},
      {"plo.fgdm_offered", "Family group conference offered"},
      {"plo.fgdm_held", "Family group conference held"},
      {"plo.extension_approved", "Pre-proceedings extension approved"},
      {"plo.pre_proceedings_concluded", "Pre-proceedings concluded"},
      {"court.application_issued", "Care proceedings issued"},
      {"court.hearing_held", "Court hearing"},
      {"court.interim_order_made", "Interim order made"},
      {"court.extension_granted", "Court extended the timetable"},
      {"court.fdac_review_held", "FDAC judicial review"},
      {"court.final_order_made", "Final order made"},
      {"court.application_withdrawn", "Application withdrawn"},
      {"cic.became_looked_after", "Became looked after"},
      {"cic.iro_allocated", "Independent reviewing officer allocated"},
      {"cic.review_held", "Looked-after review held"},
      {"cic.permanence_plan_agreed", "Permanence plan agreed"},
      {"cic.legal_status_changed", "Legal status changed"},
      {"cic.placement_started", "Placement started"},
      {"cic.placement_changed", "Placement changed"},
      {"cic.placement_ended", "Placement ended"},
      {"cic.visit_held", "Statutory visit"},
      {"cic.went_missing", "Went missing from placement"},
      {"cic.returned_from_missing", "Returned after being missing"},
      {"cic.return_interview_held", "Return interview held"},
      {"cic.health_assessment_completed", "Health assessment completed"},
      {"cic.pep_held", "Personal education plan meeting"},
      {"cic.ceased_looked_after", "Ceased to be looked after"},
      {"ad.decision_made", "Agency decision: should be placed for adoption"},
      {"ad.authority_to_place_given", "Authority to place for adoption"},
      {"ad.child_profiled", "Child's profile prepared for family finding"},
      {"ad.match_approved", "Match with adopters approved"},
      {"ad.introductions_started", "Introductions to adopters started"},
      {"ad.placed_for_adoption", "Placed for adoption"},
      {"ad.adoption_order_granted", "Adoption order granted"},
      {"ad.decision_reversed", "Adoption decision reversed"},
      {"ad.support_ended", "Post-adoption support ended"},
      {"pm.assessment_started", "Special guardianship or connected-person assessment started"},
      {"pm.midpoint_review_held", "Assessment mid-point review"},
      {"pm.assessment_filed", "Assessment filed"},
      {"pm.addendum_filed", "Assessment addendum filed"},
      {"pm.panel_decision_made", "Fostering panel decision on a connected carer"},
      {"pm.order_granted", "Special guardianship or child arrangements order granted"},
      {"pm.assessment_ended", "Permanence assessment ended"},
      {"pm.support_plan_reviewed", "Post-order support plan reviewed"},
      {"pm.post_order_support_ended", "Post-order support ended"},
      {"pm.identified_for_discharge", "Identified for discharge of the care order"},
      {"pm.schedule3_assessment_completed", "Schedule 3 assessment completed"},
      {"pm.discharge_application_made", "Application to discharge the care order"},
      {"pm.care_order_discharged", "Care order discharged"},
      {"pm.discharge_withdrawn", "Discharge of the care order no longer pursued"},
      {"uasc.arrived", "Arrived as an unaccompanied asylum-seeking child"},
      {"uasc.trafficking_risk_assessed", "Trafficking risk assessed"},
      {"uasc.nrm_referral_made", "Referred to the National Referral Mechanism"},
      {"uasc.age_disputed", "Age disputed"},
      {"uasc.age_assessed", "Age assessed"},
      {"uasc.asylum_decision_recorded", "Home Office asylum decision"},
      {"uasc.nts_referral_made", "Referred to the National Transfer Scheme"},
      {"uasc.nts_referral_withdrawn", "National Transfer Scheme referral withdrawn"},
      {"uasc.nts_transferred_out", "Transferred to another authority (National Transfer Scheme)"},
      {"uasc.status_ended", "No longer an unaccompanied asylum-seeking child"},
      {"uasc.former_status_ended", "Former unaccompanied asylum-seeking child status ended"},
      {"mx.went_missing", "Went missing from home"},
      {"mx.returned", "Returned after being missing"},
      {"mx.return_interview_held", "Return home interview"},
      {"mx.exploitation_screened", "Exploitation risk screened"},
      {"mx.safety_plan_agreed", "Safety plan agreed"},
      {"mx.nrm_referral_made", "Referred to the National Referral Mechanism"},
      {"ps.requested", "Placement requested"},
      {"ps.referral_sent", "Placement search: referral sent to a provider"},
      {"ps.offer_received", "Placement search: offer received"},
      {"ps.match_proposed", "Placement match proposed"},
      {"ps.panel_decided", "Placement panel decided"},
      {"ps.match_fell_through", "Placement match fell through"},
      {"ps.search_closed", "Placement search closed"},
      {"pf.notified", "Private fostering notified"},
      {"pf.not_private_fostering", "Found not to be private fostering"},
      {"pf.reg4_visit_held", "Private fostering: Reg 4 visit"},
      {"pf.assessment_completed", "Private fostering arrangement assessed"},
      {"pf.visit_held", "Private fostering: Reg 8 visit"},
      {"pf.arrangement_ended", "Private fostering arrangement ended"},
      {"nrpf.referral_received", "No recourse to public funds: referral received"},
      {"nrpf.destitution_checked", "Destitution checked"},
      {"nrpf.support_started", "Section 17 support started (no recourse to public funds)"},
      {"nrpf.support_reviewed", "Section 17 support reviewed"},
      {"nrpf.human_rights_assessment_completed", "Human rights assessment completed"},
      {"nrpf.support_ended", "Section 17 support ended"},
      {"nrpf.assessment_ended", "No recourse to public funds assessment ended"},
      {"hl.presented", "Presented as homeless"},
      {"hl.assessed", "Assessed under the joint housing protocol"},
      {"hl.mediation_held", "Family mediation"},
      {"hl.outcome_agreed", "Housing protocol outcome agreed"},
      {"cwd.referral_received", "Referred to the disabled children's service"},
      {"cwd.assessment_completed", "Disability assessment completed"},
      {"cwd.package_reviewed", "Package of care reviewed"},
      {"cwd.short_breaks_decided", "Short breaks decided"},
      {"cwd.ehcp_advice_requested", "EHC needs assessment: social care advice requested"},
      {"cwd.ehcp_advice_submitted", "EHC needs assessment: social care advice submitted"},
      {"cwd.service_ended", "Disabled children's service ended"},
      {"iv.referred", "Referred to a service"},
      {"iv.accepted", "Service accepted the referral"},
      {"iv.declined", "Service declined the referral"},
      {"iv.reviewed", "Service reviewed"},
      {"iv.ended", "Service ended"},
      {"lc.became_eligible", "Eligible for leaving-care support"},
      {"lc.needs_assessment_completed", "Leaving-care needs assessment completed"},
      {"lc.pathway_plan_agreed", "Pathway plan agreed"},
      {"lc.pathway_plan_reviewed", "Pathway plan reviewed"},
      {"lc.personal_adviser_allocated", "Personal adviser allocated"},
      {"lc.left_care", "Left care (relevant child)"},
      {"lc.turned_18", "Turned 18 (former relevant child)"},
      {"lc.staying_put_started", "Staying put arrangement started"},
      {"lc.keeping_in_touch", "Personal adviser kept in touch"},
      {"lc.support_ended", "Leaving-care support ended"},
      {"tr.transfer_requested", "Transfer to another team requested"},
      {"tr.joint_visit_held", "Joint visit for the transfer"},
      {"tr.summary_updated", "Case summary updated"},
      {"tr.transfer_completed", "Transfer completed"},
      {"tr.transfer_cancelled", "Transfer cancelled"},
      {"alloc.team_allocated", "Team allocated"},
      {"alloc.worker_allocated", "Worker allocated"},
      {"alloc.worker_deallocated", "Worker no longer allocated"},
  };
  return t;
}

}  // namespace

std::string Describe(std::string_view type, std::string_view payload) {
  const std::string t(type);
  if (t == "deadline.met_late") {
    return "Late: " + Field(payload, "rule") + " was due " + Field(payload, "due");
  }
  if (t == "flag.raised") return "Flag: " + Field(payload, "text");
  if (t == "deadline.breached") {
    return "Deadline missed: " + Field(payload, "rule") + " was due " + Field(payload, "due");
  }
  if (t == "deadline.breach_cancelled") {
    return "Breach withdrawn: " + Field(payload, "rule") + " (due " + Field(payload, "due") +
           ") was met in time by an action recorded after the breach";
  }
  if (t == "case.age_reached") {
    json p = json::parse(payload, nullptr, false);
    const std::string age = p.is_object() && p.contains("params") ? p["params"].value("age", "") : "";
    return "Turned " + age;
  }
  if (t == "deadline.rescheduled") {
    return "Deadline " + Field(payload, "rule") + " moved from " + Field(payload, "previous_due") + " to " +
           Field(payload, "due") + ": " + Field(payload, "reason");
  }
  if (t == "case.record_corrected" || t == "case.record_withdrawn") {
    json p = json::parse(payload, nullptr, false);
    if (!p.is_object()) return Words(t);
    const std::string target = p.value("target_type", "");
    auto title = Titles().find(target);
    return std::string(t == "case.record_corrected" ? "Record corrected" : "Record withdrawn") + ": version " +
           std::to_string(p.value("target_version", std::uint64_t{0})) + " (" +
           (title != Titles().end() ? title->second : Words(target)) + "), " + p.value("reason", "");
  }
  auto it = Titles().find(t);
  std::string text = it != Titles().end() ? it->second : Words(t);
  std::string details;
  for (const auto& [k, v] : ParamsOf(payload)) {
    details += (details.empty() ? "" : ", ") + Words(k) + " " + Words(v);
  }
  if (!details.empty()) text += ": " + details;
  const std::string rule = Field(payload, "rule");
  if (!rule.empty()) text += " (by rule " + rule + ")";
  return text;
}

std::string CorrectedText(std::string_view type, const std::map<std::string, std::string>& params,
                          const std::string& original, TimestampUs original_at, const std::string& by,
                          const std::string& reason) {
  json p = {{"params", params}};
  return Describe(type, p.dump()) + " [corrected by " + by + ": " + reason + "; recorded as: " + original +
         " on " + workflows::Date::FromTimestampUs(original_at).ToString() + "]";
}

std::string WithdrawnText(const std::string& original, const std::string& by, const std::string& reason) {
  return "Withdrawn: " + original + " (" + reason + ", by " + by + ")";
}

}  // namespace casetrail::replay
