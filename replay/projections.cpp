#include "replay/projections.hpp"

namespace casetrail::replay {

const std::vector<std::string>& ProjectionNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& p : MakeProjections()) out.emplace_back(p->name());
    return out;
  }();
  return names;
}

std::unique_ptr<Projection> MakeProjection(std::string_view name) {
  for (auto& p : MakeProjections()) {
    if (name == p->name()) return std::move(p);
  }
  return nullptr;
}

std::vector<std::unique_ptr<Projection>> MakeProjections() {
  std::vector<std::unique_ptr<Projection>> out;
  out.push_back(std::make_unique<ChildSummaryProjection>());
  out.push_back(std::make_unique<ChronologyProjection>());
  out.push_back(std::make_unique<DeadlinesProjection>());
  out.push_back(std::make_unique<PloTrackerProjection>());
  out.push_back(std::make_unique<KpiProjection>());
  out.push_back(std::make_unique<AllegationsProjection>());
  out.push_back(std::make_unique<CarersProjection>());
  return out;
}

}  // namespace casetrail::replay
