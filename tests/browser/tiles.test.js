// The base map: tiles from an MBTiles file served by kengash itself
// (--tiles-mbtiles, made here with GDAL from the demo districts) and from a
// tile server named by --tiles (a tiny one on loopback, started here), drawn
// under the territories on the home and discussion pages, hidden from
// assistive technology; the search on the discussion's map; and the
// placing mode that lets a point go on top of a proposal's marker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, startBrowser, newPage, loginAs, axeViolations, screenshot, CITIZEN, MODERATOR } from './harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// a 1x1 opaque PNG: what the loopback tile server answers for every tile
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC', 'base64');

let tmp;
let mbtiles;
let browser;
let tileServer;
let tileRequests = [];

function makeMbtiles(file) {
  const tif = file + '.tif';
  execFileSync('gdal_rasterize', ['-q', '-burn', '200', '-burn', '120', '-burn', '40', '-ot', 'Byte', '-of', 'GTiff',
    '-a_srs', 'EPSG:3857', '-ts', '512', '512', '-te', '5440000', '7500000', '5490000', '7550000', '-init', '255',
    path.join(ROOT, 'geodata', 'kazan_districts_osm.geojson'), tif], { stdio: 'ignore' });
  execFileSync('gdal_translate', ['-q', '-of', 'MBTiles', '-co', 'TILE_FORMAT=PNG', tif, file], { stdio: 'ignore' });
  execFileSync('gdaladdo', ['-q', file, '2', '4'], { stdio: 'ignore' });
}

before(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'kengash-tiles-'));
  mbtiles = path.join(tmp, 'kazan.mbtiles');
  makeMbtiles(mbtiles);
  tileServer = createServer((req, res) => {
    tileRequests.push({ url: req.url, referer: req.headers.referer });
    if (!/^\/osm\/\d+\/\d+\/\d+\.png$/.test(req.url)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': PNG.length });
    res.end(PNG);
  });
  await new Promise((resolve) => { tileServer.listen(0, '127.0.0.1', resolve); });
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
  await new Promise((resolve) => { if (tileServer) tileServer.close(resolve); else resolve(); });
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// The tiles drawn on #map, with what assistive technology and the stacking
// see of them.
async function drawnTiles(page) {
  await page.waitForSelector('#map.map--tiles .leaflet-tile-pane img.leaflet-tile-loaded');
  return page.evaluate(() => {
    const z = (sel) => Number(getComputedStyle(document.querySelector('#map ' + sel)).zIndex);
    const imgs = [...document.querySelectorAll('#map .leaflet-tile-pane img.leaflet-tile-loaded')];
    return {
      srcs: imgs.map((i) => i.src),
      hidden: imgs.every((i) => i.getAttribute('aria-hidden') === 'true' && i.getAttribute('alt') === ''),
      tilesUnderDistricts: z('.leaflet-tile-pane') < z('.leaflet-pane.leaflet-districts-pane'),
      tilesUnderTerritories: z('.leaflet-tile-pane') < z('.leaflet-overlay-pane')
        && !!document.querySelector('#map .leaflet-overlay-pane path.territory'),
      attribution: document.querySelector('#map .leaflet-control-attribution').textContent,
    };
  });
}

test('mbtiles_tiles_are_drawn_under_the_territories_on_home_and_discussion', async () => {
  const server = await startServer({ args: ['--tiles-mbtiles', mbtiles] });
  try {
    const page = await newPage(browser, server.url);
    const asked = [];
    page.on('request', (r) => { if (r.url().includes('/tiles/')) asked.push(r.url()); });
    await page.goto('/');
    await page.waitForSelector('#map path.territory');
    let t = await drawnTiles(page);
    assert.ok(t.srcs.length > 0 && t.srcs.every((s) => /^\/tiles\/(9|10|11)\/\d+\/\d+\.png$/.test(s.slice(server.url.length))), t.srcs.join(' '));
    assert.ok(asked.length >= t.srcs.length);
    assert.equal(t.hidden, true);
    assert.equal(t.tilesUnderDistricts, true);
    assert.equal(t.tilesUnderTerritories, true);
    await screenshot(page, 'tiles-home');
    assert.deepEqual(await axeViolations(page), []);

    await page.goto('/discussion.html?id=1');
    await page.waitForSelector('#map path.territory');
    t = await drawnTiles(page);
    // zoomed in past the file's maxzoom: its last level, scaled
    assert.ok(t.srcs.length > 0 && t.srcs.every((s) => s.startsWith(server.url + '/tiles/11/')), t.srcs.join(' '));
    assert.equal(t.hidden, true);
    assert.equal(t.tilesUnderTerritories, true);
    await screenshot(page, 'tiles-discussion');
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(page.errors, []);
  } finally {
    await server.stop();
  }
});

test('tiles_come_from_the_configured_tile_server_with_its_attribution', async () => {
  const origin = `http://127.0.0.1:${tileServer.address().port}`;
  const server = await startServer({
    args: ['--tiles', origin + '/osm/{z}/{x}/{y}.png', '--tiles-attribution', '© OpenStreetMap contributors', '--tiles-max-zoom', '19'],
  });
  try {
    tileRequests = [];
    const page = await newPage(browser, server.url);
    await page.goto('/');
    await page.waitForSelector('#map path.territory');
    let t = await drawnTiles(page);
    assert.ok(t.srcs.length > 0 && t.srcs.every((s) => s.startsWith(origin + '/osm/')), t.srcs.join(' '));
    assert.ok(tileRequests.length > 0);
    // the tile server learns which site asks (OSM's usage policy), no more
    assert.ok(tileRequests.every((r) => r.referer === server.url + '/'), JSON.stringify(tileRequests.slice(0, 3)));
    assert.match(t.attribution, /© OpenStreetMap contributors/);
    assert.equal(await page.getAttribute('#map .leaflet-control-attribution a[href="https://www.openstreetmap.org/copyright"]', 'href'), 'https://www.openstreetmap.org/copyright');
    assert.deepEqual(await axeViolations(page), []);

    tileRequests = [];
    await page.goto('/discussion.html?id=1');
    await page.waitForSelector('#map path.territory');
    t = await drawnTiles(page);
    assert.ok(tileRequests.length > 0 && t.srcs.every((s) => s.startsWith(origin + '/osm/')));
    assert.equal(t.tilesUnderTerritories, true);
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(page.errors, []); // a CSP refusal would be an error here
  } finally {
    await server.stop();
  }
});

test('an_unreachable_tile_server_leaves_the_district_map_as_before', async () => {
  const server = await startServer({ args: ['--tiles', 'http://127.0.0.1:9/{z}/{x}/{y}.png'] });
  try {
    const page = await newPage(browser, server.url);
    await page.goto('/');
    await page.waitForSelector('#map path.territory');
    await page.waitForSelector('#map .district-label');
    await page.waitForTimeout(500);
    assert.equal(await page.$('#map.map--tiles'), null);
    // the districts stay filled: the base is readable without tiles
    const fill = await page.$eval('#map .leaflet-districts-pane path', (p) => p.getAttribute('fill-opacity'));
    assert.equal(fill, '1');
    assert.ok(page.errors.every((e) => /ERR_CONNECTION_REFUSED|Failed to load resource/.test(e)), page.errors.join('\n'));
  } finally {
    await server.stop();
  }
});

// Where a marker rests. markercluster adds a marker at its cluster's place
// and then moves it to its own over 300 ms (and a zoom animates too): on a
// loaded machine the marker exists long before it has arrived.
async function settledBox(page, marker) {
  let last = null;
  for (let i = 0; i < 50; i++) {
    await page.waitForFunction(() => !document.querySelector('#map .leaflet-zoom-anim, #map .leaflet-cluster-anim'));
    const box = await marker.boundingBox();
    if (last && box && box.x === last.x && box.y === last.y) return box;
    last = box;
    await page.waitForTimeout(100);
  }
  return last;
}

test('search_on_the_map_centres_it_on_a_house_and_placing_mode_goes_over_markers', async () => {
  const server = await startServer({ args: ['--tiles-mbtiles', mbtiles] });
  try {
    // a published proposal with a point at ул. Баумана, 19
    const house = [49.1185, 55.7892];
    const citizen = await server.client(CITIZEN);
    const sent = await citizen('POST', '/api/v1/discussions/1/comments', { kind: 'proposal', body: 'Скамейки во дворе', location: { type: 'Point', coordinates: house } });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    const mod = await server.client(MODERATOR);
    assert.equal((await mod('POST', `/api/v1/comments/${sent.body.id}/moderation`, { decision: 'publish' })).status, 200);

    const page = await newPage(browser, server.url);
    await loginAs(page, CITIZEN);
    await page.goto('/discussion.html?id=1');
    await page.waitForSelector('#form-section:not([hidden])');
    await page.waitForSelector('#map-search-field:not([hidden])');
    // the keyboard alone: type, pick with the arrow keys, Enter
    await page.focus('#map-search');
    await page.keyboard.type('Баумана 19');
    await page.waitForSelector('#map-search-listbox:not([hidden]):not([aria-busy]) [role="option"]');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /Баумана, д\. 19/.test(document.getElementById('map-search-status').textContent));
    const center = await page.evaluate(() => {
      const m = document.getElementById('map');
      const r = m.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    });
    assert.deepEqual(await axeViolations(page), []);

    // the proposal's marker sits at the centre now; a plain click opens it.
    // The demo has other published points near this house: zoom in (the
    // zoom control keeps the centre) until the clusters let ours go.
    const marker = page.locator(`#map .leaflet-marker-icon[title="${sent.body.registration_number}"]`);
    for (let i = 0; i < 6 && !(await marker.count()); i++) {
      await page.click('#map .leaflet-control-zoom-in');
      await marker.waitFor({ timeout: 1500 }).catch(() => {});
    }
    await marker.waitFor();
    const box = await settledBox(page, marker);
    assert.ok(Math.abs(box.x + box.width / 2 - center.x) < 30 && Math.abs(box.y + box.height - center.y) < 45, JSON.stringify({ box, center }));
    await marker.click();
    await page.waitForSelector('#map .leaflet-popup');
    assert.match(await page.textContent('#place-status'), /Место не выбрано/);
    await page.click('#map .leaflet-popup-close-button');
    await page.waitForSelector('#map .leaflet-popup', { state: 'detached' });

    // placing mode: the same click places a point there
    await page.click('#place-mode');
    assert.equal(await page.getAttribute('#place-mode', 'aria-pressed'), 'true');
    await marker.scrollIntoViewIfNeeded(); // the button was below the map
    const at = await settledBox(page, marker);
    await page.mouse.click(at.x + at.width / 2, at.y + at.height / 2);
    await page.waitForFunction(() => /Отмечена точка/.test(document.getElementById('place-status').textContent));
    assert.equal(await page.$('#map .leaflet-popup'), null); // the marker did not take the click
    assert.equal(await page.getAttribute('#place-mode', 'aria-pressed'), 'false');

    // and with the keyboard: the mode, then Enter on the focused map
    await page.click('#place-clear');
    await page.focus('#place-mode');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'map');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /Отмечена точка/.test(document.getElementById('place-status').textContent));
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(page.errors, []);
  } finally {
    await server.stop();
  }
});
