// Dates, months, birthdays and working days on the England and Wales calendar.
#include "workflows/calendar.hpp"

#include <catch2/catch.hpp>

using casetrail::workflows::AgeOn;
using casetrail::workflows::BirthdayAt;
using casetrail::workflows::Calendar;
using casetrail::workflows::Date;

namespace {
Date D(const char* s) { return std::move(Date::Parse(s, "d")).value(); }
}  // namespace

TEST_CASE("dates convert to and from civil dates", "[workflows][calendar]") {
  CHECK(Date::FromYmd(1970, 1, 1).days() == 0);
  CHECK(D("2024-02-29").ToString() == "2024-02-29");
  CHECK(D("2026-11-23").weekday() == 0);  // a Monday
  CHECK(D("2026-11-29").IsWeekend());
  CHECK(Date::FromTimestampUs(1772323200LL * 1000000 + 5).ToString() == "2026-03-01");
  CHECK(Date::FromTimestampUs(-1).ToString() == "1969-12-31");
  for (const char* bad : {"2025-02-29", "2025-13-01", "2025-00-10", "25-01-01", "2025/01/01", "2025-1-1", ""}) {
    auto d = Date::Parse(bad, "date_of_birth");
    INFO(bad);
    REQUIRE_FALSE(d.ok());
    CHECK(d.status().field() == "date_of_birth");
  }
}

TEST_CASE("dates are London dates: late-evening summer actions belong to the next day",
          "[workflows][calendar]") {
  using casetrail::workflows::IsBritishSummerTime;
  const std::int64_t h = 3600LL * 1000000;
  // 2026: BST from Sunday 29 March 01:00 UTC to Sunday 25 October 01:00 UTC.
  const std::int64_t mar29 = D("2026-03-29").StartUs();  // GMT: 00:00 UTC
  CHECK(mar29 % (24 * h) == 0);
  CHECK_FALSE(IsBritishSummerTime(mar29 + h - 1));
  CHECK(IsBritishSummerTime(mar29 + h));
  const std::int64_t jul1 = D("2026-07-01").StartUs();   // BST: 23:00 UTC on 30 June
  CHECK(jul1 % (24 * h) == 23 * h);
  CHECK(Date::FromTimestampUs(jul1).ToString() == "2026-07-01");
  CHECK(Date::FromTimestampUs(jul1 - 1).ToString() == "2026-06-30");
  // 2026-06-30T23:30Z is 00:30 on 1 July in London; 23:30 London on 30 June is still the 30th.
  const std::int64_t utc_jul1 = static_cast<std::int64_t>(D("2026-07-01").days()) * 24 * h;
  CHECK(Date::FromTimestampUs(utc_jul1 - h / 2).ToString() == "2026-07-01");
  CHECK(Date::FromTimestampUs(jul1 - h / 2).ToString() == "2026-06-30");
  const std::int64_t oct25 = D("2026-10-25").StartUs();  // still BST at midnight
  CHECK(oct25 % (24 * h) == 23 * h);
  CHECK(IsBritishSummerTime(oct25 + 2 * h - 1));   // 00:59:59 UTC
  CHECK_FALSE(IsBritishSummerTime(oct25 + 2 * h));  // 01:00 UTC: back to GMT
  const std::int64_t dec1 = D("2026-12-01").StartUs();
  CHECK(dec1 % (24 * h) == 0);
}

TEST_CASE("calendar months clamp to the end of the month", "[workflows][calendar]") {
  CHECK(D("2026-01-31").AddMonths(1) == D("2026-02-28"));
  CHECK(D("2024-01-31").AddMonths(1) == D("2024-02-29"));
  CHECK(D("2026-03-31").AddMonths(-1) == D("2026-02-28"));
  CHECK(D("2026-08-31").AddMonths(3) == D("2026-11-30"));
  CHECK(D("2026-11-15").AddMonths(3) == D("2027-02-15"));
  CHECK(D("2024-02-29").AddYears(1) == D("2025-02-28"));
  CHECK(D("2026-01-01").AddMonths(24) == D("2028-01-01"));
  CHECK(D("2026-12-31").AddWeeks(26) == D("2027-07-01"));
}

TEST_CASE("birthdays on 29 February fall on 1 March in other years", "[workflows][calendar]") {
  const Date leapling = D("2008-02-29");
  CHECK(BirthdayAt(leapling, 16) == D("2024-02-29"));
  CHECK(BirthdayAt(leapling, 18) == D("2026-03-01"));
  CHECK(AgeOn(leapling, D("2026-02-28")) == 17);
  CHECK(AgeOn(leapling, D("2026-03-01")) == 18);
  CHECK(AgeOn(D("2010-06-15"), D("2026-06-14")) == 15);
  CHECK(AgeOn(D("2010-06-15"), D("2026-06-15")) == 16);
  CHECK(AgeOn(D("2027-01-01"), D("2026-06-15")) == 0);  // unborn
}

TEST_CASE("the England and Wales calendar knows its bank holidays", "[workflows][calendar]") {
  const Calendar& c = Calendar::EnglandAndWales();
  CHECK(c.version() == "ew-2026.1");
  CHECK(c.first_covered() == D("2015-01-01"));
  CHECK(c.last_covered() == D("2030-12-31"));
  CHECK(c.IsBankHoliday(D("2026-12-28")));   // Boxing Day substitute (26th is a Saturday)
  CHECK(c.IsBankHoliday(D("2022-12-27")));   // Christmas Day substitute (25th is a Sunday)
  CHECK(c.IsBankHoliday(D("2022-09-19")));   // State Funeral of Queen Elizabeth II
  CHECK(c.IsBankHoliday(D("2023-05-08")));   // Coronation
  CHECK(c.IsBankHoliday(D("2020-05-08")));   // VE day moved the early May holiday
  CHECK_FALSE(c.IsBankHoliday(D("2020-05-04")));
  CHECK(c.IsBankHoliday(D("2022-06-03")));   // Platinum Jubilee
  CHECK_FALSE(c.IsBankHoliday(D("2022-05-30")));  // the spring holiday moved to 2 June
  CHECK(c.IsBankHoliday(D("2026-04-03")));   // Good Friday
  CHECK(c.IsBankHoliday(D("2026-04-06")));   // Easter Monday
  CHECK_FALSE(c.IsWorkingDay(D("2026-11-28")));  // Saturday
  CHECK(c.IsWorkingDay(D("2026-11-27")));
}

TEST_CASE("working days are counted on the calendar's first and last covered days, and refused beyond them",
          "[workflows][calendar]") {
  const Calendar& c = Calendar::EnglandAndWales();  // 2015-01-01 (a bank holiday) to 2030-12-31
  CHECK(*c.AddWorkingDays(D("2015-01-01"), 0) == D("2015-01-02"));
  CHECK(*c.AddWorkingDays(D("2015-01-01"), 1) == D("2015-01-02"));
  CHECK(*c.WorkingDaysBetween(D("2015-01-01"), D("2015-01-05")) == 2);   // Fri 2, Mon 5
  CHECK(*c.AddWorkingDays(D("2030-12-30"), 1) == D("2030-12-31"));
  CHECK(*c.AddWorkingDays(D("2030-12-31"), 0) == D("2030-12-31"));
  CHECK(*c.WorkingDaysBetween(D("2030-12-24"), D("2030-12-31")) == 3);   // 25, 26 holidays: 27, 30, 31
  auto before = c.AddWorkingDays(D("2014-12-31"), 1);
  REQUIRE_FALSE(before.ok());
  CHECK(before.status().field() == "date");
  CHECK_THAT(before.status().message(), Catch::Contains("2015-01-01 to 2030-12-31"));
  CHECK_FALSE(c.AddWorkingDays(D("2030-12-31"), 1).ok());
  CHECK_FALSE(c.WorkingDaysBetween(D("2014-12-31"), D("2015-01-05")).ok());
  CHECK_FALSE(c.WorkingDaysBetween(D("2030-12-31"), D("2031-01-01")).ok());
}

TEST_CASE("working days skip weekends and bank holidays", "[workflows][calendar]") {
  const Calendar& c = Calendar::EnglandAndWales();
  // Friday + 1 working day = Monday.
  CHECK(*c.AddWorkingDays(D("2026-11-27"), 1) == D("2026-11-30"));
  // Christmas 2026: Fri 25 and Mon 28 are holidays.
  CHECK(*c.AddWorkingDays(D("2026-12-24"), 1) == D("2026-12-29"));
  // 15 working days from a strategy discussion on Wed 16 Dec 2026 (ICPC, T-06).
  CHECK(*c.AddWorkingDays(D("2026-12-16"), 15) == D("2027-01-11"));
  // Easter 2026: Thu 2 Apr + 1 = Tue 7 Apr.
  CHECK(*c.AddWorkingDays(D("2026-04-02"), 1) == D("2026-04-07"));
  // 0 working days: the day itself, or the next working day.
  CHECK(*c.AddWorkingDays(D("2026-11-27"), 0) == D("2026-11-27"));
  CHECK(*c.AddWorkingDays(D("2026-12-25"), 0) == D("2026-12-29"));
  // 45 working days (assessment) across New Year 2027.
  CHECK(*c.AddWorkingDays(D("2026-11-23"), 45) == D("2027-01-28"));
  CHECK(*c.WorkingDaysBetween(D("2026-11-23"), D("2027-01-28")) == 45);
  CHECK(*c.WorkingDaysBetween(D("2026-11-23"), D("2026-11-23")) == 0);
  // Leap day 2028 is a Tuesday and a working day.
  CHECK(*c.AddWorkingDays(D("2028-02-28"), 1) == D("2028-02-29"));
  auto outside = c.AddWorkingDays(D("2030-12-20"), 30);
  REQUIRE_FALSE(outside.ok());
  CHECK_THAT(outside.status().message(), Catch::Contains("2030-12-31"));
}

TEST_CASE("a calendar file without a version or header is refused", "[workflows][calendar]") {
  CHECK_FALSE(Calendar::FromCsv("date,name,status\n2026-01-01,x,announced\n").ok());
  CHECK_FALSE(Calendar::FromCsv("# calendar version v1\n2026-01-01,x,announced\n").ok());
  CHECK_FALSE(Calendar::FromCsv("# calendar version v1\ndate,name,status\n2026-02-30,x,y\n").ok());
  auto ok = Calendar::FromCsv("# calendar version v9\ndate,name,status\n2026-01-01,x,announced\n");
  REQUIRE(ok.ok());
  CHECK(ok->version() == "v9");
}
