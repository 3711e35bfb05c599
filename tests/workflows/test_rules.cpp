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
  CHECK(d->rule_version == "rules-2018.2");
  CHECK(d->MetBy(At("2027-01-11", 16)));
  CHECK_FALSE(d->MetBy(At("2027-01-12", 9)));
}

TEST_CASE("deadlines in hours, weeks and months", "[workflows][rules]") {
  const RuleBook& book = RuleBook::Default();
  auto iro = book.Due("T-40", At("2026-12-24", 17));  // 72 hours, over Christmas
  REQUIRE(iro.ok());
  CHECK(iro->due_by_us == At("2026-12-27", 17));
  auto court = book.Due("T-32", At("2026-03-02"));  // 26 weeks beginning with the day of issue
  REQUIRE(court.ok());
  CHECK(court->due_date == D("2026-08-30"));
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
  CHECK(*book.VersionOn(D("2017-06-01")) == "rules-2015.2");
  CHECK(*book.VersionOn(D("2017-06-01"), 1) == "rules-2015.1");
  CHECK(book.Find("T-99", D("2020-01-01")).status().IsNotFound());
  CHECK(book.Find("T-06", D("2014-12-31")).status().IsNotFound());
}

TEST_CASE("local standards may tighten but not lengthen statutory timescales", "[workflows][rules]") {
  const RuleBook& book = RuleBook::Default();
  auto visits = book.WithLocalStandard("N-10", 15);  // a local standard: either way
  REQUIRE(visits.ok());
  CHECK(visits->Find("N-10", D("2026-01-01"))->amount == 15);
  CHECK(*visits->VersionOn(D("2026-01-01")) == "rules-2018.2+N-10=15");
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

// Boundary tests, one per counting convention, each named after the wording it encodes. "Within
// N of" / "after" a day: the day itself is day 0. "Beginning with the day": the day is day 1.

TEST_CASE("CA 1989 s32(1)(a)(ii): 26 weeks \"beginning with the day on which the application was issued\"",
          "[workflows][rules]") {
  // Issued Thursday 15 January 2026: day 1 is 15 January, day 182 (the last) is 15 July.
  auto d = RuleBook::Default().Due("T-32", At("2026-01-15"));
  REQUIRE(d.ok());
  CHECK(d->due_date == D("2026-07-15"));
  CHECK(d->due_date.days() - D("2026-01-15").days() == 181);
  CHECK(d->MetBy(At("2026-07-15", 23)));
  CHECK_FALSE(d->MetBy(At("2026-07-16", 0)));
  CHECK(RuleBook::Default().Find("T-32", D("2026-01-15"))->counting == Counting::kBeginningWithTheDay);
}

TEST_CASE("T-31: the pre-proceedings review point at the end of week 16, week 1 beginning with the LPM day",
          "[workflows][rules]") {
  auto d = RuleBook::Default().Due("T-31", At("2026-03-02"));  // a Monday: week 16 ends on a Sunday
  REQUIRE(d.ok());
  CHECK(d->due_date == D("2026-06-21"));
}

TEST_CASE("CPPCR 2010 reg 33(1): first review \"within 20 working days of the date on which C becomes looked after\"",
          "[workflows][rules]") {
  // Looked after Monday 2 March 2026: working day 1 is Tuesday 3 March, 20 is Monday 30 March.
  auto d = RuleBook::Default().Due("N-12", At("2026-03-02"));
  REQUIRE(d.ok());
  CHECK(d->due_date == D("2026-03-30"));
}

TEST_CASE("CPPCR 2010 reg 28(2): a visit \"within one week of the start of\" a placement", "[workflows][rules]") {
  auto d = RuleBook::Default().Due("N-19a", At("2026-03-02"));
  REQUIRE(d.ok());
  CHECK(d->due_date == D("2026-03-09"));  // the same weekday a week later
}

TEST_CASE("CPPCR 2010 reg 42(1): needs assessment \"not more than three months after\" the 16th birthday",
          "[workflows][rules]") {
  auto d = RuleBook::Default().Due("N-21", At("2026-05-31"));
  REQUIRE(d.ok());
  CHECK(d->due_date == D("2026-08-31"));
  auto clamped = RuleBook::Default().Due("N-21", At("2026-11-30"));  // no 30 February: 28th
  CHECK(clamped->due_date == D("2027-02-28"));
}

TEST_CASE("counting beginning with the day in working days starts from the day when it is a working day",
          "[workflows][rules]") {
  Timescale r{"X-1", "test", Unit::kWorkingDays, 3, Basis::kLocalStandard, "test", "", Counting::kBeginningWithTheDay, ""};
  const Calendar& cal = Calendar::EnglandAndWales();
  CHECK(*RuleBook::LastDay(r, D("2026-03-02"), cal) == D("2026-03-04"));  // Mon: Mon, Tue, Wed
  CHECK(*RuleBook::LastDay(r, D("2026-02-28"), cal) == D("2026-03-04"));  // Sat: Mon, Tue, Wed
  r.counting = Counting::kAfterTheDay;
  CHECK(*RuleBook::LastDay(r, D("2026-03-02"), cal) == D("2026-03-05"));
  r.unit = Unit::kDays;
  r.counting = Counting::kBeginningWithTheDay;
  CHECK(*RuleBook::LastDay(r, D("2026-03-02"), cal) == D("2026-03-04"));
}

TEST_CASE("every rule records its counting and the wording it is read from, and they agree", "[workflows][rules]") {
  for (const auto& set : RuleBook::Default().sets()) {
    for (const auto& r : set.rules) {
      INFO(set.version << " " << r.id << ": " << r.wording);
      CHECK_FALSE(r.wording.empty());
      CHECK((r.unit == Unit::kHours) == (r.counting == Counting::kElapsed));
      if (set.edition >= 2) {
        const bool says_beginning = r.wording.find("beginning with") != std::string::npos;
        CHECK(says_beginning == (r.counting == Counting::kBeginningWithTheDay));
      }
    }
  }
}

TEST_CASE("a corrected rule is a new edition: the old one still answers for records made under it",
          "[workflows][rules]") {
  const RuleBook& book = RuleBook::Default();
  REQUIRE(book.CurrentEdition() == 2);
  CHECK((*book.SetOn(D("2026-01-15")))->version == "rules-2018.2");
  CHECK((*book.SetOn(D("2026-01-15"), 1))->version == "rules-2018.1");
  CHECK((*book.SetOn(D("2017-01-15"), 2))->version == "rules-2015.2");
  CHECK(book.Due("T-32", At("2026-01-15"), 1)->due_date == D("2026-07-16"));
  CHECK(book.Due("T-32", At("2026-01-15"), 1)->rule_version == "rules-2018.1");
  CHECK_FALSE((*book.SetOn(D("2026-01-15")))->change.empty());
  // Every other rule reads the same in both editions.
  for (const auto& r : (*book.SetOn(D("2026-01-15"), 1))->rules) {
    if (r.id == "T-32" || r.id == "T-31") continue;
    INFO(r.id);
    CHECK(book.Due(r.id, At("2026-01-15"), 1)->due_date == book.Due(r.id, At("2026-01-15"), 2)->due_date);
  }
}
