#include "adapters/json/event_json.hpp"

#include "workflows/calendar.hpp"

#include <cstdint>
#include <ctime>
#include <set>

namespace casetrail::json {
namespace {

using nlohmann::json;

Status CheckKeys(const json& obj, const std::string& where, const std::set<std::string>& allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (!allowed.count(it.key())) {
      return Status::InvalidArgument(where + it.key(), "is not a known field");
    }
  }
  return Status::Ok();
}

Status GetString(const json& obj, const std::string& key, const std::string& field,
                 std::string* out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Status::Ok();
  if (!it->is_string()) return Status::InvalidArgument(field, "must be a string");
  *out = it->get<std::string>();
  return Status::Ok();
}

int Digits(std::string_view s, std::size_t at, std::size_t n, bool* ok) {
  int v = 0;
  if (at + n > s.size()) {
    *ok = false;
    return 0;
  }
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') *ok = false;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// `s` with each byte that is not part of well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF) replaced by U+FFFD. Error messages quote the caller's input
// (a query parameter, a time, a path), and nlohmann's dump() throws on invalid UTF-8: the API
// would throw out of Handle instead of answering 400.
std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    std::uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (std::size_t k = 1; ok && k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      ok = (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (ok && n > 1) {
      ok = !(n == 2 && cp < 0x80) && !(n == 3 && cp < 0x800) && !(n == 4 && cp < 0x10000) &&
           !(cp >= 0xD800 && cp <= 0xDFFF) && cp <= 0x10FFFF;
    }
    if (ok) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

}  // namespace

Result<TimestampUs> ParseTime(std::string_view s, const std::string& field) {
  auto bad = [&] {
    return Status::InvalidArgument(
        field, "must be an RFC 3339 time such as 2025-03-01T09:30:00Z or a date 2025-03-01, got '" +
                   std::string(s.substr(0, 40)) + "'");
  };
  bool ok = s.size() >= 10 && s[4] == '-' && s[7] == '-';
  std::tm tm{};
  tm.tm_year = Digits(s, 0, 4, &ok) - 1900;
  tm.tm_mon = Digits(s, 5, 2, &ok) - 1;
  tm.tm_mday = Digits(s, 8, 2, &ok);
  if (!ok || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31) return bad();
  std::int64_t micros = 0, offset_s = 0;
  if (s.size() > 10) {
    if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s.size() < 20 || s[13] != ':' ||
        s[16] != ':') {
      return bad();
    }
    tm.tm_hour = Digits(s, 11, 2, &ok);
    tm.tm_min = Digits(s, 14, 2, &ok);
    tm.tm_sec = Digits(s, 17, 2, &ok);
    if (!ok || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) return bad();
    std::size_t i = 19;
    if (i < s.size() && s[i] == '.') {
      std::size_t n = 0;
      std::int64_t frac = 0;
      for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++n) {
        if (n < 6) frac = frac * 10 + (s[i] - '0');
      }
      if (n == 0) return bad();
      for (std::size_t k = n; k < 6; ++k) frac *= 10;
      micros = frac;
    }
    if (i >= s.size()) return bad();  // a time needs a zone: Z or +hh:mm
    if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) {
      // UTC
    } else if ((s[i] == '+' || s[i] == '-') && i + 6 == s.size() && s[i + 3] == ':') {
      int hh = Digits(s, i + 1, 2, &ok), mm = Digits(s, i + 4, 2, &ok);
      if (!ok || hh > 23 || mm > 59) return bad();
      offset_s = (hh * 3600 + mm * 60) * (s[i] == '+' ? 1 : -1);
    } else {
      return bad();
    }
  }
  std::tm check = tm;
  std::time_t t = timegm(&tm);
  if (tm.tm_mday != check.tm_mday) return bad();  // e.g. 2025-02-30 normalised to March
  const std::int64_t utc_s = static_cast<std::int64_t>(t) - offset_s;
  // The years workflows::Date knows, in UTC (year 126 parsed, and printed back as "126-10-22T..").
  constexpr std::int64_t k1900 = -2208988800, k2201 = 7289654400;  // 1900-01-01, 2201-01-01 UTC
  if (utc_s < k1900 || utc_s >= k2201) {
    return Status::InvalidArgument(field, "must be a time in the years 1900 to 2200 (UTC), got '" +
                                              std::string(s.substr(0, 40)) + "'");
  }
  return utc_s * 1000000 + micros;
}

Result<TimestampUs> ParseAsOf(std::string_view text, const std::string& field) {
  if (text.find('T') != std::string_view::npos) return ParseTime(text, field);
  auto d = workflows::Date::Parse(text, field);
  if (!d.ok()) return d.status();
  return d->AddDays(1).StartUs() - 1;
}

std::string FormatTime(TimestampUs us) {
  std::int64_t secs = us / 1000000, frac = us % 1000000;
  if (frac < 0) {
    frac += 1000000;
    --secs;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[48];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (frac != 0) n += std::snprintf(buf + n, sizeof buf - n, ".%06lld", static_cast<long long>(frac));
  std::snprintf(buf + n, sizeof buf - n, "Z");
  return buf;
}

Result<AppendRequest> ParseAppendRequest(std::string_view text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("body", "is not valid JSON");
  if (!doc.is_object()) return Status::InvalidArgument("body", "must be a JSON object");
  if (Status s = CheckKeys(doc, "", {"stream", "expected_version", "command_id", "correlation_id",
                                     "causation_id", "actor", "events"});
      !s.ok()) {
    return s;
  }
  AppendRequest r;
  if (!doc.contains("stream")) return Status::InvalidArgument("stream", "is required");
  for (auto [key, out] : {std::pair<const char*, std::string*>{"stream", &r.stream},
                          {"command_id", &r.command_id},
                          {"correlation_id", &r.correlation_id},
                          {"causation_id", &r.causation_id}}) {
    if (Status s = GetString(doc, key, key, out); !s.ok()) return s;
  }
  if (auto it = doc.find("expected_version"); it != doc.end() && !it->is_null()) {
    std::string text_form;
    if (it->is_string()) {
      text_form = it->get<std::string>();
    } else if (it->is_number_unsigned()) {
      text_form = std::to_string(it->get<std::uint64_t>());
    } else {
      return Status::InvalidArgument("expected_version",
                                     "must be 'any', 'no_stream', 'stream_exists' or a version "
                                     "number");
    }
    auto ev = ExpectedVersion::Parse(text_form);
    if (!ev.ok()) return ev.status();
    r.expected = *ev;
  }
  if (auto it = doc.find("actor"); it != doc.end() && !it->is_null()) {
    if (!it->is_object()) return Status::InvalidArgument("actor", "must be an object");
    if (Status s = CheckKeys(*it, "actor.", {"user", "role", "team"}); !s.ok()) return s;
    for (auto [key, out] : {std::pair<const char*, std::string*>{"user", &r.actor.user},
                            {"role", &r.actor.role},
                            {"team", &r.actor.team}}) {
      if (Status s = GetString(*it, key, std::string("actor.") + key, out); !s.ok()) return s;
    }
  }
  auto evs = doc.find("events");
  if (evs == doc.end() || !evs->is_array()) {
    return Status::InvalidArgument("events", "is required and must be an array");
  }
  for (std::size_t i = 0; i < evs->size(); ++i) {
    const json& e = (*evs)[i];
    const std::string f = "events[" + std::to_string(i) + "].";
    if (!e.is_object()) return Status::InvalidArgument(f.substr(0, f.size() - 1), "must be an object");
    if (Status s = CheckKeys(e, f, {"type", "schema_version", "event_id", "occurred_at", "journey",
                                    "episode", "machine_fingerprint", "from_state", "to_state",
                                    "payload"});
        !s.ok()) {
      return s;
    }
    EventData d;
    for (auto [key, out] : {std::pair<const char*, std::string*>{"type", &d.type},
                            {"event_id", &d.event_id},
                            {"journey", &d.journey},
                            {"episode", &d.episode},
                            {"machine_fingerprint", &d.machine_fingerprint},
                            {"from_state", &d.from_state},
                            {"to_state", &d.to_state}}) {
      if (Status s = GetString(e, key, f + key, out); !s.ok()) return s;
    }
    if (auto it = e.find("schema_version"); it != e.end()) {
      if (!it->is_number_unsigned() || it->get<std::uint64_t>() > UINT32_MAX) {
        return Status::InvalidArgument(f + "schema_version", "must be a positive whole number");
      }
      d.schema_version = it->get<std::uint32_t>();
    }
    auto occ = e.find("occurred_at");
    if (occ == e.end() || !occ->is_string()) {
      return Status::InvalidArgument(f + "occurred_at", "is required (an RFC 3339 time)");
    }
    auto t = ParseTime(occ->get<std::string>(), f + "occurred_at");
    if (!t.ok()) return t.status();
    d.occurred_at = *t;
    if (auto it = e.find("payload"); it != e.end()) {
      if (!it->is_object()) return Status::InvalidArgument(f + "payload", "must be a JSON object");
      d.payload = it->dump();
    }
    r.events.push_back(std::move(d));
  }
  return r;
}

json ToJson(const RecordedEvent& e) {
  json j = {{"position", e.position},
            {"stream", e.stream},
            {"version", e.version},
            {"type", e.type},
            {"schema_version", e.schema_version},
            {"event_id", e.event_id},
            {"occurred_at", FormatTime(e.occurred_at)},
            {"recorded_at", FormatTime(e.recorded_at)},
            {"actor", {{"user", e.actor.user}, {"role", e.actor.role}, {"team", e.actor.team}}}};
  for (auto [k, v] : {std::pair<const char*, const std::string*>{"command_id", &e.command_id},
                      {"correlation_id", &e.correlation_id},
                      {"causation_id", &e.causation_id},
                      {"journey", &e.journey},
                      {"episode", &e.episode},
                      {"machine_fingerprint", &e.machine_fingerprint},
                      {"from_state", &e.from_state},
                      {"to_state", &e.to_state}}) {
    if (!v->empty()) j[k] = *v;
  }
  j["payload"] = json::parse(e.payload, nullptr, false);
  j["prev_hash"] = HexOf(e.prev_hash);
  j["hash"] = HexOf(e.hash);
  return j;
}

json ToJson(const AppendResult& r) {
  return {{"stream", r.stream},
          {"first_position", r.first_position},
          {"last_position", r.last_position},
          {"first_version", r.first_version},
          {"last_version", r.last_version},
          {"recorded_at", FormatTime(r.recorded_at)},
          {"duplicate", r.duplicate}};
}

json ToJson(const VerifyReport& r) {
  json j = {{"ok", r.ok},
            {"events_checked", r.events_checked},
            {"streams_checked", r.streams_checked},
            {"head_position", r.head_position}};
  if (!r.ok) {
    j["broken"] = {{"stream", r.broken_stream},
                   {"version", r.broken_version},
                   {"position", r.broken_position},
                   {"reason", r.reason}};
  }
  return j;
}

json ToJson(const Status& s) {
  json j = {{"code", Status::CodeName(s.code())}, {"message", ValidUtf8(s.message())}};
  if (!s.field().empty()) j["field"] = ValidUtf8(s.field());
  if (s.actual_version()) j["actual_version"] = *s.actual_version();
  return j;
}

}  // namespace casetrail::json
