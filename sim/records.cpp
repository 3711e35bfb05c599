#include "sim/records.hpp"

#include <algorithm>
#include <cmath>

#include "sim/generator.hpp"
#include "workflows/calendar.hpp"

namespace casetrail::sim {
namespace {

using workflows::Date;

constexpr std::int64_t kHourUs = 3600LL * 1000000;
constexpr std::int64_t kDayUs = 24 * kHourUs;

struct Gen {
  const Params& p;
  Rng rng;
  std::int64_t to;
  std::vector<RecordAction> out;
  const workflows::Calendar& cal = workflows::Calendar::EnglandAndWales();

  // A working-hours time `n` working days after t's date (0: that day, if a working day), after t.
  std::int64_t Wd(std::int64_t t, int n) {
    auto d = cal.AddWorkingDays(Date::FromTimestampUs(t), n);
    const Date day = d.ok() ? *d : Date::FromTimestampUs(t).AddDays(n + 2);
    const std::int64_t x = day.StartUs() + static_cast<std::int64_t>(rng.Uniform(9, 17) * kHourUs);
    return x > t ? x : t + rng.Int(10, 90) * 60LL * 1000000;
  }
  std::int64_t Days(std::int64_t t, double days) { return Wd(t + static_cast<std::int64_t>(days * kDayUs), 0); }
  std::int64_t Wait(double per_year) {
    return static_cast<std::int64_t>(-std::log(1 - rng.Uniform()) / per_year * 365.25 * kDayUs);
  }
  bool Add(const workflows::RecordKind& kind, const std::string& id, std::int64_t at, const char* action, const char* role,
           std::vector<std::pair<const char*, std::string>> params = {}) {
    if (at >= to) return false;
    RecordAction a;
    a.occurred_at = at;
    a.recorded_at = at + rng.Int(5, 240) * 60LL * 1000000;  // recorded the same day, mostly
    if (!out.empty() && out.back().id == id && out.back().kind == &kind) a.recorded_at = std::max(a.recorded_at, out.back().recorded_at + 1);
    a.kind = &kind;
    a.id = id;
    a.action = action;
    a.role = role;
    a.params = std::move(params);
    out.push_back(std::move(a));
    return true;
  }

  // An allegation: the referral (T-100 mostly met), the evaluation (T-103), and for those that
  // meet the threshold, strategy, management meetings, the employer's action and the outcome.
  void Allegation(const std::string& id, std::int64_t t) {
    const auto& k = workflows::AllegationRecord();
    const Date raised = cal.SubtractWorkingDays(Date::FromTimestampUs(t), rng.Chance(p.Num("lado.referred_in_time")) ? rng.Int(0, 1) : rng.Int(2, 6))
                            .value_or(Date::FromTimestampUs(t));
    if (!Add(k, id, t, "lado.referral_received", "lado_officer",
             {{"concern_raised_on", raised.ToString()},
              {"sector", rng.Pick(p.Shares("lado.sector_share"))},
              {"employment", rng.Chance(0.8) ? "paid" : "volunteer"},
              {"subject", "subject of " + id},
              {"criteria", rng.Pick(p.Shares("lado.criteria_share"))},
              {"referrer", rng.Chance(0.7) ? "employer" : rng.Chance(0.5) ? "police" : "parent"}})) {
      return;
    }
    const std::int64_t evaluated = rng.Chance(p.Num("lado.evaluated_in_time")) ? Wd(t, rng.Int(0, 1)) : Wd(t, rng.Int(2, 4));
    const bool threshold = rng.Chance(p.Num("lado.threshold_met_share"));
    if (!Add(k, id, evaluated, "lado.initial_evaluation_completed", "lado_officer",
             {{"outcome", threshold ? "threshold_met" : rng.Chance(0.85) ? "advice_given" : "referred_to_other_service"}})) {
      return;
    }
    if (!threshold) return;
    std::int64_t c = evaluated;
    if (rng.Chance(0.5)) {
      c = Wd(c, rng.Int(1, 5));
      if (!Add(k, id, c, "lado.strategy_discussion_held", "lado_officer", {{"with_police", rng.Chance(0.6) ? "yes" : "no"}})) return;
    }
    c = Days(c, rng.Uniform(3, 15));
    if (!Add(k, id, c, "lado.management_meeting_held", "lado_officer")) return;
    if (!Add(k, id, Wd(c, 1), "lado.employer_action_recorded", "lado_officer",
             {{"action", rng.Pick(p.Shares("lado.employer_action_share"))}})) {
      return;
    }
    // KCSIE Part 4: 80% within a month, 90% within three, nearly all within twelve.
    const double u = rng.Uniform();
    const double days = u < 0.6 ? rng.Uniform(10, 30) : u < 0.85 ? rng.Uniform(31, 90) : rng.Uniform(91, 330);
    const std::int64_t last = out.back().occurred_at;
    const std::int64_t middle = Days(t, days / 2);
    if (days > 60 && middle > last + kDayUs && !Add(k, id, middle, "lado.management_meeting_held", "lado_officer")) return;
    const std::string outcome = rng.Pick(p.Shares("lado.outcome_share"));
    std::vector<std::pair<const char*, std::string>> params = {{"outcome", outcome}};
    if (outcome == "substantiated") params.emplace_back("dbs_referral", rng.Chance(0.6) ? "yes" : "no");
    Add(k, id, std::max(Days(t, days), out.back().occurred_at + kHourUs), "lado.allegation_concluded", "lado_officer",
        std::move(params));
  }

  // A carer from the enquiry: assessment (T-120 16 weeks to panel; an adopter's two PAR stages,
  // T-51), panel and decision, then monthly supervision, a yearly unannounced visit (T-121u) and
  // review (T-121) until deregistration.
  void Carer(const std::string& id, std::int64_t t) {
    const auto& k = workflows::CarerRecord();
    const std::string kind = rng.Pick(p.Shares("carers.kind_share"));
    const char* worker = kind == "adopter" ? "adoption_worker" : kind == "connected_person" ? "connected_persons_worker" : "fostering_worker";
    if (!Add(k, id, t, "carer.enquiry_received", worker, {{"kind", kind}, {"household", rng.Chance(0.7) ? "couple" : "single"}})) return;
    if (!rng.Chance(p.Num("carers.enquiry_to_assessment"))) {
      Add(k, id, Days(t, rng.Uniform(7, 40)), "carer.enquiry_closed", worker, {{"reason", "withdrew"}});
      return;
    }
    const std::int64_t started = Days(t, rng.Uniform(10, 40));
    if (!Add(k, id, started, "carer.assessment_started", worker)) return;
    std::int64_t panel;
    if (kind == "adopter") {
      if (!Add(k, id, Days(started, rng.Uniform(50, 70)), "carer.assessment_stage_completed", worker, {{"stage", "1"}})) return;
      if (!Add(k, id, Days(started, rng.Uniform(150, 200)), "carer.assessment_stage_completed", worker, {{"stage", "2"}})) return;
      panel = Days(started, rng.Uniform(205, 235));
    } else {
      panel = Days(started, rng.Chance(p.Num("carers.panel_in_time")) ? rng.Uniform(56, 110) : rng.Uniform(114, 150));
    }
    if (!rng.Chance(p.Num("carers.approved_share"))) {
      Add(k, id, Days(started, rng.Uniform(30, 80)), "carer.assessment_withdrawn", worker, {{"reason", "not_suitable"}});
      return;
    }
    if (!Add(k, id, panel, "carer.panel_recommended", "panel_chair", {{"recommendation", "approve"}})) return;
    const std::int64_t approved = Days(panel, rng.Uniform(5, 20));
    const std::string places = kind == "adopter" ? "1" : std::to_string(rng.Int(1, 3));
    if (!Add(k, id, approved, "carer.approval_decided", "agency_decision_maker",
             {{"decision", "approved"}, {"places", places}, {"ages", rng.Chance(0.5) ? "0-18" : "0-10"}})) {
      return;
    }
    const std::int64_t leaves = approved + static_cast<std::int64_t>(rng.Uniform(kind == "adopter" ? 0.5 : 2, kind == "adopter" ? 2 : 12) * 365.25 * kDayUs);
    if (kind != "adopter") {
      std::vector<std::pair<std::int64_t, const char*>> steps;  // (when, action), sorted below
      const std::int64_t until = std::min(leaves, to);
      for (std::int64_t s = Days(approved, rng.Uniform(20, 35)); s < until; s = Days(s, rng.Uniform(25, 35))) {
        steps.emplace_back(s, "carer.supervision_held");
      }
      for (std::int64_t v = Days(approved, rng.Uniform(150, 350)); v < until; v = Days(v, rng.Uniform(200, 364))) {
        steps.emplace_back(v, "carer.unannounced_visit_held");
      }
      for (std::int64_t r = Days(approved, rng.Uniform(330, 364)); r < until;
           r = Days(r, rng.Chance(0.9) ? rng.Uniform(330, 364) : rng.Uniform(366, 400))) {
        steps.emplace_back(r, "carer.review_held");
      }
      std::sort(steps.begin(), steps.end());
      for (const auto& [at, action] : steps) {
        const bool review = std::string_view(action) == "carer.review_held";
        Add(k, id, std::max(at, out.back().occurred_at + kHourUs), action, review ? "reviewing_officer" : "fostering_worker");
      }
    }
    Add(k, id, std::max(leaves, out.back().occurred_at + kHourUs), "carer.deregistered", "agency_decision_maker",
        {{"reason", kind == "adopter" ? "adoption_order_made" : rng.Chance(0.6) ? "resigned" : "retired"}});
  }
};

}  // namespace

std::vector<RecordAction> GenerateRecords(const Params& params, std::uint64_t seed, std::int64_t from_us, std::int64_t to_us,
                                          double children_per_year) {
  Gen g{params, Rng(seed ^ 0x5EC0DD5ull), to_us, {}};
  const double per_1000 = children_per_year / 1000;
  int n = 0;
  for (std::int64_t t = from_us + g.Wait(params.Num("lado.referrals_per_1000_children") * per_1000); t < to_us;
       t += g.Wait(params.Num("lado.referrals_per_1000_children") * per_1000)) {
    g.Allegation("L" + std::to_string(++n), g.Wd(t, 0));
  }
  n = 0;
  for (std::int64_t t = from_us + g.Wait(params.Num("carers.enquiries_per_1000_children") * per_1000); t < to_us;
       t += g.Wait(params.Num("carers.enquiries_per_1000_children") * per_1000)) {
    g.Carer("C" + std::to_string(++n), g.Wd(t, 0));
  }
  std::stable_sort(g.out.begin(), g.out.end(),
                   [](const RecordAction& a, const RecordAction& b) { return a.recorded_at < b.recorded_at; });
  return std::move(g.out);
}

}  // namespace casetrail::sim
