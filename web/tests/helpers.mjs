// What every browser test uses. Import test and expect from here, not from @playwright/test:
//
//   import { test, expect, signIn, expectNoAxeViolations, shot } from './helpers.mjs';
//
//   test           Playwright's test, with
//                    baseURL      the server tests/server.mjs started (page.goto('/') works);
//                    server       {baseURL, users: [{role, user, team, token}]};
//                    page         guarded: the test fails on any console error, uncaught error,
//                                 failed request or Content-Security-Policy violation, except
//                                 the 401s of /v1/session (how a signed-out page learns it is
//                                 signed out, and a wrong token's answer). allowConsoleError()
//                                 allows more for one test.
//   signIn(page, who)              signs in through the real sign-in form as a demo user (who:
//                                  a role, e.g. 'cp_chair', or a user, e.g. 'sw.jones'), waits for
//                                  the home page; answers {role, user, team} (the token too:
//                                  never print it).
//   demoUser(who)                  the demo user for a role or user name.
//   expectNoAxeViolations(page)    axe-core over the page, WCAG 2.0/2.1/2.2 A and AA: none allowed;
//                                  the violations are printed readably if any.
//   shot(page, name)               a full-page screenshot, CASETRAIL_UI_ARTIFACTS/screenshots/NAME.png
//                                  (artifacts to look at; never compared pixel by pixel).
//   allowConsoleError(page, re)    lets this page log console errors whose text matches re.
import { test as base, expect } from '@playwright/test';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export { expect };

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const artifactsDir = path.resolve(web, process.env.CASETRAIL_UI_ARTIFACTS || '../build/ui-tests');

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let state = null;
function serverState() {
  if (!state) {
    const file = process.env.CASETRAIL_UI_STATE;
    if (!file) throw new Error('CASETRAIL_UI_STATE is not set: run the tests with `npx playwright test` (tests/server.mjs starts the server)');
    state = JSON.parse(fs.readFileSync(file, 'utf8'));
  }
  return state;
}

/** The demo user with this role (the first one printed) or this user name. */
export function demoUser(who) {
  const { users } = serverState();
  const user = users.find((u) => u.user === who) ?? users.find((u) => u.role === who);
  if (!user) throw new Error(`no demo user or role '${who}' (the server printed: ${users.map((u) => u.user).join(', ')})`);
  return user;
}

const allowances = new WeakMap();

/** Lets this page log console errors whose text matches pattern (for the rest of the test). */
export function allowConsoleError(page, pattern) {
  allowances.get(page)?.push(pattern);
}

// Chromium's own report of an answer that is not 2xx, for the session's routes: expected.
function isSessionRefusal(message) {
  const url = message.location()?.url ?? '';
  return /status of 401/.test(message.text()) && new URL(url, 'http://x').pathname === '/v1/session';
}

function guard(page) {
  const problems = [];
  const allowed = [];
  allowances.set(page, allowed);
  const permitted = (text) => allowed.some((pattern) => pattern.test(text));
  page.on('console', (message) => {
    if (message.type() !== 'error' || isSessionRefusal(message) || permitted(message.text())) return;
    problems.push(`console error: ${message.text()} (${message.location()?.url ?? ''})`);
  });
  page.on('pageerror', (error) => {
    if (!permitted(String(error))) problems.push(`uncaught error: ${error.stack || error}`);
  });
  page.on('requestfailed', (request) => {
    const failure = request.failure()?.errorText ?? '';
    // A navigation cancels the page's requests still in flight: not a fault.
    if (failure.includes('ERR_ABORTED')) return;
    problems.push(`request failed: ${request.method()} ${request.url()}: ${failure}`);
  });
  return problems;
}

export const test = base.extend({
  server: [async ({}, use) => { // eslint-disable-line no-empty-pattern
    await use(serverState());
  }, { scope: 'worker' }],

  baseURL: async ({ server }, use) => {
    await use(server.baseURL);
  },

  page: async ({ page }, use) => {
    // Chromium logs CSP violations as console errors already; this makes sure of it.
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline code'} (${event.sourceFile}:${event.lineNumber})`);
      });
    });
    const problems = guard(page);
    await use(page);
    expect(problems, 'the page logged errors, threw, failed a request or broke the CSP').toEqual([]);
  },
});

/** Signs in through the sign-in form as a demo user (a role or a user name); waits for Home. */
export async function signIn(page, who) {
  const user = demoUser(who);
  await page.goto('/');
  await page.getByLabel('Your access token').fill(user.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  return user;
}

function describeViolations(violations, url) {
  const lines = [`axe found ${violations.length} accessibility violation(s) on ${url}:`];
  for (const v of violations) {
    lines.push('', `[${v.impact}] ${v.id}: ${v.help}`, `  ${v.helpUrl}`);
    for (const node of v.nodes) {
      lines.push(`  - ${node.target.join(' ')}`);
      lines.push(`    ${node.html.slice(0, 200)}`);
      for (const summary of (node.failureSummary || '').split('\n')) {
        if (summary.trim()) lines.push(`      ${summary.trim()}`);
      }
    }
  }
  return lines.join('\n');
}

/**
 * Runs axe-core over the page as it is now (WCAG 2.0, 2.1 and 2.2, A and AA) and fails on any
 * violation. axe is evaluated through the DevTools protocol, which the page's CSP does not
 * govern (a <script> tag would be refused, rightly).
 * @param {import('@playwright/test').Page} page
 * @param {{exclude?: string[]}} [options] CSS selectors to leave out (say why where you use it)
 */
export async function expectNoAxeViolations(page, { exclude = [] } = {}) {
  await page.evaluate(axeSource);
  const results = await page.evaluate(async ({ tags, exclude }) => {
    const context = exclude.length ? { exclude: exclude.map((selector) => [selector]) } : document;
    return window.axe.run(context, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
  }, { tags: AXE_TAGS, exclude });
  if (results.violations.length > 0) {
    throw new Error(describeViolations(results.violations, page.url()));
  }
}

/** Saves a full-page screenshot as CASETRAIL_UI_ARTIFACTS/screenshots/NAME.png. */
export async function shot(page, name) {
  await page.screenshot({ path: path.join(artifactsDir, 'screenshots', `${name}.png`), fullPage: true });
}
