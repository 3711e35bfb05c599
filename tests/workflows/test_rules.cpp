// Versioned, effective-dated timescales and the deadlines they give.
#include "workflows/rules.hpp"

#include <catch2/catch.hpp>

using namespace casetrail::workflows;

namespace {
Date D(const char* s) { return std::move(Date::Parse(s, "d")).value(); }
std::int64_t At(const char* date, int hour = 10) { return D(date).StartUs() + hour * 3600LL * 1000000; }
}  // namespace

TEST_CASE("the ICPC falls due 15 working days after the strategy discussion", "[workflows][rules]") {
  auto d = RuleBook::Default().Due("T-06", At("2026-12-16"));
  REQUIRE(d.ok());
  CHECK(d->due_date == D("2027-01-11"));
  CHECK(d->rule_version == "rules-2018.1");
  CHECK(d->MetBy(At("2027-01-11", 16)));
  CHECK_FALSE(d->MetBy(At("2027-01-12", 9)));
}

TEST_CASE("deadlines in hours, weeks and months", "[workflows][rules]") {
  const RuleBook& book = RuleBook::Default();
  auto iro = book.Due("T-40", At("2026-12-24", 17));  // 72 hours, over Christmas
  REQUIRE(iro.ok());
  CHECK(iro->due_by_us == At("2026-12-27", 17));
  auto court = book.Due("T-32", At("2026-03-02"));  // 26 weeks from issue
  REQUIRE(court.ok());
  CHECK(court->due_date == D("2026-08-31"));
  auto rcpc = book.Due("T-08", At("2026-11-30"));  // 3 months, clamped to 28 Feb
  REQUIRE(rcpc.ok());
  CHECK(rcpc->due_date == D("2027-02-28"));
  auto first_review = book.Due("N-12", At("2026-12-21"));  // 20 working days over Christmas
  REQUIRE(first_review.ok());
  CHECK(first_review->due_date == D("2027-01-21"));
}

TEST_CASE("the rule in force is the one of the event's business date", "[workflows][rules]") {
  const RuleBook& book = RuleBook::Default();
  CHECK(book.Find("T-81", D("2017-06-01"))->amount == 21);
  CHECK(book.Find("T-81", D("2018-04-01"))->amount == 25);
  CHECK(*book.VersionOn(D("2017-06-01")) == "rules-2015.1");
  CHECK(book.Find("T-99", D("2020-01-01")).status().IsNotFound());
  CHECK(book.Find("T-06", D("2014-12-31")).status().IsNotFound());
}

TEST_CASE("local standards may tighten but not lengthen statutory timescales", "[workflows][rules]") {
  const RuleBook& book = RuleBook::Default();
  auto visits = book.WithLocalStandard("N-10", 15);  // a local standard: either way
  REQUIRE(visits.ok());
  CHECK(visits->Find("N-10", D("2026-01-01"))->amount == 15);
  CHECK(*visits->VersionOn(D("2026-01-01")) == "rules-2018.1+N-10=15");
  CHECK(visits->Fingerprint() != book.Fingerprint());

  auto stricter = book.WithLocalStandard("T-06", 12);
  REQUIRE(stricter.ok());
  CHECK(stricter->Due("T-06", At("2026-12-16"))->due_date == D("2027-01-06"));

  auto laxer = book.WithLocalStandard("T-06", 20);
  REQUIRE_FALSE(laxer.ok());
  CHECK(laxer.status().field() == "T-06");
  CHECK_THAT(laxer.status().message(), Catch::Contains("may not lengthen"));
  CHECK_FALSE(book.WithLocalStandard("T-77x", 3).ok());
  CHECK_FALSE(book.WithLocalStandard("N-10", 0).ok());
}

TEST_CASE("every rule has an id, a source and a positive amount", "[workflows][rules]") {
  for (const auto& set : RuleBook::Default().sets()) {
    for (const auto& r : set.rules) {
      INFO(r.id);
      CHECK_FALSE(r.name.empty());
      CHECK_FALSE(r.source.empty());
      CHECK(r.amount > 0);
    }
  }
  CHECK(RuleBook::Default().Fingerprint().size() == 64);
}

TEST_CASE("a local-standards file tightens rules and names its bad lines", "[workflows][rules]") {
  const RuleBook& book = RuleBook::Default();
  auto local = book.WithLocalStandards("# Birmingham practice standards\nN-10 = 15   # CP visits\n\nT-30=8\n");
  REQUIRE(local.ok());
  CHECK(local->Find("N-10", D("2026-01-01"))->amount == 15);
  CHECK(local->Find("T-30", D("2026-01-01"))->amount == 8);
  auto bad_number = book.WithLocalStandards("N-10 = ten\n");
  REQUIRE_FALSE(bad_number.ok());
  CHECK(bad_number.status().field() == "local standards line 1");
  auto laxer = book.WithLocalStandards("\nT-06 = 20\n");
  REQUIRE_FALSE(laxer.ok());
  CHECK(laxer.status().field() == "local standards line 2");
  CHECK_THAT(laxer.status().message(), Catch::Contains("may not lengthen"));
  CHECK_FALSE(book.WithLocalStandards("T-06 15").ok());
}
