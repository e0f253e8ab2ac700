// The version for people with low vision: switched on from the header,
// remembered across reloads and pages, switched back; axe-core finds no
// WCAG 2.1 A/AA violations in any colour scheme.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, newPage, axeViolations, screenshot } from './harness.js';

let server;
let browser;
before(async () => { [server, browser] = await Promise.all([startServer(), startBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

const htmlClass = (page) => page.evaluate(() => document.documentElement.className);

test('low_vision_version_is_remembered_across_reloads_and_pages_until_switched_back', async () => {
  const page = await newPage(browser, server.url);
  await page.goto('/');
  const toggle = page.locator('#a11y-toggle');
  await page.waitForSelector('#a11y-panel', { state: 'attached' });
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
  assert.equal(await page.locator('#a11y-panel').isHidden(), true);
  // keyboard: focus the button and press Enter
  await toggle.focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('#a11y-panel:not([hidden])');
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  await page.getByRole('button', { name: 'Белым по чёрному' }).click();
  await page.getByRole('button', { name: 'Самый крупный' }).click();
  assert.equal(await page.getByRole('button', { name: 'Белым по чёрному' }).getAttribute('aria-pressed'), 'true');
  assert.equal(await page.getByRole('button', { name: 'Чёрным по белому' }).getAttribute('aria-pressed'), 'false');
  assert.match(await htmlClass(page), /\ba11y-scheme-wb\b.*\ba11y-size-3\b/);

  await page.reload();
  // applied in <head>, before any module runs
  assert.match(await htmlClass(page), /\ba11y-scheme-wb\b/);
  await page.waitForSelector('#a11y-panel:not([hidden])');
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(0, 0, 0)');
  assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).fontSize), '32px');

  await page.goto('/discussion.html?id=1');
  await page.waitForSelector('#a11y-panel:not([hidden])');
  assert.match(await htmlClass(page), /\ba11y-scheme-wb\b.*\ba11y-size-3\b/);
  assert.equal(await page.getByRole('button', { name: 'Самый крупный' }).getAttribute('aria-pressed'), 'true');
  await screenshot(page, 'a11y-discussion-wb');

  await page.getByRole('button', { name: 'Обычная версия сайта' }).click();
  await page.waitForSelector('#a11y-panel', { state: 'hidden' });
  assert.equal(await page.locator('#a11y-toggle').getAttribute('aria-pressed'), 'false');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'a11y-toggle');
  assert.doesNotMatch(await htmlClass(page), /a11y-scheme/);
  await page.reload();
  await page.locator('#a11y-toggle').waitFor();
  assert.doesNotMatch(await htmlClass(page), /a11y-scheme/);
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(255, 255, 255)');
  assert.deepEqual(page.errors, []);
});

test('images_can_be_hidden', async () => {
  const page = await newPage(browser, server.url);
  await page.goto('/');
  await page.waitForSelector('#a11y-panel', { state: 'attached' });
  await page.click('#a11y-toggle');
  await page.getByRole('button', { name: 'Скрыть' }).click();
  assert.match(await htmlClass(page), /\ba11y-noimg\b/);
  assert.equal(await page.getByRole('button', { name: 'Скрыть' }).getAttribute('aria-pressed'), 'true');
  await page.getByRole('button', { name: 'Показывать' }).click();
  assert.doesNotMatch(await htmlClass(page), /a11y-noimg/);
  assert.deepEqual(page.errors, []);
});

for (const [scheme, name] of [['bw', 'Чёрным по белому'], ['wb', 'Белым по чёрному'], ['blue', 'Тёмно-синим по голубому']]) {
  test(`axe_finds_no_violations_on_home_and_discussion_in_scheme_${scheme}`, async () => {
    const page = await newPage(browser, server.url);
    await page.goto('/');
    await page.waitForSelector('#a11y-panel', { state: 'attached' });
    await page.click('#a11y-toggle');
    await page.getByRole('button', { name }).click();
    await page.getByRole('button', { name: 'Больше' }).click();
    await page.waitForSelector('#list li');
    await page.waitForSelector('#map path.territory');
    assert.match(await htmlClass(page), new RegExp(`a11y-scheme-${scheme}`));
    await screenshot(page, `a11y-home-${scheme}`);
    assert.deepEqual(await axeViolations(page), []);
    await page.goto('/discussion.html?id=1');
    await page.waitForSelector('#discussion:not([hidden])');
    await page.waitForSelector('#comments-state:not(:empty)');
    await page.waitForSelector('#a11y-panel:not([hidden])');
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(page.errors, []);
  });
}
