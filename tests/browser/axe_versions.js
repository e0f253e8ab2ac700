// axe_versions.js: axe-core on a page in the normal version and in every
// low-vision colour scheme (with larger text), then back to the normal
// version: what each page and dialog of the browser tests is checked with.
import assert from 'node:assert/strict';
import { axeViolations } from './harness.js';

const SCHEMES = ['Чёрным по белому', 'Белым по чёрному', 'Тёмно-синим по голубому'];

// No WCAG 2.1 A/AA violation on page in any version; `what` names the page
// (or dialog) in the failure message.
export async function axeAllVersions(page, what) {
  assert.deepEqual(await axeViolations(page), [], what + ' (normal)');
  await page.click('#a11y-toggle');
  await page.waitForSelector('#a11y-panel:not([hidden])');
  for (const name of SCHEMES) {
    await page.getByRole('button', { name }).click();
    await page.getByRole('button', { name: 'Больше' }).click();
    assert.match(await page.evaluate(() => document.documentElement.className), /\ba11y-scheme-/);
    assert.deepEqual(await axeViolations(page), [], `${what} (${name})`);
  }
  await page.getByRole('button', { name: 'Обычная версия сайта' }).click();
  await page.waitForSelector('#a11y-panel', { state: 'hidden' });
}
