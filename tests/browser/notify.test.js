// News, the personal-data policy, e-mail confirmation, unsubscribing and
// following, in the browser: a moderator publishes a news item from the
// news page (the form's errors first); an anonymous visitor reads it on the
// news page and on the home page; a citizen follows a discussion from its
// page and asks for the e-mail confirmation link again. axe-core finds no WCAG 2.1 A/AA violations on the news page (as a
// guest and with the moderator's form), the policy page, the confirmation
// page and the unsubscribe page, in the normal and the low-vision version.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, startBrowser, newPage, loginAs, screenshot, CITIZEN, MODERATOR,
} from './harness.js';
import { axeAllVersions } from './axe_versions.js';

let server;
let browser;
before(async () => { [server, browser] = await Promise.all([startServer(), startBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

test('moderator_publishes_news_and_an_anonymous_visitor_reads_it', async () => {
  const mod = await newPage(browser, server.url);
  await loginAs(mod, MODERATOR);
  await mod.goto('/news.html');
  await mod.waitForSelector('#publish:not([hidden])');
  await mod.waitForSelector('#discussion_id option[value="1"]', { state: 'attached' });
  // nothing filled in: the summary lists both fields and takes the focus
  await mod.getByRole('button', { name: 'Опубликовать' }).click();
  await mod.waitForSelector('#error-summary:not([hidden])');
  assert.equal(await mod.evaluate(() => document.activeElement.id), 'error-summary');
  assert.equal(await mod.locator('#error-summary li').count(), 2);
  assert.equal(await mod.locator('#title').getAttribute('aria-invalid'), 'true');
  await axeAllVersions(mod, 'news.html with errors (moderator)');
  await mod.getByLabel('Заголовок').fill('Экспозиция продлена до пятницы');
  await mod.getByLabel('Текст').fill('Экспозиция проекта работает до пятницы.\n\nПриходите <и> пишите предложения.');
  await mod.getByLabel('Обсуждение (необязательно)').selectOption('1');
  await mod.getByRole('button', { name: 'Опубликовать' }).click();
  await mod.waitForSelector('#publish-status:has-text("Новость опубликована")');
  await mod.waitForSelector('#news-list li h3:has-text("Экспозиция продлена до пятницы")');
  await screenshot(mod, 'news-moderator');
  assert.deepEqual(mod.errors, []);

  const guest = await newPage(browser, server.url);
  await guest.goto('/news.html');
  const item = guest.locator('#news-list li').first();
  await item.locator('h3:has-text("Экспозиция продлена до пятницы")').waitFor();
  assert.equal(await guest.locator('#publish').isHidden(), true);
  assert.match(await item.innerText(), /Приходите <и> пишите предложения\./);
  const link = item.getByRole('link');
  assert.equal(await link.getAttribute('href'), '/discussion.html?id=1');
  assert.equal(await guest.locator('link[rel="alternate"][type="application/atom+xml"]').getAttribute('href'), '/feeds/news.atom');
  await axeAllVersions(guest, 'news.html (guest)');
  // the home page lists it too, with the way to all news
  await guest.goto('/');
  await guest.waitForSelector('#home-news:not([hidden]) h3:has-text("Экспозиция продлена до пятницы")');
  await guest.getByRole('link', { name: 'Все новости' }).click();
  await guest.waitForURL('**/news.html');
  await guest.waitForSelector('#news-list li');
  assert.deepEqual(guest.errors, []);
});

test('citizen_follows_a_discussion_from_its_page_and_the_pages_of_the_links_are_accessible', async () => {
  const page = await newPage(browser, server.url);
  await loginAs(page, CITIZEN);
  await page.goto('/discussion.html?id=1');
  const button = page.locator('#follow-button');
  await page.waitForSelector('#follow-box:not([hidden]) #follow-button[aria-pressed="false"]');
  assert.equal(await page.locator('link[rel="alternate"][href="/feeds/discussions/1/comments.atom"]').count(), 1);
  await button.click();
  await page.waitForSelector('#follow-button[aria-pressed="true"]');
  assert.match(await page.locator('#follow-status').innerText(), /следите/);
  await button.click();
  await page.waitForSelector('#follow-button[aria-pressed="false"]');
  // the demo citizen's address is not confirmed: "my proposals" says so and sends the link again
  await page.goto('/my-comments.html');
  await page.waitForSelector('#confirm-box:not([hidden])');
  await page.waitForFunction(() => !/Загрузка/.test(document.getElementById('state').textContent));
  await axeAllVersions(page, 'my-comments.html with the confirmation note');
  await page.getByRole('button', { name: 'Отправить ссылку ещё раз' }).click();
  await page.waitForSelector('#confirm-status:has-text("Ссылка отправлена")');
  assert.deepEqual(page.errors, []);

  const guest = await newPage(browser, server.url);
  for (const [url, ready, what] of [
    ['/privacy.html', '#policy p:not([data-i18n="loading"])', 'privacy.html'],
    ['/confirm-email.html#token=' + 'A'.repeat(43), '#gone:not([hidden])', 'confirm-email.html (a spent link)'],
    ['/unsubscribe.html#token=' + 'B'.repeat(43), '#unsub-form:not([hidden])', 'unsubscribe.html'],
  ]) {
    await guest.goto(url);
    await guest.waitForSelector('#a11y-panel', { state: 'attached' });
    await guest.waitForSelector(ready);
    await axeAllVersions(guest, what);
  }
  // the button of the unsubscribe page with an unknown link says so
  await guest.getByRole('button', { name: 'Отписаться' }).click();
  await guest.waitForSelector('#gone:not([hidden])');
  assert.equal(await guest.evaluate(() => document.activeElement.id), 'gone');
  // the two unknown links answered 410, as they should
  assert.deepEqual(guest.errors.filter((e) => !/status of 410/.test(e)), []);
});
