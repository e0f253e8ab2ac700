// The account's language and the pages (issue 20, web/js/lang.js): a switch
// while logged in is saved on the account (PATCH /api/v1/me, CSRF), and a
// sign-in in a browser that has not chosen a language sets the `lang`
// cookie to the account's, so the next page is in it; anonymous visitors'
// switch stays the cookie only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, newPage, loginAs, CITIZEN } from './harness.js';

let server;
let browser;
before(async () => { [server, browser] = await Promise.all([startServer(), startBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

const accountLanguage = (page) => page.evaluate(async () => (await (await fetch('/api/v1/me')).json()).language);

test('a_switch_is_saved_on_the_account_and_a_new_browser_follows_it_after_sign_in', async () => {
  // anonymous: the switch is the cookie's only, no error
  const anon = await newPage(browser, server.url);
  await anon.goto('/?lang=tt');
  assert.equal(await anon.evaluate(() => document.documentElement.lang), 'tt');
  await anon.context().close();

  const page = await newPage(browser, server.url);
  await loginAs(page, CITIZEN);
  await page.goto('/my-comments.html');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'ru');
  assert.equal(await accountLanguage(page), 'ru');
  await page.goto('/my-comments.html?lang=en');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await page.waitForFunction(async () => (await (await fetch('/api/v1/me')).json()).language === 'en');
  assert.deepEqual(page.errors, []);
  await page.context().close();

  // another browser, no language chosen: signing in brings the account's
  const other = await newPage(browser, server.url);
  await other.goto('/');
  assert.equal(await other.evaluate(() => document.documentElement.lang), 'ru');
  await loginAs(other, CITIZEN);
  await other.goto('/my-comments.html');
  assert.equal(await other.evaluate(() => document.documentElement.lang), 'en');
  // back to Russian through the switch, saved again
  await other.goto('/my-comments.html?lang=ru');
  await other.waitForFunction(async () => (await (await fetch('/api/v1/me')).json()).language === 'ru');
  assert.equal(await accountLanguage(other), 'ru');
  assert.deepEqual(other.errors, []);
  await other.context().close();
});
