// The string tables of the front end (web/js/i18n/ru.js, tt.js, en.js) and
// the pages that use them, checked from the files alone (no server): every
// key used exists, the three languages have the same keys with the same
// {placeholders}, every key is used, strings are text (no markup), and every
// Russian text of the pages can be replaced by localize(). The pages in
// Tatar and English in the browser: i18n-pages.test.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');
const LANGS = ['ru', 'tt', 'en'];

// Keys built at run time: t('status.' + status) and the like. A key of ru.js
// that no page or script names whole must start with one of these.
const DYNAMIC = [
  'status.', 'cstatus.', 'acc.res_', 'appeal.status_', 'appeal.uphold', 'appeal.dismiss', 'elig.no_',
  'form.err_server_', 'inbox.status_', 'mod.channel.', 'mod.queue_none_', 'mod.parcel_source_', 'mod.action.',
  'mod.target.', 'news.err_', 'outcome.protocol', 'outcome.conclusion', 'outcome.rec.', 'prop.by_', 'prop.st_',
  'res.st_', 'round.needs.', 'round.kind.', 'round.basis.', 'round.rec.', 'oidc.failed.', 'projkind.', 'reason.',
  'outcome.tr_html.', 'outcome.tr_pdf.', // outcome.js translationLinks: + 'tt' or 'en'
  'problem.', // web/js/api.js: the refusal's code (docs/api.md "Problem codes")
];
const PLURAL_FORMS = ['one', 'few', 'many', 'other'];

// ru.js is an ES module in a directory with no package.json: node < 20.19
// loads a .js path there as CommonJS ("Unexpected token 'export'"), so it is
// imported from its text as a data: URL, which is always an ES module.
async function loadDict(lang) {
  const src = readFileSync(path.join(WEB, 'js/i18n', lang + '.js'), 'utf8');
  return (await import('data:text/javascript;charset=utf-8,' + encodeURIComponent(src))).default;
}

const pages = () => readdirSync(WEB).filter((n) => n.endsWith('.html')).sort();
const scripts = () => readdirSync(path.join(WEB, 'js')).filter((n) => n.endsWith('.js'));
const read = (...p) => readFileSync(path.join(WEB, ...p), 'utf8');
const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
const norm = (s) => s.replace(/\s+/g, ' ').trim();

function keysOfPages() {
  const used = new Set();
  for (const f of pages()) {
    const html = read(f);
    for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) used.add(m[1]);
    for (const m of html.matchAll(/data-i18n-attr="([^"]+)"/g)) for (const pair of m[1].split(',')) used.add(pair.split(':')[1].trim());
  }
  return used;
}

test('every_i18n_key_used_exists_in_every_language', async () => {
  const used = keysOfPages();
  for (const f of scripts().filter((n) => n !== 'i18n.js')) {
    const js = read('js', f);
    // t('prefix.' + code) builds a key at run time: only whole keys are checked
    for (const m of js.matchAll(/\bt\('([a-z_]+(?:\.[a-z_]+)*)'(?!\s*\+)/g)) used.add(m[1]);
    for (const m of js.matchAll(/\btp\('([a-z_]+(?:\.[a-z_]+)*)'/g)) used.add(m[1] + '.other');
  }
  for (const lang of LANGS) {
    const dict = await loadDict(lang);
    assert.deepEqual([...used].filter((k) => !own(dict, k)), [], `missing in ${lang}.js`);
  }
  assert.ok(used.size > 100);
});

test('the_three_languages_have_the_same_keys_and_placeholders', async () => {
  const ru = await loadDict('ru');
  const vars = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
  for (const lang of ['tt', 'en']) {
    const dict = await loadDict(lang);
    // plural forms (key.one, key.few...) follow the language's rules: only .other is required
    const plural = (k) => PLURAL_FORMS.some((f) => k.endsWith('.' + f)) && k.replace(/\.\w+$/, '.other');
    const missing = Object.keys(ru).filter((k) => !own(dict, k) && !(plural(k) && own(dict, plural(k))));
    const extra = Object.keys(dict).filter((k) => !own(ru, k) && !(plural(k) && own(ru, plural(k))));
    assert.deepEqual(missing, [], `keys of ru.js missing in ${lang}.js`);
    assert.deepEqual(extra, [], `keys of ${lang}.js not in ru.js`);
    const bad = Object.keys(dict).filter((k) => own(ru, k) && vars(ru[k]) !== vars(dict[k]));
    assert.deepEqual(bad, [], `{placeholders} differ from ru.js in ${lang}.js`);
    const empty = Object.keys(dict).filter((k) => typeof dict[k] !== 'string' || !dict[k].trim());
    assert.deepEqual(empty, [], `empty strings in ${lang}.js`);
  }
});

test('every_key_of_the_russian_table_is_used', async () => {
  const ru = await loadDict('ru');
  let text = [...keysOfPages()].map((k) => `'${k}'`).join(' ');
  for (const f of scripts()) text += read('js', f);
  const quoted = new Set([...text.matchAll(/['"`]([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*)['"`]/g)].map((m) => m[1]));
  const unused = Object.keys(ru).filter((k) => {
    if (quoted.has(k) || DYNAMIC.some((p) => k.startsWith(p))) return false;
    const base = k.replace(/\.(one|few|many|other)$/, '');
    return !(base !== k && quoted.has(base));
  });
  assert.deepEqual(unused, []);
});

test('strings_are_text_never_markup', async () => {
  for (const lang of LANGS) {
    const dict = await loadDict(lang);
    const bad = Object.entries(dict).filter(([, v]) => /[<>&]/.test(v)).map(([k]) => k);
    assert.deepEqual(bad, [], `strings with < > or & in ${lang}.js`);
  }
});

// Every Russian text node and attribute of the pages is marked for
// localize(): data-i18n on its element (which holds nothing else), or the
// attribute named in data-i18n-attr. Text in an element with its own lang
// (the names of the languages in the switch) and <noscript> (shown only
// when no script runs, so nothing could translate it) are left alone.
const CYR = /[\u0400-\u04FF]/;
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
function unmarked(html, ru) {
  const out = [];
  const stack = [];
  const re = /<!--[\s\S]*?-->|<script\b[\s\S]*?<\/script>|<noscript\b[\s\S]*?<\/noscript>|<(\/?)([a-zA-Z0-9-]+)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*(\/?)>|([^<]+)/g;
  const attrOf = (attrs, n) => (attrs.match(new RegExp('\\s' + n + '="([^"]*)"')) || [])[1];
  for (const m of html.matchAll(re)) {
    if (m[5] !== undefined) {
      const top = stack[stack.length - 1];
      if (top && CYR.test(m[5])) top.texts.push(norm(m[5]));
      continue;
    }
    if (m[2] === undefined) continue;
    const tag = m[2].toLowerCase();
    if (m[1]) {
      let e;
      do {
        e = stack.pop();
        if (!e || e.foreign || !e.texts.length) continue;
        const key = attrOf(e.attrs, 'data-i18n');
        if (!key) out.push(`<${e.tag}> "${e.texts[0]}"`);
        else if (e.kids || e.texts.length > 1) out.push(`<${e.tag} data-i18n="${key}"> holds elements too`);
        else if (!own(ru, key) || norm(ru[key]) !== e.texts[0]) out.push(`<${e.tag} data-i18n="${key}"> "${e.texts[0]}" is not ru.js's text`);
      } while (e && e.tag !== tag);
      continue;
    }
    const attrs = m[3] || '';
    if (stack.length) stack[stack.length - 1].kids = true;
    const covered = (attrOf(attrs, 'data-i18n-attr') || '').split(',').map((p) => p.split(':')[0].trim());
    for (const a of attrs.matchAll(/([^\s=]+)="([^"]*)"/g)) {
      if (CYR.test(a[2]) && !a[1].startsWith('data-i18n') && !covered.includes(a[1])) out.push(`<${tag} ${a[1]}="${a[2]}">`);
    }
    const foreign = / lang="/.test(attrs) || (stack.length > 0 && stack[stack.length - 1].foreign);
    if (!VOID.has(tag) && !m[4]) stack.push({ tag, attrs, texts: [], kids: false, foreign });
  }
  return out;
}

test('every_russian_text_of_the_pages_is_marked_for_localize', async () => {
  const ru = await loadDict('ru');
  const problems = pages().flatMap((f) => unmarked(read(f), ru).map((p) => `${f}: ${p}`));
  assert.deepEqual(problems, []);
});

test('every_page_chooses_its_language_first_and_has_the_language_switch', () => {
  for (const f of pages()) {
    const html = read(f);
    const head = html.slice(0, html.indexOf('</head>'));
    const first = head.match(/<script\b[^>]*>/);
    assert.ok(first && first[0] === '<script src="/js/lang.js">', `${f}: lang.js is not the first script`);
    const nav = html.match(/<nav class="lang-nav"[\s\S]*?<\/nav>/);
    assert.ok(nav, `${f}: no language switch`);
    for (const l of LANGS) assert.match(nav[0], new RegExp(`<a href="\\?lang=${l}" lang="${l}" hreflang="${l}">`), `${f}: ${l}`);
    assert.match(html.slice(0, html.indexOf('<main')), /class="lang-nav"/, `${f}: the switch is not in the header`);
  }
});

// The API's refusals in the reader's language (web/js/api.js: problem.<code>,
// problem.field.<code>), and the privacy policy per language: a real server
// with the Russian policy and an English one, the real browser.
test('refusals_and_the_privacy_policy_in_tatar_and_english', async () => {
  const { startServer, startBrowser, axeViolations, loginAs, newPage, CITIZEN } = await import('./harness.js');
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(path.join(tmpdir(), 'kengash-policy-'));
  writeFileSync(path.join(dir, 'ru.txt'), 'Политика обработки персональных данных оператора.\n');
  writeFileSync(path.join(dir, 'en.txt'), 'The operator\'s personal data policy.\n');
  const [server, browser] = await Promise.all([
    startServer({ args: ['--privacy-policy', path.join(dir, 'ru.txt'), '--privacy-policy-en', path.join(dir, 'en.txt')] }),
    startBrowser()]);
  try {
    for (const lang of ['tt', 'en']) {
      const d = await loadDict(lang);
      const page = await newPage(browser, server.url);
      await page.context().addCookies([{ name: 'lang', value: lang, url: server.url }]);
      await loginAs(page, CITIZEN);
      await page.goto('/discussion.html?id=1');
      await page.waitForSelector('html:not(.i18n-pending)');
      const got = await page.evaluate(async () => {
        const { api, login, session, ApiError } = await import('/js/api.js');
        const out = {};
        // the CSRF token: the page's own session() may not have come back yet
        await session();
        try { await api('POST', '/api/v1/discussions/1/comments', { kind: 'proposal', body: 'а'.repeat(5001) }); } catch (e) {
          out.long = { ok: e instanceof ApiError, message: e.message, text: e.fields[0].text, english: e.fields[0].message };
        }
        try { await login('nobody@example.org', 'wrong-password-123'); } catch (e) {
          out.wrong = { message: e.message, english: e.detail, code: e.code };
        }
        return out;
      });
      assert.ok(got.long.ok, lang);
      assert.notEqual(got.long.text, got.long.english, lang);
      assert.equal(got.long.message, got.long.text, lang);
      const [before, after] = d['problem.field.too_long'].split('{max}');
      assert.ok(got.long.text.startsWith(before) && got.long.text.endsWith(after) && /5.?000/.test(got.long.text), `${lang}: ${got.long.text}`);
      assert.deepEqual(got.wrong, { message: d['problem.bad_credentials'], english: 'e-mail or password is wrong', code: 'bad_credentials' }, lang);
      // the policy: English has its own, Tatar shows the Russian one, saying so
      await page.goto('/privacy.html');
      await page.waitForSelector('#policy div[lang]');
      const policy = await page.evaluate(() => ({
        lang: document.querySelector('#policy div[lang]').lang,
        text: document.querySelector('#policy div[lang]').textContent,
        note: document.querySelector('#policy .notice-box')?.textContent ?? null,
      }));
      assert.deepEqual(policy, lang === 'en'
        ? { lang: 'en', text: 'The operator\'s personal data policy.', note: null }
        : { lang: 'ru', text: 'Политика обработки персональных данных оператора.', note: d['privacy.only_ru'] }, lang);
      assert.deepEqual(await axeViolations(page), [], `${lang}: privacy.html axe`);
      assert.deepEqual(page.errors.filter((e) => !/status of (401|422)/.test(e)), [], lang);
      await page.context().close();
    }
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
