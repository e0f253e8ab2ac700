// home.js: the map of projects and the list of discussions, with the same
// filters. The list is the accessible alternative to the map: everything on
// the map is also in the list, reachable by keyboard and screen reader.
import { t, tOr, fmtDate } from './i18n.js';
import { api } from './api.js';
import { el, statusTag, accountNav } from './ui.js';
import { createMap, territoryStyle, bboxCenter, STATUS_COLORS } from './map.js';

const FILTERS = ['q', 'status', 'kind'];
const form = document.getElementById('filters');
const state = document.getElementById('state');
const list = document.getElementById('list');
let kinds = {};
let map = null;
let layer = null;

function discussionUrl(d) {
  return '/discussion.html?id=' + encodeURIComponent(d.id);
}

function dates(d) {
  return t('home.dates', { from: fmtDate(d.dates.opens_at), to: fmtDate(d.dates.closes_at) });
}

function listItem(d) {
  return el('li', { 'data-id': d.id },
    el('h3', {}, el('a', { href: discussionUrl(d), text: d.title })),
    el('p', {}, statusTag(d.status), ' ', el('span', { class: 'dates', text: dates(d) })),
    el('p', { class: 'meta', text: [kinds[d.project_kind], d.project_title].filter(Boolean).join(' · ') }),
  );
}

function showCard(d) {
  const card = document.getElementById('card');
  const heading = el('h2', { id: 'card-heading', class: 'card__heading' }, el('a', { href: discussionUrl(d), text: d.title }));
  card.replaceChildren(
    heading,
    el('p', {}, statusTag(d.status)),
    el('p', { text: dates(d) }),
    el('p', { class: 'meta', text: kinds[d.project_kind] || '' }),
    el('p', {}, el('a', { class: 'button-link', href: discussionUrl(d), text: t('home.open_discussion') })),
  );
}

function drawMap(items) {
  if (!map) return;
  if (layer) layer.remove();
  layer = window.L.featureGroup();
  for (const d of items) {
    if (!d.territory) continue;
    const shape = window.L.geoJSON(d.territory, { style: territoryStyle(d.status) });
    const dot = window.L.circleMarker(bboxCenter(d.bbox), {
      radius: 7, color: '#fff', weight: 2, fillColor: STATUS_COLORS[d.status] || '#505a5f', fillOpacity: 1,
    });
    for (const l of [shape, dot]) {
      // a node, not a string: Leaflet puts string content in as HTML
      l.bindTooltip(el('span', { text: d.title }), { sticky: true });
      l.on('click', () => showCard(d));
      l.addTo(layer);
    }
    shape.discussionId = d.id;
  }
  layer.addTo(map);
  // mark the drawn territories (for styles and tests)
  layer.eachLayer((g) => {
    if (!g.discussionId) return;
    g.eachLayer((p) => {
      const node = p.getElement && p.getElement();
      if (node) { node.classList.add('territory'); node.setAttribute('data-discussion', g.discussionId); }
    });
  });
  // at once, with the list: an animated zoom moved the territories under
  // a pointer for a quarter of a second after they appeared
  if (items.length) map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 15, animate: false });
}

async function loadKinds() {
  try {
    const { items } = await api('GET', '/api/v1/project-kinds');
    const select = form.elements.kind;
    for (const k of items) {
      kinds[k.kind] = tOr('projkind.' + k.kind, k.title);
      select.append(el('option', { value: k.kind, text: kinds[k.kind] }));
    }
  } catch { /* the filter keeps "all kinds" */ }
}

async function load() {
  const params = new URLSearchParams(location.search);
  for (const name of FILTERS) form.elements[name].value = params.get(name) || '';
  const query = new URLSearchParams({ limit: '500' });
  for (const name of FILTERS) if (params.get(name)) query.set(name, params.get(name));
  state.textContent = t('loading');
  try {
    const { items } = await api('GET', '/api/v1/discussions?' + query);
    const shown = items.filter((d) => d.status !== 'draft');
    list.replaceChildren(...shown.map(listItem));
    state.textContent = shown.length ? t('home.found', { n: shown.length }) : t('home.none');
    drawMap(shown);
  } catch (e) {
    state.textContent = t('home.load_failed', { reason: e.message });
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const params = new URLSearchParams();
  for (const name of FILTERS) {
    const v = form.elements[name].value.trim();
    if (v) params.set(name, v);
  }
  history.replaceState(null, '', params.size ? '?' + params : location.pathname);
  load();
});

try {
  map = createMap('map');
} catch {
  document.getElementById('map').hidden = true; // the list still works
}
accountNav();
await loadKinds();
await load();
