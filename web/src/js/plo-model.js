// plo-model.js: the PLO board's data rules (web/src/js/plo.js), with no DOM: what the filters
// and the sort in the URL mean, which rows they keep and in what order, the weeks each child is
// allowed, the words for hearings, and the CSV of the rows shown.
//
// GET /v1/plo answers (docs/api.md) a list of children, each:
//   {child, team, area, stage: "pre_proceedings"|"proceedings", week, rag: "red"|"amber"|"green",
//    proceedings:     issued, final_hearing_due, hearings: ["2026-10-14 case_management", ...],
//                     court and next_hearing (null when not recorded, or when the date has passed),
//                     placement_changes ["2026-10-14 changed foster_care", ...] since the issue,
//                     extension_weeks, fdac, after_pre_proceedings,
//    pre-proceedings: lpm, letter, initial_meeting_due, initial_meeting_held, review_point,
//                     reviews, extensions (a count: each moves the review point)}
// `week` is the week reached, week 1 beginning with the day of the issue (or of the legal planning
// meeting); 0 when the date asked is before that day.

export const STAGES = Object.freeze({ pre_proceedings: 'Pre-proceedings', proceedings: 'Proceedings' });
export const RAGS = Object.freeze({ red: 'Red', amber: 'Amber', green: 'Green' });
export const RAG_TAG_COLOURS = Object.freeze({ red: 'red', amber: 'orange', green: 'green' });
export const SORTS = Object.freeze({
  urgency: 'Urgency (red first)',
  week: 'Week (highest first)',
  child: 'Child',
});
export const DEFAULT_SORT = 'urgency';

/** Care proceedings: 26 weeks beginning with the day of issue (CA 1989 s32(1)(a)(ii)). */
export const PROCEEDINGS_WEEKS = 26;
/** Pre-proceedings: the review point (T-31), 16 weeks beginning with the legal planning meeting. */
export const PRE_PROCEEDINGS_WEEKS = 16;

const RAG_ORDER = { red: 0, amber: 1, green: 2 };
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** The board's filters and sort, as the URL keeps them. */
export const FILTER_NAMES = Object.freeze(['stage', 'rag', 'team', 'area', 'as_of', 'sort']);

/**
 * Reads the filters and sort from a query string ("?rag=red&sort=child"). Values the board does
 * not know for stage, rag and sort are left out; team, area and as_of are kept as they are (the
 * API judges as_of).
 * @param {string} search
 * @returns {{stage:string, rag:string, team:string, area:string, as_of:string, sort:string}}
 */
export function readState(search) {
  const params = new URLSearchParams(search);
  const get = (name) => (params.get(name) ?? '').trim();
  const known = (name, table) => (Object.hasOwn(table, get(name)) ? get(name) : '');
  return {
    stage: known('stage', STAGES),
    rag: known('rag', RAGS),
    team: get('team'),
    area: get('area'),
    as_of: get('as_of'),
    sort: known('sort', SORTS) || DEFAULT_SORT,
  };
}

/** The query string for a state ("rag=red&sort=child"; '' for the defaults). */
export function queryString(state) {
  const params = new URLSearchParams();
  for (const name of FILTER_NAMES) {
    const value = state[name];
    if (!value || (name === 'sort' && value === DEFAULT_SORT)) continue;
    params.set(name, value);
  }
  return params.toString();
}

/** Whether any filter (not the sort, not the date) narrows the rows. */
export function isFiltered(state) {
  return Boolean(state.stage || state.rag || state.team || state.area);
}

/** @returns {string} today's date in London, "2026-12-07" */
export function londonToday(now = new Date()) {
  return londonDate(now);
}

/** @param {Date|string} value @returns {string} its date in London, "2026-12-07" ('' if none) */
export function londonDate(value) {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit',
  }).format(date);
}

/** Whether as_of is a date before today (London): the board of a past date. */
export function isPastDate(asOf, today = londonToday()) {
  return DATE.test(asOf ?? '') && asOf < today;
}

function daysBetween(from, to) {
  if (!DATE.test(from ?? '') || !DATE.test(to ?? '')) return null;
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** The weeks the stage allows before extensions: 26 (proceedings) or 16 (pre-proceedings). */
export function baseWeeks(child) {
  return child.stage === 'proceedings' ? PROCEEDINGS_WEEKS : PRE_PROCEEDINGS_WEEKS;
}

/**
 * The weeks the child's stage allows now: proceedings, 26 plus the extensions granted (weeks);
 * pre-proceedings, 16, or to the review point an extension moved (counted from the meeting).
 */
export function weeksAllowed(child) {
  if (child.stage === 'proceedings') return PROCEEDINGS_WEEKS + Math.max(0, Number(child.extension_weeks) || 0);
  if ((Number(child.extensions) || 0) > 0) {
    const days = daysBetween(child.lpm, child.review_point);
    if (days !== null) return Math.max(PRE_PROCEEDINGS_WEEKS, Math.round((days + 1) / 7));
  }
  return PRE_PROCEEDINGS_WEEKS;
}

/** Whether the child's time was extended (proceedings: weeks granted; pre-proceedings: approvals). */
export function isExtended(child) {
  return child.stage === 'proceedings' ? (Number(child.extension_weeks) || 0) > 0 : (Number(child.extensions) || 0) > 0;
}

/** "Week 11 of 26"; "Not started by this date" for week 0. */
export function weekText(child) {
  if (!(child.week > 0)) return 'Not started by this date';
  return `Week ${child.week} of ${weeksAllowed(child)}`;
}

const HEARING_NAMES = {
  case_management: 'case management',
  further_case_management: 'further case management',
  issues_resolution: 'issues resolution',
};

/** "2026-10-14 case_management" -> {date: "2026-10-14", kind: "case_management"} */
export function parseHearing(text) {
  const value = String(text ?? '');
  const space = value.indexOf(' ');
  if (space > 0 && DATE.test(value.slice(0, space))) return { date: value.slice(0, space), kind: value.slice(space + 1) };
  return { date: '', kind: value };
}

/** "case_management" -> "case management" (the hearing's kind, in words) */
export function hearingName(kind) {
  return Object.hasOwn(HEARING_NAMES, kind) ? HEARING_NAMES[kind] : String(kind).replaceAll('_', ' ');
}

/** The last hearing held (by date; the API lists them in order), or null. */
export function lastHearing(child) {
  const hearings = Array.isArray(child.hearings) ? child.hearings.map(parseHearing) : [];
  if (hearings.length === 0) return null;
  return hearings.reduce((last, h) => (h.date >= last.date ? h : last));
}

/** The rows the filters keep (the team, area, stage and RAG chosen; '' is any). */
export function applyFilters(children, state) {
  return children.filter((c) => (!state.stage || c.stage === state.stage) &&
    (!state.rag || c.rag === state.rag) &&
    (!state.team || c.team === state.team) &&
    (!state.area || c.area === state.area));
}

const byChild = (a, b) => String(a.child).localeCompare(String(b.child), 'en', { numeric: true });
const byWeek = (a, b) => (Number(b.week) || 0) - (Number(a.week) || 0);
const byRag = (a, b) => (RAG_ORDER[a.rag] ?? 3) - (RAG_ORDER[b.rag] ?? 3);

/**
 * Sorted: urgency (red, amber, green; within each the highest week first), week (the highest
 * first) or child (1003 before c100, c9 before c10). Ties: by child.
 */
export function sortChildren(children, sort) {
  const order = {
    urgency: (a, b) => byRag(a, b) || byWeek(a, b) || byChild(a, b),
    week: (a, b) => byWeek(a, b) || byRag(a, b) || byChild(a, b),
    child: byChild,
  }[sort] ?? ((a, b) => byRag(a, b) || byWeek(a, b) || byChild(a, b));
  return [...children].sort(order);
}

/** {total, pre_proceedings, proceedings, red, amber, green} */
export function counts(children) {
  const n = { total: children.length, pre_proceedings: 0, proceedings: 0, red: 0, amber: 0, green: 0 };
  for (const c of children) {
    if (Object.hasOwn(STAGES, c.stage)) n[c.stage] += 1;
    if (Object.hasOwn(RAGS, c.rag)) n[c.rag] += 1;
  }
  return n;
}

/** "3 children: 1 in pre-proceedings, 2 in proceedings; 1 red, 1 amber, 1 green" */
export function summaryText(shown, all) {
  const n = counts(shown);
  const noun = n.total === 1 ? 'child' : 'children';
  const of = all && all.length !== shown.length ? ` shown of ${all.length}` : '';
  return `${n.total} ${noun}${of}: ${n.pre_proceedings} in pre-proceedings, ${n.proceedings} in proceedings; ` +
    `${n.red} red, ${n.amber} amber, ${n.green} green`;
}

// ---------------------------------------------------------------------------------------------
// CSV (RFC 4180): every value quoted, quotes doubled, lines ended with CRLF. A value that starts
// with = + - @ (or a tab or carriage return) is prefixed with ' so that a spreadsheet never reads
// it as a formula (CSV injection).

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell, quoted. */
export function csvCell(value) {
  let text = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return `"${text.replaceAll('"', '""')}"`;
}

/** The CSV's columns: [heading, value(child)]. */
export const CSV_COLUMNS = Object.freeze([
  ['Child', (c) => c.child],
  ['Stage', (c) => STAGES[c.stage] ?? c.stage],
  ['FDAC', (c) => (c.stage === 'proceedings' ? (c.fdac ? 'yes' : 'no') : '')],
  ['Week', (c) => c.week],
  ['Weeks allowed', (c) => weeksAllowed(c)],
  ['RAG', (c) => RAGS[c.rag] ?? c.rag],
  ['Hearings held', (c) => (c.stage === 'proceedings' ? (c.hearings ?? []).length : '')],
  ['Last hearing', (c) => { const h = lastHearing(c); return h ? hearingName(h.kind) : ''; }],
  ['Last hearing date', (c) => lastHearing(c)?.date ?? ''],
  ['Final hearing due', (c) => c.final_hearing_due ?? ''],
  ['Extension weeks', (c) => (c.stage === 'proceedings' ? Number(c.extension_weeks) || 0 : '')],
  ['Team', (c) => c.team],
  ['Area', (c) => c.area],
  ['Issued', (c) => c.issued ?? ''],
  ['After pre-proceedings', (c) => (c.stage === 'proceedings' ? (c.after_pre_proceedings ? 'yes' : 'no') : '')],
  ['Legal planning meeting', (c) => c.lpm ?? ''],
  ['Letter before proceedings', (c) => c.letter ?? ''],
  ['Initial meeting due', (c) => c.initial_meeting_due ?? ''],
  ['Initial meeting held', (c) => c.initial_meeting_held ?? ''],
  ['Review meetings', (c) => (c.stage === 'pre_proceedings' ? Number(c.reviews) || 0 : '')],
  ['Review point', (c) => c.review_point ?? ''],
  ['Pre-proceedings extensions', (c) => (c.stage === 'pre_proceedings' ? Number(c.extensions) || 0 : '')],
  ['Court', (c) => c.court ?? ''],
  ['Next hearing', (c) => c.next_hearing ?? ''],
  ['Placement changes since issue', (c) => (Array.isArray(c.placement_changes) ? c.placement_changes.join('; ') : '')],
]);

/** The CSV of these rows, with a header row. */
export function toCsv(children) {
  const lines = [CSV_COLUMNS.map(([heading]) => csvCell(heading)).join(',')];
  for (const c of children) lines.push(CSV_COLUMNS.map(([, value]) => csvCell(value(c))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
