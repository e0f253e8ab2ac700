// The moderator console: a resident's proposals wait in the queue; the
// moderator publishes one (it leaves the queue), rejects another with a
// standard reason, and finds both in the log; a paper proposal gets its
// registration number; a guest and a citizen are told the page is not for
// them. axe-core finds nothing on the console.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, startBrowser, newPage, loginAs, axeViolations, screenshot, CITIZEN, MODERATOR,
} from './harness.js';

let server;
let browser;
before(async () => { [server, browser] = await Promise.all([startServer(), startBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

async function openConsole(page, hash = '') {
  await page.goto('/moderation.html' + hash);
  await page.waitForSelector('#console:not([hidden])');
}

test('moderator_publishes_and_rejects_from_the_queue_and_sees_both_in_the_log', async () => {
  const citizen = await server.client(CITIZEN);
  const a = await citizen('POST', '/api/v1/discussions/1/comments', { kind: 'proposal', body: 'Поставить скамейки у фонтана' });
  const b = await citizen('POST', '/api/v1/discussions/1/comments', { kind: 'remark', body: 'Реклама: купите окна' });
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);

  const page = await newPage(browser, server.url);
  await loginAs(page, MODERATOR);
  await openConsole(page);
  await page.selectOption('#q-discussion', '1');
  const itemA = page.locator('#mq-' + a.body.id);
  const itemB = page.locator('#mq-' + b.body.id);
  await itemA.waitFor();
  await itemB.waitFor();
  assert.match(await itemA.textContent(), /Поставить скамейки/);
  assert.match(await itemA.textContent(), new RegExp(a.body.registration_number.replace('/', '\\/')));
  await screenshot(page, 'moderation-queue');
  assert.deepEqual(await axeViolations(page), []);

  // publish: it leaves the queue
  await page.click(`#mq-${a.body.id}-publish`);
  await itemA.waitFor({ state: 'detached' });
  assert.match(await page.textContent('#queue-state'), /опубликована/);

  // reject without a reason: the error summary links to the reason
  await page.click(`#mq-${b.body.id}-reject`);
  assert.equal(await page.getAttribute(`#mq-${b.body.id}-reject`, 'aria-expanded'), 'true');
  await page.click(`#mq-${b.body.id}-rj-send`);
  await page.waitForSelector('#error-summary:not([hidden])');
  assert.deepEqual(await page.$$eval('#error-summary a', (as) => as.map((x) => x.getAttribute('href'))), [`#mq-${b.body.id}-rj-code`]);
  assert.deepEqual(await axeViolations(page), []);
  await page.selectOption(`#mq-${b.body.id}-rj-code`, 'advertising');
  await page.fill(`#mq-${b.body.id}-rj-text`, 'Реклама окон');
  await page.click(`#mq-${b.body.id}-rj-send`);
  await itemB.waitFor({ state: 'detached' });
  assert.equal(await page.isHidden('#error-summary'), true);
  assert.match(await page.textContent('#queue-state'), /отклонена/);

  // the author sees both decisions
  const mine = (await citizen('GET', '/api/v1/me/comments')).body.items;
  assert.equal(mine.find((c) => c.id === a.body.id).status, 'published');
  const rejected = mine.find((c) => c.id === b.body.id);
  assert.equal(rejected.status, 'rejected');

  // the published one can be answered from the "published" list
  await page.selectOption('#q-status', 'published');
  await page.locator(`#mq-${a.body.id}-answer`).click();
  await page.fill(`#mq-${a.body.id}-an-body`, 'Скамейки будут включены в проект.');
  await page.click(`#mq-${a.body.id}-an-send`);
  await page.waitForFunction(() => /Ответ опубликован/.test(document.getElementById('queue-state').textContent));

  // the log shows both decisions
  await page.click('.mod-tabs a[href="#log"]');
  await page.waitForSelector('#log-rows tr');
  const log = await page.textContent('#log-rows');
  assert.match(log, new RegExp(`Запись опубликована\\s*Запись №${a.body.id}`));
  assert.match(log, new RegExp(`Запись отклонена\\s*Запись №${b.body.id}`));
  assert.match(log, /Реклама окон|рекламу/);
  await screenshot(page, 'moderation-log');
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.errors, []);
});

test('a_paper_proposal_gets_a_registration_number', async () => {
  const page = await newPage(browser, server.url);
  await loginAs(page, MODERATOR);
  await openConsole(page, '#offline');
  await page.waitForSelector('#offline:not([hidden])');
  await page.click('#offline-form button[type=submit]');
  await page.waitForSelector('#error-summary:not([hidden])');
  assert.deepEqual(await page.$$eval('#error-summary a', (as) => as.map((x) => x.getAttribute('href'))),
    ['#o-name', '#o-birth', '#o-address', '#o-body']);
  assert.deepEqual(await axeViolations(page), []);
  await page.selectOption('#o-discussion', '1');
  await page.selectOption('#o-channel', 'paper');
  await page.fill('#o-name', 'Иванов Иван Иванович');
  await page.fill('#o-birth', '1970-03-27');
  await page.fill('#o-address', 'г. Казань, ул. Баумана, д. 19');
  await page.fill('#o-body', 'Сохранить старые деревья во дворе');
  await page.click('#offline-form button[type=submit]');
  await page.waitForSelector('#offline-done:not([hidden])');
  assert.match(await page.textContent('#offline-number'), /^D-1\/\d{4}$/);
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.errors, []);
});

// A moderator who picks one discussion and then another at once sees the
// second: the first one's answers, held back here, arrive last and must
// not put back its stage (and link to its round console) or its queue.
test('an_answer_for_an_earlier_choice_does_not_replace_the_later_one', async () => {
  const citizen = await server.client(CITIZEN);
  const c = await citizen('POST', '/api/v1/discussions/1/comments', { kind: 'proposal', body: 'Очередь первого обсуждения' });
  assert.equal(c.status, 201);
  const page = await newPage(browser, server.url);
  await loginAs(page, MODERATOR);
  await openConsole(page, '#stage');
  const other = await page.$$eval('#s-discussion option', (os) => os.map((o) => o.value).find((v) => v !== '1'));
  assert.ok(other, 'a second discussion in the list');
  let held = 0;
  await page.route(/\/api\/v1\/discussions\/1(\/comments\?.*)?$/, async (route) => {
    held++;
    await new Promise((r) => { setTimeout(r, 1500); });
    await route.continue();
  });
  await page.selectOption('#s-discussion', '1');
  await page.selectOption('#s-discussion', other);
  await page.click('.mod-tabs a[href="#queue"]');
  await page.selectOption('#q-discussion', '1');
  await page.selectOption('#q-discussion', other);
  await page.waitForTimeout(2500); // the held answers have come
  assert.ok(held >= 2, `${held} answers held back`);
  // read where they are (opening the stage tab would ask again)
  assert.equal(await page.getAttribute('#stage-round', 'href'), '/round.html?id=' + other);
  assert.equal(await page.locator('#mq-' + c.body.id).count(), 0, 'discussion 1\'s queue shown for ' + other);
  assert.deepEqual(page.errors, []);
});

test('stage_buttons_offer_the_next_stage_and_a_refusal_is_shown', async () => {
  const page = await newPage(browser, server.url);
  await loginAs(page, MODERATOR);
  await openConsole(page, '#stage');
  await page.selectOption('#s-discussion', '1');
  await page.waitForSelector('#to-closed');
  assert.match(await page.textContent('#stage-current'), /Приём предложений/);
  // another moderator moves it first: this page's button is now refused
  const mod = await server.client(MODERATOR);
  assert.equal((await mod('POST', '/api/v1/discussions/1/transitions', { to: 'closed' })).status, 200);
  await page.click('#to-closed');
  await page.waitForSelector('#error-summary:not([hidden])');
  assert.match(await page.textContent('#error-summary'), /Сервер отказал/);
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.errors.filter((e) => !/409/.test(e)), []);
});

test('a_citizen_and_a_guest_are_told_the_console_is_for_moderators', async () => {
  const page = await newPage(browser, server.url);
  await page.goto('/moderation.html');
  await page.waitForSelector('#denied:not([hidden])');
  assert.match(await page.textContent('#denied'), /войдите как модератор/i);
  assert.match(await page.getAttribute('#denied-login', 'href'), /^\/login\.html\?next=/);
  assert.equal(await page.isHidden('#console'), true);
  await loginAs(page, CITIZEN);
  await page.goto('/moderation.html');
  await page.waitForSelector('#denied:not([hidden])');
  assert.match(await page.textContent('#denied'), /нет прав модератора/);
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.errors, []);
});

test('a_project_a_draft_discussion_from_a_geojson_file_and_a_document', async () => {
  const page = await newPage(browser, server.url);
  await loginAs(page, MODERATOR);
  await openConsole(page, '#project');
  await page.fill('#p-title', 'Благоустройство сквера');
  await page.selectOption('#p-kind', 'territory_planning');
  await page.fill('#p-organizer', 'Исполнительный комитет');
  await page.click('#project-form button[type=submit]');
  await page.waitForSelector('#project-done:not([hidden])');
  const projectId = /№(\d+)/.exec(await page.textContent('#project-done'))[1];

  await page.click('.mod-tabs a[href="#discussion"]');
  await page.waitForSelector('#d-map .leaflet-draw');
  assert.deepEqual(await axeViolations(page), []);
  assert.equal(await page.inputValue('#d-project'), projectId);
  await page.fill('#d-title', 'Обсуждение сквера');
  await page.fill('#d-announce', '2027-01-10T09:00');
  await page.fill('#d-opens', '2027-01-20T09:00');
  await page.fill('#d-closes', '2027-02-10T18:00');
  await page.check('#d-source-file');
  const square = { type: 'Polygon', coordinates: [[[49.12, 55.79], [49.125, 55.79], [49.125, 55.793], [49.12, 55.793], [49.12, 55.79]]] };
  await page.setInputFiles('#d-file', { name: 'square.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify({ type: 'Feature', properties: {}, geometry: square })) });
  await page.selectOption('#d-crs', 'EPSG:4326');
  await page.click('#discussion-form button[type=submit]');
  await page.waitForSelector('#discussion-done:not([hidden])');
  assert.match(await page.textContent('#discussion-done'), /Черновик обсуждения №\d+ создан/);

  await page.click('.mod-tabs a[href="#document"]');
  await page.selectOption('#u-project', projectId);
  await page.setInputFiles('#u-file', { name: 'схема.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
  await page.click('#document-form button[type=submit]');
  await page.waitForSelector('#document-done:not([hidden])');
  assert.match(await page.textContent('#document-done'), /схема\.pdf/);
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.errors, []);
});
