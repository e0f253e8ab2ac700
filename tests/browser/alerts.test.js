// Area alerts (alerts.html): a guest comes from the home page's link, draws
// an area on the map with the polygon tool, subscribes with an e-mail,
// opens the confirmation link from the real e-mail, confirms with the
// button, switches to a weekly digest and deletes the subscription. axe-core
// finds no WCAG 2.1 A/AA violations on the form, the confirmation, the
// manage and the unsubscribe views, in the normal and the low-vision
// version. Edge cases are in tests/api/test_alerts.py.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, newPage, axeViolations, screenshot } from './harness.js';

let server;
let browser;
before(async () => { [server, browser] = await Promise.all([startServer({ smtp: true }), startBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

async function noViolations(page, where) {
  assert.deepEqual(await axeViolations(page), [], where);
}

// Clicks the polygon tool and a square of 120 px around the map's middle,
// each vertex once the one before it is on the map, then the first vertex
// to close it.
async function drawSquare(page) {
  await page.locator('#alert-map').scrollIntoViewIfNeeded(); // all of it: the clicks use its box
  await page.click('#alert-map .leaflet-draw-draw-polygon');
  const box = await page.locator('#alert-map').boundingBox();
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const markers = page.locator('#alert-map .leaflet-marker-icon');
  for (const [dx, dy] of [[-60, -60], [60, -60], [60, 60], [-60, 60]]) {
    const n = await markers.count();
    await page.mouse.move(cx + dx, cy + dy);
    await page.mouse.down();
    await page.mouse.up();
    await page.waitForFunction((k) => document.querySelectorAll('#alert-map .leaflet-marker-icon').length > k, n);
    // Leaflet.draw ignores a press within 50 ms of the last vertex
    // (_enableNewMarkers' timer): a person never clicks that fast
    await page.waitForTimeout(100);
  }
  await page.mouse.move(cx - 60, cy - 60);
  await page.mouse.down();
  await page.mouse.up();
}

test('guest_draws_an_area_subscribes_confirms_from_the_email_manages_and_deletes', async () => {
  const page = await newPage(browser, server.url);
  await page.goto('/');
  await page.getByRole('link', { name: 'Подписаться на оповещения об обсуждениях рядом с вами' }).click();
  await page.waitForURL('**/alerts.html');
  await page.waitForSelector('#a11y-panel', { state: 'attached' });
  await noViolations(page, 'form, address (normal)');

  await page.getByLabel('Нарисовать район на карте').check();
  await page.waitForSelector('#alert-map .leaflet-draw-draw-polygon');
  // submitting before drawing: the error summary links to the choice
  await page.getByRole('button', { name: 'Подписаться' }).click();
  await page.waitForSelector('#error-summary:not([hidden])');
  assert.match(await page.textContent('#error-summary'), /Нарисуйте район на карте/);
  assert.match(await page.textContent('#error-summary'), /Введите адрес электронной почты/);
  await noViolations(page, 'form with errors (normal)');

  await drawSquare(page);
  await page.waitForFunction(() => /нарисованный на карте район/.test(document.getElementById('area-status').textContent));
  await page.getByLabel('Адрес электронной почты').fill('alerts-guest@example.org');
  await page.check('#rhythm-weekly');
  await noViolations(page, 'form, polygon drawn (normal)');
  await screenshot(page, 'alerts-drawn');
  await page.getByRole('button', { name: 'Подписаться' }).click();
  await page.waitForSelector('#sent:not([hidden])');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'sent');
  assert.match(await page.textContent('#sent'), /alerts-guest@example\.org/);

  const mail = await server.mail.next('alerts-guest@example.org', { match: /#confirm=/ });
  const link = /http:\/\/127\.0\.0\.1:\d+(\/alerts\.html#confirm=[A-Za-z0-9_-]{43})/.exec(mail.text);
  assert.ok(link, mail.text);
  await page.goto(link[1]);
  await page.waitForSelector('#confirm:not([hidden])');
  // the token is not left in the address bar
  assert.equal(new URL(page.url()).hash, '');
  await noViolations(page, 'confirm (normal)');
  await page.getByRole('button', { name: 'Подтвердить подписку' }).click();
  await page.waitForSelector('#manage:not([hidden])');
  assert.match(await page.textContent('#manage-notice'), /Подписка подтверждена/);
  assert.equal(await page.textContent('#manage-email'), 'alerts-guest@example.org');
  assert.match(await page.textContent('#manage-area'), /нарисованный на карте район/);
  assert.equal(await page.isChecked('#m-rhythm-weekly'), true);
  assert.equal(await page.isChecked('#m-events-open'), true);
  await noViolations(page, 'manage (normal)');

  await page.uncheck('#m-events-open');
  await page.check('#m-rhythm');
  await page.getByRole('button', { name: 'Сохранить' }).click();
  await page.waitForFunction(() => /Изменения сохранены/.test(document.getElementById('manage-notice').textContent));
  assert.equal(await page.isChecked('#m-events-open'), false);
  assert.equal(await page.isChecked('#m-rhythm'), true);

  // the low-vision version of the same views
  await page.click('#a11y-toggle');
  await page.getByRole('button', { name: 'Белым по чёрному' }).click();
  await page.getByRole('button', { name: 'Больше' }).click();
  await noViolations(page, 'manage (low vision)');
  await page.getByRole('button', { name: 'Удалить подписку' }).click();
  await page.waitForSelector('#done:not([hidden])');
  assert.match(await page.textContent('#done'), /Вы отписались/);
  await noViolations(page, 'done (low vision)');

  await page.goto('/alerts.html#unsubscribe=' + 'A'.repeat(43));
  await page.waitForSelector('#unsubscribe:not([hidden])');
  await noViolations(page, 'unsubscribe (low vision)');
  await page.getByRole('button', { name: 'Отписаться' }).click();
  await page.waitForSelector('#error-summary:not([hidden])');
  assert.match(await page.textContent('#error-summary'), /Ссылка недействительна/);
  await page.goto('/alerts.html');
  await page.waitForSelector('#alert-form');
  await page.getByLabel('Вокруг точки на карте').check();
  await page.waitForSelector('#center-here:not([hidden])');
  await page.getByRole('button', { name: 'Отметить середину карты' }).click();
  await page.waitForFunction(() => /вокруг отмеченной точки/.test(document.getElementById('area-status').textContent));
  await noViolations(page, 'form, point (low vision)');
  // the one expected failure: the unknown token's 410
  assert.deepEqual(page.errors.filter((e) => !/status of 410/.test(e)), []);
});
