// news.js: the news page. Everyone reads the items (GET /api/v1/news,
// newest first, with "more"); moderators also get the form that publishes
// one (POST /api/v1/news) with an optional link to a discussion.
import { t, fmtDate } from './i18n.js';
import { api, session } from './api.js';
import { el, accountNav, formErrors } from './ui.js';

const state = document.getElementById('state');
const list = document.getElementById('news-list');
let next = null;

// One item as an <li>: also used by the home page (news-home.js).
export function newsItem(n, headingTag = 'h3') {
  const body = el('div', { class: 'news-item__body' },
    ...n.body.split(/\n\s*\n/).map((p) => el('p', { text: p })));
  return el('li', { id: 'news-' + n.id, class: 'news-item' },
    el(headingTag, { text: n.title }),
    el('p', { class: 'meta' }, el('time', { datetime: n.published_at, text: fmtDate(n.published_at) })),
    body,
    n.discussion
      ? el('p', {}, el('a', { href: '/discussion.html?id=' + n.discussion.id, text: t('news.to_discussion', { title: n.discussion.title }) }))
      : null);
}

async function load(more) {
  try {
    const page = await api('GET', '/api/v1/news?limit=20' + (more && next ? '&cursor=' + encodeURIComponent(next) : ''));
    if (!more) list.replaceChildren();
    list.append(...page.items.map((n) => newsItem(n)));
    next = page.next;
    state.textContent = list.children.length ? '' : t('news.empty');
    let button = document.getElementById('news-more');
    if (next && !button) {
      button = el('button', { type: 'button', id: 'news-more', class: 'secondary', text: t('news.more'), onclick: () => load(true) });
      list.after(button);
    } else if (!next && button) {
      button.remove();
    }
  } catch {
    state.textContent = t('error.generic');
  }
}

async function publishForm() {
  const s = await session().catch(() => null);
  const role = s && s.account.role;
  if (role !== 'moderator' && role !== 'admin') return;
  document.getElementById('publish').hidden = false;
  const select = document.getElementById('discussion_id');
  api('GET', '/api/v1/discussions?limit=500').then((page) => {
    select.append(...page.items.filter((d) => d.status !== 'draft')
      .map((d) => el('option', { value: String(d.id), text: d.title })));
  }).catch(() => {});
  const form = document.getElementById('news-form');
  const errors = formErrors();
  const done = document.getElementById('publish-status');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    errors.clear();
    done.textContent = '';
    const title = form.elements.title.value.trim();
    const body = form.elements.body.value.trim();
    const problems = [];
    if (!title) problems.push({ field: 'title', text: t('news.err_title') });
    if (!body) problems.push({ field: 'body', text: t('news.err_body') });
    if (problems.length) { errors.show(problems); return; }
    const payload = { title, body };
    if (select.value) payload.discussion_id = Number(select.value);
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      await api('POST', '/api/v1/news', payload);
      form.reset();
      done.textContent = t('news.published');
      await load(false);
    } catch (err) {
      const fields = (err.fields || []).filter((f) => ['title', 'body', 'discussion_id'].includes(f.field));
      errors.show(fields.length
        ? fields.map((f) => ({ field: f.field, text: t('news.err_' + f.field) }))
        : [{ field: null, text: t('error.generic') }]);
    } finally {
      button.disabled = false;
    }
  });
}

if (list) {
  accountNav();
  load(false);
  publishForm();
}
