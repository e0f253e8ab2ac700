// follow.js: on the discussion page, following the discussion (e-mail on
// stage changes and official answers) for a logged-in person, and the link
// to the discussion's Atom feed of published comments and answers (also
// put in the page head as <link rel="alternate">).
import { api, session } from './api.js';
import { t } from './i18n.js';

const id = Number(new URLSearchParams(location.search).get('id'));
const box = document.getElementById('follow-box');
const button = document.getElementById('follow-button');
const status = document.getElementById('follow-status');

function feedLink() {
  const href = '/feeds/discussions/' + id + '/comments.atom';
  const link = document.createElement('link');
  link.rel = 'alternate';
  link.type = 'application/atom+xml';
  link.title = t('follow.feed');
  link.href = href;
  document.head.append(link);
  document.getElementById('comments-feed').href = href;
}

function show(state) {
  button.setAttribute('aria-pressed', state.following ? 'true' : 'false');
  button.textContent = state.following ? t('follow.stop') : t('follow.start');
  status.textContent = state.following
    ? (state.email_confirmed ? t('follow.on') : t('follow.unconfirmed'))
    : '';
}

async function run() {
  if (!Number.isInteger(id) || id < 1) return;
  feedLink();
  box.hidden = false;
  const s = await session().catch(() => null);
  if (!s) {
    button.hidden = true;
    status.textContent = t('follow.login');
    return;
  }
  let state;
  try {
    state = await api('GET', '/api/v1/discussions/' + id + '/follow');
  } catch {
    button.hidden = true;
    return;
  }
  show(state);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      state = await api(state.following ? 'DELETE' : 'PUT', '/api/v1/discussions/' + id + '/follow');
      show(state);
    } catch {
      status.textContent = t('error.generic');
    } finally {
      button.disabled = false;
    }
  });
}

run();
