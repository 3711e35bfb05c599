#include "workflows/rules.hpp"

#include <algorithm>
#include <stdexcept>

#include "engine/hash.hpp"

namespace casetrail::workflows {
namespace {

using U = Unit;
using B = Basis;

constexpr Counting kAfter = Counting::kAfterTheDay;
constexpr Counting kBeginning = Counting::kBeginningWithTheDay;
constexpr Counting kElapsed = Counting::kElapsed;

// The timescales in force from 2015 (the start of the calendar), as corrected by `edition`.
// Sources: shared domain/seed-spec.md (T-ids, file:line citations into the Trust's documents)
// and domain/statutory-rules.md (N-ids = rows of its national table, with confidence marks).
// The last two fields are the counting convention and the wording it is read from.
std::vector<Timescale> Rules2015(int edition) {
  // Edition 1 counted every period in days, weeks or months from the day after its start. The
  // 26 weeks of CA 1989 s32(1)(a)(ii) begin WITH the day of issue, so edition 1 put the last
  // day one day late; the pre-proceedings review point is counted the same way (week 1 is the
  // week of the legal planning meeting, as the PLO tracker counts weeks).
  const Counting plo = edition >= 2 ? kBeginning : kAfter;
  return {
      // Front door, early help, family support
      {"T-01", "Referral to decision on the response", U::kWorkingDays, 1, B::kStatutory, "WT 2023 ch.4 (N-1); SE:657 reports within 24 hours", "[V]", kAfter, "\"within one working day of a referral being made\""},
      {"T-20", "Re-referral within this window returns to the last team", U::kMonths, 1, B::kLocalStandard, "SG:424", "[seed]", kAfter, "within a month of the case's closure"},
      {"T-21", "Step-up within this window of a step-down returns to the previous social worker", U::kMonths, 1, B::kLocalStandard, "FS:46", "[seed]", kAfter, "within a month of the step-down"},
      {"T-22", "Early help support duration (review at)", U::kMonths, 6, B::kLocalStandard, "SG:516", "[seed]", kAfter, "six months after support started"},
      {"T-23", "Time as child in need after a CP plan before step-down to family support", U::kMonths, 3, B::kLocalStandard, "FS:28", "[seed]", kAfter, "three months after the plan ended"},
      {"T-24", "Time on a CiN plan after return home from care before step-down", U::kMonths, 3, B::kLocalStandard, "FS:28", "[seed]", kAfter, "three months after the return home"},
      // Assessment and child in need
      {"T-14", "Referral to assessment completed", U::kWorkingDays, 45, B::kStatutory, "WT 2018/2023 (N-2); SE:676 (seed: not stated)", "[V]", kAfter, "\"within 45 working days from the point of referral\""},
      {"T-11", "Child in need visits, at most every", U::kWeeks, 6, B::kLocalStandard, "SE:698", "[seed]", kAfter, "six weeks after the last visit"},
      {"T-12", "Child in need reassessment", U::kMonths, 12, B::kLocalStandard, "SE:698", "[seed]", kAfter, "twelve months after the plan started"},
      // Child protection
      {"T-06", "Strategy discussion (that started the S47) to initial child protection conference", U::kWorkingDays, 15, B::kStatutory, "WT 2018/2023 (N-4); SE:975", "[V]", kAfter, "\"within 15 working days of the strategy discussion\""},
      {"N-08", "Initial conference to first core group", U::kWorkingDays, 10, B::kStatutory, "WT 2018 (N-8)", "[S]", kAfter, "\"within 10 working days of the initial child protection conference\""},
      {"N-10", "Child protection visits, at most every", U::kWorkingDays, 10, B::kLocalStandard, "local procedures (N-10); configurable", "[S]", kAfter, "every 10 working days after the last visit"},
      {"T-08", "Initial conference to first review conference", U::kMonths, 3, B::kStatutory, "CP procedures (N-6); SE:911; CP:399", "[V]", kAfter, "\"within three months of the initial conference\""},
      {"T-08b", "Review conference to the next, while the plan continues", U::kMonths, 6, B::kStatutory, "CP procedures (N-7)", "[V]", kAfter, "\"at intervals of not more than six months\""},
      {"T-09", "Child protection plan open longer than (flag)", U::kYears, 2, B::kOversight, "SE:911", "[seed]", kAfter, "open for two years (the plan's second anniversary)"},
      {"T-10", "Second child protection plan within (flag)", U::kMonths, 24, B::kOversight, "SE:970-972", "[seed]", kAfter, "within 24 months of the last plan ending"},
      // Pre-proceedings and proceedings
      {"T-30", "Legal planning meeting to initial pre-proceedings meeting", U::kWorkingDays, 10, B::kLocalStandard, "SE:1031; SE:1033 (PLWG target); N-36", "[S]", kAfter, "\"10 working days\" between the legal planning meeting and the meeting"},
      {"T-31", "Pre-proceedings review point", U::kWeeks, 16, B::kLocalStandard, "SE:1027; SE:1029 (average 15 weeks); N-37", "[S]", plo, "16 weeks of pre-proceedings, week 1 beginning with the day of the legal planning meeting"},
      {"T-32", "Care proceedings: issue to disposal", U::kWeeks, 26, B::kStatutory, "CA 1989 s32(1)(a)(ii) (N-27); CP:1124; SE:1180", "[V]", plo, "\"within the period of twenty-six weeks beginning with the day on which the application was issued\""},
      {"N-28", "Extension of the 26-week limit, each at most", U::kWeeks, 8, B::kStatutory, "CA 1989 s32(5)-(8) (N-28)", "[V]/[S]", kAfter, "s32(8): each extension \"is to end no more than eight weeks after\" the end of the period being extended"},
      // Children in care
      {"T-40", "Becoming looked after to an IRO allocated", U::kHours, 72, B::kLocalStandard, "SG:329", "[seed]", kElapsed, "within 72 hours of becoming looked after"},
      {"N-12", "Becoming looked after to the first review", U::kWorkingDays, 20, B::kStatutory, "CPPCR 2010 reg 33(1) (N-12); SE:1224", "[V]", kAfter, "\"within 20 working days of the date on which C becomes looked after\""},
      {"N-13", "First review to second review", U::kMonths, 3, B::kStatutory, "CPPCR 2010 reg 33(2) (N-13)", "[V]", kAfter, "\"not more than three months after the first\""},
      {"N-14", "Later reviews, at most every", U::kMonths, 6, B::kStatutory, "CPPCR 2010 reg 33(2) (N-14)", "[V]", kAfter, "\"not more than six months after the date of the previous review\""},
      {"N-19a", "Placement start to first visit", U::kWeeks, 1, B::kStatutory, "CPPCR 2010 reg 28(2) (N-19)", "[V]", kAfter, "\"within one week of the start of\" the placement"},
      {"N-19b", "Visits in the first year of a placement, at most every", U::kWeeks, 6, B::kStatutory, "CPPCR 2010 reg 28(2) (N-19)", "[V]", kAfter, "\"at intervals of not more than six weeks\""},
      {"N-19c", "Visits in a long-term placement, at most every", U::kMonths, 3, B::kStatutory, "CPPCR 2010 reg 28(2) (N-19)", "[V]", kAfter, "\"at intervals of not more than three months\""},
      {"T-4A", "Return from a missing episode to the return interview", U::kHours, 72, B::kLocalStandard, "SE (T-4A: after each episode); 72 hours from statutory guidance on missing children (ext)", "[S]", kElapsed, "within 72 hours of the child's return"},
      {"T-45", "Final looked-after review before the 18th birthday (within its 6 months)", U::kYears, 18, B::kStatutory, "SE (T-45); CPPCR 2010", "[seed]", kAfter, "before the 18th birthday"},
      {"T-48", "Personal education plan, each school term (the first one next term when care starts in the last 4 weeks of a term)", U::kMonths, 4, B::kStatutory, "SE (T-48: termly)", "[seed]", kAfter, "by the end of the school term"},
      {"T-46", "Health assessment, at most every", U::kMonths, 12, B::kStatutory, "SE:1285; SE:1299 (annual; 6 months under 5)", "[seed]", kAfter, "twelve months after the last assessment"},
      {"T-46u5", "Health assessment under 5, at most every", U::kMonths, 6, B::kStatutory, "SE:1285; SE:1299", "[seed]", kAfter, "six months after the last assessment"},
      // Permanence: adoption, special guardianship, connected persons
      {"T-50", "Decision that the child should be placed for adoption to placed for adoption", U::kMonths, 12, B::kLocalStandard, "SE:1459 (84% placed within 12 months of plan)", "[seed]", kAfter, "\"Placed within 12 months of plan\""},
      {"T-60", "Special guardianship or connected-person assessment, at least", U::kWeeks, 12, B::kLocalStandard, "CP:753", "[seed]", kAfter, "\"routinely accepted as a minimum of 12 weeks\" (filing sooner is flagged)"},
      {"T-61", "Special guardianship or connected-person assessment: mid-point review by week", U::kWeeks, 7, B::kLocalStandard, "CP:756", "[seed]", kBeginning, "\"Mid Point Reviews have been introduced at week 6/7\" (week 1 beginning with the day the assessment started)"},
      {"T-62", "Special guardianship order to the end of post-order support, at least", U::kMonths, 6, B::kLocalStandard, "CP:760", "[seed]", kAfter, "\"remain open to children's services for 3 months post order and to SGO service for 6 months after the order is granted\""},
      {"T-64", "Special guardianship or child arrangements post-order support plan review, at most every", U::kMonths, 12, B::kLocalStandard, "SG:341", "[seed]", kAfter, "\"annual review of the post order support plan\""},
      {"T-51", "Prospective adopter report (two stages) from the start of the assessment to approval", U::kMonths, 8, B::kLocalStandard, "SG:345", "[seed]", kAfter, "\"completed sequentially in two stages taking up to 8 months\""},
      {"T-121", "Foster carer review, at most every", U::kMonths, 12, B::kStatutory, "SG:339 (annual review); Fostering Services (England) Regs 2011 reg 28(2) (ext)", "[S]", kAfter, "\"annual review\": at intervals of not more than a year"},
      {"T-121u", "Unannounced visit to a foster carer, at least once every", U::kMonths, 12, B::kLocalStandard, "SG:339; Fostering NMS 2011 21.8 (ext)", "[seed]", kAfter, "\"at least one unannounced visit per year\""},
      {"T-120", "Fostering assessment (a connected person or a foster carer) to the fostering panel's decision", U::kWeeks, 16, B::kStatutory, "CP:677 (16 weeks recommended); CPPCR 2010 reg 24-25 (temporary approval of a connected person, 16 weeks) (ext)", "[S]", kAfter, "\"The current recommendation for a fostering assessment is 16 weeks\""},
      {"T-65", "Notification of private fostering to the Reg 4 visit", U::kWorkingDays, 7, B::kStatutory, "SE:822 (a joint Reg 4 visit); Children (Private Arrangements for Fostering) Regs 2005 reg 4(1) (ext: the seeds give no number)", "[S]", kAfter, "a visit \"within 7 working days\" of receiving the notification"},
      {"T-65b", "Private fostering visits in the arrangement's first year, at most every", U::kWeeks, 6, B::kStatutory, "SE:826 (Reg 8 visits \"routinely\"); PAFR 2005 reg 8(1)(a) (ext)", "[S]", kAfter, "\"at intervals of not more than 6 weeks\" in the first year"},
      {"T-65c", "Private fostering visits after the first year, at most every", U::kWeeks, 12, B::kStatutory, "SE:826; PAFR 2005 reg 8(1)(b) (ext)", "[S]", kAfter, "\"at intervals of not more than 12 weeks\" in any later year"},
      // Unaccompanied asylum-seeking children
      {"T-91", "Arrival to the trafficking risk assessment", U::kDays, 1, B::kLocalStandard, "SE:1499", "[seed]", kBeginning, "\"completed for all new UASC on their first encounter\": one day beginning with the day of arrival"},
      {"T-90", "Age assessment pending longer than (flag)", U::kMonths, 7, B::kOversight, "SE:1501", "[seed]", kAfter, "\"some children are currently waiting up to seven months to receive an age assessment\""},
      // Child in need with no recourse to public funds; disabled children; interventions
      {"T-13", "No recourse to public funds: support reviewed, at most every", U::kMonths, 3, B::kLocalStandard, "SG:304", "[seed]", kAfter, "\"reviewed on a 3 monthly basis\""},
      {"N-EHC", "Request for social care advice to an EHC needs assessment to the advice", U::kWeeks, 6, B::kStatutory, "SEND Regulations 2014 reg 8(2) (ext: not in the seeds or statutory-rules.md; the seeds name the gap, SE:875)", "[S]", kAfter, "advice \"within six weeks\" of the request"},
      {"T-110", "Families Together Plus: acceptance to the end of the work, at most", U::kWeeks, 12, B::kLocalStandard, "SG:239", "[seed]", kAfter, "\"usually over a period of 4 – 12 weeks\""},
      {"T-111", "Multi-systemic therapy: acceptance to the end of the work, at most", U::kWeeks, 20, B::kLocalStandard, "SG:310", "[seed]", kAfter, "\"3-4 home visits per week, for 12-20 weeks\""},
      {"T-112", "Youth offending prevention offer: acceptance to the end of the plan, at most", U::kMonths, 6, B::kLocalStandard, "SE:1075", "[seed]", kAfter, "\"a plan of tailored support ... for three-six months\""},
      // Allegations against people who work with children (the LADO's record, not a child's)
      {"T-100", "A concern about someone who works with children to the referral to the LADO", U::kWorkingDays, 1, B::kStatutory, "SG:324; Working Together 2023 ch.2 (organisations' arrangements for allegations)", "[seed]", kAfter, "\"It is a statutory responsibility for organizations to contact the LADO within one working day\""},
      {"T-103", "Referral to the LADO to the initial evaluation", U::kWorkingDays, 1, B::kLocalStandard, "local LADO procedures (ext: the seeds give the referrer's duty only, SG:324)", "[S]", kAfter, "evaluated within one working day of the referral"},
      // Leaving care
      {"N-21", "16th birthday (or eligibility) to needs assessment", U::kMonths, 3, B::kStatutory, "CPPCR 2010 reg 42(1) (N-21)", "[V]", kAfter, "\"not more than three months after\" the 16th birthday or becoming eligible"},
      {"N-22", "Pathway plan reviews, at most every", U::kMonths, 6, B::kStatutory, "Care Leavers (England) Regs 2010 reg 7 (N-22)", "[S]", kAfter, "\"at intervals of not more than six months\""},
      {"N-26", "Personal adviser visits, at most every", U::kMonths, 2, B::kStatutory, "Care Leavers (England) Regs 2010 reg 8 (N-26)", "[S]", kAfter, "\"at intervals of not more than two months\""},
      {"T-82", "Staying put, up to age", U::kYears, 21, B::kStatutory, "SG:256", "[seed]", kAfter, "to the 21st birthday"},
      {"T-81", "Care leaver support, up to age", U::kYears, 21, B::kStatutory, "CP:805 (to 21, or 25 in higher education)", "[seed]", kAfter, "to the 21st birthday"},
      // Transfers
      {"T-70", "Transfer between teams completed within", U::kWeeks, 2, B::kLocalStandard, "SG:403; SG:412", "[seed]", kAfter, "within two weeks of the transfer request"},
      {"T-71", "Record summary updated within, at transfer", U::kMonths, 1, B::kLocalStandard, "SG:408", "[seed]", kAfter, "within a month before the transfer"},
  };
}

// From 1 April 2018 (Children and Social Work Act 2017): personal adviser support to 25 for
// every former relevant child who asks, not only those in education (SG:256, "up to 25").
std::vector<Timescale> Rules2018(int edition) {
  auto rules = Rules2015(edition);
  for (auto& r : rules) {
    if (r.id == "T-81") {
      r.amount = 25;
      r.source = "CSWA 2017 s3 (CA 1989 s23CZB); SG:256";
      r.confidence = "[S]";
      r.wording = "to the 25th birthday";
    }
  }
  return rules;
}

const char* const kEdition2Change =
    "T-32 and T-31 are counted beginning with the day they start (the issue day is day 1 of the "
    "26 weeks, CA 1989 s32(1)(a)(ii)): edition 1 put their last day one day late";

}  // namespace

const char* CountingName(Counting c) {
  switch (c) {
    case Counting::kAfterTheDay: return "after the day";
    case Counting::kBeginningWithTheDay: return "beginning with the day";
    case Counting::kElapsed: return "elapsed";
  }
  return "?";
}

const char* BasisName(Basis b) {
  switch (b) {
    case Basis::kStatutory: return "statutory";
    case Basis::kLocalStandard: return "local standard";
    case Basis::kOversight: return "oversight";
  }
  return "?";
}

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
  std::sort(sets_.begin(), sets_.end(), [](const RuleSet& a, const RuleSet& b) {
    return a.effective_from != b.effective_from ? a.effective_from < b.effective_from : a.edition < b.edition;
  });
  for (const auto& s : sets_) current_edition_ = std::max(current_edition_, s.edition);
}

const RuleBook& RuleBook::Default() {
  const Date released = Date::FromYmd(2026, 1, 5);  // the first release's rule tables
  const Date corrected = Date::FromYmd(2026, 12, 7);
  static const RuleBook book({
      {"rules-2015.1", Date::FromYmd(2015, 1, 1), Rules2015(1), 1, released, ""},
      {"rules-2018.1", Date::FromYmd(2018, 4, 1), Rules2018(1), 1, released, ""},
      {"rules-2015.2", Date::FromYmd(2015, 1, 1), Rules2015(2), 2, corrected, kEdition2Change},
      {"rules-2018.2", Date::FromYmd(2018, 4, 1), Rules2018(2), 2, corrected, kEdition2Change},
  });
  return book;
}

Result<const RuleSet*> RuleBook::SetOn(Date on, int edition) const {
  if (edition == kCurrentEdition) edition = current_edition_;
  const RuleSet* in_force = nullptr;
  for (const auto& s : sets_) {  // ascending (date, edition): the last match wins
    if (s.effective_from <= on && s.edition <= edition) in_force = &s;
  }
  if (!in_force) return Status::NotFound("no rule set is in force on " + on.ToString());
  return in_force;
}

const RuleSet* RuleBook::SetNamed(const std::string& version) const {
  for (const auto& s : sets_) {
    if (s.version == version) return &s;
  }
  return nullptr;
}

Result<std::string> RuleBook::VersionOn(Date on, int edition) const {
  auto set = SetOn(on, edition);
  if (!set.ok()) return set.status();
  return (*set)->version;
}

Result<Timescale> RuleBook::Find(const std::string& id, Date on, int edition) const {
  auto set = SetOn(on, edition);
  if (!set.ok()) return set.status();
  for (const auto& r : (*set)->rules) {
    if (r.id == id) return r;
  }
  return Status::NotFound("no timescale rule '" + id + "' in " + (*set)->version);
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

Result<Date> RuleBook::LastDay(const Timescale& rule, Date start, const Calendar& calendar) {
  // "Beginning with the day": the start day is day 1, so the period ends one day sooner than a
  // period counted after the day. Working days: the day before the start is day 0.
  const bool beginning = rule.counting == Counting::kBeginningWithTheDay;
  switch (rule.unit) {
    case Unit::kHours:
      return Status::InvalidArgument(rule.id, "is measured in hours, not days");
    case Unit::kWorkingDays:
      return calendar.AddWorkingDays(beginning ? start.AddDays(-1) : start, rule.amount);
    case Unit::kDays: return start.AddDays(rule.amount - (beginning ? 1 : 0));
    case Unit::kWeeks: return start.AddWeeks(rule.amount).AddDays(beginning ? -1 : 0);
    case Unit::kMonths: return start.AddMonths(rule.amount).AddDays(beginning ? -1 : 0);
    case Unit::kYears: return start.AddYears(rule.amount).AddDays(beginning ? -1 : 0);
  }
  return Status::InvalidArgument(rule.id, "has an unknown unit");
}

Result<Deadline> RuleBook::Due(const std::string& id, std::int64_t start_us, const Calendar& calendar,
                               int edition) const {
  const Date start = Date::FromTimestampUs(start_us);
  auto set = SetOn(start, edition);
  if (!set.ok()) return set.status();
  auto rule = Find(id, start, edition);
  if (!rule.ok()) return rule.status();
  Deadline d;
  d.rule_id = id;
  d.rule_version = (*set)->version;
  d.start_us = start_us;
  constexpr std::int64_t kHourUs = 3600LL * 1000000;
  if (rule->unit == Unit::kHours) {
    d.due_by_us = start_us + rule->amount * kHourUs;
    d.due_date = Date::FromTimestampUs(d.due_by_us - 1);
    return d;
  }
  auto last = LastDay(*rule, start, calendar);
  if (!last.ok()) return last.status();
  d.due_date = *last;
  d.due_by_us = d.due_date.AddDays(1).StartUs();
  return d;
}

std::string RuleBook::Fingerprint() const {
  std::string text;
  for (const auto& s : sets_) {
    text += s.version + "@" + s.effective_from.ToString() + "#" + std::to_string(s.edition) + "\n";
    for (const auto& r : s.rules) {
      text += r.id + "|" + UnitName(r.unit) + "|" + std::to_string(r.amount) + "|" +
              std::to_string(static_cast<int>(r.basis)) + "|" + CountingName(r.counting) + "\n";
    }
  }
  return Sha256Hex(text);
}

}  // namespace casetrail::workflows
