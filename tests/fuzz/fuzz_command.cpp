// libFuzzer target: the JSON forms a caller controls, as the HTTP API and `casetrail record` read
// them. One input is tried as
//   * a command document, in both modes (ParseCommand kBody: the HTTP body; kFull: a command file),
//   * an append request (ParseAppendRequest),
//   * a time and an as-of (ParseTime, ParseAsOf), when it is short enough to be one.
//
// Invariants (a violation aborts, so libFuzzer keeps the input):
//   * nothing throws, and parse errors are InvalidArgument;
//   * every error renders as the API renders it (ToJson(status).dump() must not throw: a message
//     that quotes the input has to stay valid UTF-8);
//   * a parsed command has an action and a time; a command file also a child and an actor;
//     a body never carries child_id or actor (they come from the path and the token);
//   * a parsed time prints (FormatTime) and parses back to the same instant;
//   * an as-of given as a date is the last microsecond of a day (parsing it as a time is then
//     at most ~25 hours earlier).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "adapters/json/command_json.hpp"
#include "adapters/json/event_json.hpp"

namespace {

using casetrail::Status;
namespace cj = casetrail::json;

[[noreturn]] void Fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "fuzz_command: invariant violated: %s\ninput (%zu bytes): %.*s\n", what, input.size(),
               static_cast<int>(input.size() > 400 ? 400 : input.size()), input.data());
  std::abort();
}

#define REQUIRE_FUZZ(cond, input) \
  do {                            \
    if (!(cond)) Fail(#cond, input); \
  } while (0)

// The API answers an error as {"error": ToJson(status)}.dump(): that must work for every error.
void CheckError(const Status& s, std::string_view input) {
  REQUIRE_FUZZ(!s.ok(), input);
  REQUIRE_FUZZ(s.code() == Status::Code::kInvalidArgument, input);
  const std::string dumped = nlohmann::json{{"error", cj::ToJson(s)}}.dump();
  REQUIRE_FUZZ(!dumped.empty(), input);
}

void CheckTime(std::string_view text) {
  auto t = cj::ParseTime(text, "occurred_at");
  if (!t.ok()) {
    CheckError(t.status(), text);
    REQUIRE_FUZZ(t.status().field() == "occurred_at", text);
  } else {
    const std::string printed = cj::FormatTime(*t);
    auto again = cj::ParseTime(printed, "occurred_at");
    REQUIRE_FUZZ(again.ok(), text);
    REQUIRE_FUZZ(*again == *t, text);
  }
  auto a = cj::ParseAsOf(text, "as_of");
  if (!a.ok()) {
    CheckError(a.status(), text);
  } else if (text.find('T') == std::string_view::npos && t.ok()) {
    // A date: the end of that London day, so after midnight UTC that day and within ~25 hours.
    REQUIRE_FUZZ(*a >= *t, text);
    REQUIRE_FUZZ(*a - *t < 25LL * 3600 * 1000000, text);
  }
}

void CheckCommand(const nlohmann::json& doc, std::string_view input) {
  for (auto mode : {cj::CommandFields::kBody, cj::CommandFields::kFull}) {
    auto c = cj::ParseCommand(doc, mode);
    if (!c.ok()) {
      CheckError(c.status(), input);
      continue;
    }
    REQUIRE_FUZZ(!c->action.empty(), input);
    REQUIRE_FUZZ(doc.contains("occurred_at") && doc["occurred_at"].is_string(), input);
    if (mode == cj::CommandFields::kFull) {
      REQUIRE_FUZZ(!c->child_id.empty(), input);
    } else {
      REQUIRE_FUZZ(c->child_id.empty() && c->actor.user.empty() && c->actor.role.empty(), input);
      REQUIRE_FUZZ(!doc.contains("child_id") && !doc.contains("actor"), input);
    }
    // What the API echoes back must render.
    nlohmann::json echo = {{"action", c->action}, {"command_id", c->command_id}, {"params", c->params},
                           {"occurred_at", cj::FormatTime(c->occurred_at)}};
    REQUIRE_FUZZ(!echo.dump().empty(), input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (size <= 64) CheckTime(input);

  const nlohmann::json doc = nlohmann::json::parse(input.begin(), input.end(), nullptr, /*allow_exceptions=*/false);
  if (!doc.is_discarded()) CheckCommand(doc, input);

  auto append = cj::ParseAppendRequest(input);
  if (!append.ok()) {
    CheckError(append.status(), input);
  } else {
    REQUIRE_FUZZ(!doc.is_discarded(), input);
    for (const auto& e : append->events) {
      REQUIRE_FUZZ(nlohmann::json::parse(e.payload.empty() ? "{}" : e.payload, nullptr, false).is_object(), input);
    }
  }
  return 0;
}
