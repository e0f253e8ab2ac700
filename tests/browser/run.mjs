// run.mjs: runs every tests/browser/*.test.js file with node:test, four files
// at a time (each file starts its own server and Chromium on free ports; they
// spend most of their time waiting: the CI run's browser phase used about one
// core of two at three files), the longest first, and exits non-zero when any
// test fails. `node --test` alone runs one file at a time on a two-core
// machine (its default is the core count minus one). KENGASH_BROWSER_JOBS=N
// runs N at a time.
// The demo data set every server starts from is loaded once, here, and each
// server copies it (harness.js, KENGASH_DEMO_TEMPLATE): `kengash demo` under
// the sanitizers costs about 11 s of CPU, once per server before.
// Usage: node tests/browser/run.mjs [file.test.js ...]
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { fileURLToPath } from 'node:url';
import { makeDemo } from './harness.js';

const DIR = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
// the files that check every page with axe-core, and the two next longest,
// take several times as long as the others (the tests' durations in a CI
// log: 80 to 270 s a file against 5 to 55 s): started first, they do not
// end the run alone
const LONGEST = ['a11y.test.js', 'i18n-pages.test.js', 'i18n-lowvision.test.js', 'dept.test.js', 'tiles.test.js'];
const rank = (f) => (LONGEST.includes(f) ? LONGEST.indexOf(f) : LONGEST.length);
const files = (args.length ? args : readdirSync(DIR).filter((f) => f.endsWith('.test.js')).sort())
  .map((f) => path.basename(f))
  .sort((a, b) => rank(a) - rank(b))
  .map((f) => path.resolve(DIR, f));
const concurrency = Math.max(1, Number(process.env.KENGASH_BROWSER_JOBS) || 4);

const template = mkdtempSync(path.join(tmpdir(), 'kengash-browser-demo-'));
makeDemo(template);
process.env.KENGASH_DEMO_TEMPLATE = template; // the test files' processes inherit it
process.on('exit', () => rmSync(template, { recursive: true, force: true }));

const stream = run({ files, concurrency });
stream.on('test:fail', () => { process.exitCode = 1; });
stream.compose(typeof spec === "function" && spec.prototype ? new spec() : spec).pipe(process.stdout);
