// map.js: the Leaflet map shared by the pages. The base map is the tile
// source the operator configured (GET /api/v1/map-config: a tile server
// named by --tiles, or this server's /tiles/ from an MBTiles file), under
// Kazan's districts (a static copy of the OSM boundaries,
// /data/kazan_districts.geojson, ODbL). With no tiles configured, or none
// reachable, the districts alone are the base, filled as before. Leaflet
// itself is a classic script (window.L) from /vendor/leaflet/, loaded by
// the page before its module.
import { t } from './i18n.js';

const L = window.L;
export const KAZAN = [55.79, 49.12];

// Status colours: also used by the legend (css/site.css has the same).
export const STATUS_COLORS = {
  draft: '#505a5f', announced: '#b04c0a', open: '#00703c', closed: '#505a5f',
  protocol: '#4c2c92', concluded: '#1d70b8', cancelled: '#d4351c',
};

let districtsPromise = null;
function districts() {
  if (!districtsPromise) {
    districtsPromise = fetch('/data/kazan_districts.geojson').then((r) => {
      if (!r.ok) throw new Error(r.statusText);
      return r.json();
    });
  }
  return districtsPromise;
}

let configPromise = null;
// The base map's configuration: {tiles: {source, url, attribution,
// min_zoom, max_zoom, bounds} | null}; {tiles: null} when it cannot be had.
export function mapConfig() {
  if (!configPromise) {
    configPromise = fetch('/api/v1/map-config', { headers: { Accept: 'application/json' } })
      .then((r) => (r.ok ? r.json() : { tiles: null }))
      .catch(() => ({ tiles: null }));
  }
  return configPromise;
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

// The operator's attribution is text (Leaflet writes HTML): escaped, with
// OpenStreetMap linked to its copyright page as the OSM licence asks.
function attributionHtml(text) {
  const html = escapeHtml(text || '');
  return html.replace('OpenStreetMap', '<a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>');
}

// Adds the configured tile layer under the districts. Tiles are pictures
// of streets with nothing to read: hidden from assistive technology (the
// list beside every map is the accessible view). onShown runs once, when
// the first tile has been drawn.
function addBaseTiles(map, tiles, onShown) {
  const b = Array.isArray(tiles.bounds) ? tiles.bounds : null;
  const layer = L.tileLayer(tiles.url, {
    attribution: attributionHtml(tiles.attribution),
    minNativeZoom: tiles.min_zoom,
    maxNativeZoom: tiles.max_zoom,
    maxZoom: map.getMaxZoom(),
    bounds: b ? [[b[1], b[0]], [b[3], b[2]]] : undefined,
    className: 'base-tiles',
    // tile servers (OSM's usage policy) want to know the site that asks;
    // the pages' own policy sends no Referer to other origins
    referrerPolicy: 'strict-origin-when-cross-origin',
  });
  layer.on('tileloadstart', (e) => {
    e.tile.alt = '';
    e.tile.setAttribute('aria-hidden', 'true');
  });
  layer.once('tileload', () => {
    map.getContainer().classList.add('map--tiles');
    onShown();
  });
  layer.addTo(map);
  return layer;
}

// createMap('map-id') -> Leaflet map with the base tiles and the districts
// drawn under everything else. The container keeps its role/label from the
// page.
export function createMap(id, { center = KAZAN, zoom = 11 } = {}) {
  const map = L.map(id, { center, zoom, minZoom: 9, maxZoom: 19, zoomSnap: 0.5, keyboard: true, attributionControl: true, zoomControl: false });
  L.control.zoom({ zoomInTitle: t('map.zoom_in'), zoomOutTitle: t('map.zoom_out') }).addTo(map);
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  map.createPane('districts').style.zIndex = 250;
  // the districts are filled while they are the whole base; once street
  // tiles show, only their outlines and names stay over them
  let tilesShown = false;
  let districtLayer = null;
  const FILLED = { fillOpacity: 1 };
  const OUTLINED = { fillOpacity: 0 };
  mapConfig().then((cfg) => {
    if (!cfg || !cfg.tiles || !cfg.tiles.url) return;
    addBaseTiles(map, cfg.tiles, () => {
      tilesShown = true;
      districtLayer?.setStyle(OUTLINED);
    });
  });
  districts().then((fc) => {
    districtLayer = L.geoJSON(fc, {
      pane: 'districts',
      interactive: false,
      style: { color: '#8a9196', weight: 1.5, fillColor: '#f3f2f1', ...(tilesShown ? OUTLINED : FILLED) },
      attribution: t('map.osm_attribution'),
      onEachFeature: (f, layer) => {
        const name = f.properties && (f.properties['name:ru'] || f.properties.name);
        // text, not HTML: Leaflet puts string content in as HTML
        if (name) layer.bindTooltip(document.createTextNode(name.replace(/ район$/, '')), { permanent: true, direction: 'center', className: 'district-label', interactive: false, opacity: 1 });
      },
    });
    districtLayer.addTo(map);
    map.attributionControl.addAttribution(t('map.osm_attribution'));
  }).catch(() => { /* the map still shows territories without the base */ });
  return map;
}

export function territoryStyle(status) {
  const color = STATUS_COLORS[status] || '#505a5f';
  return { color, weight: 2, fillColor: color, fillOpacity: 0.25, dashArray: status === 'cancelled' ? '6 4' : null };
}

// A small marker at the middle of the territory's box, so that small
// territories stay visible and clickable on a city-wide view.
export function bboxCenter(bbox) {
  return [(bbox[1] + bbox[3]) / 2, (bbox[0] + bbox[2]) / 2];
}
