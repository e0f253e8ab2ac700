// Issue 14 A: a moderator runs a round in the pages. In the console:
// creates a project, uploads a document, creates a draft (the territory drawn
// on the map with the polygon tool), and opens the round console from there; approves the
// notice (the server publishes it on its own at announce_at) and opens the
// exposition; answers a proposal as the organizer and enters a right
// holder's paper proposal (an unknown plot is refused, naming the field);
// closes the intake, signs the protocol, issues a second version with a
// note, prints the participants annex; is refused publication while
// entries lack a recommendation (the page links each); groups two identical
// proposals, writes every recommendation (adding a reason to the
// department's list and choosing it again), the findings, previews and
// publishes. axe-core finds nothing on each state. The citizen then sees the
// outcome on the discussion page and in "my proposals"; a citizen is told
// the round console is not for them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, startBrowser, newPage, loginAs, axeViolations, screenshot, CITIZEN, MODERATOR,
} from './harness.js';

let server;
let browser;
before(async () => { [server, browser] = await Promise.all([startServer({ args: ['--tick', '1'] }), startBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

// datetime-local in Moscow time (UTC+3), minutes only
function moscow(date) {
  return new Date(date.getTime() + 3 * 3600e3).toISOString().slice(0, 16);
}

// The moderator draws `ring` ([lon, lat] vertices, not closed) on the
// console's map with Leaflet.draw's polygon tool: one click per vertex, then
// a click on the first one closes it. The page keeps its map to itself, so a
// Leaflet init hook (test side, installed before the map is made) catches it;
// the test frames the ring in it and turns each vertex into a point on the
// screen.
async function drawTerritory(page, ring) {
  await page.click('#d-map .leaflet-draw-draw-polygon');
  const points = await page.evaluate((lonLats) => {
    const map = window.testDrawMap;
    const latLngs = lonLats.map(([lon, lat]) => [lat, lon]);
    map.fitBounds(latLngs, { padding: [80, 80], animate: false });
    const box = map.getContainer();
    box.scrollIntoView({ block: 'center' }); // all of it: the clicks use its box
    const r = box.getBoundingClientRect();
    return latLngs.map((ll) => {
      const p = map.latLngToContainerPoint(ll);
      return [r.left + box.clientLeft + p.x, r.top + box.clientTop + p.y];
    });
  }, ring);
  const markers = page.locator('#d-map .leaflet-marker-icon');
  for (const [i, [x, y]] of [...points, points[0]].entries()) {
    const n = await markers.count();
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.up();
    if (i === points.length) break; // the first vertex again: the polygon is closed
    await page.waitForFunction((k) => document.querySelectorAll('#d-map .leaflet-marker-icon').length > k, n);
    // Leaflet.draw ignores a press within 50 ms of the last vertex
    // (_enableNewMarkers' timer): a person never clicks that fast
    await page.waitForTimeout(100);
  }
  await page.waitForFunction(() => /многоугольников: 1/.test(document.getElementById('d-drawn').textContent));
}

async function createDraftInTheConsole(page, territory) {
  await page.goto('/moderation.html#project');
  await page.waitForSelector('#console:not([hidden])');
  // the console's drawing map is made when its section is first shown
  await page.evaluate(() => {
    window.L.Map.addInitHook(function keep() { if (this.getContainer().id === 'd-map') window.testDrawMap = this; });
  });
  await page.fill('#p-title', 'Сквер на Баумана');
  await page.selectOption('#p-kind', 'territory_planning');
  await page.fill('#p-organizer', 'Управление архитектуры и градостроительства');
  await page.click('#project-form button[type=submit]');
  await page.waitForSelector('#project-done:not([hidden])');
  const projectId = /№(\d+)/.exec(await page.textContent('#project-done'))[1];
  await page.click('.mod-tabs a[href="#document"]');
  await page.selectOption('#u-project', projectId);
  await page.setInputFiles('#u-file', { name: 'схема.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
  await page.click('#document-form button[type=submit]');
  await page.waitForSelector('#document-done:not([hidden])');
  await page.click('.mod-tabs a[href="#discussion"]');
  await page.waitForSelector('#d-map .leaflet-draw');
  await page.fill('#d-title', 'Обсуждение сквера на Баумана');
  // the current minute: announce_at is at most a minute old (the server's grace)
  let now = new Date();
  if (now.getUTCSeconds() > 45) { await new Promise((r) => { setTimeout(r, (61 - now.getUTCSeconds()) * 1000); }); now = new Date(); }
  await page.fill('#d-announce', moscow(now));
  await page.fill('#d-opens', moscow(new Date(now.getTime() + 8 * 86400e3)));
  await page.fill('#d-closes', moscow(new Date(now.getTime() + 30 * 86400e3)));
  const ring = territory.type === 'MultiPolygon' ? territory.coordinates[0][0] : territory.coordinates[0];
  await drawTerritory(page, ring.slice(0, -1));
  await page.click('#discussion-form button[type=submit]');
  await page.waitForSelector('#discussion-done:not([hidden])');
  return Number(/№(\d+)/.exec(await page.textContent('#discussion-done'))[1]);
}

async function waitForState(page, re) {
  for (let i = 0; i < 100; i++) {
    if (re.test(await page.textContent('#state'))) return;
    await new Promise((r) => { setTimeout(r, 200); });
    await page.reload();
    await page.waitForSelector('#console:not([hidden])');
    await page.waitForSelector('#actions button, #published:not([hidden])', { state: 'attached' });
  }
  assert.fail('the page never said ' + re);
}

// Switches the page's browser context to the version for people with low
// vision (white on black, larger), as a11y.test.js does.
async function lowVision(page) {
  await page.click('#a11y-toggle');
  await page.getByRole('button', { name: 'Белым по чёрному' }).click();
  await page.getByRole('button', { name: 'Больше' }).click();
  await page.waitForFunction(() => /a11y-scheme-wb/.test(document.documentElement.className));
}

async function act(page, name, re) {
  await page.click('#action-' + name);
  await page.waitForSelector('#done:not([hidden])');
  assert.match(await page.textContent('#done'), re);
}

test('a_moderator_runs_a_round_from_the_notice_to_the_published_conclusion', async () => {
  const mod = await server.client(MODERATOR);
  const citizen = await server.client(CITIZEN);
  const { body: d1 } = await mod('GET', '/api/v1/discussions/1'); // the demo citizen lives in it
  const page = await newPage(browser, server.url);
  await loginAs(page, MODERATOR);
  const id = await createDraftInTheConsole(page, d1.territory);
  // drawn where meant: the area is the demo territory's, give or take a pixel
  const ha = Number(/Площадь территории: ([\d.]+) га/.exec(await page.textContent('#discussion-done'))[1]);
  assert.ok(Math.abs(ha - d1.area_m2 / 1e4) < 0.03 * (d1.area_m2 / 1e4), `${ha} ha drawn, ${d1.area_m2 / 1e4} meant`);

  // the console links the round console
  await page.click('.mod-tabs a[href="#stage"]');
  await page.selectOption('#s-discussion', String(id));
  await page.waitForSelector(`#stage-round:not([hidden])[href="/round.html?id=${id}"]`);
  await page.click('#stage-round');
  await page.waitForSelector('#action-schedule');
  assert.match(await page.textContent('#next'), /сначала одобрите оповещение/);
  assert.deepEqual(await axeViolations(page), []);

  // approve: the schedule publishes the notice by itself
  await act(page, 'schedule', /Оповещение одобрено/);
  await waitForState(page, /Сейчас: Оповещение/);
  assert.match(await page.textContent('#next'), /Открытие экспозиции.*автоматически/);
  assert.match(await page.textContent('#stage-list'), /состоялось/);
  await act(page, 'open', /Этап изменён: Приём предложений/);

  // two identical proposals and a remark, published by the moderator
  const ids = [];
  const { body: disc } = await mod('GET', `/api/v1/discussions/${id}`);
  const doc = disc.documents[0];
  for (const body of ['Сохранить сквер и поставить скамейки', 'Сохранить сквер и поставить скамейки', 'Перенести парковку во двор']) {
    const pinned = body.startsWith('Перенести') ? { document_id: doc.id, page: 3 } : {};
    const r = await citizen('POST', `/api/v1/discussions/${id}/comments`, { kind: 'proposal', body, ...pinned });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    ids.push(r.body);
    assert.equal((await mod('POST', `/api/v1/comments/${r.body.id}/moderation`, { decision: 'publish' })).status, 200);
  }

  // in the console: answer as the organizer, and a paper proposal from a right holder
  const round = page.url();
  await page.goto('/moderation.html');
  await page.waitForSelector('#console:not([hidden])');
  await page.selectOption('#q-discussion', String(id));
  await page.selectOption('#q-status', 'published');
  await page.locator(`#mq-${ids[0].id}-answer`).click();
  await page.fill(`#mq-${ids[0].id}-an-body`, 'Сквер будет сохранён.');
  await page.click(`#mq-${ids[0].id}-an-send`);
  await page.waitForFunction(() => /Ответ опубликован/.test(document.getElementById('queue-state').textContent));
  await page.click('.mod-tabs a[href="#offline"]');
  await page.selectOption('#o-discussion', String(id));
  await page.selectOption('#o-channel', 'paper');
  await page.fill('#o-name', 'Сабирова Лилия Рашидовна');
  await page.fill('#o-birth', '1975-09-30');
  await page.fill('#o-address', 'г. Москва, ул. Далёкая, д. 1');
  await page.check('#o-basis-holder');
  await page.fill('#o-cadastral', '16:50:000000:404');
  await page.fill('#o-body', 'Письмо правообладателя: сохранить проезд к участку');
  await page.click('#offline-form button[type=submit]');
  await page.waitForSelector('#error-summary:not([hidden])');
  assert.deepEqual(await page.$$eval('#error-summary a', (as) => as.map((x) => x.getAttribute('href'))), ['#o-cadastral']);
  assert.deepEqual(await axeViolations(page), []);
  await page.fill('#o-cadastral', '16:50:011101:101'); // the demo's parcel inside the territory
  await page.click('#offline-form button[type=submit]');
  await page.waitForSelector('#offline-done:not([hidden])');
  const paperNumber = await page.textContent('#offline-number');
  const mine = (await mod('GET', `/api/v1/discussions/${id}/comments?status=all`)).body.items;
  const paper = mine.find((x) => x.registration_number === paperNumber);
  assert.equal(paper.channel, 'paper');
  const answer = mine.find((x) => x.official);
  assert.equal(answer.author_name, 'Управление архитектуры и градостроительства');
  assert.equal((await mod('POST', `/api/v1/comments/${paper.id}/moderation`, { decision: 'publish' })).status, 200);
  ids.push({ id: paper.id, registration_number: paperNumber });
  await page.goto(round);
  await page.waitForSelector('#action-close');

  await page.fill('#note', 'Приём предложений завершён по графику');
  await act(page, 'close', /Этап изменён: Приём завершён/);
  await act(page, 'protocol', /Этап изменён: Протокол/);
  await page.waitForSelector('#protocol-versions li');
  assert.match(await page.textContent('#protocol-versions'), /Версия 1[\s\S]*SHA-256: [0-9a-f]{64}/);
  // the annex prints for moderators, with the participants' names
  for (const sel of ['#annex-html', '#annex-pdf']) {
    const res = await page.request.get(await page.getAttribute(sel, 'href'));
    assert.equal(res.status(), 200, sel);
    assert.equal(res.headers()['cache-control'], 'private, no-store');
    if (sel === '#annex-html') {
      const html = await res.text();
      assert.match(html, /Хайруллина Гульнара/);
      assert.match(html, /Сабирова Лилия Рашидовна<\/td><td>30\.09\.1975<\/td><td>г\. Москва, ул\. Далёкая, д\. 1<\/td><td>правообладатель; 16:50:011101:101/);
    }
  }
  await page.waitForSelector(`#entry-${ids[3].id}`);
  assert.equal(await page.locator('#entries > li').count(), 4);
  assert.match(await page.textContent('#missing-state'), /Без рекомендации записей: 4/);
  assert.match(await page.textContent(`#entry-${ids[3].id}`), /Правообладатель на территории/);
  assert.equal(await page.getAttribute(`#entry-${ids[2].id} a`, 'href'), `/api/v1/documents/${doc.id}#page=3`);
  assert.match(await page.textContent(`#entry-${ids[2].id}`), /схема\.pdf, страница 3/);

  // publishing now is refused: the summary links every entry without one
  await page.click('#publish-button');
  await page.waitForSelector('#error-summary:not([hidden])');
  assert.deepEqual(await page.$$eval('#error-summary a', (as) => as.map((a) => a.getAttribute('href'))),
    ids.map((c) => '#entry-' + c.id));
  assert.deepEqual(await axeViolations(page), []);

  // a new protocol version with a note
  await page.fill('#note', 'Уточнены формулировки');
  await act(page, 'reissue', /версия протокола 2/);

  // the second proposal repeats the first: one recommendation for both
  const [a, b, c] = ids.map((x) => 'e' + x.id);
  await page.selectOption(`#${b}-same`, String(ids[0].id));
  assert.equal(await page.isHidden(`#${b}-own`), true);
  await page.check(`#${a}-rec-take_into_account`);
  await page.fill(`#${a}-why`, 'Соответствует целям благоустройства территории');
  await page.check(`#${a}-keep`);
  await page.click(`#${a}-save`);
  await page.waitForSelector('#done:not([hidden])');
  assert.match(await page.textContent('#done'), /объединено с ней записей: 1/);
  // the reason is now in the department's list
  await page.waitForSelector('#reasons option[value="Соответствует целям благоустройства территории"]', { state: 'attached' });
  // the third without a reasoning: the error names the field
  await page.check(`#${c}-rec-reject`);
  await page.click(`#${c}-save`);
  await page.waitForSelector('#error-summary:not([hidden])');
  assert.deepEqual(await page.$$eval('#error-summary a', (as) => as.map((x) => x.getAttribute('href'))), [`#${c}-why`]);
  await page.fill(`#${c}-why`, 'Парковка во дворе противоречит нормам');
  await page.click(`#${c}-save`);
  await page.waitForSelector('#done:not([hidden])');
  assert.match(await page.textContent('#done'), new RegExp(`${ids[2].registration_number} сохранена`));
  assert.equal(await page.isHidden('#error-summary'), true);
  // the right holder's letter: the reason chosen from the department's list
  const d = 'e' + ids[3].id;
  await page.check(`#${d}-rec-take_into_account`);
  await page.fill(`#${d}-why`, 'Соответствует целям благоустройства территории');
  await page.click(`#${d}-save`);
  await page.waitForSelector('#done:not([hidden])');
  assert.match(await page.textContent('#missing-state'), /по всем записям/);

  await page.fill('#findings', 'Обсуждения признаны состоявшимися.');
  await page.click('#findings-form button[type=submit]');
  await page.waitForSelector('#done:not([hidden])');
  await page.click('#preview-button');
  await page.waitForSelector('#preview:not([hidden])');
  const preview = await page.textContent('#preview');
  assert.match(preview, new RegExp(`${ids[0].registration_number}, ${ids[1].registration_number}: Учесть`));
  assert.match(preview, /Не учитывать\. Парковка во дворе/);
  assert.match(preview, /Обсуждения признаны состоявшимися/);
  assert.deepEqual(await axeViolations(page), []);

  await page.click('#publish-button');
  await page.waitForSelector('#published:not([hidden]) #conclusion-versions li');
  assert.match(await page.textContent('#state'), /Сейчас: Заключение/);
  const href = await page.getAttribute('#conclusion-versions a', 'href');
  assert.match(href, new RegExp(`/api/v1/discussions/${id}/conclusion`));
  assert.match(await page.textContent('#next'), /дальше этапов нет/);
  await screenshot(page, 'round-concluded');
  assert.deepEqual(await axeViolations(page), []);
  await lowVision(page);
  assert.deepEqual(await axeViolations(page), []);
  const conclusion = await citizen('GET', `/api/v1/discussions/${id}/conclusion`);
  assert.equal(conclusion.body.items.length, 3);
  assert.deepEqual(conclusion.body.items[0].comment_ids, [ids[0].id, ids[1].id]);
  assert.deepEqual(page.errors.filter((e) => !/status of 422/.test(e)), []); // the unknown plot

  // the citizen sees the outcome on the discussion page and in "my proposals"
  const cp = await newPage(browser, server.url);
  await loginAs(cp, CITIZEN);
  await cp.goto('/discussion.html?id=' + id);
  await cp.waitForSelector('#outcome:not([hidden]) #outcome-conclusion');
  assert.match(await cp.textContent('#outcome-protocol'), /версия 2[\s\S]*SHA-256: [0-9a-f]{64}/);
  assert.equal(await cp.getAttribute('#outcome-conclusion a', 'href'), `/api/v1/discussions/${id}/conclusion.html?version=1`);
  await cp.waitForSelector(`#comment-${ids[1].id} .outcome`);
  assert.match(await cp.textContent(`#comment-${ids[0].id}`), /учесть\. Обоснование: Соответствует целям/);
  assert.match(await cp.textContent(`#comment-${ids[2].id}`), /не учитывать\. Обоснование: Парковка во дворе/);
  assert.deepEqual(await axeViolations(cp), []);
  await lowVision(cp);
  assert.deepEqual(await axeViolations(cp), []);
  await cp.goto('/my-comments.html'); // the version is remembered
  await cp.waitForSelector('#list .outcome');
  assert.match(await cp.textContent('#list'), /Рекомендация организатора: не учитывать\. Обоснование: Парковка во дворе/);
  assert.match(await cp.evaluate(() => document.documentElement.className), /a11y-scheme-wb/);
  assert.deepEqual(await axeViolations(cp), []);
  assert.deepEqual(cp.errors, []);
});

test('a_citizen_is_told_the_round_console_is_for_moderators', async () => {
  const page = await newPage(browser, server.url);
  await loginAs(page, CITIZEN);
  await page.goto('/round.html?id=1');
  await page.waitForSelector('#denied:not([hidden])');
  assert.match(await page.textContent('#denied'), /нет прав модератора/);
  assert.equal(await page.isHidden('#console'), true);
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.errors, []);
});
