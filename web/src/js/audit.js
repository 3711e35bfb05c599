// audit.js: the audit page (web/src/audit.html, /ui/audit.html?child=ID&as_of=&known_at=).
//
// For audit teams replaying case histories (auditors and admins; roles.js): a child's record as
// it stood, on two clocks: what had happened by a date (as of, business time) and what had been
// recorded by a date (known at, recording time), from GET /v1/children/{child}/as-of; who
// recorded each entry and when, late entries, corrections and withdrawals with their originals
// (GET /v1/children/{child}/chronology); why the child is where it is (GET .../explain); the
// self-verifying export bundle (GET .../export); proof the log was not altered (GET /v1/verify);
// and the access log (GET /v1/events?stream_prefix=access-log).
//
// The child is in the URL's query (the form is a GET form); the two dates follow in it too
// (history.replaceState), so a question can be linked to. Every read of a child here is itself
// recorded in the access log.
import { api, ApiError, apiPath } from './api.js';
import { el, replace } from './dom.js';
import { renderProblem, startPage } from './page.js';
import { accessLogSection, exportSection, verifySection } from './audit-log.js';
import { historyRange, renderExplain, renderRecord, timeControls } from './audit-record.js';
import { clearErrors, inputField, isDate, showErrors } from './kpis-form.js';
import { loadRules } from './kpis-rules.js';

const TITLE = 'Audit';
const CHILD_ID = /^[A-Za-z0-9._-]{1,128}$/;

const { main } = await startPage({ title: TITLE });
await loadRules();

const query = new URLSearchParams(window.location.search);
const child = (query.get('child') ?? '').trim();
const column = el('div', { class: 'govuk-grid-column-full' });

function childForm() {
  const field = inputField({
    id: 'child', label: 'Child\'s ID', hint: 'For example, 1002', value: child, inputClass: 'govuk-input--width-10',
    labelClass: 'govuk-label--m', attrs: { autocomplete: 'off', spellcheck: 'false', inputmode: 'text' },
  });
  const form = el('form', { class: 'ct-audit-child', method: 'get', action: '/ui/audit.html', novalidate: true },
    field.group,
    el('button', { type: 'submit', class: 'govuk-button', 'data-module': 'govuk-button' }, 'Show the record'));
  form.addEventListener('submit', (event) => {
    const id = field.input.value.trim();
    let text = null;
    if (!id) text = 'Enter a child\'s ID';
    else if (!CHILD_ID.test(id)) text = 'A child\'s ID is 1 to 128 letters, digits, dots, dashes or underscores';
    if (text) {
      event.preventDefault();
      showErrors(form, column, [{ id: 'child', text }], TITLE);
      return;
    }
    field.input.value = id; // the GET form puts it in the URL: /ui/audit.html?child=ID
  });
  return form;
}

/** The record, its clocks, the trace and the export, for one child. */
async function childSection() {
  const path = (suffix) => apiPath`/v1/children/${child}` + suffix;
  const asOf = query.get('as_of') ?? '';
  const knownAt = query.get('known_at') ?? '';
  const first = { as_of: isDate(asOf) ? asOf : '', known_at: isDate(knownAt) ? knownAt : '' };
  const [view, chronology, explain, actions] = await Promise.all([
    api.get(path('/as-of'), first),
    api.get(path('/chronology')),
    api.get(path('/explain')),
    api.get('/v1/actions').catch(() => ({ actions: [] })), // titles only: the page works without
  ]);
  const titles = new Map((actions.actions ?? []).map((a) => [a.action, a.title]));
  const now = chronology.chronology ?? [];
  const record = el('div', { class: 'ct-audit-record', id: 'record' });
  replace(record, renderRecord(view, now));

  let asked = 0;
  const controls = timeControls({
    range: historyRange(now),
    asOf: first.as_of,
    knownAt: first.known_at,
    onChange: async ({ asOf: nextAsOf, knownAt: nextKnownAt }) => {
      asked += 1;
      const mine = asked;
      const params = new URLSearchParams({ child });
      if (nextAsOf) params.set('as_of', nextAsOf);
      if (nextKnownAt) params.set('known_at', nextKnownAt);
      window.history.replaceState(null, '', `/ui/audit.html?${params}`);
      record.setAttribute('aria-busy', 'true');
      try {
        const next = await api.get(path('/as-of'), { as_of: nextAsOf, known_at: nextKnownAt });
        if (mine !== asked) return;
        clearErrors(controls.node, column, TITLE);
        replace(record, renderRecord(next, now));
      } catch (error) {
        if (mine !== asked) return;
        if (error instanceof ApiError && error.status === 403) {
          renderProblem(main, error);
          return;
        }
        const id = error.field === 'as_of' ? 'as-of' : error.field === 'known_at' ? 'known-at' : undefined;
        const label = id === 'as-of' ? 'The as-of date ' : id === 'known-at' ? 'The known-at date ' : '';
        showErrors(controls.node, column, [{ id, text: `${label}${error.message}` }], TITLE);
      } finally {
        if (mine === asked) record.removeAttribute('aria-busy');
      }
    },
  });

  return el('section', { class: 'ct-audit-section', 'aria-labelledby': 'child-heading' },
    el('h2', { class: 'govuk-heading-l', id: 'child-heading' }, `Child ${view.child}`),
    controls.node,
    record,
    renderExplain(explain, titles),
    exportSection(view.child));
}

async function start() {
  const form = childForm();
  const log = accessLogSection({ child, user: '' });
  replace(main, el('div', { class: 'govuk-grid-row' },
    replace(column,
      el('h1', { class: 'govuk-heading-l' }, 'Audit'),
      el('p', { class: 'govuk-body-l' },
        'Replay a child\'s case history: what was true on a date, what the record showed on a date, ',
        'who did what and which deadline was missed, and proof that the log was not altered.'),
      form)));
  if (child) {
    const loading = el('p', { class: 'govuk-body', role: 'status' }, `Reading child ${child}'s record…`);
    column.append(loading);
    try {
      loading.replaceWith(await childSection());
    } catch (error) {
      loading.remove();
      if (error instanceof ApiError && error.status === 403) {
        renderProblem(main, error);
        return;
      }
      if (error instanceof ApiError && (error.status === 404 || error.field === 'child_id')) {
        const text = error.status === 404 ? `There is no record of a child with the ID ${child}` : `A child's ID ${error.message}`;
        showErrors(form, column, [{ id: 'child', text }], TITLE);
      } else if (error instanceof ApiError) {
        showErrors(form, column, [{ text: `The record could not be read: ${error.message}` }], TITLE);
      } else {
        renderProblem(main, error);
        return;
      }
    }
  }
  column.append(verifySection(), log.node);
  await log.refresh();
}

await start();
