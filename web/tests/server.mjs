// The casetrail server the browser tests run against: Playwright's globalSetup, once per run.
//
// 1. a temporary data directory with a small simulated Trust: 300 children over the last year
//    (`casetrail simulate`, under a second), so the pages have real caseloads, deadlines and
//    PLO timelines to show;
// 2. `casetrail serve --demo --ui CASETRAIL_UI_DIR --listen 127.0.0.1:0`: --demo adds the four
//    demo children (1001-1004) and prints a token for each demo user; the port is the one the
//    server prints ("casetrail serving http://127.0.0.1:PORT ...");
// 3. the base URL and the tokens go into a JSON file in the temporary directory (mode 0600),
//    named by process.env.CASETRAIL_UI_STATE for the tests (helpers.mjs reads it).
//
// The server's output goes to CASETRAIL_UI_ARTIFACTS/server.log with every token blanked out.
// Teardown stops the server (SIGTERM: it drains) and deletes the temporary directory.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fromWeb = (value, fallback) => path.resolve(web, value || fallback);

const TOKEN_LINE = /^\s+([a-z_]+) (\S+) \(([^)]*)\): (\S+)\s*$/;
const SERVING_LINE = /casetrail serving (http:\/\/127\.0\.0\.1:\d+)/;
const START_TIMEOUT_MS = 60_000;

function redact(line) {
  return line.replace(/ct_[0-9A-Za-z]+/g, 'ct_<redacted>');
}

/** Runs a command to its end, its output (redacted) appended to log. */
function run(command, args, log) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on('line', (line) => log.write(`${redact(line)}\n`));
    }
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve()
      : reject(new Error(`${path.basename(command)} ${args[0]} exited with ${code} (see ${log.path})`))));
  });
}

/** Starts the server; answers {child, baseURL, users} once it prints where it serves. */
function serve(bin, args, log) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const users = [];
    let done = false;
    const fail = (error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`casetrail serve did not start in ${START_TIMEOUT_MS / 1000} s (see ${log.path})`)), START_TIMEOUT_MS);
    readline.createInterface({ input: child.stderr }).on('line', (line) => log.write(`${redact(line)}\n`));
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      log.write(`${redact(line)}\n`);
      if (done) return;
      const token = TOKEN_LINE.exec(line);
      if (token) {
        const [, role, user, team, secret] = token;
        users.push({ role, user, team, token: secret });
        return;
      }
      const serving = SERVING_LINE.exec(line);
      if (serving) {
        done = true;
        clearTimeout(timer);
        resolve({ child, baseURL: serving[1], users });
      }
    });
    child.on('error', fail);
    child.on('exit', (code, signal) => fail(new Error(`casetrail serve exited (${signal || code}) before serving (see ${log.path})`)));
  });
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function daysAgo(days) {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

export default async function globalSetup() {
  const bin = fromWeb(process.env.CASETRAIL_BIN, '../build/casetrail');
  const uiDir = fromWeb(process.env.CASETRAIL_UI_DIR, '../build/ui');
  const artifacts = fromWeb(process.env.CASETRAIL_UI_ARTIFACTS, '../build/ui-tests');
  if (!fs.existsSync(bin)) {
    throw new Error(`no casetrail binary at ${bin}: build it (scripts/build.sh) or set CASETRAIL_BIN`);
  }
  if (!fs.existsSync(path.join(uiDir, 'index.html'))) {
    throw new Error(`no built UI in ${uiDir}: run scripts/build-ui.sh ${uiDir} or set CASETRAIL_UI_DIR`);
  }
  fs.mkdirSync(artifacts, { recursive: true });
  const log = fs.createWriteStream(path.join(artifacts, 'server.log'));

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'casetrail-ui-tests-'));
  const data = path.join(tmp, 'data');
  let server = null;
  const teardown = async () => {
    if (server) await stop(server.child);
    await new Promise((resolve) => log.end(resolve));
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  try {
    // A year and a week of a small Trust, ending a week ago.
    await run(bin, ['simulate', '--data', data, '--children', '300', '--years', '1',
      '--start', daysAgo(372), '--seed', '1', '--history-years', '0', '--no-calibration'], log);
    server = await serve(bin, ['serve', '--demo', '--data', data, '--ui', uiDir,
      '--listen', '127.0.0.1:0'], log);
    if (server.users.length === 0) throw new Error(`casetrail serve --demo printed no tokens (see ${log.path})`);
    const state = path.join(tmp, 'state.json');
    fs.writeFileSync(state, JSON.stringify({ baseURL: server.baseURL, users: server.users }), { mode: 0o600 });
    process.env.CASETRAIL_UI_STATE = state;
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
