// signup.js: creates an account (with the consent to personal data
// processing), logs in and goes on to the residence page.
import { t } from './i18n.js';
import { api, login, ApiError } from './api.js';
import { accountNav, formErrors, oidcSignin, safeNext } from './ui.js';

const form = document.getElementById('signup-form');
const errors = formErrors();
const next = safeNext(new URLSearchParams(location.search).get('next'));
document.getElementById('login-link').href = '/login.html?next=' + encodeURIComponent(next);
oidcSignin('oidc-signin', next);
accountNav();

function check(v) {
  const problems = [];
  if (!v.full_name) problems.push({ field: 'full_name', text: t('signup.err_name') });
  if (!v.email) problems.push({ field: 'email', text: t('signup.err_email') });
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.email)) problems.push({ field: 'email', text: t('signup.err_email_format') });
  if (!v.password) problems.push({ field: 'password', text: t('signup.err_password') });
  else if ([...v.password].length < 10) problems.push({ field: 'password', text: t('signup.err_password_short') });
  if (!v.consent) problems.push({ field: 'consent', text: t('signup.err_consent') });
  return problems;
}

// The server's reasons are in English; the common ones in plain words.
function serverReason(field, message) {
  if (field === 'password') {
    if (/common/i.test(message)) return t('signup.err_password_common');
    if (/e-mail/i.test(message)) return t('signup.err_password_email');
    if (/at least/i.test(message)) return t('signup.err_password_short');
    return t('signup.err_password_bad');
  }
  if (field === 'email') return t('signup.err_email_format');
  if (field === 'full_name') return t('signup.err_name');
  if (field === 'consent') return t('signup.err_consent');
  return message;
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  errors.clear();
  const v = {
    full_name: form.elements.full_name.value.trim(),
    email: form.elements.email.value.trim(),
    password: form.elements.password.value,
    consent: form.elements.consent.checked,
  };
  const problems = check(v);
  if (problems.length) { errors.show(problems); return; }
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    await api('POST', '/api/v1/accounts', v);
    await login(v.email, v.password);
    location.assign(next === '/' ? '/residence.html' : next);
  } catch (err) {
    button.disabled = false;
    if (!(err instanceof ApiError)) { errors.show([{ field: null, text: t('error.network') }]); return; }
    if (err.status === 409) { errors.show([{ field: 'email', text: t('signup.err_taken') }]); return; }
    if (err.status === 422 && err.fields.length) {
      errors.show(err.fields.map((f) => ({ field: ['full_name', 'email', 'password', 'consent'].includes(f.field) ? f.field : null, text: serverReason(f.field, f.message) })));
      return;
    }
    errors.show([{ field: null, text: t('error.generic') }]);
  }
});
