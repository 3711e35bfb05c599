#include "replay/symbol.hpp"

#include <mutex>
#include <unordered_set>

namespace casetrail::replay {
namespace {

struct Hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
struct Table {
  std::mutex mu;
  std::unordered_set<std::string, Hash, std::equal_to<>> strings;  // node-based: references stay valid
};

Table& Strings() {
  static Table* t = new Table();  // never destroyed: Syms may outlive static destructors
  return *t;
}

}  // namespace

const std::string& Sym::Empty() {
  static const std::string& e = Intern("");
  return e;
}

const std::string& Sym::Intern(std::string_view v) {
  Table& t = Strings();
  std::lock_guard<std::mutex> lk(t.mu);
  if (auto it = t.strings.find(v); it != t.strings.end()) return *it;
  return *t.strings.emplace(v).first;
}

}  // namespace casetrail::replay
