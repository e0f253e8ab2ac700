// Every page of web/ in the low-vision version, either in Tatar (white on
// black) or in English (dark blue on light blue): no Russian text left, axe-core
// clean (i18n-helpers.js). The moderator console's sections are checked in
// the normal version (i18n-pages.test.js); the colour schemes in Russian in
// a11y.test.js.
import { test, before, after } from 'node:test';
import { setUp, tearDown, checkAllPages } from './i18n-helpers.js';

before(setUp);
after(tearDown);

// Each page once, in one of the two languages (alternating): the
// low-vision version adds its settings panel and colours to the same texts,
// which i18n-pages.test.js checks on every page in both languages.
for (const [k, [lang, scheme]] of [['tt', 'wb'], ['en', 'blue']].entries()) {
  test(`half_the_pages_in_${lang}_low_vision_${scheme}_have_no_russian_text_left_and_no_axe_violations`,
    () => checkAllPages(lang, scheme, false, (file, i) => i % 2 === k));
}
