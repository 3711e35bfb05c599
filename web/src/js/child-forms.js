// child-forms.js: the child's page's "Record an action" form (child.js), built from the action
// catalogue (GET /v1/actions).
//
//   actionForm({allowed, catalogue, onSubmit})
//       The actions the caller may record now (allowed: action names; their titles from the
//       catalogue) as GOV.UK radios; choosing one shows its form: "When did it happen?" (date and
//       time, now in UK time by default) and each of the action's parameters (a choice as radios,
//       or a select over 6 choices; a date as a GOV.UK date input; text as an input, or a
//       textarea for a reason). A parameter with required_when shows only while its condition
//       holds. Nothing is checked here beyond the browser's own (the form is novalidate): the
//       server checks, and its refusal is shown.
//       onSubmit({action, occurred_at, params}) is called on submit; answers
//       {node, showFieldErrors([{field, text}]), clearErrors(), hrefFor(field)}.
//       field: 'action', 'occurred_at' or a parameter's name.
//   londonDateTime(year, month, day, time)  RFC 3339 (UTC) for a UK wall-clock time, or the
//       text as typed when it is not a date and time (the server names what is wrong).
//   findChildForm({id, heading, value})   "Find a child": a GET form to /ui/child.html?child=ID
//       (it works without script too); for the child's page and the caseload page.
//   newCommandId()                          crypto.randomUUID(), or a v4 UUID from
//       crypto.getRandomValues where randomUUID is missing (a page served over plain http from
//       a host that is not localhost is not a secure context).
import { el, errorMessage } from './dom.js';
import { paramName, valueWords } from './child-words.js';

const RADIOS_MAX = 6;

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

function partsOf(date) {
  const parts = Object.fromEntries(londonParts.formatToParts(date).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
    hour: Number(parts.hour), minute: Number(parts.minute),
  };
}

/** The date and time now in the UK: {day, month, year, time: "HH:MM"} as strings. */
export function londonNow(now = new Date()) {
  const p = partsOf(now);
  const two = (n) => String(n).padStart(2, '0');
  return { day: String(p.day), month: String(p.month), year: String(p.year), time: `${two(p.hour)}:${two(p.minute)}` };
}

/**
 * A UK wall-clock date and time as an RFC 3339 time in UTC ("2026-12-07T14:30:00Z"); the text as
 * typed ("2026-13-45T25:00") when it is not a real date and time; '' when all is empty.
 */
export function londonDateTime(year, month, day, time) {
  const [y, m, d, t] = [year, month, day, time].map((v) => String(v ?? '').trim());
  if (!y && !m && !d && !t) return '';
  const clock = /^(\d{1,2})[:.](\d{2})$/.exec(t);
  const valid = /^\d{4}$/.test(y) && /^\d{1,2}$/.test(m) && /^\d{1,2}$/.test(d) && clock;
  if (valid) {
    const [Y, M, D, h, mi] = [Number(y), Number(m), Number(d), Number(clock[1]), Number(clock[2])];
    const wanted = Date.UTC(Y, M - 1, D, h, mi);
    const check = new Date(wanted);
    if (M >= 1 && M <= 12 && h <= 23 && mi <= 59 && check.getUTCDate() === D && check.getUTCMonth() === M - 1) {
      // The instant whose UK wall-clock time is the one typed (twice: the offset may change).
      let guess = wanted;
      for (let i = 0; i < 2; i += 1) {
        const p = partsOf(new Date(guess));
        guess += wanted - Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
      }
      return new Date(guess).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
  }
  return `${y}-${m}-${d}T${t}`;
}

/** A date parameter as YYYY-MM-DD, or the text as typed; '' when all is empty. */
export function dateValue(year, month, day) {
  const [y, m, d] = [year, month, day].map((v) => String(v ?? '').trim());
  if (!y && !m && !d) return '';
  const pad = (v) => (/^\d$/.test(v) ? `0${v}` : v);
  return `${y}-${pad(m)}-${pad(d)}`;
}

/** A "Find a child" form: a GET form to this page (works without this script's help too). */
export function findChildForm({ id = 'find-child', heading = null, value = '' } = {}) {
  return el('form', { method: 'get', action: '/ui/child.html', class: 'ct-child-find', role: 'search', 'aria-label': 'Find a child' },
    heading,
    el('div', { class: 'govuk-form-group' },
      el('label', { class: 'govuk-label govuk-label--s', for: id }, 'Child ID'),
      el('div', { class: 'govuk-hint', id: `${id}-hint` }, 'The child\'s record number, for example 1004 or c113'),
      el('input', {
        class: 'govuk-input govuk-input--width-10', id, name: 'child', type: 'text', value,
        spellcheck: 'false', autocomplete: 'off', 'aria-describedby': `${id}-hint`,
      })),
    el('button', { type: 'submit', class: 'govuk-button govuk-button--secondary', 'data-module': 'govuk-button' }, 'Open the child\'s page'));
}

/** A command id: a v4 UUID. */
export function newCommandId() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function hint(id, text) {
  return el('div', { id, class: 'govuk-hint' }, text);
}

/** The GOV.UK date input's three fields (ids PREFIX-day, -month, -year), and extra items. */
function dateItems(prefix, values = {}, extra = []) {
  const item = (part, label, width, value) => el('div', { class: 'govuk-date-input__item' },
    el('div', { class: 'govuk-form-group' },
      el('label', { class: 'govuk-label govuk-date-input__label', for: `${prefix}-${part}` }, label),
      el('input', {
        class: `govuk-input govuk-date-input__input govuk-input--width-${width}`,
        id: `${prefix}-${part}`,
        name: `${prefix}-${part}`,
        type: 'text',
        inputmode: 'numeric',
        value: value ?? '',
      })));
  return el('div', { class: 'govuk-date-input', id: prefix },
    item('day', 'Day', 2, values.day),
    item('month', 'Month', 2, values.month),
    item('year', 'Year', 4, values.year),
    extra);
}

/**
 * One parameter's form group: {node (the .govuk-form-group), name, spec, value() (the value to
 * send, as typed), firstId (where the error summary's link goes), describedNode (what
 * aria-describedby goes on), inputs, errorClass(input), anchor() (the error message goes after
 * it, or after its hint)}.
 */
function paramGroup(spec, index) {
  const id = `param-${index}`;
  // An optional parameter says so; it is sent only when filled in (the server checks it then).
  const label = `${paramName(spec.name)}${spec.optional ? ' (optional)' : ''}`;
  const group = el('div', { class: 'govuk-form-group', 'data-param': spec.name, id: `${id}-group` });
  let value;
  let inputs;
  let describedNode;
  let firstId = id;
  if (spec.kind === 'choice' && (spec.choices ?? []).length <= RADIOS_MAX) {
    const radios = spec.choices.map((choice, i) => {
      const radioId = i === 0 ? id : `${id}-${i + 1}`;
      return el('div', { class: 'govuk-radios__item' },
        el('input', { class: 'govuk-radios__input', id: radioId, name: id, type: 'radio', value: choice }),
        el('label', { class: 'govuk-label govuk-radios__label', for: radioId }, valueWords(choice)));
    });
    const fieldset = el('fieldset', { class: 'govuk-fieldset' },
      el('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--s' }, label),
      el('div', {
        class: `govuk-radios govuk-radios--small${spec.choices.length <= 2 ? ' govuk-radios--inline' : ''}`,
        'data-module': 'govuk-radios',
      }, radios));
    group.append(fieldset);
    inputs = [...fieldset.querySelectorAll('input')];
    describedNode = fieldset;
    value = () => inputs.find((r) => r.checked)?.value ?? '';
  } else if (spec.kind === 'choice') {
    const select = el('select', { class: 'govuk-select', id, name: id },
      el('option', { value: '' }, `Choose ${label.toLowerCase()}`),
      spec.choices.map((choice) => el('option', { value: choice }, valueWords(choice))));
    group.append(el('label', { class: 'govuk-label govuk-label--s', for: id }, label), select);
    inputs = [select];
    describedNode = select;
    value = () => select.value;
  } else if (spec.kind === 'date') {
    const hintId = `${id}-hint`;
    const fieldset = el('fieldset', { class: 'govuk-fieldset', role: 'group', 'aria-describedby': hintId },
      el('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--s' }, label),
      hint(hintId, spec.on_or_after_action
        ? 'The day it is listed for: the day of the action or later. For example, 27 3 2026'
        : 'For example, 27 3 2026'),
      dateItems(id));
    group.append(fieldset);
    inputs = [...fieldset.querySelectorAll('input')];
    describedNode = fieldset;
    firstId = `${id}-day`;
    value = () => dateValue(inputs[2].value, inputs[1].value, inputs[0].value);
  } else {
    const long = spec.name === 'reason';
    const input = long
      ? el('textarea', { class: 'govuk-textarea', id, name: id, rows: '3' })
      : el('input', { class: 'govuk-input', id, name: id, type: 'text', spellcheck: 'false' });
    group.append(el('label', { class: 'govuk-label govuk-label--s', for: id }, label), input);
    inputs = [input];
    describedNode = input;
    value = () => input.value;
  }
  const errorClass = (input) => {
    if (input.tagName === 'SELECT') return 'govuk-select--error';
    if (input.tagName === 'TEXTAREA') return 'govuk-textarea--error';
    return input.type === 'radio' ? null : 'govuk-input--error';
  };
  return {
    node: group,
    name: spec.name,
    spec,
    value,
    firstId,
    describedNode,
    inputs,
    errorClass,
    anchor: () => describedNode.tagName === 'FIELDSET' ? describedNode.querySelector('legend') : group.querySelector('label'),
  };
}

/** Shows an error beside a group (see paramGroup), or removes it (text null). */
function setGroupError(group, errorId, text) {
  group.node.querySelector(':scope .govuk-error-message')?.remove();
  group.node.classList.toggle('govuk-form-group--error', Boolean(text));
  const described = (group.describedNode.getAttribute('aria-describedby') ?? '')
    .split(' ').filter((x) => x && x !== errorId);
  if (text) described.push(errorId);
  if (described.length) group.describedNode.setAttribute('aria-describedby', described.join(' '));
  else group.describedNode.removeAttribute('aria-describedby');
  for (const input of group.inputs) {
    const cls = group.errorClass(input);
    if (cls) input.classList.toggle(cls, Boolean(text));
  }
  if (text) {
    const anchor = group.anchor();
    const after = anchor.nextElementSibling?.classList.contains('govuk-hint') ? anchor.nextElementSibling : anchor;
    after.after(errorMessage(errorId, text));
  }
}

/**
 * The "Record an action" form. See the header.
 * @param {{allowed: string[], catalogue: Map<string, object>, onSubmit: Function, now?: Function}} options
 */
export function actionForm({ allowed, catalogue, onSubmit, now = () => new Date() }) {
  const title = (action) => catalogue.get(action)?.title ?? valueWords(action.replace(/^[a-z]+\./, ''));
  const choiceHintId = 'action-hint';
  const choices = allowed.map((action, i) => {
    const id = i === 0 ? 'action' : `action-${i + 1}`;
    return el('div', { class: 'govuk-radios__item' },
      el('input', { class: 'govuk-radios__input', id, name: 'action', type: 'radio', value: action }),
      el('label', { class: 'govuk-label govuk-radios__label', for: id }, title(action)));
  });
  const actionFieldset = el('fieldset', { class: 'govuk-fieldset', 'aria-describedby': choiceHintId },
    el('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--s' }, 'What happened?'),
    hint(choiceHintId, 'The actions your role can record on this child now. Choose one to fill in its details.'),
    el('div', { class: 'govuk-radios', 'data-module': 'govuk-radios' }, choices));
  const actionGroup = el('div', { class: 'govuk-form-group', id: 'action-group' }, actionFieldset);
  const details = el('div', { class: 'ct-child-form__details', id: 'action-details' });
  const form = el('form', { class: 'ct-child-form', method: 'post', novalidate: true, 'aria-label': 'Record an action' },
    actionGroup, details);

  const actionRadios = [...actionFieldset.querySelectorAll('input')];
  const actionGroupApi = {
    node: actionGroup,
    inputs: actionRadios,
    describedNode: actionFieldset,
    errorClass: () => null,
    anchor: () => actionFieldset.querySelector('legend'),
  };
  let state = null; // {action, when: {group, inputs}, params: [group]}

  function conditionHolds(group) {
    const when = group.spec.required_when;
    if (!when) return true;
    const control = state.params.find((g) => g.name === when.param && !g.container.hidden);
    return Boolean(control) && (when.values ?? []).includes(control.value());
  }

  function refreshConditions() {
    if (!state) return;
    // In order: a condition reads only the groups before it, so one pass settles them.
    for (const group of state.params) {
      if (group.spec.required_when) group.container.hidden = !conditionHolds(group);
    }
  }

  function showDetails(action) {
    const spec = catalogue.get(action) ?? { params: [] };
    const nowParts = londonNow(now());
    const whenHintId = 'occurred-hint';
    const timeItem = el('div', { class: 'govuk-date-input__item' },
      el('div', { class: 'govuk-form-group' },
        el('label', { class: 'govuk-label govuk-date-input__label', for: 'occurred-time' }, 'Time'),
        el('input', {
          class: 'govuk-input govuk-date-input__input govuk-input--width-5',
          id: 'occurred-time',
          name: 'occurred-time',
          type: 'text',
          autocomplete: 'off',
          value: nowParts.time,
        })));
    const whenFieldset = el('fieldset', { class: 'govuk-fieldset', role: 'group', 'aria-describedby': whenHintId },
      el('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--s' }, 'When did it happen?'),
      hint(whenHintId, 'UK time, 24-hour clock. For example, 27 3 2026 and 14:30. Now, unless you change it.'),
      dateItems('occurred', nowParts, timeItem));
    const whenNode = el('div', { class: 'govuk-form-group', id: 'occurred-group' }, whenFieldset);
    const whenInputs = [...whenFieldset.querySelectorAll('input')];
    const when = {
      node: whenNode,
      inputs: whenInputs,
      describedNode: whenFieldset,
      errorClass: () => 'govuk-input--error',
      anchor: () => whenFieldset.querySelector('legend'),
      value: () => londonDateTime(whenInputs[2].value, whenInputs[1].value, whenInputs[0].value, whenInputs[3].value),
    };
    const params = (spec.params ?? []).map(paramGroup);
    for (const group of params) {
      // Shown only while its condition holds, in GOV.UK's conditional reveal look (a wrapper, so
      // the group's own error border still shows).
      group.container = group.spec.required_when
        ? el('div', { class: 'ct-child-form__conditional' }, group.node)
        : group.node;
    }
    state = { action, when, params };
    details.replaceChildren(
      el('h3', { class: 'govuk-heading-s ct-child-form__title' }, title(action)),
      whenNode,
      ...params.map((g) => g.container),
      el('button', { type: 'submit', class: 'govuk-button', 'data-module': 'govuk-button' }, 'Record action'));
    refreshConditions();
  }

  form.addEventListener('change', (event) => {
    if (event.target.name === 'action') {
      clearErrors();
      showDetails(event.target.value);
    } else {
      refreshConditions();
    }
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!state) return;
    const params = {};
    for (const group of state.params) {
      if (group.container.hidden) continue;
      const value = group.value();
      if (value !== '' || !group.spec.optional) params[group.name] = value;
    }
    onSubmit({ action: state.action, occurred_at: state.when.value(), params });
  });

  function groupFor(field) {
    if (field === 'action') return actionGroupApi;
    if (!state) return null;
    if (field === 'occurred_at' || /(^|\.)occurred_at$/.test(field ?? '')) return state.when;
    const named = state.params.filter((g) => g.name === field);
    return named.find((g) => !g.container.hidden) ?? named[0] ?? null;
  }

  function hrefFor(field) {
    const group = groupFor(field);
    if (!group) return null;
    if (group === actionGroupApi) return '#action';
    if (group === state.when) return '#occurred-day';
    return `#${group.firstId}`;
  }

  function clearErrors() {
    for (const node of form.querySelectorAll('.govuk-form-group--error')) {
      node.classList.remove('govuk-form-group--error');
    }
    for (const node of form.querySelectorAll('.govuk-error-message')) node.remove();
    for (const node of form.querySelectorAll('.govuk-input--error, .govuk-select--error, .govuk-textarea--error')) {
      node.classList.remove('govuk-input--error', 'govuk-select--error', 'govuk-textarea--error');
    }
    for (const node of form.querySelectorAll('[aria-describedby]')) {
      const kept = node.getAttribute('aria-describedby').split(' ').filter((x) => x && !x.endsWith('-error'));
      if (kept.length) node.setAttribute('aria-describedby', kept.join(' '));
      else node.removeAttribute('aria-describedby');
    }
  }

  /** errors: [{field, text}]; answers the errors shown beside a field. */
  function showFieldErrors(errors) {
    clearErrors();
    const shown = [];
    errors.forEach(({ field, text }, i) => {
      const group = groupFor(field);
      if (!group) return;
      setGroupError(group, `${(group.node.id || `field-${i}`).replace(/-group$/, '')}-error`, text);
      shown.push(field);
    });
    return shown;
  }

  return { node: form, showFieldErrors, clearErrors, hrefFor, title };
}
