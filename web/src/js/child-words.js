// child-words.js: the API's names (journeys, states, parameter values, "user (role)") in words,
// for the child's page (child.js) and the caseload page (caseload.js). Imports nothing that
// touches the DOM.
//
//   journeyName('child_protection')     "Child protection"
//   stateWords('OnCpPlan')              "On a child protection plan" (CamelCase split, the
//                                       workflows' abbreviations spelt out)
//   valueWords('cp_plan')               "Child protection plan" (underscores to spaces, the same
//                                       abbreviations spelt out, the first letter a capital)
//   paramName('legal_status')           "Legal status"
//   statesInWords({child_protection: 'OnCpPlan'})  "Child protection: on a child protection plan"
//   recordedBy('tm.khan (team_manager)')           "tm.khan (team manager)"
import { ROLE_NAMES, roleName } from './roles.js';

const JOURNEY_NAMES = Object.freeze({
  front_door: 'Front door',
  early_help: 'Early help',
  assessment: 'Assessment',
  child_in_need: 'Child in need',
  child_protection: 'Child protection',
  pre_proceedings: 'Pre-proceedings',
  care_proceedings: 'Care proceedings',
  child_in_care: 'Child in care',
  leaving_care: 'Leaving care',
  transfer: 'Transfer',
  adoption: 'Adoption',
  permanence: 'Special guardianship and connected persons',
  uasc: 'Unaccompanied asylum-seeking child',
  missing_exploitation: 'Missing from home and exploitation',
  nrpf: 'No recourse to public funds',
  homeless_16_17: 'Homeless 16 and 17 year olds',
  disabled_children: 'Children with disabilities',
  interventions: 'Interventions and services',
  private_fostering: 'Private fostering',
  placement_search: 'Placement search',
  allocation: 'Allocation',
  case: 'Case',
});

// States whose words read better than their split name.
const STATE_WORDS = Object.freeze({
  OnCpPlan: 'On a child protection plan',
  OnCinPlan: 'On a child in need plan',
  NoCinPlan: 'No child in need plan',
  InPreProceedings: 'In pre-proceedings',
  NotACareLeaver: 'Not a care leaver',
  EdtEpisode: 'Emergency duty team episode',
  NotACarer: 'Not a carer (the enquiry or assessment closed)',
  ApprovedCarer: 'Approved',
});

// The workflows' abbreviations, as one word of a state or a value.
const WORDS = Object.freeze({
  cp: 'child protection',
  cin: 'child in need',
  icpc: 'initial child protection conference',
  s47: 'section 47',
  s20: 'section 20',
  nfa: 'no further action',
  plo: 'PLO',
  mash: 'MASH',
  edt: 'emergency duty team',
  fdac: 'FDAC',
  iro: 'IRO',
  pace: 'PACE',
  cass: 'CASS',
  bct: 'BCT',
  fgdm: 'family group conference',
  pep: 'PEP',
  uasc: 'unaccompanied asylum-seeking child',
  nts: 'National Transfer Scheme',
  nrm: 'National Referral Mechanism',
  s19: 'section 19',
  sgo: 'special guardianship order',
  nrpf: 'no recourse to public funds',
  ehcp: 'EHCP',
  s17: 'section 17',
  pf: 'private fostering',
  reg4: 'Reg 4',
});

function capitalise(text) {
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

function spell(words) {
  return words.map((word) => {
    const lower = word.toLowerCase();
    return Object.hasOwn(WORDS, lower) ? WORDS[lower] : lower;
  }).join(' ');
}

/** @param {string} journey e.g. "child_protection" @returns {string} "Child protection" */
export function journeyName(journey) {
  const name = String(journey ?? '');
  return Object.hasOwn(JOURNEY_NAMES, name) ? JOURNEY_NAMES[name] : capitalise(name.replaceAll('_', ' '));
}

/** @param {string} state e.g. "AwaitingIcpc" @returns {string} "Awaiting initial child protection conference" */
export function stateWords(state) {
  const name = String(state ?? '');
  if (Object.hasOwn(STATE_WORDS, name)) return STATE_WORDS[name];
  // "S47Enquiry" -> S47 Enquiry; "MashInformationSharing" -> Mash Information Sharing
  const words = name.match(/[A-Z][a-z]*\d*|[a-z]+\d*|\d+/g) ?? [name];
  return capitalise(spell(words));
}

/** @param {string} value a parameter's value, e.g. "cp_plan" @returns {string} "Child protection plan" */
export function valueWords(value) {
  const text = String(value ?? '');
  if (/^\d+$/.test(text)) return text;
  return capitalise(spell(text.split('_').filter(Boolean)));
}

/** @param {string} name a parameter's name, e.g. "legal_status" @returns {string} "Legal status" */
export function paramName(name) {
  return valueWords(name);
}

/**
 * @param {Object<string,string>} states {journey: state}
 * @returns {string} "Child protection: on a child protection plan; Child in care: placed", or
 *   "no active journey"
 */
export function statesInWords(states) {
  const entries = Object.entries(states ?? {});
  if (entries.length === 0) return 'no active journey';
  return entries.map(([journey, state]) => `${journeyName(journey)}: ${stateWords(state).toLowerCase()}`).join('; ');
}

/** "tm.khan (team_manager)" -> "tm.khan (team manager)"; anything else as it is. */
export function recordedBy(text) {
  const match = /^(.*) \(([a-z_]+)\)$/.exec(String(text ?? ''));
  return match ? `${match[1]} (${roleName(match[2])})` : String(text ?? '');
}

/** "1 working day" / "3 working days". */
export function workingDays(count) {
  return `${count} working day${count === 1 ? '' : 's'}`;
}

/**
 * Every role that uses pages: roles.js's roles but subscriber services, and the partner roles
 * the workflows name (they record some actions: /v1/actions).
 */
export const PEOPLE_ROLES = Object.freeze([
  ...Object.keys(ROLE_NAMES).filter((role) => role !== 'subscriber'),
  'mash_partner', 'health', 'virtual_school', 'carer_liaison', 'return_interview_worker',
  'agency_decision_maker', 'adoption_worker', 'connected_persons_worker', 'sgo_support_worker',
  'exploitation_worker', 'nrpf_worker', 'reviewing_officer', 'ehcp_officer', 'intervention_worker',
  'placements_officer',
]);
