// audit-record.js: a child's record as it stood, for the audit page (audit.js).
//
//   timeControls({range, asOf, knownAt, onChange})   the two dates ("As of", "Known at") with a
//        range slider each over the child's history (first to last event date, one step a day),
//        kept in step with each other; onChange({asOf, knownAt}) after the user stops changing
//        them (debounced). Answers {node, values(), setError(id, text), clearError()}.
//   renderRecord(view, chronologyNow)   GET /v1/children/{child}/as-of's answer as the page shows
//        it: states per journey, open deadlines (breached ones tagged red), flags, what could not
//        apply then (`skipped`), how many entries recorded after the known-at date are hidden, and
//        the chronology as it stood: each entry with who recorded it and when (from now's
//        /chronology, joined by version), tagged "Recorded late", "Corrected" or "Withdrawn"
//        (with the original).
//   renderExplain(explain, titles)   GET /v1/children/{child}/explain as a GOV.UK details
//        component: "Why the child is where it is".
import { el, formatDate, formatDateTime, summaryList, table, tag } from './dom.js';
import { addDays, daysBetween, inputField, isDate, londonToday } from './kpis-form.js';
import { ruleText } from './kpis-rules.js';

const DEBOUNCE_MS = 400;
const DAY_MS = 86_400_000;

/** "child_protection" -> "Child protection" */
export function journeyName(journey) {
  const text = String(journey).replaceAll('_', ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The first and last London day anything happened or was recorded on, from now's chronology. */
export function historyRange(chronology) {
  const days = [];
  for (const e of chronology) {
    for (const t of [e.occurred_at, e.recorded_at, e.original?.occurred_at]) {
      if (t) days.push(londonToday(new Date(t)));
    }
  }
  if (days.length === 0) {
    const today = londonToday();
    return { first: today, last: today };
  }
  days.sort();
  return { first: days[0], last: days[days.length - 1] };
}

/**
 * The two dates and their sliders. See the header.
 * @param {{range: {first: string, last: string}, asOf: string, knownAt: string,
 *          onChange: function({asOf: string, knownAt: string}): void}} spec
 */
export function timeControls({ range, asOf, knownAt, onChange }) {
  const span = Math.max(daysBetween(range.first, range.last), 1);
  let timer = null;
  const fire = () => {
    clearTimeout(timer);
    timer = setTimeout(() => onChange(values()), DEBOUNCE_MS);
  };

  function clock({ id, name, label, hint, value, sliderLabel }) {
    const field = inputField({ id, name, label, hint, type: 'date', value, inputClass: 'govuk-input--width-10', labelClass: 'govuk-label--s' });
    const slider = el('input', {
      class: 'ct-audit-range__input', type: 'range', id: `${id}-range`, min: 0, max: span, step: 1,
      'aria-describedby': `${id}-range-ends`,
    });
    const sync = () => {
      const v = field.input.value;
      const day = isDate(v) ? Math.min(Math.max(daysBetween(range.first, v), 0), span) : span;
      slider.value = String(day);
      slider.setAttribute('aria-valuetext', isDate(v) ? formatDate(v) : `${formatDate(range.last)} (no date chosen: everything)`);
    };
    field.input.addEventListener('input', () => {
      if (field.input.validity.badInput) return; // part of a date typed: wait for the rest
      sync();
      fire();
    });
    field.input.addEventListener('change', () => {
      if (field.input.validity.badInput) return;
      sync();
      fire();
    });
    slider.addEventListener('input', () => {
      field.input.value = addDays(range.first, Number(slider.value));
      slider.setAttribute('aria-valuetext', formatDate(field.input.value));
      fire();
    });
    sync();
    const node = el('div', { class: 'ct-audit-clock' },
      field.group,
      el('div', { class: 'govuk-form-group ct-audit-range' },
        el('label', { class: 'govuk-label', for: `${id}-range` }, sliderLabel),
        slider,
        el('p', { class: 'govuk-body-s ct-audit-range__ends', id: `${id}-range-ends` },
          el('span', null, el('span', { class: 'govuk-visually-hidden' }, 'From '), formatDate(range.first)),
          el('span', null, el('span', { class: 'govuk-visually-hidden' }, ' to '), formatDate(range.last)))));
    return { node, input: field.input, sync };
  }

  const asOfClock = clock({
    id: 'as-of',
    name: 'as_of',
    label: 'As of (what had happened by)',
    hint: 'Business time: actions that happened after the end of this day are left out. Leave it empty for today.',
    value: asOf,
    sliderLabel: 'Or move the as-of date along the child\'s history',
  });
  const knownAtClock = clock({
    id: 'known-at',
    name: 'known_at',
    label: 'Known at (what had been recorded by)',
    hint: 'Recording time: entries recorded after the end of this day are hidden, as the record stood then. Leave it empty for everything recorded so far.',
    value: knownAt,
    sliderLabel: 'Or move the known-at date along the child\'s history',
  });
  const clear = el('button', { type: 'button', class: 'govuk-button govuk-button--secondary', 'data-module': 'govuk-button' }, 'Clear both dates');
  clear.addEventListener('click', () => {
    asOfClock.input.value = '';
    knownAtClock.input.value = '';
    asOfClock.sync();
    knownAtClock.sync();
    fire();
  });

  function values() {
    return { asOf: asOfClock.input.value, knownAt: knownAtClock.input.value };
  }

  const node = el('form', { class: 'ct-audit-time', novalidate: true },
    el('fieldset', { class: 'govuk-fieldset' },
      el('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--m' },
        el('h3', { class: 'govuk-fieldset__heading' }, 'The record at a point in time')),
      el('p', { class: 'govuk-body' },
        'Two clocks: when things happened (as of) and when they were written down (known at). ',
        'The record below follows both as you change them.'),
      el('div', { class: 'ct-audit-time__clocks' }, asOfClock.node, knownAtClock.node)),
    clear);
  node.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(timer);
    onChange(values());
  });
  return { node, values };
}

// --- the record as it stood -------------------------------------------------------------------

/**
 * A wide table in a box that scrolls sideways on a narrow screen instead of the page (a region
 * with a name, and focusable, so keyboard users can scroll it too).
 */
export function scrollable(tableNode, label) {
  return el('div', { class: 'ct-audit-scroll', tabindex: '0', role: 'region', 'aria-label': label }, tableNode);
}

const isWithdrawn = (text) => text.startsWith('Withdrawn: ');
const isCorrected = (text) => text.includes(' [corrected by ');

function chronologyRow(entry, now) {
  const late = now && now.recorded_at && (new Date(now.recorded_at) - new Date(entry.occurred_at)) > DAY_MS;
  const tags = [];
  if (entry.text.startsWith('Deadline missed')) tags.push(tag('Deadline missed', 'red'));
  if (late) tags.push(tag('Recorded late', 'yellow'));
  if (isWithdrawn(entry.text)) tags.push(tag('Withdrawn', 'grey'));
  else if (isCorrected(entry.text)) tags.push(tag('Corrected', 'blue'));
  const corrected = isWithdrawn(entry.text) || isCorrected(entry.text);
  const original = corrected && now?.original
    ? el('p', { class: 'govuk-body-s ct-audit-original' },
      el('span', { class: 'govuk-!-font-weight-bold' }, 'Originally recorded: '),
      `${now.original.text}, on ${formatDateTime(now.original.occurred_at)}`)
    : null;
  const laterCorrection = !corrected && now?.original
    ? el('p', { class: 'govuk-body-s ct-audit-original' }, 'Corrected after the known-at date: ', now.text)
    : null;
  return [
    formatDateTime(entry.occurred_at),
    el('div', null,
      el('p', { class: 'govuk-body ct-audit-entry' }, entry.text),
      tags.length > 0 ? el('p', { class: 'ct-audit-tags' }, tags) : null,
      original, laterCorrection),
    now?.recorded_by ?? '',
    now?.recorded_at ? formatDateTime(now.recorded_at) : '',
  ];
}

function statesList(states) {
  const entries = Object.entries(states ?? {});
  if (entries.length === 0) return 'No active journey';
  return el('ul', { class: 'govuk-list' }, entries.map(([journey, state]) =>
    el('li', { 'data-journey': journey }, `${journeyName(journey)}: `, el('strong', { class: 'ct-audit-state' }, state))));
}

/** How many entries recorded after known_at (and happened by as_of) the answer leaves out. */
function hiddenCount(view, chronologyNow) {
  if (!view.known_at) return 0;
  const knownAt = new Date(view.known_at);
  const asOf = view.as_of ? new Date(view.as_of) : null;
  return chronologyNow.filter((e) => new Date(e.recorded_at) > knownAt &&
    (!asOf || new Date(e.occurred_at) <= asOf)).length;
}

function moment(iso, empty) {
  if (!iso) return empty;
  // The API answers the end of the London day asked for ("2026-09-20T22:59:59.999999Z").
  return `the end of ${formatDate(londonToday(new Date(iso)))}`;
}

/**
 * @param {object} view   GET /v1/children/{child}/as-of's answer
 * @param {Array} chronologyNow   GET /v1/children/{child}/chronology's entries
 * @returns {Node[]}
 */
export function renderRecord(view, chronologyNow) {
  const byVersion = new Map(chronologyNow.map((e) => [e.version, e]));
  const hidden = hiddenCount(view, chronologyNow);
  const asOfWords = view.as_of ? `as of ${moment(view.as_of)}` : 'as of today';
  const knownWords = view.known_at ? `as recorded by ${moment(view.known_at)}` : 'as recorded so far';
  const deadlines = view.open_deadlines ?? [];
  const nothing = view.version === 0;

  return [
    el('h3', { class: 'govuk-heading-m', id: 'record-heading' }, 'The record as it stood'),
    el('p', { class: 'govuk-body ct-audit-status', role: 'status' }, `Child ${view.child}, ${asOfWords}, ${knownWords}.`),
    hidden > 0 ? el('div', { class: 'govuk-inset-text ct-audit-hidden' },
      `${hidden} ${hidden === 1 ? 'entry' : 'entries'} recorded after the known-at date (${formatDate(londonToday(new Date(view.known_at)))}) `,
      `${hidden === 1 ? 'is' : 'are'} hidden.`) : null,
    nothing
      ? el('p', { class: 'govuk-body' }, 'The record held nothing about this child by then.')
      : summaryList([
        ['Journeys and states', statesList(view.states)],
        ['Flags', (view.flags ?? []).length > 0
          ? el('ul', { class: 'govuk-list' }, view.flags.map((f) => el('li', null, f))) : 'None'],
        ['Version', `${view.version} (the last event the record held then)`],
      ]),
    (view.skipped ?? []).length > 0 ? [
      el('div', { class: 'govuk-warning-text' },
        el('span', { class: 'govuk-warning-text__icon', 'aria-hidden': 'true' }, '!'),
        el('strong', { class: 'govuk-warning-text__text' },
          el('span', { class: 'govuk-visually-hidden' }, 'Warning'),
          `${view.skipped.length} recorded ${view.skipped.length === 1 ? 'action' : 'actions'} could not apply then ` +
          '(what they needed was recorded later, or happened after the as-of date).')),
      table({
        caption: 'Not applicable then',
        captionSize: 's',
        head: [{ text: 'Version', numeric: true }, 'Action', 'Why'],
        rows: view.skipped.map((s) => [s.version, s.action, s.reason]),
      }),
    ] : null,
    nothing ? null : scrollable(table({
      caption: deadlines.length > 0 ? `Open deadlines (${deadlines.length})` : 'Open deadlines: none',
      captionSize: 's',
      head: ['Rule', 'What the rule is', 'Due', 'Status'],
      rowHeaders: true,
      rows: deadlines.map((d) => [
        el('span', { class: 'ct-audit-nowrap' }, d.rule), ruleText(d.rule) || 'Not in the rule book',
        el('span', { class: 'ct-audit-nowrap' }, formatDate(d.due)),
        d.breached ? tag('Breached', 'red') : tag('Not yet due', 'grey'),
      ]),
    }), 'Open deadlines'),
    (() => {
      const chronology = view.chronology ?? [];
      const t = table({
        caption: `Chronology as it stood (${chronology.length} ${chronology.length === 1 ? 'entry' : 'entries'})`,
        head: ['Happened', 'What', 'Recorded by', 'Recorded at'],
        rows: chronology.map((entry) => chronologyRow(entry, byVersion.get(entry.version))),
      });
      t.classList.add('ct-audit-chronology');
      return scrollable(t, 'Chronology as it stood');
    })(),
  ];
}

// --- explain --------------------------------------------------------------------------------

function changeText(step) {
  if (!step.from_state && !step.to_state) return `${journeyName(step.journey)}: no change of state`;
  if (step.from_state === step.to_state) return `${journeyName(step.journey)}: stays ${step.to_state}`;
  return `${journeyName(step.journey)}: ${step.from_state || '(start)'} → ${step.to_state}`;
}

/**
 * @param {object} explain  GET /v1/children/{child}/explain's answer
 * @param {Map<string, string>} titles  action -> title
 * @returns {HTMLDetailsElement}
 */
export function renderExplain(explain, titles) {
  const trace = explain.trace ?? [];
  const t = table({
    caption: `Transition trace (${trace.length} ${trace.length === 1 ? 'step' : 'steps'})`,
    captionSize: 's',
    head: ['Happened', 'Action', 'Change', 'Guard', 'Deadlines and effects'],
    rows: trace.map((step) => {
      const effects = [...step.deadlines, ...step.consequences, ...step.flags.map((f) => `flag: ${f}`),
        step.correction ? `correction: ${step.correction}` : null].filter(Boolean);
      return [
        el('span', null, formatDate(step.occurred_at), el('br'), el('span', { class: 'ct-audit-secondary' }, `version ${step.version}`)),
        el('span', null, titles.has(step.action) ? [titles.get(step.action), el('br')] : null,
          el('code', { class: 'ct-audit-code' }, step.action), el('br'),
          el('span', { class: 'ct-audit-secondary' }, `by ${step.actor}`)),
        changeText(step),
        step.guard || 'None',
        effects.length > 0 ? el('ul', { class: 'govuk-list ct-audit-effects' }, effects.map((e) => el('li', null, e))) : 'None',
      ];
    }),
  });
  t.classList.add('ct-audit-trace');
  return el('details', { class: 'govuk-details ct-audit-explain', id: 'explain' },
    el('summary', { class: 'govuk-details__summary' },
      el('span', { class: 'govuk-details__summary-text' }, 'Why the child is where it is')),
    el('div', { class: 'govuk-details__text' },
      el('p', { class: 'govuk-body' },
        'Every action on the record, refolded through the state machines that accepted it (with ',
        'corrections applied): the guard that let it through, the change of state, and the deadlines ',
        'it scheduled, met or cancelled.'),
      scrollable(t, 'Transition trace')));
}
