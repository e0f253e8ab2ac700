// privacy.js: shows the personal-data policy the operator configured
// (kengash serve --privacy-policy FILE) as plain text, paragraph by
// paragraph; the text is never parsed as HTML. The server gives the
// policy in the page's language when the operator has it
// (--privacy-policy-tt, -en), else the Russian one: then a note says so and
// the text is marked lang="ru".
import { t, lang } from './i18n.js';

const box = document.getElementById('policy');

function paragraphs(text) {
  return text.replace(/\r\n?/g, '\n').split(/\n\s*\n/).map((s) => s.trim()).filter(Boolean).map((s) => {
    const p = document.createElement('p');
    const lines = s.split('\n');
    lines.forEach((line, i) => {
      if (i) p.append(document.createElement('br'));
      p.append(document.createTextNode(line));
    });
    return p;
  });
}

async function load() {
  try {
    const res = await fetch('/api/v1/privacy-policy?lang=' + lang);
    if (!res.ok) throw new Error(String(res.status));
    const body = await res.json();
    if (!body.text) { box.replaceChildren(...paragraphs(t('privacy.default'))); return; }
    const text = document.createElement('div');
    text.lang = body.lang || 'ru';
    text.append(...paragraphs(body.text));
    if (text.lang === lang) { box.replaceChildren(text); return; }
    const note = document.createElement('p');
    note.className = 'notice-box';
    note.textContent = t('privacy.only_ru');
    box.replaceChildren(note, text);
  } catch {
    const p = document.createElement('p');
    p.textContent = t('privacy.error');
    box.replaceChildren(p);
  }
}

load();
