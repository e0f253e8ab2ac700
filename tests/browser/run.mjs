// run.mjs: runs every tests/browser/*.test.js file with node:test, three files
// at a time (each file starts its own server and Chromium on free ports; they
// spend most of their time waiting, so more files than cores keeps the cores
// busy), and exits non-zero when any test fails. `node --test` alone runs one
// file at a time on a two-core machine (its default is the core count minus one).
// Usage: node tests/browser/run.mjs [file.test.js ...]
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { fileURLToPath } from 'node:url';

const DIR = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const files = (args.length ? args : readdirSync(DIR).filter((f) => f.endsWith('.test.js')).sort())
  .map((f) => path.resolve(DIR, path.basename(f)));
const concurrency = Math.max(1, Number(process.env.KENGASH_BROWSER_JOBS) || 3);

const stream = run({ files, concurrency });
stream.on('test:fail', () => { process.exitCode = 1; });
stream.compose(typeof spec === "function" && spec.prototype ? new spec() : spec).pipe(process.stdout);
