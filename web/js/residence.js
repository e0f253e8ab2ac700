// residence.js: the visitor's registered address: shows it with its
// verification status, and lets them declare it (typed with suggestions
// from the address register, or typed and picked on the map).
// PUT /api/v1/me/residence.
import { t, fmtDate } from './i18n.js';
import { api, ApiError } from './api.js';
import { el, accountNav, formErrors, reveal, here } from './ui.js';
import { createMap } from './map.js';
import { addressCombobox } from './address-combobox.js';

const L = window.L;
const state = document.getElementById('state');
const form = document.getElementById('residence-form');
const errors = formErrors();
let map = null;
let marker = null;
// suggestions from the address register as the address is typed
const combo = addressCombobox({
  input: document.getElementById('address'),
  listbox: document.getElementById('address-listbox'),
  status: document.getElementById('address-status'),
  onChoose: (item) => { if (map) map.setView([item.lat, item.lon], 17); },
});

function showCurrent(r) {
  const box = document.getElementById('current');
  if (!r) { box.hidden = true; return; }
  document.getElementById('current-address').textContent = r.address;
  const st = r.status || (r.verified ? 'verified' : 'pending');
  // attested by the state account: verified at once, or waiting for a
  // moderator to place an address the register does not know
  const byState = r.verified_by === 'identity_provider';
  const text = st === 'verified' ? t(byState ? 'res.status_verified_idp' : 'res.status_verified', { date: fmtDate(r.verified_at) })
    : st === 'refused' || st === 'rejected' ? t('res.status_refused', { note: r.note || '—' })
      : r.pending_placement ? t('res.status_placing') : t('res.status_pending');
  document.getElementById('current-status').replaceChildren(el('strong', { class: 'tag tag--' + (st === 'verified' ? 'open' : st === 'pending' ? 'announced' : 'cancelled'), text: t('res.st_' + (st === 'verified' ? 'verified' : st === 'pending' ? 'pending' : 'refused')) }), ' ', text);
  box.hidden = false;
  document.getElementById('form-heading').textContent = t('res.form_change');
}

function setPoint(latlng) {
  if (marker) marker.remove();
  marker = latlng ? L.marker(latlng, { alt: t('map.my_point'), keyboard: false }).addTo(map) : null;
  document.getElementById('place-status').textContent = latlng
    ? t('form.place_point', { lat: latlng.lat.toFixed(5), lon: latlng.lng.toFixed(5) }) : t('form.place_none');
  document.getElementById('place-clear').hidden = !latlng;
}

async function main() {
  const s = await accountNav();
  if (!s) {
    state.replaceChildren(t('res.login_first') + ' ', el('a', { href: '/login.html?next=' + encodeURIComponent(here()), text: t('nav.login') }));
    return;
  }
  let r = null;
  try {
    r = await api('GET', '/api/v1/me/residence');
  } catch (e) {
    if (e.status !== 404) { state.textContent = t('error.generic'); return; }
  }
  state.hidden = true;
  showCurrent(r);
  form.hidden = false;
  map = createMap('map', { zoom: 11 });
  if (r && r.location) {
    const [lon, lat] = r.location.coordinates;
    map.setView([lat, lon], 16);
    L.circleMarker([lat, lon], { radius: 8, color: '#0b0c0c', weight: 2, fillColor: '#1d70b8', fillOpacity: 1, interactive: false })
      .addTo(map);
  }
  map.on('click', (e) => setPoint(e.latlng));
  document.getElementById('place').addEventListener('click', () => setPoint(map.getCenter()));
  document.getElementById('place-clear').addEventListener('click', () => { setPoint(null); document.getElementById('place').focus(); });
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  errors.clear();
  const address = form.elements.address.value.trim();
  if (!address) { errors.show([{ field: 'address', text: t('res.err_address') }]); return; }
  const body = { address };
  const birth = form.elements.birth_date.value;
  if (birth) body.birth_date = birth;
  if (marker) {
    const p = marker.getLatLng();
    body.location = { type: 'Point', coordinates: [p.lng, p.lat] };
  }
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const r = await api('PUT', '/api/v1/me/residence', body);
    showCurrent(r);
    form.reset();
    combo.reset();
    setPoint(null);
    reveal('saved');
  } catch (err) {
    if (err instanceof ApiError && err.status === 422) {
      const f = err.fields.find((x) => x.field === 'location');
      const b = err.fields.find((x) => x.field === 'birth_date');
      errors.show([b ? { field: 'birth_date', text: t('res.err_birth_date') }
        : f ? { field: 'place', text: t('res.err_place') } : { field: 'address', text: t('res.err_not_found') }]);
    } else {
      errors.show([{ field: null, text: err instanceof ApiError ? t('error.generic') : t('error.network') }]);
    }
  } finally {
    button.disabled = false;
  }
});

main();
