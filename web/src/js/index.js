// index.js: the page at / (web/src/index.html).
//
// Not signed in: the sign-in page. One password-type field takes an access token; it goes to
// POST /v1/session in the request's body and nowhere else (never a URL, web storage or a log),
// and the server answers with the session cookie. An empty field or a token the server does not
// know shows the GOV.UK error summary (which takes the focus) and the message beside the field.
//
// Signed in: the home page, saying who you are and listing the pages your role may use.
import { api, ApiError } from './api.js';
import { el, errorMessage, errorSummary, formatDateTime, replace, summaryList } from './dom.js';
import { initGovuk, renderLayout, renderProblem, setTitle, startPage } from './page.js';
import { isTeamScoped, pagesFor, purposeFor, roleName } from './roles.js';

const TITLE_SIGN_IN = 'Sign in';

function showSignIn(main) {
  setTitle(TITLE_SIGN_IN);
  const hint = el('div', { id: 'token-hint', class: 'govuk-hint' },
    'Your administrator gives you a token (', el('code', null, 'casetrail token'), ' makes one). ',
    'A demo server (', el('code', null, 'casetrail serve --demo'), ') prints a token for each ',
    'kind of user when it first starts.');
  const input = el('input', {
    class: 'govuk-input',
    id: 'token',
    name: 'token',
    type: 'password',
    autocomplete: 'off',
    autocapitalize: 'none',
    spellcheck: 'false',
    'aria-describedby': 'token-hint',
  });
  const group = el('div', { class: 'govuk-form-group' },
    el('label', { class: 'govuk-label govuk-label--s', for: 'token' }, 'Your access token'),
    hint, input);
  // method post: were the form ever submitted without this script, the token would still not
  // go into a URL.
  const form = el('form', { method: 'post', novalidate: true },
    group,
    el('button', { type: 'submit', class: 'govuk-button', 'data-module': 'govuk-button' }, 'Sign in'));
  const heading = el('h1', { class: 'govuk-heading-l' }, 'Sign in to casetrail');
  const column = el('div', { class: 'govuk-grid-column-two-thirds' }, heading,
    el('p', { class: 'govuk-body' },
      'casetrail keeps the records of children\'s social care: each child\'s journey, its ' +
      'statutory deadlines and who did what, when.'),
    form);
  replace(main, el('div', { class: 'govuk-grid-row' }, column));
  initGovuk(form);

  /** Shows an error: in the summary and, when it is about the token, beside the field. */
  function showError(text, { aboutField = true } = {}) {
    setTitle(TITLE_SIGN_IN, { error: true });
    column.querySelector('.govuk-error-summary')?.remove();
    group.querySelector('.govuk-error-message')?.remove();
    group.classList.toggle('govuk-form-group--error', aboutField);
    input.classList.toggle('govuk-input--error', aboutField);
    input.setAttribute('aria-describedby', aboutField ? 'token-hint token-error' : 'token-hint');
    if (aboutField) hint.after(errorMessage('token-error', text));
    column.prepend(errorSummary('There is a problem', [aboutField ? { text, href: '#token' } : { text }]));
  }

  let busy = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    const token = input.value.trim();
    if (!token) {
      showError('Enter your access token');
      return;
    }
    busy = true;
    try {
      await api.signIn(token);
      window.location.replace('/'); // the home page, from GET /v1/session with the new cookie
    } catch (error) {
      busy = false;
      if (error instanceof ApiError && error.status === 401) {
        showError('Enter a valid access token: this one is unknown, revoked or mistyped');
      } else {
        showError(`Signing in did not work (${error.message}). Try again later.`, { aboutField: false });
      }
    }
  });
}

function scopeLine(session) {
  if (session.role === 'subscriber') {
    return 'This account is for a service that receives events through the API ' +
      '(subscriptions); it has no pages here.';
  }
  if (isTeamScoped(session.role)) {
    return `You see the children of team ${session.team}: the children it holds, those ` +
      'allocated to you and those you last recorded on.';
  }
  if (session.role === 'auditor' || session.role === 'admin') {
    return 'You can read every child\'s record and the whole event log. Each read of a record ' +
      'is itself recorded.';
  }
  return 'You can read every child\'s record. Each read is itself recorded in the access log.';
}

function showHome({ session, main }) {
  const pages = pagesFor(session.role);
  replace(main, el('div', { class: 'govuk-grid-row' },
    el('div', { class: 'govuk-grid-column-two-thirds' },
      el('h1', { class: 'govuk-heading-l' }, 'Home'),
      summaryList([
        ['User', session.user],
        ['Role', roleName(session.role)],
        ['Team', session.team],
        ['Session ends', formatDateTime(session.expires_at)],
      ]),
      el('p', { class: 'govuk-body' }, scopeLine(session)),
      pages.length > 0 && [
        el('h2', { class: 'govuk-heading-m' }, 'Pages you can use'),
        el('ul', { class: 'govuk-list ct-page-list' }, pages.map((page) =>
          el('li', { class: 'ct-page-list__item' },
            el('a', { class: 'govuk-link govuk-link--no-visited-state ct-page-list__link', href: page.path }, page.name),
            el('p', { class: 'govuk-body govuk-!-margin-bottom-0' }, purposeFor(page, session.role))))),
      ])));
}

async function start() {
  let session;
  try {
    session = await api.session();
  } catch (error) {
    renderProblem(renderLayout(null), error);
    return;
  }
  if (session) {
    showHome(await startPage({ title: 'Home', session }));
  } else {
    showSignIn(renderLayout(null));
  }
}

start();
