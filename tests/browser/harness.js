// harness.js: starts the real kengash binary (KENGASH_BIN, default
// build-asan/kengash) on a free loopback port with a temporary database
// loaded by `kengash demo`, and Debian's headless Chromium through
// playwright-core (no browser is ever downloaded). startServer({ smtp: true })
// also runs a real SMTP listener (smtp_sink.py, Debian's python3-aiosmtpd)
// that the server delivers its mail to; server.mail.next(to) reads it.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = process.env.KENGASH_BIN || path.join(ROOT, 'build-asan', 'kengash');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const DEMO_PASSWORD = 'kengash-demo-2026';
export const CITIZEN = 'citizen@kengash.local';
export const OUTSIDER = 'outsider@kengash.local';
export const MODERATOR = 'moderator@kengash.local';

const PYTHON = process.env.KENGASH_PYTHON || '/usr/bin/python3'; // Debian's, with python3-aiosmtpd

// Waits for a line of the child's stdout that matches re; resolves with the
// match. The wait is long enough for a start on a loaded two-core machine (a
// provider once took over 30 s there); a child that has not started by then
// is killed, or it would keep the test file running forever.
function waitForLine(proc, re, what, output) {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout });
    const timer = setTimeout(() => {
      reject(new Error(`${what} did not start:\n` + output().slice(-3000)));
      proc.kill('SIGKILL');
    }, 60000);
    lines.on('line', (line) => {
      const m = re.exec(line);
      if (m) { clearTimeout(timer); resolve(m); }
    });
    proc.on('close', (code) => { clearTimeout(timer); reject(new Error(`${what} exited ${code}:\n` + output().slice(-3000))); });
  });
}

function stopChild(proc, timeoutMs = 30000) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) { resolve(proc.exitCode); return; }
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('exit', (c) => { clearTimeout(timer); resolve(c); });
    proc.kill('SIGTERM');
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

// The SMTP listener: every accepted message becomes DIR/NNNNNN.json.
async function startMailbox(dir) {
  mkdirSync(dir);
  const proc = spawn(PYTHON, [path.join(ROOT, 'tests', 'browser', 'smtp_sink.py'), dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (b) => { stderr += b; });
  const [, port] = await waitForLine(proc, /smtp listening on port (\d+)/, 'the SMTP listener', () => stderr);
  const read = new Set(); // files already handed out by next()
  return {
    port: Number(port),
    // Every message delivered so far, oldest first: {from, to: [...], subject, text}.
    all() {
      return readdirSync(dir).filter((n) => n.endsWith('.json')).sort()
        .map((n) => ({ file: n, ...JSON.parse(readFileSync(path.join(dir, n), 'utf8')) }));
    },
    // The next message to `to` not read before (optionally also matching
    // match(msg), or a RegExp tested on subject + text), waiting for it.
    async next(to, { match, timeout = 20000 } = {}) {
      const test = match instanceof RegExp ? (m) => match.test(m.subject + '\n' + m.text) : match || (() => true);
      const until = Date.now() + timeout;
      for (;;) {
        const m = this.all().find((x) => !read.has(x.file) && x.to.includes(to) && test(x));
        if (m) { read.add(m.file); return m; }
        if (Date.now() > until) throw new Error(`no mail to ${to} within ${timeout} ms; delivered: ` + JSON.stringify(this.all().map((x) => [x.to, x.subject])));
        await new Promise((r) => { setTimeout(r, 50); }); // poll the listener's directory
      }
    },
    async stop() {
      proc.stdin.end();
      await stopChild(proc, 10000);
    },
  };
}

// `kengash demo` into dir (kengash.sqlite and files/): the data set every
// server of the browser tests starts from.
export function makeDemo(dir) {
  execFileSync(BIN, ['demo', '--db', path.join(dir, 'kengash.sqlite'), '--geodata', path.join(ROOT, 'geodata'),
    '--files', path.join(dir, 'files')], { stdio: ['ignore', 'ignore', 'pipe'] });
}

// options.smtp: deliver mail to a real SMTP listener (server.mail); the
// server then gets a fixed port and --base-url, so links in mails work.
// options.port: listen on that port with --base-url to match (a provider's
// redirect URI must be known before the server starts); options.args: more
// `kengash serve` options.
export async function startServer({ smtp = false, port: fixedPort = 0, args = [] } = {}) {
  const tmp = mkdtempSync(path.join(tmpdir(), 'kengash-browser-'));
  const db = path.join(tmp, 'kengash.sqlite');
  const files = path.join(tmp, 'files');
  // run.mjs loads the demo once for all files (KENGASH_DEMO_TEMPLATE); each
  // server gets its own copy of it
  if (process.env.KENGASH_DEMO_TEMPLATE) cpSync(process.env.KENGASH_DEMO_TEMPLATE, tmp, { recursive: true });
  else makeDemo(tmp);
  const mail = smtp ? await startMailbox(path.join(tmp, 'mail')) : null;
  let proc;
  let stderr = '';
  let port;
  for (let attempt = 1; ; attempt++) {
    const listen = fixedPort || (smtp ? await freePort() : 0);
    const extra = smtp ? ['--smtp', `smtp://127.0.0.1:${mail.port}`] : [];
    if (listen) extra.push('--base-url', `http://127.0.0.1:${listen}`);
    extra.push(...args);
    proc = spawn(BIN, ['serve', '--listen', `127.0.0.1:${listen}`, '--db', db, '--files', files,
      '--web', path.join(ROOT, 'web'), '--threads', '4', '--per-ip', '0', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    stderr = '';
    proc.stderr.on('data', (b) => { stderr += b; });
    try {
      port = Number((await waitForLine(proc, /serving on port (\d+)/, 'server', () => stderr))[1]);
      break;
    } catch (e) {
      // the free port was taken between the check and the bind: another one
      if (smtp && !fixedPort && attempt < 3 && /Address already in use/.test(stderr)) continue;
      await mail?.stop();
      serverFailed = true;
      await Promise.allSettled([...launched].map((b) => b.close()));
      throw e;
    }
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    // with { smtp: true }: the mail delivered, see startMailbox; else null
    mail,
    // SIGTERM; the server drains and exits. Sanitizer reports fail the test.
    async stop() {
      const code = await stopChild(proc);
      await mail?.stop();
      rmSync(tmp, { recursive: true, force: true });
      if (/ERROR: AddressSanitizer|runtime error:/.test(stderr)) throw new Error('sanitizer report:\n' + stderr.slice(-5000));
      if (code !== 0) throw new Error(`server exit code ${code}\n` + stderr.slice(-3000));
    },
    // A logged-in API client in node (cookie + CSRF token), e.g. a moderator.
    async client(email, password = DEMO_PASSWORD) {
      const res = await fetch(url + '/api/v1/session', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }),
      });
      if (res.status !== 200) throw new Error('login failed: ' + res.status);
      const cookie = res.headers.get('set-cookie').split(';')[0];
      const { csrf_token: csrf } = await res.json();
      return async (method, p, body) => {
        const r = await fetch(url + p, {
          method,
          headers: { Cookie: cookie, 'X-CSRF-Token': csrf, ...(body ? { 'Content-Type': 'application/json' } : {}) },
          body: body ? JSON.stringify(body) : undefined,
        });
        const text = await r.text();
        return { status: r.status, body: text ? JSON.parse(text) : null };
      };
    },
  };
}

// The tests' real OpenID provider (tests/oidc/provider.js, npm oidc-provider)
// on a free loopback port, with one client whose redirect URI is
// redirectUri. Resolves with { issuer, clientId, clientSecret, stop() }.
export async function startProvider(redirectUri) {
  const port = await freePort();
  const clientId = 'kengash-browser';
  const clientSecret = 'browser-test-secret';
  const proc = spawn(process.execPath, [path.join(ROOT, 'tests', 'oidc', 'provider.js'), '--port', String(port),
    '--client-id', clientId, '--client-secret', clientSecret, '--redirect-uri', redirectUri], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (b) => { stderr += b; });
  const [, issuer] = await waitForLine(proc, /oidc-provider ready (\S+)/, 'the OpenID provider', () => stderr);
  return { issuer, clientId, clientSecret, async stop() { await stopChild(proc, 10000); } };
}

// Browsers launched by this process: a server that fails to start closes
// them (before hooks start both together, so the test's own after hook
// never sees the browser, and a live Chromium would keep node --test
// running forever).
const launched = new Set();
let serverFailed = false;

export async function startBrowser() {
  const b = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  if (serverFailed) { await b.close(); throw new Error('not started: a server failed to start'); }
  launched.add(b);
  b.on('disconnected', () => launched.delete(b));
  return b;
}

// A new page that fails the test on script errors and on CSP violations.
export async function newPage(browser, baseURL) {
  const context = await browser.newContext({ baseURL, locale: 'ru-RU', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/the server responded with a status of (401|404|403|409)/.test(m.text())) page.errors.push(m.text());
  });
  return page;
}

// Logs the page's browser context in through the API (shares its cookies).
export async function loginAs(page, email, password = DEMO_PASSWORD) {
  // maxRetries: a kept-alive connection the server closes at its header
  // timeout (10 s idle) just as the client reuses it ends in ECONNRESET
  // ("socket hang up"); playwright retries that network error only
  const res = await page.context().request.post('/api/v1/session', { data: { email, password }, maxRetries: 2 });
  if (res.status() !== 200) throw new Error('login failed: ' + res.status());
}

const AXE = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'node_modules/axe-core/axe.min.js'), 'utf8');

// axe-core WCAG 2.0/2.1 A and AA violations on the page as it is now.
// Evaluated through the DevTools protocol, so the page's CSP is untouched.
// axe-core's WCAG 2.0/2.1 A and AA violations on the page, as readable
// lines ([] when clean); rules turns single rules off or on (axe's option).
export async function axeViolations(page, rules = {}) {
  if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(AXE);
  const result = await page.evaluate((r) => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    resultTypes: ['violations'], // only what fails: the same verdict, in about half the time
    rules: r,
  }), rules);
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' :: ' + n.failureSummary.replace(/\n/g, ' ')).join('\n  ')}`);
}

// A published proposal (on the map and in the lists) and a pending one (in
// the moderator's queue) in discussion 1, so that those parts of the pages
// are checked too.
export async function seedProposals(server) {
  const citizen = await server.client(CITIZEN);
  const mod = await server.client(MODERATOR);
  const a = await citizen('POST', '/api/v1/discussions/1/comments', {
    kind: 'proposal', body: 'Высадить деревья вдоль улицы', location: { type: 'Point', coordinates: [49.12, 55.7885] },
  });
  assert.equal(a.status, 201);
  assert.equal((await mod('POST', `/api/v1/comments/${a.body.id}/moderation`, { decision: 'publish' })).status, 200);
  assert.equal((await citizen('POST', '/api/v1/discussions/1/comments', { kind: 'question', body: 'Когда начнутся работы?' })).status, 201);
}

export async function screenshot(page, name) {
  if (process.env.KENGASH_SCREENSHOTS) await page.screenshot({ path: path.join(process.env.KENGASH_SCREENSHOTS, name + '.png'), fullPage: true });
}
