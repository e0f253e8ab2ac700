// login.js: logs in (POST /api/v1/session sets the HttpOnly cookie) and goes
// back to the page the visitor came from (?next=, same site only). Also
// the page that links a sign-in through the identity provider to an
// existing account (oidc-link.html): the server links it on this login.
import { t } from './i18n.js';
import { login, ApiError } from './api.js';
import { accountNav, formErrors, oidcSignin, safeNext } from './ui.js';

const form = document.getElementById('login-form');
const errors = formErrors();
const next = safeNext(new URLSearchParams(location.search).get('next'));
const signup = document.getElementById('signup-link');
if (signup) signup.href = '/signup.html?next=' + encodeURIComponent(next);
accountNav();
oidcSignin('oidc-signin', next);

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  errors.clear();
  const email = form.elements.email.value.trim();
  const password = form.elements.password.value;
  const problems = [];
  if (!email) problems.push({ field: 'email', text: t('login.err_email') });
  if (!password) problems.push({ field: 'password', text: t('login.err_password') });
  if (problems.length) { errors.show(problems); return; }
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    await login(email, password);
    location.assign(next);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) errors.show([{ field: 'email', text: t('login.err_wrong') }]);
    else if (err instanceof ApiError && err.status === 429) errors.show([{ field: 'email', text: t('login.err_rate') }]);
    else if (err instanceof ApiError) errors.show([{ field: 'email', text: t('error.generic') }]);
    else errors.show([{ field: 'email', text: t('error.network') }]);
    button.disabled = false;
  }
});
