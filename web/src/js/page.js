// page.js: the frame every casetrail page shares, and the start of every page's module.
//
//   const { session, main } = await startPage({ title: 'PLO board' });
//   replace(main, el('h1', { class: 'govuk-heading-l' }, 'PLO board'), ...);
//
//   startPage({title, roles?, session?})
//       Asks the API who is signed in (GET /v1/session, which also gives this page load its CSRF
//       token). Not signed in: sends the browser to the sign-in page (/) and never settles. Signed
//       in: draws the header (service name, the service navigation with the pages the role may
//       use, "Signed in as ..." and Sign out) and the footer, sets document.title to
//       "TITLE – casetrail", empties <main> and answers {session, main}: the page fills main.
//       roles: the roles allowed here; by default those roles.js's PAGES allows for this path.
//       A role not allowed sees "You cannot use this page" and the promise never settles.
//   setTitle(title, {error})   document.title = "TITLE – casetrail" ("Error: TITLE – casetrail").
//   renderLayout(session)      the header and footer alone (session null: signed out); answers main.
//   renderProblem(main, error) a page for an error: 403, 404 or "there is a problem".
//   initGovuk(scope)           starts GOV.UK Frontend's scripts (skip link, service navigation,
//                              buttons, ...) for components added under scope; once per element.
//
// Every page's HTML is the same skeleton (copy web/src/index.html): a skip link to #main-content,
// <header class="govuk-template__header">, <main id="main-content">, <footer
// class="govuk-template__footer">, and one <script type="module" src="/ui/js/NAME.js">.
import { initAll } from '../govuk/govuk-frontend.min.js';
import { api, ApiError } from './api.js';
import { el, errorSummary, replace } from './dom.js';
import { PAGES, pagesFor, roleName } from './roles.js';

export const SERVICE_NAME = 'casetrail';

// What the inline script of GOV.UK Frontend's own page template does (no inline scripts here): the
// classes that switch on the styles for JavaScript, and tell GOV.UK Frontend's scripts they may run.
document.body.classList.add('js-enabled');
if ('noModule' in HTMLScriptElement.prototype) document.body.classList.add('govuk-frontend-supported');
initGovuk(document.body); // the skip link: the only component in the skeleton

/** Starts GOV.UK Frontend's scripts for the components under scope (each element once). */
export function initGovuk(scope) {
  initAll({ scope, onError: (error) => console.error(error) });
}

/** @param {string} title @param {{error?: boolean}} [options] error: the page shows errors */
export function setTitle(title, { error = false } = {}) {
  document.title = `${error ? 'Error: ' : ''}${title} – ${SERVICE_NAME}`;
}

function never() {
  return new Promise(() => {});
}

function part(selector) {
  const node = document.querySelector(selector);
  if (!node) throw new Error(`page.js: the page's HTML has no ${selector} (copy web/src/index.html)`);
  return node;
}

function header(session) {
  const parts = [
    el('div', { class: 'govuk-generic-header' },
      el('div', { class: 'govuk-generic-header__container govuk-width-container' },
        el('div', { class: 'govuk-generic-header__logo' },
          el('a', { href: '/', class: 'govuk-generic-header__homepage-link' }, SERVICE_NAME)))),
  ];
  if (session) parts.push(serviceNavigation(session));
  return parts;
}

function serviceNavigation(session) {
  const here = window.location.pathname === '/index.html' ? '/' : window.location.pathname;
  const items = [{ path: '/', name: 'Home' }, ...pagesFor(session.role)];
  return el('section', {
    'aria-label': 'Service information',
    class: 'govuk-service-navigation',
    'data-module': 'govuk-service-navigation',
  },
  el('div', { class: 'govuk-width-container govuk-service-navigation__inlining-container' },
    el('div', { class: 'govuk-service-navigation__container' },
      el('nav', { 'aria-label': 'Menu', class: 'govuk-service-navigation__wrapper' },
        el('button', {
          type: 'button',
          class: 'govuk-service-navigation__toggle govuk-js-service-navigation-toggle',
          'aria-controls': 'navigation',
          hidden: true,
          'aria-hidden': 'true',
        }, 'Menu'),
        el('ul', { class: 'govuk-service-navigation__list', id: 'navigation' }, items.map((item) => {
          const current = item.path === here;
          return el('li', {
            class: `govuk-service-navigation__item${current ? ' govuk-service-navigation__item--active' : ''}`,
          },
          el('a', {
            class: 'govuk-service-navigation__link',
            href: item.path,
            'aria-current': current ? 'page' : null,
          }, current ? el('strong', { class: 'govuk-service-navigation__active-fallback' }, item.name) : item.name));
        })))),
    account(session)));
}

function account(session) {
  const form = el('form', { class: 'ct-account__form', method: 'post', novalidate: true },
    el('button', { type: 'submit', class: 'ct-link-button' }, 'Sign out'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.signOut(); // DELETE /v1/session with the CSRF token
      window.location.assign('/');
    } catch (error) {
      const main = part('#main-content');
      main.querySelector('.govuk-error-summary')?.remove();
      main.prepend(errorSummary('There is a problem', [{ text: `You are still signed in: signing out did not work (${error.message}). Try again.` }]));
    }
  });
  return el('div', { class: 'ct-account' },
    el('p', { class: 'ct-account__user' },
      'Signed in as ', el('strong', null, session.user), ` (${roleName(session.role)}, team ${session.team})`),
    form);
}

function footer() {
  return el('div', { class: 'govuk-footer' },
    el('div', { class: 'govuk-width-container' },
      el('div', { class: 'govuk-footer__meta' },
        el('div', { class: 'govuk-footer__meta-item govuk-footer__meta-item--grow' },
          el('p', { class: 'govuk-body-s' },
            `${SERVICE_NAME}: case records for children's social care. Every action is kept on ` +
            'an append-only, tamper-evident log.')))));
}

/**
 * Draws the header and footer (session null: signed out, no navigation) and empties main.
 * @returns {HTMLElement} the page's <main>
 */
export function renderLayout(session) {
  const headerNode = part('header.govuk-template__header');
  replace(headerNode, header(session));
  replace(part('footer.govuk-template__footer'), footer());
  initGovuk(headerNode);
  const main = part('#main-content');
  main.removeAttribute('aria-busy');
  return replace(main);
}

/**
 * Shows a problem in main instead of the page.
 * @param {HTMLElement} main @param {Error} error
 */
export function renderProblem(main, error) {
  const heading = (text) => el('h1', { class: 'govuk-heading-l' }, text);
  if (!(error instanceof ApiError)) console.error(error); // a fault in the page: make it loud
  if (error instanceof ApiError && error.status === 403) {
    replace(main, heading('You cannot see this'), el('p', { class: 'govuk-body' }, error.message));
  } else if (error instanceof ApiError && error.status === 404) {
    replace(main, heading('Not found'), el('p', { class: 'govuk-body' }, error.message));
  } else {
    replace(main, heading('Sorry, there is a problem with the service'),
      el('p', { class: 'govuk-body' }, 'Try again later.'),
      el('p', { class: 'govuk-body' }, `The problem: ${error.message}`));
  }
}

/**
 * Starts a page that needs a signed-in user. See the header.
 * @param {{title: string, roles?: string[], session?: object}} options
 * @returns {Promise<{session: {user, role, team, csrf_token, expires_at}, main: HTMLElement}>}
 */
export async function startPage({ title, roles, session } = {}) {
  setTitle(title);
  let current = session;
  if (!current) {
    try {
      current = await api.session();
    } catch (error) {
      renderProblem(renderLayout(null), error);
      return never();
    }
  }
  if (!current) {
    window.location.replace('/');
    return never();
  }
  const main = renderLayout(current);
  const page = PAGES.find((p) => p.path === window.location.pathname);
  const allowed = roles ? roles.includes(current.role) : (page ? page.allows(current.role) : true);
  if (!allowed) {
    replace(main,
      el('h1', { class: 'govuk-heading-l' }, 'You cannot use this page'),
      el('p', { class: 'govuk-body' }, `This page is not for your role (${roleName(current.role)}).`),
      el('p', { class: 'govuk-body' }, el('a', { class: 'govuk-link', href: '/' }, 'Go to the home page')));
    return never();
  }
  return { session: current, main };
}
