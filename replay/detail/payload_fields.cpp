#include "replay/detail/payload_fields.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

namespace casetrail::replay {

using nlohmann::json;

std::map<std::string, std::string> ParamsOf(std::string_view payload,
                                            std::initializer_list<std::string_view> keep) {
  std::map<std::string, std::string> out;
  json j = json::parse(payload, nullptr, false);
  const json* p = nullptr;
  if (j.is_object() && j.contains("params") && j["params"].is_object()) p = &j["params"];
  if (!p) return out;
  for (auto it = p->begin(); it != p->end(); ++it) {
    if (!it->is_string()) continue;
    bool wanted = keep.size() == 0;
    for (std::string_view k : keep) wanted |= (k == it.key());
    if (wanted) out[it.key()] = it->get<std::string>();
  }
  return out;
}

FlatObject ScanFlat(std::string_view p) {
  FlatObject out;
  std::size_t i = 0;
  auto at = [&](char c) { return i < p.size() && p[i] == c; };
  if (!at('{')) return out;
  ++i;
  if (at('}')) {
    out.ok = i + 1 == p.size();
    return out;
  }
  for (;;) {
    if (!at('"')) return out;
    const std::size_t k = ++i;
    while (i < p.size() && p[i] != '"' && p[i] != '\\') ++i;
    if (!at('"')) return out;
    const std::string_view key = p.substr(k, i - k);
    ++i;
    if (!at(':')) return out;
    ++i;
    std::string_view value;
    if (at('"')) {
      const std::size_t v = ++i;
      while (i < p.size() && p[i] != '"' && p[i] != '\\') ++i;
      if (!at('"')) return out;  // an escape: let the JSON parser read it
      value = p.substr(v, i - v);
      ++i;
    } else {
      const std::size_t v = i;
      while (i < p.size() && p[i] != ',' && p[i] != '}') {
        if (p[i] == '{' || p[i] == '[' || p[i] == '"') return out;  // nested: not flat
        ++i;
      }
      value = p.substr(v, i - v);
    }
    if (out.n == out.fields.size()) return out;
    out.fields[out.n++] = {key, value};
    if (at('}')) {
      out.ok = i + 1 == p.size();
      return out;
    }
    if (!at(',')) return out;
    ++i;
  }
}

std::string Field(const FlatObject& flat, std::string_view payload, const char* key) {
  if (flat.ok) {
    const std::string_view* v = flat.Find(key);
    return v ? std::string(*v) : std::string();
  }
  json j = json::parse(payload, nullptr, false);
  if (j.is_object() && j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
  return {};
}

std::string Field(std::string_view payload, const char* key) { return Field(ScanFlat(payload), payload, key); }

std::int64_t NumberField(const FlatObject& flat, std::string_view payload, const char* key) {
  if (flat.ok) {
    const std::string_view* v = flat.Find(key);
    std::int64_t out = 0;
    if (v && std::from_chars(v->data(), v->data() + v->size(), out).ec == std::errc()) return out;
    return 0;
  }
  json j = json::parse(payload, nullptr, false);
  if (j.is_object() && j.contains(key) && j[key].is_number_integer()) return j[key].get<std::int64_t>();
  return 0;
}

}  // namespace casetrail::replay
