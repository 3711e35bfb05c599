// audit-log.js: the log itself, for the audit page (audit.js).
//
//   verifySection()            "Verify the log": GET /v1/verify recomputes every stream's hash
//                              chain (it may take a while on a big log: the button says
//                              "Checking…" and is disabled meanwhile); the answer in a GOV.UK
//                              notification banner: streams and events checked, OK, or the
//                              broken stream, version, position and why.
//   exportSection(child)       "Download the export bundle": GET /v1/children/{child}/export,
//                              saved as child-ID-export.json exactly as the server sent it (a
//                              Blob), with the bundle's head hash to keep elsewhere.
//   accessLogSection({child, user})   the access log (GET /v1/events?stream_prefix=access-log,
//                              paged with next_from to the end, then only the new entries on each
//                              reading): the most recent 200 entries, newest first, filtered by
//                              child and/or user: when, user (role), what (the route), child,
//                              outcome.
import { api, ApiError, apiPath } from './api.js';
import { el, errorSummary, formatDateTime, replace, table, tag } from './dom.js';
import { initGovuk } from './page.js';
import { roleName } from './roles.js';
import { scrollable } from './audit-record.js';
import { inputField } from './kpis-form.js';

const SHOWN = 200;          // access-log entries shown at most
const PAGE = 10_000;        // /v1/events' largest page

const count = (n) => new Intl.NumberFormat('en-GB').format(n);

/** A GOV.UK notification banner (success: the green one, with role alert). */
function banner({ success, title, heading, body }) {
  return el('div', {
    class: `govuk-notification-banner${success ? ' govuk-notification-banner--success' : ''}`,
    role: success ? 'alert' : 'region',
    'aria-labelledby': 'verify-banner-title',
    'data-module': 'govuk-notification-banner',
  },
  el('div', { class: 'govuk-notification-banner__header' },
    el('h3', { class: 'govuk-notification-banner__title', id: 'verify-banner-title' }, title)),
  el('div', { class: 'govuk-notification-banner__content' },
    el('p', { class: 'govuk-notification-banner__heading' }, heading),
    body.map((text) => el('p', { class: 'govuk-body' }, text))));
}

// --- verify ---------------------------------------------------------------------------------

export function verifySection() {
  const result = el('div', { class: 'ct-audit-verify__result' });
  const busy = el('p', { class: 'govuk-body ct-audit-verify__busy', role: 'status' });
  const button = el('button', { type: 'button', class: 'govuk-button', 'data-module': 'govuk-button' }, 'Verify the log');
  let running = false;
  button.addEventListener('click', async () => {
    if (running) return;
    running = true;
    button.disabled = true;
    button.setAttribute('aria-disabled', 'true');
    button.textContent = 'Checking…';
    busy.textContent = 'Checking every hash chain in the log. This can take a while on a big log.';
    replace(result);
    let node;
    try {
      const report = await api.get('/v1/verify');
      const at = formatDateTime(new Date());
      node = report.ok
        ? banner({
          success: true,
          title: 'Success',
          heading: 'The log is intact: nothing was altered',
          body: [
            `${count(report.streams_checked)} streams and ${count(report.events_checked)} events checked, ` +
            `up to position ${count(report.head_position)}: every hash matches its event and every chain is whole.`,
            `Checked on ${at}.`,
          ],
        })
        : banner({
          success: false,
          title: 'Important',
          heading: `The log has been altered: stream ${report.broken?.stream ?? '(unknown)'} is broken`,
          body: [
            `Version ${report.broken?.version ?? '?'} (position ${report.broken?.position === undefined ? '?' : count(report.broken.position)}): ` +
            `${String(report.broken?.reason ?? 'no reason given').replace(/\.$/, '')}.`,
            `${count(report.streams_checked)} streams and ${count(report.events_checked)} events checked, on ${at}.`,
          ],
        });
    } catch (error) {
      node = errorSummary('There is a problem', [{ text: `The log could not be verified: ${error.message}` }]);
    } finally {
      running = false;
      button.disabled = false;
      button.removeAttribute('aria-disabled');
      button.textContent = 'Verify the log';
      busy.textContent = '';
    }
    replace(result, node);
    if (node.classList.contains('govuk-notification-banner')) initGovuk(result); // the banner takes the focus (role alert)
  });
  return el('section', { class: 'ct-audit-section', 'aria-labelledby': 'verify-heading' },
    el('h2', { class: 'govuk-heading-l', id: 'verify-heading' }, 'Proof the log was not altered'),
    el('p', { class: 'govuk-body' },
      'Every event is chained to the one before it by a SHA-256 hash. Verifying recomputes every ',
      'hash of every stream, so any change to a past event shows as a broken chain.'),
    button, busy, result);
}

// --- export ---------------------------------------------------------------------------------

/** GET the bundle as the server's own bytes (api.js answers parsed JSON only). */
async function fetchBundle(child) {
  let response;
  try {
    response = await fetch(apiPath`/v1/children/${child}/export`, {
      headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, null, 'the server could not be reached');
  }
  if (response.status === 401) {
    window.location.assign('/'); // the session has ended (as api.js does)
    return new Promise(() => {});
  }
  const text = await response.text();
  if (!response.ok) {
    let body = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    throw new ApiError(response.status, body, response.statusText);
  }
  return text;
}

export function exportSection(child) {
  const result = el('div', { class: 'ct-audit-export__result', role: 'status' });
  const button = el('button', { type: 'button', class: 'govuk-button govuk-button--secondary', 'data-module': 'govuk-button' },
    'Download the export bundle');
  const name = `child-${child}-export.json`;
  button.addEventListener('click', async () => {
    button.disabled = true;
    replace(result, el('p', { class: 'govuk-body' }, 'Preparing the bundle…'));
    try {
      const text = await fetchBundle(child);
      let head = null;
      let events = null;
      try {
        const bundle = JSON.parse(text);
        head = bundle.head ?? null;
        events = Array.isArray(bundle.events) ? bundle.events.length : null;
      } catch {
        head = null;
      }
      const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
      const link = el('a', { href: url, download: name, class: 'govuk-visually-hidden', tabindex: '-1' }, name);
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      replace(result,
        el('p', { class: 'govuk-body' }, `Downloaded ${name}${events === null ? '' : ` (${count(events)} events)`}.`),
        head ? el('p', { class: 'govuk-body' }, `Its head is version ${head.version} at position ${head.position}, hash `,
          el('code', { class: 'ct-audit-code ct-audit-hash' }, head.hash),
          '. Keep the hash somewhere else (a signed report) to prove later that the history has not changed.') : null);
    } catch (error) {
      replace(result, el('p', { class: 'govuk-error-message' },
        el('span', { class: 'govuk-visually-hidden' }, 'Error: '), `The bundle could not be downloaded: ${error.message}`));
    } finally {
      button.disabled = false;
    }
  });
  return el('section', { class: 'ct-audit-subsection', 'aria-labelledby': 'export-heading' },
    el('h3', { class: 'govuk-heading-m', id: 'export-heading' }, 'Export'),
    el('p', { class: 'govuk-body' },
      'The self-verifying bundle of this child\'s history: every event with its hash chain, the ',
      'rule book\'s and the state machines\' fingerprints. ',
      el('code', { class: 'ct-audit-code' }, 'casetrail verify-bundle FILE'), ' checks it anywhere, without the database.'),
    button, result);
}

// --- the access log -------------------------------------------------------------------------

const WHAT = {
  summary: ['The child now', ''],
  chronology: ['Chronology', '/chronology'],
  'as-of': ['The record as of a date', '/as-of'],
  explain: ['Transition trace', '/explain'],
  export: ['Export bundle', '/export'],
  'allowed-actions': ['Actions allowed now', '/allowed-actions'],
  command: ['Recorded an action', '/commands'],
  restriction: ['Restricted the record', '/restriction'],
};

/** One access-log event, as the table shows it. */
export function describeAccess(event) {
  const p = event.payload ?? {};
  const what = String(p.what ?? '');
  const fromPath = /\/v1\/children\/([^/?\s]+)/.exec(what);
  const child = p.child ?? (fromPath ? decodeURIComponent(fromPath[1]) : '');
  let words;
  let route;
  if (Object.hasOwn(WHAT, what)) {
    [words, route] = WHAT[what];
    const method = what === 'command' ? 'POST' : what === 'restriction' ? 'PUT or DELETE' : 'GET';
    route = `${method} /v1/children/${child}${route}`;
  } else {
    words = event.type === 'access.denied' ? 'Request' : what;
    route = what;
  }
  return {
    position: event.position,
    at: event.occurred_at ?? event.recorded_at,
    user: event.actor?.user ?? 'anonymous',
    role: event.actor?.role ?? '',
    words,
    route,
    child,
    denied: event.type === 'access.denied',
    reason: p.reason ?? '',
  };
}

/** The access-log section; readLog() reads the log to its end each time it is asked. */
export function accessLogSection({ child, user }) {
  const entries = [];
  let next = 1;
  let reading = null;

  async function readToEnd() {
    for (;;) {
      // eslint-disable-next-line no-await-in-loop
      const page = await api.get('/v1/events', { stream_prefix: 'access-log', from: next, limit: PAGE });
      for (const e of page.events ?? []) entries.push(describeAccess(e));
      const last = page.events?.length ? page.events[page.events.length - 1].position + 1 : next;
      next = Math.max(next, Number(page.next_from) || last, last);
      if (!page.events || page.events.length < PAGE) return;
    }
  }

  const childField = inputField({
    id: 'log-child', name: 'log_child', label: 'Filter by child\'s ID', hint: 'Leave it empty for every child', value: child, inputClass: 'govuk-input--width-10',
  });
  const userField = inputField({
    id: 'log-user', name: 'log_user', label: 'Filter by user', hint: 'For example, audit.reid', value: user, inputClass: 'govuk-input--width-20',
    attrs: { autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none' },
  });
  const result = el('div', { class: 'ct-audit-log__result' });
  const status = el('p', { class: 'govuk-body ct-audit-log__status', role: 'status' });
  const form = el('form', { class: 'ct-audit-log__form', method: 'get', novalidate: true },
    el('div', { class: 'ct-audit-log__fields' }, childField.group, userField.group),
    el('button', { type: 'submit', class: 'govuk-button govuk-button--secondary', 'data-module': 'govuk-button' }, 'Show entries'));

  function render() {
    const wantChild = childField.input.value.trim();
    const wantUser = userField.input.value.trim().toLowerCase();
    const matching = entries.filter((e) => (!wantChild || e.child === wantChild) &&
      (!wantUser || e.user.toLowerCase() === wantUser));
    const shown = matching.slice(-SHOWN).reverse();
    const filters = [wantChild && `child ${wantChild}`, wantUser && `user ${wantUser}`].filter(Boolean).join(' and ');
    status.textContent = `${count(matching.length)} ${matching.length === 1 ? 'entry' : 'entries'} ` +
      `${filters ? `for ${filters}` : 'in all'} out of ${count(entries.length)} in the access log.`;
    if (shown.length === 0) {
      replace(result, el('p', { class: 'govuk-body' }, 'No entries match.'));
      return;
    }
    const t = table({
      caption: matching.length > SHOWN ? `The ${SHOWN} most recent entries, newest first`
        : `${shown.length === 1 ? 'The entry' : `All ${shown.length} entries`}, newest first`,
      captionSize: 's',
      head: ['When', 'User (role)', 'What', 'Child', 'Outcome'],
      rows: shown.map((e) => [
        formatDateTime(e.at),
        el('span', null, e.user, e.role ? el('span', { class: 'ct-audit-secondary' }, ` (${roleName(e.role)})`) : null),
        el('span', null, e.words, el('br'), el('code', { class: 'ct-audit-code' }, e.route)),
        e.child || '–',
        e.denied
          ? el('span', null, tag('Refused', 'red'), e.reason ? el('span', { class: 'ct-audit-reason' }, e.reason) : null)
          : tag('Read', 'green'),
      ]),
    });
    t.classList.add('ct-audit-log-table');
    t.querySelectorAll('tbody tr').forEach((tr, i) => tr.setAttribute('data-position', String(shown[i].position)));
    replace(result, scrollable(t, 'Access log entries'));
  }

  async function refresh() {
    status.textContent = 'Reading the access log…';
    if (!reading) reading = readToEnd().finally(() => { reading = null; });
    try {
      await reading;
      render();
    } catch (error) {
      status.textContent = '';
      replace(result, el('p', { class: 'govuk-error-message' },
        el('span', { class: 'govuk-visually-hidden' }, 'Error: '), `The access log could not be read: ${error.message}`));
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    refresh();
  });

  const node = el('section', { class: 'ct-audit-section', 'aria-labelledby': 'access-heading' },
    el('h2', { class: 'govuk-heading-l', id: 'access-heading' }, 'Access log'),
    el('p', { class: 'govuk-body' },
      'Who read which child\'s record, and every refused request. Reads by roles that see every ',
      'child are recorded (this page\'s own reads too); team-scoped staff\'s reads of their own ',
      'team\'s children are not. An entry is written a moment after its read: show the entries ',
      'again to see the latest.'),
    form, status, result);
  return { node, refresh };
}
