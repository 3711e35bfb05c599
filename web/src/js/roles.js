// roles.js: who may use which page, and the words for roles. One table for the whole UI: the
// service navigation, the home page's list of pages and startPage()'s access check all read it,
// and so do the browser tests (it imports nothing and touches no DOM, so Node can import it).
//
// The access follows the API's rules (docs/api.md, "Access rules"): every person may read the
// views (PLO, caseload, KPIs; social workers, team managers and early help staff see only their
// team's children), only auditors and admins read the whole log (/v1/events, /v1/verify), and
// subscribers are services with no pages.
//
// To add a page: add it to PAGES (path, name, purpose, allows), write web/src/NAME.html and
// web/src/js/NAME.js (web/README.md), and a spec in web/tests/.

/** The API's role names, in words. A role not listed is shown with its underscores as spaces. */
export const ROLE_NAMES = Object.freeze({
  social_worker: 'social worker',
  team_manager: 'team manager',
  cass_worker: 'CASS worker',
  early_help_worker: 'early help worker',
  early_help_manager: 'early help manager',
  personal_adviser: 'personal adviser',
  cp_chair: 'child protection chair',
  iro: 'independent reviewing officer',
  legal: 'legal',
  case_progression_officer: 'case progression officer',
  head_of_service: 'head of service',
  edt_worker: 'emergency duty team worker',
  auditor: 'auditor',
  subscriber: 'subscriber service',
  admin: 'administrator',
  lado_officer: 'LADO',
  fostering_worker: 'fostering worker',
});

/** Roles that read only their team's children (docs/api.md). */
export const TEAM_SCOPED_ROLES = Object.freeze([
  'social_worker', 'team_manager', 'early_help_worker', 'early_help_manager', 'personal_adviser',
]);

/** @param {string} role  the API's role name, e.g. "cp_chair" @returns {string} "child protection chair" */
export function roleName(role) {
  return Object.hasOwn(ROLE_NAMES, role) ? ROLE_NAMES[role] : String(role).replaceAll('_', ' ');
}

/** @param {string} role @returns {boolean} whether the role reads only its team's children */
export function isTeamScoped(role) {
  return TEAM_SCOPED_ROLES.includes(role);
}

const people = (role) => role !== 'subscriber';
const auditors = (role) => role === 'auditor' || role === 'admin';
const lado = (role) => role === 'lado_officer' || auditors(role);

/**
 * The pages after Home, in the order of the service navigation.
 * path: the page's URL; name: its link text; purpose: one line for the home page (teamPurpose
 * replaces it for team-scoped roles); allows(role): whether the role may use it.
 */
export const PAGES = Object.freeze([
  {
    path: '/ui/plo.html',
    name: 'PLO board',
    purpose: 'Children in pre-proceedings and care proceedings: the week each has reached of the ' +
      'Public Law Outline, red, amber or green, by team and area.',
    teamPurpose: 'Your team\'s children in pre-proceedings and care proceedings: the week each ' +
      'has reached of the Public Law Outline, red, amber or green.',
    allows: people,
  },
  {
    path: '/ui/caseload.html',
    name: 'Caseload',
    purpose: 'The children each team and worker holds, and each team\'s unallocated children, ' +
      'now or on a past date.',
    teamPurpose: 'The children your team and each of its workers hold, and the team\'s ' +
      'unallocated children, now or on a past date.',
    allows: people,
  },
  {
    path: '/ui/audit.html',
    name: 'Audit',
    purpose: 'Every recorded event in order, a child\'s record as it stood on a date, and proof ' +
      'that the log was not altered.',
    allows: auditors,
  },
  {
    path: '/ui/carers.html',
    name: 'Carers',
    purpose: 'Foster carers, connected persons and prospective adopters: where each stands, the ' +
      'children placed with them and the places free.',
    allows: people,
  },
  {
    path: '/ui/allegations.html',
    name: 'Allegations',
    purpose: 'The LADO\'s register of allegations against people who work with children: referrals, ' +
      'evaluations, outcomes and their timescales.',
    allows: lado,
  },
  {
    path: '/ui/kpis.html',
    name: 'KPIs',
    purpose: 'The Trust\'s key performance indicators over a period, by team and area.',
    teamPurpose: 'Your team\'s key performance indicators over a period.',
    allows: people,
  },
]);

/** @param {string} role @returns {Array<object>} the PAGES the role may use */
export function pagesFor(role) {
  return PAGES.filter((page) => page.allows(role));
}

/** @param {object} page an entry of PAGES @param {string} role @returns {string} its one line */
export function purposeFor(page, role) {
  return isTeamScoped(role) && page.teamPurpose ? page.teamPurpose : page.purpose;
}
