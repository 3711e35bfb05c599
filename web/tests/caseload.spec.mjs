// The caseload page (/ui/caseload.html, web/src/js/caseload.js): my caseload, my team's
// caseload (by worker, unallocated, IROs), the deadlines, a past date, Find a child. Every table
// is checked against the API's own answer for the same user, read at the same time. Nothing is
// recorded here.
import { roleName } from '../src/js/roles.js';
import {
  allowConsoleError, demoUser, expect, expectNoAxeViolations, shot, signIn, test,
} from './helpers.mjs';

const SIMULATED_WORKER = 'social_worker.north-1.1';

/** An API client acting as a demo user (a role or a user name). */
async function apiAs(playwright, baseURL, who) {
  return playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { Authorization: `Bearer ${demoUser(who).token}` },
  });
}

async function getJson(client, path) {
  const answer = await client.get(path);
  expect(answer.status(), await answer.text()).toBe(200);
  return answer.json();
}

/** The children GET /v1/caseload gives a worker, in its order. */
function childrenOf(caseload, user) {
  return caseload.teams.flatMap((t) => t.workers.filter((w) => w.worker === user).flatMap((w) => w.children));
}

const dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const formatDay = (day) => dayFormat.format(new Date(`${day}T00:00:00Z`));

function daysAgo(days) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date(Date.now() - days * 86_400_000));
}

const tableByCaption = (page, caption) => page.getByRole('table', { name: caption });
const rowsOf = (locator) => locator.locator('tbody tr');

/** Fills the "On a past date" fields and presses Show. */
async function showOn(page, day) {
  const [y, m, d] = day.split('-');
  const group = page.getByRole('group', { name: 'On a past date' });
  await group.getByLabel('Day').fill(String(Number(d)));
  await group.getByLabel('Month').fill(String(Number(m)));
  await group.getByLabel('Year').fill(y);
  await page.getByRole('button', { name: 'Show', exact: true }).click();
}

async function expectMyCaseload(page, children, user, asOf) {
  if (children.length === 0) {
    await expect(page.getByRole('main')).toContainText(`No children are allocated to you (${user}) ${asOf ? `on ${formatDay(asOf)}` : 'now'}.`);
    return;
  }
  const rows = rowsOf(tableByCaption(page, /^The children allocated to you/));
  await expect(rows).toHaveCount(children.length);
  await expect(rows.locator('th')).toHaveText(children.map((c) => c.child));
  await expect(rows.locator('td:nth-child(3)')).toHaveText(children.map((c) => roleName(c.as)));
  await expect(rows.locator('td:nth-child(4)')).toHaveText(children.map((c) => formatDay(c.since)));
  for (const c of children) {
    await expect(rows.getByRole('link', { name: c.child, exact: true })).toHaveAttribute('href', `/ui/child.html?child=${encodeURIComponent(c.child)}`);
  }
}

test(`a simulated social worker's "My caseload" is exactly the children the API gives them, now and on a past date`, async ({ page, playwright, baseURL }) => {
  const me = demoUser(SIMULATED_WORKER);
  const client = await apiAs(playwright, baseURL, SIMULATED_WORKER);
  const now = childrenOf(await getJson(client, '/v1/caseload'), me.user);

  await signIn(page, SIMULATED_WORKER);
  await page.goto('/ui/caseload.html');
  await expect(page).toHaveTitle('Caseload – casetrail');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Caseload');
  await expect(page.getByRole('heading', { name: 'Team north-1\'s caseload' })).toBeVisible();
  await expect(page.getByLabel('Team', { exact: true })).toHaveCount(0); // a team-scoped role: their team only
  await expectMyCaseload(page, now, me.user, '');
  await expectNoAxeViolations(page);
  await shot(page, 'caseload-social-worker-now');

  // A day on which they held children (the simulated year moves them on): the API finds it.
  let day = null;
  let then = [];
  for (let back = 30; back <= 360 && then.length === 0; back += 30) {
    day = daysAgo(back);
    then = childrenOf(await getJson(client, `/v1/caseload?as_of=${day}`), me.user);
  }
  expect(then.length, `${me.user} held children on some day of the simulated year`).toBeGreaterThan(0);
  await showOn(page, day);
  await expect(page.getByRole('status')).toHaveText(`Showing team north-1 on ${formatDay(day)}, with the deadlines due within 14 days.`);
  await expect(page).toHaveURL(new RegExp(`as_of=${day}`));
  await expectMyCaseload(page, then, me.user, day);
  await expectNoAxeViolations(page);
  await shot(page, 'caseload-social-worker-past');

  // The link keeps the date: a reload shows the same day.
  await page.reload();
  await expectMyCaseload(page, then, me.user, day);
  await expect(page.getByRole('group', { name: 'On a past date' }).getByLabel('Year')).toHaveValue(day.slice(0, 4));
});

test('a team manager\'s team: the workers, the unallocated children and the IROs are the API\'s', async ({ page, playwright, baseURL }) => {
  const client = await apiAs(playwright, baseURL, 'team_manager');
  const caseload = await getJson(client, '/v1/caseload');
  const team = caseload.teams.find((t) => t.team === 'north-1');
  expect(team).toBeDefined();

  await signIn(page, 'team_manager');
  await page.goto('/ui/caseload.html');
  await expect(page.getByRole('heading', { name: 'Team north-1\'s caseload' })).toBeVisible();
  await expect(page.locator('.ct-caseload-stat__value')).toHaveText([
    String(team.children), String(team.allocated), String(team.unallocated_count)]);

  const workers = rowsOf(tableByCaption(page, 'Children by worker now'));
  await expect(workers).toHaveCount(team.workers.length);
  await expect(workers.locator('th')).toHaveText(team.workers.map((w) => w.worker));
  await expect(workers.locator('td:nth-child(2)')).toHaveText(team.workers.map((w) => String(team.by_worker[w.worker])));
  for (const [i, w] of team.workers.entries()) {
    await expect(workers.nth(i).getByRole('link')).toHaveText(w.children.map((c) => c.child));
  }

  if (team.unallocated.length === 0) {
    await expect(page.locator('#unallocated-none')).toBeVisible();
  } else {
    const unallocated = rowsOf(tableByCaption(page, 'Unallocated children now'));
    await expect(unallocated.locator('th')).toHaveText(team.unallocated.map((c) => c.child));
    await expect(unallocated.locator('td:nth-child(4)')).toHaveText(team.unallocated.map((c) => (c.days === null ? 'Not known' : String(c.days))));
  }

  const inTeam = new Set([...team.workers.flatMap((w) => w.children.map((c) => c.child)), ...team.unallocated.map((c) => c.child)]);
  const iros = caseload.iros.map((i) => ({ ...i, children: i.children.filter((c) => inTeam.has(c.child)) })).filter((i) => i.children.length);
  if (iros.length > 0) {
    const rows = rowsOf(tableByCaption(page, 'Independent reviewing officers\' children'));
    await expect(rows.locator('th')).toHaveText(iros.map((i) => i.iro));
  }
  await expectNoAxeViolations(page);
  await shot(page, 'caseload-team-manager');
});

test('the deadlines tables are the API\'s, for 14 days and for 28', async ({ page, playwright, baseURL }) => {
  const client = await apiAs(playwright, baseURL, 'team_manager');
  await signIn(page, 'team_manager');
  for (const days of ['14', '28']) {
    const expected = await getJson(client, `/v1/deadlines?due_within=${days}`);
    if (days === '14') {
      await page.goto('/ui/caseload.html');
    } else {
      await page.getByLabel('Deadlines due within').selectOption(days);
      await page.getByRole('button', { name: 'Show', exact: true }).click();
      await expect(page).toHaveURL(/due_within=28/);
    }
    for (const [list, caption, noneId] of [
      [expected.overdue, /^Overdue deadlines/, '#overdue-none'],
      [expected.due_soon, new RegExp(`^Deadlines due within ${days} days`), '#due-soon-none'],
    ]) {
      if (list.length === 0) {
        await expect(page.locator(noneId)).toBeVisible();
        continue;
      }
      const rows = rowsOf(tableByCaption(page, caption));
      await expect(rows).toHaveCount(list.length);
      await expect(rows.locator('th')).toHaveText(list.map((d) => d.child));
      await expect(rows.locator('td:nth-child(2)')).toHaveText(list.map((d) => d.rule));
      await expect(rows.locator('td:nth-child(3)')).toHaveText(list.map((d) => formatDay(d.started)));
      await expect(rows.locator('td:nth-child(4)')).toHaveText(list.map((d) => formatDay(d.due)));
      if (list === expected.overdue) await expect(rows.locator('.govuk-tag--red')).toHaveCount(list.length);
    }
    await expectNoAxeViolations(page);
    await shot(page, `caseload-deadlines-${days}`);
  }
});

test('an administrator chooses a team; its caseload and deadlines follow', async ({ page, playwright, baseURL }) => {
  const client = await apiAs(playwright, baseURL, 'admin');
  const caseload = await getJson(client, '/v1/caseload');
  const teams = caseload.teams.map((t) => t.team);
  expect(teams.length).toBeGreaterThan(1);

  await signIn(page, 'admin');
  await page.goto('/ui/caseload.html');
  const select = page.getByLabel('Team', { exact: true });
  await expect(select.locator('option')).toHaveText(teams);
  await expect(select).toHaveValue(teams[0]);
  await expect(page.getByRole('heading', { name: `Team ${teams[0]}'s caseload` })).toBeVisible();

  const other = caseload.teams.find((t) => t.team !== teams[0] && t.workers.length > 0);
  await select.selectOption(other.team);
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await expect(page.getByRole('heading', { name: `Team ${other.team}'s caseload` })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`team=${other.team}`));
  const workers = rowsOf(tableByCaption(page, 'Children by worker now'));
  await expect(workers.locator('th')).toHaveText(other.workers.map((w) => w.worker));
  const deadlines = await getJson(client, `/v1/deadlines?team=${other.team}`);
  if (deadlines.overdue.length > 0) {
    await expect(rowsOf(tableByCaption(page, new RegExp(`^Overdue deadlines in team ${other.team}`))).locator('th'))
      .toHaveText(deadlines.overdue.map((d) => d.child));
  }
  await expectNoAxeViolations(page);
  await shot(page, 'caseload-admin');
});

test('a date that is not a date: the server\'s error in the summary and beside the date', async ({ page }) => {
  allowConsoleError(page, /status of 400/);
  await signIn(page, 'team_manager');
  await page.goto('/ui/caseload.html');
  await expect(page.getByRole('heading', { name: 'My caseload' })).toBeVisible();
  const group = page.getByRole('group', { name: 'On a past date' });
  await group.getByLabel('Day').fill('31');
  await group.getByLabel('Month').fill('2');
  await group.getByLabel('Year').fill('2026');
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  const summary = page.locator('.govuk-error-summary');
  await expect(summary).toBeFocused();
  await expect(summary.getByRole('link')).toHaveText(/^The date: /);
  await expect(summary.getByRole('link')).toHaveAttribute('href', '#as-of-day');
  await expect(page.locator('#as-of-error')).toBeVisible();
  await expect(page.locator('#as-of-group')).toHaveClass(/govuk-form-group--error/);
  await expect(group).toHaveAccessibleDescription(/The date: /);
  await expect(page).toHaveTitle('Error: Caseload – casetrail');
  await expectNoAxeViolations(page);
  await shot(page, 'caseload-bad-date');
});

test('Find a child opens the child\'s page', async ({ page }) => {
  await signIn(page, 'team_manager');
  await page.goto('/ui/caseload.html');
  const find = page.getByRole('search', { name: 'Find a child' });
  await find.getByLabel('Child ID').fill('1004');
  await find.getByRole('button', { name: 'Open the child\'s page' }).click();
  await expect(page).toHaveURL(/\/ui\/child\.html\?child=1004$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Child 1004');
});

test('keyboard only: change the deadlines\' window, then find a child', async ({ page }) => {
  await signIn(page, 'team_manager');
  await page.goto('/ui/caseload.html');
  await expect(page.getByRole('heading', { name: 'My caseload' })).toBeVisible();

  const focusBy = async (locator) => {
    for (let i = 0; i < 40 && !(await locator.evaluate((e) => e === document.activeElement)); i += 1) {
      await page.keyboard.press('Tab');
    }
    await expect(locator).toBeFocused();
  };
  const due = page.getByLabel('Deadlines due within');
  await focusBy(due);
  await page.keyboard.press('ArrowDown'); // 14 -> 28
  await expect(due).toHaveValue('28');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Show', exact: true })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status')).toContainText('due within 28 days');

  const childId = page.getByRole('search', { name: 'Find a child' }).getByLabel('Child ID');
  await focusBy(childId);
  await page.keyboard.type('1001');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Child 1001');
});

test('a subscriber service cannot use the page', async ({ page }) => {
  await signIn(page, 'subscriber');
  await page.goto('/ui/caseload.html');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You cannot use this page');
  await expectNoAxeViolations(page);
});
