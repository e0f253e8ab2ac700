// accounts.js: accounts for admins. Search by name or e-mail and role
// (GET /api/v1/admin/accounts): role, residence and property verification,
// submissions and last sign-in; grant or revoke the moderator and admin
// roles (PUT /api/v1/accounts/{id}/role; the server refuses an admin's own
// demotion with 409, and logs every change).
import { t, fmtDateTime } from './i18n.js';
import { api } from './api.js';
import { el } from './ui.js';
import { $, gate, guarded, announce } from './dept.js';

const ROLES = ['citizen', 'moderator', 'admin'];
let me = null;
let next = null;

function row(a) {
  const sel = 'role-' + a.id;
  const name = a.full_name || a.email;
  const p = a.properties;
  return el('tr', { id: 'acc-' + a.id },
    el('td', {}, el('span', { id: `acc-${a.id}-name`, text: name }), a.id === me ? ' ' + t('acc.you') : '', el('br'), el('span', { class: 'meta', text: a.email })),
    el('td', { id: `acc-${a.id}-role`, text: t('acc.role_' + a.role) }),
    el('td', { text: t('acc.res_' + a.residence) }),
    el('td', { text: t('acc.props', { verified: p.verified, pending: p.pending, rejected: p.rejected }) }),
    el('td', { text: t('acc.activity', { n: a.comments, last: a.last_login_at ? fmtDateTime(a.last_login_at) : t('acc.never') }) }),
    el('td', {},
      el('label', { for: sel, class: 'visually-hidden', text: t('acc.new_role', { name }) }),
      el('select', { id: sel }, ...ROLES.map((r) => el('option', { value: r, selected: r === a.role, text: t('acc.role_' + r) }))),
      el('div', { class: 'button-row' }, el('button', {
        type: 'button', class: 'secondary', id: `acc-${a.id}-apply`, 'aria-describedby': `acc-${a.id}-name`, text: t('acc.apply'),
        onclick: () => setRole(a, sel, name),
      }))));
}

async function setRole(a, sel, name) {
  const role = $(sel).value;
  const r = await guarded(() => api('PUT', `/api/v1/accounts/${a.id}/role`, { role }), { role: sel }, sel);
  if (!r) return;
  a.role = r.role;
  $(`acc-${a.id}-role`).textContent = t('acc.role_' + r.role);
  announce('list-state', t('acc.changed', { name, role: t('acc.role_' + r.role) }));
}

async function search(more) {
  const q = new URLSearchParams({ limit: '50' });
  if ($('q').value.trim()) q.set('q', $('q').value.trim());
  if ($('role').value) q.set('role', $('role').value);
  if (more && next) q.set('cursor', next);
  const page = await guarded(() => api('GET', '/api/v1/admin/accounts?' + q), { q: 'q', role: 'role' }, 'q');
  if (!page) return;
  const rows = page.items.map(row);
  if (more) $('rows').append(...rows); else $('rows').replaceChildren(...rows);
  next = page.next;
  $('more').hidden = !next;
  const n = $('rows').children.length;
  $('accounts').hidden = n === 0;
  $('list-state').textContent = n ? t('acc.count', { n }) : t('acc.none');
}

async function main() {
  const s = await gate(['admin'], 'dept.denied_admin');
  if (!s) return;
  me = s.account.id;
  $('search-form').addEventListener('submit', (e) => { e.preventDefault(); search(false); });
  $('more').addEventListener('click', () => search(true));
  await search(false);
}

main();
