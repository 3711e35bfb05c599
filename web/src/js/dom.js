// dom.js: the one way casetrail's pages put things on the page.
//
// Every value that comes from the API is data, never markup: it goes into the page as a text node
// or as the value of a harmless attribute, so a child's name or a worker's note can never become
// HTML or script. Never use innerHTML, outerHTML, insertAdjacentHTML or document.write.
//
//   el(tag, attrs, ...children)   an element. attrs: {name: value} set with setAttribute
//                                 (`class` too; true sets an empty attribute, false/null/undefined
//                                 leave it out); refuses on* handlers, style, srcdoc and
//                                 javascript:/data: URLs. children: strings and numbers become text
//                                 nodes, nodes are appended, arrays are flattened, null/false/
//                                 undefined are skipped.
//   table({caption, head, rows})  a GOV.UK table with <caption> and <th scope>.
//   summaryList(rows)             a GOV.UK summary list from [[key, value], ...].
//   tag(text, colour)             a GOV.UK tag (grey, green, turquoise, blue, light-blue, purple,
//                                 pink, red, orange, yellow).
//   errorSummary(title, errors)   the GOV.UK error summary; moves focus to itself once it is on
//                                 the page. errors: [{text, href}] (href "#id" of the field).
//   errorMessage(id, text)        the GOV.UK error message shown beside a field.
//   formatDate(value)             "7 December 2026" (en-GB, Europe/London).
//   formatDateTime(value)         "7 December 2026 at 16:38" (en-GB, Europe/London).
import { ErrorSummary } from '../govuk/govuk-frontend.min.js';

const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'poster', 'cite']);
const UNSAFE_URL = /^\s*(javascript|data|vbscript):/i;

/**
 * Makes an element. See the header for attrs and children.
 * @param {string} tag
 * @param {Object<string, string|number|boolean|null|undefined>|null} [attrs]
 * @param {...any} children
 * @returns {HTMLElement}
 */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    const lower = name.toLowerCase();
    if (lower.startsWith('on') || lower === 'style' || lower === 'srcdoc') {
      throw new Error(`el(): the attribute '${name}' is not allowed (CSP: nothing inline)`);
    }
    if (value === false || value === null || value === undefined) continue;
    const text = value === true ? '' : String(value);
    if (URL_ATTRIBUTES.has(lower) && UNSAFE_URL.test(text)) {
      throw new Error(`el(): unsafe URL in '${name}'`);
    }
    node.setAttribute(name, text);
  }
  append(node, children);
  return node;
}

/** Appends children to node by el()'s rules. @returns {Node} node */
export function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) {
      append(node, child);
    } else if (child instanceof Node) {
      node.appendChild(child);
    } else if (typeof child === 'string' || typeof child === 'number') {
      node.appendChild(document.createTextNode(String(child)));
    } else {
      throw new Error(`el(): a child must be a string, number, node or array (got ${typeof child})`);
    }
  }
  return node;
}

/** Replaces everything in node with children (el()'s rules). @returns {Node} node */
export function replace(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

/**
 * A GOV.UK table.
 * @param {object} spec
 * @param {string} spec.caption            what the table shows (required: screen readers announce it)
 * @param {string} [spec.captionSize]      'm' (default), 's', 'l' or 'xl'
 * @param {Array<string|{text:any, numeric?:boolean}>} spec.head   the column headings
 * @param {Array<Array<any|{text:any, numeric?:boolean}>>} spec.rows  each cell: a string, node or
 *        {text, numeric}; numbers are right-aligned automatically
 * @param {boolean} [spec.rowHeaders]      the first cell of each row is its heading (<th scope="row">)
 * @returns {HTMLTableElement}
 */
export function table({ caption, captionSize = 'm', head, rows, rowHeaders = false }) {
  if (!caption) throw new Error('table(): a caption is required');
  const cell = (value) => (value !== null && typeof value === 'object' && !(value instanceof Node) &&
    !Array.isArray(value) ? value : { text: value, numeric: typeof value === 'number' || undefined });
  const headings = head.map(cell);
  return el('table', { class: 'govuk-table' },
    el('caption', { class: `govuk-table__caption govuk-table__caption--${captionSize}` }, caption),
    el('thead', { class: 'govuk-table__head' },
      el('tr', { class: 'govuk-table__row' }, headings.map((h) =>
        el('th', { scope: 'col', class: `govuk-table__header${h.numeric ? ' govuk-table__header--numeric' : ''}` }, h.text)))),
    el('tbody', { class: 'govuk-table__body' }, rows.map((row) =>
      el('tr', { class: 'govuk-table__row' }, row.map((value, i) => {
        const c = cell(value);
        const numeric = c.numeric ?? headings[i]?.numeric;
        if (rowHeaders && i === 0) {
          return el('th', { scope: 'row', class: 'govuk-table__header' }, c.text);
        }
        return el('td', { class: `govuk-table__cell${numeric ? ' govuk-table__cell--numeric' : ''}` }, c.text);
      })))));
}

/**
 * A GOV.UK summary list.
 * @param {Array<[any, any]>} rows  [key, value] pairs (strings, nodes or arrays of them)
 * @returns {HTMLDListElement}
 */
export function summaryList(rows) {
  return el('dl', { class: 'govuk-summary-list' }, rows.map(([key, value]) =>
    el('div', { class: 'govuk-summary-list__row' },
      el('dt', { class: 'govuk-summary-list__key' }, key),
      el('dd', { class: 'govuk-summary-list__value' }, value))));
}

const TAG_COLOURS = ['grey', 'green', 'turquoise', 'blue', 'light-blue', 'purple', 'pink', 'red', 'orange', 'yellow'];

/**
 * A GOV.UK tag. @param {string} text @param {string} [colour] one of TAG_COLOURS; none: the default blue
 * @returns {HTMLElement}
 */
export function tag(text, colour) {
  if (colour && !TAG_COLOURS.includes(colour)) throw new Error(`tag(): unknown colour '${colour}'`);
  return el('strong', { class: colour ? `govuk-tag govuk-tag--${colour}` : 'govuk-tag' }, text);
}

/**
 * The GOV.UK error summary, to put at the top of the page's main column (above the h1). Once it
 * is on the page it takes the focus (so screen readers announce it), and its links move the focus
 * to their fields (GOV.UK Frontend's ErrorSummary does both).
 * @param {string} title  e.g. "There is a problem"
 * @param {Array<{text:string, href?:string}>} errors  href: "#" + the field's id; none: plain text
 * @returns {HTMLElement}
 */
export function errorSummary(title, errors) {
  const summary = el('div', { class: 'govuk-error-summary', 'data-module': 'govuk-error-summary' },
    el('div', { role: 'alert' },
      el('h2', { class: 'govuk-error-summary__title' }, title),
      el('div', { class: 'govuk-error-summary__body' },
        el('ul', { class: 'govuk-list govuk-error-summary__list' }, errors.map((e) =>
          el('li', null, e.href ? el('a', { href: e.href }, e.text) : e.text))))));
  // Runs once the code that made it has run to its end or its next await: so put it on the page
  // in the same synchronous code that made it (replace(main, errorSummary(...), ...)).
  queueMicrotask(() => {
    if (!summary.isConnected) return;
    try {
      new ErrorSummary(summary); // focuses it, and makes its links focus their fields
    } catch (error) {
      console.error(error);
      summary.setAttribute('tabindex', '-1');
      summary.focus();
    }
  });
  return summary;
}

/**
 * The GOV.UK error message beside a field. Give the field aria-describedby=id, its form group
 * the class govuk-form-group--error and the input govuk-input--error.
 * @param {string} id @param {string} text @returns {HTMLElement}
 */
export function errorMessage(id, text) {
  return el('p', { id, class: 'govuk-error-message' },
    el('span', { class: 'govuk-visually-hidden' }, 'Error: '), text);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const dateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London',
});
// A date without a time is a calendar day, not an instant: formatted as it is written.
const dayFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC',
});
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit',
  hourCycle: 'h23', timeZone: 'Europe/London',
});

function parseDate(value) {
  if (value === null || value === undefined || value === '') return null;
  const date = value instanceof Date ? value : new Date(DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * @param {string|Date|null} value  "2026-12-24", an ISO 8601 time, or a Date
 * @returns {string} "24 December 2026"; '' for none; the value itself if it is not a date
 */
export function formatDate(value) {
  const date = parseDate(value);
  if (!date) return value ? String(value) : '';
  return (typeof value === 'string' && DATE_ONLY.test(value) ? dayFormat : dateFormat).format(date);
}

/**
 * @param {string|Date|null} value  an ISO 8601 time or a Date
 * @returns {string} "7 December 2026 at 16:38" (UK time); '' for none; the value if not a date
 */
export function formatDateTime(value) {
  const date = parseDate(value);
  if (!date) return value ? String(value) : '';
  if (typeof value === 'string' && DATE_ONLY.test(value)) return dayFormat.format(date);
  return dateTimeFormat.format(date);
}
