// forgot.js: "forgot my password" — asks the API to e-mail a reset link.
// The answer is the same whether or not the address is registered.
import { t } from './i18n.js';

const summary = document.getElementById('error-summary');
const list = document.getElementById('error-list');
const form = document.getElementById('forgot-form');
const input = document.getElementById('email');

function clearErrors() {
  summary.hidden = true;
  list.replaceChildren();
  const msg = document.getElementById('email-error');
  msg.hidden = true;
  msg.textContent = '';
  document.getElementById('email-field').classList.remove('field--error');
  input.removeAttribute('aria-invalid');
  input.setAttribute('aria-describedby', 'email-hint');
}

// Shows one error: in the summary (linking to the field) and beside the field.
function showError(text) {
  const li = document.createElement('li');
  const a = document.createElement('a');
  a.href = '#email';
  a.textContent = text;
  a.addEventListener('click', (e) => { e.preventDefault(); input.focus(); });
  li.append(a);
  list.replaceChildren(li);
  const msg = document.getElementById('email-error');
  msg.textContent = t('error.prefix') + text;
  msg.hidden = false;
  document.getElementById('email-field').classList.add('field--error');
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', 'email-hint email-error');
  summary.hidden = false;
  summary.focus();
}

function check(value) {
  if (!value) return t('signup.err_email');
  if (value.length > 254) return t('forgot.err_email_long');
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
    return t('signup.err_email_format');
  }
  return null;
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  clearErrors();
  const email = input.value.trim();
  const problem = check(email);
  if (problem) { showError(problem); return; }
  const button = form.querySelector('button');
  button.disabled = true;
  try {
    // credentials: 'omit': the request needs no session (and so no CSRF token)
    const res = await fetch('/api/v1/password-resets', {
      method: 'POST',
      credentials: 'omit',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email }),
    });
    if (res.status === 202) {
      form.hidden = true;
      const done = document.getElementById('done');
      done.hidden = false;
      done.focus();
      return;
    }
    if (res.status === 422) {
      showError(t('signup.err_email_format'));
    } else {
      showError(t('forgot.err_failed'));
    }
  } catch {
    showError(t('error.network'));
  } finally {
    button.disabled = false;
  }
});
