// moderation.js: the moderator console (moderation.html). One section at a
// time, chosen by the links at the top (#queue, #offline, ...): the comments
// waiting for a decision with publish / reject (a standard reason) and the
// organizer's official answer; a proposal entered for its author from paper;
// the queue of residences and properties to verify; moving a discussion to
// its next stage; the moderation log; a new project, a new draft discussion
// with its territory drawn or loaded from a GeoJSON file, a document upload.
// Visitors who are not moderators see a message and a login link.
import { t, has, tOr, fmtDateTime, fmtDate } from './i18n.js';
import { api, session, ApiError } from './api.js';
import { el, accountNav, formErrors, reveal, statusName } from './ui.js';
import { createMap } from './map.js';

const $ = (id) => document.getElementById(id);
const SECTIONS = ['queue', 'offline', 'verify', 'stage', 'log', 'project', 'discussion', 'document'];
// next stages a moderator may choose; the server has the last word (409)
const NEXT = {
  draft: ['announced'], announced: ['open'], open: ['closed'], closed: ['protocol'], protocol: ['concluded'],
};
const errors = formErrors();
let csrf = null;
let reasons = [];
const loaded = new Set();

// Runs fn; an API refusal becomes the error summary. fields maps the
// server's field names (or a test on them) to the page's control ids.
async function guarded(fn, fields = {}, fallbackField = null) {
  errors.clear();
  try {
    return await fn();
  } catch (e) {
    let list;
    if (e instanceof ApiError) {
      list = e.fields.map((f) => {
        const key = Object.keys(fields).find((k) => f.field === k || f.field.endsWith('.' + k));
        return { field: key ? fields[key] : null, text: f.text };
      });
      if (!list.length) {
        let text = e.body.code ? e.message : t('error.generic');
        if (e.status === 409) text = t('mod.conflict', { detail: text });
        if (e.status === 401 || e.status === 403) text = e.status === 401 ? t('mod.session_gone') : text;
        list = [{ field: e.status === 403 ? fallbackField : null, text }];
      }
    } else {
      list = [{ field: null, text: t('error.network') }];
    }
    errors.show(list);
    return undefined;
  }
}

function fail(list) {
  errors.show(list);
  return false;
}

// ---------- sections ----------
function showSection() {
  const name = SECTIONS.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'queue';
  errors.clear();
  for (const s of SECTIONS) $(s).hidden = s !== name;
  for (const a of document.querySelectorAll('.mod-tabs a')) {
    if (a.getAttribute('href') === '#' + name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!loaded.has(name)) {
    loaded.add(name);
    if (name === 'verify') loadVerifications();
    if (name === 'log') loadLog(true);
    if (name === 'stage') showStage();
    if (name === 'discussion') initMap();
  }
  return name;
}

// ---------- lists used by several forms ----------
function discussionLabel(d) {
  return t('mod.discussion_option', { id: d.id, title: d.title, status: statusName(d.status) });
}

async function fillDiscussions() {
  const list = await api('GET', '/api/v1/discussions?limit=500');
  for (const id of ['q-discussion', 'o-discussion', 's-discussion']) {
    const select = $(id);
    const keep = select.value;
    select.replaceChildren(...list.items.map((d) => el('option', { value: d.id, text: discussionLabel(d) })));
    if (keep && list.items.some((d) => String(d.id) === keep)) select.value = keep;
  }
}

async function fillProjects() {
  const list = await api('GET', '/api/v1/projects?limit=500');
  for (const id of ['d-project', 'u-project']) {
    const select = $(id);
    const keep = select.value;
    select.replaceChildren(...list.items.map((p) => el('option', { value: p.id, text: t('mod.project_option', { id: p.id, title: p.title }) })));
    if (keep) select.value = keep;
  }
}

// ---------- (1) the queue of comments ----------
function kindName(kind) {
  return has('kind.' + kind) ? t('kind.' + kind) : kind;
}

function queueItem(c) {
  const n = 'mq-' + c.id;
  const item = el('li', { id: n, class: 'mod-item' },
    el('h3', { id: n + '-num', class: 'mod-item__title', text: `${c.registration_number || t('mod.no_number')} · ${kindName(c.kind)}` }),
    el('p', { class: 'meta', text: t('mod.comment_meta', {
      author: c.on_behalf_of?.full_name || c.author_name || '—',
      channel: t('mod.channel.' + (c.channel || 'online')),
      at: fmtDateTime(c.created_at),
    }) }),
    c.on_behalf_of ? el('p', { class: 'meta', text: t('mod.on_behalf', { birth: c.on_behalf_of.birth_date, address: c.on_behalf_of.address }) }) : null,
    el('p', { class: 'mod-item__body', text: c.body }),
    c.moderation_reason ? el('p', { class: 'meta', text: t('mine.reason', { reason: c.moderation_reason }) }) : null,
  );
  const buttons = el('div', { class: 'button-row' });
  item.append(buttons);
  if (c.status === 'pending') {
    const rejectForm = rejectFormFor(c, n);
    buttons.append(
      el('button', { type: 'button', id: n + '-publish', 'aria-describedby': n + '-num', text: t('mod.publish'), onclick: () => publish(c, item) }),
      el('button', { type: 'button', id: n + '-reject', class: 'secondary', 'aria-describedby': n + '-num', 'aria-expanded': 'false', 'aria-controls': n + '-rj',
        text: t('mod.reject'), onclick: (e) => toggle(e.currentTarget, rejectForm, n + '-rj-code') }),
    );
    item.append(rejectForm);
  } else if (c.status === 'published' && !c.official) {
    const answerForm = answerFormFor(c, n);
    buttons.append(el('button', { type: 'button', id: n + '-answer', class: 'secondary', 'aria-describedby': n + '-num', 'aria-expanded': 'false', 'aria-controls': n + '-an',
      text: t('mod.answer'), onclick: (e) => toggle(e.currentTarget, answerForm, n + '-an-body') }));
    item.append(answerForm);
  }
  return item;
}

function toggle(button, form, focusId) {
  const open = form.hidden;
  form.hidden = !open;
  button.setAttribute('aria-expanded', String(open));
  if (open) $(focusId).focus();
}

function fieldBox(id, label, hint, control) {
  return el('div', { class: 'field', id: id + '-field' },
    el('label', { for: id, text: label }),
    el('p', { class: 'hint', id: id + '-hint', text: hint }),
    el('p', { class: 'error-message', id: id + '-error', hidden: true }),
    control);
}

function rejectFormFor(c, n) {
  const code = n + '-rj-code';
  const text = n + '-rj-text';
  const form = el('form', { id: n + '-rj', class: 'mod-subform', novalidate: true, hidden: true },
    fieldBox(code, t('mod.reason'), t('mod.reason_hint'),
      el('select', { id: code, 'aria-describedby': code + '-hint' },
        el('option', { value: '', text: t('mod.reason_choose') }),
        ...reasons.map((r) => el('option', { value: r.code, text: tOr('reason.' + r.code, r.title) })))),
    fieldBox(text, t('mod.reason_text'), t('mod.reason_text_hint'),
      el('textarea', { id: text, rows: 3, maxlength: 2000, 'aria-describedby': text + '-hint' })),
    el('button', { type: 'submit', id: n + '-rj-send', class: 'warning', text: t('mod.reject_send') }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { decision: 'reject' };
    const vCode = $(code).value;
    const vText = $(text).value.trim();
    errors.clear();
    if (!vCode) return fail([{ field: code, text: t('mod.err_reason') }]);
    if (vCode === 'other' && !vText) return fail([{ field: text, text: t('mod.err_reason_text') }]);
    body.reason_code = vCode;
    if (vText) body.reason = vText;
    const ok = await guarded(() => api('POST', `/api/v1/comments/${c.id}/moderation`, body), { reason_code: code, reason: text });
    if (ok !== undefined) leaveQueue(form.closest('li'), t('mod.rejected', { number: c.registration_number }));
    return true;
  });
  return form;
}

function answerFormFor(c, n) {
  const id = n + '-an-body';
  const form = el('form', { id: n + '-an', class: 'mod-subform', novalidate: true, hidden: true },
    fieldBox(id, t('mod.answer_text'), t('mod.answer_hint'),
      el('textarea', { id, rows: 4, maxlength: 5000, 'aria-describedby': id + '-hint' })),
    el('button', { type: 'submit', id: n + '-an-send', text: t('mod.answer_send') }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    errors.clear();
    const body = $(id).value.trim();
    if (!body) return fail([{ field: id, text: t('mod.err_answer') }]);
    const r = await guarded(() => api('POST', `/api/v1/discussions/${c.discussion_id}/comments`, { body, parent_id: c.id }), { body: id, parent_id: id });
    if (r !== undefined) {
      form.replaceWith(el('p', { class: 'panel', text: t('mod.answered') }));
      $('queue-state').textContent = t('mod.answered');
    }
    return true;
  });
  return form;
}

async function publish(c, item) {
  const ok = await guarded(() => api('POST', `/api/v1/comments/${c.id}/moderation`, { decision: 'publish' }));
  if (ok !== undefined) leaveQueue(item, t('mod.published', { number: c.registration_number }));
}

function leaveQueue(item, message) {
  item.remove();
  const left = $('queue-list').children.length;
  const state = $('queue-state');
  state.textContent = message + ' ' + (left ? t('mod.queue_left', { n: left }) : t('mod.queue_empty'));
  state.setAttribute('tabindex', '-1');
  state.focus();
}

async function loadQueue() {
  const id = $('q-discussion').value;
  const status = $('q-status').value;
  if (!id) return;
  $('queue-state').textContent = t('loading');
  const items = [];
  await guarded(async () => {
    let cursor = null;
    do {
      const page = await api('GET', `/api/v1/discussions/${id}/comments?status=${status}&limit=100${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`);
      items.push(...page.items);
      cursor = page.next;
    } while (cursor && items.length < 1000);
  });
  // chosen otherwise meanwhile: the newer call shows its own list
  if ($('q-discussion').value !== id || $('q-status').value !== status) return;
  $('queue-list').replaceChildren(...items.map(queueItem));
  $('queue-state').textContent = items.length ? t('mod.queue_count', { n: items.length }) : t('mod.queue_none_' + status);
}

// ---------- (2) a proposal entered for its author ----------
async function sendOffline(e) {
  e.preventDefault();
  errors.clear();
  const v = (id) => $(id).value.trim();
  const list = [];
  if (!v('o-discussion')) list.push({ field: 'o-discussion', text: t('mod.err_discussion') });
  if (!v('o-name')) list.push({ field: 'o-name', text: t('mod.err_name') });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v('o-birth'))) list.push({ field: 'o-birth', text: t('mod.err_birth') });
  if (!v('o-address')) list.push({ field: 'o-address', text: t('mod.err_address') });
  const lon = v('o-lon').replace(',', '.');
  const lat = v('o-lat').replace(',', '.');
  let location;
  if (lon || lat) {
    if (!/^-?\d+(\.\d+)?$/.test(lon) || !/^-?\d+(\.\d+)?$/.test(lat) || Math.abs(+lon) > 180 || Math.abs(+lat) > 90) {
      list.push({ field: 'o-point', text: t('mod.err_point') });
    } else {
      location = { type: 'Point', coordinates: [Number(lon), Number(lat)] };
    }
  }
  if (!v('o-body')) list.push({ field: 'o-body', text: t('mod.err_body') });
  // a right holder: the land plot is checked against the territory (issue 14)
  const holder = $('o-basis-holder').checked;
  if (holder && !v('o-cadastral')) list.push({ field: 'o-cadastral', text: t('mod.err_cadastral') });
  if (list.length) return fail(list);
  const body = {
    kind: v('o-kind'), body: v('o-body'), channel: v('o-channel'),
    on_behalf_of: {
      full_name: v('o-name'), birth_date: v('o-birth'), address: v('o-address'), ...(location ? { location } : {}),
      ...(holder ? { basis: 'rightholder', cadastral_number: v('o-cadastral') } : {}),
    },
  };
  const r = await guarded(() => api('POST', `/api/v1/discussions/${v('o-discussion')}/comments`, body), {
    full_name: 'o-name', birth_date: 'o-birth', address: 'o-address', location: 'o-point', body: 'o-body', kind: 'o-kind', channel: 'o-channel', cadastral_number: 'o-cadastral',
  }, 'o-address');
  if (r === undefined) return false;
  $('offline-number').textContent = r.registration_number;
  for (const id of ['o-name', 'o-birth', 'o-address', 'o-lon', 'o-lat', 'o-body', 'o-cadastral']) $(id).value = '';
  reveal('offline-done');
  return true;
}

// ---------- (3) verification queue ----------
function verifyItem(v, i) {
  const n = 'vf-' + i;
  const what = v.type === 'property' || v.property_id ? t('mod.verify_property', { number: v.cadastral_number || '' }) : t('mod.verify_residence');
  const note = n + '-note';
  const refuseForm = el('form', { id: n + '-refuse-form', class: 'mod-subform', novalidate: true, hidden: true },
    fieldBox(note, t('mod.verify_note'), t('mod.verify_note_hint'),
      el('textarea', { id: note, rows: 3, maxlength: 2000, 'aria-describedby': note + '-hint' })),
    el('button', { type: 'submit', class: 'warning', text: t('mod.verify_refuse_send') }));
  // an address the state account attested that the register cannot place:
  // confirming means putting it on the map (a click, or the coordinates)
  const placing = v.type === 'residence' && v.source === 'identity_provider' && !v.geometry;
  const lon = n + '-lon';
  const lat = n + '-lat';
  const placeForm = placing ? el('form', { id: n + '-place-form', class: 'mod-subform', novalidate: true, hidden: true },
    el('p', { class: 'hint', id: n + '-place-hint', text: t('mod.place_hint') }),
    el('div', { id: n + '-map', class: 'mod-place-map' }),
    fieldBox(lon, t('mod.place_lon'), t('mod.place_coord_hint'),
      el('input', { id: lon, type: 'text', inputmode: 'decimal', class: 'input--short', 'aria-describedby': lon + '-hint' })),
    fieldBox(lat, t('mod.place_lat'), t('mod.place_coord_hint'),
      el('input', { id: lat, type: 'text', inputmode: 'decimal', class: 'input--short', 'aria-describedby': lat + '-hint' })),
    el('button', { type: 'submit', text: t('mod.place_send') })) : null;
  const item = el('li', { id: n, class: 'mod-item' },
    el('h3', { id: n + '-title', class: 'mod-item__title', text: `${v.full_name || v.email || '—'} · ${what}` }),
    placing ? el('p', { text: t('mod.place_lead') }) : null,
    el('dl', { class: 'mod-facts' },
      el('dt', { text: t('mod.verify_email') }), el('dd', { text: v.email || '—' }),
      el('dt', { text: t('mod.verify_birth') }), el('dd', { text: v.birth_date ? fmtDate(v.birth_date) : '—' }),
      el('dt', { text: t('mod.verify_address') }), el('dd', { text: v.address || '—' }),
      el('dt', { text: t('mod.verify_updated') }), el('dd', { text: fmtDateTime(v.updated_at) }),
      ...(v.type === 'property' ? [
        el('dt', { text: t('mod.parcel_number') }), el('dd', { id: n + '-cadastral', text: v.cadastral_number || '—' }),
        el('dt', { text: t('mod.parcel_source') }), el('dd', { text: t('mod.parcel_source_' + (v.source || 'geometry')) })] : [])),
    v.type === 'property' && v.geometry
      ? el('div', { id: n + '-parcel', class: 'map mod-parcel-map', role: 'region', 'aria-label': t('mod.parcel_map', { number: v.cadastral_number || '' }) })
      : null,
    el('div', { class: 'button-row' },
      placing
        ? el('button', { type: 'button', id: n + '-ok', 'aria-describedby': n + '-title', 'aria-expanded': 'false', 'aria-controls': n + '-place-form',
          text: t('mod.place_open'), onclick: (e) => { toggle(e.currentTarget, placeForm, lon); openPlaceMap(n, lon, lat); } })
        : el('button', { type: 'button', id: n + '-ok', 'aria-describedby': n + '-title', text: t('mod.verify_ok'), onclick: () => decide(v, item, true) }),
      el('button', { type: 'button', id: n + '-refuse', class: 'secondary', 'aria-describedby': n + '-title', 'aria-expanded': 'false', 'aria-controls': n + '-refuse-form',
        text: t('mod.verify_refuse'), onclick: (e) => toggle(e.currentTarget, refuseForm, note) })),
    placeForm, refuseForm);
  placeForm?.addEventListener('submit', (e) => {
    e.preventDefault();
    errors.clear();
    const x = Number($(lon).value.trim().replace(',', '.'));
    const y = Number($(lat).value.trim().replace(',', '.'));
    const bad = [];
    if (!$(lon).value.trim() || !Number.isFinite(x) || x < -180 || x > 180) bad.push({ field: lon, text: t('mod.place_err_lon') });
    if (!$(lat).value.trim() || !Number.isFinite(y) || y < -90 || y > 90) bad.push({ field: lat, text: t('mod.place_err_lat') });
    if (bad.length) return fail(bad);
    return decide(v, item, true, null, null, { type: 'Point', coordinates: [x, y] }, lon);
  });
  refuseForm.addEventListener('submit', (e) => {
    e.preventDefault();
    errors.clear();
    const text = $(note).value.trim();
    if (!text) return fail([{ field: note, text: t('mod.err_note') }]);
    return decide(v, item, false, text, note);
  });
  // the parcel's outline, drawn once the item is on the page
  if (v.type === 'property' && v.geometry) setTimeout(() => drawParcel(n + '-parcel', v.geometry), 0);
  return item;
}

// A small map of a declared property's parcel (the facts above are its text).
function drawParcel(id, geometry) {
  if (!$(id) || typeof L === 'undefined') return;
  const map = createMap(id, { zoom: 15 });
  const shape = L.geoJSON(geometry, { interactive: false, style: { color: '#1d70b8', weight: 3, fillOpacity: 0.2 } }).addTo(map);
  const b = shape.getBounds();
  if (b.isValid()) map.fitBounds(b, { maxZoom: 18, padding: [16, 16] });
}

// The map of a placing form, made when it first opens: a click fills the
// coordinates (which can also be typed).
function openPlaceMap(n, lon, lat) {
  const box = $(n + '-map');
  if (!box || box.dataset.ready) return;
  box.dataset.ready = '1';
  const map = createMap(n + '-map', { zoom: 12 });
  let marker = null;
  map.on('click', (e) => {
    if (marker) marker.remove();
    marker = L.marker(e.latlng, { keyboard: false, alt: t('mod.place_marker') }).addTo(map);
    $(lon).value = e.latlng.lng.toFixed(6);
    $(lat).value = e.latlng.lat.toFixed(6);
  });
}

async function decide(v, item, verified, note, noteId, location, locationId) {
  const body = verified ? { verified: true } : { verified: false, note };
  if (location) body.location = location;
  const fields = noteId ? { note: noteId } : locationId ? { location: locationId } : {};
  const r = await guarded(() => api('POST', v.verification_url, body), fields);
  if (r === undefined) return false;
  item.remove();
  const state = $('verify-state');
  state.textContent = (verified ? t('mod.verified') : t('mod.refused')) + ' ' + t('mod.queue_left', { n: $('verify-list').children.length });
  state.setAttribute('tabindex', '-1');
  state.focus();
  return true;
}

async function loadVerifications() {
  $('verify-state').textContent = t('loading');
  const items = [];
  await guarded(async () => {
    let cursor = null;
    do {
      const page = await api('GET', '/api/v1/moderation/verifications?limit=100' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
      items.push(...page.items);
      cursor = page.next;
    } while (cursor && items.length < 1000);
  });
  $('verify-list').replaceChildren(...items.map(verifyItem));
  $('verify-state').textContent = items.length ? t('mod.queue_count', { n: items.length }) : t('mod.verify_none');
}

// ---------- (4) stages ----------
async function showStage() {
  const id = $('s-discussion').value;
  const buttons = $('stage-buttons');
  buttons.replaceChildren();
  if (!id) return;
  const d = await guarded(() => api('GET', '/api/v1/discussions/' + id));
  // another discussion chosen meanwhile: its own call shows it (an older
  // answer arriving last must not show the wrong discussion's stage)
  if (!d || $('s-discussion').value !== id) return;
  $('stage-current').textContent = t('mod.stage_now', { status: statusName(d.status) });
  $('stage-round').href = '/round.html?id=' + d.id; // the round console (round.js)
  $('stage-round').hidden = false;
  const next = [...(NEXT[d.status] || [])];
  if (d.status !== 'concluded' && d.status !== 'cancelled') next.push('cancelled');
  if (!next.length) $('stage-current').textContent += ' ' + t('mod.stage_final');
  buttons.replaceChildren(...next.map((to) => el('button', {
    type: 'button', id: 'to-' + to, class: to === 'cancelled' ? 'warning' : null,
    text: t('mod.stage_to', { status: statusName(to) }),
    onclick: () => moveStage(id, to),
  })));
}

async function moveStage(id, to) {
  const note = $('s-note').value.trim();
  const d = await guarded(() => api('POST', `/api/v1/discussions/${id}/transitions`, note ? { to, note } : { to }), { note: 's-note' });
  if (!d) return;
  $('s-note').value = '';
  await fillDiscussions().catch(() => {});
  await showStage();
  const state = $('stage-current');
  state.textContent = t('mod.stage_moved', { status: statusName(d.status) }) + ' ' + state.textContent;
  state.setAttribute('tabindex', '-1');
  state.focus();
}

// ---------- (5) log ----------
let logCursor = null;
function actionName(a) {
  return has('mod.action.' + a) ? t('mod.action.' + a) : a;
}

async function loadLog(fresh) {
  if (fresh) { logCursor = null; $('log-rows').replaceChildren(); }
  $('log-state').textContent = t('loading');
  const page = await guarded(() => api('GET', '/api/v1/moderation/log?limit=25' + (logCursor ? '&cursor=' + encodeURIComponent(logCursor) : '')));
  if (!page) { $('log-state').textContent = ''; return; }
  $('log-rows').append(...page.items.map((r) => el('tr', { id: 'log-' + r.id },
    el('td', { text: fmtDateTime(r.at) }),
    el('td', { text: r.actor?.name || '—' }),
    el('td', { text: actionName(r.action) }),
    el('td', { text: r.target ? t('mod.target', { type: has('mod.target.' + r.target.type) ? t('mod.target.' + r.target.type) : r.target.type, id: r.target.id }) : '—' }),
    el('td', { text: r.reason || '' }))));
  logCursor = page.next;
  $('log-more').hidden = !logCursor;
  $('log-state').textContent = t('mod.log_count', { n: $('log-rows').children.length });
}

// ---------- (6) project and discussion ----------
async function createProject(e) {
  e.preventDefault();
  errors.clear();
  const v = (id) => $(id).value.trim();
  const list = [];
  if (!v('p-title')) list.push({ field: 'p-title', text: t('mod.err_title') });
  if (!v('p-organizer')) list.push({ field: 'p-organizer', text: t('mod.err_organizer') });
  if (list.length) return fail(list);
  const body = { title: v('p-title'), kind: v('p-kind'), organizer: v('p-organizer') };
  if (v('p-description')) body.description = v('p-description');
  const p = await guarded(() => api('POST', '/api/v1/projects', body), { title: 'p-title', kind: 'p-kind', organizer: 'p-organizer', description: 'p-description' });
  if (!p) return false;
  await fillProjects().catch(() => {});
  $('d-project').value = p.id;
  $('u-project').value = p.id;
  $('project-done').replaceChildren(el('h3', { text: t('mod.project_done', { id: p.id }) }),
    el('p', {}, el('a', { href: '#discussion', text: t('mod.project_next') })));
  for (const id of ['p-title', 'p-organizer', 'p-description']) $(id).value = '';
  reveal('project-done');
  return true;
}

let drawMap = null;
let drawn = null;
function initMap() {
  const L = window.L;
  if (drawMap || !L || !L.Control.Draw) return;
  drawMap = createMap('d-map', { zoom: 12 });
  drawn = new L.FeatureGroup().addTo(drawMap);
  drawMap.addControl(new L.Control.Draw({
    draw: { polygon: { allowIntersection: false, showArea: false }, polyline: false, rectangle: false, circle: false, marker: false, circlemarker: false },
    edit: { featureGroup: drawn },
  }));
  const report = () => {
    const n = drawn.getLayers().length;
    $('d-drawn').textContent = n ? t('mod.drawn', { n }) : t('mod.drawn_none');
  };
  drawMap.on(L.Draw.Event.CREATED, (ev) => { drawn.addLayer(ev.layer); report(); });
  drawMap.on(L.Draw.Event.DELETED, report);
}

function drawnGeometry() {
  if (!drawn) return null;
  const polys = drawn.getLayers().map((l) => l.toGeoJSON().geometry).filter((g) => g.type === 'Polygon');
  if (!polys.length) return null;
  return polys.length === 1 ? polys[0] : { type: 'MultiPolygon', coordinates: polys.map((g) => g.coordinates) };
}

// The polygon(s) of a GeoJSON text: a geometry, a Feature or a FeatureCollection.
function fileGeometry(text) {
  let json;
  try { json = JSON.parse(text); } catch { return null; }
  const geoms = [];
  const walk = (g) => {
    if (!g) return;
    if (g.type === 'FeatureCollection') (g.features || []).forEach(walk);
    else if (g.type === 'Feature') walk(g.geometry);
    else if (g.type === 'Polygon' || g.type === 'MultiPolygon') geoms.push(g);
  };
  walk(json);
  if (!geoms.length) return null;
  if (geoms.length === 1) return geoms[0];
  return { type: 'MultiPolygon', coordinates: geoms.flatMap((g) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates)) };
}

// datetime-local in Moscow time (UTC+3, no daylight saving) -> RFC 3339 UTC
function moscow(value) {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return null;
  return new Date(value + ':00+03:00').toISOString().replace(/\.000Z$/, 'Z');
}

async function createDiscussion(e) {
  e.preventDefault();
  errors.clear();
  const v = (id) => $(id).value.trim();
  const list = [];
  if (!v('d-project')) list.push({ field: 'd-project', text: t('mod.err_project') });
  if (!v('d-title')) list.push({ field: 'd-title', text: t('mod.err_title') });
  const dates = {};
  for (const [id, key] of [['d-announce', 'announce_at'], ['d-opens', 'opens_at'], ['d-closes', 'closes_at']]) {
    dates[key] = moscow(v(id));
    if (!dates[key]) list.push({ field: id, text: t('mod.err_date') });
  }
  const fromFile = $('d-source-file').checked;
  let territory = null;
  if (fromFile) {
    const file = $('d-file').files[0];
    if (!file) list.push({ field: 'd-file', text: t('mod.err_file') });
    else if (!(territory = fileGeometry(await file.text()))) list.push({ field: 'd-file', text: t('mod.err_file_bad') });
  } else if (!(territory = drawnGeometry())) {
    list.push({ field: 'd-source', text: t('mod.err_drawn') });
  }
  if (list.length) return fail(list);
  const body = { project_id: Number(v('d-project')), title: v('d-title'), territory, ...dates };
  if (fromFile) body.territory_crs = v('d-crs');
  if (v('d-notice')) body.notice = v('d-notice');
  const d = await guarded(() => api('POST', '/api/v1/discussions', body), {
    project_id: 'd-project', title: 'd-title', announce_at: 'd-announce', opens_at: 'd-opens', closes_at: 'd-closes',
    territory: fromFile ? 'd-file' : 'd-source', territory_crs: 'd-crs', notice: 'd-notice',
  });
  if (!d) return false;
  await fillDiscussions().catch(() => {});
  $('discussion-done').replaceChildren(el('h3', { text: t('mod.discussion_done', { id: d.id }) }),
    el('p', { text: t('mod.discussion_area', { ha: (d.area_m2 / 10000).toFixed(2) }) }),
    el('p', {}, el('a', { href: '/discussion.html?id=' + d.id, text: t('mod.discussion_open') })));
  reveal('discussion-done');
  return true;
}

// ---------- (7) document ----------
async function uploadDocument(e) {
  e.preventDefault();
  errors.clear();
  const project = $('u-project').value;
  const file = $('u-file').files[0];
  const list = [];
  if (!project) list.push({ field: 'u-project', text: t('mod.err_project') });
  if (!file) list.push({ field: 'u-file', text: t('mod.err_file') });
  if (list.length) return fail(list);
  const doc = await guarded(async () => {
    const res = await fetch(`/api/v1/projects/${project}/documents`, {
      method: 'POST', credentials: 'same-origin', body: file,
      headers: {
        Accept: 'application/json', 'X-CSRF-Token': csrf,
        'Content-Type': file.type || 'application/octet-stream',
        'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
      },
    });
    const data = await res.json().catch(() => null);
    if (res.status === 413) throw new ApiError(413, { errors: [{ field: 'file', message: t('mod.err_too_big') }] });
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }, { file: 'u-file', filename: 'u-file' }, 'u-file');
  if (!doc) return false;
  $('document-done').replaceChildren(el('h3', { text: t('mod.document_done') }),
    el('p', {}, el('a', { href: doc.url, text: doc.filename }), ' ', t('mod.document_size', { kb: Math.max(1, Math.round(doc.size / 1024)) })));
  $('u-file').value = '';
  reveal('document-done');
  return true;
}

// ---------- start ----------
async function main() {
  const s = await accountNav();
  const state = $('state');
  const role = s?.account?.role;
  if (role !== 'moderator' && role !== 'admin') {
    state.hidden = true;
    $('denied-text').textContent = s ? t('mod.denied_role') : t('mod.denied_guest');
    reveal('denied');
    return;
  }
  csrf = s.csrf_token;
  try {
    const [r, kinds] = await Promise.all([
      api('GET', '/api/v1/moderation/reasons'), api('GET', '/api/v1/project-kinds'), fillDiscussions(), fillProjects(),
    ]);
    reasons = r.items;
    $('p-kind').replaceChildren(...kinds.items.map((k) => el('option', { value: k.kind, text: tOr('projkind.' + k.kind, k.title) })));
  } catch {
    state.textContent = t('error.generic');
    return;
  }
  state.hidden = true;
  $('console').hidden = false;
  $('queue-form').addEventListener('submit', (e) => { e.preventDefault(); loadQueue(); });
  $('q-discussion').addEventListener('change', loadQueue);
  $('q-status').addEventListener('change', loadQueue);
  $('offline-form').addEventListener('submit', sendOffline);
  $('verify-reload').addEventListener('click', loadVerifications);
  $('stage-form').addEventListener('submit', (e) => e.preventDefault());
  $('s-discussion').addEventListener('change', showStage);
  $('log-reload').addEventListener('click', () => loadLog(true));
  $('log-more').addEventListener('click', () => loadLog(false));
  $('project-form').addEventListener('submit', createProject);
  $('discussion-form').addEventListener('submit', createDiscussion);
  $('document-form').addEventListener('submit', uploadDocument);
  for (const radio of document.querySelectorAll('input[name="d-source"]')) {
    radio.addEventListener('change', () => {
      const file = $('d-source-file').checked;
      $('d-file-box').hidden = !file;
      $('d-draw-box').hidden = file;
      if (!file && drawMap) drawMap.invalidateSize();
    });
  }
  window.addEventListener('hashchange', () => {
    const name = showSection();
    $(name).focus();
    if (name === 'discussion' && drawMap) drawMap.invalidateSize();
  });
  showSection();
  loadQueue();
}

main();
