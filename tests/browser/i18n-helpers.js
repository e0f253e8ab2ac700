// Shared by i18n-pages.test.js and i18n-lowvision.test.js: the pages of
// web/ in Tatar or English, checked for Russian text left (a visible text
// node or accessible name that is a Russian string of ru.js, or made from
// one of its templates, which the language translates differently; a key
// shown raw) and with axe-core (WCAG 2.1 A/AA, lang attributes included).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  startServer, startBrowser, loginAs, screenshot, seedProposals, axeViolations as axeViolations_, CITIZEN, MODERATOR,
} from './harness.js';

export const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');
const ADMIN = 'admin@kengash.local';

// Colours do not change with the language: a11y.test.js checks the
// contrast of every page in every version, and this rule is the slowest.
const axeViolations = (page) => axeViolations_(page, { 'color-contrast': { enabled: false } });
export const dict = async (lang) => (await import('data:text/javascript;charset=utf-8,' +
  encodeURIComponent(readFileSync(path.join(WEB, 'js/i18n', lang + '.js'), 'utf8')))).default;

let server;
let browser;
let ru;
// One server and one browser for the file: call in before().
export async function setUp() {
  [server, browser, ru] = await Promise.all([startServer(), startBrowser(), dict('ru')]);
  await seedProposals(server); // as in a11y.test.js
}
export async function tearDown() { await browser?.close(); await server?.stop(); }

// A page in a new context: the language's cookie (or none: the browser's
// locale decides), the role's session, the low-vision version if asked.
export async function open(role, { lang, locale = 'ru-RU', lowVision = null } = {}) {
  const context = await browser.newContext({ baseURL: server.url, locale, viewport: { width: 1280, height: 900 } });
  if (lang) await context.addCookies([{ name: 'lang', value: lang, url: server.url }]);
  if (lowVision) {
    await context.addInitScript((scheme) => {
      localStorage.setItem('kengash.a11y', JSON.stringify({ on: true, scheme, size: '2', images: true }));
    }, lowVision);
  }
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/the server responded with a status of (401|403|404|409|410)/.test(m.text())) page.errors.push(m.text());
  });
  const email = { citizen: CITIZEN, moderator: MODERATOR, admin: ADMIN }[role];
  if (email) await loginAs(page, email);
  return page;
}

const TOKEN = 'A'.repeat(43);
const NAV = ['#account-nav a[href*="next="]'];
export const PAGES = {
  'index.html': { path: '/', role: 'guest', ready: ['#list li', '#map path.territory'] },
  'discussion.html': { path: '/discussion.html?id=1', role: 'citizen', ready: ['#discussion:not([hidden])', '#form-section:not([hidden])', '#comments li'] },
  'login.html': { path: '/login.html', role: 'guest', ready: NAV },
  'signup.html': { path: '/signup.html', role: 'guest', ready: NAV },
  'forgot.html': { path: '/forgot.html', role: 'guest', ready: ['#forgot-form'] },
  'reset.html': { path: '/reset.html#token=' + TOKEN, role: 'guest', ready: ['#reset-form:not([hidden])'] },
  'stats.html': { path: '/stats.html', role: 'guest', ready: ['#table-month tbody tr', '#chart-status svg'] },
  'residence.html': { path: '/residence.html', role: 'citizen', ready: ['#current:not([hidden])', '#map .district-label'] },
  'my-comments.html': { path: '/my-comments.html', role: 'citizen', ready: ['#list li', '#extracts:not([hidden])'] },
  'properties.html': { path: '/properties.html', role: 'citizen', ready: ['#current:not([hidden])', '#property-form:not([hidden])'] },
  'signin-failed.html': { path: '/signin-failed.html?reason=token', role: 'guest', ready: NAV },
  'oidc-link.html': { path: '/oidc-link.html?next=/', role: 'guest', ready: NAV },
  'support.html': { path: '/support.html', role: 'guest', ready: ['#support-form', ...NAV] },
  'news.html': { path: '/news.html', role: 'moderator', ready: ['#publish:not([hidden])', '#discussion_id option[value="1"]'] },
  'privacy.html': { path: '/privacy.html', role: 'guest', ready: ['#policy p:not([data-i18n="loading"])'] },
  'confirm-email.html': { path: '/confirm-email.html#token=' + TOKEN, role: 'guest', ready: ['#gone:not([hidden])'] },
  'unsubscribe.html': { path: '/unsubscribe.html#token=' + TOKEN, role: 'guest', ready: ['#unsub-form:not([hidden])'] },
  'alerts.html': { path: '/alerts.html', role: 'guest', ready: ['#alert-form', ...NAV] },
  'appeals.html': { path: '/appeals.html', role: 'moderator', ready: ['#work:not([hidden])', '#list-state:not(:empty)'] },
  'inbox.html': { path: '/inbox.html', role: 'moderator', ready: ['#work:not([hidden])', '#list-state:not(:empty)'] },
  'accounts.html': { path: '/accounts.html', role: 'admin', ready: ['#work:not([hidden])', '#rows tr'] },
  'moderation.html': {
    path: '/moderation.html',
    role: 'moderator',
    ready: ['#console:not([hidden])'],
    then: async (page) => { await page.selectOption('#q-discussion', '1'); await page.waitForSelector('#queue-list li'); },
    sections: {
      offline: '#o-discussion option', verify: '#verify-state:not(:empty)', stage: '#stage-buttons button',
      log: '#log-rows tr', project: '#p-kind option', discussion: '#d-map .leaflet-draw', document: '#u-project option',
    },
  },
  'round.html': {
    path: '/round.html?id=6',
    role: 'moderator',
    ready: ['#action-reissue'],
    then: async (page) => {
      if (!(await page.$('#protocol-versions li'))) { await page.click('#action-reissue'); await page.waitForSelector('#done:not([hidden])'); }
      await page.waitForSelector('#protocol-versions li');
      await page.waitForSelector('#missing-state:not(:empty)');
    },
  },
};

// What must not show on a page in `lang`: the Russian strings of ru.js that
// the language translates differently, and the Russian templates (with
// {placeholders}) as patterns; keys are looked for as themselves.
async function forbidden(lang) {
  const target = await dict(lang);
  const norm = (s) => s.replace(/\s+/g, ' ').trim();
  const strings = [];
  const patterns = [];
  for (const [k, v] of Object.entries(ru)) {
    if (own(target, k) && norm(target[k]) === norm(v)) continue;
    if (!/\{\w+\}/.test(v)) { strings.push(norm(v)); continue; }
    // only templates whose own words are Russian: '{name}, {date}' matches anything
    if (!/[\u0400-\u04FF]/.test(v.replace(/\{\w+\}/g, ''))) continue;
    patterns.push('^' + norm(v).split(/\{\w+\}/).map((p) => p.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('.+') + '$');
  }
  return { strings, patterns, keys: Object.keys(ru).filter((k) => k.includes('.')) };
}
const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

// In the page: visible text nodes (options of visible selects included),
// the names given by aria-label/title/placeholder/alt on visible elements,
// and the document's title, each compared with what must not show.
function russianLeft({ strings, patterns, keys }) {
  const norm = (s) => s.replace(/\s+/g, ' ').trim();
  const bad = new Set(strings);
  const res = patterns.map((p) => new RegExp(p, 's'));
  const raw = new Set(keys);
  const seen = (el) => el.checkVisibility({ checkVisibilityCSS: true, visibilityProperty: true });
  const shown = (el) => {
    const sel = el.closest('select');
    return sel ? seen(sel) : seen(el);
  };
  const out = [];
  const check = (text, where) => {
    const s = norm(text);
    if (!s) return;
    if (bad.has(s) || raw.has(s) || res.some((r) => r.test(s))) out.push(`${where}: "${s.slice(0, 100)}"`);
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const p = n.parentElement;
    if (!p || p.closest('script, style, noscript') || !shown(p)) continue;
    check(n.data, p.tagName.toLowerCase() + (p.id ? '#' + p.id : ''));
  }
  for (const el of document.body.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
    if (!shown(el)) continue;
    for (const a of ['aria-label', 'title', 'placeholder', 'alt']) if (el.hasAttribute(a)) check(el.getAttribute(a), `${el.tagName.toLowerCase()}@${a}`);
  }
  check(document.title, 'title');
  return out;
}

// <html lang> is lang and no Russian text is left on the page as it is now.
export async function assertTranslated(page, lang, what) {
  assert.equal(await page.evaluate(() => document.documentElement.lang), lang, what);
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains('i18n-pending')), false, what);
  assert.deepEqual(await page.evaluate(russianLeft, await forbidden(lang)), [], `${what}: Russian text left`);
}

async function checkPage(page, lang, what) {
  await assertTranslated(page, lang, what);
  assert.deepEqual(await axeViolations(page), [], `${what}: axe`);
}

// Every page of PAGES in lang (the low-vision version in a colour scheme
// if lowVision), as the role that sees its content; the moderator console's
// sections too when withSections.
// pick(file, i) chooses the pages (all by default).
export async function checkAllPages(lang, lowVision, withSections, pick = () => true) {
  const version = lowVision ? `low_vision_${lowVision}` : 'normal';
  const pages = {};
  for (const [file, { path: url, role, ready, then, sections = {} }] of Object.entries(PAGES).filter(([f], i) => pick(f, i))) {
    pages[role] ??= await open(role, { lang, lowVision });
    const page = pages[role];
    await page.goto(url);
    await page.waitForSelector('#a11y-panel', { state: 'attached' });
    if (lowVision) await page.waitForSelector('#a11y-panel:not([hidden])');
    for (const sel of ready) await page.waitForSelector(sel, { state: 'attached' });
    await then?.(page);
    await screenshot(page, `i18n-${lang}-${version}-${file.replace('.html', '')}`);
    await checkPage(page, lang, `${file} (${lang}, ${version})`);
    for (const [section, sel] of Object.entries(withSections ? sections : {})) {
      await page.click(`a[href="#${section}"]`);
      await page.waitForSelector(`#${section}:not([hidden])`);
      await page.waitForSelector(sel, { state: 'attached' });
      await checkPage(page, lang, `${file}#${section} (${lang}, ${version})`);
    }
  }
  for (const page of Object.values(pages)) {
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
}
