// properties.js: the visitor's land plots and buildings ("Моя
// недвижимость"): each with its state — verified (by a moderator, from the
// rights register, through the state identity provider), waiting for a
// moderator, or refused with the moderator's reason — and the form to
// declare one by cadastral number, looked up in the parcels layer
// (GET and POST /api/v1/me/properties).
import { t, tp, fmtDate } from './i18n.js';
import { api, ApiError } from './api.js';
import { el, accountNav, formErrors, reveal, here } from './ui.js';

const state = document.getElementById('state');
const form = document.getElementById('property-form');
const errors = formErrors();
// NN:NN:NNNNNN(N):N..., as the API checks it
const CADASTRAL = /^\d{2}:\d{2}:\d{6,7}:\d{1,10}$/;

function stateOf(p) {
  return p.status || (p.verified ? 'verified' : 'pending');
}

function item(p) {
  const st = stateOf(p);
  const tag = st === 'verified' ? 'open' : st === 'pending' ? 'announced' : 'cancelled';
  const key = st === 'verified' ? 'verified' : st === 'pending' ? 'pending' : 'refused';
  const lines = [];
  if (st === 'verified') {
    lines.push(el('p', { text: t('prop.by_' + (p.verified_by || 'moderator'), { date: fmtDate(p.verified_at) }) }),
      el('p', { text: t('prop.verified_more') }));
  } else if (st === 'pending') {
    lines.push(el('p', { text: t('prop.pending_text') }));
  } else {
    lines.push(el('p', { text: t('prop.refused_text', { note: p.note || '—' }) }),
      el('p', {}, t('prop.refused_next') + ' ', el('a', { href: '/support.html', text: t('footer.support') })));
  }
  return el('li', { id: 'property-' + p.id },
    el('h3', { text: t('prop.number', { n: p.cadastral_number }) }),
    el('p', {}, el('strong', { class: 'tag tag--' + tag, text: t('prop.st_' + key) })),
    ...lines);
}

function showList(items) {
  document.getElementById('count').textContent = items.length ? tp('prop.count_n', items.length) : t('prop.none');
  document.getElementById('list').replaceChildren(...items.map(item));
  document.getElementById('current').hidden = false;
}

async function load() {
  const r = await api('GET', '/api/v1/me/properties');
  showList(r.items || []);
}

async function main() {
  const s = await accountNav();
  if (!s) {
    state.replaceChildren(t('prop.login_first') + ' ', el('a', { href: '/login.html?next=' + encodeURIComponent(here()), text: t('nav.login') }));
    return;
  }
  try {
    await load();
  } catch {
    state.textContent = t('error.generic');
    return;
  }
  state.hidden = true;
  form.hidden = false;
}

// The message beside the field for the API's refusal.
function apiError(err) {
  if (!(err instanceof ApiError)) return { field: null, text: t('error.network') };
  const f = err.fields.find((x) => x.field === 'cadastral_number');
  if (err.status === 409) return { field: 'cadastral_number', text: /already/.test(f?.message || '') ? t('prop.err_duplicate') : t('prop.err_limit') };
  if (err.status === 422 && f) return { field: 'cadastral_number', text: /not found/.test(f.message) ? t('prop.err_not_found') : t('prop.err_format') };
  return { field: null, text: t('error.generic') };
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  errors.clear();
  document.getElementById('saved').hidden = true;
  const number = form.elements.cadastral_number.value.replace(/\s+/g, '');
  if (!number) { errors.show([{ field: 'cadastral_number', text: t('prop.err_required') }]); return; }
  if (!CADASTRAL.test(number)) { errors.show([{ field: 'cadastral_number', text: t('prop.err_format') }]); return; }
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    await api('POST', '/api/v1/me/properties', { cadastral_number: number });
    form.reset();
    await load().catch(() => null);
    reveal('saved');
  } catch (err) {
    errors.show([apiError(err)]);
  } finally {
    button.disabled = false;
  }
});

main();
