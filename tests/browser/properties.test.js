// "Моя недвижимость": a guest is asked to log in; a person whose residence
// is verified but outside the territory comes from the residence page,
// declares a parcel by cadastral number (the error summary links to the
// field for an empty, a malformed, an unknown and a repeated number), sees it
// waiting, is told on the discussion page that the property — not the
// address — is not verified yet, with a link back; a moderator verifies it and
// the page and the discussion say so; a refusal shows the moderator's reason.
// axe-core finds no WCAG 2.1 A/AA violations in the normal and the low-vision
// version.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, startBrowser, newPage, loginAs, axeViolations, screenshot, CITIZEN, OUTSIDER, MODERATOR,
} from './harness.js';

const CENTRAL_PARCEL = '16:50:011101:101'; // the demo's parcel inside an open discussion
const OTHER_PARCEL = '16:50:020604:605';   // a demo parcel far from it

let server;
let browser;
before(async () => { [server, browser] = await Promise.all([startServer(), startBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

async function submit(page, value) {
  await page.fill('#cadastral_number', value);
  await page.click('#property-form button[type=submit]');
}

// The field's error: summary shown and focused, linking to the field, the
// message beside it, the field marked invalid.
async function fieldError(page, pattern) {
  await page.waitForSelector('#error-summary:not([hidden])');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'error-summary');
  assert.deepEqual(await page.$$eval('#error-summary a', (as) => as.map((a) => a.getAttribute('href'))), ['#cadastral_number']);
  assert.match(await page.textContent('#error-summary'), pattern);
  assert.match(await page.textContent('#cadastral_number-error'), /^Ошибка: /);
  assert.match(await page.textContent('#cadastral_number-error'), pattern);
  assert.equal(await page.getAttribute('#cadastral_number', 'aria-invalid'), 'true');
  assert.match(await page.getAttribute('#cadastral_number', 'aria-describedby'), /cadastral_number-hint cadastral_number-error/);
}

// An open discussion whose eligibility for the page's account has reason code.
async function discussionWithReason(page, code) {
  const list = await (await page.context().request.get('/api/v1/discussions?status=open')).json();
  for (const d of list.items) {
    const e = await (await page.context().request.get(`/api/v1/discussions/${d.id}/eligibility`)).json();
    if (e.reason_code === code) return d.id;
  }
  return null;
}

test('guest_is_asked_to_log_in', async () => {
  const page = await newPage(browser, server.url);
  await page.goto('/properties.html');
  await page.waitForFunction(() => /войдите/.test(document.getElementById('state').textContent));
  assert.equal(await page.getAttribute('#state a', 'href'), '/login.html?next=%2Fproperties.html');
  assert.equal(await page.isHidden('#property-form'), true);
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.errors, []);
});

test('outsider_declares_a_parcel_is_told_it_waits_and_takes_part_once_verified', async () => {
  const page = await newPage(browser, server.url);
  await loginAs(page, OUTSIDER);
  // from the residence page, and the header has the link too
  await page.goto('/residence.html');
  await page.waitForSelector('#account-nav a[href="/properties.html"]');
  await page.getByRole('main').getByRole('link', { name: /Моя недвижимость/ }).click();
  await page.waitForURL('**/properties.html');
  await page.waitForSelector('#property-form:not([hidden])');
  assert.match(await page.textContent('#count'), /ещё не указали/);
  assert.equal(await page.getAttribute('#cadastral_number', 'aria-describedby'), 'cadastral_number-hint');
  assert.ok((await page.textContent('label[for=cadastral_number]')).includes('Кадастровый номер'));
  assert.deepEqual(await axeViolations(page), []);

  // empty, malformed (checked on the page), unknown (checked by the server)
  await submit(page, '');
  await fieldError(page, /Введите кадастровый номер(?! в виде)/);
  assert.deepEqual(await axeViolations(page), []);
  await submit(page, '16:50:1');
  await fieldError(page, /в виде 16:50:011101:101/);
  await submit(page, '16:50:011101:99999');
  await fieldError(page, /нет на кадастровой карте/);
  // a summary link moves focus to the field
  await page.click('#error-summary a[href="#cadastral_number"]');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'cadastral_number');

  // the real one: saved, listed as waiting, the error gone
  await submit(page, ' ' + CENTRAL_PARCEL + ' ');
  await page.waitForSelector('#saved:not([hidden])');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'saved');
  assert.equal(await page.isHidden('#error-summary'), true);
  assert.equal(await page.getAttribute('#cadastral_number', 'aria-invalid'), null);
  const item = page.locator('#list li');
  assert.equal(await item.count(), 1);
  assert.match(await item.textContent(), new RegExp('Кадастровый номер ' + CENTRAL_PARCEL));
  assert.match(await item.textContent(), /На проверке/);
  await screenshot(page, 'properties-pending');
  assert.deepEqual(await axeViolations(page), []);
  // the same number again
  await submit(page, CENTRAL_PARCEL);
  await fieldError(page, /уже есть в вашем списке/);

  // the discussion says the property, not the address, waits
  const id = await discussionWithReason(page, 'property_not_verified');
  assert.ok(id, 'an open discussion around the central parcel');
  await page.goto('/discussion.html?id=' + id);
  await page.waitForSelector('#eligibility:not([hidden])');
  const banner = await page.textContent('#eligibility');
  assert.match(banner, /не можете участвовать/);
  assert.match(banner, /участок или объект недвижимости ещё не подтверждён/);
  assert.doesNotMatch(banner, /адрес ещё не подтверждён/i);
  assert.deepEqual(await axeViolations(page), []);
  await page.locator('#eligibility').getByRole('link', { name: 'Моя недвижимость' }).click();
  await page.waitForURL('**/properties.html');

  // a moderator verifies it: the page and the discussion say so
  const mine = await (await page.context().request.get('/api/v1/me/properties')).json();
  const me = await (await page.context().request.get('/api/v1/me')).json();
  const mod = await server.client(MODERATOR);
  const r = await mod('POST', `/api/v1/accounts/${me.id}/properties/${mine.items[0].id}/verification`, { verified: true, note: 'выписка ЕГРН' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await page.reload();
  await page.waitForSelector('#list li');
  const text = await page.textContent('#list li');
  assert.match(text, /Подтверждён/);
  assert.match(text, /Право подтвердил модератор \d+ \S+ \d{4}/);
  await page.goto('/discussion.html?id=' + id);
  await page.waitForSelector('#eligibility:not([hidden])');
  assert.match(await page.textContent('#eligibility'), /Вы можете участвовать/);
  assert.match(await page.textContent('#eligibility'), /участок или здание/);
  // the unknown number's 422 is logged by the browser; nothing else
  assert.deepEqual(page.errors.filter((e) => !/status of 422/.test(e)), []);
});

test('refused_property_shows_the_moderators_reason', async () => {
  const page = await newPage(browser, server.url);
  await loginAs(page, CITIZEN);
  await page.goto('/properties.html');
  await page.waitForSelector('#property-form:not([hidden])');
  await submit(page, OTHER_PARCEL);
  await page.waitForSelector('#saved:not([hidden])');
  const mine = await (await page.context().request.get('/api/v1/me/properties')).json();
  const me = await (await page.context().request.get('/api/v1/me')).json();
  const prop = mine.items.find((p) => p.cadastral_number === OTHER_PARCEL);
  const mod = await server.client(MODERATOR);
  const r = await mod('POST', `/api/v1/accounts/${me.id}/properties/${prop.id}/verification`,
    { verified: false, note: 'в выписке ЕГРН другой правообладатель' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await page.reload();
  const item = page.locator('#property-' + prop.id);
  await item.waitFor();
  assert.match(await item.textContent(), /Не подтверждён/);
  assert.match(await item.textContent(), /Модератор не подтвердил право: в выписке ЕГРН другой правообладатель/);
  assert.equal(await item.getByRole('link', { name: 'Техническая поддержка' }).getAttribute('href'), '/support.html');
  await screenshot(page, 'properties-refused');
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.errors, []);
});

test('axe_finds_no_violations_on_the_properties_page_in_the_low_vision_version', async () => {
  const page = await newPage(browser, server.url);
  await loginAs(page, CITIZEN);
  await page.goto('/properties.html');
  await page.waitForSelector('#property-form:not([hidden])');
  await page.waitForSelector('#a11y-panel', { state: 'attached' });
  await page.click('#a11y-toggle');
  await page.waitForSelector('#a11y-panel:not([hidden])');
  for (const name of ['Чёрным по белому', 'Белым по чёрному', 'Тёмно-синим по голубому']) {
    await page.getByRole('button', { name }).click();
    assert.deepEqual(await axeViolations(page), [], name);
  }
  await submit(page, 'не номер');
  await page.waitForSelector('#error-summary:not([hidden])');
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.errors, []);
});
