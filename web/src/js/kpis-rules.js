// kpis-rules.js: casetrail's timescale rules by id, in words: what each deadline is, its period,
// its basis (statutory, local standard or oversight) and its source, as GET /v1/rules answers
// them (the rule book this server judges by, local standards included; docs/workflows/rules.md
// lists every edition). Used by the KPI dashboard (deadlines breached by rule) and the audit page
// (open deadlines): call `await loadRules()` once before drawing; until then, and if the API
// cannot be reached, ruleText() answers '' and the pages show the rule ids alone.
import { api } from './api.js';

/** @type {Map<string, {title: string, period: string, basis: string, source: string}>} */
export const RULES = new Map();

/** Where RULES comes from, for the pages to say (set by loadRules()). */
export let RULES_SOURCE = 'the rule book in force';

let loading = null;

/** "1 working day", "15 working days", "26 weeks". */
function period(amount, unit) {
  return `${amount} ${amount === 1 ? unit.replace(/s$/, '') : unit}`;
}

/**
 * Reads the rules from GET /v1/rules, once per page; later calls share the first answer.
 * @returns {Promise<Map>} RULES
 */
export function loadRules() {
  if (!loading) {
    loading = api.get('/v1/rules').then((answer) => {
      for (const r of answer.rules ?? []) {
        RULES.set(r.id, { title: r.title, period: period(r.amount, r.unit), basis: r.basis, source: r.source });
      }
      RULES_SOURCE = `the rule book in force (${answer.version}, effective ${answer.effective_from}, edition ${answer.edition})`;
      return RULES;
    }).catch((error) => {
      console.warn('kpis-rules.js: the rules could not be read:', error.message);
      return RULES;
    });
  }
  return loading;
}


/**
 * @param {string} id  a rule id, e.g. "T-06"
 * @returns {string} "Strategy discussion (that started the S47) to initial child protection
 *   conference (15 working days)"; for an id not in the table, '' (the caller shows the id alone)
 */
export function ruleText(id) {
  const rule = RULES.get(id);
  return rule ? `${rule.title} (${rule.period})` : '';
}
