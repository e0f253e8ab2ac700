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

// A same-origin path to go to after logging in (never another site): "/" then no second "/" or "\\", and no white space,
// control character or backslash anywhere (a browser drops tabs and
// newlines from URLs, so "/<TAB>/host" would become "//host").
export function safeNext(value, fallback = '/') {
  return typeof value === 'string' && value.length <= 512 && /^\/(?![/\\])/.test(value) &&
    !/[\u0000-\u0020\u007f-\u00a0\\]/.test(value) ? value : fallback;
}

// Shows the sign-in through the identity provider (state portal) in the
// element with id containerId, when the server has one: a link to
// /auth/oidc/login that comes back to next.
export async function oidcSignin(containerId, next) {
  const box = document.getElementById(containerId);
  if (!box) return;
  try {
    const r = await fetch('/api/v1/auth/providers', { credentials: 'same-origin' });
    const j = r.ok ? await r.json() : null;
    if (!j || !j.oidc) return;
    const a = box.querySelector('a.oidc-button');
    a.textContent = j.oidc.label;
    a.href = j.oidc.login_url + '?next=' + encodeURIComponent(next);
    box.hidden = false;
  } catch (e) { /* no provider shown: the password form still works */ }
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
      el('li', {}, el('a', { href: '/properties.html', text: t('prop.nav') })),
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
