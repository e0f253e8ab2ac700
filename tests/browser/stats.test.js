// The statistics page: totals, bar charts by month and by status, each
// with a table alternative; axe-core clean.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, newPage, axeViolations, screenshot } from './harness.js';

let server;
let browser;
before(async () => { [server, browser] = await Promise.all([startServer(), startBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

test('stats_page_shows_totals_charts_and_tables_with_the_api_numbers', async () => {
  const stats = await (await fetch(server.url + '/api/v1/stats')).json();
  assert.equal(stats.by_month.length, 12);
  const page = await newPage(browser, server.url);
  await page.goto('/');
  await page.click('footer a[href="/stats.html"]');
  await page.waitForURL(/\/stats\.html$/);
  await page.waitForSelector('#table-month tbody tr');
  assert.equal(await page.textContent('h1'), 'Статистика обсуждений');
  assert.equal(await page.locator('#table-month tbody tr').count(), 12);
  assert.equal(await page.locator('#table-status tbody tr').count(), 6);
  for (const id of ['chart-opened', 'chart-submitted', 'chart-status']) {
    const svg = page.locator(`#${id} svg[role="img"]`);
    assert.equal(await svg.count(), 1, id);
    assert.ok((await svg.getAttribute('aria-label')).length > 10);
  }
  assert.equal(await page.locator('#chart-opened rect').count(), 12);
  assert.equal(await page.locator('#chart-status rect').count(), 6);
  const last = stats.by_month[11];
  const cells = await page.locator('#table-month tbody tr').last().locator('td').allTextContents();
  assert.deepEqual(cells, [String(last.discussions_opened), String(last.comments)]);
  const open = await page.locator('#table-status tbody tr', { hasText: 'Приём предложений' }).locator('td').textContent();
  assert.equal(open, String(stats.discussions.by_status.open));
  assert.match(await page.textContent('#totals'), new RegExp(`Участников\\s*${stats.participants}`));
  assert.equal(await page.textContent('#state'), '');
  await screenshot(page, 'stats');
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.errors, []);
});
