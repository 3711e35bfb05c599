// caseload.js: the caseload page (web/src/caseload.html, /ui/caseload.html), for every role but
// subscriber services (roles.js's PAGES).
//
//   - "My caseload": the children allocated to the signed-in user (GET /v1/caseload's
//     teams[].workers[] whose worker is the user), with their journeys and states in words
//   - "Team T's caseload": team-scoped roles see their own team; other roles choose a team from
//     the answer's teams (the first by default): its children by worker, its unallocated children
//     and the days they have waited, and the IROs of its children
//   - "Deadlines": GET /v1/deadlines, overdue and due within 7, 14 or 28 days
//   - "Find a child": a child's id to its page (/ui/child.html?child=ID)
//   - the caseload and deadlines as they stood at the end of a past day (as_of)
//
// The choices are kept in the page's URL (?team=&as_of=&due_within=), so a reload or a shared
// link shows the same. Dates typed are sent as typed: the server says what is wrong with them.
import { api, ApiError } from './api.js';
import {
  el, errorMessage, errorSummary, formatDate, replace, table, tag,
} from './dom.js';
import { initGovuk, renderProblem, setTitle, startPage } from './page.js';
import { isTeamScoped, roleName } from './roles.js';
import { dateValue, findChildForm } from './child-forms.js';
import { journeyName, stateWords } from './child-words.js';

const TITLE = 'Caseload';
const DUE_WITHIN = ['7', '14', '28'];

const { session, main } = await startPage({ title: TITLE });
const scoped = isTeamScoped(session.role);

const query = new URLSearchParams(window.location.search);
const choice = {
  team: scoped ? session.team : (query.get('team') ?? ''),
  asOf: query.get('as_of') ?? '',
  dueWithin: DUE_WITHIN.includes(query.get('due_within')) ? query.get('due_within') : '14',
};

const childLink = (child) => el('a', {
  class: 'govuk-link', href: `/ui/child.html?child=${encodeURIComponent(child)}`,
}, child);

/** {journey: state} as a list in words ("Child protection: on a child protection plan"). */
function journeysCell(journeys) {
  const entries = Object.entries(journeys ?? {});
  if (entries.length === 0) return 'None active';
  if (entries.length === 1) return `${journeyName(entries[0][0])}: ${stateWords(entries[0][1]).toLowerCase()}`;
  return el('ul', { class: 'govuk-list ct-caseload-journeys' }, entries.map(([journey, state]) =>
    el('li', null, `${journeyName(journey)}: ${stateWords(state).toLowerCase()}`)));
}

/** An empty table's place: its caption as a heading, and a line saying why it is empty. */
function none(heading, text, id) {
  return el('div', { class: 'ct-caseload-none', id },
    el('h3', { class: 'govuk-heading-m' }, heading),
    el('p', { class: 'govuk-body' }, text));
}

/** The day as_of means, for captions: "now" or "on 1 September 2026". */
function when(asOf) {
  return asOf ? `on ${formatDate(asOf)}` : 'now';
}

// The page: the choices (form), the results, and Find a child.
const messages = el('div', { class: 'ct-caseload-messages' });
const status = el('p', { class: 'govuk-body ct-caseload-status', role: 'status' });
const results = el('div', { class: 'ct-caseload-results' });
const controls = controlsForm();
const find = findChildForm({
  id: 'find-child',
  heading: el('h2', { class: 'govuk-heading-m' }, 'Find a child'),
});
replace(main,
  messages,
  el('h1', { class: 'govuk-heading-l' }, TITLE),
  el('div', { class: 'govuk-grid-row' },
    el('div', { class: 'govuk-grid-column-two-thirds' }, controls.node),
    el('div', { class: 'govuk-grid-column-one-third' },
      el('div', { class: 'ct-caseload-find' }, find))),
  status,
  results);
initGovuk(main);
await show();

function controlsForm() {
  const teamGroup = scoped ? null : el('div', { class: 'govuk-form-group' },
    el('label', { class: 'govuk-label govuk-label--s', for: 'team' }, 'Team'),
    el('select', { class: 'govuk-select', id: 'team', name: 'team' }));
  const [y, m, d] = /^\d{4}-\d{2}-\d{2}$/.test(choice.asOf) ? choice.asOf.split('-') : ['', '', ''];
  const dateInput = (part, label, width, value) => el('div', { class: 'govuk-date-input__item' },
    el('div', { class: 'govuk-form-group' },
      el('label', { class: 'govuk-label govuk-date-input__label', for: `as-of-${part}` }, label),
      el('input', {
        class: `govuk-input govuk-date-input__input govuk-input--width-${width}`,
        id: `as-of-${part}`, name: `as-of-${part}`, type: 'text', inputmode: 'numeric', value,
      })));
  const dateFieldset = el('fieldset', { class: 'govuk-fieldset', role: 'group', 'aria-describedby': 'as-of-hint' },
    el('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--s' }, 'On a past date'),
    el('div', { class: 'govuk-hint', id: 'as-of-hint' },
      'The caseload and deadlines as they stood at the end of that day. Leave it empty for now. ' +
      'For example, 1 9 2026'),
    el('div', { class: 'govuk-date-input', id: 'as-of' },
      dateInput('day', 'Day', 2, d ? String(Number(d)) : ''),
      dateInput('month', 'Month', 2, m ? String(Number(m)) : ''),
      dateInput('year', 'Year', 4, y)));
  const dateGroup = el('div', { class: 'govuk-form-group', id: 'as-of-group' }, dateFieldset);
  const dueGroup = el('div', { class: 'govuk-form-group' },
    el('label', { class: 'govuk-label govuk-label--s', for: 'due-within' }, 'Deadlines due within'),
    el('select', { class: 'govuk-select', id: 'due-within', name: 'due_within' },
      DUE_WITHIN.map((days) => el('option', { value: days, selected: days === choice.dueWithin }, `${days} days`))));
  const form = el('form', { class: 'ct-caseload-controls', method: 'get', novalidate: true, 'aria-label': 'What to show' },
    teamGroup, dateGroup, dueGroup,
    el('div', { class: 'govuk-button-group' },
      el('button', { type: 'submit', class: 'govuk-button', 'data-module': 'govuk-button' }, 'Show'),
      el('a', { class: 'govuk-link', href: '/ui/caseload.html' }, 'Show today\'s caseload')));
  const dateInputs = [...dateFieldset.querySelectorAll('input')];

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (teamGroup) choice.team = form.elements.team.value;
    choice.asOf = dateValue(dateInputs[2].value, dateInputs[1].value, dateInputs[0].value);
    choice.dueWithin = form.elements.due_within.value;
    await show();
  });

  return {
    node: form,
    /** Fills the team select with the answer's teams; answers the team chosen. */
    setTeams(teams) {
      if (!teamGroup) return choice.team;
      const select = form.elements.team;
      const names = teams.map((t) => t.team);
      const chosen = names.includes(choice.team) ? choice.team : (names[0] ?? '');
      select.replaceChildren(...(names.length ? names : ['']).map((name) =>
        el('option', { value: name, selected: name === chosen }, name || 'No team has children on that day')));
      return chosen;
    },
    /** Shows (or clears, with null) the error beside the date. */
    dateError(text) {
      dateGroup.querySelector('.govuk-error-message')?.remove();
      dateGroup.classList.toggle('govuk-form-group--error', Boolean(text));
      for (const input of dateInputs) input.classList.toggle('govuk-input--error', Boolean(text));
      dateFieldset.setAttribute('aria-describedby', text ? 'as-of-hint as-of-error' : 'as-of-hint');
      if (text) dateFieldset.querySelector('.govuk-hint').after(errorMessage('as-of-error', text));
    },
  };
}

/** Reads the caseload and deadlines for the choices, and shows them. */
async function show() {
  messages.replaceChildren();
  controls.dateError(null);
  setTitle(TITLE);
  let caseload;
  let deadlines;
  try {
    caseload = await api.get('/v1/caseload', { as_of: choice.asOf });
    choice.team = controls.setTeams(caseload.teams ?? []);
    deadlines = await api.get('/v1/deadlines', {
      team: scoped ? '' : choice.team,
      as_of: choice.asOf,
      due_within: choice.dueWithin,
    });
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) {
      const text = error.field === 'as_of' ? `The date: ${error.message}` : error.message;
      setTitle(TITLE, { error: true });
      if (error.field === 'as_of') controls.dateError(text);
      messages.replaceChildren(errorSummary('There is a problem', [
        error.field === 'as_of' ? { text, href: '#as-of-day' } : { text },
      ]));
      results.replaceChildren();
      status.textContent = '';
      return;
    }
    renderProblem(main, error);
    return;
  }
  const url = new URL(window.location.href);
  url.search = new URLSearchParams(Object.entries({
    team: scoped ? '' : choice.team, as_of: choice.asOf, due_within: choice.dueWithin === '14' ? '' : choice.dueWithin,
  }).filter(([, v]) => v)).toString();
  window.history.replaceState(null, '', url);
  status.textContent = `Showing ${choice.team ? `team ${choice.team}` : 'every team'} ${when(choice.asOf)}, ` +
    `with the deadlines due within ${choice.dueWithin} days.`;
  replace(results,
    mySection(caseload),
    teamSection(caseload),
    deadlinesSection(deadlines));
}

function mySection(caseload) {
  const mine = [];
  for (const team of caseload.teams ?? []) {
    for (const worker of team.workers ?? []) {
      if (worker.worker === session.user) mine.push(...worker.children.map((c) => ({ ...c, team: team.team })));
    }
  }
  const asIro = (caseload.iros ?? []).find((i) => i.iro === session.user)?.children ?? [];
  const rows = mine.map((c) => [childLink(c.child), journeysCell(c.journeys), roleName(c.as), formatDate(c.since)]);
  for (const c of asIro) {
    if (!mine.some((m) => m.child === c.child)) rows.push([childLink(c.child), journeysCell(c.journeys), 'IRO', '']);
  }
  return el('section', { class: 'ct-caseload-section', 'aria-labelledby': 'my-heading' },
    el('h2', { class: 'govuk-heading-l', id: 'my-heading' }, 'My caseload'),
    rows.length === 0
      ? el('p', { class: 'govuk-body', id: 'my-none' },
        `No children are allocated to you (${session.user}) ${when(choice.asOf)}.`)
      : table({
        caption: `The children allocated to you ${when(choice.asOf)}: ${rows.length}`,
        head: ['Child', 'Journeys', 'As', 'Since'],
        rowHeaders: true,
        rows,
      }));
}

function teamSection(caseload) {
  const team = (caseload.teams ?? []).find((t) => t.team === choice.team);
  const heading = el('h2', { class: 'govuk-heading-l', id: 'team-heading' },
    choice.team ? `Team ${choice.team}'s caseload` : 'Team caseload');
  if (!team) {
    return el('section', { class: 'ct-caseload-section', 'aria-labelledby': 'team-heading' }, heading,
      el('p', { class: 'govuk-body' }, `No children with an active journey ${when(choice.asOf)}.`));
  }
  const inTeam = new Set([
    ...team.workers.flatMap((w) => w.children.map((c) => c.child)),
    ...team.unallocated.map((c) => c.child),
  ]);
  const iros = (caseload.iros ?? [])
    .map((i) => ({ iro: i.iro, children: i.children.filter((c) => inTeam.has(c.child)) }))
    .filter((i) => i.children.length > 0);
  const stat = (value, label) => el('div', { class: 'ct-caseload-stat' },
    el('span', { class: 'ct-caseload-stat__value' }, String(value)),
    el('span', { class: 'ct-caseload-stat__label' }, label));
  const childList = (children) => el('ul', { class: 'govuk-list ct-caseload-children' },
    children.map((c) => el('li', null, childLink(c.child), ' ',
      el('span', { class: 'ct-caseload-children__states' }, statesShort(c.journeys)))));
  return el('section', { class: 'ct-caseload-section', 'aria-labelledby': 'team-heading' },
    heading,
    el('div', { class: 'ct-caseload-stats' },
      stat(team.children, team.children === 1 ? 'child' : 'children'),
      stat(team.allocated, 'allocated to a worker'),
      stat(team.unallocated_count, 'waiting for a worker')),
    team.workers.length === 0
      ? none(`Children by worker ${when(choice.asOf)}`, 'No worker holds children in this team.', 'workers-none')
      : table({
        caption: `Children by worker ${when(choice.asOf)}`,
        head: ['Worker', { text: 'Children', numeric: true }, 'Their children'],
        rowHeaders: true,
        rows: team.workers.map((w) => [
          w.worker,
          team.by_worker?.[w.worker] ?? w.children.length,
          childList(w.children),
        ]),
      }),
    team.unallocated.length === 0
      ? none(`Unallocated children ${when(choice.asOf)}`, 'None: every child of the team has a worker.', 'unallocated-none')
      : table({
        caption: `Unallocated children ${when(choice.asOf)}`,
        head: ['Child', 'Journeys', 'Waiting since', { text: 'Days waiting', numeric: true }],
        rowHeaders: true,
        rows: team.unallocated.map((c) => [
          childLink(c.child),
          journeysCell(c.journeys),
          c.since ? formatDate(c.since) : 'Not known',
          c.days === null || c.days === undefined ? { text: 'Not known', numeric: true } : c.days,
        ]),
      }),
    iros.length === 0
      ? none('Independent reviewing officers\' children', 'No child of this team has an independent reviewing officer.', 'iros-none')
      : table({
        caption: 'Independent reviewing officers\' children',
        head: ['IRO', { text: 'Children', numeric: true }, 'Their children'],
        rowHeaders: true,
        rows: iros.map((i) => [i.iro, i.children.length, childList(i.children)]),
      }));
}

/** A child's states, short: "(on a child protection plan; placed)". */
function statesShort(journeys) {
  const states = Object.values(journeys ?? {});
  return states.length ? `(${states.map((s) => stateWords(s).toLowerCase()).join('; ')})` : '';
}

function deadlinesSection(deadlines) {
  const scope = scoped || !choice.team ? '' : ` in team ${choice.team}`;
  const rows = (list, overdue) => list.map((d) => [
    childLink(d.child), d.rule, formatDate(d.started), formatDate(d.due),
    overdue ? tag('Overdue', 'red') : dueIn(d.due),
  ]);
  return el('section', { class: 'ct-caseload-section', 'aria-labelledby': 'deadlines-heading' },
    el('h2', { class: 'govuk-heading-l', id: 'deadlines-heading' }, 'Deadlines'),
    (deadlines.overdue ?? []).length === 0
      ? none(`Overdue deadlines${scope} ${when(choice.asOf)}`, 'None.', 'overdue-none')
      : table({
        caption: `Overdue deadlines${scope} ${when(choice.asOf)}`,
        head: ['Child', 'Rule', 'Started', 'Due', 'Status'],
        rowHeaders: true,
        rows: rows(deadlines.overdue, true),
      }),
    (deadlines.due_soon ?? []).length === 0
      ? none(`Deadlines${scope} due within ${choice.dueWithin} days of ${choice.asOf ? formatDate(choice.asOf) : 'today'}`,
        'None.', 'due-soon-none')
      : table({
        caption: `Deadlines${scope} due within ${choice.dueWithin} days of ${choice.asOf ? formatDate(choice.asOf) : 'today'}`,
        head: ['Child', 'Rule', 'Started', 'Due', 'Status'],
        rowHeaders: true,
        rows: rows(deadlines.due_soon, false),
      }));
}

/** "Due today" (an orange tag), or "Due in N days" from the day shown (as_of or today). */
function dueIn(due) {
  const from = choice.asOf || new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
  const days = Math.round((Date.parse(`${due}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
  if (Number.isNaN(days)) return '';
  if (days <= 0) return tag('Due today', 'orange');
  return `Due in ${days} day${days === 1 ? '' : 's'}`;
}
