// The registers of records that are not a child's: carers (/ui/carers.html, web/src/js/carers.js)
// and the LADO's allegations (/ui/allegations.html, web/src/js/allegations.js). A carer and an
// allegation are recorded here through the API by the demo fostering worker and LADO officer;
// each page is checked against the API's answer, and the allegations page is refused to a
// social worker.
import {
  demoUser, expect, expectNoAxeViolations, shot, signIn, test,
} from './helpers.mjs';

async function apiAs(playwright, baseURL, who) {
  return playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { Authorization: `Bearer ${demoUser(who).token}` },
  });
}

const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

test('the carers register lists each carer with where they stand, and filters by kind', async ({ page, playwright, baseURL }) => {
  const fostering = await apiAs(playwright, baseURL, 'fostering_worker');
  const made = await fostering.post('/v1/carers/C-UI-1/commands', {
    data: { action: 'carer.enquiry_received', occurred_at: `${yesterday()}T10:00:00Z`, command_id: 'ui-carer-1',
      params: { kind: 'foster_carer', household: 'couple' } },
  });
  expect([200, 201], await made.text()).toContain(made.status());
  const manager = await apiAs(playwright, baseURL, 'team_manager');
  const answer = await (await manager.get('/v1/carers?kind=foster_carer')).json();

  await signIn(page, 'team_manager');
  await page.goto('/ui/carers.html?kind=foster_carer');
  await expect(page).toHaveTitle('Carers – casetrail');
  const register = page.getByRole('table');
  await expect(register.locator('tbody tr')).toHaveCount(answer.carers.length);
  const row = register.locator('tbody tr', { has: page.getByRole('rowheader', { name: 'C-UI-1', exact: true }) });
  await expect(row).toContainText('Foster carer');
  await expect(row).toContainText('Enquiry');
  await expect(page.locator('.govuk-summary-list__key')).toHaveText(
    ['Approved carers', 'Places free', 'Reviews overdue', 'Unannounced visits overdue']);
  await expect(page.locator('.govuk-summary-list__value').first()).toHaveText(String(answer.summary.approved));
  await expectNoAxeViolations(page);
  await shot(page, 'carers');

  await page.getByLabel('Kind of carer').selectOption('adopter');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/kind=adopter/);
  await expect(page.getByRole('rowheader', { name: 'C-UI-1', exact: true })).toHaveCount(0);
});

test('the LADO register shows allegations to the LADO team only', async ({ page, playwright, baseURL }) => {
  const ladoApi = await apiAs(playwright, baseURL, 'lado_officer');
  const made = await ladoApi.post('/v1/allegations/L-UI-1/commands', {
    data: { action: 'lado.referral_received', occurred_at: `${yesterday()}T10:00:00Z`, command_id: 'ui-lado-1',
      params: { concern_raised_on: yesterday(), sector: 'education', employment: 'paid', subject: 'a teacher',
        criteria: 'harmed_a_child', referrer: 'employer' } },
  });
  expect([200, 201], await made.text()).toContain(made.status());
  const answer = await (await ladoApi.get('/v1/allegations')).json();

  await signIn(page, 'lado_officer');
  await page.goto('/ui/allegations.html');
  await expect(page).toHaveTitle('Allegations – casetrail');
  const register = page.getByRole('table');
  await expect(register.locator('tbody tr')).toHaveCount(answer.allegations.length);
  const row = register.locator('tbody tr', { has: page.getByRole('rowheader', { name: 'L-UI-1', exact: true }) });
  await expect(row).toContainText('education');
  await expect(row).toContainText('met');
  await expect(page.locator('.govuk-summary-list__value').first()).toHaveText(String(answer.summary.referred));
  await expectNoAxeViolations(page);
  await shot(page, 'allegations');

  await page.context().clearCookies();
  await signIn(page, 'social_worker');
  await page.goto('/ui/allegations.html');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You cannot use this page');
  await expect(page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Allegations' })).toHaveCount(0);
});
