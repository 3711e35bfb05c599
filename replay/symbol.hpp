// Sym: an interned string, 8 bytes. Projections keep millions of copies of a few thousand
// distinct strings (event types, journeys, states, teams, rule ids, due dates); each is stored
// once for the life of the process and shared. Interning is thread-safe.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace casetrail::replay {

class Sym {
 public:
  Sym() : s_(&Empty()) {}
  Sym(std::string_view v) : s_(&Intern(v)) {}          // NOLINT: implicit on purpose
  Sym(const std::string& v) : s_(&Intern(v)) {}        // NOLINT
  Sym(const char* v) : s_(&Intern(v)) {}               // NOLINT
  const std::string& str() const { return *s_; }
  operator const std::string&() const { return *s_; }  // NOLINT
  bool empty() const { return s_->empty(); }
  std::size_t size() const { return s_->size(); }
  bool starts_with(std::string_view p) const { return std::string_view(*s_).starts_with(p); }
  std::size_t rfind(std::string_view p, std::size_t pos) const { return s_->rfind(p, pos); }
  friend bool operator==(const Sym& a, const Sym& b) { return a.s_ == b.s_; }
  friend bool operator==(const Sym& a, std::string_view b) { return *a.s_ == b; }
  friend bool operator==(const Sym& a, const char* b) { return *a.s_ == b; }
  friend bool operator==(const Sym& a, const std::string& b) { return *a.s_ == b; }
  friend bool operator<(const Sym& a, const Sym& b) { return *a.s_ < *b.s_; }
  friend std::ostream& operator<<(std::ostream& o, const Sym& s) { return o << *s.s_; }
  friend std::string operator+(const std::string& a, const Sym& b) { return a + *b.s_; }
  friend std::string operator+(const Sym& a, const std::string& b) { return *a.s_ + b; }
  friend std::string operator+(const char* a, const Sym& b) { return a + *b.s_; }
  friend std::string operator+(const Sym& a, const char* b) { return *a.s_ + b; }

 private:
  static const std::string& Intern(std::string_view v);
  static const std::string& Empty();
  const std::string* s_;
};

}  // namespace casetrail::replay
