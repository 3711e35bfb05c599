// The web UI's speed (scripts/bench-ui.sh runs it; docs/benchmarks.md, "The web UI"): how long a
// page takes in Debian's chromium from the start of its navigation until its data is on the page,
// measured with the browser's own clock (performance.now() and navigation timing), next to the
// peer measured in the same run: the API call the page is built from, fetched alone from the same
// page. Not a test: nothing is asserted; it prints one RESULT line per page.
//
//   BASE_URL=http://127.0.0.1:PORT TOKEN=... RUNS=7 node bench/ui-bench.mjs
//
// SCREENSHOTS (a directory, optional): a screenshot of each page after its last load.
// PAGES (JSON, optional): [{name, path, ready, api}]: `ready` is the CSS selector that appears when
// the page has drawn its data, `api` the route it is built from. Default: the PLO board and the
// page of the first child on it.
import { chromium } from '@playwright/test';

const base = process.env.BASE_URL;
const token = process.env.TOKEN;
const runs = Number(process.env.RUNS || 7);
if (!base || !token) {
  console.error('ui-bench.mjs: set BASE_URL and TOKEN');
  process.exit(2);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true });
try {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 } });
  const signIn = await context.request.post('/v1/session', { data: { token } });
  if (signIn.status() !== 201) throw new Error(`signing in answered ${signIn.status()}`);

  let pages = process.env.PAGES ? JSON.parse(process.env.PAGES) : null;
  if (!pages) {
    const plo = await (await context.request.get('/v1/plo')).json();
    if (!plo.children?.length) throw new Error('the PLO tracker lists no child: use a simulated caseload');
    const child = encodeURIComponent(plo.children[0].child);
    pages = [
      { name: `PLO board (${plo.children.length} children)`, path: '/ui/plo.html', ready: 'main table tbody tr', api: '/v1/plo' },
      { name: `a child's page (${plo.children[0].child}, in ${plo.children[0].stage})`, path: `/ui/child.html?child=${child}`,
        ready: 'main table tbody tr', api: `/v1/children/${child}` },
    ];
  }

  const page = await context.newPage();
  for (const p of pages) {
    const rendered = [];
    const dcl = [];
    const api = [];
    for (let i = 0; i <= runs; ++i) { // run 0 warms the caches (server and browser) and is not counted
      await page.goto(p.path, { waitUntil: 'commit' });
      await page.locator(p.ready).first().waitFor({ timeout: 60000 });
      const t = await page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0];
        return { now: performance.now(), dcl: nav ? nav.domContentLoadedEventEnd : NaN };
      });
      const a = await page.evaluate(async (url) => {
        const t0 = performance.now();
        const r = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
        await r.json();
        return performance.now() - t0;
      }, p.api);
      if (i === 0) continue;
      rendered.push(t.now);
      dcl.push(t.dcl);
      api.push(a);
    }
    if (process.env.SCREENSHOTS) {
      const name = p.path.replace(/^\/ui\//, '').replace(/\.html.*$/, '');
      await page.setViewportSize({ width: 1280, height: 1500 });
      await page.screenshot({ path: `${process.env.SCREENSHOTS}/${name}.png`, fullPage: false });
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    console.log(`RESULT ${JSON.stringify({
      page: p.name, path: p.path, runs,
      rendered_ms: Math.round(median(rendered)), rendered_max_ms: Math.round(Math.max(...rendered)),
      dom_content_loaded_ms: Math.round(median(dcl)), api_ms: Math.round(median(api)), api_route: p.api,
    })}`);
  }
} finally {
  await browser.close();
}
