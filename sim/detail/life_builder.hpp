// One child's life, built stage by stage with a cursor in business time (LifeGenerator's
// Builder): its state and the time and recording helpers here; the stages in
// stages_protection.cpp (front door to child protection) and stages_care.cpp (pre-proceedings
// and proceedings, care, leaving care); the whole life, teams and recording lags in
// generator.cpp. Private to sim/.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/generator.hpp"

namespace casetrail::sim {

using workflows::Date;
using workflows::Deadline;

inline constexpr std::int64_t kMinuteUs = 60LL * 1000000;
inline constexpr std::int64_t kHourUs = 60 * kMinuteUs;
inline constexpr std::int64_t kDayUs = 24 * kHourUs;
inline constexpr std::int64_t kNever = INT64_MAX / 4;

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
  // An unaccompanied asylum-seeking child (K-C21): arrives at 14-17, is accommodated under s20
  // after a short assessment and stays looked after, then a care leaver (a child in need plan
  // stands for the first days); the UASC journey from becoming looked after (uasc_arrived).
  bool uasc = false;
  bool uasc_arrived = false;
  bool uasc_open = false;  // UASC (or former UASC) status not ended yet
  std::int64_t care_since_14 = 0;  // time looked after since the 14th birthday, all episodes
  bool left_care_eligible = false;  // an episode ended while an eligible child (now relevant)
  std::optional<std::int64_t> forced_repeat;  // a planned second CP plan's contact
  std::int64_t last_referral = INT64_MIN;     // the front door's last referral (K-F8)
  bool referral_again = false;                // the next contact is a re-referral
  std::int64_t busy_until = INT64_MIN;        // a journey (proceedings) open until then
  std::int64_t transfer_until = INT64_MIN;    // the last transfer's completion

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
  // The time until an event that happens `per_year` times a year (an exponential wait).
  std::int64_t Wait(double per_year) {
    return static_cast<std::int64_t>(-std::log(1 - rng.Uniform()) / per_year * 365.25 * kDayUs);
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

  // Allocation in each open period (generator.cpp): the team takes the child when social care
  // or early help starts, a worker after a wait, a new worker when one leaves.
  void Allocate();

  // ---- stages: help and protection (stages_protection.cpp) ------------------------------
  Next FrontDoor(std::int64_t& t, bool forced);
  Next EarlyHelp(std::int64_t& t, bool stepped_down);
  Next Assessment(std::int64_t& t, std::int64_t referred);
  void Transfer(std::int64_t t);
  // A child in need plan from t; `after_protection`: at least T-23/T-24's 3 months before a
  // step-down to early help.
  Next Cin(std::int64_t& t, bool after_protection);
  // Services beside a child in need plan from `from`, each ended before `until`.
  void Services(std::int64_t from, std::int64_t until);
  Next Strategy(std::int64_t& t, bool forced);
  // The plan's own series (visits, core groups, reviews) from `start` to `end` (exclusive); the
  // last review conference ends the plan if `end_by_review`, else the caller ends it.
  std::int64_t PlanSeries(std::int64_t start, std::int64_t end, bool end_by_review);
  Next CpPlan(std::int64_t& t);
  // After a CP plan ends: with the repeat rate, a second plan within 24 months (K-P3).
  // Only plans that end with the child at home can repeat, so the chance for each of them is the
  // parameter divided by the expected share of such endings (from the parameters), which makes
  // the share of new plans that are repeats the parameter.
  double RepeatPerEnding() const;
  void AfterPlan(std::int64_t ended);
  double repeat_per_ending = RepeatPerEnding();

  // ---- stages: courts and care (stages_care.cpp) -------------------------------------------
  // Pre-proceedings and proceedings from a legal planning meeting at `lpm`, the CP plan (started
  // at `plan_start`) going on until the child comes into care or the matter is decided.
  Next Legal(std::int64_t& t, std::int64_t plan_start, std::int64_t lpm);
  Next Care(std::int64_t& t, const char* legal_status, const std::string& route);
  // Looked after from t with `legal_status`; `order` (made at `order_at`, or the s20 route)
  // decides how the episode ends.
  Next CareUntil(std::int64_t& t, const char* legal_status, std::int64_t order_at, const std::string& order);
  // A care leaver: personal adviser contact (N-26), pathway plan reviews (N-22), staying put,
  // support ended at 21 (or 25 in higher education, T-81).
  Next LeavingCare(std::int64_t& t);

  // ---- the whole life (generator.cpp) --------------------------------------------------------
  void Run(std::int64_t arrival);
  bool forced_now = false;

  Life Finish();
};

}  // namespace casetrail::sim
