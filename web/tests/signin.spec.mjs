// The sign-in page and the home page (/, web/src/js/index.js), and the frame every page shares
// (web/src/js/page.js): header, service navigation, Sign out.
import { pagesFor, roleName } from '../src/js/roles.js';
import { demoUser, expect, expectNoAxeViolations, shot, signIn, test } from './helpers.mjs';

// The roles `casetrail serve --demo` prints a token for.
const DEMO_ROLES = [
  'social_worker', 'team_manager', 'cass_worker', 'early_help_worker', 'cp_chair', 'legal',
  'case_progression_officer', 'auditor', 'subscriber', 'admin',
];
const WRONG_TOKEN = `ct_${'0'.repeat(48)}`;
const SESSION_COOKIE = 'casetrail_session';

const tokenField = (page) => page.getByLabel('Your access token');
const signInButton = (page) => page.getByRole('button', { name: 'Sign in' });

async function sessionCookie(context) {
  return (await context.cookies()).find((cookie) => cookie.name === SESSION_COOKIE);
}

test('the sign-in page: a GOV.UK form with one password field, accessible', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveTitle('Sign in – casetrail');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in to casetrail');
  await expect(tokenField(page)).toHaveAttribute('type', 'password');
  await expect(tokenField(page)).toHaveAttribute('autocomplete', 'off');
  await expect(tokenField(page)).toHaveAccessibleDescription(/casetrail serve --demo/);
  await expect(page.locator('header')).toContainText('casetrail');
  await expect(page.getByRole('navigation')).toHaveCount(0); // no pages before signing in
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('body')).toHaveClass(/govuk-frontend-supported/);
  await expectNoAxeViolations(page);
  await shot(page, 'signin');
});

for (const role of DEMO_ROLES) {
  test(`signing in as ${role} shows the home page for that user, role and team`, async ({ page }) => {
    const user = await signIn(page, role);
    await expect(page).toHaveURL('/');
    await expect(page).toHaveTitle('Home – casetrail');
    await expect(page.locator('.ct-account__user'))
      .toHaveText(`Signed in as ${user.user} (${roleName(role)}, team ${user.team})`);
    await expect(page.locator('.govuk-summary-list__key')).toHaveText(['User', 'Role', 'Team', 'Session ends']);
    await expect(page.locator('.govuk-summary-list__value'))
      .toHaveText([user.user, roleName(role), user.team, /^\d{1,2} [A-Z][a-z]+ \d{4} at \d{2}:\d{2}$/]);

    const pages = pagesFor(role);
    const nav = page.getByRole('navigation', { name: 'Menu' });
    await expect(nav.getByRole('link')).toHaveText(['Home', ...pages.map((p) => p.name)]);
    await expect(nav.getByRole('link', { name: 'Home' })).toHaveAttribute('aria-current', 'page');
    for (const p of pages) {
      await expect(page.getByRole('main').getByRole('link', { name: p.name, exact: true })).toHaveAttribute('href', p.path);
    }
    if (pages.length === 0) {
      await expect(page.getByRole('main')).toContainText('it has no pages here');
    }
    await expectNoAxeViolations(page);
    await shot(page, `home-${role}`);
  });
}

test('a wrong token shows the error summary and the field\'s error, and opens no session', async ({ page, context }) => {
  await page.goto('/');
  await tokenField(page).fill(WRONG_TOKEN);
  const answer = page.waitForResponse((r) => r.url().endsWith('/v1/session') && r.request().method() === 'POST');
  await signInButton(page).click();
  expect((await answer).status()).toBe(401);

  const summary = page.locator('.govuk-error-summary');
  await expect(summary).toBeFocused();
  await expect(summary.getByRole('heading')).toHaveText('There is a problem');
  const link = summary.getByRole('link');
  await expect(link).toHaveText(/^Enter a valid access token/);
  await expect(link).toHaveAttribute('href', '#token');
  await expect(page.locator('#token-error')).toHaveText(/^Error: Enter a valid access token/);
  await expect(tokenField(page)).toHaveAttribute('aria-describedby', 'token-hint token-error');
  await expect(page.locator('.govuk-form-group')).toHaveClass(/govuk-form-group--error/);
  await expect(page).toHaveTitle('Error: Sign in – casetrail');
  expect(await sessionCookie(context)).toBeUndefined();
  expect((await page.request.get('/v1/session')).status()).toBe(401);
  await expectNoAxeViolations(page);
  await shot(page, 'signin-error');

  await link.click(); // the summary's link takes the focus to the field
  await expect(tokenField(page)).toBeFocused();
});

test('an empty token is refused on the page, without a request', async ({ page, context }) => {
  const writes = [];
  page.on('request', (request) => {
    if (request.method() !== 'GET') writes.push(`${request.method()} ${request.url()}`);
  });
  await page.goto('/');
  await tokenField(page).fill('   ');
  await signInButton(page).click();
  const summary = page.locator('.govuk-error-summary');
  await expect(summary).toBeFocused();
  await expect(summary.getByRole('link')).toHaveText('Enter your access token');
  await expect(page.locator('#token-error')).toHaveText('Error: Enter your access token');
  await expect(page).toHaveTitle('Error: Sign in – casetrail');
  expect(writes).toEqual([]);
  expect(await sessionCookie(context)).toBeUndefined();

  // A second attempt replaces the error; it does not pile up.
  await signInButton(page).click();
  await expect(page.locator('.govuk-error-summary')).toHaveCount(1);
  await expect(page.locator('.govuk-error-message')).toHaveCount(1);
  await expectNoAxeViolations(page);
});

test('Sign out ends the session', async ({ page, context }) => {
  await signIn(page, 'social_worker');
  expect((await page.request.get('/v1/session')).status()).toBe(200);
  const signOut = page.waitForRequest((r) => r.url().endsWith('/v1/session') && r.method() === 'DELETE');
  await page.getByRole('button', { name: 'Sign out' }).click();
  const request = await signOut;
  expect(request.headers()['x-csrf-token']).toMatch(/^\S+$/);
  expect((await request.response()).status()).toBe(200); // the page has gone on: no body to read

  await expect(tokenField(page)).toBeVisible();
  await expect(page).toHaveURL('/');
  await expect(page.locator('.ct-account')).toHaveCount(0);
  expect((await page.request.get('/v1/session')).status()).toBe(401);
  expect(await sessionCookie(context)).toBeUndefined();
});

test('the session is an HttpOnly, SameSite=Strict cookie; the token is nowhere else', async ({ page, context, baseURL }) => {
  const urls = [];
  page.on('request', (request) => urls.push(request.url()));
  const user = await signIn(page, 'cp_chair');

  const cookie = await sessionCookie(context);
  expect(cookie).toBeDefined();
  expect(cookie.httpOnly).toBe(true);
  expect(cookie.sameSite).toBe('Strict');
  expect(cookie.path).toBe('/');
  expect(cookie.value).not.toContain(user.token);

  expect(page.url()).toBe(`${baseURL}/`);
  expect(urls.filter((url) => url.includes(user.token))).toEqual([]);
  const inPage = await page.evaluate(() => ({
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
    cookie: document.cookie,
    html: document.documentElement.outerHTML,
    history: window.history.length,
  }));
  expect(inPage.local).toBe('{}');
  expect(inPage.session).toBe('{}');
  expect(inPage.cookie).not.toContain(SESSION_COOKIE); // HttpOnly: no script sees it
  expect(inPage.html).not.toContain(user.token);
});

test('keyboard only: the skip link, then Tab to the field, type, Enter signs in', async ({ page }) => {
  const user = demoUser('team_manager');
  await page.goto('/');
  await expect(tokenField(page)).toBeVisible();

  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeFocused();
  for (let i = 0; i < 5 && !(await tokenField(page).evaluate((e) => e === document.activeElement)); i += 1) {
    await page.keyboard.press('Tab');
  }
  await expect(tokenField(page)).toBeFocused();
  await page.keyboard.type(user.token);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  await expect(page.locator('.ct-account__user')).toContainText(user.user);

  // The skip link moves the focus to the main content.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('#main-content')).toBeFocused();

  // Sign out is reachable and works from the keyboard.
  await page.getByRole('button', { name: 'Sign out' }).focus();
  await page.keyboard.press('Enter');
  await expect(tokenField(page)).toBeVisible();
});

test('on a narrow screen the navigation folds behind a Menu button', async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 640 }); // WCAG 1.4.10 reflow: 320 CSS pixels
  await signIn(page, 'admin');
  const menu = page.getByRole('button', { name: 'Menu' });
  const kpis = page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'KPIs' });
  await expect(menu).toBeVisible();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(kpis).toBeHidden();
  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(kpis).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
  await expectNoAxeViolations(page);
  await shot(page, 'home-narrow');
});
