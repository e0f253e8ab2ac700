// map.js: the Leaflet map shared by the pages. No tiles from the internet:
// the base layer is Kazan's districts (a static copy of the OSM boundaries,
// /data/kazan_districts.geojson, ODbL). Leaflet itself is a classic script
// (window.L) from /vendor/leaflet/, loaded by the page before its module.
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

// createMap('map-id') -> Leaflet map with the districts drawn under
// everything else. The container keeps its role/label from the page.
export function createMap(id, { center = KAZAN, zoom = 11 } = {}) {
  const map = L.map(id, { center, zoom, minZoom: 9, maxZoom: 19, zoomSnap: 0.5, keyboard: true, attributionControl: true, zoomControl: false });
  L.control.zoom({ zoomInTitle: t('map.zoom_in'), zoomOutTitle: t('map.zoom_out') }).addTo(map);
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  map.createPane('districts').style.zIndex = 250;
  districts().then((fc) => {
    L.geoJSON(fc, {
      pane: 'districts',
      interactive: false,
      style: { color: '#8a9196', weight: 1.5, fillColor: '#f3f2f1', fillOpacity: 1 },
      attribution: t('map.osm_attribution'),
      onEachFeature: (f, layer) => {
        const name = f.properties && (f.properties['name:ru'] || f.properties.name);
        if (name) layer.bindTooltip(name.replace(/ район$/, ''), { permanent: true, direction: 'center', className: 'district-label', interactive: false, opacity: 1 });
      },
    }).addTo(map);
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
