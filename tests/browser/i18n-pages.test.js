// Every page of web/ in Tatar and in English (the normal version; the
// low-vision version: i18n-lowvision.test.js): <html lang> is the chosen
// language, no visible text or accessible name is Russian left over, and
// axe-core finds no WCAG 2.1 A/AA violations (i18n-helpers.js). Also: the
// language switch (cookie, aria-current, hreflang), the first visit following
// the browser's languages, dates with month names and plurals per language.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { setUp, tearDown, open, checkAllPages, assertTranslated, dict, PAGES, WEB } from './i18n-helpers.js';
import { CITIZEN, DEMO_PASSWORD } from './harness.js';

before(setUp);
after(tearDown);

test('every_page_in_web_is_checked', () => {
  assert.deepEqual(readdirSync(WEB).filter((n) => n.endsWith('.html')).sort(), Object.keys(PAGES).sort());
});

for (const lang of ['tt', 'en']) {
  test(`every_page_in_${lang}_has_no_russian_text_left_and_no_axe_violations`, () => checkAllPages(lang, null, true));
}

// The citizen's journey (sign in, eligibility, a proposal, my proposals) and
// the moderator's queue, in each language: the messages made by the scripts
// (errors, the receipt, the queue's status) are the language's, and no
// Russian text is left at any step.
for (const lang of ['tt', 'en']) {
  test(`the_citizen_journey_and_the_moderator_queue_in_${lang}`, async () => {
    const d = await dict(lang);
    const page = await open('guest', { lang });
    await page.goto('/login.html?next=' + encodeURIComponent('/discussion.html?id=1'));
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#error-summary:not([hidden])');
    assert.match(await page.textContent('#error-summary'), new RegExp(d['login.err_email']));
    await assertTranslated(page, lang, 'login.html with errors');
    await page.fill('#email', CITIZEN);
    await page.fill('#password', DEMO_PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForURL(/\/discussion\.html\?id=1$/);
    await page.waitForSelector('#form-section:not([hidden])');
    assert.match(await page.textContent('#eligibility'), new RegExp(d['elig.yes_title']));
    await page.click('#send');
    await page.waitForSelector('#error-summary:not([hidden])');
    assert.match(await page.textContent('#error-summary'), new RegExp(d['form.err_kind']));
    await assertTranslated(page, lang, 'discussion.html with errors');
    await page.check('#kind');
    await page.fill('#body', `Proposal written in ${lang}: more trees along the street`);
    await page.click('#send');
    await page.waitForSelector('#sent:not([hidden])');
    const number = (await page.textContent('#reg-number')).trim();
    assert.match(await page.textContent('#sent'), new RegExp(d['sent.title']));
    await assertTranslated(page, lang, 'discussion.html, sent');
    await page.goto('/my-comments.html');
    const mine = page.locator('#list li', { hasText: number });
    await mine.waitFor();
    assert.match(await mine.textContent(), new RegExp(d['cstatus.pending']));
    await assertTranslated(page, lang, 'my-comments.html');
    assert.deepEqual(page.errors, []);
    await page.context().close();

    const mod = await open('moderator', { lang });
    await mod.goto('/moderation.html#queue');
    await mod.waitForSelector('#console:not([hidden])');
    await mod.selectOption('#q-discussion', '1');
    const queued = mod.locator('#queue-list li', { hasText: number });
    await queued.waitFor();
    await assertTranslated(mod, lang, 'moderation.html, the queue');
    await queued.getByRole('button', { name: d['mod.publish'], exact: true }).click();
    await queued.waitFor({ state: 'detached' });
    assert.match(await mod.textContent('#queue-state'), new RegExp(d['mod.published'].replace('{number}', number).replace(/[.]/g, '\\.')));
    await assertTranslated(mod, lang, 'moderation.html, published');
    assert.deepEqual(mod.errors, []);
    await mod.context().close();
  });
}

test('the_language_switch_sets_the_cookie_and_the_page_language', async () => {
  const page = await open('guest');
  await page.goto('/discussion.html?id=1');
  await page.waitForSelector('#discussion:not([hidden])');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'ru');
  const nav = page.locator('nav.lang-nav');
  assert.equal(await nav.getAttribute('aria-label'), 'Язык сайта');
  assert.equal(await nav.locator('a[hreflang="ru"]').getAttribute('aria-current'), 'true');
  assert.equal(await nav.locator('a[hreflang="tt"]').getAttribute('aria-current'), null);
  // each link names its language in that language, and keeps the page's query
  assert.equal(await nav.locator('a[hreflang="tt"]').getAttribute('lang'), 'tt');
  assert.equal(await nav.locator('a[hreflang="en"]').getAttribute('href'), '/discussion.html?id=1&lang=en');

  await nav.getByRole('link', { name: 'Татарча' }).click();
  await page.waitForSelector('html[lang="tt"] #discussion:not([hidden])');
  assert.equal(new URL(page.url()).search, '?id=1'); // ?lang= is taken out of the address
  assert.equal(await page.locator('nav.lang-nav').getAttribute('aria-label'), 'Сайт теле');
  assert.equal(await page.locator('nav.lang-nav a[hreflang="tt"]').getAttribute('aria-current'), 'true');
  const [cookie] = (await page.context().cookies()).filter((c) => c.name === 'lang');
  assert.equal(cookie.value, 'tt');
  assert.equal(cookie.path, '/');
  assert.equal(cookie.sameSite, 'Lax');
  assert.equal(cookie.httpOnly, false);
  const days = (cookie.expires - Date.now() / 1000) / 86400;
  assert.ok(days > 364 && days <= 366, `cookie for ${days} days`);
  // remembered on the next page, and the dates are written with Tatar month names
  await page.goto('/');
  await page.waitForSelector('html[lang="tt"] #list li');
  const text = await page.locator('#list').innerText();
  assert.match(text, /\d (гыйнвар|февраль|март|апрель|май|июнь|июль|август|сентябрь|октябрь|ноябрь|декабрь), \d{4} ел/);
  assert.doesNotMatch(text, /января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря|January|March|December/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a_first_visit_follows_the_browser_languages_and_plurals_follow_the_language', async () => {
  // a visitor (signed in, the account's language would set the cookie: lang-account.test.js)
  const page = await open('guest', { locale: 'en-US' });
  await page.goto('/stats.html');
  await page.waitForSelector('html[lang="en"] #table-month tbody tr');
  assert.equal(await page.title(), 'Statistics — Kengash');
  assert.equal(await page.locator('nav.lang-nav a[hreflang="en"]').getAttribute('aria-current'), 'true');
  assert.deepEqual((await page.context().cookies()).filter((c) => c.name === 'lang'), []); // not chosen yet
  // Intl.PluralRules: one/other in English, the four Russian forms, Tatar's one form
  const forms = await page.evaluate(async () => {
    const { tp, fmtNumber } = await import('/js/i18n.js');
    return [tp('prop.count_n', 1), tp('prop.count_n', 3), fmtNumber(12345.5)];
  });
  assert.deepEqual(forms, ['1 property', '3 properties', '12,345.5']);
  await page.context().close();

  const ruPage = await open('guest', { locale: 'de-DE' }); // no known language: Russian
  await ruPage.goto('/properties.html');
  await ruPage.waitForSelector('#account-nav a[href*="next="]');
  assert.equal(await ruPage.evaluate(() => document.documentElement.lang), 'ru');
  const ruForms = await ruPage.evaluate(async () => {
    const { tp } = await import('/js/i18n.js');
    return [1, 2, 5, 21, 1.5].map((n) => tp('prop.count_n', n));
  });
  assert.deepEqual(ruForms, ['1 объект', '2 объекта', '5 объектов', '21 объект', '1,5 объекта']);
  await ruPage.context().close();

  const ttPage = await open('guest', { locale: 'tt-RU' });
  await ttPage.goto('/stats.html');
  await ttPage.waitForSelector('html[lang="tt"] #table-month tbody tr');
  const tt = await ttPage.evaluate(async () => {
    const { tp, fmtNumber, fmtDateTime } = await import('/js/i18n.js');
    return [tp('prop.count_n', 1), tp('prop.count_n', 5), fmtNumber(12345.5).replace(/\s/g, ' '), fmtDateTime('2026-03-05T09:30:00Z')];
  });
  assert.deepEqual(tt, ['1 объект', '5 объект', '12 345,5', '5 март, 2026 ел, 12:30']);
  // the month table of the statistics page is in Tatar too
  assert.match(await ttPage.locator('#table-month tbody th').first().innerText(), /^(гыйнвар|февраль|март|апрель|май|июнь|июль|август|сентябрь|октябрь|ноябрь|декабрь), \d{4} ел$/);
  await ttPage.context().close();
});
