// The department's console (issue 14, part B), one server for all:
// - appeals: a citizen's proposal is rejected; the citizen appeals from "my
//   proposals"; the moderator who rejected it sees that another must decide,
//   and the API answers 403 when that moderator tries; a second moderator
//   upholds it on /appeals.html; the proposal is published with its original
//   registration number and the author is e-mailed;
// - a declared property waits in the verification queue with its parcel on
//   a small map and is verified;
// - a moderator answers a support message by e-mail and closes it in the
//   inbox;
// - an admin finds an account, grants it the moderator role, and cannot drop
//   their own admin role.
// axe-core finds no WCAG 2.1 A/AA violations on each page and form, in the
// normal and the low-vision version.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, startBrowser, newPage, loginAs, axeViolations, screenshot, CITIZEN, MODERATOR, OUTSIDER, DEMO_PASSWORD,
} from './harness.js';
import { axeAllVersions } from './axe_versions.js';

const ADMIN = 'admin@kengash.local';
const PARCEL = '16:50:020604:605'; // a demo parcel
let server;
let browser;
before(async () => { [server, browser] = await Promise.all([startServer({ smtp: true }), startBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

// A second moderator, made by the demo admin.
async function secondModerator() {
  const email = `mod2-${Date.now()}@example.org`;
  const res = await fetch(server.url + '/api/v1/accounts', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD, full_name: 'Второй Модератор', consent: true }),
  });
  assert.equal(res.status, 201);
  const { id } = await res.json();
  const admin = await server.client(ADMIN);
  assert.equal((await admin('PUT', `/api/v1/accounts/${id}/role`, { role: 'moderator' })).status, 200);
  return email;
}

test('rejected_proposal_is_appealed_and_published_by_another_moderator_with_its_number', async () => {
  const citizen = await server.client(CITIZEN);
  const mod = await server.client(MODERATOR);
  const c = await citizen('POST', '/api/v1/discussions/1/comments', { kind: 'proposal', body: 'Устроить велодорожку вдоль набережной' });
  assert.equal(c.status, 201);
  const { id, registration_number: number } = c.body;
  const rej = await mod('POST', `/api/v1/comments/${id}/moderation`, { decision: 'reject', reason_code: 'not_about_project' });
  assert.equal(rej.status, 200);

  // the author appeals from "my proposals"
  const page = await newPage(browser, server.url);
  await loginAs(page, CITIZEN);
  await page.goto('/my-comments.html');
  const open = page.locator(`#appeal-${id}-open`);
  await open.click();
  assert.equal(await open.getAttribute('aria-expanded'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), `appeal-${id}`);
  // an empty appeal is named beside the field
  await page.click(`#appeal-${id}-form button[type=submit]`);
  await page.waitForSelector(`#appeal-${id}-error:not([hidden])`);
  assert.equal(await page.getAttribute(`#appeal-${id}`, 'aria-invalid'), 'true');
  await axeAllVersions(page, 'my-comments.html with the appeal form');
  await page.getByLabel('Почему предложение отклонено неверно').fill('Велодорожка проходит по территории проекта, это предложение по существу.');
  await page.click(`#appeal-${id}-form button[type=submit]`);
  await page.waitForSelector(`#appeal-${id}-done`);
  assert.match(await page.textContent(`#appeal-${id}-done`), /Жалоба подана/);
  assert.deepEqual(page.errors, []);

  // the moderator who rejected it: no form, and the API answers 403
  const appeal = (await mod('GET', '/api/v1/appeals?status=pending')).body.items.find((a) => a.comment_id === id);
  assert.ok(appeal);
  const own = await mod('POST', `/api/v1/appeals/${appeal.id}/decision`, { decision: 'uphold', reason: 'сам себе' });
  assert.equal(own.status, 403);
  assert.match(own.body.detail, /different moderator/);
  const modPage = await newPage(browser, server.url);
  await loginAs(modPage, MODERATOR);
  await modPage.goto('/appeals.html');
  await modPage.waitForSelector(`#ap-${appeal.id}-own`);
  assert.equal(await modPage.locator(`#ap-${appeal.id}-form`).count(), 0);
  assert.deepEqual(modPage.errors, []);

  // a second moderator upholds it
  const other = await secondModerator();
  const page2 = await newPage(browser, server.url);
  await loginAs(page2, other);
  await page2.goto('/appeals.html');
  await page2.waitForSelector(`#ap-${appeal.id}-form`);
  // nothing chosen: the error summary names both fields
  await page2.click(`#ap-${appeal.id}-form button[type=submit]`);
  await page2.waitForSelector('#error-summary:not([hidden])');
  assert.deepEqual(await page2.$$eval('#error-summary a', (as) => as.map((a) => a.getAttribute('href'))),
    [`#ap-${appeal.id}-uphold`, `#ap-${appeal.id}-reason`]);
  await axeAllVersions(page2, 'appeals.html with the decision form and errors');
  await page2.getByLabel('Удовлетворить: опубликовать предложение').check();
  await page2.getByLabel('Обоснование решения').fill('Предложение относится к территории проекта.');
  await page2.click(`#ap-${appeal.id}-form button[type=submit]`);
  await page2.waitForSelector(`#ap-${appeal.id}-form`, { state: 'detached' });
  assert.match(await page2.textContent('#list-state'), new RegExp(`Решение по жалобе на ${number.replace('/', '\\/')} принято`));
  assert.equal(await page2.evaluate(() => document.activeElement.id), 'list-state');
  await screenshot(page2, 'appeals-decided');
  assert.deepEqual(page2.errors, []);

  // published under its original number, and the author is told
  const pub = await fetch(`${server.url}/api/v1/comments/${id}`).then((r) => r.json());
  assert.equal(pub.status, 'published');
  assert.equal(pub.registration_number, number);
  const mail = await server.mail.next('citizen@kengash.local', { match: /Жалоба удовлетворена/ });
  assert.match(mail.subject, new RegExp(number.replace('/', '\\/')));
  // the author's page shows the outcome
  await page.goto('/my-comments.html');
  await page.waitForSelector('.appeal-state');
  assert.match(await page.textContent('#list'), /удовлетворена/);
  assert.deepEqual(page.errors, []);
});

test('declared_property_is_verified_from_the_queue_with_its_parcel_on_a_map', async () => {
  const outsider = await server.client(OUTSIDER);
  const made = await outsider('POST', '/api/v1/me/properties', { cadastral_number: PARCEL });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const page = await newPage(browser, server.url);
  await loginAs(page, MODERATOR);
  await page.goto('/moderation.html#verify');
  const item = page.locator('#verify-list > li', { hasText: PARCEL });
  await item.waitFor();
  const id = await item.getAttribute('id');
  assert.equal(await page.textContent(`#${id}-cadastral`), PARCEL);
  await page.waitForSelector(`#${id}-parcel path.leaflet-interactive, #${id}-parcel svg path`);
  assert.equal(await page.getAttribute(`#${id}-parcel`, 'aria-label'), `Карта участка ${PARCEL}`);
  await screenshot(page, 'dept-verify-property');
  await axeAllVersions(page, 'moderation.html#verify with a property');
  await page.click(`#${id}-ok`);
  await page.waitForSelector(`#${id}`, { state: 'detached' });
  const mine = await outsider('GET', '/api/v1/me/properties');
  const p = mine.body.items.find((x) => x.cadastral_number === PARCEL);
  assert.equal(p.status, 'verified');
  assert.deepEqual(page.errors, []);
});

test('moderator_answers_a_support_message_by_e_mail_and_closes_it', async () => {
  const res = await fetch(server.url + '/api/v1/support-messages', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'Гарипова Алсу', email: 'alsu@example.org', topic: 'Не приходит письмо', body: 'Письмо со ссылкой не пришло.' }),
  });
  assert.equal(res.status, 201);
  const { id } = await res.json();
  const page = await newPage(browser, server.url);
  await loginAs(page, MODERATOR);
  await page.goto('/moderation.html');
  await page.getByRole('link', { name: 'Обращения в техподдержку' }).click();
  await page.waitForURL('**/inbox.html');
  await page.waitForSelector(`#msg-${id}`);
  // an empty answer: the error summary links to the field
  await page.click(`#msg-${id}-form button[type=submit]`);
  await page.waitForSelector('#error-summary:not([hidden])');
  assert.deepEqual(await page.$$eval('#error-summary a', (as) => as.map((a) => a.getAttribute('href'))), [`#msg-${id}-answer`]);
  await axeAllVersions(page, 'inbox.html with an error');
  await page.getByLabel(`Ответ на обращение №${id}`).fill('Проверьте папку «Спам», письмо отправлено.');
  await page.click(`#msg-${id}-form button[type=submit]`);
  await page.waitForSelector(`#msg-${id} .dept-replies`);
  assert.match(await page.textContent('#list-state'), new RegExp(`Ответ на обращение №${id} отправлен`));
  const mail = await server.mail.next('alsu@example.org', { match: /Ответ на обращение/ });
  assert.match(mail.text, /папку «Спам»/);
  await page.click(`#msg-${id}-status`);
  await page.waitForSelector(`#msg-${id}`, { state: 'detached' });
  assert.match(await page.textContent('#list-state'), new RegExp(`Обращение №${id} закрыто`));
  await page.selectOption('#filter', 'closed');
  await page.click('#filter-form button[type=submit]');
  await page.waitForSelector(`#msg-${id}`);
  assert.equal(await page.locator(`#msg-${id}-form`).count(), 0);
  assert.deepEqual(page.errors, []);
});

test('admin_grants_the_moderator_role_and_keeps_their_own_admin_role', async () => {
  const page = await newPage(browser, server.url);
  await loginAs(page, ADMIN);
  await page.goto('/accounts.html');
  await page.waitForSelector('#rows tr');
  await page.getByLabel('Имя или электронная почта').fill('outsider@');
  await page.click('#search-form button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 1);
  const row = page.locator('#rows tr');
  const id = (await row.getAttribute('id')).replace('acc-', '');
  await axeAllVersions(page, 'accounts.html');
  await page.selectOption(`#role-${id}`, 'moderator');
  await page.click(`#acc-${id}-apply`);
  await page.waitForFunction((i) => document.getElementById(`acc-${i}-role`).textContent === 'модератор', id);
  assert.match(await page.textContent('#list-state'), /модератор/);
  const admin = await server.client(ADMIN);
  const log = (await admin('GET', '/api/v1/moderation/log?limit=50')).body.items;
  assert.ok(log.some((e) => e.action === 'account.role' && e.target.id === Number(id) && e.reason === 'moderator'));
  // one's own admin role stays: the refusal is shown in the error summary
  await page.getByLabel('Имя или электронная почта').fill(ADMIN);
  await page.click('#search-form button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 1 && /\(это вы\)/.test(document.querySelector('#rows tr').textContent));
  const meId = (await page.locator('#rows tr').getAttribute('id')).replace('acc-', '');
  await page.selectOption(`#role-${meId}`, 'citizen');
  await page.click(`#acc-${meId}-apply`);
  await page.waitForSelector('#error-summary:not([hidden])');
  assert.equal(await page.textContent(`#acc-${meId}-role`), 'администратор');
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.errors, []);
  // a moderator is turned away
  const modPage = await newPage(browser, server.url);
  await loginAs(modPage, MODERATOR);
  await modPage.goto('/accounts.html');
  await modPage.waitForSelector('#denied:not([hidden])');
  assert.deepEqual(await axeViolations(modPage), []);
  assert.deepEqual(modPage.errors, []);
});
