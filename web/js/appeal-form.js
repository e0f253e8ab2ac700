// appeal-form.js: on "my proposals" (my-comments.js), the appeal against a
// rejection: its state once made (GET /api/v1/me/appeals), else, within the
// period after the rejection, a form to make it
// (POST /api/v1/comments/{id}/appeal {text}).
import { t, fmtDateTime } from './i18n.js';
import { api, ApiError } from './api.js';
import { el } from './ui.js';

const DAY_MS = 86400 * 1000;

// {byComment: Map(comment id -> appeal), days}; an empty map when the
// appeals cannot be read (the list still shows).
export async function myAppeals() {
  const byComment = new Map();
  try {
    const page = await api('GET', '/api/v1/me/appeals?limit=500');
    for (const a of page.items) byComment.set(a.comment_id, a);
    return { byComment, days: page.appeal_days };
  } catch {
    return { byComment, days: 0 };
  }
}

function stateOf(a) {
  return el('div', { class: 'appeal-state' },
    el('p', { text: t('appeal.mine_state', { state: t('appeal.status_' + a.status) }) }),
    a.decision?.reason ? el('p', { text: t('appeal.mine_reason', { reason: a.decision.reason }) }) : null);
}

// The appeal part of comment c's card, or null.
export function appealBlock(c, mine) {
  const a = mine.byComment.get(c.id);
  if (a) return stateOf(a);
  if (c.status !== 'rejected' || !c.moderated_at || !mine.days) return null;
  const until = new Date(Date.parse(c.moderated_at) + mine.days * DAY_MS);
  if (until <= new Date()) return el('p', { class: 'meta', text: t('appeal.too_late', { date: fmtDateTime(until.toISOString()) }) });
  const id = 'appeal-' + c.id;
  const box = el('div', { class: 'appeal' });
  const msg = el('p', { class: 'error-message', id: id + '-error', hidden: true });
  const input = el('textarea', { id, name: 'text', rows: 4, maxlength: 2000, 'aria-describedby': id + '-hint' });
  const form = el('form', { id: id + '-form', novalidate: true, hidden: true },
    el('div', { class: 'field', id: id + '-field' },
      el('label', { for: id, text: t('appeal.mine_text') }),
      el('p', { class: 'hint', id: id + '-hint', text: t('appeal.mine_hint', { date: fmtDateTime(until.toISOString()) }) }),
      msg, input),
    el('button', { type: 'submit', text: t('appeal.mine_send') }));
  const open = el('button', {
    type: 'button', class: 'secondary', id: id + '-open', 'aria-expanded': 'false', 'aria-controls': id + '-form', text: t('appeal.open'),
    onclick: () => { form.hidden = false; open.setAttribute('aria-expanded', 'true'); input.focus(); },
  });
  const showError = (text) => {
    msg.textContent = t('error.prefix') + text;
    msg.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', id + '-hint ' + id + '-error');
    input.focus();
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return showError(t('appeal.err_text'));
    try {
      const made = await api('POST', `/api/v1/comments/${c.id}/appeal`, { text });
      const done = el('div', { class: 'appeal', id: id + '-done', tabindex: '-1' }, el('p', { role: 'status', text: t('appeal.sent') }), stateOf(made));
      box.replaceWith(done);
      return done.focus();
    } catch (err) {
      return showError(err instanceof ApiError ? (err.fields[0]?.text || err.message || t('error.generic')) : t('error.network'));
    }
  });
  box.append(open, form);
  return box;
}
