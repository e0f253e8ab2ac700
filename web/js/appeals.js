// appeals.js: the moderators' page of appeals against rejections
// (GET /api/v1/appeals). A pending appeal shows the rejected proposal, the
// reason it was rejected and the author's text; a moderator other than the
// one who rejected it decides with a reason (POST
// /api/v1/appeals/{id}/decision) — the server refuses the same one (403).
import { t, fmtDateTime } from './i18n.js';
import { api } from './api.js';
import { el } from './ui.js';
import { $, gate, guarded, field, announce, errors } from './dept.js';

let me = null;

function outcomeText(a) {
  return t('appeal.status_' + a.status);
}

// The decision form of pending appeal a (n: the item's id prefix).
function decisionForm(a, n, item) {
  const reason = n + '-reason';
  const outcome = n + '-uphold'; // the first choice stands for the group in the error summary
  const form = el('form', { id: n + '-form', class: 'mod-subform', novalidate: true },
    el('fieldset', { id: outcome + '-field', class: 'field' },
      el('legend', { text: t('appeal.outcome', { number: a.registration_number }) }),
      el('p', { class: 'error-message', id: outcome + '-error', hidden: true }),
      el('div', { class: 'radios' }, ...['uphold', 'dismiss'].map((v) => el('div', { class: 'radio' },
        el('input', { type: 'radio', id: `${n}-${v}`, name: n + '-decision', value: v }),
        el('label', { for: `${n}-${v}`, text: t('appeal.' + v) }))))),
    field(el, reason, t('appeal.reason', { number: a.registration_number }), t('appeal.reason_hint'),
      el('textarea', { id: reason, rows: 3, maxlength: 2000, 'aria-describedby': reason + '-hint' })),
    el('button', { type: 'submit', text: t('appeal.send') }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    errors.clear();
    const chosen = form.querySelector(`input[name="${n}-decision"]:checked`);
    const text = $(reason).value.trim();
    const bad = [];
    if (!chosen) bad.push({ field: outcome, text: t('appeal.err_outcome') });
    if (!text) bad.push({ field: reason, text: t('dept.err_reason') });
    if (bad.length) return errors.show(bad);
    const r = await guarded(() => api('POST', `/api/v1/appeals/${a.id}/decision`, { decision: chosen.value, reason: text }),
      { decision: outcome, reason }, reason);
    if (!r) return undefined;
    item.replaceWith(appealItem(r, n));
    return announce('list-state', t('appeal.decided', { number: r.registration_number, outcome: outcomeText(r) }));
  });
  return form;
}

function appealItem(a, n) {
  const item = el('li', { id: n, class: 'mod-item' });
  const facts = [
    ['appeal.discussion', a.discussion_title],
    ['appeal.comment', a.comment_body],
    ['appeal.rejected', fmtDateTime(a.rejection.at)],
    ['appeal.rejection_reason', a.rejection.reason || '—'],
    ['appeal.text', a.text],
    ['appeal.submitted', fmtDateTime(a.created_at)],
  ];
  if (a.decision) facts.push(['appeal.decision', `${fmtDateTime(a.decision.at)}: ${a.decision.reason || ''}`]);
  item.append(
    el('h2', { id: n + '-title', class: 'mod-item__title', text: t('appeal.item', { number: a.registration_number }) }),
    el('p', {}, el('strong', { class: 'tag', text: outcomeText(a) })),
    el('dl', { class: 'mod-facts' }, ...facts.flatMap(([k, v]) => [el('dt', { text: t(k) }), el('dd', { class: 'dept-text', text: v })])));
  if (a.status === 'pending') {
    item.append(a.rejection.by === me ? el('p', { id: n + '-own', text: t('appeal.own') }) : decisionForm(a, n, item));
  }
  return item;
}

async function load() {
  const status = $('filter').value;
  $('list-state').textContent = t('loading');
  const page = await guarded(() => api('GET', '/api/v1/appeals?limit=200&status=' + encodeURIComponent(status)));
  if (!page) return;
  $('list').replaceChildren(...page.items.map((a) => appealItem(a, 'ap-' + a.id)));
  $('list-state').textContent = page.items.length ? t('appeal.count', { n: page.items.length }) : t('appeal.none');
}

async function main() {
  const s = await gate(['moderator', 'admin'], 'dept.denied_mod');
  if (!s) return;
  me = s.account.id;
  $('filter-form').addEventListener('submit', (e) => { e.preventDefault(); load(); });
  await load();
}

main();
