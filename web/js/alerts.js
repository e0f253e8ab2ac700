// alerts.js: area alerts for anyone (alerts.html). Without a token in the
// fragment: the form subscribing an e-mail address to an area (around an
// address of the register, around a point on the map, or a polygon drawn
// with Leaflet.draw), the events and the rhythm; a confirmation e-mail
// follows. With #confirm=T (the e-mail's link): a button confirms. With
// #manage=T: change the events and rhythm, or delete. With #unsubscribe=T:
// a button unsubscribes. Nothing changes without a button press.
import { t } from './i18n.js';
import { api, session, ApiError } from './api.js';
import { accountNav, formErrors, reveal } from './ui.js';
import { createMap } from './map.js';
import { addressCombobox } from './address-combobox.js';

const L = window.L;
const $ = (id) => document.getElementById(id);
const errors = formErrors();
const form = $('alert-form');
const EVENTS = ['announced', 'open', 'concluded'];

accountNav().then((s) => {
  if (s && !form.elements.email.value) form.elements.email.value = s.account.email || '';
}).catch(() => { /* the page works for guests */ });

// ---- choosing the area ----

const area = { address: null, point: null, polygon: null };
let map = null;
let drawn = null;
let shape = null; // the circle or polygon shown

const kind = () => form.elements.kind.value;
const radius = () => Number(form.elements.radius_m.value);

function showCircle() {
  if (!map || !area.point) return;
  shape?.remove();
  shape = L.circle([area.point[1], area.point[0]], { radius: radius(), color: '#1d70b8', weight: 2 }).addTo(map);
}

function areaStatus() {
  const k = kind();
  let text = '';
  if (k === 'address') text = area.address ? t('alerts.area_address', { address: area.address.address, r: radius() }) : '';
  else if (k === 'point') text = area.point ? t('alerts.area_point', { r: radius() }) : t('alerts.area_point_none');
  else text = area.polygon ? t('alerts.area_polygon') : t('alerts.area_polygon_none');
  $('area-status').textContent = text;
}

function ensureMap() {
  if (map || !L) return;
  map = createMap('alert-map', { zoom: 12 });
  drawn = new L.FeatureGroup().addTo(map);
  if (L.Control.Draw) {
    map.addControl(new L.Control.Draw({
      draw: { polygon: { allowIntersection: false, showArea: false }, polyline: false, rectangle: false, circle: false, marker: false, circlemarker: false },
      edit: { featureGroup: drawn },
    }));
  }
  const polygons = () => drawn.getLayers().map((l) => l.toGeoJSON().geometry).filter((g) => g.type === 'Polygon');
  const report = () => { const p = polygons(); area.polygon = p.length ? p[p.length - 1] : null; areaStatus(); };
  map.on(L.Draw.Event.CREATED, (ev) => { drawn.clearLayers(); drawn.addLayer(ev.layer); report(); });
  map.on(L.Draw.Event.EDITED, report);
  map.on(L.Draw.Event.DELETED, report);
  map.on('click', (ev) => {
    if (kind() !== 'point') return;
    area.point = [ev.latlng.lng, ev.latlng.lat];
    showCircle();
    areaStatus();
  });
}

function syncKind() {
  const k = kind();
  $('address-field').hidden = k !== 'address';
  $('radius_m-field').hidden = k === 'polygon';
  $('map-box').hidden = k === 'address';
  $('center-here').hidden = k !== 'point';
  $('map-hint').textContent = k === 'point' ? t('alerts.map_hint_point') : t('alerts.map_hint_polygon');
  if (k !== 'address') {
    ensureMap();
    map?.invalidateSize();
  }
  if (drawn) {
    if (k === 'polygon') { shape?.remove(); drawn.addTo(map); } else { drawn.remove(); if (k === 'point') showCircle(); }
  }
  document.querySelector('.leaflet-draw')?.toggleAttribute('hidden', k !== 'polygon');
  areaStatus();
}
for (const r of form.elements.kind) r.addEventListener('change', syncKind);
form.elements.radius_m.addEventListener('change', () => { showCircle(); areaStatus(); });
$('center-here').addEventListener('click', () => {
  const c = map.getCenter();
  area.point = [c.lng, c.lat];
  showCircle();
  areaStatus();
});
addressCombobox({
  input: $('address'), listbox: $('address-listbox'), status: $('address-status'),
  onChoose: (item) => { area.address = item; areaStatus(); },
});
$('address').addEventListener('input', () => { if (area.address && $('address').value.trim() !== area.address.address) { area.address = null; areaStatus(); } });

// ---- subscribing ----

function checked(name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
}

function collect() {
  const problems = [];
  const body = { email: form.elements.email.value.trim(), events: checked('events'), rhythm: form.elements.rhythm.value };
  const k = kind();
  if (k === 'address') {
    if (!area.address) problems.push({ field: 'address', text: t('alerts.err_address') });
    else Object.assign(body, { address_id: area.address.id, radius_m: radius() });
  } else if (k === 'point') {
    if (!area.point) problems.push({ field: 'kind', text: t('alerts.err_point') });
    else Object.assign(body, { center: area.point, radius_m: radius() });
  } else if (!area.polygon) {
    problems.push({ field: 'kind', text: t('alerts.err_polygon') });
  } else {
    body.polygon = area.polygon;
  }
  if (!body.events.length) problems.push({ field: 'events', text: t('alerts.err_events') });
  if (!body.email) problems.push({ field: 'email', text: t('alerts.err_email') });
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(body.email)) problems.push({ field: 'email', text: t('alerts.err_email_format') });
  return { body, problems };
}

// The server's reasons are in English: each field's in plain words.
function serverReason(field, message) {
  if (field === 'email') return /subscriptions/.test(message) ? t('alerts.err_email_many') : t('alerts.err_email_format');
  if (field === 'polygon') return /vertices/.test(message) ? t('alerts.err_polygon_vertices') : /hectare/.test(message) ? t('alerts.err_polygon_size') : t('alerts.err_polygon_shape');
  if (field === 'address_id') return t('alerts.err_address');
  if (field === 'events') return t('alerts.err_events');
  return t('error.generic');
}
const FIELD_OF = { email: 'email', polygon: 'kind', center: 'kind', area: 'kind', address_id: 'address', radius_m: 'radius_m', events: 'events' };

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  errors.clear();
  const { body, problems } = collect();
  if (problems.length) { errors.show(problems); return; }
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    await session().catch(() => null); // a logged-in visitor needs the CSRF token
    await api('POST', '/api/v1/alerts', body);
    $('subscribe').hidden = true;
    $('sent-text').textContent = t('alerts.sent_text', { email: body.email });
    reveal('sent');
  } catch (err) {
    button.disabled = false;
    if (!(err instanceof ApiError)) { errors.show([{ field: null, text: t('error.network') }]); return; }
    if (err.status === 422 && err.fields.length) {
      errors.show(err.fields.map((f) => ({ field: FIELD_OF[f.field] || null, text: serverReason(f.field, f.message || '') })));
      return;
    }
    if (err.status === 429) { errors.show([{ field: null, text: t('alerts.err_rate') }]); return; }
    errors.show([{ field: null, text: t('error.generic') }]);
  }
});

// ---- with a token from an e-mail ----

let token = null;

function gone(err) {
  const text = err instanceof ApiError ? (err.status === 410 ? t('alerts.err_gone') : t('error.generic')) : t('error.network');
  errors.show([{ field: null, text }]);
}

function finish(title) {
  for (const id of ['confirm', 'manage', 'unsubscribe']) $(id).hidden = true;
  $('done-title').textContent = title;
  reveal('done');
}

function showManage(sub, notice) {
  token = sub.token || token;
  $('confirm').hidden = true;
  $('manage-email').textContent = sub.email;
  $('manage-area').textContent = sub.kind === 'polygon' ? t('alerts.area_polygon')
    : sub.kind === 'address' ? t('alerts.area_address', { address: sub.label, r: sub.radius_m })
      : t('alerts.area_point', { r: sub.radius_m });
  for (const i of document.querySelectorAll('input[name="m-events"]')) i.checked = sub.events.includes(i.value);
  for (const i of document.querySelectorAll('input[name="m-rhythm"]')) i.checked = i.value === sub.rhythm;
  $('manage-notice').textContent = notice || '';
  $('manage-notice').hidden = !notice;
  reveal('manage');
}

$('confirm-button').addEventListener('click', async () => {
  errors.clear();
  try {
    await session().catch(() => null);
    showManage(await api('POST', '/api/v1/alert-confirmations/' + token), t('alerts.confirmed'));
  } catch (err) { gone(err); }
});

$('manage-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  errors.clear();
  const events = [...document.querySelectorAll('input[name="m-events"]:checked')].map((i) => i.value);
  if (!events.length) { errors.show([{ field: 'm-events', text: t('alerts.err_events') }]); return; }
  const rhythm = document.querySelector('input[name="m-rhythm"]:checked')?.value || 'instant';
  try {
    await session().catch(() => null);
    showManage(await api('PUT', '/api/v1/alerts/' + token, { events, rhythm }), t('alerts.saved'));
  } catch (err) { gone(err); }
});

async function unsubscribe(path, method) {
  errors.clear();
  try {
    await session().catch(() => null);
    await api(method, path);
    finish(t('alerts.unsubscribed'));
  } catch (err) { gone(err); }
}
$('delete-button').addEventListener('click', () => unsubscribe('/api/v1/alerts/' + token, 'DELETE'));
$('unsubscribe-button').addEventListener('click', () => unsubscribe(`/api/v1/alerts/${token}/unsubscribe`, 'POST'));

const TOKEN_HASH = /^#(confirm|manage|unsubscribe)=([A-Za-z0-9_-]{43})$/;
// an e-mail's link followed from this very page changes only the fragment:
// start anew (other fragments, such as the skip link's, are left alone)
window.addEventListener('hashchange', () => { if (TOKEN_HASH.test(location.hash)) location.reload(); });
const m = TOKEN_HASH.exec(location.hash);
if (m) {
  token = m[2];
  $('subscribe').hidden = true;
  // the token stays in memory only: not in the address bar or the history
  history.replaceState(null, '', location.pathname);
  if (m[1] === 'manage') {
    api('GET', '/api/v1/alerts/' + token).then((sub) => showManage(sub), gone);
  } else {
    reveal(m[1]);
  }
} else {
  syncKind();
}
