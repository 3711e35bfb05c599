// The shared modules every page builds on (web/src/js/dom.js, api.js), exercised in the browser
// under the real Content-Security-Policy: the DOM builder never turns data into markup, and
// api.js reports errors and sends a signed-out user to the sign-in page.
import { allowConsoleError, expect, signIn, test } from './helpers.mjs';

test('el() puts data in as text and refuses handlers, styles and script URLs', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByLabel('Your access token')).toBeVisible();
  const result = await page.evaluate(async () => {
    const { el, table, tag, summaryList, formatDate, formatDateTime } = await import('/ui/js/dom.js');
    const refused = (f) => { try { f(); return false; } catch { return true; } };
    const hostile = '<img src=x onerror="window.pwned=1">';
    const p = el('p', { class: 'govuk-body', 'data-x': hostile }, hostile, 42, null, false, ['a', 'b']);
    const t = table({ caption: 'Children', head: ['Child', { text: 'Weeks', numeric: true }], rows: [[hostile, 3]], rowHeaders: true });
    return {
      text: p.textContent,
      children: p.children.length,
      attr: p.getAttribute('data-x'),
      onclick: refused(() => el('a', { onclick: 'x()' })),
      onClickMixedCase: refused(() => el('a', { OnClick: 'x()' })),
      style: refused(() => el('p', { style: 'color: red' })),
      javascriptUrl: refused(() => el('a', { href: ' javascript:alert(1)' })),
      dataUrl: refused(() => el('img', { src: 'data:text/html,x' })),
      object: refused(() => el('p', null, { toString: () => 'x' })),
      plainHref: el('a', { href: '/ui/plo.html' }).getAttribute('href'),
      tableCaption: t.querySelector('caption').textContent,
      tableScopes: [...t.querySelectorAll('th')].map((th) => th.getAttribute('scope')),
      tableImages: t.querySelectorAll('img').length,
      numericCell: t.querySelector('td').className,
      noCaption: refused(() => table({ head: [], rows: [] })),
      tag: tag('Overdue', 'red').outerHTML,
      badTag: refused(() => tag('x', 'not-a-colour')),
      summary: summaryList([['Child', hostile]]).querySelectorAll('img').length,
      day: formatDate('2026-03-29'),
      instant: formatDateTime('2026-07-01T09:05:00Z'),
      winter: formatDateTime('2026-12-24T23:30:00Z'),
      none: formatDate(null),
      pwned: window.pwned === 1,
    };
  });
  expect(result).toEqual({
    text: '<img src=x onerror="window.pwned=1">42ab',
    children: 0,
    attr: '<img src=x onerror="window.pwned=1">',
    onclick: true,
    onClickMixedCase: true,
    style: true,
    javascriptUrl: true,
    dataUrl: true,
    object: true,
    plainHref: '/ui/plo.html',
    tableCaption: 'Children',
    tableScopes: ['col', 'col', 'row'],
    tableImages: 0,
    numericCell: 'govuk-table__cell govuk-table__cell--numeric',
    noCaption: true,
    tag: '<strong class="govuk-tag govuk-tag--red">Overdue</strong>',
    badTag: true,
    summary: 0,
    day: '29 March 2026',
    instant: '1 July 2026 at 10:05', // British Summer Time
    winter: '24 December 2026 at 23:30',
    none: '',
    pwned: false,
  });
});

test('api.js: an answer that is not 2xx is an ApiError with the server\'s code', async ({ page }) => {
  await signIn(page, 'social_worker');
  allowConsoleError(page, /status of 404/);
  const error = await page.evaluate(async () => {
    const { api, apiPath, ApiError } = await import('/ui/js/api.js');
    try {
      await api.get(apiPath`/v1/children/${'9999999'}`);
      return null;
    } catch (e) {
      return { isApiError: e instanceof ApiError, status: e.status, code: e.code, message: e.message, hasBody: !!e.body };
    }
  });
  expect(error).toMatchObject({ isApiError: true, status: 404, code: 'not_found', hasBody: true });

  const child = await page.evaluate(async () => {
    const { api } = await import('/ui/js/api.js');
    return api.get('/v1/children/1002');
  });
  expect(child).toBeTruthy();
});

test('api.js: a 401 (the session has ended) sends the browser to the sign-in page', async ({ page, context }) => {
  await signIn(page, 'team_manager');
  allowConsoleError(page, /status of 401/);
  await context.clearCookies();
  await page.evaluate(() => {
    import('/ui/js/api.js').then(({ api }) => api.get('/v1/plo'));
  });
  await expect(page.getByLabel('Your access token')).toBeVisible();
  await expect(page).toHaveURL('/');
});
