// The journey generator: one child's whole life in the simulated window, as the actions a
// Trust's practitioners would record, with business times, recording times, roles and teams.
//
// A life is a pure function of (seed, child index, parameters, rules, window): children do not
// interact, so a child's life can be generated when its first contact comes due and dropped
// when its last action is recorded (memory is the open caseload, not the whole history). The
// generator knows the statutory timescales (it asks the RuleBook for each due date, as a team
// manager's diary would) and decides, with the parameters' rates, whether each deadline is met:
// the KPI test then checks that the machines, the deadlines and the KPI projection agree.
//
// Contract: within a life, occurred_at and recorded_at are non-decreasing (a child's actions are
// recorded in the order they happened; a late record holds back later ones), recorded_at >=
// occurred_at, and every recorded_at is before the window's end (later ones are "not recorded
// yet" and dropped with everything after them). Thread-safety: Generate is const and may run
// concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/params.hpp"
#include "workflows/calendar.hpp"
#include "workflows/rules.hpp"

namespace casetrail::sim {

struct SimAction {
  std::int64_t occurred_at = 0;
  std::int64_t recorded_at = 0;
  const char* action = "";
  const char* role = "";
  std::vector<std::pair<const char*, std::string>> params;
  int team = 0;  // index into LifeGenerator::teams()

  static SimAction At(std::int64_t occurred_at, const char* action, const char* role,
                      std::vector<std::pair<const char*, std::string>> params = {}) {
    SimAction a;
    a.occurred_at = occurred_at;
    a.action = action;
    a.role = role;
    a.params = std::move(params);
    return a;
  }
};

struct Life {
  std::vector<SimAction> actions;  // in recording order
  // The worker allocated now (the simulator names workers: "$worker" in an action's parameters)
  // and how many times one was named, so that a change of worker names another.
  std::string allocated_worker;
  int worker_generation = 0;
  // Business-time intervals [first contact, closure) in which the child was open to the Trust.
  std::vector<std::pair<std::int64_t, std::int64_t>> open;
  int contacts = 0;
};

// xoshiro256** seeded by splitmix64: the same numbers on every platform and standard library.
class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  std::uint64_t Next();
  double Uniform();                      // [0, 1)
  double Uniform(double lo, double hi);  // [lo, hi)
  int Int(int lo, int hi);               // [lo, hi], inclusive
  bool Chance(double p) { return Uniform() < p; }
  // A key of the share table, drawn with its share.
  const std::string& Pick(const std::vector<std::pair<std::string, double>>& shares);

 private:
  std::uint64_t s_[4];
};

class LifeGenerator {
 public:
  LifeGenerator(const Params& params, const workflows::RuleBook& rules, std::int64_t start_us,
                std::int64_t end_us);
  // The life of child `index` whose first contact is at `arrival_us`.
  Life Generate(std::uint64_t seed, std::uint64_t index, std::int64_t arrival_us) const;
  // When child `index` first comes to the front door: uniform over the window.
  std::int64_t Arrival(std::uint64_t seed, std::uint64_t index) const;
  // When child `index` of the history (the warm start) first came: uniform over [from, start).
  std::int64_t ArrivalBefore(std::uint64_t seed, std::uint64_t index, std::int64_t from_us) const;
  const std::vector<std::string>& teams() const { return teams_; }

 private:
  friend struct Builder;
  const Params& p_;
  const workflows::RuleBook& rules_;
  const workflows::Calendar& cal_;
  std::int64_t start_, end_;
  std::vector<std::string> teams_;
};

}  // namespace casetrail::sim
