// Every UI string key used by the pages and scripts exists in js/i18n/ru.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');

test('every_i18n_key_used_exists_in_the_russian_dictionary', async () => {
  const { default: ru } = await import(path.join(WEB, 'js/i18n/ru.js'));
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
