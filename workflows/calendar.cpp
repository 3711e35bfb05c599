#include "workflows/calendar.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace casetrail::workflows {
namespace {

// Howard Hinnant's civil-from-days / days-from-civil algorithms (proleptic Gregorian).
std::int32_t DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

void CivilFromDays(std::int32_t z, int* y, int* m, int* d) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = static_cast<int>(yoe) + era * 400 + (*m <= 2);
}

}  // namespace

// Generated at configure time from workflows/data/bank-holidays-england-wales.csv.
extern const char* const kBankHolidaysCsv;

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

Date Date::FromYmd(int y, int m, int d) {
  return Date(DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)));
}

Result<Date> Date::Parse(std::string_view t, const std::string& field) {
  auto bad = [&] {
    return Status::InvalidArgument(field, "must be a date YYYY-MM-DD, got '" +
                                              std::string(t.substr(0, 32)) + "'");
  };
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return bad();
  int y = 0, m = 0, d = 0;
  auto num = [&](std::size_t at, std::size_t n, int* out) {
    auto [p, ec] = std::from_chars(t.data() + at, t.data() + at + n, *out);
    return ec == std::errc() && p == t.data() + at + n;
  };
  if (!num(0, 4, &y) || !num(5, 2, &m) || !num(8, 2, &d)) return bad();
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return bad();
  return FromYmd(y, m, d);
}

namespace {
constexpr std::int64_t kDayUs = 86400LL * 1000000;
constexpr std::int64_t kHourUs = 3600LL * 1000000;

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if (a % b != 0 && (a < 0) != (b < 0)) --q;
  return q;
}

// 01:00 UTC on the last Sunday of `month`: when the London clock changes (since 1996).
std::int64_t ChangeInstant(int year, int month) {
  Date last = Date::FromYmd(year, month, DaysInMonth(year, month));
  last = last.AddDays(-((last.weekday() + 1) % 7));  // back to Sunday (weekday 6)
  return static_cast<std::int64_t>(last.days()) * kDayUs + kHourUs;
}
}  // namespace

bool IsBritishSummerTime(std::int64_t us) {
  const Date utc_day = Date::FromDays(static_cast<std::int32_t>(FloorDiv(us, kDayUs)));
  const int y = utc_day.year();
  return us >= ChangeInstant(y, 3) && us < ChangeInstant(y, 10);
}

Date Date::FromTimestampUs(std::int64_t us) {
  const std::int64_t local = us + (IsBritishSummerTime(us) ? kHourUs : 0);
  return Date(static_cast<std::int32_t>(FloorDiv(local, kDayUs)));
}

std::int64_t Date::StartUs() const {
  const std::int64_t utc_midnight = static_cast<std::int64_t>(days_) * kDayUs;
  // In summer, London midnight is 23:00 UTC the evening before.
  return IsBritishSummerTime(utc_midnight - kHourUs) ? utc_midnight - kHourUs : utc_midnight;
}

int Date::year() const {
  int y, m, d;
  CivilFromDays(days_, &y, &m, &d);
  return y;
}
int Date::month() const {
  int y, m, d;
  CivilFromDays(days_, &y, &m, &d);
  return m;
}
int Date::day() const {
  int y, m, d;
  CivilFromDays(days_, &y, &m, &d);
  return d;
}
int Date::weekday() const {
  // 1970-01-01 was a Thursday (3 when Monday is 0).
  int w = (days_ % 7 + 7 + 3) % 7;
  return w;
}

std::string Date::ToString() const {
  int y, m, d;
  CivilFromDays(days_, &y, &m, &d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

Date Date::AddMonths(int n) const {
  int y, m, d;
  CivilFromDays(days_, &y, &m, &d);
  int total = y * 12 + (m - 1) + n;
  int ny = total / 12, nm = total % 12 + 1;
  return FromYmd(ny, nm, std::min(d, DaysInMonth(ny, nm)));
}

Date BirthdayAt(Date dob, int age) {
  const int y = dob.year() + age;
  if (dob.month() == 2 && dob.day() == 29 && !IsLeapYear(y)) return Date::FromYmd(y, 3, 1);
  return Date::FromYmd(y, dob.month(), dob.day());
}

int AgeOn(Date dob, Date on) {
  int age = on.year() - dob.year();
  if (age > 0 && on < BirthdayAt(dob, age)) --age;
  return age < 0 ? 0 : age;
}

Date SchoolTermEnd(Date d) {
  const int y = d.year(), m = d.month();
  if (m <= 3) return Date::FromYmd(y, 3, 31);
  if (m <= 7) return Date::FromYmd(y, 7, 31);
  return Date::FromYmd(y, 12, 31);
}

Result<Calendar> Calendar::FromCsv(std::string_view csv) {
  Calendar c;
  std::size_t line_no = 0;
  bool header_seen = false;
  while (!csv.empty()) {
    auto nl = csv.find('\n');
    std::string_view line = csv.substr(0, nl);
    csv = nl == std::string_view::npos ? std::string_view() : csv.substr(nl + 1);
    ++line_no;
    if (line.empty()) continue;
    if (line[0] == '#') {
      constexpr std::string_view kTag = "calendar version ";
      if (auto at = line.find(kTag); at != std::string_view::npos) {
        c.version_ = std::string(line.substr(at + kTag.size()));
      }
      continue;
    }
    if (!header_seen) {
      header_seen = true;
      if (line.substr(0, 5) != "date,") {
        return Status::InvalidArgument("calendar", "line " + std::to_string(line_no) +
                                                       ": expected the header 'date,name,status'");
      }
      continue;
    }
    auto d = Date::Parse(line.substr(0, 10), "calendar line " + std::to_string(line_no));
    if (!d.ok()) return d.status();
    c.holidays_.insert(d->days());
  }
  if (c.version_.empty()) return Status::InvalidArgument("calendar", "has no version line");
  if (c.holidays_.empty()) return Status::InvalidArgument("calendar", "lists no bank holidays");
  const Date first = Date::FromDays(*c.holidays_.begin());
  const Date last = Date::FromDays(*c.holidays_.rbegin());
  c.first_ = Date::FromYmd(first.year(), 1, 1);
  c.last_ = Date::FromYmd(last.year(), 12, 31);
  return c;
}

const Calendar& Calendar::EnglandAndWales() {
  static const Calendar c = std::move(FromCsv(kBankHolidaysCsv)).value();
  return c;
}

Result<Date> Calendar::AddWorkingDays(Date start, int n) const {
  Date d = start;
  if (n == 0) {
    while (Covers(d) && !IsWorkingDay(d)) d = d.AddDays(1);
  }
  for (int i = 0; i < n && Covers(d);) {
    d = d.AddDays(1);
    if (IsWorkingDay(d)) ++i;
  }
  if (!Covers(d) || !Covers(start)) {
    return Status::InvalidArgument(
        "date", "working days are known from " + first_.ToString() + " to " + last_.ToString() +
                    " (calendar " + version_ + "); " + start.ToString() + " + " +
                    std::to_string(n) + " working days falls outside");
  }
  return d;
}

Result<Date> Calendar::SubtractWorkingDays(Date end, int n) const {
  Date d = end;
  for (int i = 0; i < n && Covers(d);) {
    d = d.AddDays(-1);
    if (IsWorkingDay(d)) ++i;
  }
  if (!Covers(d) || !Covers(end)) {
    return Status::InvalidArgument("date", "working days are known from " + first_.ToString() + " to " +
                                               last_.ToString() + " (calendar " + version_ + ")");
  }
  return d;
}

Result<int> Calendar::WorkingDaysBetween(Date from, Date to) const {
  if (to <= from) return 0;
  if (!Covers(from) || !Covers(to)) {
    return Status::InvalidArgument("date", "working days are known from " + first_.ToString() +
                                               " to " + last_.ToString());
  }
  int n = 0;
  for (Date d = from.AddDays(1); d <= to; d = d.AddDays(1)) n += IsWorkingDay(d) ? 1 : 0;
  return n;
}

}  // namespace casetrail::workflows
