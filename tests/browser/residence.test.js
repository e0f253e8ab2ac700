// The address field of the residence page with suggestions from the
// register: a WAI-ARIA 1.2 combobox. Typing a loose spelling lists the
// register's addresses (the demo one first) and a polite live region says
// how many; Down/Up move the active option (aria-activedescendant, focus
// stays in the text box), Enter fills the field, Escape closes the list,
// Alt+Down opens it again, a click chooses too; the saved address is the
// register's spelling; no match is announced; axe-core finds no WCAG 2.1
// A/AA violations with the list open, in the normal and the low-vision
// version.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, startBrowser, newPage, loginAs, axeViolations, screenshot, CITIZEN,
} from './harness.js';

const DEMO = 'г. Казань, ул. Баумана, д. 19';

let server;
let browser;
before(async () => { [server, browser] = await Promise.all([startServer(), startBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

async function residencePage() {
  const page = await newPage(browser, server.url);
  await loginAs(page, CITIZEN);
  await page.goto('/residence.html');
  await page.waitForSelector('#residence-form:not([hidden])');
  return page;
}

// Types q into the empty address box and waits for the list to open with
// the answer to the whole of q (not a list for a prefix still on screen:
// aria-busy is set while a newer lookup is pending).
async function typeAndWait(page, q) {
  await page.fill('#address', '');
  await page.locator('#address').pressSequentially(q, { delay: 20 });
  await page.waitForSelector('#address-listbox:not([hidden]):not([aria-busy]) [role=option]');
}

const combo = (page) => page.evaluate(() => {
  const input = document.getElementById('address');
  const list = document.getElementById('address-listbox');
  return {
    expanded: input.getAttribute('aria-expanded'),
    active: input.getAttribute('aria-activedescendant'),
    hidden: list.hidden,
    options: [...list.querySelectorAll('[role=option]')].map((o) => ({
      id: o.id, text: o.firstChild.textContent, selected: o.getAttribute('aria-selected'),
    })),
    value: input.value,
    focused: document.activeElement === input,
    status: document.getElementById('address-status').textContent,
  };
});

test('the_address_box_is_a_combobox_with_a_listbox_and_a_live_region', async () => {
  const page = await residencePage();
  const attrs = await page.$eval('#address', (i) => ({
    role: i.getAttribute('role'), auto: i.getAttribute('aria-autocomplete'),
    expanded: i.getAttribute('aria-expanded'), controls: i.getAttribute('aria-controls'),
  }));
  assert.deepEqual(attrs, { role: 'combobox', auto: 'list', expanded: 'false', controls: 'address-listbox' });
  assert.equal(await page.getAttribute('#address-listbox', 'role'), 'listbox');
  assert.equal(await page.getAttribute('#address-status', 'aria-live'), 'polite');
  // the box is found by its label, as a combobox
  assert.equal(await page.getByRole('combobox', { name: 'Адрес места жительства' }).count(), 1);
  assert.deepEqual(page.errors, []);
});

test('a_loose_spelling_lists_the_register_address_first_and_the_keyboard_chooses_it', async () => {
  const page = await residencePage();
  await typeAndWait(page, 'улица Баумана, дом 19');
  let c = await combo(page);
  assert.equal(c.expanded, 'true');
  assert.equal(c.options[0].text, DEMO);
  assert.equal(c.active, null);
  await page.waitForFunction(() => /Найдено адресов: \d+/.test(document.getElementById('address-status').textContent));
  c = await combo(page);
  assert.match(c.status, new RegExp('Найдено адресов: ' + c.options.length + '\\.'));

  await page.keyboard.press('ArrowDown');
  c = await combo(page);
  assert.equal(c.active, c.options[0].id);
  assert.equal(c.options[0].selected, 'true');
  assert.ok(c.focused, 'the focus stays in the text box');
  if (c.options.length > 1) {
    await page.keyboard.press('ArrowDown');
    c = await combo(page);
    assert.equal(c.active, c.options[1].id);
    assert.deepEqual(c.options.map((o) => o.selected).slice(0, 2), ['false', 'true']);
    await page.keyboard.press('ArrowUp');
    c = await combo(page);
    assert.equal(c.active, c.options[0].id);
  }
  await page.keyboard.press('Enter');
  c = await combo(page);
  assert.equal(c.value, DEMO);
  assert.equal(c.hidden, true);
  assert.equal(c.expanded, 'false');
  assert.equal(c.active, null);
  assert.match(c.status, /Выбран адрес: г\. Казань, ул\. Баумана, д\. 19/);
  // Enter chose the address; it did not send the form
  assert.equal(await page.isHidden('#saved'), true);

  await page.click('#residence-form button[type=submit]');
  await page.waitForSelector('#saved:not([hidden])');
  await page.waitForSelector('#current:not([hidden])');
  assert.equal(await page.textContent('#current-address'), DEMO);
  assert.deepEqual(page.errors, []);
});

test('a_list_for_older_text_is_marked_busy_until_the_answer_to_the_new_text', async () => {
  const page = await residencePage();
  await typeAndWait(page, 'Баумана');
  // one more character: the list on screen answers the older text now
  await page.locator('#address').pressSequentially(' 19');
  assert.equal(await page.getAttribute('#address-listbox', 'aria-busy'), 'true');
  await page.waitForSelector('#address-listbox:not([hidden]):not([aria-busy]) [role=option]');
  const c = await combo(page);
  assert.equal(c.options[0].text, DEMO);
  assert.match(c.status, /Найдено адресов: \d+\./);
  assert.deepEqual(page.errors, []);
});

test('escape_closes_the_list_and_alt_down_opens_it_again', async () => {
  const page = await residencePage();
  await typeAndWait(page, 'Бау');
  let c = await combo(page);
  assert.ok(c.options.length > 1 && c.options.every((o) => o.text.includes('ул. Баумана')), JSON.stringify(c.options));
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Escape');
  c = await combo(page);
  assert.deepEqual([c.hidden, c.expanded, c.active, c.value], [true, 'false', null, 'Бау']);
  await page.keyboard.press('Alt+ArrowDown');
  c = await combo(page);
  assert.deepEqual([c.hidden, c.expanded, c.active], [false, 'true', null]);
  await page.keyboard.press('ArrowUp'); // from the box to the last option
  c = await combo(page);
  assert.equal(c.active, c.options[c.options.length - 1].id);
  // Tab leaves the box and closes the list
  await page.keyboard.press('Tab');
  c = await combo(page);
  assert.deepEqual([c.hidden, c.expanded, c.focused], [true, 'false', false]);
  assert.deepEqual(page.errors, []);
});

test('a_click_on_an_option_fills_the_box', async () => {
  const page = await residencePage();
  await typeAndWait(page, 'Баумана 19');
  await page.getByRole('option', { name: DEMO }).click();
  const c = await combo(page);
  assert.deepEqual([c.value, c.hidden, c.focused], [DEMO, true, true]);
  assert.deepEqual(page.errors, []);
});

test('no_match_is_announced_and_the_list_stays_closed', async () => {
  const page = await residencePage();
  await page.locator('#address').pressSequentially('Несуществующая 999', { delay: 10 });
  await page.waitForFunction(() => /В реестре нет такого адреса/.test(document.getElementById('address-status').textContent));
  const c = await combo(page);
  assert.deepEqual([c.hidden, c.expanded, c.options.length], [true, 'false', 0]);
  // one letter asks nothing
  await page.fill('#address', '');
  await page.locator('#address').pressSequentially('Б');
  await page.waitForTimeout(600);
  assert.equal(await page.isHidden('#address-listbox'), true);
  assert.deepEqual(page.errors, []);
});

test('axe_finds_no_violations_with_the_list_open_in_the_normal_and_low_vision_versions', async () => {
  const page = await residencePage();
  await page.waitForSelector('#a11y-panel', { state: 'attached' });
  await typeAndWait(page, 'Баумана');
  await page.keyboard.press('ArrowDown');
  await screenshot(page, 'residence-address-suggestions');
  assert.deepEqual(await axeViolations(page), []);
  await page.click('#a11y-toggle');
  await page.waitForSelector('#a11y-panel:not([hidden])');
  for (const name of ['Чёрным по белому', 'Белым по чёрному', 'Тёмно-синим по голубому']) {
    await page.getByRole('button', { name }).click();
    await typeAndWait(page, 'Баумана 1');
    await page.keyboard.press('ArrowDown');
    assert.deepEqual(await axeViolations(page), [], name);
  }
  await screenshot(page, 'residence-address-suggestions-low-vision');
  assert.deepEqual(page.errors, []);
});
