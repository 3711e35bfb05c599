// child.js: a child's page (web/src/child.html, /ui/child.html?child=ID), for the social workers
// and team managers who record and follow a child's case, and every other role reading.
//
//   - who holds the child (team, worker, IRO), legal status, placement, last worker, flags:
//     GET /v1/children/{child}
//   - "Where the child is": each active journey drawn from GET /v1/journeys with the child's
//     state highlighted (child-diagram.js), and its states in words
//   - "Open deadlines": rule, started, due, the working days left (or overdue)
//   - "Record an action": the actions the caller's role may record now, as a form built from
//     GET /v1/actions (child-forms.js), posted to POST /v1/children/{child}/commands with a
//     command id and the version the page showed; the answer (recorded, refused, stale, not
//     allowed) is shown, and the page reads the child again after a record
//   - "Chronology": GET /v1/children/{child}/chronology, newest first, corrections shown
//
// Opened from links (the PLO board, the caseload, the deadlines) and from "Find a child" on the
// caseload page; /ui/child.html#ID works too. Without a child: a "Find a child" form.
import { api, apiPath, ApiError } from './api.js';
import {
  el, errorSummary, formatDate, formatDateTime, replace, summaryList, table, tag,
} from './dom.js';
import { initGovuk, renderProblem, setTitle, startPage } from './page.js';
import { roleName } from './roles.js';
import { actionForm, findChildForm, newCommandId } from './child-forms.js';
import { journeyFigure } from './child-diagram.js';
import { loadRules, ruleText } from './kpis-rules.js';
import {
  PEOPLE_ROLES, journeyName, recordedBy, stateWords, valueWords, workingDays,
} from './child-words.js';

const { session, main } = await startPage({ title: 'Child', roles: PEOPLE_ROLES });
await loadRules();

/** The child's id from ?child=ID (or #ID). */
function childFromUrl() {
  const query = new URLSearchParams(window.location.search).get('child');
  if (query !== null) return query.trim();
  const hash = window.location.hash.replace(/^#/, '');
  try {
    return decodeURIComponent(hash).trim();
  } catch {
    return hash.trim();
  }
}

function showFind() {
  setTitle('Find a child');
  const form = findChildForm();
  const column = el('div', { class: 'govuk-grid-column-two-thirds' },
    el('h1', { class: 'govuk-heading-l' }, 'Find a child'),
    form);
  replace(main, el('div', { class: 'govuk-grid-row' }, column));
  initGovuk(form);
}

const childId = childFromUrl();
if (!childId) {
  showFind();
} else {
  try {
    await showChild(childId);
  } catch (error) {
    renderProblem(main, error);
  }
}

/** The deadline's time left: "3 working days left", "Due today" (orange), "2 working days overdue" (red). */
function timeLeft(deadline) {
  const days = deadline.working_days_left;
  if (typeof days !== 'number') {
    // null: the API counts working days only as far as its calendar goes (years ahead).
    return deadline.overdue ? tag('Overdue', 'red') : 'Not counted (too far ahead)';
  }
  if (days > 0) return `${workingDays(days)} left`;
  if (days === 0) return tag('Due today', 'orange');
  return tag(`${workingDays(-days)} overdue`, 'red');
}

async function showChild(id) {
  setTitle(`Child ${id}`);
  // The reference data and the child, side by side; a 403 or 404 for the child wins.
  const [child, chronology, journeys, actions] = await Promise.all([
    api.get(apiPath`/v1/children/${id}`),
    api.get(apiPath`/v1/children/${id}/chronology`),
    api.get('/v1/journeys'),
    api.get('/v1/actions'),
  ]);
  const journeyMap = new Map(journeys.journeys.map((j) => [j.journey, j]));
  const catalogue = new Map(actions.actions.map((a) => [a.action, a]));
  const titleOf = (action) => catalogue.get(action)?.title ?? valueWords(String(action).replace(/^[a-z]+\./, ''));

  const messages = el('div', { class: 'ct-child-messages' });
  const body = el('div', { class: 'ct-child-body' });
  replace(main, el('div', { class: 'govuk-grid-row' },
    el('div', { class: 'govuk-grid-column-full' }, messages, body)));

  let current = child;
  let currentForm = null;
  let busy = false;
  render(child, chronology);

  // The error summary starts itself (dom.js); the banner is started here.
  function showMessage(node, { start = false } = {}) {
    messages.replaceChildren(node);
    if (start) initGovuk(messages);
  }

  function clearMessages() {
    messages.replaceChildren();
  }

  function render(data, chron) {
    current = data;
    const form = data.allowed_actions.length > 0
      ? actionForm({ allowed: data.allowed_actions, catalogue, onSubmit: record })
      : null;
    body.replaceChildren(
      el('span', { class: 'govuk-caption-l' }, 'Child\'s record'),
      el('h1', { class: 'govuk-heading-l' }, `Child ${data.child}`),
      el('div', { class: 'govuk-grid-row' },
        el('div', { class: 'govuk-grid-column-two-thirds' }, summary(data))),
      whereSection(data),
      deadlinesSection(data),
      recordSection(data, form),
      chronologySection(chron));
    initGovuk(body);
    currentForm = form;
  }

  function summary(data) {
    const a = data.allocation;
    const worker = a && a.worker
      ? [el('span', null, a.worker), ` (${roleName(a.as || 'lead worker')})`, a.since ? `, since ${formatDate(a.since)}` : '']
      : [el('span', null, 'Not allocated'), a && a.since ? ` (team allocated since ${formatDate(a.since)})` : ''];
    const flags = (data.flags ?? []).length > 0
      ? el('ul', { class: 'govuk-list ct-child-flags' }, data.flags.map((f) => el('li', null, tag(f, 'yellow'))))
      : 'None';
    return summaryList([
      ['Team', data.team || 'Not known'],
      ['Allocated worker', worker],
      ['Independent reviewing officer', (a && a.iro) || 'None'],
      ['Legal status', data.legal_status ? valueWords(data.legal_status) : 'None recorded'],
      ['Placement', data.placement ? valueWords(data.placement) : 'None recorded'],
      ['Last worker', data.last_worker || 'None'],
      ['Flags', flags],
    ]);
  }

  function whereSection(data) {
    const entries = Object.entries(data.states ?? {});
    return el('section', { class: 'ct-child-section', 'aria-labelledby': 'where-heading' },
      el('h2', { class: 'govuk-heading-m', id: 'where-heading' }, 'Where the child is'),
      entries.length === 0
        ? el('p', { class: 'govuk-body' }, 'No journey is active for this child.')
        : entries.map(([journey, state]) => el('div', { class: 'ct-child-where' },
          el('h3', { class: 'govuk-heading-s' }, `${journeyName(journey)}: ${stateWords(state).toLowerCase()}`),
          journeyFigure(journeyMap.get(journey), journey, state))));
  }

  function deadlinesSection(data) {
    const deadlines = [...(data.open_deadlines ?? [])]
      .sort((x, y) => String(x.due).localeCompare(String(y.due)) || String(x.rule).localeCompare(String(y.rule)));
    return el('section', { class: 'ct-child-section', 'aria-labelledby': 'deadlines-heading' },
      el('h2', { class: 'govuk-heading-m', id: 'deadlines-heading' }, 'Open deadlines'),
      deadlines.length === 0
        ? el('p', { class: 'govuk-body' }, 'No open deadlines.')
        : table({
          caption: 'Open deadlines, the soonest first',
          captionSize: 's',
          head: ['Rule', 'Started', 'Due', 'Working days left'],
          rowHeaders: true,
          rows: deadlines.map((d) => [
            [el('span', { class: 'ct-child-rule-id' }, d.rule), ruleText(d.rule) ? [
              el('span', { class: 'govuk-visually-hidden' }, ': '),
              el('span', { class: 'govuk-body-s ct-child-rule-title' }, ruleText(d.rule))] : null],
            formatDate(d.started), formatDate(d.due), timeLeft(d)]),
        }));
  }

  function recordSection(data, form) {
    const others = data.other_actions ?? [];
    return el('section', { class: 'ct-child-section', 'aria-labelledby': 'record-heading' },
      el('h2', { class: 'govuk-heading-m', id: 'record-heading' }, 'Record an action'),
      el('div', { class: 'govuk-grid-row' },
        el('div', { class: 'govuk-grid-column-two-thirds' },
          form ? form.node : el('p', { class: 'govuk-body' },
            `Your role (${roleName(session.role)}) cannot record any action on this child now.`),
          others.length > 0 && [
            el('h3', { class: 'govuk-heading-s', id: 'others-heading' }, 'Also allowed now, for other roles'),
            el('ul', { class: 'govuk-list govuk-list--bullet', 'aria-labelledby': 'others-heading' },
              others.map((o) => el('li', null,
                `${titleOf(o.action)} (${(o.roles ?? []).map(roleName).join(', ')})`))),
          ])));
  }

  function chronologySection(chron) {
    const time = (value) => Date.parse(value) || 0;
    const entries = [...(chron.chronology ?? [])]
      .sort((x, y) => time(y.occurred_at) - time(x.occurred_at) || (y.version ?? 0) - (x.version ?? 0));
    return el('section', { class: 'ct-child-section', 'aria-labelledby': 'chronology-heading' },
      el('h2', { class: 'govuk-heading-m', id: 'chronology-heading' }, 'Chronology'),
      entries.length === 0
        ? el('p', { class: 'govuk-body' }, 'Nothing recorded yet.')
        : table({
          caption: 'What happened, the newest first',
          captionSize: 's',
          head: ['When', 'What', 'Recorded by', 'Recorded at'],
          rows: entries.map((e) => [
            formatDateTime(e.occurred_at),
            e.original
              ? [
                el('span', { class: 'ct-child-chronology__text' }, e.text),
                ' ', tag('Corrected', 'grey'),
                el('span', { class: 'govuk-body-s ct-child-chronology__original' },
                  'First recorded as: ', e.original.text,
                  e.original.occurred_at ? `, on ${formatDateTime(e.original.occurred_at)}` : ''),
              ]
              : el('span', { class: 'ct-child-chronology__text' }, e.text),
            recordedBy(e.recorded_by),
            formatDateTime(e.recorded_at),
          ]),
        }));
  }

  async function reread() {
    const [data, chron] = await Promise.all([
      api.get(apiPath`/v1/children/${id}`),
      api.get(apiPath`/v1/children/${id}/chronology`),
    ]);
    render(data, chron);
  }

  function problem(title, errors) {
    setTitle(`Child ${id}`, { error: true });
    showMessage(errorSummary(title, errors));
  }

  async function record({ action, occurred_at, params }) {
    if (busy) return;
    busy = true;
    const form = currentForm;
    const button = form?.node.querySelector('button[type="submit"]');
    button?.setAttribute('disabled', '');
    button?.setAttribute('aria-disabled', 'true');
    try {
      await api.post(apiPath`/v1/children/${id}/commands`, {
        action,
        occurred_at,
        params,
        command_id: newCommandId(),
        expected_version: current.version,
      });
      setTitle(`Child ${id}`);
      clearMessages();
      await reread();
      showMessage(successBanner(`Recorded: ${titleOf(action)}`), { start: true });
    } catch (error) {
      if (!(error instanceof ApiError)) {
        renderProblem(main, error);
        return;
      }
      try {
        await explain(error, form);
      } catch (again) {
        renderProblem(main, again);
      }
    } finally {
      busy = false;
      if (button?.isConnected) {
        button.removeAttribute('disabled');
        button.removeAttribute('aria-disabled');
      }
    }
  }

  /** Shows why a record was not made. */
  async function explain(error, form) {
    if (error.status === 422) {
      const body422 = error.body ?? {};
      const named = error.rule === 'invalid_parameter' ? /'([^']+)'/.exec(error.message)?.[1] : null;
      const field = named && form?.hrefFor(named) ? named : null;
      const allowedNow = (body422.allowed_actions ?? []).map(titleOf);
      const states = Object.entries(body422.states ?? {});
      if (field) {
        form.showFieldErrors([{ field, text: error.message }]);
      } else {
        form?.clearErrors();
      }
      problem('The action was refused', [
        field ? { text: error.message, href: form.hrefFor(field) } : { text: error.message },
        { text: `Rule: ${error.rule ?? 'not given'}` },
        {
          text: states.length === 0
            ? 'States: no active journey'
            : `States: ${states.map(([j, s]) => `${journeyName(j)}: ${stateWords(s).toLowerCase()}`).join('; ')}`,
        },
        { text: `Allowed now: ${allowedNow.length > 0 ? allowedNow.join(', ') : 'nothing, for your role'}` },
      ]);
      return;
    }
    if (error.status === 409) {
      await reread();
      problem('There is a problem', [{
        text: 'Someone recorded on this child since you opened the page: the page now shows the record as it is',
      }]);
      return;
    }
    if (error.status === 400 && error.field && form?.hrefFor(error.field)) {
      const label = /occurred_at$/.test(error.field) ? 'When it happened' : `${error.field}`;
      const text = `${label}: ${error.message}`;
      form.showFieldErrors([{ field: error.field, text }]);
      problem('There is a problem', [{ text, href: form.hrefFor(error.field) }]);
      return;
    }
    form?.clearErrors();
    problem(error.status === 403 ? 'You cannot record this' : 'There is a problem', [{
      text: error.status === 0 ? `Nothing was recorded: ${error.message}. Try again.` : error.message,
    }]);
  }
}

/** The GOV.UK success notification banner (it takes the focus once started). */
function successBanner(text) {
  return el('div', {
    class: 'govuk-notification-banner govuk-notification-banner--success',
    role: 'alert',
    'aria-labelledby': 'success-title',
    'data-module': 'govuk-notification-banner',
  },
  el('div', { class: 'govuk-notification-banner__header' },
    el('h2', { class: 'govuk-notification-banner__title', id: 'success-title' }, 'Success')),
  el('div', { class: 'govuk-notification-banner__content' },
    el('p', { class: 'govuk-notification-banner__heading' }, text)));
}
