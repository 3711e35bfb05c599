// kpis-form.js: form fields and their errors the GOV.UK way, and calendar dates, for the KPI
// dashboard and the audit page (both import it).
//
//   inputField({id, name, label, hint, type, value, inputClass, labelClass, attrs})
//                                    a GOV.UK form group with a label, a hint and an input;
//                                    answers {group, input}
//   selectField({id, name, label, hint, options, value})   the same with a <select>
//   showErrors(scope, column, errors, title)   the GOV.UK error summary at the top of column
//                                    (it takes the focus) and each error beside its field in scope
//                                    (errors: [{id, text}], id: the field's id, or none: the
//                                    summary only); the title gets "Error: "
//   clearErrors(scope, column, title)   takes them away again
//   londonToday()                    today's date in London, "2026-12-07"
//   addDays(date, n), addMonths(date, n), monthStart(date)   on "YYYY-MM-DD" dates
//   isDate(value)                    whether value is a real "YYYY-MM-DD" date
import { el, errorMessage, errorSummary } from './dom.js';
import { setTitle } from './page.js';

function hintAndIds(id, hint) {
  const hintNode = hint ? el('div', { id: `${id}-hint`, class: 'govuk-hint' }, hint) : null;
  return { hintNode, describedBy: hint ? `${id}-hint` : null };
}

/** A GOV.UK text-like input (type text, date, ...) in its form group. */
export function inputField({ id, name, label, hint, type = 'text', value = '', inputClass = '', labelClass = 'govuk-label--s', attrs = {} }) {
  const { hintNode, describedBy } = hintAndIds(id, hint);
  const input = el('input', {
    class: `govuk-input${inputClass ? ` ${inputClass}` : ''}`,
    id,
    name: name ?? id,
    type,
    value,
    'aria-describedby': describedBy,
    'data-describedby': describedBy ?? '',
    ...attrs,
  });
  const group = el('div', { class: 'govuk-form-group', 'data-field': id },
    el('label', { class: `govuk-label ${labelClass}`, for: id }, label), hintNode, input);
  return { group, input };
}

/** A GOV.UK select in its form group. options: [{value, text}] */
export function selectField({ id, name, label, hint, options, value = '' }) {
  const { hintNode, describedBy } = hintAndIds(id, hint);
  const input = el('select', {
    class: 'govuk-select', id, name: name ?? id, 'aria-describedby': describedBy, 'data-describedby': describedBy ?? '',
  }, options.map((o) => el('option', { value: o.value, selected: o.value === value }, o.text)));
  const group = el('div', { class: 'govuk-form-group', 'data-field': id },
    el('label', { class: 'govuk-label govuk-label--s', for: id }, label), hintNode, input);
  return { group, input };
}

/** Takes every field's error and the error summary away. */
export function clearErrors(scope, column, title) {
  column.querySelectorAll(':scope > .govuk-error-summary').forEach((n) => n.remove());
  for (const group of scope.querySelectorAll('[data-field]')) {
    group.classList.remove('govuk-form-group--error');
    group.querySelector(':scope > .govuk-error-message')?.remove();
    const input = group.querySelector('input, select');
    if (!input) continue;
    input.classList.remove('govuk-input--error', 'govuk-select--error');
    const describedBy = input.getAttribute('data-describedby');
    if (describedBy) input.setAttribute('aria-describedby', describedBy);
    else input.removeAttribute('aria-describedby');
  }
  if (title) setTitle(title);
}

/**
 * Shows errors: the summary at the top of column, each message beside its field in scope.
 * @param {Array<{id?: string, text: string}>} errors
 */
export function showErrors(scope, column, errors, title) {
  clearErrors(scope, column);
  for (const error of errors) {
    const group = error.id ? scope.querySelector(`[data-field="${CSS.escape(error.id)}"]`) : null;
    if (!group) continue;
    const input = group.querySelector('input, select');
    group.classList.add('govuk-form-group--error');
    input.classList.add(input.tagName === 'SELECT' ? 'govuk-select--error' : 'govuk-input--error');
    input.before(errorMessage(`${error.id}-error`, error.text));
    const describedBy = input.getAttribute('data-describedby');
    input.setAttribute('aria-describedby', [describedBy, `${error.id}-error`].filter(Boolean).join(' '));
  }
  if (title) setTitle(title, { error: true });
  column.prepend(errorSummary('There is a problem', errors.map((e) => {
    const linked = e.id && scope.querySelector(`[data-field="${CSS.escape(e.id)}"]`);
    return linked ? { text: e.text, href: `#${e.id}` } : { text: e.text };
  })));
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** @returns {boolean} whether value is a real calendar date written YYYY-MM-DD */
export function isDate(value) {
  const m = DATE.exec(value ?? '');
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

const londonDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit',
});

/** @param {Date} [at] @returns {string} the London calendar day of at (default now), "2026-12-07" */
export function londonToday(at = new Date()) {
  return londonDay.format(at);
}

const asUtc = (date) => new Date(`${date}T00:00:00Z`);
const iso = (d) => d.toISOString().slice(0, 10);

/** @returns {string} date + n days */
export function addDays(date, n) {
  const d = asUtc(date);
  d.setUTCDate(d.getUTCDate() + n);
  return iso(d);
}

/** @returns {string} the first day of date's month */
export function monthStart(date) {
  return `${date.slice(0, 7)}-01`;
}

/** @returns {string} the first day of the month n months after date's month */
export function addMonths(date, n) {
  const d = asUtc(monthStart(date));
  d.setUTCMonth(d.getUTCMonth() + n);
  return iso(d);
}

/** @returns {number} whole days from a to b (dates) */
export function daysBetween(a, b) {
  return Math.round((asUtc(b) - asUtc(a)) / 86_400_000);
}
