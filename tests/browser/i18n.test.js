// Every UI string key used by the pages and scripts exists in js/i18n/ru.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');

test('every_i18n_key_used_exists_in_the_russian_dictionary', async () => {
  // ru.js is an ES module in a directory with no package.json: node < 20.19
  // loads a .js path there as CommonJS ("Unexpected token 'export'"), so it
  // is imported from its text as a data: URL, which is always an ES module.
  const src = readFileSync(path.join(WEB, 'js/i18n/ru.js'), 'utf8');
  const { default: ru } = await import('data:text/javascript;charset=utf-8,' + encodeURIComponent(src));
  const used = new Set();
  for (const f of readdirSync(WEB).filter((n) => n.endsWith('.html'))) {
    const html = readFileSync(path.join(WEB, f), 'utf8');
    for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) used.add(m[1]);
    for (const m of html.matchAll(/data-i18n-attr="([^"]+)"/g)) for (const pair of m[1].split(',')) used.add(pair.split(':')[1].trim());
  }
  for (const f of readdirSync(path.join(WEB, 'js')).filter((n) => n.endsWith('.js') && n !== 'i18n.js')) {
    const js = readFileSync(path.join(WEB, 'js', f), 'utf8');
    // t('prefix.' + code) builds a key at run time: only whole keys are checked
    for (const m of js.matchAll(/\bt\('([a-z_]+(?:\.[a-z_]+)*)'(?!\s*\+)/g)) used.add(m[1]);
  }
  const missing = [...used].filter((k) => !Object.prototype.hasOwnProperty.call(ru, k));
  assert.deepEqual(missing, []);
  assert.ok(used.size > 100);
});
