// harness.js: starts the real kengash binary (KENGASH_BIN, default
// build-asan/kengash) on a free loopback port with a temporary database
// loaded by `kengash demo`, and Debian's headless Chromium through
// playwright-core (no browser is ever downloaded).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

export async function startServer() {
  const tmp = mkdtempSync(path.join(tmpdir(), 'kengash-browser-'));
  const db = path.join(tmp, 'kengash.sqlite');
  const files = path.join(tmp, 'files');
  execFileSync(BIN, ['demo', '--db', db, '--geodata', path.join(ROOT, 'geodata'), '--files', files], { stdio: ['ignore', 'ignore', 'pipe'] });
  const proc = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--db', db, '--files', files,
    '--web', path.join(ROOT, 'web'), '--threads', '4', '--per-ip', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (b) => { stderr += b; });
  const port = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout });
    const timer = setTimeout(() => reject(new Error('server did not start:\n' + stderr.slice(-3000))), 30000);
    lines.on('line', (line) => {
      const m = /serving on port (\d+)/.exec(line);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}:\n` + stderr.slice(-3000))); });
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    // SIGTERM; the server drains and exits. Sanitizer reports fail the test.
    async stop() {
      const code = await new Promise((resolve) => {
        if (proc.exitCode !== null) { resolve(proc.exitCode); return; }
        const timer = setTimeout(() => proc.kill('SIGKILL'), 30000);
        proc.on('exit', (c) => { clearTimeout(timer); resolve(c); });
        proc.kill('SIGTERM');
      });
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

export async function startBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
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
  const res = await page.context().request.post('/api/v1/session', { data: { email, password } });
  if (res.status() !== 200) throw new Error('login failed: ' + res.status());
}

const AXE = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'node_modules/axe-core/axe.min.js'), 'utf8');

// axe-core WCAG 2.0/2.1 A and AA violations on the page as it is now.
// Evaluated through the DevTools protocol, so the page's CSP is untouched.
export async function axeViolations(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' :: ' + n.failureSummary.replace(/\n/g, ' ')).join('\n  ')}`);
}

export async function screenshot(page, name) {
  if (process.env.KENGASH_SCREENSHOTS) await page.screenshot({ path: path.join(process.env.KENGASH_SCREENSHOTS, name + '.png'), fullPage: true });
}
