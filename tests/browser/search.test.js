// Search that understands Russian word forms on the discussion page: a
// visitor searches the published comments by another form of a word and
// sees only the matches, announced in the status line; clearing the box
// brings every comment back. The official documents' HTML versions (the
// protocol and the conclusion of the demo's concluded discussion) carry
// headings and table header cells and pass axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, newPage, axeViolations, CITIZEN, MODERATOR } from './harness.js';

let server;
let browser;
before(async () => { [server, browser] = await Promise.all([startServer(), startBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

test('comments_on_the_discussion_page_are_found_by_another_word_form', async () => {
  const citizen = await server.client(CITIZEN);
  const mod = await server.client(MODERATOR);
  const made = [];
  for (const body of ['Сохранить старые липы вдоль аллеи', 'Поставить велопарковку у школы']) {
    const r = await citizen('POST', '/api/v1/discussions/1/comments', { kind: 'proposal', body });
    assert.equal(r.status, 201);
    assert.equal((await mod('POST', `/api/v1/comments/${r.body.id}/moderation`, { decision: 'publish' })).status, 200);
    made.push(r.body.id);
  }
  const page = await newPage(browser, server.url);
  await page.goto('/discussion.html?id=1');
  await page.waitForSelector(`#comment-${made[1]}`);
  const all = await page.locator('#comments > li').count();
  assert.ok(all >= 2);

  await page.getByLabel('Найти в предложениях').fill('ЛИПА');   // the text says "липы"
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /^Найдено по запросу/.test(document.getElementById('comments-state').textContent));
  assert.equal(await page.textContent('#comments-state'), 'Найдено по запросу «ЛИПА»: 1');
  assert.deepEqual(await page.$$eval('#comments > li', (ls) => ls.map((l) => l.id)), [`comment-${made[0]}`]);
  assert.deepEqual(await axeViolations(page), []);

  await page.getByLabel('Найти в предложениях').fill('бассейны');
  await page.click('#comment-search button[type=submit]');
  await page.waitForFunction(() => /нет\.$/.test(document.getElementById('comments-state').textContent));
  assert.equal(await page.locator('#comments > li').count(), 0);

  await page.getByLabel('Найти в предложениях').fill('');
  await page.keyboard.press('Enter');
  await page.waitForFunction((n) => document.querySelectorAll('#comments > li').length === n, all);
  assert.match(await page.textContent('#comments-state'), /^Опубликовано: /);
  assert.deepEqual(page.errors, []);
});

test('protocol_and_conclusion_html_have_headings_and_table_headers_and_pass_axe', async () => {
  const res = await fetch(server.url + '/api/v1/discussions?status=concluded&limit=500');
  const concluded = (await res.json()).items;
  assert.ok(concluded.length >= 1); // the demo has a discussion in every public stage
  const page = await newPage(browser, server.url);
  for (const doc of ['protocol', 'conclusion']) {
    await page.goto(`/api/v1/discussions/${concluded[0].id}/${doc}.html`);
    assert.equal(await page.locator('h1').count(), 1);
    assert.ok(await page.locator('h2').count() >= 2);
    assert.equal(await page.getAttribute('html', 'lang'), 'ru');
    const scopes = await page.$$eval('table thead th', (ths) => ths.map((th) => th.getAttribute('scope')));
    assert.ok(scopes.length >= 2 && scopes.every((s) => s === 'col'), doc + ': ' + scopes);
    assert.deepEqual(await axeViolations(page), [], doc);
  }
  assert.deepEqual(page.errors, []);
});
