// inbox.js: the support inbox of the console. Moderators list messages to
// technical support (open, closed or all: GET /api/v1/support-messages),
// read each with its answers (GET .../{id}/replies), answer by e-mail
// through the outbox (POST .../{id}/replies) and close or reopen it
// (PUT .../{id}/status).
import { t, fmtDateTime } from './i18n.js';
import { api } from './api.js';
import { el } from './ui.js';
import { $, gate, guarded, field, announce, errors } from './dept.js';

function repliesList(items) {
  return el('ul', { class: 'dept-replies' }, ...items.map((r) => el('li', {},
    el('p', { class: 'meta', text: t('inbox.reply_by', { name: r.author_name || '—', date: fmtDateTime(r.created_at) }) }),
    el('p', { class: 'dept-text', text: r.body }))));
}

function messageItem(m, replies) {
  const n = 'msg-' + m.id;
  const answer = n + '-answer';
  const item = el('li', { id: n, class: 'mod-item' });
  const form = el('form', { id: n + '-form', class: 'mod-subform', novalidate: true },
    field(el, answer, t('inbox.answer', { id: m.id }), t('inbox.answer_hint'),
      el('textarea', { id: answer, rows: 4, maxlength: 5000, 'aria-describedby': answer + '-hint' })),
    el('button', { type: 'submit', text: t('inbox.send') }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    errors.clear();
    const text = $(answer).value.trim();
    if (!text) return errors.show([{ field: answer, text: t('inbox.err_answer') }]);
    const r = await guarded(() => api('POST', `/api/v1/support-messages/${m.id}/replies`, { body: text }), { body: answer }, answer);
    if (!r) return undefined;
    item.replaceWith(messageItem(m, [...replies, r]));
    return announce('list-state', t('inbox.sent', { id: m.id }));
  });
  const closed = m.status === 'closed';
  const toggle = el('button', {
    type: 'button', id: n + '-status', class: 'secondary', 'aria-describedby': n + '-title',
    text: closed ? t('inbox.reopen') : t('inbox.close'),
    onclick: async () => {
      const r = await guarded(() => api('PUT', `/api/v1/support-messages/${m.id}/status`, { status: closed ? 'new' : 'closed' }));
      if (!r) return;
      if ($('filter').value === 'all') item.replaceWith(messageItem(r, replies)); else item.remove();
      announce('list-state', t(closed ? 'inbox.reopened' : 'inbox.closed', { id: m.id }));
    },
  });
  item.append(
    el('h2', { id: n + '-title', class: 'mod-item__title', text: t('inbox.item', { id: m.id, topic: m.topic }) }),
    el('dl', { class: 'mod-facts' },
      el('dt', { text: t('inbox.from') }), el('dd', { text: `${m.name} <${m.email}>` }),
      el('dt', { text: t('inbox.received') }), el('dd', { text: fmtDateTime(m.created_at) }),
      el('dt', { text: t('inbox.page') }), el('dd', { text: m.page_url || '—' }),
      el('dt', { text: t('inbox.status') }), el('dd', { text: t('inbox.status_' + m.status) })),
    el('p', { class: 'dept-text', text: m.body }),
    replies.length ? el('h3', { text: t('inbox.replies') }) : null,
    replies.length ? repliesList(replies) : null,
    closed ? null : form,
    el('div', { class: 'button-row' }, toggle));
  return item;
}

async function load() {
  const status = $('filter').value;
  $('list-state').textContent = t('loading');
  const q = status === 'all' ? '' : '&status=' + encodeURIComponent(status);
  const page = await guarded(() => api('GET', '/api/v1/support-messages?limit=100' + q));
  if (!page) return;
  const replies = await Promise.all(page.items.map((m) => api('GET', `/api/v1/support-messages/${m.id}/replies`).then((r) => r.items, () => [])));
  $('list').replaceChildren(...page.items.map((m, i) => messageItem(m, replies[i])));
  $('list-state').textContent = page.items.length ? t('inbox.count', { n: page.items.length }) : t('inbox.none');
}

async function main() {
  if (!await gate(['moderator', 'admin'], 'dept.denied_mod')) return;
  $('filter-form').addEventListener('submit', (e) => { e.preventDefault(); load(); });
  await load();
}

main();
