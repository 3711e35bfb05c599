// The text form of a journey's or a case's snapshot: one field per line, "key=<length>:<value>",
// so values may hold any bytes. Writer and Reader are used through one template per struct
// (`template <class Io> void Fields(Io& io)`), so saving and loading cannot drift apart.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "engine/status.hpp"
#include "workflows/rules.hpp"

namespace casetrail::workflows::detail {

class FieldWriter {
 public:
  void operator()(const char* key, const std::string& v) { Raw(key, v); }
  void operator()(const char* key, std::int64_t v) { Raw(key, std::to_string(v)); }
  void operator()(const char* key, int v) { Raw(key, std::to_string(v)); }
  void operator()(const char* key, bool v) { Raw(key, v ? "1" : "0"); }
  void operator()(const char* key, const std::optional<std::int64_t>& v) {
    Raw(key, v ? std::to_string(*v) : std::string("-"));
  }
  void operator()(const char* key, const std::optional<Date>& v) {
    Raw(key, v ? v->ToString() : std::string("-"));
  }
  void operator()(const char* key, const Deadline& d) {
    Raw(key, d.rule_id + "|" + d.rule_version + "|" + std::to_string(d.start_us) + "|" +
                 d.due_date.ToString() + "|" + std::to_string(d.due_by_us) + "|" +
                 std::to_string(d.breached_at_us));
  }
  void Raw(std::string_view key, std::string_view v) {
    out_.append(key);
    out_ += '=';
    out_ += std::to_string(v.size());
    out_ += ':';
    out_.append(v);
    out_ += '\n';
  }
  std::string str() && { return std::move(out_); }

 private:
  std::string out_;
};

class FieldReader {
 public:
  // Parses the whole text; a malformed one leaves ok() false.
  explicit FieldReader(std::string_view text) {
    while (!text.empty()) {
      auto eq = text.find('=');
      auto colon = text.find(':', eq == std::string_view::npos ? 0 : eq);
      if (eq == std::string_view::npos || colon == std::string_view::npos) {
        Fail("malformed field");
        return;
      }
      std::size_t n = 0;
      for (char ch : text.substr(eq + 1, colon - eq - 1)) {
        if (ch < '0' || ch > '9') {
          Fail("malformed length");
          return;
        }
        n = n * 10 + static_cast<std::size_t>(ch - '0');
      }
      if (colon + 1 + n + 1 > text.size() || text[colon + 1 + n] != '\n') {
        Fail("truncated value");
        return;
      }
      fields_.emplace(std::string(text.substr(0, eq)), std::string(text.substr(colon + 1, n)));
      text.remove_prefix(colon + 1 + n + 1);
    }
  }
  bool ok() const { return error_.empty(); }
  Status status() const { return ok() ? Status::Ok() : Status::Corruption("snapshot: " + error_); }
  const std::map<std::string, std::string>& fields() const { return fields_; }
  const std::string* Find(const std::string& key) const {
    auto it = fields_.find(key);
    return it == fields_.end() ? nullptr : &it->second;
  }

  void operator()(const char* key, std::string& v) {
    if (auto* f = Get(key)) v = *f;
  }
  void operator()(const char* key, std::int64_t& v) {
    if (auto* f = Get(key)) v = Int(key, *f);
  }
  void operator()(const char* key, int& v) {
    if (auto* f = Get(key)) v = static_cast<int>(Int(key, *f));
  }
  void operator()(const char* key, bool& v) {
    if (auto* f = Get(key)) v = (*f == "1");
  }
  void operator()(const char* key, std::optional<std::int64_t>& v) {
    if (auto* f = Get(key)) v = (*f == "-") ? std::nullopt : std::optional<std::int64_t>(Int(key, *f));
  }
  void operator()(const char* key, std::optional<Date>& v) {
    auto* f = Get(key);
    if (!f) return;
    if (*f == "-") {
      v.reset();
      return;
    }
    auto d = Date::Parse(*f, key);
    if (!d.ok()) return Fail(std::string("bad date in ") + key);
    v = *d;
  }
  void operator()(const char* key, Deadline& d) {
    auto* f = Get(key);
    if (!f) return;
    ParseDeadline(key, *f, &d);
  }
  void ParseDeadline(std::string_view key, std::string_view text, Deadline* d) {
    std::string parts[6];  // the sixth (breached at) is absent from older snapshots
    std::size_t i = 0;
    for (char ch : text) {
      if (ch == '|') {
        if (++i == 6) return Fail("bad deadline in " + std::string(key));
      } else {
        parts[i] += ch;
      }
    }
    if (i != 4 && i != 5) return Fail("bad deadline in " + std::string(key));
    d->breached_at_us = i == 5 ? Int(key, parts[5]) : 0;
    auto due = Date::Parse(parts[3], "due");
    if (!due.ok()) return Fail("bad deadline date in " + std::string(key));
    d->rule_id = parts[0];
    d->rule_version = parts[1];
    d->start_us = Int(key, parts[2]);
    d->due_date = *due;
    d->due_by_us = Int(key, parts[4]);
  }

 private:
  const std::string* Get(const char* key) {
    auto* f = Find(key);
    if (!f) Fail(std::string("missing field ") + key);
    return f;
  }
  std::int64_t Int(std::string_view key, std::string_view s) {
    if (s.empty()) {
      Fail("bad number in " + std::string(key));
      return 0;
    }
    bool neg = s[0] == '-';
    std::int64_t v = 0;
    for (char ch : s.substr(neg ? 1 : 0)) {
      if (ch < '0' || ch > '9') {
        Fail("bad number in " + std::string(key));
        return 0;
      }
      v = v * 10 + (ch - '0');
    }
    return neg ? -v : v;
  }
  void Fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
  }

  std::map<std::string, std::string> fields_;
  std::string error_;
};

}  // namespace casetrail::workflows::detail
