// Dates and the working-day calendar that statutory timescales are counted on.
//
// A Date is a civil day in England (Europe/London): a timestamp belongs to the date it had on
// a London clock (GMT in winter, BST from the last Sunday of March to the last Sunday of
// October), and a day starts at London midnight. Children's social care counts deadlines in days,
// working days, weeks, months and birthdays of the England and Wales calendar. The bank holiday
// data is a versioned file (workflows/data/bank-holidays-england-wales.csv, compiled in), so a
// replay reproduces past breach decisions with the calendar version it names.
//
// Thread-safety: Date is a value; a Calendar is immutable after construction.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "engine/status.hpp"

namespace casetrail::workflows {

class Date {
 public:
  Date() = default;
  static Date FromDays(std::int32_t days_since_epoch) { return Date(days_since_epoch); }
  // REQUIRES: a valid civil date (use Parse for untrusted input).
  static Date FromYmd(int year, int month, int day);
  // "YYYY-MM-DD"; InvalidArgument naming `field` otherwise (including 2025-02-30).
  static Result<Date> Parse(std::string_view text, const std::string& field);
  // The London date of a timestamp in microseconds since the epoch.
  static Date FromTimestampUs(std::int64_t us);

  std::int32_t days() const { return days_; }
  int year() const;
  int month() const;  // 1..12
  int day() const;    // 1..31
  int weekday() const;  // 0 = Monday .. 6 = Sunday
  bool IsWeekend() const { return weekday() >= 5; }
  std::string ToString() const;  // YYYY-MM-DD
  // London midnight at the start of this date, in microseconds since the epoch.
  std::int64_t StartUs() const;

  Date AddDays(int n) const { return Date(days_ + n); }
  Date AddWeeks(int n) const { return Date(days_ + 7 * n); }
  // Calendar months with end-of-month clamping: 31 Jan + 1 month = 28/29 Feb.
  Date AddMonths(int n) const;
  Date AddYears(int n) const { return AddMonths(12 * n); }

  auto operator<=>(const Date&) const = default;

 private:
  explicit Date(std::int32_t d) : days_(d) {}
  std::int32_t days_ = 0;
};

bool IsLeapYear(int year);
// Is the London clock on British Summer Time at this instant?
bool IsBritishSummerTime(std::int64_t us);
int DaysInMonth(int year, int month);

// The day a person born on `dob` reaches `age` years: their birthday that year. Someone born
// on 29 February reaches an age on 1 March in a year that is not a leap year (the reading of
// the Family Law Reform Act 1969 s.9 used in England and Wales).
Date BirthdayAt(Date dob, int age);
// Whole years of age on `on`.
int AgeOn(Date dob, Date on);

// The last day of the school term that `d` falls in, in the simplified England term year used
// for PEPs: autumn 1 Sep - 31 Dec, spring 1 Jan - 31 Mar, summer 1 Apr - 31 Jul. A date in
// August (the summer holiday) belongs to the autumn term ahead.
Date SchoolTermEnd(Date d);

class Calendar {
 public:
  // The compiled-in England and Wales calendar (bank holidays 2015-2030).
  static const Calendar& EnglandAndWales();
  // Parses the CSV format of workflows/data/bank-holidays-england-wales.csv.
  static Result<Calendar> FromCsv(std::string_view csv);

  const std::string& version() const { return version_; }
  Date first_covered() const { return first_; }
  Date last_covered() const { return last_; }
  bool Covers(Date d) const { return d >= first_ && d <= last_; }

  bool IsBankHoliday(Date d) const { return holidays_.count(d.days()) > 0; }
  bool IsWorkingDay(Date d) const { return !d.IsWeekend() && !IsBankHoliday(d); }
  // The n-th working day after `start` (n >= 1); n = 0 gives `start` if it is a working day,
  // else the next working day. InvalidArgument if the answer falls outside the calendar.
  Result<Date> AddWorkingDays(Date start, int n) const;
  // The Nth working day before `end` (n >= 1); InvalidArgument outside the calendar's years.
  Result<Date> SubtractWorkingDays(Date end, int n) const;
  // Working days d with from < d <= to (0 if to <= from).
  Result<int> WorkingDaysBetween(Date from, Date to) const;

 private:
  std::string version_;
  std::set<std::int32_t> holidays_;
  Date first_, last_;
};

}  // namespace casetrail::workflows
