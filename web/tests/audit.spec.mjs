// The audit page (/ui/audit.html, web/src/js/audit.js): a child's record as of a date and as
// known at a date, the chronology with who recorded what and when, the transition trace, the
// export bundle, verifying the log, and the access log. Demo child 1002 (docs/api.md): as of
// 2026-09-20 its child_protection state was AwaitingIcpc; now it is OnCpPlan.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { request as playwrightRequest } from '@playwright/test';
import {
  allowConsoleError, demoUser, expect, expectNoAxeViolations, shot, signIn, test,
} from './helpers.mjs';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const casetrail = path.resolve(web, process.env.CASETRAIL_BIN || '../build/casetrail');

/** An API client with a demo user's token (not the page's session). */
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

const asOfField = (page) => page.getByLabel('As of (what had happened by)', { exact: true });
const knownAtField = (page) => page.getByLabel('Known at (what had been recorded by)', { exact: true });
const record = (page) => page.locator('#record');
const stateOf = (page, journey) => record(page).locator(`[data-journey="${journey}"] .ct-audit-state`);
const chronologyRows = (page) => page.locator('table.ct-audit-chronology tbody tr');

/** The keys that type an ISO date into a date field in this browser (its field order varies by locale). */
async function dateKeys(context, iso) {
  const probe = await context.newPage();
  await probe.setContent('<input type="date" id="d">');
  await probe.focus('#d');
  await probe.keyboard.type('01022003');
  const order = await probe.$eval('#d', (e) => e.value);
  await probe.close();
  const [y, m, d] = iso.split('-');
  if (order === '2003-02-01') return `${d}${m}${y}`; // dd/mm/yyyy
  if (order === '2003-01-02') return `${m}${d}${y}`; // mm/dd/yyyy
  return `${y}${m}${d}`;
}

async function openChild(page, child) {
  await page.goto(`/ui/audit.html?child=${encodeURIComponent(child)}`);
  await expect(page.getByRole('heading', { level: 2, name: `Child ${child}` })).toBeVisible();
  await expect(record(page).locator('.ct-audit-status')).toBeVisible();
}

test('as of a date, as known at a date: child 1002 was AwaitingIcpc on 20 September 2026', async ({ page, baseURL }) => {
  await signIn(page, 'auditor');
  await openChild(page, '1002');
  await expect(page).toHaveTitle('Audit – casetrail');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Audit');
  await expect(stateOf(page, 'child_protection')).toHaveText('OnCpPlan');
  await expect(record(page).locator('.ct-audit-status')).toHaveText('Child 1002, as of today, as recorded so far.');

  // The chronology now: every entry with who recorded it and when; the demo was loaded today, so
  // every entry was recorded more than a day after it happened.
  const api = await apiAs(baseURL, 'auditor');
  const now = (await getJson(api, '/v1/children/1002/chronology')).chronology;
  await expect(chronologyRows(page)).toHaveCount(now.length);
  await expect(chronologyRows(page).filter({ hasText: 'Initial child protection conference held' })).toHaveCount(1);
  const icpc = now.find((e) => e.text.startsWith('Initial child protection conference held'));
  const icpcRow = chronologyRows(page).filter({ hasText: 'Initial child protection conference held' });
  await expect(icpcRow.locator('td').nth(2)).toHaveText(icpc.recorded_by);
  await expect(icpcRow.getByText('Recorded late')).toBeVisible();
  await expect(page.locator('table caption', { hasText: 'Open deadlines' })).toBeVisible();
  await expectNoAxeViolations(page);
  await shot(page, 'audit-1002-now');

  // As of 20 September 2026: AwaitingIcpc, and nothing that happened later.
  await asOfField(page).fill('2026-09-20');
  await expect(stateOf(page, 'child_protection')).toHaveText('AwaitingIcpc');
  await expect(record(page).locator('.ct-audit-status'))
    .toHaveText('Child 1002, as of the end of 20 September 2026, as recorded so far.');
  await expect(chronologyRows(page).filter({ hasText: 'Initial child protection conference held' })).toHaveCount(0);
  const byThen = now.filter((e) => Date.parse(e.occurred_at) <= Date.parse('2026-09-20T22:59:59.999Z'));
  await expect(chronologyRows(page)).toHaveCount(byThen.length);
  await expect(page.locator('#as-of-range')).toHaveAttribute('aria-valuetext', '20 September 2026');
  await expect(page).toHaveURL(/[?&]as_of=2026-09-20/);
  await expect(page.getByRole('row', { name: /T-06/ }).getByText('Not yet due')).toBeVisible();
  await expectNoAxeViolations(page);
  await shot(page, 'audit-1002-as-of');

  // Cleared: the record now again.
  await asOfField(page).fill('');
  await expect(stateOf(page, 'child_protection')).toHaveText('OnCpPlan');
  await expect(chronologyRows(page).filter({ hasText: 'Initial child protection conference held' })).toHaveCount(1);
  await expect(page).not.toHaveURL(/as_of=/);
  await api.dispose();
});

test('known at a date before the recording: the later entries are hidden and counted', async ({ page, baseURL }) => {
  await signIn(page, 'auditor');
  await openChild(page, '1002');
  const api = await apiAs(baseURL, 'auditor');
  const now = (await getJson(api, '/v1/children/1002/chronology')).chronology;
  const knownAt = '2026-09-25';
  const hidden = now.filter((e) => Date.parse(e.recorded_at) > Date.parse('2026-09-25T22:59:59.999Z')).length;
  expect(hidden).toBeGreaterThan(0);

  await knownAtField(page).fill(knownAt);
  await expect(page.locator('.ct-audit-hidden'))
    .toHaveText(`${hidden} ${hidden === 1 ? 'entry' : 'entries'} recorded after the known-at date (25 September 2026) ${hidden === 1 ? 'is' : 'are'} hidden.`);
  const asThen = await getJson(api, `/v1/children/1002/as-of?known_at=${knownAt}`);
  await expect(chronologyRows(page)).toHaveCount(asThen.chronology.length);
  await expect(record(page).locator('.ct-audit-status')).toContainText('as recorded by the end of 25 September 2026');
  await expect(page.locator('#known-at-range')).toHaveAttribute('aria-valuetext', '25 September 2026');
  await expectNoAxeViolations(page);
  await shot(page, 'audit-1002-known-at');

  // The slider moves the date: End is the last day of the child's history (nothing hidden).
  await page.locator('#known-at-range').focus();
  await page.keyboard.press('End');
  const last = await knownAtField(page).inputValue();
  expect(last >= knownAt).toBe(true);
  await expect(page.locator('.ct-audit-hidden')).toHaveCount(0);
  await page.getByRole('button', { name: 'Clear both dates' }).click();
  await expect(knownAtField(page)).toHaveValue('');
  await expect(record(page).locator('.ct-audit-status')).toHaveText('Child 1002, as of today, as recorded so far.');
  await api.dispose();
});

test('why the child is where it is: the transition trace', async ({ page, baseURL }) => {
  await signIn(page, 'auditor');
  await openChild(page, '1002');
  const api = await apiAs(baseURL, 'auditor');
  const { trace } = await getJson(api, '/v1/children/1002/explain');
  const details = page.locator('details#explain');
  await expect(details.locator('summary')).toHaveText('Why the child is where it is');
  await details.locator('summary').click();
  const rows = details.locator('tbody tr');
  await expect(rows).toHaveCount(trace.length);
  const icpc = rows.filter({ hasText: 'cp.icpc_held' });
  await expect(icpc).toContainText('Child protection: AwaitingIcpc → OnCpPlan');
  await expect(icpc).toContainText('PlanDecided');
  await expect(icpc).toContainText('met T-06');
  await expect(icpc).toContainText('Initial child protection conference held'); // the action's title
  await expectNoAxeViolations(page);
  await shot(page, 'audit-1002-explain');
  await api.dispose();
});

test('a corrected entry is tagged, with its original; known before the correction, it is not', async ({ page, baseURL }) => {
  // Correct one action of a simulated north-1 child (its date, a day earlier) as the team manager.
  const auditor = await apiAs(baseURL, 'auditor');
  const manager = await apiAs(baseURL, 'team_manager');
  const caseload = await getJson(auditor, '/v1/caseload?team=north-1');
  const candidates = caseload.teams.flatMap((t) => t.workers.flatMap((w) => w.children.map((c) => c.child)))
    .filter((c) => !/^100\d$/.test(c));
  let corrected = null;
  for (const child of candidates) {
    const { trace } = await getJson(auditor, `/v1/children/${child}/explain`); // eslint-disable-line no-await-in-loop
    // Not an allocation (the caseload's "since" dates stay as they are), a deadline or a correction.
    const actions = trace.filter((s) => !/^(deadline|case|alloc)\./.test(s.action) && !s.correction);
    const target = actions[actions.length - 1];
    const before = actions[actions.length - 2];
    if (!target || !before || Date.parse(target.occurred_at) - Date.parse(before.occurred_at) < 3 * 86_400_000) continue;
    const day = new Date(Date.parse(target.occurred_at) - 86_400_000).toISOString().slice(0, 10);
    const answer = await manager.post(`/v1/children/${child}/commands`, { // eslint-disable-line no-await-in-loop
      data: {
        action: 'case.record_corrected',
        occurred_at: new Date().toISOString(),
        params: { target_version: String(target.version), reason: 'date checked against the notes', occurred_on: day },
        command_id: `audit-spec-correct-${child}-${target.version}`,
      },
    });
    if (answer.status() === 201 || answer.status() === 200) {
      corrected = { child, version: target.version };
      break;
    }
  }
  expect(corrected, 'a simulated north-1 child whose last action could be corrected').not.toBeNull();

  await signIn(page, 'auditor');
  await openChild(page, corrected.child);
  const row = chronologyRows(page).filter({ hasText: '[corrected by tm.khan (team_manager): date checked against the notes' });
  await expect(row).toHaveCount(1);
  await expect(row.getByText('Corrected', { exact: true })).toBeVisible();
  await expect(row.locator('.ct-audit-original')).toContainText('Originally recorded:');
  await expectNoAxeViolations(page);
  await shot(page, 'audit-corrected');

  // Known at yesterday: the record as it stood before the correction shows the original text.
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  await knownAtField(page).fill(yesterday);
  await expect(chronologyRows(page).filter({ has: page.locator('.ct-audit-entry', { hasText: '[corrected by' }) })).toHaveCount(0);
  await expect(page.locator('.ct-audit-hidden')).toContainText(/\d+ entr(y|ies) recorded after the known-at date/);
  await expect(page.locator('.ct-audit-original', { hasText: 'Corrected after the known-at date' })).toHaveCount(1);
  await expectNoAxeViolations(page);
  await shot(page, 'audit-corrected-known-before');
  await auditor.dispose();
  await manager.dispose();
});

test('Verify the log: "Checking…" while it runs, then the result', async ({ page, baseURL }) => {
  await signIn(page, 'auditor');
  await page.goto('/ui/audit.html');
  await expect(page.getByRole('heading', { level: 2, name: 'Proof the log was not altered' })).toBeVisible();
  // Hold the answer until the page has shown that it is checking (no timing assumed).
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/v1/verify', async (route) => {
    await held;
    await route.continue();
  });
  const button = page.getByRole('button', { name: /Verify the log|Checking…/ });
  await button.click();
  await expect(button).toHaveText('Checking…');
  await expect(button).toBeDisabled();
  await expect(page.locator('.ct-audit-verify__busy')).toContainText('Checking every hash chain');
  release();
  const banner = page.locator('.govuk-notification-banner--success');
  await expect(banner).toContainText('The log is intact: nothing was altered');
  await expect(button).toHaveText('Verify the log');
  await expect(button).toBeEnabled();
  const api = await apiAs(baseURL, 'auditor');
  const report = await getJson(api, '/v1/verify');
  expect(report.ok).toBe(true);
  await expect(banner).toContainText(/[\d,]+ streams and [\d,]+ events checked/);
  await expectNoAxeViolations(page);
  await shot(page, 'audit-verified');
  await api.dispose();
});

test('a broken chain is reported with its stream, version, position and reason', async ({ page }) => {
  await signIn(page, 'auditor');
  await page.goto('/ui/audit.html');
  // The log here is whole, so the answer of a broken one is played in (the shape of
  // adapters/json/event_json.cpp's VerifyReport).
  await page.route('**/v1/verify', (route) => route.fulfill({
    status: 200,
    contentType: 'application/json',
    body: JSON.stringify({
      ok: false, events_checked: 4370, streams_checked: 300, head_position: 4480,
      broken: { stream: 'child-1002', version: 5, position: 4370, reason: 'hash does not match the event\'s contents' },
    }),
  }));
  await page.getByRole('button', { name: 'Verify the log' }).click();
  const banner = page.locator('.govuk-notification-banner');
  await expect(banner).toContainText('The log has been altered: stream child-1002 is broken');
  await expect(banner).toContainText('Version 5 (position 4,370): hash does not match the event\'s contents.');
  await expect(banner).not.toHaveClass(/govuk-notification-banner--success/);
  await expectNoAxeViolations(page);
  await shot(page, 'audit-verify-broken');
});

test('Download the export bundle: child-1002-export.json, a bundle that verifies', async ({ page }) => {
  await signIn(page, 'admin');
  await openChild(page, '1002');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download the export bundle' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('child-1002-export.json');
  const saved = test.info().outputPath('child-1002-export.json');
  await file.saveAs(saved);
  const bundle = JSON.parse(fs.readFileSync(saved, 'utf8'));
  expect(bundle.child_id).toBe('1002');
  expect(bundle.format).toBe('casetrail-bundle-1');
  expect(bundle.events.length).toBeGreaterThan(0);
  await expect(page.locator('.ct-audit-export__result')).toContainText('Downloaded child-1002-export.json');
  await expect(page.locator('.ct-audit-hash')).toHaveText(bundle.head.hash);
  // The file is the server's own bytes: casetrail verify-bundle accepts it.
  const { stdout } = await promisify(execFile)(casetrail, ['verify-bundle', saved]);
  expect(stdout).toContain('verified');
});

test('the access log, filtered by user audit.reid, lists this test\'s own reads of 1002', async ({ page, baseURL }) => {
  const api = await apiAs(baseURL, 'auditor');
  const { head_position: before } = await getJson(api, '/v1/events?stream_prefix=access-log&from=1&limit=1');
  await signIn(page, 'auditor');
  await openChild(page, '1002');
  const section = page.locator('section[aria-labelledby="access-heading"]');
  await section.getByLabel('Filter by child\'s ID').fill('1002');
  await section.getByLabel('Filter by user').fill('audit.reid');
  const mine = section.locator('tbody tr').filter({ hasText: 'GET /v1/children/1002/' });
  await expect(async () => {
    await section.getByRole('button', { name: 'Show entries' }).click();
    await expect(section.locator('.ct-audit-log__status')).toContainText('for child 1002 and user audit.reid');
    const positions = await mine.evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-position'))));
    const routes = await mine.locator('code').allTextContents();
    const ours = routes.filter((_, i) => positions[i] > before);
    expect(ours).toEqual(expect.arrayContaining([
      'GET /v1/children/1002/as-of', 'GET /v1/children/1002/chronology', 'GET /v1/children/1002/explain',
    ]));
  }).toPass({ timeout: 30_000 });
  await expect(section.locator('tbody tr').first().locator('td').nth(1)).toContainText('audit.reid');
  await expect(section.locator('tbody tr').first()).toContainText('Read');
  // Every row is this user's, for child 1002, newest first.
  const users = await section.locator('tbody tr td:nth-child(2)').allTextContents();
  expect(users.every((u) => u.startsWith('audit.reid'))).toBe(true);
  const positions = await section.locator('tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-position'))));
  expect([...positions].sort((a, b) => b - a)).toEqual(positions);
  expect(positions.length).toBeLessThanOrEqual(200);
  await expectNoAxeViolations(page);
  await shot(page, 'audit-access-log');
  await api.dispose();
});

test('a refused request is in the access log with its reason', async ({ page, baseURL }) => {
  const worker = await apiAs(baseURL, 'social_worker');
  expect((await worker.get('/v1/verify')).status()).toBe(403);
  await signIn(page, 'admin');
  await page.goto('/ui/audit.html');
  const section = page.locator('section[aria-labelledby="access-heading"]');
  await section.getByLabel('Filter by user').fill(demoUser('social_worker').user);
  await expect(async () => {
    await section.getByRole('button', { name: 'Show entries' }).click();
    await expect(section.locator('tbody tr').filter({ hasText: 'GET /v1/verify' }).first()).toContainText('Refused');
  }).toPass({ timeout: 30_000 });
  await expect(section.locator('tbody tr').filter({ hasText: 'GET /v1/verify' }).first())
    .toContainText('the global log is for auditors, admins and subscriber services (not social_worker)');
  await worker.dispose();
});

test('a social worker cannot use the page, and the API refuses the log anyway', async ({ page, baseURL }) => {
  await signIn(page, 'social_worker');
  await page.goto('/ui/audit.html?child=1002');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You cannot use this page');
  await expect(page.getByRole('main')).toContainText('This page is not for your role (social worker).');
  await expect(page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Audit' })).toHaveCount(0);
  await expectNoAxeViolations(page);
  await shot(page, 'audit-social-worker');
  const worker = await apiAs(baseURL, 'social_worker');
  expect((await worker.get('/v1/verify')).status()).toBe(403);
  expect((await worker.get('/v1/events?stream_prefix=access-log')).status()).toBe(403);
  await worker.dispose();
});

test('errors: no child, a malformed id and an unknown child are shown beside the field', async ({ page }) => {
  await signIn(page, 'auditor');
  await page.goto('/ui/audit.html');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Audit');
  await expect(page.getByRole('heading', { level: 2, name: /^Child / })).toHaveCount(0);
  await expectNoAxeViolations(page);
  await shot(page, 'audit-start');

  await page.getByRole('button', { name: 'Show the record' }).click();
  const summary = page.locator('.govuk-error-summary');
  await expect(summary).toBeFocused();
  await expect(summary.getByRole('link')).toHaveText('Enter a child\'s ID');
  await expect(page.locator('#child-error')).toHaveText('Error: Enter a child\'s ID');
  await expect(page).toHaveTitle('Error: Audit – casetrail');
  await expect(page.getByLabel('Child\'s ID', { exact: true })).toHaveAttribute('aria-describedby', 'child-hint child-error');

  await page.locator('#child').fill('no spaces please');
  await page.getByRole('button', { name: 'Show the record' }).click();
  await expect(page.locator('#child-error')).toContainText('A child\'s ID is 1 to 128 letters');
  await expect(page.locator('.govuk-error-summary')).toHaveCount(1);

  allowConsoleError(page, /status of 404/);
  await page.locator('#child').fill('9999999');
  await page.getByRole('button', { name: 'Show the record' }).click();
  await expect(page).toHaveURL(/child=9999999/);
  await expect(page.locator('#child-error')).toHaveText('Error: There is no record of a child with the ID 9999999');
  await expect(page.locator('.govuk-error-summary')).toBeFocused();
  await expectNoAxeViolations(page);
  await shot(page, 'audit-unknown-child');
  await page.locator('.govuk-error-summary').getByRole('link').click();
  await expect(page.locator('#child')).toBeFocused();
});

test('keyboard only: a child\'s ID, then Tab to the as-of date, type a date, the record updates', async ({ page, context }) => {
  await signIn(page, 'auditor');
  await page.goto('/ui/audit.html');
  const child = page.locator('#child');
  for (let i = 0; i < 25 && !(await child.evaluate((e) => e === document.activeElement)); i += 1) {
    await page.keyboard.press('Tab');
  }
  await expect(child).toBeFocused();
  await page.keyboard.type('1002');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/child=1002/);
  await expect(stateOf(page, 'child_protection')).toHaveText('OnCpPlan');

  const keys = await dateKeys(context, '2026-09-20');
  for (let i = 0; i < 25 && !(await asOfField(page).evaluate((e) => e === document.activeElement)); i += 1) {
    await page.keyboard.press('Tab');
  }
  await expect(asOfField(page)).toBeFocused();
  await page.keyboard.type(keys);
  await expect(asOfField(page)).toHaveValue('2026-09-20');
  await expect(stateOf(page, 'child_protection')).toHaveText('AwaitingIcpc');

  // Then on to the slider: the arrow keys move the date a day at a time.
  const slider = page.locator('#as-of-range');
  for (let i = 0; i < 5 && !(await slider.evaluate((e) => e === document.activeElement)); i += 1) {
    await page.keyboard.press('Tab');
  }
  await expect(slider).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(asOfField(page)).toHaveValue('2026-09-21');
  await expect(record(page).locator('.ct-audit-status')).toContainText('as of the end of 21 September 2026');

  // The trace opens from the keyboard.
  const summary = page.locator('details#explain summary');
  await summary.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('details#explain')).toHaveAttribute('open', '');
});

test('on a narrow screen the page reflows; the wide tables scroll in their own boxes', async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  await signIn(page, 'auditor');
  await openChild(page, '1002');
  await page.locator('details#explain summary').click();
  await expect(page.locator('section[aria-labelledby="access-heading"] .ct-audit-log__status')).toContainText('in the access log');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
  const chronology = page.getByRole('region', { name: 'Chronology as it stood' });
  await chronology.focus();
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => chronology.evaluate((e) => e.scrollLeft)).toBeGreaterThan(0);
  await expectNoAxeViolations(page);
  await shot(page, 'audit-narrow');
});
