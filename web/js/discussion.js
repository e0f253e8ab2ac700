// discussion.js: one discussion (discussion.html?id=N): the project, its
// documents, the stages, exposition places, the territory and the published
// comments on a map and as a list with threads; whether the visitor may take
// part and why not; the form to send a proposal (with an optional place on
// the map, document and page); the registration number after sending.
import { t, tOr, fmtDate, fmtDateTime } from './i18n.js';
import { api, session, ApiError } from './api.js';
import { el, statusTag, statusName, accountNav, formErrors, reveal, here } from './ui.js';
import { createMap, territoryStyle } from './map.js';
import { addressCombobox } from './address-combobox.js';
import { showReportLinks, recommendations, outcomeBlock } from './outcome.js';

const L = window.L;
const id = Number(new URLSearchParams(location.search).get('id'));
const state = document.getElementById('state');
let disc = null;
let map = null;
let eligible = false;
let outcome = new Map(); // comment id -> recommendation (outcome.js)

function docUrl(doc, page) {
  return doc.url + (page ? '#page=' + page : '');
}

function showStatusLine(d) {
  document.getElementById('status-line').replaceChildren(
    statusTag(d.status), ' ',
    el('span', { class: 'dates', text: t('home.dates', { from: fmtDate(d.dates.opens_at), to: fmtDate(d.dates.closes_at) }) }),
  );
}

function showProject(d, project, kinds) {
  document.getElementById('project-title').textContent = d.project_title || project?.title || '';
  document.getElementById('project-kind').textContent = kinds[d.project_kind] || '';
  document.getElementById('project-description').textContent = project?.description || '';
  document.getElementById('project-organizer').textContent = project?.organizer ? t('disc.organizer', { name: project.organizer }) : '';
  const docs = d.documents || [];
  document.getElementById('documents').replaceChildren(...(docs.length ? docs.map((doc) => el('li', {},
    el('a', { href: docUrl(doc), text: doc.filename }),
    el('span', { class: 'meta', text: ' ' + t('disc.doc_size', { type: (doc.media_type || '').split('/').pop().toUpperCase(), kb: Math.max(1, Math.round(doc.size / 1024)) }) }),
  )) : [el('li', { text: t('disc.no_documents') })]));
  const select = document.getElementById('document');
  for (const doc of docs) select.append(el('option', { value: doc.id, text: doc.filename }));
}

function showTimeline(d) {
  const stages = d.timeline?.stages || [];
  const lastDone = stages.map((s) => s.done).lastIndexOf(true);
  document.getElementById('timeline').replaceChildren(...stages.map((s, i) => {
    let when;
    if (s.done) when = t('timeline.done', { date: fmtDate(s.at || s.planned_at) });
    else if (s.planned_at) when = t('timeline.planned', { date: fmtDate(s.planned_at) });
    else when = t('timeline.unknown');
    return el('li', { class: 'timeline__stage' + (s.done ? ' timeline__stage--done' : ''), 'aria-current': i === lastDone ? 'step' : null },
      el('span', { class: 'timeline__title', text: s.title || statusName(s.status) }),
      el('span', { class: 'timeline__when', text: when }));
  }));
  if (d.status === 'cancelled') {
    document.getElementById('timeline').append(el('li', { class: 'timeline__stage timeline__stage--cancelled', text: t('timeline.cancelled') }));
  }
}

function showExpositions(d) {
  const places = d.expositions || [];
  document.getElementById('expositions').replaceChildren(...(places.length ? places.map((x) => el('li', {},
    el('p', { class: 'strong', text: x.place }),
    x.hours ? el('p', { text: t('disc.hours', { hours: x.hours }) }) : null,
    x.opens_at ? el('p', { class: 'meta', text: t('home.dates', { from: fmtDate(x.opens_at), to: fmtDate(x.closes_at) }) }) : null,
  )) : [el('li', { text: t('disc.no_expositions') })]));
  if (d.notice) {
    document.getElementById('notice').textContent = d.notice;
    document.getElementById('notice-box').hidden = false;
  }
}

// ---- eligibility banner ----

function banner(kind, heading, text, link) {
  const box = document.getElementById('eligibility');
  box.className = 'banner banner--' + kind;
  box.replaceChildren(el('h2', { class: 'banner__title', text: heading }), el('p', { text }), link || '');
  box.hidden = false;
}

async function showEligibility(d, s) {
  if (!d.accepting_comments && d.status !== 'open') {
    const text = d.status === 'announced' || d.status === 'draft'
      ? t('elig.not_started', { date: fmtDate(d.dates.opens_at) })
      : t('elig.finished', { date: fmtDate(d.dates.closes_at) });
    banner('info', t('elig.closed_title'), text);
    return false;
  }
  if (!s) {
    banner('info', t('elig.login_title'), t('elig.login_text'),
      el('p', {}, el('a', { href: '/login.html?next=' + encodeURIComponent(here()), text: t('elig.login_link') }),
        ' ', t('elig.or'), ' ', el('a', { href: '/signup.html?next=' + encodeURIComponent(here()), text: t('elig.signup_link') })));
    return false;
  }
  let e;
  try {
    e = await api('GET', `/api/v1/discussions/${id}/eligibility`);
  } catch {
    banner('info', t('elig.unknown_title'), t('elig.unknown_text'));
    return false;
  }
  if (e.eligible) {
    banner('ok', t('elig.yes_title'), t(e.basis === 'rightholder' ? 'elig.yes_rightholder' : 'elig.yes_resident'));
    return true;
  }
  const code = e.reason_code || '';
  if (code === 'property_not_verified') {
    banner('no', t('elig.no_title'), t('prop.elig_not_verified'),
      el('p', {}, el('a', { href: '/properties.html', text: t('prop.elig_link') })));
    return false;
  }
  const known = ['no_residence', 'not_verified', 'outside', 'not_open'].includes(code);
  const link = code === 'no_residence' || code === 'not_verified' || code === 'outside'
    ? el('p', {}, el('a', { href: '/residence.html', text: t('elig.residence_link') }),
      code === 'not_verified' ? null : ' · ',
      code === 'not_verified' ? null : el('a', { href: '/properties.html', text: t('prop.nav') })) : null;
  banner('no', t('elig.no_title'), known ? t('elig.no_' + code) : (e.reason || t('elig.unknown_text')), link);
  return false;
}

// ---- comments: list with threads, and on the map ----

function commentItem(c, children, canSupport) {
  const head = el('p', { class: 'comment__head' },
    c.official ? el('strong', { class: 'tag tag--official', text: t('comment.official') }) : el('strong', { class: 'tag tag--kind', text: t('kind.' + c.kind) }),
    ' ', el('span', { text: c.author_name || '' }),
    c.registration_number ? el('span', { class: 'meta', text: ' · ' + t('comment.number', { n: c.registration_number }) }) : null,
    el('span', { class: 'meta', text: ' · ' + fmtDateTime(c.created_at) }));
  const extra = [];
  if (c.document_id) {
    const doc = (disc.documents || []).find((x) => x.id === c.document_id);
    if (doc) extra.push(el('p', { class: 'meta' }, el('a', { href: docUrl(doc, c.page), text: c.page ? t('comment.doc_page', { name: doc.filename, page: c.page }) : doc.filename })));
  }
  if (c.location) extra.push(el('p', { class: 'meta', text: t('comment.has_place') }));
  const rec = outcomeBlock(outcome, c.id);
  if (rec) extra.push(rec);
  const supports = el('span', { class: 'supports', text: t('comment.supports', { n: c.supports || 0 }) });
  const actions = el('p', { class: 'comment__actions' }, supports);
  if (canSupport && !c.official && !c.parent_id) {
    const button = el('button', { type: 'button', class: 'secondary small', text: t('comment.support'), 'aria-describedby': 'comment-' + c.id + '-body' });
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await api('POST', `/api/v1/comments/${c.id}/supports`);
        c.supports = (c.supports || 0) + 1;
        supports.textContent = t('comment.supports', { n: c.supports });
        button.replaceWith(el('span', { class: 'meta', text: ' ' + t('comment.supported') }));
      } catch (err) {
        button.replaceWith(el('span', { class: 'meta', text: ' ' + (err.status === 409 ? t('comment.supported') : t('comment.support_failed')) }));
      }
    });
    actions.append(' ', button);
  }
  return el('li', { id: 'comment-' + c.id, class: 'comment' + (c.official ? ' comment--official' : ''), tabindex: '-1' },
    head, el('p', { id: 'comment-' + c.id + '-body', class: 'comment__body', text: c.body }), ...extra, actions,
    children.length ? el('ul', { class: 'comments comments--replies', 'aria-label': t('comment.replies') }, ...children) : null);
}

let commentsSeq = 0; // the latest loadComments call; an older answer is dropped

async function loadComments(search = '') {
  const stateNode = document.getElementById('comments-state');
  const items = [];
  const seq = ++commentsSeq;
  try {
    let cursor = null;
    for (let i = 0; i < 20; i++) {
      const q = new URLSearchParams({ limit: '500' });
      if (search) q.set('q', search); // full text: any word form (the server stems)
      if (cursor) q.set('cursor', cursor);
      const page = await api('GET', `/api/v1/discussions/${id}/comments?` + q);
      items.push(...page.items);
      cursor = page.next;
      if (!cursor) break;
    }
  } catch (e) {
    if (seq === commentsSeq) stateNode.textContent = t('disc.comments_failed', { reason: e.message });
    return;
  }
  if (seq !== commentsSeq) return;
  const byParent = new Map();
  for (const c of items) {
    const key = c.parent_id || 0;
    if (!byParent.has(key)) byParent.set(key, []);
    byParent.get(key).push(c);
  }
  const known = new Set(items.map((c) => c.id));
  const build = (c) => commentItem(c, (byParent.get(c.id) || []).map(build), eligible);
  // top level: no parent, or a parent that is not published
  const roots = items.filter((c) => !c.parent_id || !known.has(c.parent_id));
  document.getElementById('comments').replaceChildren(...roots.map(build));
  if (search) stateNode.textContent = t(items.length ? 'disc.search_found' : 'disc.search_none', { q: search, n: items.length });
  else stateNode.textContent = roots.length ? t('disc.comments_count', { n: items.length }) : t('disc.no_comments');
}

// The search box over the published comments: the list shows the matches.
function setupCommentSearch() {
  const form = document.getElementById('comment-search');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    loadComments(document.getElementById('comment-q').value.trim());
  });
}

async function loadCommentsMap() {
  if (!map || !L.markerClusterGroup) return;
  let fc;
  try {
    const res = await fetch(`/api/v1/discussions/${id}/comments.geojson`);
    if (!res.ok) return;
    fc = await res.json();
  } catch { return; }
  const cluster = L.markerClusterGroup({ showCoverageOnHover: false });
  const shapes = L.featureGroup();
  for (const f of fc.features || []) {
    const p = f.properties || {};
    const popup = () => el('div', { class: 'popup' },
      el('p', { class: 'strong', text: (p.official ? t('comment.official') : t('kind.' + p.kind)) + (p.registration_number ? ' ' + p.registration_number : '') }),
      el('p', { text: p.body.length > 300 ? p.body.slice(0, 300) + '…' : p.body }),
      el('p', {}, el('a', { href: '#comment-' + p.id, text: t('comment.in_list') })));
    if (f.geometry.type === 'Point') {
      const [lon, lat] = f.geometry.coordinates;
      L.marker([lat, lon], { alt: t('map.comment_marker', { n: p.registration_number || p.id }), title: p.registration_number || '' })
        .bindPopup(popup).addTo(cluster);
    } else {
      L.geoJSON(f.geometry, { style: { color: '#4c2c92', weight: 3, fillOpacity: 0.2 } }).bindPopup(popup).addTo(shapes);
    }
  }
  cluster.addTo(map);
  shapes.addTo(map);
}

// ---- search on the map: an address from the register centres the map ----

function setupMapSearch() {
  let found = null;
  addressCombobox({
    input: document.getElementById('map-search'),
    listbox: document.getElementById('map-search-listbox'),
    status: document.getElementById('map-search-status'),
    onChoose: (item) => {
      if (!map || !Number.isFinite(item.lat) || !Number.isFinite(item.lon)) return;
      found?.remove();
      found = L.circleMarker([item.lat, item.lon], {
        radius: 9, color: '#0b0c0c', weight: 3, fillColor: '#ffdd00', fillOpacity: 1, interactive: false,
      }).bindTooltip(t('map.search_found', { address: item.address }), { permanent: true, direction: 'top' }).addTo(map);
      map.setView([item.lat, item.lon], 17);
    },
  });
  document.getElementById('map-search-field').hidden = false;
}

// ---- the comment form ----

function setupForm() {
  const form = document.getElementById('comment-form');
  const errors = formErrors();
  const statusNode = document.getElementById('place-status');
  const clearButton = document.getElementById('place-clear');
  let place = null; // {layer, geometry}
  const drawn = L.featureGroup().addTo(map);

  function setPlace(layer, geometry) {
    drawn.clearLayers();
    place = null;
    if (layer) {
      drawn.addLayer(layer);
      place = { layer, geometry };
    }
    if (!geometry) statusNode.textContent = t('form.place_none');
    else if (geometry.type === 'Point') {
      statusNode.textContent = t('form.place_point', { lat: geometry.coordinates[1].toFixed(5), lon: geometry.coordinates[0].toFixed(5) });
    } else statusNode.textContent = t(geometry.type === 'LineString' ? 'form.place_line' : 'form.place_area');
    clearButton.hidden = !geometry;
  }

  function setPoint(latlng) {
    const marker = L.marker(latlng, { alt: t('map.my_point'), keyboard: false, draggable: true });
    marker.on('dragend', () => setPlace(marker, { type: 'Point', coordinates: [marker.getLatLng().lng, marker.getLatLng().lat] }));
    setPlace(marker, { type: 'Point', coordinates: [latlng.lng, latlng.lat] });
  }

  // Placing mode: the proposals' markers and shapes let clicks through
  // (css: .map--placing), so a point can go on top of one; Enter on the
  // focused map places it at the centre, Escape leaves the mode.
  const modeButton = document.getElementById('place-mode');
  const container = map.getContainer();
  let placing = false;
  function setPlacing(on, announce = true) {
    placing = on;
    modeButton.setAttribute('aria-pressed', on ? 'true' : 'false');
    container.classList.toggle('map--placing', on);
    if (announce) statusNode.textContent = t(on ? 'form.place_mode_on' : 'form.place_mode_off');
  }
  modeButton.addEventListener('click', () => {
    setPlacing(!placing);
    if (placing) container.focus();
  });
  container.addEventListener('keydown', (e) => {
    if (!placing || e.target !== container) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      setPlacing(false, false);
      setPoint(map.getCenter());
    } else if (e.key === 'Escape') {
      setPlacing(false);
      modeButton.focus();
    }
  });

  // a click on the map places a point (in placing mode also on a marker)
  map.on('click', (e) => {
    if (placing) setPlacing(false, false);
    setPoint(e.latlng);
  });
  document.getElementById('place').addEventListener('click', () => setPoint(map.getCenter()));
  clearButton.addEventListener('click', () => { setPlace(null, null); document.getElementById('place').focus(); });

  if (L.Control && L.Control.Draw) {
    const d = L.drawLocal.draw;
    d.toolbar.buttons.polyline = t('draw.line');
    d.toolbar.buttons.polygon = t('draw.area');
    d.toolbar.actions.title = t('draw.cancel_title');
    d.toolbar.actions.text = t('draw.cancel');
    d.toolbar.finish.title = t('draw.finish_title');
    d.toolbar.finish.text = t('draw.finish');
    d.toolbar.undo.title = t('draw.undo_title');
    d.toolbar.undo.text = t('draw.undo');
    d.handlers.polyline.tooltip = { start: t('draw.line_start'), cont: t('draw.line_cont'), end: t('draw.line_end') };
    d.handlers.polygon.tooltip = { start: t('draw.area_start'), cont: t('draw.area_cont'), end: t('draw.area_end') };
    d.handlers.polyline.error = t('draw.self_intersection');
    map.addControl(new L.Control.Draw({
      position: 'topleft',
      draw: {
        polyline: { shapeOptions: { color: '#0b0c0c', weight: 4 } },
        polygon: { allowIntersection: false, showArea: false, shapeOptions: { color: '#0b0c0c', weight: 3 } },
        rectangle: false, circle: false, circlemarker: false, marker: false,
      },
      edit: false,
    }));
    map.on(L.Draw.Event.CREATED, (e) => setPlace(e.layer, e.layer.toGeoJSON().geometry));
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    errors.clear();
    const kind = form.elements.kind.value;
    const body = form.elements.body.value.trim();
    const docId = form.elements.document.value;
    const pageText = form.elements.page.value.trim();
    const problems = [];
    if (!kind) problems.push({ field: 'kind', text: t('form.err_kind') });
    if (!body) problems.push({ field: 'body', text: t('form.err_body') });
    else if ([...body].length > 5000) problems.push({ field: 'body', text: t('form.err_body_long') });
    if (pageText && !/^[1-9][0-9]{0,4}$/.test(pageText)) problems.push({ field: 'page', text: t('form.err_page') });
    if (pageText && !docId) problems.push({ field: 'document', text: t('form.err_page_without_doc') });
    if (problems.length) { errors.show(problems); return; }
    const payload = { kind, body };
    if (place) payload.location = place.geometry;
    if (docId) payload.document_id = Number(docId);
    if (pageText) payload.page = Number(pageText);
    const button = document.getElementById('send');
    button.disabled = true;
    try {
      const res = await api('POST', `/api/v1/discussions/${id}/comments`, payload);
      document.getElementById('reg-number').textContent = res.registration_number;
      document.getElementById('form-section').hidden = true;
      setPlace(null, null);
      reveal('sent');
    } catch (e) {
      errors.show(serverErrors(e));
    } finally {
      button.disabled = false;
    }
  });
}

const SERVER_FIELDS = { kind: 'kind', body: 'body', location: 'place', document_id: 'document', page: 'page' };

function serverErrors(e) {
  if (!(e instanceof ApiError)) return [{ field: null, text: t('error.network') }];
  if (e.status === 422 && e.fields.length) {
    return e.fields.map((f) => {
      const field = SERVER_FIELDS[f.field] || null;
      return { field, text: field ? t('form.err_server_' + field) : (f.text || t('error.generic')) };
    });
  }
  if (e.status === 403) return [{ field: null, text: e.body.code ? e.message : t('elig.no_title') }];
  if (e.status === 409) return [{ field: null, text: t('form.err_closed') }];
  if (e.status === 429) return [{ field: null, text: t('form.err_rate') }];
  if (e.status === 401) return [{ field: null, text: t('form.err_login') }];
  return [{ field: null, text: t('error.generic') }];
}

// ---- the page ----

async function main() {
  const sessionPromise = accountNav();
  if (!Number.isInteger(id) || id <= 0) { state.textContent = t('disc.not_found'); return; }
  const kindsPromise = api('GET', '/api/v1/project-kinds').then(
    (r) => Object.fromEntries(r.items.map((k) => [k.kind, tOr('projkind.' + k.kind, k.title)])), () => ({}));
  try {
    disc = await api('GET', '/api/v1/discussions/' + id);
  } catch (e) {
    state.textContent = e.status === 404 ? t('disc.not_found') : t('disc.load_failed', { reason: e.message });
    return;
  }
  const project = await api('GET', '/api/v1/projects/' + disc.project_id).catch(() => null);
  document.title = disc.title + ' — ' + t('brand');
  document.getElementById('title').textContent = disc.title;
  showStatusLine(disc);
  showProject(disc, project, await kindsPromise);
  showTimeline(disc);
  showExpositions(disc);
  document.getElementById('csv-link').href = `/api/v1/discussions/${id}/comments.csv`;
  state.hidden = true;
  state.textContent = '';
  document.getElementById('discussion').hidden = false;

  try {
    map = createMap('map');
    const territory = L.geoJSON(disc.territory, { style: territoryStyle(disc.status), interactive: false }).addTo(map);
    territory.eachLayer((p) => p.getElement?.()?.classList.add('territory'));
    map.fitBounds(territory.getBounds(), { padding: [20, 20], maxZoom: 17 });
    setupMapSearch();
  } catch {
    document.getElementById('map').hidden = true;
  }

  const s = await sessionPromise;
  eligible = await showEligibility(disc, s);
  if (eligible && map) {
    document.getElementById('form-section').hidden = false;
    setupForm();
  }
  showReportLinks(disc);
  outcome = await recommendations([disc]);
  setupCommentSearch();
  await Promise.all([loadComments(), loadCommentsMap()]);
}

main();
