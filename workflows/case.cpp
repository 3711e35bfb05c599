#include "workflows/case.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include "workflows/detail/saved_fields.hpp"
#include "workflows/placements.hpp"
#include "workflows/registry.hpp"

namespace casetrail::workflows {
namespace {

const std::vector<std::pair<std::string, std::string>>& Prefixes() {
  static const std::vector<std::pair<std::string, std::string>> p = [] {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& kind : Journeys()) out.emplace_back(kind.prefix, kind.name);
    return out;
  }();
  return p;
}

bool Is(const Action& a, const char* name) { return a.name == name; }
bool ParamEq(const Action& a, const char* key, const char* value) {
  const std::string* v = a.Param(key);
  return v && *v == value;
}

}  // namespace

bool IsTimeDriven(std::string_view action) {
  return action == kDeadlineBreached || action == kAgeReached || action == kDeadlineDueSoon;
}

const std::vector<CrossJourneyRule>& CrossJourneyRules() {
  static const std::vector<CrossJourneyRule> rules = {
      {"X-01", "court.application_issued while in pre-proceedings (InPreProceedings)",
       "plo.pre_proceedings_concluded {outcome: issue_proceedings}: issuing concludes pre-proceedings",
       "SE:1013; seed-spec SM-07/SM-08"},
      {"X-02", "cic.became_looked_after or cic.legal_status_changed with legal status care_order or placement_order while on a CP plan",
       "cp.plan_ended {reason: looked_after_under_care_order}", "seed-spec 2.0 (R1/R3); issue 3"},
      {"X-03", "court.final_order_made {order: care_order | placement_order} while looked after",
       "cic.legal_status_changed to that order", "seed-spec SM-08/SM-09"},
      {"X-04", "cp.icpc_held {outcome: cp_plan} while on a child in need plan",
       "cin.plan_ended {reason: child_protection_plan}", "seed-spec SM-05/SM-06"},
      {"X-05", "cic.became_looked_after while on a child in need plan",
       "cin.plan_ended {reason: became_looked_after}", "seed-spec SM-05/SM-09"},
      {"X-06", "any action while looked after, aged 16 or 17, after 13 weeks (91 days) looked after since the 14th birthday",
       "lc.became_eligible (eligible child)", "CA 1989 Sch 2 para 19B; CPPCR reg 40 (statutory-rules row 20)"},
      {"X-07", "cic.ceased_looked_after of an eligible child aged 16 or 17",
       "lc.left_care (relevant child)", "CA 1989 s23A (statutory-rules row 23)"},
      {"X-08", "any action on or after the 18th birthday of an eligible or relevant child",
       "lc.turned_18 (former relevant child)", "CA 1989 s23C (statutory-rules row 24)"},
      {"X-09", "fd.contact_received within one month (T-20) of the case's closure",
       "flag: re-referral, route to the last team", "SG:424"},
      {"X-10", "eh.stepped_up within one month (T-21) of a step-down from social care",
       "flag: return to the previous social worker", "FS:46"},
      {"X-11", "case.closed while any journey is active", "refused: close each journey first",
       "SG:403-412 (closure standard)"},
      {"X-12", "cic.became_looked_after for an unborn child", "refused: a child is looked after from birth",
       "seed-spec 2.0 (unborn children first-class)"},
      {"X-13", "eh.stepped_down_from_social_care within 3 months (T-23) of a CP plan ending, or 3 months (T-24) of returning home from care",
       "refused: the child must first be a child in need for 3 months", "FS:28"},
      {"X-14", "lc.staying_put_started at 21 or older (T-82); lc.keeping_in_touch, lc.pathway_plan_reviewed or lc.personal_adviser_allocated at or past the support age (T-81: 21, or 25 from April 2018)",
       "refused: past the age limit", "SG:256; CP:805; CSWA 2017"},
      {"X-15", "case.age_reached {age: 18} while on a child protection or child in need plan",
       "flag: a child is a person under 18; end or step down the plan", "CA 1989 s105(1)"},
      {"X-16", "case.age_reached at the care-leaver support age (T-81: 21, or 25 from April 2018) of a former relevant child",
       "lc.support_ended {reason: reached_21 | reached_25}", "CA 1989 s23C, s23CZB; CP:805; SG:256"},
      {"X-17", "tr.transfer_completed {lead_worker}",
       "alloc.worker_allocated to the lead worker in the receiving team (the to_team of the transfer request): its manager is now responsible",
       "SG:416; seed-spec SM-13"},
      {"X-18", "case.closed while a team holds the child", "alloc.worker_deallocated {reason: case_closed}: no team holds a closed case",
       "SG:403-412"},
      {"X-19", "cic.iro_allocated {iro}", "alloc.worker_allocated {worker: iro, as: iro}: the IRO is held beside the lead worker",
       "CA 1989 s25A; SG:329 (T-40)"},
      {"X-20", "cic.ceased_looked_after while an IRO is allocated", "alloc.worker_deallocated {as: iro, reason: ceased_looked_after}",
       "CA 1989 s25A (an IRO for a looked-after child)"},
      {"X-21", "lc.personal_adviser_allocated {adviser} for a former relevant child",
       "alloc.worker_allocated {worker: adviser, as: personal_adviser} in the team that holds the child (or {team}): the adviser is the lead worker",
       "CA 1989 s23C(3); seed-spec 9 (18+ Care Leavers Service)"},
      {"X-22", "ad.adoption_order_granted while looked after",
       "cic.ceased_looked_after {reason: adopted}: the adoption order ends the period of care and the care or placement order",
       "ACA 2002 s46(2); seed-spec SM-12"},
      {"X-23", "court.final_order_made {order: placement_order} after the decision that the child should be placed for adoption (ShouldBePlaced)",
       "ad.authority_to_place_given {basis: placement_order}", "ACA 2002 s21; seed-spec SM-08/SM-12"},
      {"X-24", "ad.placed_for_adoption while looked after",
       "cic.placement_changed (or cic.placement_started when not placed) {placement: placed_for_adoption, long_term: yes}: the placement is the adoptive placement",
       "ACA 2002 s18; SSDA903 PLACE A3-A6"},
      {"X-25", "ad.placed_for_adoption while not looked after",
       "refused: a child placed for adoption by a local authority is looked after; record cic.became_looked_after first",
       "ACA 2002 s18(3)"},
      {"X-26", "pm.order_granted {order: special_guardianship_order | child_arrangements_order} while looked after",
       "cic.ceased_looked_after {reason: that order}: the order ends care and opens post-order support",
       "CA 1989 s91(1), s91(5A); seed-spec SM-11 (CP:760)"},
      {"X-27", "court.final_order_made {order: special_guardianship_order | child_arrangements_order} while a permanence assessment awaits the decision",
       "pm.order_granted {order}", "seed-spec SM-08/SM-11"},
      {"X-28", "pm.care_order_discharged for a child identified for discharge while placed with parents, looked after",
       "cic.ceased_looked_after {reason: returned_home}", "CA 1989 s39; SE:1404-1427"},
      {"X-29", "pm.identified_for_discharge while not looked after",
       "refused: only a care order (a looked-after child) can be discharged", "CA 1989 s39"},
      {"X-30", "uasc.age_assessed {outcome: adult} or uasc.nts_transferred_out while looked after",
       "cic.ceased_looked_after {reason: age_assessed_adult | transferred_to_another_authority} (SSDA903 E15, E3)",
       "seed-spec SM-16 (SE:1501, SE:1511); dfe-returns 4.4"},
      {"X-31", "case.age_reached {age: 18} of an unaccompanied asylum-seeking child",
       "uasc.status_ended {reason: turned_18}: a former UASC, a care leaver to 25 while in the UK", "SG:301 (T-83); seed-spec SM-16"},
      {"X-32", "lc.support_ended of a former UASC", "uasc.former_status_ended {reason: leaving_care_support_ended}",
       "SG:301"},
      {"X-33", "mx.went_missing while looked after",
       "refused: a looked-after child's missing episodes are recorded as cic.went_missing (missing from placement)",
       "seed-spec SM-09/SM-21; SSDA903 Missing table"},
      {"X-34", "hl.outcome_agreed {route: accommodated_s20} while not looked after",
       "cic.became_looked_after {legal_status: s20}: the young person is accommodated", "SG:266; R (G) v Southwark LBC [2009] UKHL 26"},
      {"X-35", "hl.presented for a young person not aged 16 or 17",
       "refused: the joint housing protocol is for 16 and 17 year olds", "SG:264 (T-93)"},
      {"X-36", "cwd.referral_received for a young person aged 18 or over",
       "refused: the disabled children's service is for children aged 0-18", "SG:243 (T-101)"},
      {"X-37", "case.age_reached {age: 18} with a package of care from the disabled children's service",
       "cwd.service_ended {reason: reached_18}", "SG:243 (T-101)"},
      {"X-38", "cic.became_looked_after while privately fostered",
       "pf.arrangement_ended {reason: became_looked_after}: a looked-after child is not privately fostered", "CA 1989 s66(1)(b)"},
      {"X-39", "pf.notified for a child aged 16 or over (18 or over if disabled)",
       "refused: private fostering is of a child under 16, or under 18 if disabled", "CA 1989 s66(1), (4)"},
      {"X-40", "case.age_reached {age: 16} while privately fostered (18 if the child is disabled)",
       "pf.arrangement_ended {reason: reached_age_limit}", "CA 1989 s66(4)"},
      {"X-41", "cic.placement_started or cic.placement_changed while a placement search is open",
       "ps.search_closed {reason: placed}", "seed-spec SM-10 (SG:351)"},
  };
  return rules;
}

namespace {

// Every journey's name, sorted (the order States(), AllowedActions() and snapshots list them).
const std::vector<std::string>& JourneyNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& kind : Journeys()) out.push_back(kind.name);
    std::sort(out.begin(), out.end());
    return out;
  }();
  return names;
}

// A journey in its initial state, for each kind: what a case answers for a journey it has not
// built (never applied: it only describes).
const Journey& Prototype(const std::string& name) {
  static const std::map<std::string, std::unique_ptr<Journey>> prototypes = [] {
    std::map<std::string, std::unique_ptr<Journey>> out;
    for (const auto& kind : Journeys()) out[kind.name] = kind.make(RuleBook::Default());
    return out;
  }();
  return *prototypes.at(name);
}

}  // namespace

// A case builds a journey's machine only when an action reaches it: most children see a few of
// the journeys, and a case is built for every command and every replay.
Case::Case(const RuleBook& rules) : rules_(&rules) {}

const Journey& Case::J(const std::string& name) const {
  auto it = journeys_.find(name);
  return it != journeys_.end() ? *it->second : Prototype(name);
}

Journey& Case::Mut(const std::string& name) {
  auto it = journeys_.find(name);
  if (it != journeys_.end()) return *it->second;
  for (const auto& kind : Journeys()) {
    if (kind.name == name) return *(journeys_[name] = kind.make(*rules_));
  }
  throw std::out_of_range("no journey " + name);
}

Case::Case(const Case& o)
    : rules_(o.rules_),
      unborn_(o.unborn_),
      dob_(o.dob_),
      last_closed_(o.last_closed_),
      last_team_(o.last_team_),
      last_step_down_(o.last_step_down_),
      looked_after_since_(o.looked_after_since_),
      last_cp_plan_ended_(o.last_cp_plan_ended_),
      last_returned_home_(o.last_returned_home_),
      case_open_(o.case_open_),
      looked_after_days_since_14_(o.looked_after_days_since_14_),
      allocation_(o.allocation_),
      transfer_to_team_(o.transfer_to_team_),
      discharge_route_(o.discharge_route_),
      private_fostering_to_(o.private_fostering_to_),
      recounted_edition_(o.recounted_edition_) {
  for (const auto& [name, j] : o.journeys_) journeys_[name] = j->Clone();
}

Case& Case::operator=(const Case& o) {
  if (this == &o) return *this;
  rules_ = o.rules_;
  journeys_.clear();
  for (const auto& [name, j] : o.journeys_) journeys_[name] = j->Clone();
  unborn_ = o.unborn_;
  dob_ = o.dob_;
  last_closed_ = o.last_closed_;
  last_team_ = o.last_team_;
  last_step_down_ = o.last_step_down_;
  looked_after_since_ = o.looked_after_since_;
  last_cp_plan_ended_ = o.last_cp_plan_ended_;
  last_returned_home_ = o.last_returned_home_;
  case_open_ = o.case_open_;
  looked_after_days_since_14_ = o.looked_after_days_since_14_;
  allocation_ = o.allocation_;
  transfer_to_team_ = o.transfer_to_team_;
  discharge_route_ = o.discharge_route_;
  private_fostering_to_ = o.private_fostering_to_;
  recounted_edition_ = o.recounted_edition_;
  return *this;
}

// Every fact of the case's own (beside its journeys'), for snapshots. A new member of Case that
// later actions read must be listed here; CaseSnapshot tests compare Save() after a reload.
template <class Io>
void Case::Fields(Io& io) {
  io("unborn", unborn_);
  io("dob", dob_);
  io("last_closed", last_closed_);
  io("last_team", last_team_);
  io("last_step_down", last_step_down_);
  io("looked_after_since", looked_after_since_);
  io("last_cp_plan_ended", last_cp_plan_ended_);
  io("last_returned_home", last_returned_home_);
  io("looked_after_days_since_14", looked_after_days_since_14_);
  io("allocation.team", allocation_.team);
  io("allocation.worker", allocation_.worker);
  io("allocation.as", allocation_.as);
  io("allocation.since", allocation_.since);
  io("allocation.iro", allocation_.iro);
  io("transfer_to_team", transfer_to_team_);
  io("discharge_route", discharge_route_);
  io("private_fostering_to", private_fostering_to_);
}

std::string Case::Save() const {
  detail::FieldWriter w;
  w.Raw("format", "case-snapshot-1");
  const_cast<Case*>(this)->Fields(w);  // a writer only reads
  w("case_open", static_cast<int>(case_open_.size()));
  int i = 0;
  for (const auto& [rule, d] : case_open_) w(("case_open." + std::to_string(i++)).c_str(), d);
  for (const auto& [name, j] : journeys_) w.Raw("journey." + name, j->Save());
  return std::move(w).str();
}

Result<Case> Case::Load(std::string_view saved, const RuleBook& rules) {
  detail::FieldReader r(saved);
  if (!r.ok()) return r.status();
  if (const std::string* f = r.Find("format"); !f || *f != "case-snapshot-1") {
    return Status::Corruption("not a case snapshot (format case-snapshot-1)");
  }
  Case c(rules);
  c.Fields(r);
  int n = 0;
  r("case_open", n);
  for (int i = 0; i < n; ++i) {
    Deadline d;
    r(("case_open." + std::to_string(i)).c_str(), d);
    c.case_open_[d.rule_id] = d;
  }
  if (!r.ok()) return r.status();
  for (const auto& name : JourneyNames()) {
    const std::string* text = r.Find("journey." + name);
    // A journey the case had not built (or one added after the snapshot was taken: none of
    // its actions could be accepted before) is in its initial state.
    if (!text) continue;
    if (Status s = c.Mut(name).Load(*text); !s.ok()) return s;
  }
  return c;
}

std::map<std::string, std::string> Case::States() const {
  std::map<std::string, std::string> out;
  for (const auto& name : JourneyNames()) out[name] = J(name).State();
  return out;
}

std::vector<std::string> Case::ActiveJourneys() const {
  std::vector<std::string> out;
  for (const auto& [name, j] : journeys_) {
    if (j->State() != j->Table().initial_state) out.push_back(name);
  }
  return out;
}

std::vector<std::string> Case::AllowedActions() const {
  std::vector<std::string> out;
  for (const auto& name : JourneyNames()) {
    for (auto& a : J(name).AllowedActions()) out.push_back(a);
  }
  if (ActiveJourneys().empty()) out.push_back("case.closed");
  out.push_back("alloc.team_allocated");
  out.push_back("alloc.worker_allocated");
  if (!allocation_.worker.empty() || !allocation_.iro.empty()) out.push_back("alloc.worker_deallocated");
  return out;
}

Verdict Case::ApplyAllocation(const Action& a) {
  Verdict v;
  v.from_state = v.to_state = allocation_.State();
  auto refuse = [&](const char* rule, std::string why) {
    v.rule = rule;
    v.reason = std::move(why);
    return v;
  };
  auto param = [&](const char* key) -> std::string {
    const std::string* p = a.Param(key);
    return p ? *p : std::string();
  };
  auto may = [&](std::initializer_list<const char*> roles) {
    if (a.role == kSystemRole) return true;
    for (const char* r : roles) {
      if (a.role == r) return true;
    }
    return false;
  };
  auto roles_text = [](std::initializer_list<const char*> roles) {
    std::string s;
    for (const char* r : roles) s += (s.empty() ? "" : ", ") + std::string(r);
    return s;
  };
  const Allocation before = allocation_;
  if (a.name == "alloc.team_allocated") {
    if (!may({"team_manager", "cass_worker"})) {
      return refuse("forbidden_role", "'alloc.team_allocated' may be recorded only by: " + roles_text({"team_manager", "cass_worker"}));
    }
    const std::string team = param("team");
    if (team.empty()) return refuse("invalid_parameter", "'team' is required");
    if (team == before.team) return refuse("no_change", "the child is already held by team " + team);
    allocation_ = Allocation{team, "", "", a.occurred_at_us, before.iro};
  } else if (a.name == "alloc.worker_allocated" && param("as") == "iro") {
    if (!may({"team_manager"})) return refuse("forbidden_role", "'alloc.worker_allocated' may be recorded only by: team_manager");
    const std::string worker = param("worker");
    if (worker.empty()) return refuse("invalid_parameter", "'worker' is required");
    if (J("child_in_care").State() == "NotLookedAfter") {
      return refuse("not_looked_after", "an IRO is appointed for a looked-after child (CA 1989 s25A)");
    }
    if (worker == before.iro) return refuse("no_change", worker + " is already the child's IRO");
    allocation_.iro = worker;
  } else if (a.name == "alloc.worker_deallocated" && param("as") == "iro") {
    if (!may({"team_manager"})) return refuse("forbidden_role", "'alloc.worker_deallocated' may be recorded only by: team_manager");
    static const std::set<std::string> kIroReasons = {"worker_left", "caseload_balancing", "ceased_looked_after", "other"};
    const std::string reason = param("reason");
    if (!kIroReasons.count(reason)) {
      return refuse("invalid_parameter",
                    "'reason' must be one of: caseload_balancing, ceased_looked_after, other, worker_left (got '" + reason + "')");
    }
    if (before.iro.empty()) return refuse("no_transition", "the child has no IRO");
    allocation_.iro.clear();
  } else if (a.name == "alloc.worker_allocated") {
    if (!may({"team_manager"})) return refuse("forbidden_role", "'alloc.worker_allocated' may be recorded only by: team_manager");
    const std::string team = param("team"), worker = param("worker"), as = param("as");
    if (team.empty()) return refuse("invalid_parameter", "'team' is required");
    if (worker.empty()) return refuse("invalid_parameter", "'worker' is required");
    static const std::set<std::string> kAs = {"social_worker", "early_help_worker", "family_support_worker",
                                              "personal_adviser"};
    if (!kAs.count(as)) {
      return refuse("invalid_parameter",
                    "'as' must be one of: early_help_worker, family_support_worker, iro, personal_adviser, social_worker (got '" +
                        as + "')");
    }
    if (team == before.team && worker == before.worker && as == before.as) {
      return refuse("no_change", worker + " is already the child's " + as + " in team " + team);
    }
    allocation_ = Allocation{team, worker, as, a.occurred_at_us, before.iro};
  } else if (a.name == "alloc.worker_deallocated") {
    if (!may({"team_manager"})) return refuse("forbidden_role", "'alloc.worker_deallocated' may be recorded only by: team_manager");
    const std::string reason = param("reason");
    static const std::set<std::string> kReasons = {"worker_left", "caseload_balancing", "case_closed", "other"};
    if (!kReasons.count(reason)) {
      return refuse("invalid_parameter",
                    "'reason' must be one of: case_closed, caseload_balancing, other, worker_left (got '" + reason + "')");
    }
    if (reason == "case_closed") {
      if (before.team.empty()) return refuse("no_change", "no team holds the child");
      allocation_ = Allocation{"", "", "", a.occurred_at_us, ""};
    } else {
      if (before.worker.empty()) return refuse("no_transition", "the child has no allocated worker");
      allocation_ = Allocation{before.team, "", "", a.occurred_at_us, before.iro};
    }
  } else {
    return refuse("unknown_action", "'" + a.name + "' is not an action casetrail knows");
  }
  v.accepted = true;
  v.to_state = allocation_.State();
  return v;
}

std::vector<AllowedAction> Case::AllowedActionsWithRoles() const {
  std::vector<AllowedAction> out;
  for (const auto& name : JourneyNames()) {
    const Journey& j = J(name);
    const auto& perms = j.Permissions();
    for (auto& a : j.AllowedActions()) {
      AllowedAction x{a, {}};
      for (const auto& p : perms) {
        if (p.action != a) continue;
        for (const auto& r : p.roles) {
          if (r != kSystemRole) x.roles.push_back(r);
        }
      }
      out.push_back(std::move(x));
    }
  }
  if (ActiveJourneys().empty()) out.push_back({"case.closed", {"team_manager"}});
  out.push_back({"alloc.team_allocated", {"team_manager", "cass_worker"}});
  out.push_back({"alloc.worker_allocated", {"team_manager"}});
  if (!allocation_.worker.empty() || !allocation_.iro.empty()) out.push_back({"alloc.worker_deallocated", {"team_manager"}});
  return out;
}

void Case::AllowedFor(const std::string& role, std::vector<std::string>* mine,
                      std::vector<AllowedAction>* others) const {
  mine->clear();
  others->clear();
  for (auto& a : AllowedActionsWithRoles()) {
    if (role.empty() || std::find(a.roles.begin(), a.roles.end(), role) != a.roles.end()) {
      mine->push_back(std::move(a.action));
    } else {
      others->push_back(std::move(a));
    }
  }
}

std::vector<Deadline> Case::OpenDeadlines() const {
  std::vector<Deadline> out;
  for (const auto& [rule, d] : case_open_) out.push_back(d);
  for (const auto& [name, j] : journeys_) {
    for (auto& d : j->OpenDeadlines()) out.push_back(d);
  }
  return out;
}

Verdict Case::ApplyCaseAction(const Action& a) {
  Verdict v;
  v.from_state = v.to_state = "case";
  auto refuse = [&](const char* rule, std::string why) {
    v.rule = rule;
    v.reason = std::move(why);
    return v;
  };
  if (a.role == "auditor" || a.role.empty()) return refuse("forbidden_role", "'" + a.name + "' needs a practitioner role");
  if (a.name == "case.child_registered") {
    const std::string* unborn = a.Param("unborn");
    const bool is_unborn = unborn && *unborn == "yes";
    const char* key = is_unborn ? "expected_due_date" : "date_of_birth";
    const std::string* date = a.Param(key);
    if (!date) return refuse("invalid_parameter", std::string("'") + key + "' is required");
    auto d = Date::Parse(*date, key);
    if (!d.ok()) return refuse("invalid_parameter", "'" + std::string(key) + "' " + d.status().message());
    unborn_ = is_unborn;
    if (!is_unborn) dob_ = *d;
  } else if (a.name == "case.child_born") {
    if (!unborn_) return refuse("no_transition", "'case.child_born' is only for an unborn child");
    const std::string* date = a.Param("date_of_birth");
    if (!date) return refuse("invalid_parameter", "'date_of_birth' is required");
    auto d = Date::Parse(*date, "date_of_birth");
    if (!d.ok()) return refuse("invalid_parameter", "'date_of_birth' " + d.status().message());
    unborn_ = false;
    dob_ = *d;
  } else if (a.name == kAgeReached) {
    if (a.role != kSystemRole) return refuse("forbidden_role", "'case.age_reached' is recorded by the scheduler only (role system)");
    const std::string* age = a.Param("age");
    int n = 0;
    for (int m : kMilestoneAges) n = age && *age == std::to_string(m) ? m : n;
    if (n == 0) return refuse("invalid_parameter", "'age' must be one of: 16, 18, 21, 25");
    if (!dob_) return refuse("invalid_parameter", "the child's date of birth is not recorded");
    const Date birthday = BirthdayAt(*dob_, n);
    if (Date::FromTimestampUs(a.occurred_at_us) != birthday) {
      return refuse("invalid_parameter", "the child's " + *age + "th birthday is " + birthday.ToString());
    }
  } else if (a.name == "case.closed") {
    if (a.role != "team_manager") return refuse("forbidden_role", "'case.closed' may be recorded only by: team_manager");
    auto active = ActiveJourneys();
    if (!active.empty()) {
      std::string list;
      for (auto& j : active) list += (list.empty() ? "" : ", ") + j;
      return refuse("case_open_journeys", "X-11: the case still has active journeys: " + list);
    }
    const std::string* team = a.Param("team");
    if (!team || team->empty()) return refuse("invalid_parameter", "'team' is required");
    last_closed_ = a.occurred_at_us;
    last_team_ = *team;
  } else {
    return refuse("unknown_action", "'" + a.name + "' is not an action casetrail knows");
  }
  v.accepted = true;
  return v;
}

// A deadline scheduled under one rule set, counted again under the set the edition puts in
// force on its start day. Only a change of the rule itself (amount, unit or counting) moves it,
// and by the difference of the two periods' last days: a moved date (an extension of the 26
// weeks) keeps its extension.
static std::optional<Deadline> Recounted(const RuleBook& book, const Deadline& d, int edition,
                                         std::string* reason) {
  auto now = book.SetOn(Date::FromTimestampUs(d.start_us), edition);
  if (!now.ok() || (*now)->version == d.rule_version) return std::nullopt;
  const RuleSet* was = book.SetNamed(d.rule_version);
  if (!was) return std::nullopt;  // a version this book does not have (other local standards)
  const Timescale* before = nullptr;
  const Timescale* after = nullptr;
  for (const auto& r : was->rules) before = r.id == d.rule_id ? &r : before;
  for (const auto& r : (*now)->rules) after = r.id == d.rule_id ? &r : after;
  if (!before || !after || before->unit == Unit::kHours || after->unit != before->unit) return std::nullopt;
  if (before->amount == after->amount && before->counting == after->counting) return std::nullopt;
  const Date start = Date::FromTimestampUs(d.start_us);
  const Calendar& calendar = Calendar::EnglandAndWales();
  auto old_last = RuleBook::LastDay(*before, start, calendar);
  auto new_last = RuleBook::LastDay(*after, start, calendar);
  if (!old_last.ok() || !new_last.ok() || *old_last == *new_last) return std::nullopt;
  Deadline n = d;
  n.rule_version = (*now)->version;
  n.due_date = d.due_date.AddDays(new_last->days() - old_last->days());
  n.due_by_us = n.due_date.AddDays(1).StartUs();
  if (n.due_by_us > d.breached_at_us) n.breached_at_us = 0;  // moved past a recorded breach
  *reason = (*now)->change.empty() ? (*now)->version + " counts " + d.rule_id + " differently" : (*now)->change;
  return n;
}

std::vector<CaseVerdict::Rescheduled> Case::Recount(int edition) {
  std::vector<CaseVerdict::Rescheduled> out;
  std::string reason;  // the same correction note for every deadline it moves
  for (auto& [rule, d] : case_open_) {
    if (auto n = Recounted(*rules_, d, edition, &reason)) {
      out.push_back({"case", d, *n, reason});
      d = *n;
    }
  }
  for (auto& [name, j] : journeys_) {
    for (const Deadline& d : j->OpenDeadlines()) {
      if (auto n = Recounted(*rules_, d, edition, &reason)) {
        out.push_back({name, d, *n, reason});
        j->Reschedule(*n);
      }
    }
  }
  return out;
}

void Case::Restore(const std::vector<CaseVerdict::Rescheduled>& recounted) {
  for (const auto& r : recounted) {
    if (r.journey == "case") {
      case_open_[r.before.rule_id] = r.before;
    } else {
      Mut(r.journey).Reschedule(r.before);
    }
  }
}

CaseVerdict Case::Apply(const Action& a) {
  // Every deadline open now was scheduled or recounted under the edition of an earlier action;
  // while the editions stay the same there is nothing to recount (the usual case: one compare).
  const int edition = a.rules_edition == kCurrentEdition ? rules_->CurrentEdition() : a.rules_edition;
  std::vector<CaseVerdict::Rescheduled> recounted;
  if (edition != recounted_edition_) recounted = Recount(edition);
  CaseVerdict out = Route(a);
  if (out.accepted()) {
    out.rescheduled = std::move(recounted);
    recounted_edition_ = edition;
  } else {
    Restore(recounted);
  }
  return out;
}

std::optional<Deadline> Case::FindOpen(const std::string& rule, std::string* journey, Journey** owner) {
  *journey = "case";
  *owner = nullptr;
  if (auto it = case_open_.find(rule); it != case_open_.end()) return it->second;
  for (auto& [name, j] : journeys_) {
    for (const Deadline& d : j->OpenDeadlines()) {
      if (d.rule_id != rule) continue;
      *journey = name;
      *owner = j.get();
      return d;
    }
  }
  return std::nullopt;
}

CaseVerdict Case::ApplyDueSoon(const Action& a) {
  CaseVerdict out;
  auto refuse = [&](const char* rule, std::string why) {
    out.verdict.rule = rule;
    out.verdict.reason = std::move(why);
    return out;
  };
  if (a.role != kSystemRole) {
    return refuse("forbidden_role", "'deadline.due_soon' is recorded by the scheduler only (role system)");
  }
  const std::string* rule = a.Param("rule");
  const std::string* due = a.Param("due");
  const std::string* notice = a.Param("notice");
  if (!rule || rule->empty()) return refuse("invalid_parameter", "'rule' is required");
  if (!due || due->empty()) return refuse("invalid_parameter", "'due' is required");
  if (!notice || notice->empty() || notice->size() > 2 || notice->find_first_not_of("0123456789") != std::string::npos ||
      *notice == "0") {
    return refuse("invalid_parameter", "'notice' must be a number of working days from 1 to 99");
  }
  Journey* in = nullptr;
  std::optional<Deadline> open = FindOpen(*rule, &out.journey, &in);
  if (!open) return refuse("not_due", *rule + " is not open: it was met, cancelled or never scheduled");
  if (open->due_date.ToString() != *due) {
    return refuse("not_due", *rule + " is now due " + open->due_date.ToString() + ", not " + *due);
  }
  if (a.occurred_at_us >= open->due_by_us) return refuse("not_due", *rule + " is already past due");
  auto from = Calendar::EnglandAndWales().SubtractWorkingDays(open->due_date, std::stoi(*notice));
  if (from.ok() && a.occurred_at_us < from->StartUs()) {
    return refuse("not_due", *rule + " is due soon from " + from->ToString());
  }
  out.verdict.accepted = true;
  out.verdict.from_state = out.verdict.to_state = in ? in->State() : "case";
  out.verdict.deadlines.push_back({DeadlineEffect::Kind::kDueSoon, *open});
  return out;
}

CaseVerdict Case::ApplyBreach(const Action& a) {
  CaseVerdict out;
  out.journey = "case";
  auto refuse = [&](const char* rule, std::string why) {
    out.verdict.rule = rule;
    out.verdict.reason = std::move(why);
    return out;
  };
  if (a.role != kSystemRole) {
    return refuse("forbidden_role", "'deadline.breached' is recorded by the scheduler only (role system)");
  }
  const std::string* rule = a.Param("rule");
  const std::string* due = a.Param("due");
  if (!rule || rule->empty()) return refuse("invalid_parameter", "'rule' is required");
  if (!due || due->empty()) return refuse("invalid_parameter", "'due' is required");
  Journey* in = nullptr;
  std::optional<Deadline> open = FindOpen(*rule, &out.journey, &in);
  if (!open) return refuse("not_due", *rule + " is not open: it was met, cancelled or never scheduled");
  if (open->due_date.ToString() != *due) {
    return refuse("not_due", *rule + " is now due " + open->due_date.ToString() + ", not " + *due);
  }
  if (a.occurred_at_us < open->due_by_us) {
    return refuse("not_due", *rule + " is due by the end of " + *due + ": not breached yet");
  }
  if (open->breached_at_us != 0) return refuse("already_breached", *rule + " due " + *due + " was already breached");
  open->breached_at_us = a.occurred_at_us;
  if (in) {
    in->Reschedule(*open);
  } else {
    case_open_[*rule] = *open;
  }
  out.verdict.accepted = true;
  out.verdict.from_state = out.verdict.to_state = in ? in->State() : "case";
  out.verdict.deadlines.push_back({DeadlineEffect::Kind::kBreached, *open});
  return out;
}

CaseVerdict Case::Route(const Action& a) {
  CaseVerdict out;
  if (a.name == kDeadlineBreached) return ApplyBreach(a);
  if (a.name == kDeadlineDueSoon) return ApplyDueSoon(a);
  if (a.name.rfind("alloc.", 0) == 0) {
    out.journey = kAllocation;
    if (a.role.empty() || a.role == "auditor") {
      out.verdict.rule = "forbidden_role";
      out.verdict.reason = "'" + a.name + "' needs a practitioner role";
      return out;
    }
    out.verdict = ApplyAllocation(a);
    return out;
  }
  if (a.name.rfind("case.", 0) == 0) {
    out.journey = "case";
    out.verdict = ApplyCaseAction(a);
    // Rules that depend on age run when the birthday comes.
    if (out.verdict.accepted && a.name == kAgeReached) ApplyRules(a, &out);
    // no team holds a closed case.
    if (out.verdict.accepted && a.name == "case.closed" && !allocation_.team.empty()) {
      Consequence("X-18", kAllocation, "alloc.worker_deallocated", a, {{"reason", "case_closed"}}, &out);
    }
    return out;
  }
  for (const auto& [prefix, journey] : Prefixes()) {
    if (a.name.rfind(prefix, 0) == 0) out.journey = journey;
  }
  if (out.journey.empty()) {
    out.verdict.rule = "unknown_action";
    out.verdict.reason = "'" + a.name + "' is not an action casetrail knows";
    for (const auto& kind : OtherRecordJourneys()) {
      if (a.name.rfind(kind.prefix, 0) != 0) continue;
      out.verdict.rule = "not_a_child_action";
      out.verdict.reason = "'" + a.name + "' is recorded on an allegation against someone who works with children "
                           "(POST /v1/allegations/{id}/commands), never on a child's record";
    }
    return out;
  }
  if (a.role == kSystemRole) {
    out.verdict.rule = "forbidden_role";
    out.verdict.reason = "the role 'system' is the engine's own";
    return out;
  }
  // A role that may not record the action is refused as such, before any case-level rule.
  bool may_record = false;
  for (const auto& p : J(out.journey).Permissions()) {
    if (p.action != a.name) continue;
    for (const auto& r : p.roles) may_record |= (r == a.role);
  }
  if (!may_record) {
    out.verdict = Mut(out.journey).Apply(a);
    return out;
  }
  // A case-level rule's refusal: nothing changes, the journey stays where it is.
  auto refuse = [&](const char* rule, std::string reason) {
    out.verdict.rule = rule;
    out.verdict.reason = std::move(reason);
    out.verdict.from_state = out.verdict.to_state = J(out.journey).State();
    return out;
  };
  if (Is(a, "cic.placement_started") || Is(a, "cic.placement_changed") || Is(a, "cic.placement_ended")) {
    std::string problem = PlacementDetailProblem(a.params, Date::FromTimestampUs(a.occurred_at_us));
    if (!problem.empty()) return refuse("invalid_parameter", std::move(problem));
  }
  if (Is(a, "cic.became_looked_after") && unborn_) {
    return refuse("unborn_child", "X-12: an unborn child cannot become looked after; record case.child_born first");
  }
  auto looked_after = [&] { return J("child_in_care").State() != "NotLookedAfter"; };
  if (Is(a, "ad.placed_for_adoption") && !looked_after()) {
    return refuse("not_looked_after",
                  "X-25: a child placed for adoption by a local authority is looked after (ACA 2002 s18(3)); record cic.became_looked_after first");
  }
  if (Is(a, "pm.identified_for_discharge") && !looked_after()) {
    return refuse("not_looked_after", "X-29: only a care order can be discharged (CA 1989 s39); the child is not looked after");
  }
  if (Is(a, "mx.went_missing") && looked_after()) {
    return refuse("looked_after", "X-33: the child is looked after: record cic.went_missing (missing from placement)");
  }
  if (dob_ && (Is(a, "hl.presented") || Is(a, "cwd.referral_received") || Is(a, "pf.notified"))) {
    const int age = AgeOn(*dob_, Date::FromTimestampUs(a.occurred_at_us));
    if (Is(a, "hl.presented") && (age < 16 || age > 17)) {
      return refuse("age_limit", "X-35/T-93: the joint housing protocol is for 16 and 17 year olds (SG:264); the young person is " +
                                     std::to_string(age));
    }
    if (Is(a, "pf.notified")) {
      const int limit = ParamEq(a, "disabled", "yes") ? 18 : 16;
      if (age >= limit) {
        return refuse("age_limit", "X-39: private fostering is of a child under " + std::to_string(limit) +
                                       " (CA 1989 s66(1), (4)); the child is " + std::to_string(age));
      }
    }
    if (Is(a, "cwd.referral_received") && age >= 18) {
      return refuse("age_limit", "X-36/T-101: the disabled children's service is for children aged 0-18 (SG:243); the young person is " +
                                     std::to_string(age));
    }
  }
  if (Is(a, "eh.stepped_down_from_social_care")) {
    for (auto [rule, since, what] : {std::tuple<const char*, std::optional<std::int64_t>, const char*>{
                                         "T-23", last_cp_plan_ended_, "a child protection plan ended"},
                                     {"T-24", last_returned_home_, "the child returned home from care"}}) {
      if (!since) continue;
      auto window = rules_->Due(rule, *since, a.rules_edition);
      if (window.ok() && window->MetBy(a.occurred_at_us)) {
        return refuse("step_down_too_soon", std::string("X-13/") + rule + ": " + what + " on " +
                                                Date::FromTimestampUs(*since).ToString() +
                                                "; step-down to early help is possible from " +
                                                window->due_date.AddDays(1).ToString());
      }
    }
  }
  if (dob_ && (Is(a, "lc.staying_put_started") || Is(a, "lc.keeping_in_touch") ||
               Is(a, "lc.pathway_plan_reviewed") || Is(a, "lc.personal_adviser_allocated"))) {
    const Date today = Date::FromTimestampUs(a.occurred_at_us);
    const char* rule = Is(a, "lc.staying_put_started") ? "T-82" : "T-81";
    auto limit = rules_->Find(rule, today, a.rules_edition);
    if (limit.ok() && AgeOn(*dob_, today) >= limit->amount) {
      return refuse("age_limit", std::string("X-14/") + rule + ": '" + a.name + "' ends at age " +
                                     std::to_string(limit->amount) + " (" + limit->name + ")");
    }
  }
  // Flags that depend on the case's history are decided before the journey moves.
  std::vector<std::string> flags;
  if (Is(a, "fd.contact_received") && last_closed_) {
    auto window = rules_->Due("T-20", *last_closed_, a.rules_edition);
    if (window.ok() && window->MetBy(a.occurred_at_us)) {
      flags.push_back("X-09/T-20: re-referral within a month of closure: route to " + last_team_);
    }
  }
  if (Is(a, "eh.stepped_up") && last_step_down_) {
    auto window = rules_->Due("T-21", *last_step_down_, a.rules_edition);
    if (window.ok() && window->MetBy(a.occurred_at_us)) {
      flags.push_back("X-10/T-21: step-up within a month of step-down: return to the previous social worker");
    }
  }
  const bool cp_plan_was_active = J("child_protection").State() == "OnCpPlan";
  out.verdict = Mut(out.journey).Apply(a);
  if (!out.verdict.accepted) return out;
  for (auto& f : flags) out.verdict.flags_raised.push_back(std::move(f));
  if (Is(a, "eh.stepped_down_from_social_care")) last_step_down_ = a.occurred_at_us;
  if (Is(a, "cic.ceased_looked_after") && ParamEq(a, "reason", "returned_home")) {
    last_returned_home_ = a.occurred_at_us;
  }
  ApplyRules(a, &out);
  // After the rules: a consequence can end the plan too.
  if (cp_plan_was_active && J("child_protection").State() != "OnCpPlan") {
    last_cp_plan_ended_ = a.occurred_at_us;
  }
  return out;
}

void Case::Consequence(const char* rule, const std::string& journey, const std::string& action,
                       const Action& cause, std::map<std::string, std::string> params,
                       CaseVerdict* out) {
  Action sys;
  sys.name = action;
  sys.occurred_at_us = cause.occurred_at_us;
  sys.role = kSystemRole;
  sys.rules_edition = cause.rules_edition;
  sys.params = std::move(params);
  Verdict v = journey == kAllocation ? ApplyAllocation(sys) : Mut(journey).Apply(sys);
  out->consequences.push_back({rule, journey, action, sys.params, v});
  if (v.accepted) ApplyRules(sys, out);  // a consequence may trigger further rules
}

void Case::TrackCareTime(std::int64_t at) {
  // Days looked after since the 14th birthday, counted when a care episode ends.
  if (!looked_after_since_ || !dob_) return;
  const std::int64_t from = std::max(*looked_after_since_, BirthdayAt(*dob_, 14).StartUs());
  if (at > from) {
    looked_after_days_since_14_ += static_cast<int>((at - from) / (86400LL * 1000000));
  }
}

void Case::ApplyRules(const Action& a, CaseVerdict* out) {
  const std::string cp = J("child_protection").State();
  const std::string cin = J("child_in_need").State();
  const std::string cic = J("child_in_care").State();
  const std::string plo = J("pre_proceedings").State();
  const std::string lc = J("leaving_care").State();
  const bool looked_after = cic != "NotLookedAfter";

  // the receiving team's lead worker takes the child when the transfer completes.
  if (Is(a, "tr.transfer_requested") && a.Param("to_team")) transfer_to_team_ = *a.Param("to_team");
  if (Is(a, "tr.transfer_cancelled")) transfer_to_team_.clear();
  if (Is(a, "tr.transfer_completed") && a.Param("lead_worker") && !transfer_to_team_.empty()) {
    Consequence("X-17", kAllocation, "alloc.worker_allocated", a,
                {{"team", transfer_to_team_}, {"worker", *a.Param("lead_worker")}, {"as", "social_worker"}}, out);
    transfer_to_team_.clear();
  }
  // the IRO of a looked-after child is held beside the lead worker.
  if (Is(a, "cic.iro_allocated") && a.Param("iro") && !a.Param("iro")->empty() && *a.Param("iro") != allocation_.iro) {
    Consequence("X-19", kAllocation, "alloc.worker_allocated", a, {{"worker", *a.Param("iro")}, {"as", "iro"}}, out);
  }
  if (Is(a, "cic.ceased_looked_after") && !allocation_.iro.empty()) {
    Consequence("X-20", kAllocation, "alloc.worker_deallocated", a, {{"as", "iro"}, {"reason", "ceased_looked_after"}}, out);
  }
  // a former relevant child's personal adviser is the lead worker.
  if (Is(a, "lc.personal_adviser_allocated") && lc == "FormerRelevantChild" && a.Param("adviser") &&
      !a.Param("adviser")->empty()) {
    const std::string team = a.Param("team") && !a.Param("team")->empty() ? *a.Param("team") : allocation_.team;
    if (!team.empty()) {
      Consequence("X-21", kAllocation, "alloc.worker_allocated", a,
                  {{"team", team}, {"worker", *a.Param("adviser")}, {"as", "personal_adviser"}}, out);
    }
  }
  if (Is(a, "court.application_issued") && plo == "InPreProceedings") {
    Consequence("X-01", "pre_proceedings", "plo.pre_proceedings_concluded", a,
                {{"outcome", "issue_proceedings"}}, out);
  }
  if ((Is(a, "cic.became_looked_after") || Is(a, "cic.legal_status_changed")) &&
      (ParamEq(a, "legal_status", "care_order") || ParamEq(a, "legal_status", "placement_order")) &&
      cp == "OnCpPlan") {
    Consequence("X-02", "child_protection", "cp.plan_ended", a,
                {{"reason", "looked_after_under_care_order"}}, out);
  }
  if (Is(a, "court.final_order_made") && looked_after &&
      (ParamEq(a, "order", "care_order") || ParamEq(a, "order", "placement_order"))) {
    Consequence("X-03", "child_in_care", "cic.legal_status_changed", a,
                {{"legal_status", *a.Param("order")}}, out);
  }
  // Adoption.
  if (Is(a, "court.final_order_made") && ParamEq(a, "order", "placement_order") &&
      J("adoption").State() == "ShouldBePlaced") {
    Consequence("X-23", "adoption", "ad.authority_to_place_given", a, {{"basis", "placement_order"}}, out);
  }
  if (Is(a, "ad.placed_for_adoption") && looked_after) {
    Consequence("X-24", "child_in_care", cic == "Placed" ? "cic.placement_changed" : "cic.placement_started", a,
                {{"placement", "placed_for_adoption"}, {"long_term", "yes"}, {"reason", "placed for adoption"}}, out);
  }
  if (Is(a, "ad.adoption_order_granted") && looked_after) {
    Consequence("X-22", "child_in_care", "cic.ceased_looked_after", a, {{"reason", "adopted"}}, out);
  }
  // Permanence.
  const std::string pm = J("permanence").State();
  if (Is(a, "pm.identified_for_discharge")) discharge_route_ = *a.Param("route");
  if (Is(a, "pf.notified")) private_fostering_to_ = ParamEq(a, "disabled", "yes") ? 18 : 16;
  if ((Is(a, "cic.placement_started") || Is(a, "cic.placement_changed")) && J("placement_search").State() != "NoSearch") {
    Consequence("X-41", "placement_search", "ps.search_closed", a, {{"reason", "placed"}}, out);
  }
  if (Is(a, "cic.became_looked_after") && J("private_fostering").State() != "NoPrivateFostering") {
    Consequence("X-38", "private_fostering", "pf.arrangement_ended", a, {{"reason", "became_looked_after"}}, out);
  }
  if (Is(a, "court.final_order_made") && pm == "AwaitingDecision" &&
      (ParamEq(a, "order", "special_guardianship_order") || ParamEq(a, "order", "child_arrangements_order"))) {
    Consequence("X-27", "permanence", "pm.order_granted", a, {{"order", *a.Param("order")}}, out);
  }
  if (Is(a, "pm.order_granted") && looked_after) {
    Consequence("X-26", "child_in_care", "cic.ceased_looked_after", a, {{"reason", *a.Param("order")}}, out);
  }
  if (Is(a, "pm.care_order_discharged") && looked_after && discharge_route_ == "placed_with_parents") {
    Consequence("X-28", "child_in_care", "cic.ceased_looked_after", a, {{"reason", "returned_home"}}, out);
  }
  // Unaccompanied asylum-seeking children.
  if (looked_after && ((Is(a, "uasc.age_assessed") && ParamEq(a, "outcome", "adult")) || Is(a, "uasc.nts_transferred_out"))) {
    Consequence("X-30", "child_in_care", "cic.ceased_looked_after", a,
                {{"reason", Is(a, "uasc.nts_transferred_out") ? "transferred_to_another_authority" : "age_assessed_adult"}}, out);
  }
  if (Is(a, "hl.outcome_agreed") && ParamEq(a, "route", "accommodated_s20") && !looked_after) {
    Consequence("X-34", "child_in_care", "cic.became_looked_after", a, {{"legal_status", "s20"}}, out);
  }
  if (Is(a, "lc.support_ended") && J("uasc").State() == "FormerUasc") {
    Consequence("X-32", "uasc", "uasc.former_status_ended", a, {{"reason", "leaving_care_support_ended"}}, out);
  }
  if (Is(a, "cp.icpc_held") && ParamEq(a, "outcome", "cp_plan") && cin == "OnCinPlan") {
    Consequence("X-04", "child_in_need", "cin.plan_ended", a, {{"reason", "child_protection_plan"}}, out);
  }
  if (Is(a, "cic.became_looked_after")) {
    if (cin == "OnCinPlan") {
      Consequence("X-05", "child_in_need", "cin.plan_ended", a, {{"reason", "became_looked_after"}}, out);
    }
    looked_after_since_ = a.occurred_at_us;
  }
  const Date today = Date::FromTimestampUs(a.occurred_at_us);
  const int age = dob_ ? AgeOn(*dob_, today) : -1;
  if (Is(a, "cic.ceased_looked_after")) {
    TrackCareTime(a.occurred_at_us);
    looked_after_since_.reset();
    if (J("leaving_care").State() == "EligibleChild" && age >= 16 && age < 18) {
      Consequence("X-07", "leaving_care", "lc.left_care", a, {}, out);
    }
  }
  if (lc == "NotACareLeaver" && looked_after && age >= 16 && age < 18 && looked_after_since_) {
    const std::int64_t from = std::max(*looked_after_since_, BirthdayAt(*dob_, 14).StartUs());
    const int days = looked_after_days_since_14_ +
                     static_cast<int>(std::max<std::int64_t>(0, a.occurred_at_us - from) / (86400LL * 1000000));
    if (days >= 91) Consequence("X-06", "leaving_care", "lc.became_eligible", a, {}, out);
  }
  // T-45: the final looked-after review before the 18th birthday, held in its last 6 months.
  if (dob_ && age < 18) {
    const Date eighteen = BirthdayAt(*dob_, 18);
    auto& effects = out->verdict.deadlines;
    if (Is(a, "cic.became_looked_after") && !case_open_.count("T-45")) {
      Deadline d;
      d.rule_id = "T-45";
      d.rule_version = rules_->VersionOn(today, a.rules_edition).value_or("");
      d.start_us = a.occurred_at_us;
      d.due_date = eighteen.AddDays(-1);
      d.due_by_us = eighteen.StartUs();
      case_open_["T-45"] = d;
      effects.push_back({DeadlineEffect::Kind::kScheduled, d});
    } else if (Is(a, "cic.review_held") && case_open_.count("T-45") && today >= eighteen.AddMonths(-6)) {
      effects.push_back({DeadlineEffect::Kind::kMet, case_open_.at("T-45")});
      case_open_.erase("T-45");
    } else if (Is(a, "cic.ceased_looked_after") && case_open_.count("T-45")) {
      effects.push_back({DeadlineEffect::Kind::kCancelled, case_open_.at("T-45")});
      case_open_.erase("T-45");
    }
  }
  const std::string lc_now = J("leaving_care").State();
  if (age >= 18 && (lc_now == "EligibleChild" || lc_now == "RelevantChild")) {
    Consequence("X-08", "leaving_care", "lc.turned_18", a, {}, out);
  }
  if (Is(a, kAgeReached) && age == private_fostering_to_ && J("private_fostering").State() != "NoPrivateFostering") {
    Consequence("X-40", "private_fostering", "pf.arrangement_ended", a, {{"reason", "reached_age_limit"}}, out);
  }
  if (Is(a, kAgeReached) && age == 18 && J("disabled_children").State() == "PackageOfCare") {
    Consequence("X-37", "disabled_children", "cwd.service_ended", a, {{"reason", "reached_18"}}, out);
  }
  if (Is(a, kAgeReached) && age == 18) {
    const std::string uasc = J("uasc").State();
    if (uasc == "Uasc" || uasc == "AgeAssessmentPending" || uasc == "NtsTransferPending") {
      Consequence("X-31", "uasc", "uasc.status_ended", a, {{"reason", "turned_18"}}, out);
    }
  }
  if (Is(a, kAgeReached) && age == 18 && (cp == "OnCpPlan" || cin == "OnCinPlan")) {
    out->verdict.flags_raised.push_back(std::string("X-15: turned 18 on a ") +
                                        (cp == "OnCpPlan" ? "child protection" : "child in need") +
                                        " plan: a child is a person under 18 (CA 1989 s105); end or step down the plan");
  }
  if (Is(a, kAgeReached) && J("leaving_care").State() == "FormerRelevantChild") {
    auto limit = rules_->Find("T-81", today, a.rules_edition);
    if (limit.ok() && age == limit->amount) {
      Consequence("X-16", "leaving_care", "lc.support_ended", a, {{"reason", "reached_" + std::to_string(age)}}, out);
    } else if (age == 21) {
      out->verdict.flags_raised.push_back(
          "X-16/T-81: 21st birthday: personal adviser support continues to 25 if the young person asks (CSWA 2017 s3)");
    }
  }
}

}  // namespace casetrail::workflows
