// reset.js: sets a new password with the single-use token from the link
// (reset.html#token=...). The token is taken out of the address bar at once
// so it does not stay in the browser history.
import { t } from './i18n.js';

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;
const summary = document.getElementById('error-summary');
const list = document.getElementById('error-list');
const form = document.getElementById('reset-form');
const FIELDS = ['password', 'password2'];

const token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
if (location.hash) history.replaceState(null, '', location.pathname + location.search);
// Another link opened in this tab changes only the hash: start over with it.
window.addEventListener('hashchange', () => location.reload());

function showPanel(id) {
  form.hidden = true;
  const panel = document.getElementById(id);
  panel.hidden = false;
  panel.focus();
}

function clearErrors() {
  summary.hidden = true;
  list.replaceChildren();
  for (const name of FIELDS) {
    const msg = document.getElementById(name + '-error');
    msg.hidden = true;
    msg.textContent = '';
    document.getElementById(name + '-field').classList.remove('field--error');
    const input = document.getElementById(name);
    input.removeAttribute('aria-invalid');
    input.setAttribute('aria-describedby', name + '-hint');
  }
}

// errors: [{field, text}] — listed in the summary (linking to the field) and
// shown beside each field.
function showErrors(errors) {
  list.replaceChildren(...errors.map(({ field, text }) => {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = '#' + field;
    a.textContent = text;
    a.addEventListener('click', (e) => { e.preventDefault(); document.getElementById(field).focus(); });
    li.append(a);
    return li;
  }));
  for (const { field, text } of errors) {
    const msg = document.getElementById(field + '-error');
    msg.textContent = t('error.prefix') + text;
    msg.hidden = false;
    document.getElementById(field + '-field').classList.add('field--error');
    const input = document.getElementById(field);
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', field + '-hint ' + field + '-error');
  }
  summary.hidden = false;
  summary.focus();
}

function check(password, password2) {
  const errors = [];
  if (!password) errors.push({ field: 'password', text: t('reset.err_password') });
  else if ([...password].length < 10) {
    errors.push({ field: 'password', text: t('signup.err_password_short') });
  }
  if (password && password !== password2) {
    errors.push({ field: 'password2', text: t('reset.err_mismatch') });
  }
  return errors;
}

// The server's reasons are in English; the common ones in the reader's language.
function serverReason(message) {
  if (/common/i.test(message)) return t('signup.err_password_common');
  if (/e-mail/i.test(message)) return t('signup.err_password_email');
  if (/at least/i.test(message)) return t('signup.err_password_short');
  if (/at most|too long/i.test(message)) return t('reset.err_too_long');
  if (/repeated/i.test(message)) return t('reset.err_repeated');
  return t('signup.err_password_bad');
}

if (!TOKEN_RE.test(token)) {
  showPanel('gone');
} else {
  form.hidden = false;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors();
    const password = form.elements.password.value;
    const errors = check(password, form.elements.password2.value);
    if (errors.length) { showErrors(errors); return; }
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      const res = await fetch('/api/v1/password-resets/' + encodeURIComponent(token), {
        method: 'POST',
        credentials: 'omit',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ password }),
      });
      if (res.status === 204) { showPanel('done'); return; }
      if (res.status === 410) { showPanel('gone'); return; }
      if (res.status === 422) {
        const body = await res.json().catch(() => ({}));
        const err = (body.errors || []).find((x) => x.field === 'password');
        showErrors([{ field: 'password', text: serverReason(err ? err.message : '') }]);
        return;
      }
      showErrors([{ field: 'password', text: t('reset.err_failed') }]);
    } catch {
      showErrors([{ field: 'password', text: t('error.network') }]);
    } finally {
      button.disabled = false;
    }
  });
}
