#include "sim/params.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

namespace casetrail::sim {

extern const char* const kDefaultParamsJson;

std::string_view DefaultParamsJson() { return kDefaultParamsJson; }

namespace {
// Entries whose value is a probability (checked to lie in [0,1]).
bool IsProbabilityKey(const std::string& key) {
  for (const char* word : {"share", "within", "in_time", "reviews_in_time", "by_second_review"}) {
    if (key.find(word) != std::string::npos) return true;
  }
  return false;
}
}  // namespace

Result<Params> Params::Load(std::string_view override_json) {
  nlohmann::json merged;
  try {
    merged = nlohmann::json::parse(DefaultParamsJson());
    if (!override_json.empty()) {
      nlohmann::json patch = nlohmann::json::parse(override_json);
      if (!patch.is_object()) return Status::InvalidArgument("params", "must be a JSON object");
      merged.merge_patch(patch);
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument("params", std::string("is not valid JSON: ") + e.what());
  }
  Params p;
  for (auto& [section, entries] : merged.items()) {
    if (section.rfind('_', 0) == 0) continue;  // "_about"
    if (!entries.is_object()) return Status::InvalidArgument(section, "must be an object of entries");
    for (auto& [key, entry] : entries.items()) {
      const std::string name = section + "." + key;
      if (!entry.is_object() || !entry.contains("value")) {
        return Status::InvalidArgument(name, "must be {\"value\": ..., \"source\": ...}");
      }
      const nlohmann::json& v = entry["value"];
      if (v.is_number()) {
        const double x = v.get<double>();
        if (!std::isfinite(x) || x < 0) return Status::InvalidArgument(name, "must be a number >= 0");
        if (IsProbabilityKey(key) && x > 1) return Status::InvalidArgument(name, "is a probability: at most 1");
        p.nums_[name] = x;
      } else if (v.is_object()) {
        double sum = 0;
        auto& list = p.shares_[name];
        for (auto& [k, share] : v.items()) {
          if (!share.is_number() || share.get<double>() < 0) {
            return Status::InvalidArgument(name + "." + k, "must be a share >= 0");
          }
          list.emplace_back(k, share.get<double>());
          sum += share.get<double>();
        }
        if (list.empty() || std::fabs(sum - 1) > 0.001) {
          return Status::InvalidArgument(name, "shares must sum to 1 (they sum to " + std::to_string(sum) + ")");
        }
      } else if (v.is_array()) {
        auto& list = p.strings_[name];
        for (auto& x : v) list.push_back(x.is_string() ? x.get<std::string>() : x.dump());
        if (list.empty()) return Status::InvalidArgument(name, "must not be empty");
      } else {
        return Status::InvalidArgument(name, "must be a number, a share table or a list");
      }
    }
  }
  p.json_ = merged.dump(1);
  return p;
}

const Params& Params::Default() {
  static const Params p = [] {
    auto r = Load("");
    if (!r.ok()) {
      std::fprintf(stderr, "casetrail_sim: the compiled-in parameters are invalid: %s\n",
                   r.status().ToString().c_str());
      std::abort();
    }
    return std::move(r).value();
  }();
  return p;
}

double Params::Num(const std::string& key) const {
  auto it = nums_.find(key);
  if (it == nums_.end()) {
    std::fprintf(stderr, "casetrail_sim: parameter %s is missing or not a number\n", key.c_str());
    std::abort();
  }
  return it->second;
}

const std::vector<std::pair<std::string, double>>& Params::Shares(const std::string& key) const {
  auto it = shares_.find(key);
  if (it == shares_.end()) {
    std::fprintf(stderr, "casetrail_sim: parameter %s is missing or not a share table\n", key.c_str());
    std::abort();
  }
  return it->second;
}

const std::vector<std::string>& Params::Strings(const std::string& key) const {
  auto it = strings_.find(key);
  if (it == strings_.end()) {
    std::fprintf(stderr, "casetrail_sim: parameter %s is missing or not a list\n", key.c_str());
    std::abort();
  }
  return it->second;
}

}  // namespace casetrail::sim
