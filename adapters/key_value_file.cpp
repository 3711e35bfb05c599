#include "adapters/key_value_file.hpp"

#include <fstream>

namespace casetrail {
namespace {

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

Result<std::vector<KeyValueLine>> ReadKeyValueFile(const std::string& path, const std::string& field) {
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument(field, "cannot read '" + path + "'");
  std::vector<KeyValueLine> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos || Trim(line.substr(0, eq)).empty()) {
      return Status::InvalidArgument(field, path + ":" + std::to_string(n) + ": expected key=value");
    }
    out.push_back({n, Trim(line.substr(0, eq)), Trim(line.substr(eq + 1))});
  }
  return out;
}

}  // namespace casetrail
