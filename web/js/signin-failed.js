// signin-failed.js: where a sign-in through the identity provider ends when
// it fails (/auth/oidc/callback sends ?reason=...): says what happened in
// plain words and offers the ways back. Nothing was created on the server.
import { t } from './i18n.js';
import { accountNav } from './ui.js';

const known = ['state', 'expired', 'denied', 'provider', 'token', 'unavailable'];
const reason = new URLSearchParams(location.search).get('reason');
accountNav();
document.getElementById('failed-reason').textContent =
  t(known.includes(reason) ? 'oidc.failed.' + reason : 'oidc.failed.generic');
