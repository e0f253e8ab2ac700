// dept.js: what the department's pages (appeals.html, inbox.html,
// accounts.html) share: the role gate with its "denied" panel, and API calls
// whose refusals become the error summary at the top of the page, linking to
// the field the server named.
import { t } from './i18n.js';
import { ApiError } from './api.js';
import { el, accountNav, formErrors, reveal } from './ui.js';

export const $ = (id) => document.getElementById(id);

// The session when its role is one of roles; else shows #denied and
// returns null.
export async function gate(roles, deniedKey) {
  const s = await accountNav();
  if (s && roles.includes(s.account.role)) {
    $('state').hidden = true;
    $('work').hidden = false;
    const nav = document.querySelector('.mod-tabs ul');
    if (s.account.role === 'admin' && nav && !nav.querySelector('a[href="/accounts.html"]')) {
      nav.append(el('li', {}, el('a', { href: '/accounts.html', text: t('dept.accounts') })));
    }
    return s;
  }
  $('state').hidden = true;
  $('denied-text').textContent = t(deniedKey);
  reveal('denied');
  return null;
}

export const errors = formErrors();

// Runs fn; an API refusal goes to the error summary: fields maps the
// server's field names to the page's control ids; other refusals are shown
// beside fallbackField (or at the top). Returns fn's result, or undefined.
export async function guarded(fn, fields = {}, fallbackField = null) {
  errors.clear();
  try {
    return await fn();
  } catch (e) {
    let list;
    if (e instanceof ApiError) {
      list = e.fields.map((f) => ({ field: fields[f.field] || fallbackField, text: f.text || f.message }));
      if (!list.length) list = [{ field: fallbackField, text: e.message || t('error.generic') }];
    } else {
      list = [{ field: null, text: t('error.network') }];
    }
    errors.show(list);
    return undefined;
  }
}

// A labelled field (GOV.UK markup that formErrors expects) around control.
export function field(el, id, label, hint, control) {
  return el('div', { class: 'field', id: id + '-field' },
    el('label', { for: id, text: label }),
    hint ? el('p', { class: 'hint', id: id + '-hint', text: hint }) : null,
    el('p', { class: 'error-message', id: id + '-error', hidden: true }),
    control);
}

// Says msg in the page's status line and moves focus there.
export function announce(id, msg) {
  const node = $(id);
  node.textContent = msg;
  node.setAttribute('tabindex', '-1');
  node.focus();
}
