// i18n.js: every UI string is looked up by key in one dictionary per
// language (js/i18n/<lang>.js). Pages are written in Russian; t() is used for
// text made by scripts, and localize() rewrites elements marked
// data-i18n="key" (text) or data-i18n-attr="attr:key,attr:key" when the page
// is shown in another language. To add English: write js/i18n/en.js with the
// same keys and import it below.
import ru from './i18n/ru.js';

const DICTS = { ru };
const lang = DICTS[document.documentElement.lang] ? document.documentElement.lang : 'ru';
const dict = DICTS[lang];

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

export const locale = { ru: 'ru-RU' }[lang] || 'ru-RU';

export function fmtDate(s) {
  return s ? new Date(s).toLocaleDateString(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Moscow' }) : '—';
}

export function fmtDateTime(s) {
  return s ? new Date(s).toLocaleString(locale, { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Moscow' }) : '—';
}
