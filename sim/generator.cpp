// The caseload side of the generator: the random numbers, the teams, when each child arrives,
// and a child's whole life from its first contact (the stages in stages_*.cpp) to the actions
// as recorded (teams, recording lags, the window's end).
#include "sim/generator.hpp"

#include <algorithm>

#include "sim/detail/life_builder.hpp"

namespace casetrail::sim {

namespace {
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

namespace {
// A time uniform over [from, to), drawn from (seed, index) with `salt` (each kind of arrival its own).
std::int64_t UniformArrival(std::uint64_t seed, std::uint64_t index, std::uint64_t salt, std::int64_t from,
                            std::int64_t to) {
  Rng r(seed * 0x2545F4914F6CDD1Dull ^ (index + 1) * 0x9E3779B97F4A7C15ull ^ salt);
  return from + static_cast<std::int64_t>(r.Uniform() * static_cast<double>(to - from));
}
}  // namespace

std::int64_t LifeGenerator::Arrival(std::uint64_t seed, std::uint64_t index) const {
  return UniformArrival(seed, index, 0xA5A5, start_, end_);
}

std::int64_t LifeGenerator::ArrivalBefore(std::uint64_t seed, std::uint64_t index, std::int64_t from_us) const {
  return UniformArrival(seed, index, 0x5A5A, from_us, start_);
}

// ---- the whole life: a Builder (detail/life_builder.hpp) from the first contact -------------

void Builder::Run(std::int64_t arrival) {
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
  } else if (rng.Chance(p.Num("children.uasc_share"))) {
    uasc = true;
    dob = Day(t).AddDays(-static_cast<int>(rng.Uniform(14.5, 17.7) * 365.25));
    Add(t, "case.child_registered", "cass_worker", {{"date_of_birth", dob->ToString()}});
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
    // An adult: what was open closes (leaving care goes on inside the care stage).
    if (AgeAt(t) >= 18 && next != Next::kClose) next = Next::kClose;
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
        } else if (const bool recent = last_referral != INT64_MIN && t - last_referral < 330 * kDayUs;
                   !had_cp_plan && recent) {
          if (!rng.Chance(p.Num("front_door.re_referral_share"))) return;
          // Referred again within 12 months of the last referral (K-F8), mostly after an
          // assessment, often for a different reason (SE:659).
          again = t + static_cast<std::int64_t>(rng.Uniform(7, std::max(8.0, static_cast<double>(last_referral + 360 * kDayUs - t) / kDayUs)) * kDayUs);
          referral_again = true;
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

void Builder::Allocate() {
  std::vector<std::pair<std::int64_t, std::int64_t>> open = life.open;
  if (open_since >= 0) open.emplace_back(open_since, g.end_);
  std::vector<SimAction> added;
  const auto& wait = p.Shares("allocation.unallocated_days_share");
  const double changes_per_year = p.Num("allocation.worker_changes_per_year");
  for (const auto& [from, to] : open) {
    // The first action past the front door in the period: a team holds the child from then.
    const SimAction* first = nullptr;
    for (const auto& a : acts) {
      const std::string_view n = a.action;
      if (a.occurred_at < from || a.occurred_at >= to || n.starts_with("fd.") || n.starts_with("case.")) continue;
      if (!first || a.occurred_at < first->occurred_at) first = &a;
    }
    if (!first) continue;  // a contact the front door closed: nobody is allocated
    const bool early_help = std::string_view(first->action).starts_with("eh.");
    const char* as = early_help ? "early_help_worker" : "social_worker";
    const std::int64_t held = first->occurred_at - kMinuteUs;
    added.push_back(SimAction::At(held, "alloc.team_allocated", "team_manager", {{"team", "$team"}}));
    const std::string& band = rng.Pick(wait);
    const double days = band == "0" ? 0 : band == "1-5" ? rng.Uniform(1, 6) : band == "6-20" ? rng.Uniform(6, 21) : rng.Uniform(21, 61);
    std::int64_t allocated = days == 0 ? held + rng.Int(5, 120) * kMinuteUs : AfterDays(held, days);
    if (allocated >= to - kHourUs || Past(allocated)) continue;  // closed (or the window ended) still waiting
    added.push_back(SimAction::At(allocated, "alloc.worker_allocated", "team_manager",
                                  {{"team", "$team"}, {"worker", "$worker"}, {"as", as}}));
    // A step-down to early help hands the child to an early help worker, a step-up back to a
    // social worker, within days (FS:28, FS:46).
    // (Also when an assessment ends in early help, or early help leads to an assessment.)
    std::vector<const SimAction*> in_period;
    for (const auto& a : acts) {
      if (a.occurred_at > allocated && a.occurred_at < to) in_period.push_back(&a);
    }
    std::stable_sort(in_period.begin(), in_period.end(),
                     [](const SimAction* x, const SimAction* y) { return x->occurred_at < y->occurred_at; });
    std::vector<std::pair<std::int64_t, const char*>> leads = {{allocated, as}};
    for (const SimAction* a : in_period) {
      const std::string_view n = a->action;
      const char* lead = n == "eh.stepped_down_from_social_care" || n == "eh.allocation_decided" ? "early_help_worker"
                         : n == "eh.stepped_up" || n == "as.assessment_started" || n == "cp.strategy_discussion_held"
                             ? "social_worker"
                             : nullptr;
      if (!lead || std::string_view(lead) == leads.back().second) continue;
      const std::int64_t at = std::max(AfterDays(a->occurred_at, rng.Uniform(0.1, 5)), leads.back().first + kHourUs);
      if (at >= to - kHourUs || Past(at)) break;
      leads.emplace_back(at, lead);
    }
    for (std::size_t i = 1; i < leads.size(); ++i) {
      added.push_back(SimAction::At(leads[i].first, "alloc.worker_allocated", "team_manager",
                                    {{"team", "$team"}, {"worker", "$worker"}, {"as", leads[i].second}}));
    }
    auto lead_on = [&](std::int64_t at) {
      const char* out = as;
      for (const auto& [t, role] : leads) out = t <= at ? role : out;
      return out;
    };
    // Changes of worker: a worker leaves, the child waits again, another is allocated.
    const double years = static_cast<double>(to - allocated) / (365.25 * kDayUs);
    for (double x = rng.Uniform(); x < changes_per_year * years; x += 1 + rng.Uniform()) {
      const std::int64_t left = allocated + static_cast<std::int64_t>(rng.Uniform() * static_cast<double>(to - allocated));
      const std::int64_t next = AfterDays(left, rng.Chance(0.5) ? 0.1 : rng.Uniform(1, 15));
      if (left <= allocated + kDayUs || next >= to - kHourUs || Past(next)) break;
      bool hands_over = false;  // a step-down or step-up between: that allocation ends the wait
      for (const auto& [t, role] : leads) hands_over |= t > left && t <= next;
      if (hands_over) continue;
      added.push_back(SimAction::At(left, "alloc.worker_deallocated", "team_manager", {{"reason", "worker_left"}}));
      added.push_back(SimAction::At(next, "alloc.worker_allocated", "team_manager",
                                    {{"team", "$team"}, {"worker", "$worker"}, {"as", lead_on(next)}}));
      allocated = next;
    }
  }
  for (auto& a : added) acts.push_back(std::move(a));
}

Life Builder::Finish() {
  Allocate();
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

Life LifeGenerator::Generate(std::uint64_t seed, std::uint64_t index, std::int64_t arrival_us) const {
  Builder b(*this, seed * 0xD1B54A32D192ED03ull ^ (index + 1) * 0x9E3779B97F4A7C15ull);
  b.Run(arrival_us);
  return b.Finish();
}

}  // namespace casetrail::sim
