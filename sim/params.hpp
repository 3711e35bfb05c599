// Simulator parameters: rates, shares and durations of children's journeys, each citing its
// source in the seed specification (section 4) or saying that it is inferred or external.
//
// The documented file is sim/params/default.json; it is compiled into casetrail_sim
// (sim/params_default.cpp.in, like the bank holidays), so the built-in default is that file by
// construction. A --params FILE is merged over the default (JSON merge patch, RFC 7396): a file
// may override only the entries it names, as {"section": {"key": {"value": ...}}}.
//
// Thread-safety: immutable after Load; read from any thread.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.hpp"

namespace casetrail::sim {

// The compiled-in sim/params/default.json.
std::string_view DefaultParamsJson();

class Params {
 public:
  // The default parameters.
  static const Params& Default();
  // The default with `override_json` merged over it. InvalidArgument naming the entry if a
  // value is missing or of the wrong kind, a probability is outside [0,1], or a share table
  // does not sum to 1 (within 0.001).
  static Result<Params> Load(std::string_view override_json);

  // "section.key" -> number. REQUIRES: the entry exists and is a number (checked by Load for
  // every entry the generator reads; a missing one aborts with the entry's name).
  double Num(const std::string& key) const;
  // "section.key" -> its share table, in the file's key order (sorted by name).
  const std::vector<std::pair<std::string, double>>& Shares(const std::string& key) const;
  const std::vector<std::string>& Strings(const std::string& key) const;
  // The merged parameters as JSON text (for the simulation summary and docs).
  const std::string& json() const { return json_; }

 private:
  std::map<std::string, double> nums_;
  std::map<std::string, std::vector<std::pair<std::string, double>>> shares_;
  std::map<std::string, std::vector<std::string>> strings_;
  std::string json_;
};

}  // namespace casetrail::sim
