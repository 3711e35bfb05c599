// Playwright's settings for casetrail's browser tests (web/README.md).
//
// The tests drive Debian's chromium (/usr/bin/chromium; Playwright never downloads a browser
// here) against a real `casetrail serve --demo` over a small simulated caseload, started once
// for the whole run by tests/server.mjs.
//
// Environment (paths relative to web/):
//   CASETRAIL_BIN            the casetrail binary (default ../build/casetrail)
//   CASETRAIL_UI_DIR         the built UI, scripts/build-ui.sh's output (default ../build/ui)
//   CASETRAIL_UI_ARTIFACTS   screenshots, failures' traces and the server's log
//                            (default ../build/ui-tests)
//   CASETRAIL_CHROMIUM       the browser (default /usr/bin/chromium)
import { defineConfig } from '@playwright/test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.resolve(web, process.env.CASETRAIL_UI_ARTIFACTS || '../build/ui-tests');

export default defineConfig({
  testDir: 'tests',
  testMatch: '**/*.spec.mjs',
  globalSetup: './tests/server.mjs',
  outputDir: path.join(artifacts, 'test-results'),
  workers: 1,
  retries: 0,
  fullyParallel: false,
  forbidOnly: true,
  // Generous: the machines are small (two cores) and often busy with a C++ build; a passing
  // test takes about a second.
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: 'list',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: process.env.CASETRAIL_CHROMIUM || '/usr/bin/chromium' },
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    // Traces and videos would record the tokens typed into the sign-in form: never kept.
    trace: 'off',
    video: 'off',
    screenshot: 'only-on-failure',
  },
});
