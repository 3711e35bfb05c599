// The engine's JSON check agrees with nlohmann::json::accept, and names what is wrong.
#include "engine/detail/json_check.hpp"

#include <nlohmann/json.hpp>

#include <random>

#include "engine/detail/validation.hpp"
#include "tests/engine/test_util.hpp"

using casetrail::detail::IsValidJson;

TEST_CASE("the JSON check accepts valid documents and refuses invalid ones", "[engine][json]") {
  for (const char* ok : {"{}", "[]", "0", "-0.5e+10", "\"x\"", "true", "null", " {\"a\" : [1, 2, {\"b\":null}]} ",
                         "\"\\u00e9\\ud83d\\ude00\\n\"", "\"caf\xc3\xa9\"", "[[[[]]]]", "1E400", "{\"\":\"\"}"}) {
    INFO(ok);
    CHECK(IsValidJson(ok));
  }
  for (const char* bad : {"", " ", "{", "}", "[1,]", "{\"a\":1,}", "{a:1}", "01", "1.", ".5", "-", "+1",
                          "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12g4\"", "\"\\ud800\"", "\"\\udc00x\"",
                          "\"tab\there\"", "\"\xff\"", "\"\xc3\"", "[1 2]", "{\"a\" 1}", "1 2", "[\"a\":1]",
                          "{\"a\":1]", "NaN", "Infinity", "'x'"}) {
    INFO(bad);
    CHECK_FALSE(IsValidJson(bad));
  }
  std::string why;
  CHECK_FALSE(IsValidJson("{\"a\":1,}", &why));
  CHECK(why == "expected a string key at byte 7");
  CHECK_FALSE(IsValidJson(std::string(300, '['), &why));
  CHECK_THAT(why, Catch::Contains("nested too deeply"));
  CHECK(IsValidJson(std::string(256, '[') + std::string(256, ']')));
}

TEST_CASE("the JSON check agrees with nlohmann on mutated documents", "[engine][json]") {
  std::mt19937 rng(7);
  const std::vector<std::string> seeds = {
      R"({"child":"c-1","outcome":"icpc","at":"2026-01-01T10:00:00Z","n":[1,2.5,-3e2,true,false,null]})",
      R"([{"a":{"b":{"c":[]}}},"\u00e9\"\\",0])",
      R"({"note":"caf)" "\xc3\xa9" R"( \u2713","k":{}})"};
  const std::string alphabet = "{}[]\":,.-+eE0123456789tfnul\\/ \t\nabc\x80\xc3\xa9\xff";
  int checked = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string doc = seeds[round % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = rng() % (doc.size() + 1);
      switch (rng() % 3) {
        case 0: doc.insert(doc.begin() + at, alphabet[rng() % alphabet.size()]); break;
        case 1: if (at < doc.size()) doc.erase(at, 1); break;
        default: if (at < doc.size()) doc[at] = alphabet[rng() % alphabet.size()]; break;
      }
    }
    if (doc.rfind("\xef\xbb\xbf", 0) == 0) continue;  // nlohmann skips a BOM; we refuse it
    INFO(doc);
    CHECK(IsValidJson(doc) == nlohmann::json::accept(doc));
    ++checked;
  }
  CHECK(checked > 19000);
}

TEST_CASE("generated event ids are time-ordered UUIDs (version 7)", "[engine][json]") {
  std::string previous;
  for (int i = 0; i < 100; ++i) {
    std::string id = casetrail::detail::NewEventId();
    if (i > 0) CHECK(id.substr(0, 13) >= previous.substr(0, 13));  // millisecond prefix
    previous = id;
    REQUIRE(id.size() == 36);
    CHECK(id[8] == '-');
    CHECK(id[13] == '-');
    CHECK(id[18] == '-');
    CHECK(id[23] == '-');
    CHECK(id[14] == '7');
    CHECK(std::string("89ab").find(id[19]) != std::string::npos);
    CHECK(id.find_first_not_of("0123456789abcdef-") == std::string::npos);
  }
}
