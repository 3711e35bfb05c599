#include "workflows/rules.hpp"

#include <algorithm>
#include <stdexcept>

#include "engine/hash.hpp"

namespace casetrail::workflows {
namespace {

using U = Unit;
using B = Basis;

// The timescales in force from 2015 (the start of the calendar). Sources: shared
// domain/seed-spec.md (T-ids, file:line citations into the Trust's documents) and
// domain/statutory-rules.md (N-ids = rows of its national table, with confidence marks).
std::vector<Timescale> Rules2015() {
  return {
      // Front door, early help, family support
      {"T-01", "Referral to decision on the response", U::kWorkingDays, 1, B::kStatutory, "WT 2023 ch.4 (N-1); SE:657 reports within 24 hours", "[V]"},
      {"T-20", "Re-referral within this window returns to the last team", U::kMonths, 1, B::kLocalStandard, "SG:424", "[seed]"},
      {"T-21", "Step-up within this window of a step-down returns to the previous social worker", U::kMonths, 1, B::kLocalStandard, "FS:46", "[seed]"},
      {"T-22", "Early help support duration (review at)", U::kMonths, 6, B::kLocalStandard, "SG:516", "[seed]"},
      {"T-23", "Time as child in need after a CP plan before step-down to family support", U::kMonths, 3, B::kLocalStandard, "FS:28", "[seed]"},
      {"T-24", "Time on a CiN plan after return home from care before step-down", U::kMonths, 3, B::kLocalStandard, "FS:28", "[seed]"},
      // Assessment and child in need
      {"T-14", "Referral to assessment completed", U::kWorkingDays, 45, B::kStatutory, "WT 2018/2023 (N-2); SE:676 (seed: not stated)", "[V]"},
      {"T-11", "Child in need visits, at most every", U::kWeeks, 6, B::kLocalStandard, "SE:698", "[seed]"},
      {"T-12", "Child in need reassessment", U::kMonths, 12, B::kLocalStandard, "SE:698", "[seed]"},
      // Child protection
      {"T-06", "Strategy discussion (that started the S47) to initial child protection conference", U::kWorkingDays, 15, B::kStatutory, "WT 2018/2023 (N-4); SE:975", "[V]"},
      {"N-08", "Initial conference to first core group", U::kWorkingDays, 10, B::kStatutory, "WT 2018 (N-8)", "[S]"},
      {"N-10", "Child protection visits, at most every", U::kWorkingDays, 10, B::kLocalStandard, "local procedures (N-10); configurable", "[S]"},
      {"T-08", "Initial conference to first review conference", U::kMonths, 3, B::kStatutory, "CP procedures (N-6); SE:911; CP:399", "[V]"},
      {"T-08b", "Review conference to the next, while the plan continues", U::kMonths, 6, B::kStatutory, "CP procedures (N-7)", "[V]"},
      {"T-09", "Child protection plan open longer than (flag)", U::kYears, 2, B::kOversight, "SE:911", "[seed]"},
      {"T-10", "Second child protection plan within (flag)", U::kMonths, 24, B::kOversight, "SE:970-972", "[seed]"},
      // Pre-proceedings and proceedings
      {"T-30", "Legal planning meeting to initial pre-proceedings meeting", U::kWorkingDays, 10, B::kLocalStandard, "SE:1031; SE:1033 (PLWG target); N-36", "[S]"},
      {"T-31", "Pre-proceedings review point", U::kWeeks, 16, B::kLocalStandard, "SE:1027; SE:1029 (average 15 weeks); N-37", "[S]"},
      {"T-32", "Care proceedings: issue to disposal", U::kWeeks, 26, B::kStatutory, "CA 1989 s32(1)(a)(ii) (N-27); CP:1124; SE:1180", "[V]"},
      {"N-28", "Extension of the 26-week limit, each at most", U::kWeeks, 8, B::kStatutory, "CA 1989 s32(5)-(8) (N-28)", "[V]/[S]"},
      // Children in care
      {"T-40", "Becoming looked after to an IRO allocated", U::kHours, 72, B::kLocalStandard, "SG:329", "[seed]"},
      {"N-12", "Becoming looked after to the first review", U::kWorkingDays, 20, B::kStatutory, "CPPCR 2010 reg 33(1) (N-12); SE:1224", "[V]"},
      {"N-13", "First review to second review", U::kMonths, 3, B::kStatutory, "CPPCR 2010 reg 33(2) (N-13)", "[V]"},
      {"N-14", "Later reviews, at most every", U::kMonths, 6, B::kStatutory, "CPPCR 2010 reg 33(2) (N-14)", "[V]"},
      {"N-19a", "Placement start to first visit", U::kWeeks, 1, B::kStatutory, "CPPCR 2010 reg 28(2) (N-19)", "[V]"},
      {"N-19b", "Visits in the first year of a placement, at most every", U::kWeeks, 6, B::kStatutory, "CPPCR 2010 reg 28(2) (N-19)", "[V]"},
      {"N-19c", "Visits in a long-term placement, at most every", U::kMonths, 3, B::kStatutory, "CPPCR 2010 reg 28(2) (N-19)", "[V]"},
      {"T-4A", "Return from a missing episode to the return interview", U::kHours, 72, B::kLocalStandard, "SE (T-4A: after each episode); 72 hours from statutory guidance on missing children (ext)", "[S]"},
      {"T-45", "Final looked-after review before the 18th birthday (within its 6 months)", U::kYears, 18, B::kStatutory, "SE (T-45); CPPCR 2010", "[seed]"},
      {"T-48", "Personal education plan, each school term (the first one next term when care starts in the last 4 weeks of a term)", U::kMonths, 4, B::kStatutory, "SE (T-48: termly)", "[seed]"},
      {"T-46", "Health assessment, at most every", U::kMonths, 12, B::kStatutory, "SE:1285; SE:1299 (annual; 6 months under 5)", "[seed]"},
      {"T-46u5", "Health assessment under 5, at most every", U::kMonths, 6, B::kStatutory, "SE:1285; SE:1299", "[seed]"},
      // Leaving care
      {"N-21", "16th birthday (or eligibility) to needs assessment", U::kMonths, 3, B::kStatutory, "CPPCR 2010 reg 42(1) (N-21)", "[V]"},
      {"N-22", "Pathway plan reviews, at most every", U::kMonths, 6, B::kStatutory, "Care Leavers (England) Regs 2010 reg 7 (N-22)", "[S]"},
      {"N-26", "Personal adviser visits, at most every", U::kMonths, 2, B::kStatutory, "Care Leavers (England) Regs 2010 reg 8 (N-26)", "[S]"},
      {"T-82", "Staying put, up to age", U::kYears, 21, B::kStatutory, "SG:256", "[seed]"},
      {"T-81", "Care leaver support, up to age", U::kYears, 21, B::kStatutory, "CP:805 (to 21, or 25 in higher education)", "[seed]"},
      // Transfers
      {"T-70", "Transfer between teams completed within", U::kWeeks, 2, B::kLocalStandard, "SG:403; SG:412", "[seed]"},
      {"T-71", "Record summary updated within, at transfer", U::kMonths, 1, B::kLocalStandard, "SG:408", "[seed]"},
  };
}

// From 1 April 2018 (Children and Social Work Act 2017): personal adviser support to 25 for
// every former relevant child who asks, not only those in education (SG:256, "up to 25").
std::vector<Timescale> Rules2018() {
  auto rules = Rules2015();
  for (auto& r : rules) {
    if (r.id == "T-81") {
      r.amount = 25;
      r.source = "CSWA 2017 s3 (CA 1989 s23CZB); SG:256";
      r.confidence = "[S]";
    }
  }
  return rules;
}

}  // namespace

const char* UnitName(Unit u) {
  switch (u) {
    case Unit::kHours: return "hours";
    case Unit::kWorkingDays: return "working days";
    case Unit::kDays: return "days";
    case Unit::kWeeks: return "weeks";
    case Unit::kMonths: return "months";
    case Unit::kYears: return "years";
  }
  return "?";
}

RuleBook::RuleBook(std::vector<RuleSet> sets) : sets_(std::move(sets)) {
  std::sort(sets_.begin(), sets_.end(),
            [](const RuleSet& a, const RuleSet& b) { return a.effective_from < b.effective_from; });
}

const RuleBook& RuleBook::Default() {
  static const RuleBook book({
      {"rules-2015.1", Date::FromYmd(2015, 1, 1), Rules2015()},
      {"rules-2018.1", Date::FromYmd(2018, 4, 1), Rules2018()},
  });
  return book;
}

Result<std::string> RuleBook::VersionOn(Date on) const {
  const RuleSet* in_force = nullptr;
  for (const auto& s : sets_) {
    if (s.effective_from <= on) in_force = &s;
  }
  if (!in_force) return Status::NotFound("no rule set is in force on " + on.ToString());
  return in_force->version;
}

Result<Timescale> RuleBook::Find(const std::string& id, Date on) const {
  const RuleSet* in_force = nullptr;
  for (const auto& s : sets_) {
    if (s.effective_from <= on) in_force = &s;
  }
  if (!in_force) return Status::NotFound("no rule set is in force on " + on.ToString());
  for (const auto& r : in_force->rules) {
    if (r.id == id) return r;
  }
  return Status::NotFound("no timescale rule '" + id + "' in " + in_force->version);
}

Result<RuleBook> RuleBook::WithLocalStandard(const std::string& id, int amount) const {
  if (amount <= 0) return Status::InvalidArgument(id, "a timescale must be positive");
  std::vector<RuleSet> sets = sets_;
  bool found = false;
  for (auto& s : sets) {
    for (auto& r : s.rules) {
      if (r.id != id) continue;
      found = true;
      if (r.basis == Basis::kStatutory && amount > r.amount) {
        return Status::InvalidArgument(
            id, "a local standard may not lengthen the statutory timescale of " +
                    std::to_string(r.amount) + " " + UnitName(r.unit) + " (" + r.name + ")");
      }
      r.amount = amount;
      r.basis = r.basis == Basis::kStatutory ? Basis::kStatutory : Basis::kLocalStandard;
    }
    s.version += "+" + id + "=" + std::to_string(amount);
  }
  if (!found) return Status::InvalidArgument(id, "is not a known timescale rule");
  return RuleBook(std::move(sets));
}

Result<RuleBook> RuleBook::WithLocalStandards(std::string_view text) const {
  RuleBook book = *this;
  int line_no = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string line(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    const auto eq = line.find('=');
    auto trim = [](std::string s) {
      const auto b = s.find_first_not_of(" \t\r");
      const auto e = s.find_last_not_of(" \t\r");
      return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    };
    const std::string where = "local standards line " + std::to_string(line_no);
    if (eq == std::string::npos) return Status::InvalidArgument(where, "expected 'ID = AMOUNT'");
    const std::string id = trim(line.substr(0, eq));
    const std::string amount = trim(line.substr(eq + 1));
    int n = 0;
    try {
      std::size_t used = 0;
      n = std::stoi(amount, &used);
      if (used != amount.size()) throw std::invalid_argument(amount);
    } catch (const std::exception&) {
      return Status::InvalidArgument(where, "'" + amount + "' is not a whole number");
    }
    auto next = book.WithLocalStandard(id, n);
    if (!next.ok()) {
      return Status::InvalidArgument(where, id + " " + next.status().message());
    }
    book = std::move(next).value();
  }
  return book;
}

Result<Deadline> RuleBook::Due(const std::string& id, std::int64_t start_us,
                               const Calendar& calendar) const {
  const Date start = Date::FromTimestampUs(start_us);
  auto rule = Find(id, start);
  if (!rule.ok()) return rule.status();
  auto version = VersionOn(start);
  Deadline d;
  d.rule_id = id;
  d.rule_version = *version;
  d.start_us = start_us;
  constexpr std::int64_t kHourUs = 3600LL * 1000000;
  switch (rule->unit) {
    case Unit::kHours:
      d.due_by_us = start_us + rule->amount * kHourUs;
      d.due_date = Date::FromTimestampUs(d.due_by_us - 1);
      return d;
    case Unit::kWorkingDays: {
      auto due = calendar.AddWorkingDays(start, rule->amount);
      if (!due.ok()) return due.status();
      d.due_date = *due;
      break;
    }
    case Unit::kDays: d.due_date = start.AddDays(rule->amount); break;
    case Unit::kWeeks: d.due_date = start.AddWeeks(rule->amount); break;
    case Unit::kMonths: d.due_date = start.AddMonths(rule->amount); break;
    case Unit::kYears: d.due_date = start.AddYears(rule->amount); break;
  }
  d.due_by_us = d.due_date.AddDays(1).StartUs();
  return d;
}

std::string RuleBook::Fingerprint() const {
  std::string text;
  for (const auto& s : sets_) {
    text += s.version + "@" + s.effective_from.ToString() + "\n";
    for (const auto& r : s.rules) {
      text += r.id + "|" + UnitName(r.unit) + "|" + std::to_string(r.amount) + "|" +
              std::to_string(static_cast<int>(r.basis)) + "\n";
    }
  }
  return Sha256Hex(text);
}

}  // namespace casetrail::workflows
