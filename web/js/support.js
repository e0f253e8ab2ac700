// support.js: the message to technical support. Anyone may send it; for a
// logged-in visitor the name and e-mail are filled in from the account (and
// may be changed). The page the visitor came from is offered as the page
// with the problem. After sending, the message's number is shown.
import { t } from './i18n.js';
import { api, session, ApiError } from './api.js';
import { accountNav, formErrors, reveal } from './ui.js';

const form = document.getElementById('support-form');
const errors = formErrors();
const FIELDS = ['name', 'email', 'topic', 'body', 'page_url'];

// The referring page of this site (never another site, never this page).
function cameFrom() {
  try {
    const u = new URL(document.referrer);
    if (u.origin !== location.origin || u.pathname === location.pathname) return '';
    return u.href;
  } catch {
    return '';
  }
}
form.elements.page_url.value = cameFrom();

accountNav().then((s) => {
  if (!s) return;
  const { name, email } = form.elements;
  if (!name.value) name.value = s.account.full_name || '';
  if (!email.value) email.value = s.account.email || '';
}).catch(() => { /* the form works for guests */ });

const chars = (s) => [...s].length;

function check(v) {
  const problems = [];
  if (!v.name) problems.push({ field: 'name', text: t('support.err_name') });
  else if (chars(v.name) > 200) problems.push({ field: 'name', text: t('support.err_name_long') });
  if (!v.email) problems.push({ field: 'email', text: t('support.err_email') });
  else if (v.email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.email)) problems.push({ field: 'email', text: t('support.err_email_format') });
  if (!v.topic) problems.push({ field: 'topic', text: t('support.err_topic') });
  else if (chars(v.topic) > 200) problems.push({ field: 'topic', text: t('support.err_topic_long') });
  if (!v.body.trim()) problems.push({ field: 'body', text: t('support.err_body') });
  else if (chars(v.body) > 5000) problems.push({ field: 'body', text: t('support.err_body_long') });
  if (v.page_url) {
    if (chars(v.page_url) > 2000) problems.push({ field: 'page_url', text: t('support.err_page_long') });
    else if (!/^(https?:\/\/\S|\/(?![/\\]))/i.test(v.page_url)) problems.push({ field: 'page_url', text: t('support.err_page') });
  }
  return problems;
}

// The server's reasons are in English: each field's in plain words.
function serverReason(field, message) {
  const long = /at most|too long/i.test(message);
  if (field === 'name') {
    if (long) return t('support.err_name_long');
    return /single line/.test(message) ? t('support.err_name_line') : t('support.err_name');
  }
  if (field === 'email') return /required|empty/.test(message) ? t('support.err_email') : t('support.err_email_format');
  if (field === 'topic') return long ? t('support.err_topic_long') : t('support.err_topic');
  if (field === 'body') return long ? t('support.err_body_long') : t('support.err_body');
  if (field === 'page_url') return long ? t('support.err_page_long') : t('support.err_page');
  return t('error.generic');
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  errors.clear();
  const v = {
    name: form.elements.name.value.trim().replace(/\s+/g, ' '),
    email: form.elements.email.value.trim(),
    topic: form.elements.topic.value.trim().replace(/\s+/g, ' '),
    body: form.elements.body.value,
    page_url: form.elements.page_url.value.trim(),
  };
  const problems = check(v);
  if (problems.length) { errors.show(problems); return; }
  if (!v.page_url) delete v.page_url;
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    await session().catch(() => null); // a logged-in visitor needs the CSRF token
    const res = await api('POST', '/api/v1/support-messages', v);
    form.hidden = true;
    errors.clear();
    document.getElementById('done-number').textContent = String(res.id);
    document.getElementById('done-text').textContent = t('support.done_text', { email: v.email });
    reveal('done');
  } catch (err) {
    button.disabled = false;
    if (!(err instanceof ApiError)) { errors.show([{ field: null, text: t('error.network') }]); return; }
    if (err.status === 422 && err.fields.length) {
      errors.show(err.fields.map((f) => ({
        field: FIELDS.includes(f.field) ? f.field : null,
        text: serverReason(f.field, f.message || ''),
      })));
      return;
    }
    if (err.status === 429) { errors.show([{ field: null, text: t('support.err_rate') }]); return; }
    if (err.status === 413) { errors.show([{ field: 'body', text: t('support.err_too_big') }]); return; }
    errors.show([{ field: null, text: t('error.generic') }]);
  }
});
