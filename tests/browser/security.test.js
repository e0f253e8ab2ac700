// Regression tests for the findings of the security probe (issue 18) that
// live in the pages: HTML injection through the home map's tooltips and the
// open redirect after logging in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, newPage, DEMO_PASSWORD, MODERATOR, CITIZEN } from './harness.js';

let server;
let browser;
before(async () => { [server, browser] = await Promise.all([startServer(), startBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

// The moderator's session for the API: cookie and CSRF token.
async function moderatorApi() {
  const res = await fetch(server.url + '/api/v1/session', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: MODERATOR, password: DEMO_PASSWORD }),
  });
  assert.equal(res.status, 200);
  const cookie = res.headers.get('set-cookie').split(';')[0];
  const { csrf_token: csrf } = await res.json();
  return async (method, path, body) => {
    const r = await fetch(server.url + path, {
      method, body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrf },
    });
    const j = await r.json();
    assert.ok(r.status < 300, JSON.stringify(j));
    return j;
  };
}

const TITLE = '<b id="inj">Сквер</b><img id="inj2" src="/nope.png">';

test('html_injection_through_bindtooltip_on_the_home_map_is_shown_as_text', async () => {
  const api = await moderatorApi();
  const project = await api('POST', '/api/v1/projects', {
    title: 'Проект для проверки подсказок', kind: 'territory_planning',
    description: 'Описание', organizer: 'Управление архитектуры',
  });
  const day = (n) => new Date(Date.now() + n * 86400000).toISOString().replace(/\.\d+Z$/, 'Z');
  const d = await api('POST', '/api/v1/discussions', {
    project_id: project.id, title: TITLE, announce_at: day(1), opens_at: day(8), closes_at: day(30),
    territory: { type: 'Polygon', coordinates: [[[49.20, 55.80], [49.206, 55.80], [49.206, 55.806], [49.20, 55.806], [49.20, 55.80]]] },
  });
  await api('POST', `/api/v1/discussions/${d.id}/transitions`, { to: 'announced' });

  const page = await newPage(browser, server.url);
  await page.goto('/');
  const shape = page.locator(`#map path.territory[data-discussion="${d.id}"]`).first();
  await shape.waitFor();
  // the tooltip opens on the shape's mouseover; a real hover can land on
  // another layer drawn over the shape, so the event goes to the shape itself
  const tip = page.locator('.leaflet-tooltip').filter({ hasText: 'Сквер' }).first();
  for (let i = 0; i < 5 && !(await tip.isVisible()); i++) {
    await shape.dispatchEvent('mouseover');
    await shape.dispatchEvent('mousemove');
    await page.waitForTimeout(200);
  }
  await tip.waitFor();
  assert.equal(await tip.textContent(), TITLE);
  assert.equal(await page.locator('#inj, #inj2').count(), 0);
  assert.deepEqual(page.errors, []);
});

test('open_redirect_after_login_is_refused_by_safenext', async () => {
  const page = await newPage(browser, server.url);
  await page.goto('/login.html');
  const results = await page.evaluate(async () => {
    const { safeNext } = await import('/js/ui.js');
    const cases = ['/\t/evil.example/pwned.html', '/\n/evil.example', '/\r/evil.example', '//evil.example',
      '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '/ /evil.example', '/\u00a0/evil.example',
      '/discussion.html?id=1'];
    return cases.map((c) => [c, safeNext(c)]);
  });
  for (const [value, got] of results) {
    assert.equal(got, value === '/discussion.html?id=1' ? value : '/', JSON.stringify(value));
  }
  // the original request, on the login page and on the sign-up page
  // (each page hands its next on to the other: the link shows what it kept)
  for (const [p, link] of [['/login.html', '#signup-link'], ['/signup.html', '#login-link']]) {
    await page.goto(p + '?next=%2F%09%2Fevil.example%2Fpwned.html');
    const href = await page.getAttribute(link, 'href');
    assert.equal(new URL(href, server.url).searchParams.get('next'), '/', href);
  }
  await page.goto('/login.html?next=%2F%09%2Fevil.example%2Fpwned.html');
  await page.fill('#email', CITIZEN);
  await page.fill('#password', DEMO_PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === '/' || u.host !== new URL(server.url).host), page.click('form button[type=submit]')]);
  assert.equal(new URL(page.url()).origin, server.url);
  assert.equal(new URL(page.url()).pathname, '/');
  assert.deepEqual(page.errors, []);
});
