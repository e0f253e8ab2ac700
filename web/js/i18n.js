// i18n.js: every UI string is looked up by key in one dictionary per
// language (js/i18n/ru.js, tt.js, en.js: the same keys). lang.js has set
// <html lang> before the page is shown; only that language's dictionary is
// loaded. Pages are written in Russian; t() is used for text made by
// scripts, and localize() rewrites elements marked data-i18n="key" (text) or
// data-i18n-attr="attr:key,attr:key" when the page is in another language.
// Importing this module localizes the page and fills the language switch
// (<nav class="lang-nav"> in the header), then shows the page.
export const LANGS = ['ru', 'tt', 'en'];
export const lang = LANGS.includes(document.documentElement.lang) ? document.documentElement.lang : 'ru';
const dict = (await import(`./i18n/${lang}.js`)).default;

// t('key', {n: 3}) -> the string with {n} replaced; an unknown key is shown
// as itself so that a missing translation is visible, never a crash.
export function t(key, vars) {
  let s = Object.prototype.hasOwnProperty.call(dict, key) ? dict[key] : key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

export function has(key) {
  return Object.prototype.hasOwnProperty.call(dict, key);
}

// Names the server gives in Russian with a code (project kinds, moderation
// reasons): in Russian the server's own text (it may be edited there), in
// another language the table's text for the code, else the server's.
export function tOr(key, fallback) {
  return lang !== 'ru' && has(key) ? t(key) : fallback;
}

export const locale = { ru: 'ru-RU', tt: 'tt-RU', en: 'en-GB' }[lang];
// Chromium's ICU has no Tatar (it falls back to en-US: "March 5, 2026",
// "1,234.5", one/other): then numbers are written as in Russian (the same
// separators as CLDR's tt), plurals use CLDR's Tatar rule (one form:
// "other"), and dates use the month table of the dictionary (date.months).
const icu = Intl.DateTimeFormat.supportedLocalesOf([locale]).length > 0;
const numberLocale = Intl.NumberFormat.supportedLocalesOf([locale]).length ? locale : 'ru-RU';
const plurals = Intl.PluralRules.supportedLocalesOf([locale]).length ? new Intl.PluralRules(locale) : { select: () => 'other' };

// tp('key', n, vars): the form of key for the number n by the language's
// plural rules: key.one, key.few, key.many or key.other (Russian uses all
// four, English one/other, Tatar only other); {n} is n written for the locale.
export function tp(key, n, vars = {}) {
  const form = `${key}.${plurals.select(n)}`;
  return t(has(form) ? form : `${key}.other`, { ...vars, n: fmtNumber(n) });
}

export function fmtNumber(n) {
  return Number(n).toLocaleString(numberLocale);
}

export function localize(root = document) {
  if (lang === 'ru') return; // the pages' own text is Russian
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of node.dataset.i18nAttr.split(',')) {
      const [attr, key] = pair.split(':');
      node.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}

// Dates in Moscow time with the month's name in the reader's language.
const TZ = 'Europe/Moscow';
const months = t('date.months').split(',');
function parts(d, withTime) {
  const o = { day: 'numeric', month: 'numeric', year: 'numeric', timeZone: TZ };
  if (withTime) Object.assign(o, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const p = {};
  for (const x of new Intl.DateTimeFormat('en-GB', o).formatToParts(d)) p[x.type] = x.value;
  return { day: Number(p.day), month: months[Number(p.month) - 1], year: p.year, hour: p.hour, minute: p.minute };
}

export function fmtDate(s) {
  if (!s) return '—';
  const d = new Date(s);
  if (!icu) return t('date.format', parts(d, false));
  return d.toLocaleDateString(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: TZ });
}

export function fmtDateTime(s) {
  if (!s) return '—';
  const d = new Date(s);
  if (!icu) return t('date.format_time', parts(d, true));
  return d.toLocaleString(locale, { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: TZ });
}

// A month (m: 1..12): "March 2026" for tables, "Mar" for charts.
export function fmtMonth(y, m, short = false) {
  if (!icu) return short ? t('date.months_short').split(',')[m - 1] : t('date.month_year', { month: t('date.months_nominative').split(',')[m - 1], year: y });
  const o = short ? { month: 'short' } : { month: 'long', year: 'numeric' };
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleDateString(locale, { ...o, timeZone: 'UTC' });
}

// The language switch: links to this page in each language (?lang=, read
// by lang.js), each marked with its own lang/hreflang, the current one with
// aria-current.
function languageSwitch() {
  for (const a of document.querySelectorAll('.lang-nav a[hreflang]')) {
    const url = new URL(location.href);
    url.searchParams.set('lang', a.hreflang);
    a.href = url.pathname + url.search + url.hash;
    if (a.hreflang === lang) a.setAttribute('aria-current', 'true'); else a.removeAttribute('aria-current');
  }
}

localize();
languageSwitch();
document.documentElement.classList.remove('i18n-pending');
