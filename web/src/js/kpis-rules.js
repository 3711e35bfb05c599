// kpis-rules.js: casetrail's timescale rules by id, in words: what each deadline is, its period,
// its basis (statutory or local standard) and its source. Copied from docs/workflows/rules.md
// ("In force now: rules-2018.2 (effective 2018-04-01, edition 2)"), which workflows/rules.cpp
// generates; there is no API route for the rule book, so when the rules change, copy the table
// again. Used by the KPI dashboard (deadlines breached by rule) and the audit page (open
// deadlines). Imports nothing and touches no DOM (the tests import it too).

/** @type {Map<string, {title: string, period: string, basis: string, source: string}>} */
export const RULES = new Map([
  ["T-01", { title: "Referral to decision on the response", period: "1 working day", basis: "statutory", source: "WT 2023 ch.4 (N-1); SE:657 reports within 24 hours" }],
  ["T-20", { title: "Re-referral within this window returns to the last team", period: "1 month", basis: "local standard", source: "SG:424" }],
  ["T-21", { title: "Step-up within this window of a step-down returns to the previous social worker", period: "1 month", basis: "local standard", source: "FS:46" }],
  ["T-22", { title: "Early help support duration (review at)", period: "6 months", basis: "local standard", source: "SG:516" }],
  ["T-23", { title: "Time as child in need after a CP plan before step-down to family support", period: "3 months", basis: "local standard", source: "FS:28" }],
  ["T-24", { title: "Time on a CiN plan after return home from care before step-down", period: "3 months", basis: "local standard", source: "FS:28" }],
  ["T-14", { title: "Referral to assessment completed", period: "45 working days", basis: "statutory", source: "WT 2018/2023 (N-2); SE:676 (seed: not stated)" }],
  ["T-11", { title: "Child in need visits, at most every", period: "6 weeks", basis: "local standard", source: "SE:698" }],
  ["T-12", { title: "Child in need reassessment", period: "12 months", basis: "local standard", source: "SE:698" }],
  ["T-06", { title: "Strategy discussion (that started the S47) to initial child protection conference", period: "15 working days", basis: "statutory", source: "WT 2018/2023 (N-4); SE:975" }],
  ["N-08", { title: "Initial conference to first core group", period: "10 working days", basis: "statutory", source: "WT 2018 (N-8)" }],
  ["N-10", { title: "Child protection visits, at most every", period: "10 working days", basis: "local standard", source: "local procedures (N-10); configurable" }],
  ["T-08", { title: "Initial conference to first review conference", period: "3 months", basis: "statutory", source: "CP procedures (N-6); SE:911; CP:399" }],
  ["T-08b", { title: "Review conference to the next, while the plan continues", period: "6 months", basis: "statutory", source: "CP procedures (N-7)" }],
  ["T-09", { title: "Child protection plan open longer than (flag)", period: "2 years", basis: "oversight", source: "SE:911" }],
  ["T-10", { title: "Second child protection plan within (flag)", period: "24 months", basis: "oversight", source: "SE:970-972" }],
  ["T-30", { title: "Legal planning meeting to initial pre-proceedings meeting", period: "10 working days", basis: "local standard", source: "SE:1031; SE:1033 (PLWG target); N-36" }],
  ["T-31", { title: "Pre-proceedings review point", period: "16 weeks", basis: "local standard", source: "SE:1027; SE:1029 (average 15 weeks); N-37" }],
  ["T-32", { title: "Care proceedings: issue to disposal", period: "26 weeks", basis: "statutory", source: "CA 1989 s32(1)(a)(ii) (N-27); CP:1124; SE:1180" }],
  ["N-28", { title: "Extension of the 26-week limit, each at most", period: "8 weeks", basis: "statutory", source: "CA 1989 s32(5)-(8) (N-28)" }],
  ["T-40", { title: "Becoming looked after to an IRO allocated", period: "72 hours", basis: "local standard", source: "SG:329" }],
  ["N-12", { title: "Becoming looked after to the first review", period: "20 working days", basis: "statutory", source: "CPPCR 2010 reg 33(1) (N-12); SE:1224" }],
  ["N-13", { title: "First review to second review", period: "3 months", basis: "statutory", source: "CPPCR 2010 reg 33(2) (N-13)" }],
  ["N-14", { title: "Later reviews, at most every", period: "6 months", basis: "statutory", source: "CPPCR 2010 reg 33(2) (N-14)" }],
  ["N-19a", { title: "Placement start to first visit", period: "1 week", basis: "statutory", source: "CPPCR 2010 reg 28(2) (N-19)" }],
  ["N-19b", { title: "Visits in the first year of a placement, at most every", period: "6 weeks", basis: "statutory", source: "CPPCR 2010 reg 28(2) (N-19)" }],
  ["N-19c", { title: "Visits in a long-term placement, at most every", period: "3 months", basis: "statutory", source: "CPPCR 2010 reg 28(2) (N-19)" }],
  ["T-4A", { title: "Return from a missing episode to the return interview", period: "72 hours", basis: "local standard", source: "SE (T-4A: after each episode); 72 hours from statutory guidance on missing children (ext)" }],
  ["T-45", { title: "Final looked-after review before the 18th birthday (within its 6 months)", period: "18 years", basis: "statutory", source: "SE (T-45); CPPCR 2010" }],
  ["T-48", { title: "Personal education plan, each school term (the first one next term when care starts in the last 4 weeks of a term)", period: "4 months", basis: "statutory", source: "SE (T-48: termly)" }],
  ["T-46", { title: "Health assessment, at most every", period: "12 months", basis: "statutory", source: "SE:1285; SE:1299 (annual; 6 months under 5)" }],
  ["T-46u5", { title: "Health assessment under 5, at most every", period: "6 months", basis: "statutory", source: "SE:1285; SE:1299" }],
  ["N-21", { title: "16th birthday (or eligibility) to needs assessment", period: "3 months", basis: "statutory", source: "CPPCR 2010 reg 42(1) (N-21)" }],
  ["N-22", { title: "Pathway plan reviews, at most every", period: "6 months", basis: "statutory", source: "Care Leavers (England) Regs 2010 reg 7 (N-22)" }],
  ["N-26", { title: "Personal adviser visits, at most every", period: "2 months", basis: "statutory", source: "Care Leavers (England) Regs 2010 reg 8 (N-26)" }],
  ["T-82", { title: "Staying put, up to age", period: "21 years", basis: "statutory", source: "SG:256" }],
  ["T-81", { title: "Care leaver support, up to age", period: "25 years", basis: "statutory", source: "CSWA 2017 s3 (CA 1989 s23CZB); SG:256" }],
  ["T-70", { title: "Transfer between teams completed within", period: "2 weeks", basis: "local standard", source: "SG:403; SG:412" }],
  ["T-71", { title: "Record summary updated within, at transfer", period: "1 month", basis: "local standard", source: "SG:408" }],
]);

/** Where RULES comes from, for the pages to say. */
export const RULES_SOURCE = 'docs/workflows/rules.md (rules-2018.2, edition 2)';

/**
 * @param {string} id  a rule id, e.g. "T-06"
 * @returns {string} "Strategy discussion (that started the S47) to initial child protection
 *   conference (15 working days)"; for an id not in the table, '' (the caller shows the id alone)
 */
export function ruleText(id) {
  const rule = RULES.get(id);
  return rule ? `${rule.title} (${rule.period})` : '';
}
