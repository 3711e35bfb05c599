// kpis.js: the KPI dashboard (web/src/kpis.html, /ui/kpis.html?from=&to=&team=&area=).
//
// For managers and performance officers: the Trust's measures over a period (GET /v1/kpis; `to`
// is exclusive there, so the page's inclusive "to" is sent as the day after), by team and area,
// each as a GOV.UK summary card in plain words, against the target or comparator the seeds give
// (kpis-targets.js, with its citation), with a trend chart month by month (one /v1/kpis call a
// period, a few at a time) and the same figures as a table; and the deadlines overdue now,
// counted by rule (GET /v1/deadlines?due_within=0).
//
// Team-scoped roles (social workers, team managers, ...) see their own team's figures: the API
// answers them for their team whatever is asked, so the page offers no team or area to choose.
// The teams and areas come from GET /v1/teams; when the Trust has defined none, from the teams
// and areas the PLO and caseload views name; when there are none either, free text.
import { api, ApiError } from './api.js';
import { el, formatDate, replace, summaryList, table, tag } from './dom.js';
import { renderProblem, setTitle, startPage } from './page.js';
import { isTeamScoped } from './roles.js';
import { describeTrend, trendChart } from './kpis-chart.js';
import {
  addDays, addMonths, clearErrors, inputField, isDate, londonToday, monthStart, selectField, showErrors,
} from './kpis-form.js';
import { RULES, loadRules, ruleText, RULES_SOURCE } from './kpis-rules.js';
import { formatValue, GROUPS, judge, measureInfo, MEASURES, targetText } from './kpis-targets.js';

const TITLE = 'KPIs';
const AT_A_TIME = 3;          // trend calls in flight together (the server has two cores)
const MAX_POINTS = 24;        // a longer period is charted by quarter, then by year

const { session, main } = await startPage({ title: TITLE });
await loadRules();
const teamScoped = isTeamScoped(session.role);

// --- the period ---------------------------------------------------------------------------

/** The last 12 full months: the first day 12 months before this month's, to the end of last month. */
function defaultPeriod() {
  const thisMonth = monthStart(londonToday());
  return { from: addMonths(thisMonth, -12), to: addDays(thisMonth, -1) };
}

/** The query in the URL, with the defaults filled in. */
function readQuery() {
  const q = new URLSearchParams(window.location.search);
  const period = defaultPeriod();
  return {
    from: q.get('from') ?? period.from,
    to: q.get('to') ?? period.to,
    team: teamScoped ? '' : (q.get('team') ?? ''),
    area: teamScoped ? '' : (q.get('area') ?? ''),
  };
}

/** The periods the trend is drawn over: months, or quarters or years for a long period. */
function buckets(from, toExclusive) {
  const make = (step) => {
    const list = [];
    let start = from;
    while (start < toExclusive) {
      const next = addMonths(start, step);
      const end = next < toExclusive ? next : toExclusive;
      list.push({ from: start, to: end });
      start = end;
    }
    return list;
  };
  let step = 1;
  let list = make(step);
  for (const bigger of [3, 12]) {
    if (list.length <= MAX_POINTS) break;
    step = bigger;
    list = make(step);
  }
  const month = new Intl.DateTimeFormat('en-GB', { month: 'short', timeZone: 'UTC' });
  const monthYear = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
  return {
    unit: step === 1 ? 'month' : step === 3 ? 'quarter' : 'year',
    list: list.map((b, i) => {
      const start = new Date(`${b.from}T00:00:00Z`);
      const wholeMonth = step === 1 && b.from.endsWith('-01') && b.to === addMonths(b.from, 1);
      const last = addDays(b.to, -1);
      return {
        ...b,
        label: wholeMonth ? monthYear.format(start) : `${formatDate(b.from)} to ${formatDate(last)}`,
        short: wholeMonth ? `${month.format(start)} ${b.from.slice(0, 4)}` : `${formatDate(b.from)} to ${formatDate(last)}`,
        tick: step === 12 ? b.from.slice(0, 4) : month.format(start),
        year: step !== 12 && (i === 0 || b.from.slice(5, 7) === '01') ? b.from.slice(0, 4) : '',
      };
    }),
  };
}

/** Runs task(item) for each item, at most `limit` at a time; answers the results in order. */
async function inTurn(items, limit, task) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next;
      next += 1;
      results[i] = await task(items[i]); // eslint-disable-line no-await-in-loop
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// --- teams and areas ------------------------------------------------------------------------

/** [{team, name, area}] from /v1/teams (the latest definition of each), else from the views. */
async function loadTeams() {
  const { teams } = await api.get('/v1/teams');
  const byTeam = new Map();
  for (const t of [...teams].sort((a, b) => String(a.effective_from).localeCompare(String(b.effective_from)))) {
    byTeam.set(t.team, { team: t.team, name: t.name || t.team, area: t.area || '' });
  }
  if (byTeam.size === 0) {
    const [plo, caseload] = await Promise.all([api.get('/v1/plo'), api.get('/v1/caseload')]);
    for (const c of plo.children ?? []) {
      if (c.team) byTeam.set(c.team, { team: c.team, name: c.team, area: c.area || byTeam.get(c.team)?.area || '' });
    }
    for (const t of caseload.teams ?? []) {
      if (t.team && !byTeam.has(t.team)) byTeam.set(t.team, { team: t.team, name: t.team, area: '' });
    }
  }
  return [...byTeam.values()].sort((a, b) => a.team.localeCompare(b.team));
}

// --- the page -------------------------------------------------------------------------------

const column = el('div', { class: 'govuk-grid-column-full' });
const caption = el('span', { class: 'govuk-caption-l' });
const results = el('div', { class: 'ct-kpis-results' });
const status = el('p', { class: 'govuk-body ct-kpis-status', role: 'status' });
let teams = [];

/** "Team north-1", "Area north", "Team north-1 in area north" or "All teams". */
function scopeWords(query) {
  if (teamScoped) return `Team ${session.team}`;
  if (query.team && query.area) return `Team ${query.team} in area ${query.area}`;
  if (query.team) return `Team ${query.team}`;
  if (query.area) return `Area ${query.area}`;
  return 'All teams';
}

/** scopeWords() inside a sentence: "team north-1", "all teams". */
function scopeInSentence(query) {
  const words = scopeWords(query);
  return words.charAt(0).toLowerCase() + words.slice(1);
}

function buildForm(query) {
  const from = inputField({
    id: 'from', label: 'From', hint: 'The first day counted', type: 'date', value: query.from, inputClass: 'govuk-input--width-10',
  });
  const to = inputField({
    id: 'to', label: 'To', hint: 'The last day counted', type: 'date', value: query.to, inputClass: 'govuk-input--width-10',
  });
  const fields = [from.group, to.group];
  if (!teamScoped) {
    if (teams.length > 0) {
      const areas = [...new Set(teams.map((t) => t.area).filter(Boolean))].sort();
      fields.push(selectField({
        id: 'team', label: 'Team', hint: 'Where the child was held', value: query.team,
        options: [{ value: '', text: 'All teams' }, ...teams.map((t) => ({ value: t.team, text: t.name === t.team ? t.team : `${t.name} (${t.team})` }))],
      }).group);
      if (areas.length > 0) {
        fields.push(selectField({
          id: 'area', label: 'Area', hint: 'The team\'s area on the day', value: query.area,
          options: [{ value: '', text: 'All areas' }, ...areas.map((a) => ({ value: a, text: a }))],
        }).group);
      } else {
        fields.push(inputField({ id: 'area', label: 'Area', hint: 'For example, north', value: query.area, inputClass: 'govuk-input--width-10' }).group);
      }
    } else {
      fields.push(inputField({ id: 'team', label: 'Team', hint: 'For example, north-1', value: query.team, inputClass: 'govuk-input--width-10' }).group);
      fields.push(inputField({ id: 'area', label: 'Area', hint: 'For example, north', value: query.area, inputClass: 'govuk-input--width-10' }).group);
    }
  }
  const form = el('form', { class: 'ct-kpis-form', method: 'get', action: '/ui/kpis.html', novalidate: true },
    el('fieldset', { class: 'govuk-fieldset' },
      el('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--m' },
        el('h2', { class: 'govuk-fieldset__heading' }, teamScoped ? 'Period' : 'Period and place')),
      el('div', { class: 'ct-kpis-form__fields' }, fields)),
    el('button', { type: 'submit', class: 'govuk-button', 'data-module': 'govuk-button' }, 'Show the figures'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = {
      from: String(data.get('from') ?? '').trim(),
      to: String(data.get('to') ?? '').trim(),
      team: String(data.get('team') ?? '').trim(),
      area: String(data.get('area') ?? '').trim(),
    };
    const errors = validate(next, form);
    if (errors.length > 0) {
      showErrors(form, column, errors, TITLE);
      return;
    }
    clearErrors(form, column, TITLE);
    const params = new URLSearchParams({ from: next.from, to: next.to });
    if (next.team) params.set('team', next.team);
    if (next.area) params.set('area', next.area);
    window.history.pushState(null, '', `/ui/kpis.html?${params}`);
    load(next);
  });
  return form;
}

function validate(query, form) {
  const errors = [];
  const bad = (id) => form.querySelector(`#${id}`)?.validity?.badInput;
  if (!query.from) {
    errors.push({ id: 'from', text: bad('from') ? 'The first day must be a real date' : 'Enter the first day of the period' });
  } else if (!isDate(query.from)) {
    errors.push({ id: 'from', text: 'The first day must be a real date' });
  }
  if (!query.to) {
    errors.push({ id: 'to', text: bad('to') ? 'The last day must be a real date' : 'Enter the last day of the period' });
  } else if (!isDate(query.to)) {
    errors.push({ id: 'to', text: 'The last day must be a real date' });
  }
  if (errors.length === 0 && query.to < query.from) {
    errors.push({ id: 'to', text: 'The last day must be the same as or after the first day' });
  }
  return errors;
}

// --- the measures -----------------------------------------------------------------------------

function valueTag(verdict) {
  switch (verdict) {
    case 'met': return tag('Target met', 'green');
    case 'not met': return tag('Target not met', 'red');
    case 'no data': return tag('No data', 'grey');
    default: return tag('No target', 'grey');
  }
}

function targetRows(info) {
  if (info.target) {
    return [
      ['Target', [el('p', { class: 'govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-1' }, targetText(info)),
        el('p', { class: 'govuk-body govuk-!-margin-bottom-0' }, info.target.text)]],
      ['Source', [info.target.id ? `${info.target.id}: ` : '', el('span', { class: 'ct-kpis-cite' }, info.target.cite)]],
    ];
  }
  return [
    ['Target', [el('p', { class: 'govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-1' }, 'None in the seeds'),
      el('p', { class: 'govuk-body govuk-!-margin-bottom-0' }, info.noTarget?.text ?? '')]],
    info.noTarget?.cite ? ['Source', [info.noTarget.id ? `${info.noTarget.id}: ` : '', el('span', { class: 'ct-kpis-cite' }, info.noTarget.cite)]] : null,
  ].filter(Boolean);
}

function countedText(info, m) {
  if (!m || !m.denominator) return 'Nothing counted in the period';
  return info.counted(m.numerator, m.denominator);
}

function card(info, m, trendSlot) {
  const value = m ? m.value : null;
  return el('div', { class: 'govuk-summary-card ct-kpis-card', id: `measure-${info.name}`, 'data-measure': info.name },
    el('div', { class: 'govuk-summary-card__title-wrapper' },
      el('h3', { class: 'govuk-summary-card__title' }, info.title)),
    el('div', { class: 'govuk-summary-card__content' },
      el('p', { class: 'ct-kpis-value' },
        el('span', { class: 'ct-kpis-value__number', 'data-value': '' }, formatValue(info.kind, value)),
        ' ', valueTag(judge(info, value))),
      summaryList([
        ['Counted', countedText(info, m)],
        ...targetRows(info),
        info.rules.length > 0 ? ['Timescale', el('ul', { class: 'govuk-list' }, info.rules.map((r) => el('li', null, `${r}: ${ruleText(r) || r}`)))] : null,
      ].filter(Boolean)),
      trendSlot));
}

/** What a period counted, briefly (the trend's table): "28 of 31", "3 counted". */
function countedBriefly(info, m) {
  if (!m || !m.denominator) return 'None';
  const n = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });
  return info.kind === 'proportion' ? `${n.format(m.numerator)} of ${n.format(m.denominator)}` : `${n.format(m.denominator)} counted`;
}

function trendTable(info, points, unit) {
  const figures = table({
    caption: `${info.title}, by ${unit}`,
    captionSize: 's',
    head: [unit.charAt(0).toUpperCase() + unit.slice(1), { text: 'Value', numeric: true }, { text: 'Counted', numeric: true }],
    rowHeaders: true,
    rows: points.map((p) => [p.short, { text: formatValue(info.kind, p.value), numeric: true }, { text: countedBriefly(info, p.measure), numeric: true }]),
  });
  figures.classList.add('govuk-table--small-text-until-tablet');
  return el('details', { class: 'govuk-details ct-kpis-details' },
    el('summary', { class: 'govuk-details__summary' },
      el('span', { class: 'govuk-details__summary-text' }, `The figures by ${unit}`)),
    el('div', { class: 'govuk-details__text' }, figures));
}

function drawTrend(slot, info, periods, answers) {
  const points = periods.list.map((b, i) => {
    const measure = answers[i]?.measures?.[info.name] ?? null;
    return { label: b.label, short: b.short, tick: b.tick, year: b.year, value: measure ? measure.value : null, measure };
  });
  const spec = { points, kind: info.kind, target: info.target, title: info.title };
  replace(slot,
    el('h4', { class: 'govuk-heading-s govuk-!-margin-bottom-1' }, `Trend by ${periods.unit}`),
    el('figure', { class: 'ct-kpis-figure' }, trendChart(spec)),
    trendTable(info, points, periods.unit));
  slot.setAttribute('data-trend', 'ready');
  slot.setAttribute('data-summary', describeTrend(spec));
}

// --- deadlines breached ---------------------------------------------------------------------

async function overdueByRule(query) {
  let lists;
  if (!teamScoped && query.area && !query.team) {
    const inArea = teams.filter((t) => t.area === query.area).map((t) => t.team);
    lists = await inTurn(inArea, AT_A_TIME, (team) => api.get('/v1/deadlines', { due_within: 0, team }));
  } else {
    lists = [await api.get('/v1/deadlines', { due_within: 0, team: teamScoped ? '' : query.team })];
  }
  const counts = new Map();
  for (const answer of lists) {
    for (const d of answer.overdue ?? []) counts.set(d.rule, (counts.get(d.rule) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function deadlinesSection(query, rows) {
  const total = rows.reduce((sum, [, n]) => sum + n, 0);
  return el('section', { class: 'ct-kpis-deadlines', 'aria-labelledby': 'deadlines-heading' },
    el('h2', { class: 'govuk-heading-l', id: 'deadlines-heading' }, 'Deadlines breached by rule'),
    el('p', { class: 'govuk-body' },
      `Deadlines still open and past their due date today, for ${scopeInSentence(query)}. `,
      'This is today\'s position, whatever the period above. The rules are casetrail\'s timescales (',
      el('span', { class: 'ct-kpis-cite' }, RULES_SOURCE), ').'),
    rows.length === 0
      ? el('p', { class: 'govuk-body', 'data-empty': '' }, 'No deadlines are overdue.')
      : (() => {
        const t = table({
          caption: `${total} ${total === 1 ? 'deadline' : 'deadlines'} overdue now`,
          head: ['Rule', 'What the rule is', { text: 'Overdue', numeric: true }],
          rowHeaders: true,
          rows: rows.map(([rule, n]) => [el('span', { class: 'ct-kpis-nowrap' }, rule),
            el('span', null, ruleText(rule) || 'Not in the rule book',
              RULES.has(rule) ? el('span', { class: 'ct-kpis-basis' }, RULES.get(rule).basis) : null), n]),
        });
        t.classList.add('govuk-table--small-text-until-tablet');
        return t;
      })());
}

// --- loading --------------------------------------------------------------------------------

let generation = 0;

async function load(query) {
  generation += 1;
  const mine = generation;
  const current = () => mine === generation;
  const toExclusive = addDays(query.to, 1);
  const scope = { team: teamScoped ? '' : query.team, area: teamScoped ? '' : query.area };
  caption.textContent = scopeWords(query);
  status.textContent = `Reading the figures for ${formatDate(query.from)} to ${formatDate(query.to)}…`;
  results.setAttribute('aria-busy', 'true');
  replace(results);
  let total;
  let overdue;
  try {
    [total, overdue] = await Promise.all([
      api.get('/v1/kpis', { from: query.from, to: toExclusive, ...scope }),
      overdueByRule(query),
    ]);
  } catch (error) {
    if (!current()) return;
    results.removeAttribute('aria-busy');
    status.textContent = '';
    showApiError(error);
    return;
  }
  if (!current()) return;
  const periods = buckets(query.from, toExclusive);
  const names = [...MEASURES.map((m) => m.name), ...Object.keys(total.measures ?? {}).filter((n) => !MEASURES.some((m) => m.name === n))];
  // The proceedings' split by pre-proceedings is shown only when the API has it.
  const shown = names.filter((n) => !n.startsWith('average_weeks_of_care_proceedings_') || total.measures?.[n]);
  const slots = new Map();
  const sections = GROUPS.map((group) => {
    const infos = shown.map(measureInfo).filter((info) => info.group === group.id);
    if (infos.length === 0) return null;
    return el('section', { class: 'ct-kpis-group', 'aria-labelledby': `group-${group.id}` },
      el('h2', { class: 'govuk-heading-l', id: `group-${group.id}` }, group.title),
      infos.map((info) => {
        const slot = el('div', { class: 'ct-kpis-trend', 'data-trend': 'loading' },
          el('p', { class: 'govuk-body govuk-hint' }, `Reading the trend by ${periods.unit}…`));
        slots.set(info.name, { slot, info });
        return card(info, total.measures?.[info.name] ?? null, slot);
      }));
  });
  replace(results, sections, deadlinesSection(query, overdue));
  results.removeAttribute('aria-busy');
  status.textContent = `Figures for ${formatDate(query.from)} to ${formatDate(query.to)}, ${scopeInSentence(query)}.`;

  let answers;
  try {
    answers = await inTurn(periods.list, AT_A_TIME, (b) => (current()
      ? api.get('/v1/kpis', { from: b.from, to: b.to, ...scope }) : null));
  } catch (error) {
    if (!current()) return;
    for (const { slot } of slots.values()) {
      replace(slot, el('p', { class: 'govuk-body' }, `The trend could not be read: ${error.message}`));
      slot.setAttribute('data-trend', 'failed');
    }
    return;
  }
  if (!current()) return;
  for (const { slot, info } of slots.values()) drawTrend(slot, info, periods, answers);
}

function showApiError(error) {
  if (error instanceof ApiError && error.status === 403) {
    renderProblem(main, error);
    return;
  }
  const form = column.querySelector('form');
  const field = error instanceof ApiError && ['from', 'to', 'team', 'area'].includes(error.field) ? error.field : null;
  const text = error instanceof ApiError && error.status === 400
    ? `${field ? `${field === 'from' ? 'The first day' : field === 'to' ? 'The last day' : field === 'team' ? 'The team' : 'The area'} ` : ''}${error.message}`
    : `The figures could not be read (${error.message}). Try again later.`;
  showErrors(form, column, [{ id: field && form.querySelector(`#${field}`) ? field : undefined, text }], TITLE);
}

async function start() {
  try {
    teams = teamScoped ? [] : await loadTeams();
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) {
      renderProblem(main, error);
      return;
    }
    teams = [];
  }
  const query = readQuery();
  setTitle(TITLE);
  replace(main, el('div', { class: 'govuk-grid-row' },
    replace(column,
      caption,
      el('h1', { class: 'govuk-heading-l' }, 'Key performance indicators'),
      el('p', { class: 'govuk-body-l' }, teamScoped
        ? `Your team's measures over a period. You see team ${session.team}'s figures only.`
        : 'The Trust\'s measures over a period, by team and area, against the figures the Trust reported.'),
      buildForm(query),
      status,
      results)));
  const problems = validate(query, column.querySelector('form'));
  if (problems.length > 0) {
    showErrors(column.querySelector('form'), column, problems, TITLE);
    return;
  }
  await load(query);
}

window.addEventListener('popstate', () => {
  const query = readQuery();
  const form = column.querySelector('form');
  if (!form) return;
  for (const name of ['from', 'to', 'team', 'area']) {
    const input = form.querySelector(`#${name}`);
    if (input) input.value = query[name];
  }
  clearErrors(form, column, TITLE);
  if (validate(query, form).length === 0) load(query);
});

await start();
