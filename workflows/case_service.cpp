#include "workflows/case_service.hpp"

namespace casetrail::workflows {

Result<Case> CaseService::Rebuild(const std::vector<RecordedEvent>& events, const RuleBook& rules) {
  Case c(rules);
  if (Status s = Fold(c, events, 0, CorrectionsIn(events), FoldOptions{}); !s.ok()) return s;
  return c;
}

Result<Case> CaseService::Load(const std::string& child_id, std::uint64_t* version) {
  auto s = svc_.Load(child_id);
  if (!s.ok()) return s.status();
  if (version) *version = (*s)->version;
  return (*s)->c;
}

}  // namespace casetrail::workflows
