// email-confirm.js: on "my proposals", a note when the account's e-mail
// address is not confirmed yet, with a button that sends the link again
// (POST /api/v1/me/email-confirmation).
import { api } from './api.js';
import { t } from './i18n.js';

async function run() {
  const box = document.getElementById('confirm-box');
  let me;
  try { me = await api('GET', '/api/v1/me'); } catch { return; }
  if (!me || me.email_confirmed !== false) return;
  box.hidden = false;
  const button = document.getElementById('confirm-resend');
  const status = document.getElementById('confirm-status');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await api('POST', '/api/v1/me/email-confirmation');
      status.textContent = t('confirm.sent');
    } catch (e) {
      status.textContent = e.status === 429 ? t('confirm.limit') : t('error.generic');
      button.disabled = false;
    }
  });
}

run();
