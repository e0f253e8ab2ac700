// Signing in with the state identity provider: the button on the login
// page -> the provider's login page (the real npm oidc-provider) -> back on
// the discussion page, eligible at once ("Вы можете участвовать") with no
// moderator -> a proposal sent. And a failed sign-in ends on a plain page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, startProvider, freePort, newPage, axeViolations, screenshot } from './harness.js';

let server;
let browser;
let idp;
before(async () => {
  const port = await freePort();
  idp = await startProvider(`http://127.0.0.1:${port}/auth/oidc/callback`);
  [server, browser] = await Promise.all([
    startServer({
      port,
      args: ['--oidc-issuer', idp.issuer, '--oidc-client-id', idp.clientId, '--oidc-client-secret', idp.clientSecret,
        '--oidc-address-id-claim', 'address_id'],
    }),
    startBrowser(),
  ]);
});
after(async () => { await browser?.close(); await server?.stop(); await idp?.stop(); });

test('sign_in_with_the_state_account_is_eligible_at_once_and_sends_a_proposal', async () => {
  const page = await newPage(browser, server.url);
  await page.goto('/discussion.html?id=1');
  await page.waitForSelector('#eligibility:not([hidden])');
  // not logged in: the way to log in, then the state-account button
  await page.goto('/login.html?next=' + encodeURIComponent('/discussion.html?id=1'));
  await page.waitForSelector('#oidc-signin:not([hidden])');
  assert.deepEqual(await axeViolations(page), []);
  await screenshot(page, 'login-oidc');
  await page.click('a.oidc-button');
  // the provider's own login page
  await page.waitForURL((u) => u.href.startsWith(idp.issuer));
  await page.fill('input[name=login]', 'resident');
  await page.fill('input[name=password]', 'any-password');
  await page.click('button[type=submit]');
  // consent, when the provider asks for it
  const consent = page.locator('button[type=submit]', { hasText: /Continue/i });
  await page.waitForLoadState('load');
  if (page.url().startsWith(idp.issuer) && await consent.count()) await consent.first().click();
  await page.waitForURL(/discussion\.html\?id=1$/);
  // the provider's own pages ask for web fonts this closed network cannot
  // reach; only errors on our pages count
  page.errors.length = 0;
  await page.waitForSelector('#eligibility:not([hidden])');
  assert.match(await page.textContent('#eligibility'), /Вы можете участвовать/);
  assert.match(await page.textContent('#account-nav'), /Выйти/);
  await page.waitForSelector('#form-section:not([hidden])');
  await page.check('#kind');
  await page.fill('#body', 'Сделать безопасный переход у дома 19 по улице Баумана');
  await page.click('#send');
  await page.waitForSelector('#sent:not([hidden])');
  assert.match((await page.textContent('#reg-number')).trim(), /^D-1\/\d{4}$/);
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.errors, []);
});

test('a_failed_sign_in_ends_on_a_plain_page_with_a_way_back', async () => {
  const page = await newPage(browser, server.url);
  // a callback this browser never started
  await page.goto('/auth/oidc/callback?code=abc&state=' + 'A'.repeat(43));
  await page.waitForURL(/signin-failed\.html\?reason=state$/);
  assert.match(await page.textContent('#failed-reason'), /Начните вход заново/);
  assert.ok(await page.locator('a[href="/login.html"]').count());
  assert.deepEqual(await axeViolations(page), []);
  await screenshot(page, 'signin-failed');
  // the page that links a state account to an existing password account
  await page.goto('/oidc-link.html?next=/');
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.errors, []);
});
