// privacy.js: shows the personal-data policy the operator configured
// (kengash serve --privacy-policy FILE) as plain text, paragraph by
// paragraph; the text is never parsed as HTML.
import { t } from './i18n.js';

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
    const res = await fetch('/api/v1/privacy-policy');
    if (!res.ok) throw new Error(String(res.status));
    const body = await res.json();
    if (body.text) box.replaceChildren(...paragraphs(body.text));
    else box.replaceChildren(...paragraphs(t('privacy.default')));
  } catch {
    const p = document.createElement('p');
    p.textContent = t('privacy.error');
    box.replaceChildren(p);
  }
}

load();
