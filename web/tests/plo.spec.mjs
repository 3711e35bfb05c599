// The PLO board (/ui/plo.html, web/src/js/plo.js): the rows and their weeks and colours against
// GET /v1/plo, filters and sort kept in the URL, live updates from /v1/changes, the CSV download,
// team scope, the keyboard, and the page's errors.
import fs from 'node:fs';
import {
  allowConsoleError, demoUser, expect, expectNoAxeViolations, shot, signIn, test,
} from './helpers.mjs';

const RAG_WORDS = { red: 'Red', amber: 'Amber', green: 'Green' };
const RAG_TAGS = { red: 'govuk-tag--red', amber: 'govuk-tag--orange', green: 'govuk-tag--green' };
const RAG_ORDER = { red: 0, amber: 1, green: 2 };
const DAY_MS = 86_400_000;

const londonDate = (date = new Date()) => new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit',
}).format(date);
const addDays = (date, days) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
const byChild = (a, b) => a.localeCompare(b, 'en', { numeric: true });

/** What the board should say of a child's week, worked out here from the API's fields. */
function expectedWeek(c) {
  if (c.week === 0) return 'Not started by this date';
  const allowed = c.stage === 'proceedings' ? 26 + c.extension_weeks : 16;
  return `Week ${c.week} of ${allowed}`;
}

/** Opens the board and waits for its first answer. */
async function openBoard(page, query = '') {
  await page.goto(`/ui/plo.html${query}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('PLO board');
  await expect(page.locator('.ct-plo-live__updated')).toHaveText(/^Updated at \d{2}:\d{2}:\d{2}\.$/);
}

/** The board's rows as the page shows them. */
function readRows(page) {
  return page.locator('table.ct-plo-table tbody tr').evaluateAll((trs) => trs.map((tr) => {
    const cells = [...tr.children];
    const text = (cell) => cell.innerText.replace(/\s+/g, ' ').trim();
    return {
      child: text(cells[0]),
      href: cells[0].querySelector('a')?.getAttribute('href'),
      stage: text(cells[1]),
      week: text(cells[2].querySelector('.ct-plo-week')),
      bar: cells[2].querySelector('svg')?.getAttribute('aria-label'),
      barRole: cells[2].querySelector('svg')?.getAttribute('role'),
      rag: text(cells[3]),
      tagClass: cells[3].querySelector('.govuk-tag')?.className,
      hearings: text(cells[4]),
      finalHearing: text(cells[5]),
      extensions: text(cells[6]),
      team: text(cells[7]),
      area: text(cells[8]),
    };
  }));
}

async function plo(page, asOf) {
  const answer = await page.request.get(`/v1/plo${asOf ? `?as_of=${asOf}` : ''}`);
  expect(answer.status()).toBe(200);
  return (await answer.json()).children;
}

/** Each row's week and colour as the API has them (and no row the API does not have). */
async function expectRowsMatch(page, children) {
  const rows = await readRows(page);
  expect(rows.map((r) => r.child).sort(byChild)).toEqual(children.map((c) => c.child).sort(byChild));
  for (const row of rows) {
    const c = children.find((x) => x.child === row.child);
    expect(row.week, `child ${row.child}'s week`).toBe(expectedWeek(c));
    expect(row.bar, `child ${row.child}'s timeline`).toContain(expectedWeek(c));
    expect(row.barRole).toBe('img');
    expect(row.rag, `child ${row.child}'s colour`).toBe(RAG_WORDS[c.rag]);
    expect(row.tagClass).toContain(RAG_TAGS[c.rag]);
    expect(row.team).toBe(c.team);
    expect(row.area).toBe(c.area);
    expect(row.href).toBe(`/ui/child.html?child=${encodeURIComponent(c.child)}`);
  }
  return rows;
}

/** A small RFC 4180 reader: quoted fields, doubled quotes, CRLF line ends. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else {
      field += ch;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

async function downloadCsv(page) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: /^Download CSV/ }).click(),
  ]);
  const text = fs.readFileSync(await download.path(), 'utf8');
  return { name: download.suggestedFilename(), text, rows: parseCsv(text) };
}

test('a case progression officer sees every child in the PLO, weeks and colours as the API has them', async ({ page }) => {
  await signIn(page, 'case_progression_officer');
  await openBoard(page);
  await expect(page).toHaveTitle('PLO board – casetrail');
  const children = await plo(page);
  expect(children.map((c) => c.child)).toContain('1003');
  expect(children.filter((c) => !/^100\d$/.test(c.child)).length).toBeGreaterThan(0); // the simulated ones

  const rows = await expectRowsMatch(page, children);

  // 1003's week worked out from its issue date and today in London: the day of issue is day 1.
  const c1003 = children.find((c) => c.child === '1003');
  expect(c1003.stage).toBe('proceedings');
  const days = (Date.parse(`${londonDate()}T00:00:00Z`) - Date.parse(`${c1003.issued}T00:00:00Z`)) / DAY_MS;
  const week = Math.floor(days / 7) + 1;
  expect(c1003.week).toBe(week);
  const row1003 = rows.find((r) => r.child === '1003');
  expect(row1003.week).toBe(`Week ${week} of ${26 + c1003.extension_weeks}`);
  expect(row1003.stage).toContain('Proceedings');
  expect(row1003.stage).toContain('Issued');
  expect(row1003.stage).toContain('After pre-proceedings');

  // The default order: red, amber, green; within each, the highest week first.
  const urgent = [...children].sort((a, b) => RAG_ORDER[a.rag] - RAG_ORDER[b.rag] || b.week - a.week ||
    byChild(a.child, b.child));
  expect(rows.map((r) => r.child)).toEqual(urgent.map((c) => c.child));

  const n = (pred) => children.filter(pred).length;
  await expect(page.locator('#plo-summary')).toHaveText(
    `${children.length} ${children.length === 1 ? 'child' : 'children'}: ` +
    `${n((c) => c.stage === 'pre_proceedings')} in pre-proceedings, ${n((c) => c.stage === 'proceedings')} in proceedings; ` +
    `${n((c) => c.rag === 'red')} red, ${n((c) => c.rag === 'amber')} amber, ${n((c) => c.rag === 'green')} green`);
  await expect(page.getByRole('table').locator('caption'))
    .toContainText(/^Children in pre-proceedings and care proceedings as of \d{1,2} [A-Z][a-z]+ \d{4} at \d{2}:\d{2}/);
  await expect(page.getByRole('columnheader')).toHaveText(['Child', 'Stage', 'Week', 'Status', 'Hearings held',
    'Final hearing due', 'Extensions', 'Team', 'Area']);
  await expect(page.getByRole('status')).toContainText('Live updates on.');
  await expectNoAxeViolations(page);
  await shot(page, 'plo-board');
});

test('filters and sort: red only, by child, as of a later date; the URL keeps them through a reload', async ({ page }) => {
  await signIn(page, 'case_progression_officer');
  await openBoard(page);
  const now = await plo(page);

  await page.getByLabel('Status (RAG)').selectOption('red');
  await expect(page).toHaveURL(/[?&]rag=red(&|$)/);
  const redNow = now.filter((c) => c.rag === 'red');
  if (redNow.length === 0) {
    await expect(page.locator('.ct-plo-empty')).toHaveText(/^No children are in pre-proceedings or proceedings for these filters/);
    await expect(page.getByRole('table')).toHaveCount(0);
    await expect(page.getByRole('link', { name: /Download CSV/ })).toHaveCount(0);
    await expectNoAxeViolations(page);
    await shot(page, 'plo-empty');
  } else {
    await expect(page.locator('table.ct-plo-table tbody tr')).toHaveCount(redNow.length);
  }

  // A date after every final hearing and review point: every child is red by then.
  const last = now.flatMap((c) => [c.final_hearing_due, c.review_point]).filter(Boolean).sort().at(-1);
  const later = addDays(last, 1);
  await page.getByLabel('As of').fill(later);
  await expect(page).toHaveURL(new RegExp(`[?&]as_of=${later}(&|$)`));
  const then = await plo(page, later);
  const redThen = then.filter((c) => c.rag === 'red');
  expect(redThen.length).toBeGreaterThan(1);
  await expect(page.locator('table.ct-plo-table tbody tr')).toHaveCount(redThen.length);
  await expect(page.getByRole('table').locator('caption')).toContainText(/as of the end of \d{1,2} [A-Z][a-z]+ \d{4}/);

  await page.getByLabel('Sort by').selectOption('child');
  await expect(page).toHaveURL(/[?&]sort=child(&|$)/);
  const byChildThen = redThen.map((c) => c.child).sort(byChild);
  await expect(page.locator('table.ct-plo-table tbody th')).toHaveText(byChildThen);
  let rows = await expectRowsMatch(page, redThen);
  expect(rows.every((r) => r.rag === 'Red')).toBe(true);

  await page.reload();
  await expect(page.locator('.ct-plo-live__updated')).toHaveText(/^Updated at/);
  expect(new URL(page.url()).searchParams.get('rag')).toBe('red');
  expect(new URL(page.url()).searchParams.get('sort')).toBe('child');
  expect(new URL(page.url()).searchParams.get('as_of')).toBe(later);
  await expect(page.getByLabel('Status (RAG)')).toHaveValue('red');
  await expect(page.getByLabel('Sort by')).toHaveValue('child');
  await expect(page.getByLabel('As of')).toHaveValue(later);
  await expect(page.locator('table.ct-plo-table tbody th')).toHaveText(byChildThen);
  rows = await expectRowsMatch(page, redThen);
  expect(rows.every((r) => r.rag === 'Red')).toBe(true);
  await expect(page.locator('#plo-summary')).toHaveText(new RegExp(`^${redThen.length} children${
    redThen.length === then.length ? '' : ` shown of ${then.length}`}: .*; ${redThen.length} red, 0 amber, 0 green$`));
  await expectNoAxeViolations(page);
  await shot(page, 'plo-filtered');

  // Clear filters: everything again, today's board, the sort kept.
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(page.locator('table.ct-plo-table tbody tr')).toHaveCount(now.length);
  expect(new URL(page.url()).search).toBe('?sort=child');
});

test('a past date pauses the live updates and says so', async ({ page }) => {
  await signIn(page, 'case_progression_officer');
  await openBoard(page);
  const past = addDays(londonDate(), -30);
  await page.getByLabel('As of').fill(past);
  await expect(page.getByRole('status')).toContainText('Live updates are paused while the board shows a past date.');
  await expect(page.locator('.ct-plo-past')).toContainText('Live updates are paused');
  await expectRowsMatch(page, await plo(page, past));
  await expectNoAxeViolations(page);
  await shot(page, 'plo-past');
});

test('live: a hearing recorded by someone else appears without a reload, focus kept', async ({ page, baseURL, playwright }) => {
  await signIn(page, 'case_progression_officer');
  await openBoard(page);
  await expect(page.getByRole('status')).toContainText('Live updates on.');
  const row = page.locator('table.ct-plo-table tbody tr[data-child="1003"]');
  const before = (await plo(page)).find((c) => c.child === '1003');
  await page.evaluate(() => { window.ploNotReloaded = true; });
  await row.getByRole('link', { name: '1003' }).focus();

  const legal = await playwright.request.newContext({
    baseURL, extraHTTPHeaders: { Authorization: `Bearer ${demoUser('legal').token}` },
  });
  let action;
  try {
    const allowed = await legal.get('/v1/children/1003/allowed-actions');
    expect(allowed.status()).toBe(200);
    const actions = (await allowed.json()).allowed_actions;
    // A hearing; should 1003's state not allow one, an extension (the row shows both).
    action = ['court.hearing_held', 'court.extension_granted'].find((a) => actions.includes(a));
    expect(action, `legal may record neither a hearing nor an extension for 1003 (${actions.join(', ')})`).toBeDefined();
    const params = action === 'court.hearing_held' ? { hearing: 'case_management' } : { weeks: '2', reason: 'expert report late' };
    const recorded = await legal.post('/v1/children/1003/commands', {
      data: { action, occurred_at: new Date().toISOString(), params },
    });
    expect(recorded.status()).toBe(201);
  } finally {
    await legal.dispose();
  }

  if (action === 'court.hearing_held') {
    const today = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Europe/London' })
      .format(new Date());
    await expect(row.locator('td').nth(3))
      .toHaveText(`${before.hearings.length + 1} held Last: case management, ${today}`, { useInnerText: true });
  } else {
    await expect(row.locator('td').nth(5)).toHaveText(`${before.extension_weeks + 2} weeks`);
    await expect(row.locator('.ct-plo-week')).toHaveText(`Week ${before.week} of ${26 + before.extension_weeks + 2}`);
  }
  expect(await page.evaluate(() => window.ploNotReloaded)).toBe(true);
  await expect(row.getByRole('link', { name: '1003' })).toBeFocused();
  await expectNoAxeViolations(page);
  await shot(page, 'plo-live');
});

test('Download CSV: exactly the rows shown, in order, with a header row', async ({ page }) => {
  await signIn(page, 'case_progression_officer');
  await openBoard(page);
  const all = await plo(page);
  const area = [...new Set(all.map((c) => c.area))].sort()[0];
  await page.getByLabel('Area').selectOption(area);
  await expect(page.locator('table.ct-plo-table tbody tr')).toHaveCount(all.filter((c) => c.area === area).length);
  await page.getByLabel('Sort by').selectOption('week');
  const shown = await readRows(page);

  const csv = await downloadCsv(page);
  expect(csv.name).toBe(`plo-${londonDate()}.csv`);
  expect(csv.text.endsWith('\r\n')).toBe(true);
  const [header, ...body] = csv.rows;
  expect(header.slice(0, 6)).toEqual(['Child', 'Stage', 'FDAC', 'Week', 'Weeks allowed', 'RAG']);
  const col = (name) => header.indexOf(name);
  expect(body.map((r) => r[col('Child')])).toEqual(shown.map((r) => r.child));
  body.forEach((r, i) => {
    expect(r).toHaveLength(header.length);
    expect(`Week ${r[col('Week')]} of ${r[col('Weeks allowed')]}`).toBe(shown[i].week);
    expect(r[col('RAG')]).toBe(shown[i].rag);
    expect(r[col('Team')]).toBe(shown[i].team);
    expect(r[col('Area')]).toBe(area);
  });
  await expectNoAxeViolations(page);
  await shot(page, 'plo-csv');
});

test('a social worker of north-1 sees only north-1\'s children', async ({ page }) => {
  const user = await signIn(page, 'sw.jones');
  expect(user.team).toBe('north-1');
  await openBoard(page);
  const children = await plo(page);
  expect(children.every((c) => c.team === 'north-1')).toBe(true);
  const rows = await expectRowsMatch(page, children);
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.every((r) => r.team === 'north-1')).toBe(true);
  await expect(page.getByLabel('Team').locator('option')).toHaveText(['All teams', 'north-1']);
  await expectNoAxeViolations(page);
  await shot(page, 'plo-social-worker');
});

test('keyboard only: Tab to the RAG filter, choose with the arrow keys, the table follows', async ({ page }) => {
  await signIn(page, 'case_progression_officer');
  await openBoard(page);
  const children = await plo(page);
  const rag = ['amber', 'green', 'red'].find((r) => children.some((c) => c.rag === r)) ?? 'red';
  const presses = { red: 1, amber: 2, green: 3 }[rag];

  const select = page.locator('#plo-rag');
  for (let i = 0; i < 40 && !(await select.evaluate((node) => node === document.activeElement)); i += 1) {
    await page.keyboard.press('Tab');
  }
  await expect(select).toBeFocused();
  for (let i = 0; i < presses; i += 1) await page.keyboard.press('ArrowDown');
  await expect(select).toHaveValue(rag);
  await expect(page).toHaveURL(new RegExp(`[?&]rag=${rag}(&|$)`));
  const expected = children.filter((c) => c.rag === rag);
  await expect(page.locator('table.ct-plo-table tbody tr')).toHaveCount(expected.length);
  await expectRowsMatch(page, expected);
  await expect(select).toBeFocused();

  // On with Tab: past the other fields to Download CSV, then the first child's link.
  const download = page.getByRole('link', { name: /^Download CSV/ });
  for (let i = 0; i < 20 && !(await download.evaluate((node) => node === document.activeElement)); i += 1) {
    await page.keyboard.press('Tab');
  }
  await expect(download).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.locator('table.ct-plo-table tbody tr').first().getByRole('link')).toBeFocused();
  await expectNoAxeViolations(page);
  await shot(page, 'plo-keyboard');
});

// A fixed answer, for what the simulated Trust does not have today: pre-proceedings, FDAC, an
// extension, week 0, and values that must stay text on the page and inert in the CSV.
const FIXED = {
  as_of: '2026-12-07T16:00:00.000000Z',
  children: [
    {
      child: 'p1', team: 'south-2', area: 'south', stage: 'pre_proceedings', week: 18, rag: 'red',
      lpm: '2026-08-03', letter: '2026-08-06', initial_meeting_due: '2026-08-17', initial_meeting_held: '2026-08-14',
      review_point: '2027-01-03', reviews: 1, extensions: 1,
    },
    {
      child: 'f1', team: 'west-1', area: 'west', stage: 'proceedings', week: 30, rag: 'amber',
      issued: '2026-05-11', final_hearing_due: '2027-01-03', extension_weeks: 8, fdac: true, after_pre_proceedings: false,
      hearings: ['2026-05-20 case_management', '2026-09-02 issues_resolution'],
      court: '<i>Family Court</i> at Birmingham', next_hearing: '2026-12-14',
    },
    {
      child: '-2+3', team: '=HYPERLINK("http://example.org","x")', area: '@SUM(1)', stage: 'proceedings', week: 3,
      rag: 'green', issued: '2026-11-20', final_hearing_due: '2027-05-20', extension_weeks: 0, fdac: false,
      after_pre_proceedings: true, hearings: [], next_hearing: '2026-11-30',
    },
    {
      child: 'q2', team: '<b>north, "2"</b>', area: '+north', stage: 'pre_proceedings', week: 0, rag: 'green',
      lpm: '2026-12-20', letter: '', initial_meeting_due: '2027-01-05', initial_meeting_held: '',
      review_point: '2027-04-10', reviews: 0, extensions: 0,
    },
  ],
};

test('pre-proceedings, FDAC and extensions are drawn; values stay text, and the CSV is safe from formulas', async ({ page }) => {
  await signIn(page, 'case_progression_officer');
  await page.route((url) => url.pathname === '/v1/plo', (route) => route.fulfill({ json: FIXED }));
  await openBoard(page);
  const rows = await readRows(page);
  expect(rows.map((r) => r.child)).toEqual(['p1', 'f1', '-2+3', 'q2']); // red, amber, then green by week

  const p1 = rows[0];
  expect(p1.stage).toBe('Pre-proceedings Legal planning meeting 3 Aug 2026 Letter before proceedings 6 Aug 2026 ' +
    'Initial meeting held 14 Aug 2026');
  expect(p1.week).toBe('Week 18 of 22');
  expect(p1.bar).toBe('Week 18 of 22 (16 weeks extended by 6)');
  expect(p1.hearings).toBe('Not in court 1 review meeting');
  expect(p1.finalHearing).toBe('Not issued Review point 3 Jan 2027');
  expect(p1.extensions).toBe('1 extension to week 22 (from 16)');

  const f1 = rows[1];
  expect(f1.stage).toBe('Proceedings FDAC Issued 11 May 2026 <i>Family Court</i> at Birmingham'); // the court, as text
  await expect(page.locator('tr[data-child="f1"] .govuk-tag', { hasText: 'FDAC' })).toBeVisible();
  expect(f1.week).toBe('Week 30 of 34');
  expect(f1.bar).toBe('Week 30 of 34 (26 weeks extended by 8)');
  await expect(page.locator('tr[data-child="f1"] svg .ct-plo-timeline__marker')).toHaveCount(1);
  await expect(page.locator('tr[data-child="f1"] svg .ct-plo-timeline__extension')).toHaveCount(1);
  expect(f1.hearings).toMatch(/^2 held Last: issues resolution, 2 Sept? 2026 Next: 14 Dec 2026$/);
  await expect(page.locator('table.ct-plo-table i')).toHaveCount(0);
  expect(f1.finalHearing).toBe('3 January 2027');
  expect(f1.extensions).toBe('8 weeks');

  // A listed hearing whose day has passed with no hearing recorded since is flagged.
  expect(rows[2].hearings).toBe('None yet Listed 30 Nov 2026: Not recorded');
  expect(rows[2].team).toBe('=HYPERLINK("http://example.org","x")');
  expect(rows[3].team).toBe('<b>north, "2"</b>'); // text, not markup
  await expect(page.locator('table.ct-plo-table b')).toHaveCount(0);
  expect(rows[3].week).toBe('Not started by this date');
  await expect(page.locator('#plo-summary')).toHaveText('4 children: 2 in pre-proceedings, 2 in proceedings; 1 red, 1 amber, 2 green');

  const csv = await downloadCsv(page);
  expect(csv.name).toBe('plo-2026-12-07.csv');
  const [header, ...body] = csv.rows;
  const col = (name) => header.indexOf(name);
  expect(body.map((r) => r[col('Child')])).toEqual(['p1', 'f1', "'-2+3", 'q2']);
  expect(body[2][col('Team')]).toBe('\'=HYPERLINK("http://example.org","x")');
  expect(body[2][col('Area')]).toBe("'@SUM(1)");
  expect(body[3][col('Area')]).toBe("'+north");
  expect(body[3][col('Team')]).toBe('<b>north, "2"</b>');
  expect(csv.text).toContain('"\'=HYPERLINK(""http://example.org"",""x"")"');
  expect(body[1][col('FDAC')]).toBe('yes');
  expect(body[1][col('Extension weeks')]).toBe('8');
  expect(body[0][col('Review point')]).toBe('2027-01-03');
  await expectNoAxeViolations(page);
  await shot(page, 'plo-fixed');
});

test('a date the API refuses: the error summary, and the message beside "As of"', async ({ page }) => {
  allowConsoleError(page, /status of 400/);
  await signIn(page, 'case_progression_officer');
  await page.goto('/ui/plo.html?as_of=2026-13-01');
  const summary = page.locator('.govuk-error-summary');
  await expect(summary).toBeFocused();
  await expect(summary.getByRole('heading')).toHaveText('There is a problem');
  const link = summary.getByRole('link');
  await expect(link).toHaveText(`Enter a real date for "As of" (it must be a date YYYY-MM-DD, got '2026-13-01')`);
  await expect(link).toHaveAttribute('href', '#plo-as-of');
  await expect(page.locator('#plo-as-of-error')).toHaveText(/^Error: Enter a real date for "As of"/);
  await expect(page.getByLabel('As of')).toHaveAttribute('aria-describedby', 'plo-as-of-hint plo-as-of-error');
  await expect(page).toHaveTitle('Error: PLO board – casetrail');
  await expect(page.getByRole('table')).toHaveCount(0);
  await expectNoAxeViolations(page);
  await shot(page, 'plo-error');
  await link.click();
  await expect(page.getByLabel('As of')).toBeFocused();

  // A good date takes the errors away.
  await page.getByLabel('As of').fill(londonDate());
  await expect(summary).toHaveCount(0);
  await expect(page.getByRole('table')).toBeVisible();
  await expect(page).toHaveTitle('PLO board – casetrail');
  await expect(page.getByRole('status')).toContainText('Live updates on.');
});

test('a 403 from the API shows "You cannot see this"', async ({ page }) => {
  allowConsoleError(page, /status of 403/);
  await signIn(page, 'case_progression_officer');
  await page.route((url) => url.pathname === '/v1/plo', (route) => route.fulfill({
    status: 403, json: { error: { code: 'forbidden', message: 'role case_progression_officer may not read this' } },
  }));
  await page.goto('/ui/plo.html');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You cannot see this');
  await expect(page.getByRole('main')).toContainText('may not read this');
  await expectNoAxeViolations(page);
  await shot(page, 'plo-forbidden');
});

test('the live stream failing says "Live updates paused: reconnecting"', async ({ page }) => {
  allowConsoleError(page, /v1\/changes|ERR_|EventSource/);
  await signIn(page, 'case_progression_officer');
  await page.route((url) => url.pathname === '/v1/changes', (route) => route.abort('aborted'));
  await openBoard(page);
  await expect(page.getByRole('status')).toContainText('Live updates paused: reconnecting');
  await expect(page.locator('table.ct-plo-table')).toBeVisible();
  await expectNoAxeViolations(page);
  await shot(page, 'plo-reconnecting');
});

test('a subscriber service cannot use the board', async ({ page }) => {
  await signIn(page, 'subscriber');
  await page.goto('/ui/plo.html');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You cannot use this page');
  await expectNoAxeViolations(page);
});

test('a placement change during proceedings is on the board: "Tell the court", and in the CSV', async ({ page, baseURL, playwright }) => {
  const HOUR = 3_600_000;
  const ago = (ms) => new Date(Date.now() - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const as = async (who) => playwright.request.newContext({
    baseURL, extraHTTPHeaders: { Authorization: `Bearer ${demoUser(who).token}` },
  });
  const sw = await as('social_worker');
  const tm = await as('team_manager');
  const legal = await as('legal');
  const id = `ui-child-plo-${Math.random().toString(36).slice(2, 10)}`;
  const record = async (client, action, params, when) => {
    const answer = await client.post(`/v1/children/${id}/commands`, { data: { action, occurred_at: when, params } });
    expect([200, 201], `${action}: ${await answer.text()}`).toContain(answer.status());
  };
  try {
    const reg = await sw.post('/v1/children', { data: { child_id: id, date_of_birth: '2019-02-03', occurred_at: ago(80 * HOUR) } });
    expect(reg.status(), await reg.text()).toBe(201);
    await record(tm, 'alloc.team_allocated', { team: 'north-1' }, ago(79 * HOUR));
    await record(legal, 'court.application_issued', { track: 'standard' }, ago(72 * HOUR));
    await record(sw, 'cic.became_looked_after', { legal_status: 'interim_care_order' }, ago(70 * HOUR));
    await record(sw, 'cic.placement_started', { placement: 'foster_care', long_term: 'no' }, ago(70 * HOUR));
    await record(sw, 'cic.placement_changed',
      { placement: 'connected_person', long_term: 'no', reason: 'aunt approved', change_reason: 'care_plan' }, ago(30 * HOUR));
  } finally {
    await sw.dispose();
    await tm.dispose();
    await legal.dispose();
  }
  await signIn(page, 'case_progression_officer');
  await openBoard(page);
  const row = page.locator(`table.ct-plo-table tbody tr[data-child="${id}"]`);
  await expect(row).toContainText('2 placement changes since issue');
  await expect(row.locator('.govuk-tag', { hasText: 'Tell the court' })).toBeVisible();
  const child = (await plo(page)).find((c) => c.child === id);
  expect(child.placement_changes).toHaveLength(2);
  expect(child.placement_changes[1]).toMatch(/^\d{4}-\d{2}-\d{2} changed connected_person$/);
  await expectNoAxeViolations(page);
});
