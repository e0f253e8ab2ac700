// ui.js: small helpers shared by the pages: building elements, the account
// links in the header, the error summary + messages beside fields
// (GOV.UK pattern), status names.
import { t, localize } from './i18n.js';
import { session, logout } from './api.js';

// el('p', {class: 'x', text: 'y'}, child, ...)
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') node.textContent = v;
    else if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

export function statusName(status) {
  return t('status.' + status);
}

export function statusTag(status) {
  return el('strong', { class: 'tag tag--' + status, text: statusName(status) });
}

// A same-origin path to go to after logging in (never another site).
export function safeNext(value, fallback = '/') {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : fallback;
}

export function here() {
  return location.pathname + location.search;
}

// Fills <nav id="account-nav"> with links for the visitor.
export async function accountNav() {
  localize();
  const nav = document.getElementById('account-nav');
  if (!nav) return null;
  let s = null;
  try { s = await session(); } catch { /* the links for guests stay */ }
  const list = el('ul');
  if (s) {
    list.append(
      el('li', {}, el('span', { class: 'account-name', text: s.account.full_name || s.account.email })),
      el('li', {}, el('a', { href: '/my-comments.html', text: t('nav.my_comments') })),
      el('li', {}, el('a', { href: '/residence.html', text: t('nav.residence') })),
      el('li', {}, el('button', {
        type: 'button', class: 'link-button', text: t('nav.logout'),
        onclick: async () => {
          try { await logout(); } catch { /* the session is gone either way */ }
          location.assign('/');
        },
      })),
    );
  } else {
    const next = encodeURIComponent(here());
    list.append(
      el('li', {}, el('a', { href: '/login.html?next=' + next, text: t('nav.login') })),
      el('li', {}, el('a', { href: '/signup.html?next=' + next, text: t('nav.signup') })),
    );
  }
  nav.replaceChildren(list);
  return s;
}

// Error summary at the top of the page linking to each field, and the
// message beside the field. Markup per field NAME: #NAME-field (wrapper),
// #NAME-hint (optional), #NAME-error (hidden <p>), control #NAME.
export function formErrors(summaryId = 'error-summary') {
  const summary = document.getElementById(summaryId);
  const list = summary.querySelector('ul');
  const shown = new Set();
  function describedBy(field, withError) {
    const ids = [];
    if (document.getElementById(field + '-hint')) ids.push(field + '-hint');
    if (withError) ids.push(field + '-error');
    return ids.join(' ');
  }
  return {
    clear() {
      summary.hidden = true;
      list.replaceChildren();
      for (const field of shown) {
        const msg = document.getElementById(field + '-error');
        if (msg) { msg.hidden = true; msg.textContent = ''; }
        document.getElementById(field + '-field')?.classList.remove('field--error');
        const input = document.getElementById(field);
        if (input) {
          input.removeAttribute('aria-invalid');
          const d = describedBy(field, false);
          if (d) input.setAttribute('aria-describedby', d); else input.removeAttribute('aria-describedby');
        }
      }
      shown.clear();
    },
    // errors: [{field, text}]; field may be null for a page-level error
    show(errors) {
      list.replaceChildren(...errors.map(({ field, text }) => {
        if (!field || !document.getElementById(field)) return el('li', { text });
        return el('li', {}, el('a', {
          href: '#' + field, text,
          onclick: (e) => { e.preventDefault(); document.getElementById(field).focus(); },
        }));
      }));
      for (const { field, text } of errors) {
        if (!field || !document.getElementById(field)) continue;
        shown.add(field);
        const msg = document.getElementById(field + '-error');
        if (msg) { msg.textContent = t('error.prefix') + text; msg.hidden = false; }
        document.getElementById(field + '-field')?.classList.add('field--error');
        const input = document.getElementById(field);
        if (input.tagName !== 'FIELDSET' && input.type !== 'radio' && input.type !== 'checkbox') {
          input.setAttribute('aria-invalid', 'true');
        }
        input.setAttribute('aria-describedby', describedBy(field, !!msg));
      }
      summary.hidden = false;
      summary.focus();
    },
  };
}

// Shows a panel (hidden until now) and moves focus to it.
export function reveal(id) {
  const node = document.getElementById(id);
  node.hidden = false;
  node.focus();
  return node;
}
