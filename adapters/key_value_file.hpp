// "key = value" files (serve --config, the Kafka relay's --kafka-config): one setting per line,
// spaces around key and value trimmed; blank lines and lines starting with '#' are ignored.
#pragma once

#include <string>
#include <vector>

#include "engine/status.hpp"

namespace casetrail {

struct KeyValueLine {
  int line = 0;  // 1-based, for error messages ("FILE:LINE")
  std::string key, value;
};

// The settings in file order. InvalidArgument (field `field`) for an unreadable file, or a line
// without '=' or with an empty key, naming the file and line.
Result<std::vector<KeyValueLine>> ReadKeyValueFile(const std::string& path, const std::string& field);

}  // namespace casetrail
