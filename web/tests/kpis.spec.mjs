// The KPI dashboard (/ui/kpis.html, web/src/js/kpis.js): each measure GET /v1/kpis answers, as
// a summary card with its value, what was counted, its target from the seeds and a trend chart
// (with the same figures as a table); the period and place form; the deadlines breached by rule
// (GET /v1/deadlines?due_within=0). The expected values are computed here from the API's own
// answers, read with the same user's token.
import { request as playwrightRequest } from '@playwright/test';
import { MEASURES } from '../src/js/kpis-targets.js';
import { demoUser, expect, expectNoAxeViolations, shot, signIn, test } from './helpers.mjs';

async function apiAs(baseURL, role) {
  return playwrightRequest.newContext({
    baseURL, extraHTTPHeaders: { Authorization: `Bearer ${demoUser(role).token}` },
  });
}

async function getJson(api, url) {
  const response = await api.get(url);
  expect(response.status(), url).toBe(200);
  return response.json();
}

// Dates, as the page counts them: London's today; the default period is the last 12 full months.
const londonToday = () => new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit',
}).format(new Date());
function shiftMonths(date, n) {
  const d = new Date(`${date.slice(0, 7)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + n);
  return d.toISOString().slice(0, 10);
}
function nextDay(date) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
function defaultPeriod() {
  const thisMonth = `${londonToday().slice(0, 7)}-01`;
  return { from: shiftMonths(thisMonth, -12), toExclusive: thisMonth };
}

/** The value as the page should show it, computed from numerator and denominator. */
function expectedValue(name, m) {
  if (!m || !m.denominator) return 'No data';
  const value = m.numerator / m.denominator;
  const one = (n) => new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 }).format(n);
  // Averages are named average_...: in weeks or days; every other measure is a proportion.
  if (name.startsWith('average_') && name.includes('weeks')) return `${one(value)} ${one(value) === '1' ? 'week' : 'weeks'}`;
  if (name.startsWith('average_')) return `${one(value)} ${one(value) === '1' ? 'day' : 'days'}`;
  return `${one(value * 100)}%`;
}

const card = (page, name) => page.locator(`[data-measure="${name}"]`);

/** Every measure in the answer is on the page with the same value and counts. */
async function expectMeasures(page, answer) {
  const names = Object.keys(answer.measures);
  expect(names.length).toBeGreaterThan(0);
  for (const name of names) {
    const m = answer.measures[name];
    await expect(card(page, name).locator('.ct-kpis-value__number'), name).toHaveText(expectedValue(name, m));
    if (m.denominator) {
      const counted = card(page, name).locator('.govuk-summary-list__row').filter({ hasText: 'Counted' });
      const n = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });
      await expect(counted, name).toContainText(n.format(m.denominator));
      await expect(counted, name).toContainText(n.format(m.numerator));
    }
  }
}

/** Waits for every card's trend chart to be drawn. */
async function expectTrends(page) {
  const trends = page.locator('.ct-kpis-trend');
  await expect(trends.first()).toBeVisible();
  await expect(page.locator('.ct-kpis-trend[data-trend="loading"]')).toHaveCount(0, { timeout: 45_000 });
  await expect(page.locator('.ct-kpis-trend[data-trend="failed"]')).toHaveCount(0);
}

async function dateKeys(context, iso) {
  const probe = await context.newPage();
  await probe.setContent('<input type="date" id="d">');
  await probe.focus('#d');
  await probe.keyboard.type('01022003');
  const order = await probe.$eval('#d', (e) => e.value);
  await probe.close();
  const [y, m, d] = iso.split('-');
  if (order === '2003-02-01') return `${d}${m}${y}`;
  if (order === '2003-01-02') return `${m}${d}${y}`;
  return `${y}${m}${d}`;
}

test('as admin: every measure the API answers, with the same value, its target and a trend', async ({ page, baseURL }) => {
  await signIn(page, 'admin');
  const { from, toExclusive } = defaultPeriod();
  const answered = page.waitForResponse((r) => r.url().includes(`/v1/kpis?from=${from}&to=${toExclusive}`) && r.status() === 200);
  await page.goto('/ui/kpis.html');
  await answered;
  await expect(page).toHaveTitle('KPIs – casetrail');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Key performance indicators');
  await expect(page.locator('.govuk-caption-l')).toHaveText('All teams');
  await expect(page.getByLabel('From', { exact: true })).toHaveValue(from);

  const api = await apiAs(baseURL, 'admin');
  const answer = await getJson(api, `/v1/kpis?from=${from}&to=${toExclusive}`);
  await expectMeasures(page, answer);

  // A tag says how the value stands against the target: text, never colour alone.
  const decisions = card(page, 'decisions_within_1_working_day');
  await expect(decisions.locator('h3')).toHaveText('Decisions on referrals made within 1 working day');
  await expect(decisions.locator('.govuk-tag')).toHaveText(/^(Target met|Target not met|No data)$/);
  await expect(decisions.getByText('81% or more')).toBeVisible();
  await expect(decisions).toContainText('seed-spec.md:1114');
  await expect(card(page, 'icpc_within_15_working_days').locator('h3'))
    .toHaveText('Initial child protection conferences within 15 working days of the strategy discussion');
  await expect(card(page, 'icpc_within_15_working_days')).toContainText('None in the seeds');
  const value = answer.measures.decisions_within_1_working_day?.value;
  if (value !== null && value !== undefined) {
    await expect(decisions.locator('.govuk-tag')).toHaveText(Math.round(value * 1000) >= 810 ? 'Target met' : 'Target not met');
  }

  // A chart per measure, with its accessible summary and the same figures in a table.
  await expectTrends(page);
  const cards = page.locator('[data-measure]');
  const count = await cards.count();
  expect(count).toBeGreaterThanOrEqual(Object.keys(answer.measures).length);
  for (let i = 0; i < count; i += 1) {
    const c = cards.nth(i);
    await expect(c.locator('svg[role="img"]')).toHaveCount(1);
    await expect(c.locator('svg[role="img"]')).toHaveAttribute('aria-label', /trend from .+ to .+\./);
    await expect(c.locator('details table tbody tr')).toHaveCount(12);
  }
  // The monthly table: one month checked against the API.
  const lastMonth = shiftMonths(toExclusive, -1);
  const month = await getJson(api, `/v1/kpis?from=${lastMonth}&to=${toExclusive}`);
  const visits = card(page, 'visits_in_time');
  await visits.locator('details summary').click();
  const lastRow = visits.locator('details tbody tr').last();
  await expect(lastRow.locator('td').first()).toHaveText(expectedValue('visits_in_time', month.measures.visits_in_time));
  await expect(visits.locator('svg')).toHaveAttribute('aria-label', /Target: 71% or more\./);
  await expect(visits.locator('svg .ct-kpis-chart__target')).toHaveCount(1);
  await expectNoAxeViolations(page);
  await shot(page, 'kpis-admin');
  await api.dispose();
});

test('changing the period reads the figures again', async ({ page, baseURL }) => {
  await signIn(page, 'admin');
  await page.goto('/ui/kpis.html');
  await expect(page.locator('.ct-kpis-status')).toHaveText(/^Figures for /);
  const from = shiftMonths(defaultPeriod().toExclusive, -3);
  const to = `${defaultPeriod().toExclusive.slice(0, 8)}01`;
  const last = new Date(Date.parse(`${to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel('From', { exact: true }).fill(from);
  await page.getByLabel('To', { exact: true }).fill(last);
  const answered = page.waitForResponse((r) => r.url().includes(`/v1/kpis?from=${from}&to=${nextDay(last)}`));
  await page.getByRole('button', { name: 'Show the figures' }).click();
  expect((await answered).status()).toBe(200);
  await expect(page).toHaveURL(new RegExp(`from=${from}&to=${last}`));
  const api = await apiAs(baseURL, 'admin');
  const answer = await getJson(api, `/v1/kpis?from=${from}&to=${nextDay(last)}`);
  await expectMeasures(page, answer);
  await expectTrends(page);
  await expect(card(page, 'visits_in_time').locator('details tbody tr')).toHaveCount(3);

  // One team: the figures for that team.
  await page.getByLabel('Team', { exact: true }).selectOption('north-1');
  await page.getByRole('button', { name: 'Show the figures' }).click();
  await expect(page.locator('.govuk-caption-l')).toHaveText('Team north-1');
  const north = await getJson(api, `/v1/kpis?from=${from}&to=${nextDay(last)}&team=north-1`);
  await expectMeasures(page, north);
  await expectTrends(page);
  await expectNoAxeViolations(page);
  await shot(page, 'kpis-north-1-quarter');

  // Back: the period before.
  await page.goBack();
  await expect(page.locator('.govuk-caption-l')).toHaveText('All teams');
  await expectMeasures(page, answer);
  await api.dispose();
});

test('deadlines breached by rule: the overdue deadlines now, counted by rule, in words', async ({ page, baseURL }) => {
  await signIn(page, 'admin');
  await page.goto('/ui/kpis.html');
  const section = page.locator('section.ct-kpis-deadlines');
  await expect(section.getByRole('heading', { level: 2 })).toHaveText('Deadlines breached by rule');
  const api = await apiAs(baseURL, 'admin');
  const { overdue } = await getJson(api, '/v1/deadlines?due_within=0');
  const counts = new Map();
  for (const d of overdue) counts.set(d.rule, (counts.get(d.rule) ?? 0) + 1);
  expect(counts.size).toBeGreaterThan(0);
  await expect(section.locator('tbody tr')).toHaveCount(counts.size);
  for (const [rule, n] of counts) {
    const row = section.locator('tbody tr').filter({ has: page.locator('th', { hasText: new RegExp(`^${rule}$`) }) });
    await expect(row.locator('td').last()).toHaveText(String(n));
    await expect(row.locator('td').first()).not.toHaveText('');
  }
  await expect(section.locator('caption')).toHaveText(`${overdue.length} ${overdue.length === 1 ? 'deadline' : 'deadlines'} overdue now`);
  if (counts.has('N-10')) {
    await expect(section.locator('tbody tr').filter({ hasText: 'N-10' })).toContainText('Child protection visits, at most every (10 working days)');
  }
  await api.dispose();
});

test('a social worker sees team north-1\'s figures, and cannot ask for another team', async ({ page, baseURL }) => {
  const user = await signIn(page, 'social_worker');
  expect(user.team).toBe('north-1');
  await page.goto('/ui/kpis.html?team=south-1&area=south');
  await expect(page.locator('.govuk-caption-l')).toHaveText('Team north-1');
  await expect(page.getByRole('main')).toContainText('You see team north-1\'s figures only.');
  await expect(page.getByLabel('Team', { exact: true })).toHaveCount(0);
  await expect(page.getByLabel('Area', { exact: true })).toHaveCount(0);
  const { from, toExclusive } = defaultPeriod();
  const api = await apiAs(baseURL, 'social_worker');
  const answer = await getJson(api, `/v1/kpis?from=${from}&to=${toExclusive}`);
  expect(answer.team).toBe('north-1');
  await expectMeasures(page, answer);
  await expect(page.locator('.ct-kpis-status')).toContainText('team north-1');
  // The API enforces it: another team is refused.
  expect((await api.get(`/v1/kpis?from=${from}&to=${toExclusive}&team=south-1`)).status()).toBe(403);
  await expectTrends(page);
  const { overdue } = await getJson(api, '/v1/deadlines?due_within=0');
  await expect(page.locator('section.ct-kpis-deadlines tbody tr, section.ct-kpis-deadlines [data-empty]').first()).toBeVisible();
  if (overdue.length > 0) {
    await expect(page.locator('section.ct-kpis-deadlines caption')).toHaveText(`${overdue.length} ${overdue.length === 1 ? 'deadline' : 'deadlines'} overdue now`);
  }
  await expectNoAxeViolations(page);
  await shot(page, 'kpis-social-worker');
  await api.dispose();
});

test('a period that is not one: the error summary and the message beside the field', async ({ page }) => {
  await signIn(page, 'team_manager');
  await page.goto('/ui/kpis.html');
  await expect(page.locator('.ct-kpis-status')).toHaveText(/^Figures for /);
  await page.getByLabel('From', { exact: true }).fill('2026-06-01');
  await page.getByLabel('To', { exact: true }).fill('2026-05-01');
  await page.getByRole('button', { name: 'Show the figures' }).click();
  const summary = page.locator('.govuk-error-summary');
  await expect(summary).toBeFocused();
  await expect(summary.getByRole('link')).toHaveText('The last day must be the same as or after the first day');
  await expect(page.locator('#to-error')).toHaveText('Error: The last day must be the same as or after the first day');
  await expect(page.getByLabel('To', { exact: true })).toHaveAttribute('aria-describedby', 'to-hint to-error');
  await expect(page).toHaveTitle('Error: KPIs – casetrail');

  await page.getByLabel('From', { exact: true }).fill('');
  await page.getByRole('button', { name: 'Show the figures' }).click();
  await expect(page.locator('#from-error')).toHaveText('Error: Enter the first day of the period');
  await expect(page.locator('.govuk-error-summary')).toHaveCount(1);
  await expectNoAxeViolations(page);
  await shot(page, 'kpis-errors');
  await page.locator('.govuk-error-summary').getByRole('link').click();
  await expect(page.getByLabel('From', { exact: true })).toBeFocused();

  // Put right, the errors go.
  await page.getByLabel('From', { exact: true }).fill('2026-04-01');
  await page.getByLabel('To', { exact: true }).fill('2026-06-30');
  await page.getByRole('button', { name: 'Show the figures' }).click();
  await expect(page.locator('.govuk-error-summary')).toHaveCount(0);
  await expect(page).toHaveTitle('KPIs – casetrail');
  await expect(page.locator('.ct-kpis-status')).toHaveText('Figures for 1 April 2026 to 30 June 2026, team north-1.');
});

test('keyboard only: Tab to the first day, type a date, Enter reads the figures again', async ({ page, context, baseURL }) => {
  await signIn(page, 'cp_chair');
  await page.goto('/ui/kpis.html');
  await expect(page.locator('.ct-kpis-status')).toHaveText(/^Figures for /);
  const fromField = page.getByLabel('From', { exact: true });
  for (let i = 0; i < 25 && !(await fromField.evaluate((e) => e === document.activeElement)); i += 1) {
    await page.keyboard.press('Tab');
  }
  await expect(fromField).toBeFocused();
  const from = shiftMonths(defaultPeriod().toExclusive, -6);
  await page.keyboard.type(await dateKeys(context, from));
  await expect(fromField).toHaveValue(from);
  const to = await page.getByLabel('To', { exact: true }).inputValue();
  const answered = page.waitForResponse((r) => r.url().includes(`/v1/kpis?from=${from}&to=${nextDay(to)}`));
  await page.keyboard.press('Enter'); // submits the form
  expect((await answered).status()).toBe(200);
  const api = await apiAs(baseURL, 'cp_chair');
  await expectMeasures(page, await getJson(api, `/v1/kpis?from=${from}&to=${nextDay(to)}`));
  await expectTrends(page);
  // A trend's figures open from the keyboard.
  const summary = card(page, MEASURES[0].name).locator('details summary');
  await summary.focus();
  await page.keyboard.press('Enter');
  await expect(card(page, MEASURES[0].name).locator('details')).toHaveAttribute('open', '');
  await expect(card(page, MEASURES[0].name).locator('details tbody tr')).toHaveCount(6);
  await api.dispose();
});

test('on a narrow screen the cards, charts and tables fit', async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  await signIn(page, 'case_progression_officer');
  await page.goto('/ui/kpis.html');
  await expectTrends(page);
  // WCAG 1.4.10 reflow: nothing wider than the screen.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
  await page.locator('[data-measure] details summary').first().click();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
  await expectNoAxeViolations(page);
  await shot(page, 'kpis-narrow');
});
