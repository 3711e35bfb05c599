// What the casetrail commands share: errors and exit codes, validators, the child option.
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "adapters/cli/commands.hpp"
#include "adapters/json/event_json.hpp"

namespace casetrail::cli {

namespace cj = casetrail::json;

const Registry::Run* Registry::Find(const CLI::App* command) const {
  auto it = runs_.find(command);
  return it == runs_.end() ? nullptr : &it->second;
}

const Registry::RunWithoutLog* Registry::FindWithoutLog(const CLI::App* command) const {
  auto it = no_log_.find(command);
  return it == no_log_.end() ? nullptr : &it->second;
}

int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case Status::Code::kOk: return 0;
    case Status::Code::kInvalidArgument: return 3;
    case Status::Code::kConflict: return 4;
    case Status::Code::kNotFound: return 5;
    case Status::Code::kRejected: return 7;
    default: return 1;
  }
}

int Fail(const Status& s, bool json) {
  if (json) {
    std::cout << nlohmann::json{{"error", cj::ToJson(s)}}.dump() << "\n";
  } else {
    std::cerr << "error: " << s.ToString() << "\n";
  }
  return ExitCodeFor(s);
}

int Session::Fail(const Status& s) const { return cli::Fail(s, json()); }

const CLI::Validator kFileOrStdin(
    [](std::string& path) -> std::string {
      if (path == "-") return {};
      return std::ifstream(path) ? std::string() : "cannot read '" + path + "'";
    },
    "");

const CLI::Validator kKeyValue(
    [](std::string& kv) -> std::string {
      const auto eq = kv.find('=');
      return eq == std::string::npos || eq == 0 ? "'" + kv + "': parameters are key=value" : std::string();
    },
    "");

Result<TimestampUs> TimeOption(const std::string& text, const std::string& field, TimestampUs otherwise) {
  if (text.empty()) return otherwise;
  return cj::ParseTime(text, field);
}

Result<TimestampUs> AsOfOption(const std::string& text) {
  if (text.empty()) return SystemClockUs();
  return cj::ParseAsOf(text, "as_of");
}

void AddChildOption(CLI::App* command, std::string* child) {
  command->add_option("CHILD", *child, "the child's id (or --child ID)");
  command->add_option("--child", *child, "the child's id")->type_name("ID");
}

Status NeedChild(const std::string& child) {
  if (child.empty()) return Status::InvalidArgument("child", "name the child: CHILD or --child ID");
  return Status::Ok();
}

Result<std::string> ReadInput(const std::string& path) {
  std::stringstream buf;
  if (path == "-") {
    buf << std::cin.rdbuf();
    return buf.str();
  }
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument("file", "cannot read '" + path + "'");
  buf << in.rdbuf();
  return buf.str();
}

std::string GroupedActions(const std::vector<std::string>& actions) {
  std::map<std::string, std::string> by_prefix;
  std::vector<std::string> order;
  for (const auto& x : actions) {
    auto dot = x.find('.');
    std::string prefix = x.substr(0, dot);
    if (!by_prefix.count(prefix)) order.push_back(prefix);
    by_prefix[prefix] += " " + x.substr(dot + 1);
  }
  std::string out;
  for (const auto& p : order) out += (out.empty() ? "" : "\n    ") + p + ":" + by_prefix[p];
  return out;
}

std::string Thousands(std::uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

}  // namespace casetrail::cli
