// The "carers" projection: the register of foster carers, connected persons and prospective
// adopters (workflows/own_record.hpp; streams "carer-<id>"), each with where they stand, their
// approval's terms, the children placed with them now (from the children's placements that name
// the carer) and their vacancies, and their review and unannounced-visit dates (T-121, T-121u).
// What every projection guarantees: replay/projection.hpp.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "replay/projection.hpp"

namespace casetrail::replay {

class CarersProjection final : public Projection {
 public:
  struct Entry {
    std::string id;
    std::string kind;       // foster_carer, connected_person, adopter
    std::string household;  // single, couple
    std::string state;      // the carers journey's state
    std::uint64_t version = 0;
    TimestampUs enquiry_at = 0, approved_at = 0, deregistered_at = 0;
    int places = 0;
    std::string ages;
    std::string review_due, visit_due;  // YYYY-MM-DD of the open T-121 and T-121u ("" when none)
    std::set<std::string> children;     // placed with the carer now
    int vacancies() const { return places > static_cast<int>(children.size()) ? places - static_cast<int>(children.size()) : 0; }
  };

  const char* name() const override { return "carers"; }
  int version() const override { return 1; }
  void Apply(const EventView& e) override;
  void Reset() override {
    carers_.clear();
    placed_with_.clear();
  }
  std::string Serialize() const override;

  const Entry* Find(const std::string& id) const;
  std::vector<Entry> List() const;  // by id

 private:
  void Unplace(const std::string& child);
  std::map<std::string, Entry> carers_;
  std::map<std::string, std::string> placed_with_;  // child -> carer
};

}  // namespace casetrail::replay
