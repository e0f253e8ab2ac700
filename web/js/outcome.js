// outcome.js: the outcome of a round on the public pages (issue 14): the
// discussion page's links to the protocol and the conclusion (printable
// page, PDF, SHA-256), and each proposal's recommendation with its reason
// from the published conclusion — on the discussion page and in "my
// proposals". Everything comes from public endpoints.
import { t, fmtDate } from './i18n.js';
import { api } from './api.js';
import { el } from './ui.js';

const KINDS = ['protocol', 'conclusion'];

// Links to the translation of an official document (the Russian version is
// the official one; the server marks the translation as such): Tatar, or
// English for a reader of the English pages. Returns [' · ', a, ' · ', a].
export function translationLinks(html, pdf, name) {
  const tr = document.documentElement.lang === 'en' ? 'en' : 'tt';
  const withLang = (u) => u + (u.includes('?') ? '&' : '?') + 'lang=' + tr;
  const link = (u, key) => el('a', { href: withLang(u), hreflang: tr, text: t(key + tr), 'aria-label': name + ', ' + t(key + tr) });
  return [' · ', link(html, 'outcome.tr_html.'), ' · ', link(pdf, 'outcome.tr_pdf.')];
}

// Fills <section id="outcome"> from the discussion's reports (d.reports)
// and shows it when anything is issued.
export function showReportLinks(d) {
  const box = document.getElementById('outcome');
  const list = document.getElementById('outcome-links');
  if (!box || !list || !d.reports) return;
  const items = KINDS.filter((k) => d.reports[k]).map((k) => {
    const r = d.reports[k];
    const name = t('outcome.' + k, { version: r.version, date: fmtDate(r.issued_at) });
    return el('li', { id: 'outcome-' + k },
      el('span', { text: name + ': ' }),
      el('a', { href: r.html, text: t('outcome.html'), 'aria-label': name + ', ' + t('outcome.html') }), ' · ',
      el('a', { href: r.pdf, text: t('outcome.pdf'), 'aria-label': name + ', ' + t('outcome.pdf') }),
      ...translationLinks(r.html, r.pdf, name), ' · ',
      el('a', { href: r.url, text: t('outcome.json'), 'aria-label': name + ', ' + t('outcome.json') }),
      el('br'), el('span', { class: 'meta' }, 'SHA-256: ', el('span', { class: 'outcome-sha', text: r.sha256 })));
  });
  list.replaceChildren(...items);
  box.hidden = items.length === 0;
}

// Map comment id -> {recommendation, reasoning} from the published
// conclusions of the discussions given as {id, reports} (empty when none).
export async function recommendations(discussions) {
  const byComment = new Map();
  const concluded = discussions.filter((d) => d && d.reports && d.reports.conclusion);
  const docs = await Promise.all(concluded.map((d) => api('GET', d.reports.conclusion.url).catch(() => null)));
  for (const doc of docs) {
    for (const item of doc?.items || []) for (const cid of item.comment_ids) byComment.set(cid, item);
  }
  return byComment;
}

// The recommendation for comment id as a paragraph, or null.
export function outcomeBlock(byComment, commentId) {
  const item = byComment && byComment.get(commentId);
  if (!item) return null;
  return el('p', { class: 'outcome outcome--' + item.recommendation },
    el('strong', { text: t('outcome.rec.' + item.recommendation) + '. ' }),
    el('span', { text: t('outcome.reason', { reason: item.reasoning }) }));
}
