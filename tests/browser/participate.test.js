// Taking part: a resident logs in, is told they may take part, places a
// point and sends a proposal, sees its registration number; a moderator
// publishes it and it appears on the page's map and list; an outsider is
// told why they cannot; a proposal sent with the keyboard only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, startBrowser, newPage, loginAs, axeViolations, screenshot, CITIZEN, OUTSIDER, MODERATOR, DEMO_PASSWORD,
} from './harness.js';

let server;
let browser;
before(async () => { [server, browser] = await Promise.all([startServer(), startBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

async function openDiscussion(page, id) {
  await page.goto('/discussion.html?id=' + id);
  await page.waitForSelector('#eligibility:not([hidden])');
}

test('resident_sends_a_proposal_with_a_point_and_sees_it_published', async () => {
  const page = await newPage(browser, server.url);
  // log in through the form, coming back to the discussion
  await page.goto('/login.html?next=' + encodeURIComponent('/discussion.html?id=1'));
  await page.fill('#email', CITIZEN);
  await page.fill('#password', DEMO_PASSWORD);
  await page.click('#login-form button[type=submit]');
  await page.waitForURL(/discussion\.html\?id=1$/);
  await page.waitForSelector('#eligibility:not([hidden])');
  assert.match(await page.textContent('#eligibility'), /Вы можете участвовать/);
  await page.waitForSelector('#form-section:not([hidden])');
  assert.match(await page.textContent('#account-nav'), /Выйти/);
  assert.deepEqual(await axeViolations(page), []);

  await page.check('#kind');
  await page.fill('#body', 'Высадить липы вдоль улицы Баумана');
  // click in the middle of the map (inside the territory): a point
  const box = await page.locator('#map').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForFunction(() => /Отмечена точка/.test(document.getElementById('place-status').textContent));
  await page.selectOption('#document', '1');
  await page.fill('#page', '2');
  await page.click('#send');
  await page.waitForSelector('#sent:not([hidden])');
  const number = (await page.textContent('#reg-number')).trim();
  assert.match(number, /^D-1\/\d{4}$/);
  await screenshot(page, 'discussion-sent');
  assert.deepEqual(await axeViolations(page), []);

  // it is in "my proposals", pending
  await page.goto('/my-comments.html');
  await page.waitForSelector('#list li');
  assert.match(await page.textContent('#list'), new RegExp(number.replace('/', '\\/')));
  assert.match(await page.textContent('#list'), /На проверке/);
  assert.deepEqual(await axeViolations(page), []);

  // a moderator publishes it through the API
  const mod = await server.client(MODERATOR);
  const mine = await page.context().request.get('/api/v1/me/comments');
  const comment = (await mine.json()).items.find((c) => c.registration_number === number);
  const r = await mod('POST', `/api/v1/comments/${comment.id}/moderation`, { decision: 'publish' });
  assert.equal(r.status, 200);

  await openDiscussion(page, 1);
  const item = page.locator('#comment-' + comment.id);
  await item.waitFor();
  assert.match(await item.textContent(), /Высадить липы/);
  assert.match(await item.textContent(), /страница 2/);
  await page.waitForSelector('#map .leaflet-marker-icon');
  await screenshot(page, 'discussion-published');
  assert.deepEqual(page.errors, []);
});

test('outsider_is_told_why_they_cannot_take_part', async () => {
  const page = await newPage(browser, server.url);
  await loginAs(page, OUTSIDER);
  await openDiscussion(page, 1);
  const text = await page.textContent('#eligibility');
  assert.match(text, /не можете участвовать/);
  assert.match(text, /за пределами территории/);
  assert.equal(await page.isHidden('#form-section'), true);
  await screenshot(page, 'discussion-outsider');
  assert.deepEqual(await axeViolations(page), []);
  // the residence page shows the verified address
  await page.goto('/residence.html');
  await page.waitForSelector('#current:not([hidden])');
  assert.match(await page.textContent('#current'), /Подтверждён/);
  await page.waitForSelector('#map .district-label');
  await screenshot(page, 'residence');
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.errors, []);
});

test('a_proposal_can_be_sent_with_the_keyboard_only', async () => {
  const page = await newPage(browser, server.url);
  await loginAs(page, CITIZEN);
  await openDiscussion(page, 1);
  await page.waitForSelector('#form-section:not([hidden])');
  const focused = () => page.evaluate(() => document.activeElement && (document.activeElement.id || document.activeElement.className));
  // Tab forward until the control is focused (never the mouse)
  async function tabTo(pred, what) {
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(pred)) return;
    }
    throw new Error('could not reach ' + what + ' with Tab; focus is on ' + await focused());
  }
  await tabTo(() => document.activeElement.id === 'map', 'the map');
  await page.keyboard.press('ArrowUp'); // pan the map a little
  await tabTo(() => document.activeElement.name === 'kind', 'the kind radios');
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown'); // the second kind: remark
  await tabTo(() => document.activeElement.id === 'body', 'the text');
  await page.keyboard.type('Замечание, отправленное с клавиатуры');
  await tabTo(() => document.activeElement.id === 'place', 'the place button');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /Отмечена точка/.test(document.getElementById('place-status').textContent));
  await tabTo(() => document.activeElement.id === 'send', 'the send button');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#sent:not([hidden])');
  assert.match(await page.textContent('#reg-number'), /^D-1\/\d{4}$/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'sent');
  const mine = await (await page.context().request.get('/api/v1/me/comments')).json();
  const c = mine.items.find((x) => x.body === 'Замечание, отправленное с клавиатуры');
  assert.equal(c.kind, 'remark');
  assert.equal(c.location.type, 'Point');
  assert.deepEqual(page.errors, []);
});

test('an_empty_proposal_shows_the_error_summary_linking_to_fields', async () => {
  const page = await newPage(browser, server.url);
  await loginAs(page, CITIZEN);
  await openDiscussion(page, 1);
  await page.waitForSelector('#form-section:not([hidden])');
  await page.click('#send');
  await page.waitForSelector('#error-summary:not([hidden])');
  assert.deepEqual(await page.$$eval('#error-summary a', (as) => as.map((a) => a.getAttribute('href'))), ['#kind', '#body']);
  assert.equal(await page.getAttribute('#body', 'aria-invalid'), 'true');
  assert.match(await page.textContent('#body-error'), /Напишите текст/);
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.errors, []);
});
