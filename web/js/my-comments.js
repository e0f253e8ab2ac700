// my-comments.js: the visitor's own submissions in every state, with the
// registration number and the moderator's decision (GET /api/v1/me/comments);
// per discussion, links to the printable extract of the protocol
// (GET /api/v1/me/extract.html and .pdf) once the protocol is issued.
import { t, fmtDateTime } from './i18n.js';
import { api } from './api.js';
import { el, accountNav, here } from './ui.js';
import { myAppeals, appealBlock } from './appeal-form.js';
import { recommendations, outcomeBlock } from './outcome.js';

const state = document.getElementById('state');
const list = document.getElementById('list');

// One entry per discussion the visitor took part in, in the order of their
// submissions: the extract's links when the protocol is issued, else why not.
async function showExtracts(items) {
  const ids = [...new Set(items.map((c) => c.discussion_id))];
  if (!ids.length) return;
  const discussions = await Promise.all(ids.map((id) => api('GET', '/api/v1/discussions/' + id).catch(() => null)));
  document.getElementById('extract-list').replaceChildren(...ids.map((id, i) => {
    const d = discussions[i];
    const titleId = `extract-${id}-title`;
    const q = '?discussion=' + encodeURIComponent(id);
    return el('li', { id: 'extract-' + id },
      el('h3', { id: titleId, text: d ? d.title : t('mine.discussion_n', { id }) }),
      d?.reports?.protocol
        ? el('p', {},
          el('a', { id: `extract-${id}-html`, href: '/api/v1/me/extract.html' + q, 'aria-describedby': titleId, text: t('mine.extract_html') }),
          ' · ',
          el('a', { id: `extract-${id}-pdf`, href: '/api/v1/me/extract.pdf' + q, 'aria-describedby': titleId, text: t('mine.extract_pdf') }))
        : el('p', { class: 'meta', text: d ? t('mine.extract_later') : t('mine.extract_unknown') }));
  }));
  document.getElementById('extracts').hidden = false;
}

async function main() {
  const s = await accountNav();
  if (!s) {
    state.replaceChildren(t('mine.login_first') + ' ', el('a', { href: '/login.html?next=' + encodeURIComponent(here()), text: t('nav.login') }));
    return;
  }
  const items = [];
  try {
    let cursor = null;
    for (let i = 0; i < 20; i++) {
      const q = new URLSearchParams({ limit: '500' });
      if (cursor) q.set('cursor', cursor);
      const page = await api('GET', '/api/v1/me/comments?' + q);
      items.push(...page.items);
      cursor = page.next;
      if (!cursor) break;
    }
  } catch {
    state.textContent = t('error.generic');
    return;
  }
  const appeals = await myAppeals(); // appeals against rejections (issue 14)
  // the recommendations of published conclusions (outcome.js)
  const outcome = await recommendations(await Promise.all([...new Set(items.map((c) => c.discussion_id))]
    .map((did) => api('GET', '/api/v1/discussions/' + did).catch(() => null))));
  state.textContent = items.length ? t('mine.count', { n: items.length }) : t('mine.none');
  list.replaceChildren(...items.map((c) => el('li', { class: 'mine' },
    el('h2', { class: 'mine__number', text: c.registration_number ? t('comment.number', { n: c.registration_number }) : t('kind.' + c.kind) }),
    el('p', {}, el('strong', { class: 'tag tag--c-' + c.status, text: t('cstatus.' + c.status) }), ' ',
      el('span', { class: 'meta', text: t('kind.' + c.kind) + ' · ' + fmtDateTime(c.created_at) })),
    el('p', { class: 'comment__body', text: c.body }),
    c.moderation_reason ? el('p', { text: t('mine.reason', { reason: c.moderation_reason }) }) : null,
    outcomeBlock(outcome, c.id),
    appealBlock(c, appeals),
    el('p', {}, el('a', { href: '/discussion.html?id=' + c.discussion_id + (c.status === 'published' ? '#comment-' + c.id : ''), text: t('mine.open_discussion') })),
  )));
  await showExtracts(items);
}

main();
