#include "sim/generator.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <tuple>

namespace casetrail::sim {

using workflows::Date;
using workflows::Deadline;

namespace {
constexpr std::int64_t kMinuteUs = 60LL * 1000000;
constexpr std::int64_t kHourUs = 60 * kMinuteUs;
constexpr std::int64_t kDayUs = 24 * kHourUs;
constexpr std::int64_t kNever = INT64_MAX / 4;

std::uint64_t SplitMix(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

Rng::Rng(std::uint64_t seed) {
  for (auto& s : s_) s = SplitMix(seed);
}

std::uint64_t Rng::Next() {
  const std::uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

double Rng::Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
double Rng::Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
int Rng::Int(int lo, int hi) {
  if (hi <= lo) return lo;
  return lo + static_cast<int>(Next() % static_cast<std::uint64_t>(hi - lo + 1));
}
const std::string& Rng::Pick(const std::vector<std::pair<std::string, double>>& shares) {
  double u = Uniform();
  for (const auto& [k, share] : shares) {
    if (u < share) return k;
    u -= share;
  }
  return shares.back().first;
}

LifeGenerator::LifeGenerator(const Params& params, const workflows::RuleBook& rules,
                             std::int64_t start_us, std::int64_t end_us)
    : p_(params), rules_(rules), cal_(workflows::Calendar::EnglandAndWales()), start_(start_us), end_(end_us) {
  const int per_area = std::max(1, static_cast<int>(p_.Num("children.teams_per_area")));
  for (const auto& area : p_.Strings("children.areas")) {
    for (int i = 1; i <= per_area; ++i) teams_.push_back(area + "-" + std::to_string(i));
  }
}

std::int64_t LifeGenerator::Arrival(std::uint64_t seed, std::uint64_t index) const {
  Rng r(seed * 0x2545F4914F6CDD1Dull ^ (index + 1) * 0x9E3779B97F4A7C15ull ^ 0xA5A5);
  const double u = r.Uniform();
  return start_ + static_cast<std::int64_t>(u * static_cast<double>(end_ - start_));
}

// One child's life, built stage by stage with a cursor in business time.
struct Builder {
  enum class Next { kClose, kEarlyHelp, kAssessment, kStrategy, kCin, kCinAfterPlan, kContact, kEnd };

  const LifeGenerator& g;
  const Params& p;
  Rng rng;
  std::vector<SimAction> acts;
  std::vector<std::pair<std::int64_t, int>> team_changes;  // (from, team)
  int team = 0;
  std::optional<Date> dob;
  std::int64_t born_at = 0;  // unborn children: when they are born (kNever if after the window)
  bool unborn = false;
  Life life;
  std::int64_t open_since = -1;
  bool had_cp_plan = false;
  bool adopted = false;
  std::optional<std::int64_t> forced_repeat;  // a planned second CP plan's contact
  std::int64_t busy_until = INT64_MIN;        // a journey (proceedings) open until then

  Builder(const LifeGenerator& gen, std::uint64_t seed) : g(gen), p(gen.p_), rng(seed) {}

  // ---- time ------------------------------------------------------------------------------
  Date Day(std::int64_t t) const { return Date::FromTimestampUs(t); }
  Date Wd(Date d, int n) const {
    auto r = g.cal_.AddWorkingDays(d, n);
    return r.ok() ? *r : d.AddDays(n * 7 / 5 + 1);
  }
  double hour_lo = std::stod(p.Strings("recording.working_hours").at(0));
  double hour_hi = std::stod(p.Strings("recording.working_hours").at(1));
  std::int64_t Hour(Date d) { return d.StartUs() + static_cast<std::int64_t>(rng.Uniform(hour_lo, hour_hi) * kHourUs); }
  // A working-hours time on the working day `n` working days after t's date (n = 0: that day
  // if it is a working day), strictly after t.
  std::int64_t AfterWd(std::int64_t t, int n) {
    std::int64_t x = Hour(Wd(Day(t), n));
    return x > t ? x : t + rng.Int(10, 90) * kMinuteUs;
  }
  std::int64_t AfterDays(std::int64_t t, double days) {
    return AfterWd(t + static_cast<std::int64_t>(days * kDayUs), 0);
  }
  std::int64_t Due(const char* rule, std::int64_t start, Deadline* out = nullptr) {
    auto d = g.rules_.Due(rule, start);
    if (!d.ok()) return kNever;
    if (out) *out = *d;
    return d->due_by_us;
  }
  // When something with deadline `rule` (started at `start`) happens after `cursor`: by the due
  // date if `on_time` (on a working day within `window` working days before it), else 1..late_max
  // working days after the due date.
  std::int64_t Timed(const char* rule, std::int64_t start, std::int64_t cursor, bool on_time, int window,
                     int late_max) {
    Deadline d;
    if (Due(rule, start, &d) == kNever) return AfterWd(cursor, 1);
    if (!on_time) {
      std::int64_t x = Hour(Wd(d.due_date, rng.Int(1, std::max(1, late_max))));
      return x > cursor ? x : cursor + rng.Int(10, 90) * kMinuteUs;
    }
    auto between = g.cal_.WorkingDaysBetween(Day(cursor), d.due_date);
    const int n = between.ok() ? *between : 0;
    const int k = rng.Int(std::max(0, n - window), n);
    std::int64_t x = Hour(Wd(Day(cursor), k));
    if (x <= cursor) x = cursor + rng.Int(5, 60) * kMinuteUs;
    return x;
  }
  int AgeAt(std::int64_t t) const { return dob ? workflows::AgeOn(*dob, Day(t)) : -1; }
  std::int64_t Birthday(int age) const { return dob ? workflows::BirthdayAt(*dob, age).StartUs() : kNever; }
  bool Past(std::int64_t t) const { return t >= g.end_; }

  // ---- recording ---------------------------------------------------------------------------
  SimAction& Add(std::int64_t t, const char* action, const char* role,
                 std::vector<std::pair<const char*, std::string>> params = {}) {
    acts.push_back(SimAction::At(t, action, role, std::move(params)));
    return acts.back();
  }
  void Open(std::int64_t t) {
    if (open_since < 0) open_since = t;
  }
  std::int64_t Close(std::int64_t t) {
    const std::int64_t at = AfterWd(std::max(t, busy_until), rng.Int(0, 3));
    Add(at, "case.closed", "team_manager", {{"team", "$team"}});
    if (open_since >= 0) life.open.emplace_back(open_since, at);
    open_since = -1;
    return at;
  }

  // ---- stages ------------------------------------------------------------------------------
  Next FrontDoor(std::int64_t& t, bool forced) {
    Open(t);
    ++life.contacts;
    Add(t, "fd.contact_received", "cass_worker",
        {{"source", forced ? std::string("police") : rng.Pick(p.Shares("front_door.source_share"))}});
    const bool on_time = rng.Chance(p.Num("front_door.decision_within_1_working_day"));
    const std::int64_t decided = Timed("T-01", t, t + 20 * kMinuteUs, on_time, 1,
                                       static_cast<int>(p.Num("front_door.late_decision_extra_working_days_max")));
    std::string outcome = forced ? "referral" : rng.Pick(p.Shares("front_door.outcome_share"));
    const bool strategy = forced || (outcome == "referral" && rng.Chance(p.Num("front_door.referral_to_strategy_discussion_share")));
    const bool no_consent = outcome == "nfa" && rng.Chance(p.Num("front_door.nfa_no_consent_share"));
    // Triage steps between the contact and the decision, evenly spaced.
    std::vector<std::pair<const char*, const char*>> steps;
    if (no_consent) {
      steps.push_back({"fd.consent_requested", "cass_worker"});
    } else if (!strategy && rng.Chance(p.Num("front_door.consent_requested_share"))) {
      steps.push_back({"fd.consent_requested", "cass_worker"});
      steps.push_back({"fd.consent_given", "cass_worker"});
    }
    if (!no_consent && rng.Chance(p.Num("front_door.mash_check_share"))) {
      steps.push_back({"fd.mash_check_requested", "cass_worker"});
      steps.push_back({"fd.mash_information_shared", "mash_partner"});
    }
    const std::int64_t span = decided - t;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      Add(t + span * static_cast<std::int64_t>(i + 1) / static_cast<std::int64_t>(steps.size() + 2), steps[i].first,
          steps[i].second);
    }
    t = decided;
    if (no_consent) {
      Add(t, "fd.consent_refused", "cass_worker");
      return Next::kClose;
    }
    if (strategy) {
      Add(t, "fd.significant_harm_identified", "cass_worker");
      return Next::kStrategy;
    }
    const char* decision = outcome == "referral" ? "assessment" : outcome.c_str();
    Add(t, "fd.decision_made", "cass_worker", {{"decision", decision}});
    if (outcome == "signpost" || outcome == "nfa") return Next::kClose;
    if (outcome == "early_help") return Next::kEarlyHelp;
    return Next::kAssessment;
  }

  Next EarlyHelp(std::int64_t& t, bool stepped_down) {
    std::int64_t active;
    if (stepped_down) {
      active = t = AfterWd(t, 0);
      Add(t, "eh.stepped_down_from_social_care", "team_manager",
          {{"cin_plan_completed", "yes"}, {"closure_summary", "yes"}, {"consent", "yes"}});
    } else {
      t = AfterWd(t, rng.Int(0, 2));
      Add(t, "eh.request_received", "cass_worker", {{"route", "cass_request_for_support"}});
      active = t = AfterWd(t, rng.Int(1, 10));
      Add(t, "eh.allocation_decided", "early_help_manager",
          {{"redirect", "no"}, {"provider", rng.Pick(p.Shares("early_help.provider_share"))}});
    }
    t = AfterWd(t, rng.Int(3, 15));
    Add(t, "eh.family_plan_agreed", "early_help_worker");
    const double months = rng.Uniform(p.Num("early_help.duration_months_min"), p.Num("early_help.duration_months_max"));
    const std::int64_t end = active + static_cast<std::int64_t>(months * 30.44 * kDayUs);
    const std::int64_t every = static_cast<std::int64_t>(p.Num("early_help.review_every_weeks") * 7 * kDayUs);
    for (std::int64_t r = AfterDays(t, every / kDayUs); r < end && !Past(r); r = AfterDays(r, every / kDayUs)) {
      Add(r, "eh.review_held", "early_help_worker");
      t = r;
    }
    t = std::max(AfterWd(end, 0), t + kHourUs);
    if (!stepped_down && rng.Chance(p.Num("early_help.step_up_share"))) {
      Add(t, "eh.stepped_up", "early_help_manager", {{"manager_agreed", "yes"}, {"consent", "yes"}});
      t = AfterWd(t, rng.Int(0, 3));
      return Next::kContact;
    }
    static const char* kOutcomes[] = {"needs_met", "needs_met", "needs_met", "family_disengaged", "moved_away", "other"};
    Add(t, "eh.closed", "early_help_manager", {{"outcome", kOutcomes[rng.Int(0, 5)]}});
    return Next::kClose;
  }

  Next Assessment(std::int64_t& t, std::int64_t referred) {
    const std::int64_t start = AfterWd(t, rng.Int(0, static_cast<int>(p.Num("assessment.start_working_days_max"))));
    const Date referred_on = Day(referred);
    Add(start, "as.assessment_started", "social_worker", {{"referred_on", referred_on.ToString()}});
    if (rng.Chance(p.Num("assessment.ended_early_share"))) {
      t = AfterWd(start, rng.Int(5, 20));
      Add(t, "as.assessment_ended_early", "team_manager", {{"reason", "family moved away"}});
      return Next::kClose;
    }
    const bool on_time = rng.Chance(p.Num("assessment.within_45_working_days"));
    const std::int64_t done = Timed("T-14", referred_on.StartUs(), AfterWd(start, 5), on_time, 40,
                                    static_cast<int>(p.Num("assessment.late_extra_working_days_max")));
    const std::int64_t span = done - start;
    if (rng.Chance(p.Num("assessment.returned_share"))) {
      Add(start + span / 2, "as.assessment_completed", "social_worker");
      Add(start + span * 6 / 10, "as.assessment_returned", "team_manager", {{"reason", "more work on the analysis"}});
    }
    Add(start + span * 9 / 10, "as.assessment_completed", "social_worker");
    const std::string outcome = rng.Pick(p.Shares("assessment.outcome_share"));
    t = done;
    Add(t, "as.assessment_authorised", "team_manager", {{"outcome", outcome}});
    if (outcome == "nfa") return Next::kClose;
    if (outcome == "early_help") return Next::kEarlyHelp;
    if (outcome == "child_in_need_plan") return Next::kCin;
    return Next::kStrategy;
  }

  void Transfer(std::int64_t t) {
    const auto& teams = g.teams();
    const int per_area = std::max(1, static_cast<int>(p.Num("children.teams_per_area")));
    if (per_area < 2) return;
    const int area = team / per_area;
    const int to = area * per_area + (team % per_area + rng.Int(1, per_area - 1)) % per_area;
    const std::int64_t asked = AfterWd(t, rng.Int(0, 2));
    Add(asked, "tr.transfer_requested", "team_manager", {{"to_team", teams[static_cast<std::size_t>(to)]}});
    const bool in_time = rng.Chance(p.Num("transfers.completed_in_time"));
    const std::int64_t visit = AfterWd(asked, rng.Int(2, 6));
    const std::int64_t summary = AfterWd(asked, rng.Int(3, 7));
    std::int64_t done = in_time ? AfterWd(std::max(visit, summary), rng.Int(0, 2)) : AfterWd(asked, rng.Int(11, 15));
    done = std::min(done, Due("T-70", asked) + (in_time ? -kHourUs : 5 * kDayUs));
    done = std::max(done, std::max(visit, summary) + kHourUs);
    Add(visit, "tr.joint_visit_held", "social_worker");
    Add(summary, "tr.summary_updated", "social_worker");
    Add(done, "tr.transfer_completed", "team_manager", {{"lead_worker", "sw." + teams[static_cast<std::size_t>(to)] + ".lead"}});
    team_changes.emplace_back(done, to);
    busy_until = std::max(busy_until, done + kHourUs);  // no closure while the transfer is pending
  }

  // A child in need plan from t; `after_protection`: at least T-23/T-24's 3 months before a
  // step-down to early help.
  Next Cin(std::int64_t& t, bool after_protection) {
    t = AfterWd(t, rng.Int(0, 5));
    Add(t, "cin.plan_started", "social_worker");
    const std::int64_t started = t;
    if (rng.Chance(p.Num("transfers.share_at_plan_start"))) Transfer(t);
    double months = rng.Uniform(p.Num("child_in_need.duration_months_min"), p.Num("child_in_need.duration_months_max"));
    if (after_protection) months = std::max(months, 3.5);
    std::int64_t end = started + static_cast<std::int64_t>(months * 30.44 * kDayUs);
    if (dob) end = std::min(end, Birthday(18) - kDayUs);
    // Visits (T-11: at most every 6 weeks) and reviews.
    const double every = p.Num("child_in_need.visit_every_weeks");
    for (std::int64_t v = started;;) {
      const bool in_time = rng.Chance(p.Num("child_in_need.visit_in_time"));
      v = AfterDays(v, in_time ? rng.Uniform(every * 7 * 0.6, 6 * 7 - 3) : rng.Uniform(6 * 7 + 1, 6 * 7 + 21));
      if (v >= end - kDayUs || Past(v)) break;
      Add(v, "cin.visit_held", "social_worker");
    }
    const double review = p.Num("child_in_need.review_every_weeks") * 7;
    for (std::int64_t r = AfterDays(started, review); r < end - kDayUs && !Past(r); r = AfterDays(r, review)) {
      Add(r, "cin.review_held", "team_manager");
    }
    t = std::max(AfterWd(end, 0), started + kHourUs);
    const bool step_down = rng.Chance(p.Num("child_in_need.step_down_to_early_help_share")) && AgeAt(t) < 17;
    Add(t, "cin.plan_ended", "team_manager", {{"reason", step_down ? "step_down_to_early_help" : "closure"}});
    if (step_down) return EarlyHelp(t, true);
    return Next::kClose;
  }

  Next Strategy(std::int64_t& t, bool forced) {
    const std::int64_t sd = AfterWd(t, rng.Int(0, 1));
    const bool s47 = forced || rng.Chance(p.Num("child_protection.s47_share"));
    Add(sd, "cp.strategy_discussion_held", "team_manager", {{"outcome", s47 ? "s47" : "no_s47"}});
    t = sd;
    if (!s47) return Next::kClose;
    const bool icpc = forced || rng.Chance(p.Num("child_protection.icpc_share"));
    if (!icpc) {
      t = AfterWd(sd, rng.Int(static_cast<int>(p.Num("child_protection.s47_working_days_min")),
                              static_cast<int>(p.Num("child_protection.s47_working_days_max"))));
      Add(t, "cp.s47_concluded", "social_worker", {{"outcome", "no_icpc"}});
      return rng.Chance(0.4) ? Next::kCin : Next::kClose;
    }
    const bool on_time = rng.Chance(p.Num("child_protection.icpc_within_15_working_days"));
    const std::int64_t conf = Timed("T-06", sd, AfterWd(sd, 5), on_time, 8,
                                    static_cast<int>(p.Num("child_protection.icpc_late_extra_working_days_max")));
    Add(sd + (conf - sd) * 6 / 10, "cp.s47_concluded", "social_worker", {{"outcome", "icpc"}});
    t = conf;
    const bool plan = forced || rng.Chance(p.Num("child_protection.plan_share"));
    if (!plan) {
      Add(t, "cp.icpc_held", "cp_chair", {{"outcome", "no_plan"}});
      return rng.Chance(0.6) ? Next::kCin : Next::kClose;
    }
    Add(t, "cp.icpc_held", "cp_chair", {{"outcome", "cp_plan"}, {"category", rng.Pick(p.Shares("child_protection.category_share"))}});
    return CpPlan(t);
  }

  // The plan's own series (visits, core groups, reviews) from `start` to `end` (exclusive); the
  // last review conference ends the plan if `end_by_review`, else the caller ends it.
  std::int64_t PlanSeries(std::int64_t start, std::int64_t end, bool end_by_review) {
    // Review conferences: T-08 (3 months), then T-08b (6-monthly).
    std::vector<std::int64_t> reviews;
    for (std::int64_t r = start;;) {
      const char* rule = reviews.empty() ? "T-08" : "T-08b";
      const std::int64_t due = Due(rule, r);
      if (due == kNever) break;
      const std::int64_t at = Hour(Day(due - kDayUs)) - rng.Int(0, 7) * kDayUs;
      const std::int64_t x = std::max(at, r + kDayUs);
      if (x >= end || Past(x)) break;
      reviews.push_back(x);
      r = x;
    }
    std::int64_t last = start;
    for (std::size_t i = 0; i < reviews.size(); ++i) {
      const bool final_review = end_by_review && i + 1 == reviews.size();
      Add(reviews[i], "cp.review_conference_held", "cp_chair", {{"outcome", final_review ? "end" : "continue"}});
      if (i == 0 && !final_review) {
        Add(reviews[i] + (((i + 1 < reviews.size()) ? reviews[i + 1] : end) - reviews[i]) / 2, "cp.midway_review_held",
            "cp_chair");
      }
      last = reviews[i];
    }
    const std::int64_t stop = end_by_review && !reviews.empty() ? reviews.back() : end;
    // First core group within 10 working days (N-08), then 6-weekly.
    std::int64_t cg = AfterWd(start, rng.Int(3, 9));
    const double cg_every = p.Num("child_protection.core_group_every_weeks") * 7;
    for (; cg < stop - kHourUs && !Past(cg); cg = AfterDays(cg, rng.Uniform(cg_every - 5, cg_every + 3))) {
      Add(cg, "cp.core_group_held", "social_worker");
    }
    // Visits, at most every 10 working days (N-10).
    for (std::int64_t v = start;;) {
      const bool in_time = rng.Chance(p.Num("child_protection.visit_in_time"));
      v = AfterWd(v, in_time ? rng.Int(5, 10) : rng.Int(11, 15));
      if (v >= stop - kHourUs || Past(v)) break;
      Add(v, "cp.visit_held", "social_worker");
    }
    return end_by_review ? (reviews.empty() ? kNever : reviews.back()) : last;
  }

  Next CpPlan(std::int64_t& t) {
    had_cp_plan = true;
    const std::int64_t start = t;
    if (rng.Chance(p.Num("transfers.share_at_plan_start"))) Transfer(t);
    const bool is_long = rng.Chance(p.Num("child_protection.long_plan_share"));
    int reviews = std::stoi(rng.Pick(p.Shares("child_protection.plan_review_count_share")));
    if (is_long) reviews = rng.Int(5, 6);  // 3 + 6*4 = 27 or 33 months
    // The end of the plan: just after its n-th review conference (3 months, then 6-monthly).
    std::int64_t natural = start + static_cast<std::int64_t>((3 + 6 * (reviews - 1) + 0.5) * 30.44 * kDayUs);
    if (dob) natural = std::min(natural, Birthday(18) - 2 * kDayUs);
    const bool escalate = !is_long && rng.Chance(p.Num("child_protection.escalate_to_legal_share"));
    if (!escalate) {
      const bool to_care = rng.Chance(p.Num("children_in_care.entry_from_cp_plan_share"));
      if (to_care) {
        std::int64_t entry = start + static_cast<std::int64_t>(rng.Uniform(1, 8) * 30.44 * kDayUs);
        if (unborn || born_at > entry) entry = std::max(entry, born_at + kDayUs);
        entry = AfterWd(entry, 0);
        PlanSeries(start, entry - 30 * kMinuteUs, false);
        if (Past(entry)) return Next::kEnd;
        Add(entry - 30 * kMinuteUs, "cp.plan_ended", "team_manager", {{"reason", "looked_after"}});
        t = entry;
        return Care(t, "s20", "s20");
      }
      const std::int64_t ended = PlanSeries(start, natural, true);
      if (ended == kNever || Past(ended)) return Next::kEnd;
      t = ended;
      AfterPlan(ended);
      return rng.Chance(p.Num("child_protection.after_plan_cin_share")) ? Next::kCinAfterPlan : Next::kClose;
    }
    // Escalated: a legal planning meeting while the plan goes on.
    std::int64_t lpm = AfterWd(start + static_cast<std::int64_t>(rng.Uniform(2, 8) * 30.44 * kDayUs), 0);
    return Legal(t, start, lpm);
  }

  // After a CP plan ends: with the repeat rate, a second plan within 24 months (K-P3).
  // Only plans that end with the child at home can repeat, so the chance for each of them is the
  // parameter divided by the expected share of such endings (from the parameters), which makes
  // the share of new plans that are repeats the parameter.
  double RepeatPerEnding() const {
    const double esc = (1 - p.Num("child_protection.long_plan_share")) * p.Num("child_protection.escalate_to_legal_share");
    const double pre = p.Num("pre_proceedings.lpm_to_pre_proceedings_share");
    const double diverted = p.Num("pre_proceedings.diverted_share");
    double care_orders = 0;
    for (const auto& [order, share] : p.Shares("proceedings.final_order_share")) {
      if (order == "care_order" || order == "placement_order") care_orders += share;
    }
    const double issued = pre * (1 - diverted) + (1 - pre);
    const double legal_at_home = pre * diverted + issued * (1 - p.Num("proceedings.interim_care_order_share")) * (1 - care_orders);
    const double at_home = (1 - esc) * (1 - p.Num("children_in_care.entry_from_cp_plan_share")) + esc * legal_at_home;
    return std::min(1.0, p.Num("child_protection.repeat_plan_within_24_months") / std::max(0.01, at_home));
  }
  void AfterPlan(std::int64_t ended) {
    if (rng.Chance(repeat_per_ending)) {
      forced_repeat = ended + static_cast<std::int64_t>(rng.Uniform(2, 14) * 30.44 * kDayUs);
    }
  }
  double repeat_per_ending = RepeatPerEnding();

  // Pre-proceedings and proceedings from a legal planning meeting at `lpm`, the CP plan (started
  // at `plan_start`) going on until the child comes into care or the matter is decided.
  Next Legal(std::int64_t& t, std::int64_t plan_start, std::int64_t lpm) {
    const bool pre = rng.Chance(p.Num("pre_proceedings.lpm_to_pre_proceedings_share"));
    std::vector<SimAction> legal;  // collected here, added after the plan's series
    auto add = [&](std::int64_t at, const char* action, const char* role,
                   std::vector<std::pair<const char*, std::string>> params = {}) {
      legal.push_back(SimAction::At(at, action, role, std::move(params)));
    };
    add(lpm, "plo.legal_planning_meeting_held", "legal", {{"decision", pre ? "pre_proceedings" : "issue_proceedings"}});
    std::int64_t issue = kNever;
    std::int64_t resolved = kNever;  // when the plan's fate is known
    std::string outcome;
    if (pre) {
      const std::int64_t letter = AfterDays(lpm, rng.Uniform(0.5, p.Num("pre_proceedings.letter_days_max")));
      add(letter, "plo.letter_before_proceedings_sent", "legal");
      const double mean = p.Num("pre_proceedings.initial_meeting_days_mean");
      const std::int64_t meeting = std::max(AfterDays(lpm, rng.Uniform(mean * 0.5, mean * 1.5)), letter + kHourUs);
      add(meeting, "plo.initial_meeting_held", "social_worker");
      const double weeks = rng.Uniform(p.Num("pre_proceedings.duration_weeks_min"), p.Num("pre_proceedings.duration_weeks_max"));
      const std::int64_t concluded = std::max(
          Hour(Day(lpm + static_cast<std::int64_t>(weeks * 7 * kDayUs))), meeting + kDayUs);
      add(AfterWd(meeting, rng.Int(1, 5)), "plo.fgdm_offered", "social_worker");
      const double every = p.Num("pre_proceedings.review_every_weeks") * 7;
      for (std::int64_t r = AfterDays(meeting, every); r < concluded - kDayUs; r = AfterDays(r, every)) {
        add(r, "plo.review_meeting_held", "social_worker");
      }
      if (weeks > 15.5) {
        add(std::min(concluded - 12 * kHourUs, lpm + static_cast<std::int64_t>(15 * 7 * kDayUs)), "plo.extension_approved",
            "head_of_service", {{"reason", "assessment of a family member under way"}});
      }
      if (rng.Chance(p.Num("pre_proceedings.diverted_share"))) {
        add(concluded, "plo.pre_proceedings_concluded", "team_manager", {{"outcome", "step_down"}});
        outcome = "diverted";
        resolved = concluded + static_cast<std::int64_t>(rng.Uniform(1, 4) * 30.44 * kDayUs);
      } else {
        issue = concluded;
      }
    } else {
      issue = AfterWd(lpm, rng.Int(1, 10));
    }
    std::int64_t care_from = kNever;
    std::int64_t final_at = kNever;
    if (issue != kNever) {
      const bool fdac = rng.Chance(p.Num("proceedings.fdac_share"));
      add(issue, "court.application_issued", "legal", {{"track", fdac ? "fdac" : "standard"}});
      const double weeks = pre ? rng.Uniform(p.Num("proceedings.weeks_with_pre_min"), p.Num("proceedings.weeks_with_pre_max"))
                               : rng.Uniform(p.Num("proceedings.weeks_without_pre_min"), p.Num("proceedings.weeks_without_pre_max"));
      final_at = Hour(Day(issue + static_cast<std::int64_t>(weeks * 7 * kDayUs)));
      const bool withdrawn = rng.Chance(p.Num("proceedings.withdrawn_share"));
      if (withdrawn) final_at = issue + (final_at - issue) / 2;
      if (rng.Chance(p.Num("proceedings.interim_care_order_share"))) {
        std::int64_t ico = AfterWd(issue, rng.Int(0, 3));
        if (unborn || born_at > ico) ico = std::max(ico, AfterWd(born_at, 1));
        if (ico < final_at - kDayUs) {
          add(ico, "court.interim_order_made", "legal", {{"order", "interim_care_order"}});
          care_from = ico + 2 * kHourUs;
        }
      }
      if (fdac) {
        for (std::int64_t r = AfterDays(issue, 28); r < final_at - kDayUs; r = AfterDays(r, 28)) {
          add(r, "court.fdac_review_held", "legal");
        }
      } else {
        const std::int64_t cmh = AfterWd(issue, rng.Int(8, 15));
        add(cmh, "court.hearing_held", "legal", {{"hearing", "case_management"}});
        const std::int64_t irh = std::max(cmh + kDayUs, issue + (final_at - issue) * 8 / 10);
        if (!withdrawn) add(irh, "court.hearing_held", "legal", {{"hearing", "issues_resolution"}});
      }
      // Extensions of the 26-week limit, each at most 8 weeks, granted before the date falls due.
      std::int64_t limit = Due("T-32", issue);
      while (limit != kNever && final_at >= limit - kDayUs) {
        const int weeks_needed = static_cast<int>(std::ceil(static_cast<double>(final_at - limit) / (7.0 * kDayUs))) + 1;
        const int w = std::clamp(weeks_needed, 1, 8);
        add(std::max(limit - 10 * kDayUs, issue + kDayUs), "court.extension_granted", "legal",
            {{"weeks", std::to_string(w)}, {"reason", "expert assessment outstanding"}});
        limit += static_cast<std::int64_t>(w) * 7 * kDayUs;
      }
      if (withdrawn) {
        add(final_at, "court.application_withdrawn", "legal", {{"reason", "threshold no longer met"}});
        outcome = "no_order";
      } else {
        outcome = rng.Pick(p.Shares("proceedings.final_order_share"));
        add(final_at, "court.final_order_made", "legal", {{"order", outcome}});
      }
      resolved = std::min(care_from, final_at);
      busy_until = std::max(busy_until, final_at + kHourUs);
      if (outcome == "care_order" || outcome == "placement_order") {
        if (care_from == kNever) {
          care_from = final_at + 2 * kHourUs;
          if (unborn || born_at > care_from) care_from = std::max(care_from, AfterWd(born_at, 1));
          resolved = care_from;
        }
      }
    }
    // The CP plan goes on until the matter resolves; it ends just before care begins.
    const std::int64_t plan_end =
        std::max(care_from != kNever ? care_from - 30 * kMinuteUs : resolved, plan_start + kDayUs);
    PlanSeries(plan_start, plan_end, false);
    for (auto& a : legal) acts.push_back(std::move(a));
    if (Past(plan_end)) return Next::kEnd;
    Add(plan_end, "cp.plan_ended", "team_manager", {{"reason", care_from != kNever ? "looked_after" : "legal_outcome"}});
    t = plan_end;
    if (care_from == kNever) {
      AfterPlan(plan_end);
      t = std::max(t, final_at == kNever ? t : final_at) + kHourUs;
      if (outcome == "special_guardianship_order" || outcome == "child_arrangements_order") return Next::kClose;
      return Next::kCinAfterPlan;
    }
    t = care_from;
    const bool ico = care_from < final_at;
    return CareUntil(t, ico ? "interim_care_order" : outcome.c_str(), final_at, outcome);
  }

  Next Care(std::int64_t& t, const char* legal_status, const std::string& route) {
    return CareUntil(t, legal_status, kNever, route);
  }

  // Looked after from t with `legal_status`; `order` (made at `order_at`, or the s20 route)
  // decides how the episode ends.
  Next CareUntil(std::int64_t& t, const char* legal_status, std::int64_t order_at, const std::string& order) {
    const std::int64_t entry = t;
    const std::int64_t eighteen = Birthday(18);
    if (eighteen != kNever && entry >= eighteen - 30 * kDayUs) return Next::kClose;  // too near adulthood
    Add(entry, "cic.became_looked_after", "social_worker", {{"legal_status", legal_status}});
    // How and when it ends.
    std::int64_t exit = kNever;
    const char* reason = nullptr;
    bool adoption = false;
    if (order == "s20") {
      exit = entry + static_cast<std::int64_t>(rng.Uniform(p.Num("children_in_care.s20_months_min"),
                                                           p.Num("children_in_care.s20_months_max")) * 30.44 * kDayUs);
      reason = "returned_home";
    } else if (order == "special_guardianship_order" || order == "child_arrangements_order") {
      exit = order_at + rng.Int(1, 5) * kDayUs;
      reason = order.c_str();
    } else if (order == "supervision_order" || order == "no_order") {
      exit = order_at + rng.Int(1, 5) * kDayUs;
      reason = "returned_home";
    } else if (order == "placement_order" && AgeAt(entry) < 10) {
      adoption = true;
      exit = order_at + static_cast<std::int64_t>((rng.Uniform(2, 6) + p.Num("children_in_care.adoption_after_placement_order_months")) * 30.44 * kDayUs);
      reason = "adopted";
    }
    if (eighteen != kNever && eighteen < exit) {
      exit = eighteen + rng.Int(0, 2) * kDayUs + 10 * kHourUs;
      reason = "turned_18";
    }
    if (exit != kNever) exit = AfterWd(exit, 0);
    const std::int64_t stop = std::min(exit, g.end_);
    // Placement, IRO (T-40: 72 hours), reviews (N-12, N-13, N-14).
    std::int64_t placed = entry + rng.Int(1, 6) * kHourUs;
    auto placement = [&] {
      std::string pl = rng.Pick(p.Shares("children_in_care.placement_share"));
      if (AgeAt(placed) >= 0 && AgeAt(placed) < 16 && pl == "semi_independent") pl = "foster_care";
      return pl;
    };
    Add(placed, "cic.placement_started", "social_worker", {{"placement", placement()}, {"long_term", "no"}});
    Add(AfterWd(placed, rng.Int(0, 2)), "cic.iro_allocated", "iro");
    std::vector<std::int64_t> reviews;
    for (std::int64_t from = entry; reviews.size() < 60;) {
      const char* rule = reviews.empty() ? "N-12" : reviews.size() == 1 ? "N-13" : "N-14";
      const bool in_time = rng.Chance(p.Num("children_in_care.reviews_in_time"));
      const std::int64_t at = Timed(rule, from, from + kDayUs, in_time, reviews.empty() ? 5 : 15,
                                    static_cast<int>(p.Num("children_in_care.review_late_days_max")));
      if (at >= stop - kDayUs) break;
      Add(at, "cic.review_held", "iro");
      reviews.push_back(at);
      from = at;
    }
    // Permanence plan by the second review (K-C3), and a long-term placement after it.
    std::int64_t long_term_from = kNever;
    {
      const bool by_second = rng.Chance(p.Num("children_in_care.permanence_plan_by_second_review"));
      std::int64_t at = reviews.size() >= 2 ? (by_second ? reviews[1] - 2 * kDayUs : reviews[1] + 14 * kDayUs)
                                            : entry + 60 * kDayUs;
      at = std::max(at, entry + 3 * kDayUs);
      const char* plan = adoption ? "adoption"
                         : reason && std::string(reason) == "returned_home" ? "return_home"
                         : reason && std::string(reason) == "special_guardianship_order" ? "special_guardianship"
                         : reason && std::string(reason) == "child_arrangements_order" ? "child_arrangements_order"
                         : AgeAt(entry) >= 15 ? "independence" : "long_term_foster_care";
      if (at < stop - kDayUs) {
        Add(at, "cic.permanence_plan_agreed", "team_manager", {{"plan", plan}});
        if (std::string(plan) == "long_term_foster_care") long_term_from = at + rng.Int(14, 60) * kDayUs;
      }
    }
    // Placement moves (Poisson), the long-term move, and the adoptive placement.
    std::vector<std::pair<std::int64_t, std::pair<std::string, const char*>>> moves;
    const double rate = p.Num("children_in_care.placement_moves_per_year");
    for (std::int64_t m = entry;;) {
      m += static_cast<std::int64_t>(-std::log(1 - rng.Uniform()) / rate * 365.25 * kDayUs);
      if (m >= stop - kDayUs) break;
      moves.push_back({AfterWd(m, 0), {placement(), "no"}});
    }
    if (long_term_from < stop - kDayUs) moves.push_back({AfterWd(long_term_from, 0), {"foster_care", "yes"}});
    if (adoption) {
      const std::int64_t placed_for_adoption = order_at + static_cast<std::int64_t>(rng.Uniform(2, 6) * 30.44 * kDayUs);
      if (placed_for_adoption < stop - kDayUs) moves.push_back({AfterWd(placed_for_adoption, 0), {"placed_for_adoption", "yes"}});
    }
    std::sort(moves.begin(), moves.end());
    bool long_term = false;
    std::int64_t last_start = placed;
    std::vector<std::pair<std::int64_t, bool>> placements = {{placed, false}};
    for (auto& [at, what] : moves) {
      if (at <= last_start + kDayUs || at >= stop - kDayUs) continue;
      if (long_term && what.second[0] == 'n') continue;  // a long-term placement holds
      Add(at, "cic.placement_changed", "social_worker",
          {{"placement", what.first}, {"long_term", what.second}, {"reason", "placement move"}});
      long_term = what.second[0] == 'y';
      placements.push_back({at, long_term});
      last_start = at;
    }
    // Visits: within a week of each placement start (N-19a), then at most every 6 weeks (N-19b)
    // or 3 months in a long-term placement (N-19c).
    for (std::size_t i = 0; i < placements.size(); ++i) {
      const std::int64_t from = placements[i].first;
      const std::int64_t until = i + 1 < placements.size() ? placements[i + 1].first : stop;
      const double every = placements[i].second ? p.Num("children_in_care.long_term_visit_every_weeks")
                                                : p.Num("children_in_care.visit_every_weeks");
      for (std::int64_t v = AfterWd(from, rng.Int(1, 4)); v < until - kHourUs && v < stop - kHourUs;
           v = AfterDays(v, rng.Uniform(every * 7 - 7, every * 7 + 3))) {
        Add(v, "cic.visit_held", "social_worker");
      }
    }
    // Health assessments (T-46) and termly PEPs (T-48) for school-age children.
    for (std::int64_t h = AfterDays(entry, 20); h < stop - kDayUs; h = AfterDays(h, 330)) {
      Add(h, "cic.health_assessment_completed", "health");
    }
    if (AgeAt(entry) >= 4) {
      for (std::int64_t e = AfterDays(entry, 25); e < stop - kDayUs; e = AfterDays(e, 110)) {
        if (AgeAt(e) < 16) Add(e, "cic.pep_held", "virtual_school");
      }
    }
    // Leaving care: eligible after 13 weeks looked after since 14, at 16 or 17: an action
    // then makes the child eligible; the pathway work follows.
    const std::int64_t sixteen = Birthday(16);
    std::int64_t eligible = kNever;
    if (sixteen != kNever) {
      eligible = std::max(sixteen, std::max(entry, Birthday(14)) + 92 * kDayUs) + kDayUs;
      if (eligible < stop - 3 * kDayUs && eligible < eighteen - 3 * kDayUs) {
        eligible = AfterWd(eligible, 0);
        Add(eligible, "cic.visit_held", "social_worker");
        const std::int64_t until = std::min(stop, eighteen) - 2 * kDayUs;  // still an eligible child
        for (auto [at, action, role] : {std::tuple<std::int64_t, const char*, const char*>{
                                            AfterWd(eligible, rng.Int(10, 50)), "lc.needs_assessment_completed", "social_worker"},
                                        {AfterWd(eligible, rng.Int(5, 20)), "lc.personal_adviser_allocated", "team_manager"},
                                        {AfterWd(eligible, rng.Int(51, 60)), "lc.pathway_plan_agreed", "social_worker"}}) {
          if (at < until) Add(at, action, role);
        }
        for (std::int64_t r = AfterDays(eligible, 175); r < until; r = AfterDays(r, 170)) {
          Add(r, "lc.pathway_plan_reviewed", "personal_adviser");
        }
      } else {
        eligible = kNever;
      }
    }
    if (exit == kNever || Past(exit)) return Next::kEnd;
    t = exit;
    Add(exit, "cic.ceased_looked_after", "team_manager", {{"reason", reason}});
    if (std::string(reason) == "turned_18") {
      if (eligible == kNever) return Next::kClose;
      return LeavingCare(t);
    }
    if (adoption) {
      adopted = true;
      return Next::kClose;
    }
    if (eligible != kNever) return LeavingCare(t);  // a relevant child, then 18
    if (std::string(reason) == "returned_home") return Next::kCinAfterPlan;
    return Next::kClose;
  }

  // A care leaver: personal adviser contact (N-26), pathway plan reviews (N-22), staying put,
  // support ended at 21 (or 25 in higher education, T-81).
  Next LeavingCare(std::int64_t& t) {
    const std::int64_t eighteen = Birthday(18);
    std::int64_t from = std::max(t, eighteen + kDayUs);
    if (Past(from)) return Next::kEnd;
    from = AfterWd(from, 0);
    // The first action on or after the 18th birthday makes a former relevant child (X-08, after
    // the action itself: so one valid for an eligible or relevant child).
    Add(from, "lc.pathway_plan_reviewed", "personal_adviser");
    if (rng.Chance(p.Num("leaving_care.staying_put_share"))) Add(from + kHourUs, "lc.staying_put_started", "personal_adviser");
    int until_age = 21;
    auto t81 = g.rules_.Find("T-81", Day(Birthday(21)));
    if (t81.ok() && t81->amount >= 25 && rng.Chance(p.Num("leaving_care.support_to_25_share"))) until_age = 25;
    const std::int64_t end = Birthday(until_age) - 5 * kDayUs;
    const double every = p.Num("leaving_care.keeping_in_touch_every_weeks") * 7;
    std::int64_t last = from + kHourUs;
    for (std::int64_t k = AfterDays(from, every); k < end && !Past(k); k = AfterDays(k, rng.Uniform(every - 10, every))) {
      Add(k, "lc.keeping_in_touch", "personal_adviser");
      last = k;
    }
    for (std::int64_t r = AfterDays(from, 170); r < end && !Past(r); r = AfterDays(r, 175)) {
      Add(r, "lc.pathway_plan_reviewed", "personal_adviser");
      last = std::max(last, r);
    }
    if (Past(end)) return Next::kEnd;
    t = std::max(AfterWd(end, 0), last + kHourUs);
    Add(t, "lc.support_ended", "team_manager", {{"reason", until_age == 21 ? "reached_21" : "reached_25"}});
    return Next::kClose;
  }

  // ---- the whole life -------------------------------------------------------------------------
  void Run(std::int64_t arrival) {
    team = rng.Int(0, static_cast<int>(g.teams().size()) - 1);
    team_changes.emplace_back(INT64_MIN, team);
    std::int64_t t = arrival;
    if (Day(t).IsWeekend() || !g.cal_.IsWorkingDay(Day(t))) t = AfterWd(t, 0);
    else t = Hour(Day(t));
    // Registration with the first contact.
    born_at = INT64_MIN;
    if (rng.Chance(p.Num("children.unborn_share"))) {
      unborn = true;
      const Date due = Day(t).AddDays(rng.Int(28, 150));
      Add(t, "case.child_registered", "cass_worker", {{"unborn", "yes"}, {"expected_due_date", due.ToString()}});
      const Date born = due.AddDays(rng.Int(-14, 10));
      dob = born;
      born_at = AfterWd(born.StartUs() + rng.Int(1, 23) * kHourUs, rng.Int(0, 3));  // when the birth is recorded
      if (Past(born_at)) {
        born_at = kNever;
      } else {
        Add(born_at, "case.child_born", "social_worker", {{"date_of_birth", born.ToString()}});
      }
    } else {
      const std::string& band = rng.Pick(p.Shares("children.age_band_share"));
      const int lo = std::stoi(band.substr(0, band.find('-')));
      const int hi = std::stoi(band.substr(band.find('-') + 1));
      const int days = rng.Int(lo * 365, hi * 365 + 364);
      dob = Day(t).AddDays(-std::max(1, days));
      Add(t, "case.child_registered", "cass_worker", {{"date_of_birth", dob->ToString()}});
    }
    t += rng.Int(1, 20) * kMinuteUs;
    bool forced = false;
    Next next = Next::kContact;
    std::int64_t referred = t;
    for (int guard = 0; guard < 200 && !Past(t); ++guard) {
      if (AgeAt(t) >= 18 && next != Next::kClose) break;
      switch (next) {
        case Next::kContact:
          referred = t;
          next = FrontDoor(t, forced);
          forced = false;
          break;
        case Next::kEarlyHelp: next = EarlyHelp(t, false); break;
        case Next::kAssessment: next = Assessment(t, referred); break;
        case Next::kStrategy: next = Strategy(t, forced_now); forced_now = false; break;
        case Next::kCin: next = Cin(t, false); break;
        case Next::kCinAfterPlan: next = Cin(t, true); break;
        case Next::kClose: {
          t = Close(t);
          if (adopted) return;
          // What brings the child back: a planned second plan (K-P3), else a re-contact (K-F8)
          // for a child with no plan in its history.
          std::optional<std::int64_t> again;
          if (forced_repeat) {
            again = std::max(*forced_repeat, t + 7 * kDayUs);
            forced_repeat.reset();
            forced = forced_now = true;
          } else if (!had_cp_plan && rng.Chance(p.Num("front_door.recontact_after_closure_share"))) {
            const bool soon = rng.Chance(p.Num("front_door.recontact_within_a_month_share"));
            again = t + static_cast<std::int64_t>((soon ? rng.Uniform(3, 28) : rng.Uniform(31, 365)) * kDayUs);
          }
          if (!again || Past(*again) || AgeAt(*again) >= 18 || (unborn && born_at == kNever)) return;
          t = AfterWd(*again, 0);
          next = Next::kContact;
          break;
        }
        case Next::kEnd: return;
      }
      if (next == Next::kEnd) return;
    }
  }
  bool forced_now = false;

  Life Finish() {
    std::sort(team_changes.begin(), team_changes.end());
    std::stable_sort(acts.begin(), acts.end(),
                     [](const SimAction& a, const SimAction& b) { return a.occurred_at < b.occurred_at; });
    // Teams, recording lags (non-decreasing within the child), and the window's end.
    const auto& lag = p.Shares("recording.lag_share");
    std::int64_t prev = INT64_MIN;
    std::size_t ti = 0;
    std::size_t kept = 0;
    for (auto& a : acts) {
      while (ti + 1 < team_changes.size() && team_changes[ti + 1].first <= a.occurred_at) ++ti;
      a.team = team_changes[ti].second;
      if (std::string_view(a.action) == "tr.transfer_completed" && ti + 1 < team_changes.size() &&
          team_changes[ti + 1].first == a.occurred_at) {
        a.team = team_changes[ti + 1].second;
      }
      for (auto& [k, v] : a.params) {
        if (v == "$team") v = g.teams()[static_cast<std::size_t>(a.team)];
      }
      const std::string& band = rng.Pick(lag);
      double days = band == "same_day" ? rng.Uniform(0.25, 6) / 24
                    : band == "1_3_days" ? rng.Uniform(1, 4)
                    : band == "4_10_days" ? rng.Uniform(4, 11)
                                          : rng.Uniform(11, 31);
      a.recorded_at = std::max(a.occurred_at + static_cast<std::int64_t>(days * kDayUs), prev + 1);
      prev = a.recorded_at;
      if (a.recorded_at >= g.end_ || a.occurred_at >= g.end_) break;
      ++kept;
    }
    acts.resize(kept);
    life.actions = std::move(acts);
    if (open_since >= 0) life.open.emplace_back(open_since, g.end_);
    for (auto& [from, to] : life.open) to = std::min(to, g.end_);
    return std::move(life);
  }
};

Life LifeGenerator::Generate(std::uint64_t seed, std::uint64_t index, std::int64_t arrival_us) const {
  Builder b(*this, seed * 0xD1B54A32D192ED03ull ^ (index + 1) * 0x9E3779B97F4A7C15ull);
  b.Run(arrival_us);
  return b.Finish();
}

}  // namespace casetrail::sim
