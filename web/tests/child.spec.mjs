// The child's page (/ui/child.html?child=ID, web/src/js/child.js): who holds the child, where it
// is in each journey (the diagrams), its open deadlines, recording an action through the form
// built from the action catalogue (recorded, refused, malformed, stale), the chronology, the
// team scope, keyboard use and script-looking text.
//
// Every test that records registers its own child first (ids ui-child-<random>) and drives it
// through the API with the demo users' tokens: the server is shared by every spec file, and the
// demo children (1001-1004) and the simulated ones are only read.
import {
  allowConsoleError, demoUser, expect, expectNoAxeViolations, shot, signIn, test,
} from './helpers.mjs';

const HOUR = 3_600_000;

/** An API client acting as a demo user (a role or a user name). */
async function apiAs(playwright, baseURL, who) {
  return playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { Authorization: `Bearer ${demoUser(who).token}` },
  });
}

function ago(ms) {
  return new Date(Date.now() - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Registers a new child (as `who`, three days ago) and answers its id. */
async function registerChild(client, prefix = 'ui-child') {
  const id = `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
  const answer = await client.post('/v1/children', {
    data: { child_id: id, date_of_birth: '2016-05-04', occurred_at: ago(72 * HOUR) },
  });
  expect(answer.status(), await answer.text()).toBe(201);
  return id;
}

/** Records an action through the API; answers the body. */
async function command(client, child, action, params = {}, when = ago(48 * HOUR)) {
  const answer = await client.post(`/v1/children/${encodeURIComponent(child)}/commands`, {
    data: { action, occurred_at: when, params },
  });
  expect([200, 201], `${action}: ${await answer.text()}`).toContain(answer.status());
  return answer.json();
}

async function childNow(client, child) {
  const answer = await client.get(`/v1/children/${encodeURIComponent(child)}`);
  expect(answer.status()).toBe(200);
  return answer.json();
}

/** A child of team north-1 (allocated to it) on a child protection plan. */
async function childOnCpPlan(playwright, baseURL) {
  const sw = await apiAs(playwright, baseURL, 'sw.jones');
  const tm = await apiAs(playwright, baseURL, 'team_manager');
  const chair = await apiAs(playwright, baseURL, 'cp_chair');
  const id = await registerChild(sw);
  await command(tm, id, 'alloc.team_allocated', { team: 'north-1' }, ago(60 * HOUR));
  await command(sw, id, 'cp.strategy_discussion_held', { outcome: 's47' }, ago(50 * HOUR));
  await command(sw, id, 'cp.s47_concluded', { outcome: 'icpc' }, ago(49 * HOUR));
  await command(chair, id, 'cp.icpc_held', { outcome: 'cp_plan', category: 'neglect' }, ago(48 * HOUR));
  return id;
}

const main = (page) => page.getByRole('main');
const childUrl = (id) => `/ui/child.html?child=${encodeURIComponent(id)}`;

test('a social worker records an action through the form: the banner, the chronology and the diagram follow', async ({ page, playwright, baseURL }) => {
  const sw = await apiAs(playwright, baseURL, 'sw.jones');
  const id = await registerChild(sw);
  await command(sw, id, 'cp.strategy_discussion_held', { outcome: 's47' });
  const allowed = await (await sw.get(`/v1/children/${id}/allowed-actions`)).json();
  expect(allowed.allowed_actions).toContain('cp.s47_concluded');

  await signIn(page, 'sw.jones');
  await page.goto(childUrl(id));
  await expect(page).toHaveTitle(`Child ${id} – casetrail`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Child ${id}`);
  const summary = main(page).locator('.govuk-summary-list');
  await expect(summary).toContainText('north-1');
  await expect(summary).toContainText('Not allocated');
  await expect(summary).toContainText('sw.jones');

  // The diagram: S47Enquiry now, in words beside it.
  const diagram = page.getByRole('img', { name: 'Child protection: now S47Enquiry' });
  await expect(diagram).toBeVisible();
  await expect(diagram.locator('.ct-child-diagram__state--current')).toHaveAttribute('data-state', 'S47Enquiry');
  await expect(diagram.locator('.ct-child-diagram__state--current')).toContainText('(current)');
  await expect(main(page).locator('.ct-child-journey__current')).toHaveText('Section 47 enquiry (current)');
  await expect(diagram.locator('.ct-child-diagram__state')).toHaveCount(4);
  await expect(page.getByRole('heading', { name: 'Child protection: section 47 enquiry' })).toBeVisible();

  // Every action the role may record now, by its title; others' actions in words.
  const choices = page.getByRole('group', { name: 'What happened?' }).getByRole('radio');
  await expect(choices).toHaveCount(allowed.allowed_actions.length);
  await expect(main(page)).toContainText('Also allowed now, for other roles');
  await expect(main(page)).toContainText('Care proceedings issued (legal)');
  await expectNoAxeViolations(page);
  await shot(page, 'child-social-worker');

  await page.getByRole('radio', { name: 'Section 47 enquiry concluded' }).check();
  const when = page.getByRole('group', { name: 'When did it happen?' });
  await expect(when.getByLabel('Day')).not.toHaveValue('');
  await expect(when.getByLabel('Time')).toHaveValue(/^\d\d:\d\d$/);
  const outcome = page.getByRole('group', { name: 'Outcome' });
  await expect(outcome.getByRole('radio')).toHaveCount(2);
  await outcome.getByRole('radio', { name: 'Initial child protection conference', exact: true }).check();
  await expectNoAxeViolations(page);
  await shot(page, 'child-form');

  const posted = page.waitForRequest((r) => r.url().endsWith(`/v1/children/${id}/commands`) && r.method() === 'POST');
  await page.getByRole('button', { name: 'Record action' }).click();
  const body = (await posted).postDataJSON();
  expect(body.action).toBe('cp.s47_concluded');
  expect(body.params).toEqual({ outcome: 'icpc' });
  expect(body.command_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(body.occurred_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  expect(typeof body.expected_version).toBe('number');

  const banner = page.locator('.govuk-notification-banner--success');
  await expect(banner).toContainText('Recorded: Section 47 enquiry concluded');
  await expect(banner).toBeFocused();
  await expect(page.getByRole('img', { name: 'Child protection: now AwaitingIcpc' })).toBeVisible();
  await expect(page.locator('.ct-child-diagram__state--current')).toHaveAttribute('data-state', 'AwaitingIcpc');
  const firstRow = page.getByRole('table', { name: /What happened/ }).locator('tbody tr').first();
  await expect(firstRow).toContainText('Section 47 enquiry concluded: outcome icpc');
  await expect(firstRow).toContainText('sw.jones (social worker)');
  const now = await childNow(sw, id);
  expect(now.states).toEqual({ child_protection: 'AwaitingIcpc' });
  await expectNoAxeViolations(page);
  await shot(page, 'child-recorded');
});

test('a refused action: the error summary names the rule and the parameter, the error is beside it, nothing is recorded', async ({ page, playwright, baseURL }) => {
  const sw = await apiAs(playwright, baseURL, 'sw.jones');
  const tm = await apiAs(playwright, baseURL, 'team_manager');
  const id = await registerChild(sw);
  await command(tm, id, 'alloc.team_allocated', { team: 'north-1' }, ago(60 * HOUR));
  await command(sw, id, 'cp.strategy_discussion_held', { outcome: 's47' }, ago(50 * HOUR));
  await command(sw, id, 'cp.s47_concluded', { outcome: 'icpc' }, ago(49 * HOUR));
  const before = await childNow(sw, id);

  allowConsoleError(page, /status of 422/);
  await signIn(page, 'cp_chair');
  await page.goto(childUrl(id));
  await page.getByRole('radio', { name: 'Initial child protection conference held' }).check();
  // The category shows only with a plan.
  const category = page.getByRole('group', { name: 'Category' });
  await expect(category).toBeHidden();
  await page.getByRole('group', { name: 'Outcome' }).getByRole('radio', { name: 'Child protection plan' }).check();
  await expect(category).toBeVisible();
  await expect(category.getByRole('radio')).toHaveCount(5);

  const answer = page.waitForResponse((r) => r.url().endsWith(`/v1/children/${id}/commands`));
  await page.getByRole('button', { name: 'Record action' }).click();
  expect((await answer).status()).toBe(422);

  const summary = page.locator('.govuk-error-summary');
  await expect(summary).toBeFocused();
  await expect(summary.getByRole('heading')).toHaveText('The action was refused');
  await expect(summary).toContainText('Rule: invalid_parameter');
  await expect(summary).toContainText('Allowed now: Initial child protection conference held');
  await expect(summary).toContainText('Child protection: awaiting initial child protection conference');
  const link = summary.getByRole('link', { name: /category/ });
  await expect(link).toHaveText(/'category'/);
  await expect(page).toHaveTitle(`Error: Child ${id} – casetrail`);
  const group = page.locator('#param-1-group');
  await expect(group).toHaveClass(/govuk-form-group--error/);
  await expect(group.locator('.govuk-error-message')).toContainText("'category'");
  await expect(category).toHaveAccessibleDescription(/category/);
  expect((await childNow(sw, id)).version).toBe(before.version);
  await expectNoAxeViolations(page);
  await shot(page, 'child-refused');

  await link.click(); // to the field
  await expect(page.locator('#param-1')).toBeFocused();
});

test('a malformed time is refused by the server and shown beside the date and time', async ({ page, playwright, baseURL }) => {
  const sw = await apiAs(playwright, baseURL, 'sw.jones');
  const id = await registerChild(sw);
  const before = await childNow(sw, id);
  allowConsoleError(page, /status of 400/);
  await signIn(page, 'sw.jones');
  await page.goto(childUrl(id));
  await page.getByRole('radio', { name: 'Child in need plan started' }).check();
  const when = page.getByRole('group', { name: 'When did it happen?' });
  await when.getByLabel('Month').fill('13');
  await when.getByLabel('Time').fill('25:99');
  await page.getByRole('button', { name: 'Record action' }).click();
  const summary = page.locator('.govuk-error-summary');
  await expect(summary).toBeFocused();
  await expect(summary.getByRole('link')).toHaveText(/^When it happened: must be an RFC 3339 time/);
  await expect(summary.getByRole('link')).toHaveAttribute('href', '#occurred-day');
  await expect(page.locator('#occurred-group')).toHaveClass(/govuk-form-group--error/);
  await expect(page.locator('#occurred-error')).toContainText('When it happened');
  await expect(when.getByLabel('Month')).toHaveClass(/govuk-input--error/);
  expect((await childNow(sw, id)).version).toBe(before.version);
  await expectNoAxeViolations(page);
  await shot(page, 'child-bad-time');
});

test('a stale page: someone else recorded first, the page says so and shows the record as it is', async ({ page, playwright, baseURL }) => {
  const sw = await apiAs(playwright, baseURL, 'sw.jones');
  const id = await registerChild(sw);
  allowConsoleError(page, /status of 409/);
  await signIn(page, 'sw.jones');
  await page.goto(childUrl(id));
  await page.getByRole('radio', { name: 'Child in need plan started' }).check();
  await command(sw, id, 'cp.strategy_discussion_held', { outcome: 's47' }, ago(HOUR)); // meanwhile
  await page.getByRole('button', { name: 'Record action' }).click();
  const summary = page.locator('.govuk-error-summary');
  await expect(summary).toContainText('Someone recorded on this child since you opened the page: the page now shows the record as it is');
  await expect(page.getByRole('img', { name: 'Child protection: now S47Enquiry' })).toBeVisible();
  await expect(page.getByRole('table', { name: /What happened/ })).toContainText('Strategy discussion held: outcome s47');
  expect((await childNow(sw, id)).states).toEqual({ child_protection: 'S47Enquiry' });
  await expectNoAxeViolations(page);
});

test('text that looks like HTML stays text: no element, no script, no dialog', async ({ page, playwright, baseURL }) => {
  const id = await childOnCpPlan(playwright, baseURL);
  const payload = '<img src=x onerror=alert(1)>';
  const dialogs = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss().catch(() => {});
  });

  await signIn(page, 'team_manager');
  await page.goto(childUrl(id));
  await expect(page.getByRole('img', { name: 'Child protection: now OnCpPlan' })).toBeVisible();
  await page.getByRole('radio', { name: 'Child protection plan ended' }).check();
  await page.getByLabel('Reason').fill(payload);
  await page.getByRole('button', { name: 'Record action' }).click();
  await expect(page.locator('.govuk-notification-banner--success')).toContainText('Recorded: Child protection plan ended');
  const row = page.getByRole('table', { name: /What happened/ }).locator('tbody tr').first();
  await expect(row).toContainText(`Child protection plan ended: reason ${payload}`);
  expect(await page.locator('img').count()).toBe(0);
  expect(await page.evaluate(() => window.__xss)).toBeUndefined();
  expect(dialogs, 'no dialog opened').toEqual([]);
  await expectNoAxeViolations(page);
  await shot(page, 'child-xss');
});

test('a choice of many is a select; a parameter shown by another\'s value is sent only then', async ({ page, playwright, baseURL }) => {
  const sw = await apiAs(playwright, baseURL, 'sw.jones');
  const tm = await apiAs(playwright, baseURL, 'team_manager');
  const id = await registerChild(sw);
  await command(tm, id, 'alloc.team_allocated', { team: 'north-1' });

  await signIn(page, 'sw.jones');
  await page.goto(childUrl(id));
  await page.getByRole('radio', { name: 'Became looked after' }).check();
  const status = page.getByRole('combobox', { name: 'Legal status' });
  await expect(status.locator('option')).toHaveCount(13); // "Choose legal status" and the 12 of the SSDA903
  await status.selectOption({ label: 'Section 20' });
  await page.getByRole('button', { name: 'Record action' }).click();
  await expect(page.locator('.govuk-notification-banner--success')).toContainText('Recorded: Became looked after');
  await expect(page.locator('.govuk-summary-list')).toContainText('Section 20');
  await expect(page.getByRole('img', { name: 'Child in care: now LookedAfter' })).toBeVisible();

  // The team manager allocates a worker: "Team" shows only for a worker who needs one.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByLabel('Your access token')).toBeVisible(); // signed out, on the sign-in page
  await signIn(page, 'team_manager');
  await page.goto(childUrl(id));
  await page.getByRole('radio', { name: 'Worker allocated' }).check();
  const team = page.getByLabel('Team', { exact: true });
  await expect(team).toBeHidden();
  await page.getByRole('group', { name: 'As' }).getByRole('radio', { name: 'IRO' }).check();
  await expect(team).toBeHidden();
  await page.getByRole('group', { name: 'As' }).getByRole('radio', { name: 'Social worker' }).check();
  await expect(team).toBeVisible();
  await page.getByLabel('Worker', { exact: true }).fill('sw.jones');
  await team.fill('north-1');
  await expectNoAxeViolations(page);
  await shot(page, 'child-conditional');
  const posted = page.waitForRequest((r) => r.url().endsWith(`/v1/children/${id}/commands`) && r.method() === 'POST');
  await page.getByRole('button', { name: 'Record action' }).click();
  expect((await posted).postDataJSON().params).toEqual({ as: 'social_worker', worker: 'sw.jones', team: 'north-1' });
  await expect(page.locator('.govuk-notification-banner--success')).toContainText('Recorded: Worker allocated');
  await expect(page.locator('.govuk-summary-list')).toContainText(/sw\.jones \(social worker\), since/);
});

test('a corrected entry shows its correction and what was first recorded', async ({ page, playwright, baseURL }) => {
  const sw = await apiAs(playwright, baseURL, 'sw.jones');
  const tm = await apiAs(playwright, baseURL, 'team_manager');
  const id = await registerChild(sw);
  const strategy = await command(sw, id, 'cp.strategy_discussion_held', { outcome: 's47' }, ago(48 * HOUR));
  const day = new Date(Date.now() - 24 * HOUR).toISOString().slice(0, 10); // the day after it
  await command(tm, id, 'case.record_corrected', {
    target_version: String(strategy.append.first_version), reason: 'the date was typed wrongly', occurred_on: day,
  }, ago(HOUR));

  await signIn(page, 'sw.jones');
  await page.goto(childUrl(id));
  const row = page.getByRole('table', { name: /What happened/ }).getByRole('row').filter({ hasText: 'Strategy discussion held: outcome s47' });
  await expect(row.locator('.govuk-tag')).toHaveText('Corrected');
  await expect(row).toContainText('First recorded as: Strategy discussion held: outcome s47');
  await expect(page.getByRole('table', { name: /What happened/ })).toContainText('Record corrected');
  await expectNoAxeViolations(page);
  await shot(page, 'child-corrected');
});

test('a north-1 social worker cannot open a child of another team', async ({ page, playwright, baseURL }) => {
  const admin = await apiAs(playwright, baseURL, 'admin');
  const caseload = await (await admin.get('/v1/caseload')).json();
  const team = caseload.teams.find((t) => t.team !== 'north-1' && t.children > 0 &&
    t.workers.some((w) => w.children.length > 0));
  expect(team, 'a team other than north-1 with children').toBeDefined();
  const other = team.workers.find((w) => w.children.length > 0).children[0].child;

  allowConsoleError(page, /status of 403/);
  await signIn(page, 'sw.jones');
  await page.goto(childUrl(other));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You cannot see this');
  await expect(main(page)).not.toContainText('Record an action');
  await expectNoAxeViolations(page);
  await shot(page, 'child-forbidden');
});

test('a restricted child is seen only by the users named, as the API enforces', async ({ page, playwright, baseURL }) => {
  // A north-1 child restricted to tm.khan: sw.jones (same team, not named) and legal (who sees
  // every child) are refused; the team manager named opens the page.
  const sw = await apiAs(playwright, baseURL, 'sw.jones');
  const tm = await apiAs(playwright, baseURL, 'tm.khan');
  const id = await registerChild(sw);
  await command(tm, id, 'alloc.team_allocated', { team: 'north-1' }, ago(60 * HOUR));
  const restricted = await tm.put(`/v1/children/${encodeURIComponent(id)}/restriction`, {
    data: { users: ['tm.khan'], reason: 'a relative works in the service' },
  });
  expect(restricted.status(), await restricted.text()).toBe(200);

  allowConsoleError(page, /status of 403/);
  for (const who of ['sw.jones', 'legal']) {
    await page.context().clearCookies(); // a new session for each user
    await signIn(page, who);
    await page.goto(childUrl(id));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('You cannot see this');
    await expect(main(page)).not.toContainText('Record an action');
    await expect(main(page)).not.toContainText('Chronology');
  }
  await expectNoAxeViolations(page);
  await page.context().clearCookies();
  await signIn(page, 'tm.khan');
  await page.goto(childUrl(id));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Child ${id}`);
  await expect(main(page)).toContainText('Chronology');
});

test('an unknown child is "Not found"; no child at all offers "Find a child"', async ({ page }) => {
  allowConsoleError(page, /status of 404/);
  await signIn(page, 'legal');
  await page.goto(childUrl('ui-child-nobody-here'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Not found');
  await expectNoAxeViolations(page);

  await page.goto('/ui/child.html');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Find a child');
  await page.getByLabel('Child ID').fill('1004');
  await page.getByRole('button', { name: 'Open the child\'s page' }).click();
  await expect(page).toHaveURL(/\/ui\/child\.html\?child=1004$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Child 1004');
  // legal reads the child, records nothing on it here: its actions are other roles'.
  await expect(main(page)).toContainText('Care proceedings issued');
  await expectNoAxeViolations(page);
  await shot(page, 'child-legal-1004');
});

test('keyboard only: Tab to the action, choose it, fill its date, submit with Enter', async ({ page, playwright, baseURL }) => {
  const sw = await apiAs(playwright, baseURL, 'sw.jones');
  const id = await registerChild(sw);
  await signIn(page, 'sw.jones');
  await page.goto(childUrl(id));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Child ${id}`);

  const first = page.getByRole('group', { name: 'What happened?' }).getByRole('radio').first();
  for (let i = 0; i < 40 && !(await first.evaluate((e) => e === document.activeElement)); i += 1) {
    await page.keyboard.press('Tab');
  }
  await expect(first).toBeFocused();
  await expect(first).toHaveAccessibleName('Assessment started');
  await page.keyboard.press('Space');
  await expect(first).toBeChecked();

  // Tab through the date and time (filled with now) to the referral date.
  const day = page.locator('#param-0-day');
  for (let i = 0; i < 10 && !(await day.evaluate((e) => e === document.activeElement)); i += 1) {
    await page.keyboard.press('Tab');
  }
  await expect(day).toBeFocused();
  const yesterday = new Date(Date.now() - 24 * HOUR);
  await page.keyboard.type(String(yesterday.getUTCDate()));
  await page.keyboard.press('Tab');
  await page.keyboard.type(String(yesterday.getUTCMonth() + 1));
  await page.keyboard.press('Tab');
  await page.keyboard.type(String(yesterday.getUTCFullYear()));
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Record action' })).toBeFocused();
  await page.keyboard.press('Enter');

  await expect(page.locator('.govuk-notification-banner--success')).toContainText('Recorded: Assessment started');
  await expect(page.getByRole('img', { name: 'Assessment: now InAssessment' })).toBeVisible();
  const now = await childNow(sw, id);
  expect(now.states).toEqual({ assessment: 'InAssessment' });
});

test('the working days left shown are the API\'s working_days_left', async ({ page, playwright, baseURL }) => {
  const sw = await apiAs(playwright, baseURL, 'sw.jones');
  const id = await childOnCpPlan(playwright, baseURL);
  // Looked after at 10: a deadline at 18, beyond the working-day calendar (working_days_left null).
  const inCare = await registerChild(sw);
  await command(sw, inCare, 'cic.became_looked_after', { legal_status: 's20' });
  await signIn(page, 'sw.jones');
  for (const child of ['1004', id, inCare]) {
    const data = await childNow(sw, child);
    expect(data.open_deadlines.length).toBeGreaterThan(0);
    const expected = [...data.open_deadlines]
      .sort((x, y) => x.due.localeCompare(y.due) || x.rule.localeCompare(y.rule))
      .map((d) => {
        const n = d.working_days_left;
        const days = (k) => `${k} working day${k === 1 ? '' : 's'}`;
        if (n === null) return [d.rule, d.overdue ? 'Overdue' : 'Not counted (too far ahead)'];
        if (n > 0) return [d.rule, `${days(n)} left`];
        if (n === 0) return [d.rule, 'Due today'];
        return [d.rule, `${days(-n)} overdue`];
      });
    await page.goto(childUrl(child));
    const rows = page.getByRole('table', { name: /Open deadlines/ }).locator('tbody tr');
    await expect(rows).toHaveCount(expected.length);
    // Each rule's id, then what the rule is (GET /v1/rules).
    await expect(rows.locator('th .ct-child-rule-id')).toHaveText(expected.map((e) => e[0]));
    await expect(rows.locator('td:last-child')).toHaveText(expected.map((e) => e[1]));
    for (const [i, d] of expected.entries()) {
      if (d[1].endsWith('overdue')) await expect(rows.nth(i).locator('.govuk-tag--red')).toBeVisible();
      if (d[1] === 'Due today') await expect(rows.nth(i).locator('.govuk-tag--orange')).toBeVisible();
    }
    await expectNoAxeViolations(page);
    await shot(page, `child-deadlines-${{ [id]: 'cp-plan', [inCare]: 'in-care' }[child] ?? child}`);
  }
});
