// plo.js: the PLO board (web/src/plo.html, /ui/plo.html).
//
// Every child in pre-proceedings or care proceedings that the user may see (GET /v1/plo: the API
// keeps social workers and team managers to their team), the week each has reached of the Public
// Law Outline (care proceedings: 26 weeks beginning with the day of issue, CA 1989 s32(1)(a)(ii),
// plus the extensions granted; pre-proceedings: the 16-week review point), red, amber or green, a
// timeline bar, the hearings held, the final hearing's date, the extensions, team and area.
//
// The filters (stage, RAG, team, area: from the rows of the answer), the date "as of" (asked of
// the API) and the sort are a GOV.UK form; they apply as they change, without a reload, and the
// URL's query keeps them (nothing else goes in it). "Download CSV" gives exactly the rows shown.
//
// Live: an EventSource on /v1/changes (notices that something was recorded in pre-proceedings or
// care proceedings, with no child named) makes the board read GET /v1/plo again, at most once a
// second, keeping the filters, sort and focus. A past date pauses it.
import { api, ApiError } from './api.js';
import { el, errorMessage, errorSummary, formatDate, formatDateTime, replace, table, tag } from './dom.js';
import { renderProblem, setTitle, startPage } from './page.js';
import {
  applyFilters, hearingName, isExtended, isFiltered, isPastDate, lastHearing, londonDate, londonToday,
  queryString, RAG_TAG_COLOURS, RAGS, readState, SORTS, sortChildren, STAGES, summaryText, toCsv,
  weeksAllowed, weekText, baseWeeks,
} from './plo-model.js';
import { timeline } from './plo-svg.js';

const TITLE = 'PLO board';
const CHANGES_URL = '/v1/changes?journey=pre_proceedings,care_proceedings';
const REFRESH_GAP_MS = 1000;     // at most one GET /v1/plo a second for live notices
const DATE_SETTLE_MS = 600;      // the date field: wait for the typing to stop
const RECONNECT_MS = 10_000;     // when the browser gives up on the stream
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const { main } = await startPage({ title: TITLE });

const state = readState(window.location.search);
let answer = null;        // the last good answer: {as_of, children}
let answerAsOf = null;    // the as_of it was asked with
let requestSeq = 0;       // only the latest request's answer is shown
let csvUrl = null;        // the blob: URL of the CSV link shown

// --- the page's parts ------------------------------------------------------------------------

const errorSlot = el('div');
const summaryLine = el('p', { class: 'govuk-body ct-plo-summary', id: 'plo-summary' });

function selectField(name, label, options) {
  const id = `plo-${name.replaceAll('_', '-')}`;
  const select = el('select', { class: 'govuk-select', id, name },
    options.map(([value, text]) => el('option', { value }, text)));
  const group = el('div', { class: 'govuk-form-group ct-plo-filters__item' },
    el('label', { class: 'govuk-label govuk-label--s', for: id }, label), select);
  return { group, select };
}

const stageField = selectField('stage', 'Stage', [['', 'All stages'], ...Object.entries(STAGES)]);
const ragField = selectField('rag', 'Status (RAG)', [['', 'All statuses'], ...Object.entries(RAGS)]);
const teamField = selectField('team', 'Team', [['', 'All teams']]);
const areaField = selectField('area', 'Area', [['', 'All areas']]);
const sortField = selectField('sort', 'Sort by', Object.entries(SORTS));

const asOfInput = el('input', {
  class: 'govuk-input govuk-input--width-10', id: 'plo-as-of', name: 'as_of', type: 'date',
  'aria-describedby': 'plo-as-of-hint',
});
const asOfHint = el('div', { class: 'govuk-hint', id: 'plo-as-of-hint' }, 'Leave empty for today');
const asOfGroup = el('div', { class: 'govuk-form-group ct-plo-filters__item' },
  el('label', { class: 'govuk-label govuk-label--s', for: 'plo-as-of' }, 'As of'), asOfHint, asOfInput);

const clearButton = el('button', { type: 'button', class: 'govuk-button govuk-button--secondary ct-plo-filters__clear' },
  'Clear filters');

const form = el('form', { class: 'ct-plo-filters', method: 'get', action: '/ui/plo.html', novalidate: true, 'aria-labelledby': 'plo-filters-heading' },
  el('h2', { class: 'govuk-heading-s ct-plo-filters__heading', id: 'plo-filters-heading' }, 'Filter and sort'),
  el('div', { class: 'ct-plo-filters__row' },
    stageField.group, ragField.group, teamField.group, areaField.group, asOfGroup, sortField.group, clearButton));

const updatedText = el('span', { class: 'ct-plo-live__updated' });
const connectionText = el('span', { class: 'ct-plo-live__connection' });
const liveLine = el('p', { class: 'govuk-body-s ct-plo-live', role: 'status', 'aria-live': 'polite' },
  updatedText, ' ', connectionText);
const pastNotice = el('div', { class: 'govuk-inset-text ct-plo-past', hidden: true });
const results = el('div', { class: 'ct-plo-results', id: 'plo-results' });

replace(main, errorSlot,
  el('h1', { class: 'govuk-heading-l' }, TITLE),
  summaryLine, form, liveLine, pastNotice, results);
syncControls();

// --- the URL and the controls ----------------------------------------------------------------

function syncControls() {
  stageField.select.value = state.stage;
  ragField.select.value = state.rag;
  sortField.select.value = state.sort;
  setOptions(teamField.select, 'All teams', [], state.team);
  setOptions(areaField.select, 'All areas', [], state.area);
  asOfInput.value = DATE.test(state.as_of) ? state.as_of : '';
}

function writeUrl() {
  const query = queryString(state);
  const url = `${window.location.pathname}${query ? `?${query}` : ''}`;
  if (url !== `${window.location.pathname}${window.location.search}`) window.history.replaceState(window.history.state, '', url);
}

/** The select's options: "all", then values (sorted), then the chosen one if it is not among them. */
function setOptions(select, allText, values, current) {
  const wanted = [...new Set(values)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (current && !wanted.includes(current)) wanted.push(current);
  const have = [...select.options].slice(1).map((o) => o.value);
  if (have.length !== wanted.length || have.some((v, i) => v !== wanted[i])) {
    replace(select, el('option', { value: '' }, allText), wanted.map((v) => el('option', { value: v }, v)));
  }
  select.value = current;
}

for (const [name, field] of [['stage', stageField], ['rag', ragField], ['team', teamField], ['area', areaField], ['sort', sortField]]) {
  field.select.addEventListener('change', () => {
    state[name] = field.select.value;
    writeUrl();
    render();
  });
}

let dateTimer = null;
function applyDate() {
  clearTimeout(dateTimer);
  dateTimer = null;
  const value = asOfInput.value;
  if (value === state.as_of) return;
  state.as_of = value;
  writeUrl();
  followLive();
  load();
}
asOfInput.addEventListener('change', () => {
  clearTimeout(dateTimer);
  dateTimer = setTimeout(applyDate, DATE_SETTLE_MS);
});
form.addEventListener('submit', (event) => {
  event.preventDefault(); // Enter in a field: apply now
  applyDate();
});
clearButton.addEventListener('click', () => {
  const dateChanged = state.as_of !== '';
  Object.assign(state, { stage: '', rag: '', team: '', area: '', as_of: '' });
  syncControls();
  writeUrl();
  if (dateChanged) {
    followLive();
    load();
  } else {
    render();
  }
});

// --- errors ----------------------------------------------------------------------------------

function clearErrors() {
  errorSlot.replaceChildren();
  asOfGroup.classList.remove('govuk-form-group--error');
  asOfInput.classList.remove('govuk-input--error');
  asOfGroup.querySelector('.govuk-error-message')?.remove();
  asOfInput.setAttribute('aria-describedby', 'plo-as-of-hint');
  setTitle(TITLE);
}

/** An answer that is not 2xx: the error summary, and beside the field the API names. */
function showError(error) {
  clearErrors();
  setTitle(TITLE, { error: true });
  const aboutDate = error.field === 'as_of';
  const text = aboutDate
    ? `Enter a real date for "As of" (it ${error.message})`
    : `The board could not be shown (${error.message}). Try again later.`;
  if (aboutDate) {
    asOfGroup.classList.add('govuk-form-group--error');
    asOfInput.classList.add('govuk-input--error');
    asOfInput.setAttribute('aria-describedby', 'plo-as-of-hint plo-as-of-error');
    asOfHint.after(errorMessage('plo-as-of-error', text));
  }
  errorSlot.append(errorSummary('There is a problem', [aboutDate ? { text, href: '#plo-as-of' } : { text }]));
}

// --- the board -------------------------------------------------------------------------------

const secondary = (...children) => el('span', { class: 'ct-plo-secondary' }, ...children);
// A second line's date, short so that the columns stay narrow: "3 Aug 2026".
const shortDateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const shortDate = (value) => (DATE.test(value ?? '') ? shortDateFormat.format(new Date(`${value}T00:00:00Z`)) : formatDate(value));
// An id (team, area): kept on one line when short, broken anywhere when long.
const idText = (value) => {
  const text = String(value ?? '');
  return el('span', { class: text.length <= 16 ? 'ct-plo-id' : 'ct-plo-id ct-plo-id--long' }, text);
};
const timeFormat = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone: 'Europe/London',
});

function stageCell(c) {
  if (c.stage === 'proceedings') {
    return [
      el('span', { class: 'ct-plo-stage' }, STAGES.proceedings),
      c.fdac ? [' ', tag('FDAC', 'purple')] : null,
      c.issued ? secondary(`Issued ${shortDate(c.issued)}`) : null,
      c.court ? secondary(String(c.court)) : null,
      c.after_pre_proceedings ? secondary('After pre-proceedings') : null,
    ];
  }
  if (c.stage === 'pre_proceedings') {
    let meeting = null;
    if (c.initial_meeting_held) meeting = `Initial meeting held ${shortDate(c.initial_meeting_held)}`;
    else if (c.initial_meeting_due) meeting = `Initial meeting due ${shortDate(c.initial_meeting_due)}`;
    return [
      el('span', { class: 'ct-plo-stage' }, STAGES.pre_proceedings),
      c.lpm ? secondary(`Legal planning meeting ${shortDate(c.lpm)}`) : null,
      secondary(c.letter ? `Letter before proceedings ${shortDate(c.letter)}` : 'No letter before proceedings yet'),
      meeting ? secondary(meeting) : null,
    ];
  }
  return String(c.stage ?? '');
}

function weekCell(c, scale) {
  const allowed = weeksAllowed(c);
  const over = c.week - allowed;
  return [
    el('span', { class: 'ct-plo-week' }, weekText(c)),
    timeline(c, scale),
    over > 0 ? secondary(`${over} ${over === 1 ? 'week' : 'weeks'} over`) : null,
  ];
}

function hearingsCell(c) {
  if (c.stage !== 'proceedings') {
    const reviews = Number(c.reviews) || 0;
    return [secondary('Not in court'),
      reviews > 0 ? secondary(`${reviews} review ${reviews === 1 ? 'meeting' : 'meetings'}`) : null];
  }
  const count = Array.isArray(c.hearings) ? c.hearings.length : 0;
  const next = nextHearing(c);
  const moved = placementMoves(c);
  if (count === 0) return ['None yet', next, moved];
  const last = lastHearing(c);
  return [`${count} held`,
    secondary(`Last: ${hearingName(last.kind)}${last.date ? `, ${shortDate(last.date)}` : ''}`), next, moved];
}

/** The child's placement changes since the issue: news for the court (SM-10). */
function placementMoves(c) {
  const moves = Array.isArray(c.placement_changes) ? c.placement_changes : [];
  if (moves.length === 0) return null;
  const lastDate = String(moves[moves.length - 1]).slice(0, 10);
  const words = moves.length === 1 ? 'Placement changed' : `${moves.length} placement changes`;
  return el('span', { class: 'ct-plo-secondary' }, `${words} since issue, last ${shortDate(lastDate)} `,
    tag('Tell the court', 'blue'));
}

/** The hearing listed next; one whose day has passed with no hearing recorded since is flagged. */
function nextHearing(c) {
  if (!c.next_hearing) return null;
  const today = answerAsOf && DATE.test(answerAsOf) ? answerAsOf : (londonDate(answer.as_of) || londonToday());
  if (c.next_hearing >= today) return secondary(`Next: ${shortDate(c.next_hearing)}`);
  return el('span', { class: 'ct-plo-secondary' },
    `Listed ${shortDate(c.next_hearing)}: `, tag('Not recorded', 'orange'));
}

function finalHearingCell(c) {
  if (c.stage === 'proceedings') return c.final_hearing_due ? formatDate(c.final_hearing_due) : 'Not set';
  return [secondary('Not issued'),
    c.review_point ? secondary(`Review point ${shortDate(c.review_point)}`) : null];
}

function extensionsCell(c) {
  if (!isExtended(c)) return 'None';
  if (c.stage === 'proceedings') {
    const weeks = Number(c.extension_weeks) || 0;
    return `${weeks} ${weeks === 1 ? 'week' : 'weeks'}`;
  }
  const n = Number(c.extensions) || 0;
  return [`${n} ${n === 1 ? 'extension' : 'extensions'}`,
    secondary(`to week ${weeksAllowed(c)} (from ${baseWeeks(c)})`)];
}

function asOfWords() {
  if (answerAsOf) return `the end of ${formatDate(answerAsOf)}`;
  return formatDateTime(answer.as_of);
}

function filterWords() {
  const words = [];
  if (state.stage) words.push(`${STAGES[state.stage].toLowerCase()} only`);
  if (state.rag) words.push(`${RAGS[state.rag].toLowerCase()} only`);
  if (state.team) words.push(`team ${state.team}`);
  if (state.area) words.push(`area ${state.area}`);
  return words;
}

/** The CSV file's date: the board's date in London. */
function csvDate() {
  return answerAsOf && DATE.test(answerAsOf) ? answerAsOf : (londonDate(answer.as_of) || londonToday());
}

function csvLink(rows) {
  if (csvUrl) URL.revokeObjectURL(csvUrl);
  csvUrl = URL.createObjectURL(new Blob([toCsv(rows)], { type: 'text/csv;charset=utf-8' }));
  return el('p', { class: 'govuk-body ct-plo-download' },
    el('a', { class: 'govuk-link', href: csvUrl, download: `plo-${csvDate()}.csv`, 'data-ct-key': 'csv' },
      'Download CSV', el('span', { class: 'govuk-visually-hidden' },
        ` of the ${rows.length} ${rows.length === 1 ? 'child' : 'children'} shown`)));
}

function board(rows) {
  const scale = Math.max(26, ...rows.map((c) => Math.max(weeksAllowed(c), Number(c.week) || 0)));
  const filters = filterWords();
  const caption = [
    `Children in pre-proceedings and care proceedings as of ${asOfWords()}`,
    el('span', { class: 'govuk-caption-m ct-plo-caption-detail' },
      `${filters.length ? `Showing ${filters.join(', ')}. ` : ''}Sorted by ${SORTS[state.sort].toLowerCase()}.`),
  ];
  const node = table({
    caption,
    captionSize: 'm',
    head: ['Child', 'Stage', 'Week', 'Status', 'Hearings held', 'Final hearing due', 'Extensions', 'Team', 'Area'],
    rowHeaders: true,
    rows: rows.map((c) => [
      el('a', { class: 'govuk-link', href: `/ui/child.html?child=${encodeURIComponent(c.child)}`, 'data-ct-key': `child-${c.child}` }, String(c.child)),
      stageCell(c),
      weekCell(c, scale),
      tag(RAGS[c.rag] ?? String(c.rag ?? 'Unknown'), RAG_TAG_COLOURS[c.rag] ?? 'grey'),
      hearingsCell(c),
      finalHearingCell(c),
      extensionsCell(c),
      idText(c.team),
      idText(c.area),
    ]),
  });
  node.classList.add('ct-plo-table');
  node.querySelectorAll('tbody tr').forEach((tr, i) => tr.setAttribute('data-child', String(rows[i].child)));
  return node;
}

function render() {
  if (!answer) return;
  const all = answer.children;
  setOptions(teamField.select, 'All teams', all.map((c) => String(c.team ?? '')).filter(Boolean), state.team);
  setOptions(areaField.select, 'All areas', all.map((c) => String(c.area ?? '')).filter(Boolean), state.area);
  const rows = sortChildren(applyFilters(all, state), state.sort);
  summaryLine.textContent = summaryText(rows, all);

  const active = document.activeElement;
  const focusKey = active && results.contains(active) ? active.getAttribute('data-ct-key') : null;
  if (rows.length === 0) {
    if (csvUrl) URL.revokeObjectURL(csvUrl);
    csvUrl = null;
    replace(results, el('p', { class: 'govuk-body ct-plo-empty' },
      `No children are in pre-proceedings or proceedings${isFiltered(state) && all.length > 0 ? ' for these filters' : ''}` +
      ` as of ${asOfWords()}.`));
  } else {
    replace(results, csvLink(rows), board(rows));
  }
  if (focusKey) {
    const again = [...results.querySelectorAll('[data-ct-key]')].find((n) => n.getAttribute('data-ct-key') === focusKey);
    again?.focus();
  }
}

function setUpdated(when) {
  updatedText.textContent = `Updated at ${timeFormat.format(when)}.`;
}

async function load({ live = false } = {}) {
  const mine = ++requestSeq;
  const asOf = state.as_of;
  try {
    const data = await api.get('/v1/plo', { as_of: asOf });
    if (mine !== requestSeq) return;
    answer = { as_of: data?.as_of ?? '', children: Array.isArray(data?.children) ? data.children : [] };
    answerAsOf = asOf;
    clearErrors();
    followLive();
    render();
    pastNotice.hidden = !isPastDate(asOf);
    if (!pastNotice.hidden) {
      replace(pastNotice,
        `Live updates are paused: the board shows ${formatDate(asOf)}. `,
        'It lists the children in pre-proceedings or proceedings today, with their weeks and status ',
        'counted to that date. Clear "As of" to see the board now and follow changes as they are recorded.');
    }
    setUpdated(new Date());
  } catch (error) {
    if (mine !== requestSeq) return;
    if (!(error instanceof ApiError) || error.status === 403) {
      stopLive();
      renderProblem(main, error);
      return;
    }
    if (live && answer) {
      updatedText.textContent = `Could not update at ${timeFormat.format(new Date())} (${error.message}): ` +
        'the board shows the last answer.';
      return;
    }
    answer = null;
    summaryLine.textContent = '';
    pastNotice.hidden = true;
    if (csvUrl) URL.revokeObjectURL(csvUrl);
    csvUrl = null;
    replace(results);
    showError(error);
    followLive();
  }
}

// --- live updates ----------------------------------------------------------------------------

let source = null;
let reconnectTimer = null;
let refreshTimer = null;
let refreshing = false;
let refreshAgain = false;
let lastRefresh = 0;

/** Live only for the board of today (or a day to come), and a date the API took. */
function liveWanted() {
  if (!state.as_of) return true;
  return DATE.test(state.as_of) && !isPastDate(state.as_of) && errorSlot.childElementCount === 0;
}

function setConnection(text) {
  connectionText.textContent = text;
}

/** A notice came: read the board again, at most once a second. */
function scheduleRefresh() {
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  if (refreshTimer) return; // the read to come will see it
  const wait = Math.max(0, lastRefresh + REFRESH_GAP_MS - Date.now());
  refreshTimer = setTimeout(async () => {
    refreshTimer = null;
    refreshing = true;
    refreshAgain = false;
    lastRefresh = Date.now();
    try {
      await load({ live: true });
    } finally {
      refreshing = false;
      if (refreshAgain && source) scheduleRefresh();
    }
  }, wait);
}

function startLive() {
  if (source || typeof EventSource === 'undefined') return;
  const stream = new EventSource(CHANGES_URL);
  source = stream;
  let broken = false;
  stream.addEventListener('open', () => {
    if (source !== stream) return;
    setConnection('Live updates on.');
    if (broken) scheduleRefresh(); // what was recorded while the stream was down
    broken = false;
  });
  stream.addEventListener('changed', () => {
    if (source === stream) scheduleRefresh();
  });
  stream.addEventListener('overflow', () => {
    if (source === stream) scheduleRefresh();
  });
  stream.addEventListener('error', () => {
    if (source !== stream) return;
    broken = true;
    setConnection('Live updates paused: reconnecting');
    if (stream.readyState === EventSource.CLOSED) {
      // The browser gave up (an answer that was not a stream): try again later.
      source = null;
      reconnectTimer = setTimeout(() => {
        reconnectTimer = null;
        if (liveWanted()) startLive();
      }, RECONNECT_MS);
    }
  });
}

function stopLive() {
  source?.close();
  source = null;
  clearTimeout(reconnectTimer);
  reconnectTimer = null;
  clearTimeout(refreshTimer);
  refreshTimer = null;
}

/** Starts or stops the live updates for the date chosen, and says which. */
function followLive() {
  if (liveWanted()) {
    if (!source && !reconnectTimer) setConnection('');
    startLive();
  } else {
    stopLive();
    setConnection(isPastDate(state.as_of) ? 'Live updates are paused while the board shows a past date.' : '');
  }
}

window.addEventListener('pagehide', stopLive);
window.addEventListener('pageshow', (event) => {
  if (!event.persisted) return; // back from the browser's cache: catch up
  followLive();
  load();
});

followLive();
load();
