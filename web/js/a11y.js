// a11y.js: the version for people with low vision (colour scheme, font
// size, images off), remembered in localStorage. Loaded in <head> as a
// classic blocking script, not a module: modules run after the first
// paint and the page would flash in the normal colours. The classes on
// <html> are set at once; the panel is built when the body is parsed.
(function () {
  'use strict';
  const KEY = 'kengash.a11y';
  const SCHEMES = ['bw', 'wb', 'blue'];
  const SIZES = ['1', '2', '3'];
  const root = document.documentElement;
  let prefs = { on: false, scheme: 'bw', size: '1', images: true };
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) || 'null');
    if (saved && typeof saved === 'object') {
      prefs.on = saved.on === true;
      if (SCHEMES.includes(saved.scheme)) prefs.scheme = saved.scheme;
      if (SIZES.includes(String(saved.size))) prefs.size = String(saved.size);
      prefs.images = saved.images !== false;
    }
  } catch { /* storage off or damaged: the normal version */ }

  function apply() {
    const cls = root.classList;
    for (const c of [...cls]) if (c.startsWith('a11y')) cls.remove(c);
    cls.add('a11y-js');
    if (!prefs.on) return;
    cls.add('a11y', 'a11y-scheme-' + prefs.scheme, 'a11y-size-' + prefs.size);
    if (!prefs.images) cls.add('a11y-noimg');
  }
  function save() {
    try { localStorage.setItem(KEY, JSON.stringify(prefs)); } catch { /* kept for this page only */ }
  }
  apply();

  async function build() {
    const toggle = document.getElementById('a11y-toggle');
    if (!toggle) return;
    const { t } = await import('/js/i18n.js');
    const mk = (tag, attrs, text) => {
      const node = document.createElement(tag);
      for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
      if (text) node.textContent = text;
      return node;
    };
    const panel = mk('section', { id: 'a11y-panel', class: 'a11y-panel', 'aria-label': t('a11y.panel') });
    const groups = [];
    // one group of mutually exclusive buttons with aria-pressed
    function group(id, name, options, get, set) {
      const box = mk('div', { class: 'a11y-group', role: 'group', 'aria-labelledby': 'a11y-' + id + '-label' });
      box.append(mk('span', { id: 'a11y-' + id + '-label', class: 'a11y-group__label' }, t(name)));
      for (const [value, key] of options) {
        const b = mk('button', { type: 'button', class: 'a11y-choice a11y-choice--' + id + '-' + value, 'data-value': value }, t(key));
        b.addEventListener('click', () => { set(value); save(); apply(); sync(); });
        box.append(b);
      }
      groups.push([box, get]);
      panel.append(box);
    }
    group('scheme', 'a11y.scheme', [['bw', 'a11y.scheme_bw'], ['wb', 'a11y.scheme_wb'], ['blue', 'a11y.scheme_blue']],
      () => prefs.scheme, (v) => { prefs.scheme = v; });
    group('size', 'a11y.size', [['1', 'a11y.size_1'], ['2', 'a11y.size_2'], ['3', 'a11y.size_3']],
      () => prefs.size, (v) => { prefs.size = v; });
    group('images', 'a11y.images', [['on', 'a11y.images_on'], ['off', 'a11y.images_off']],
      () => (prefs.images ? 'on' : 'off'), (v) => { prefs.images = v === 'on'; });
    const normal = mk('button', { type: 'button', id: 'a11y-normal', class: 'a11y-normal' }, t('a11y.normal'));
    panel.append(normal);

    function sync() {
      panel.hidden = !prefs.on;
      toggle.setAttribute('aria-pressed', String(prefs.on));
      for (const [box, get] of groups) {
        for (const b of box.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.value === get()));
      }
    }
    function setOn(on) { prefs.on = on; save(); apply(); sync(); }
    toggle.setAttribute('aria-controls', 'a11y-panel');
    toggle.addEventListener('click', () => setOn(!prefs.on));
    normal.addEventListener('click', () => { setOn(false); toggle.focus(); });
    const header = document.querySelector('.site-header');
    if (header) header.before(panel); else document.body.prepend(panel);
    sync();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', build);
  else build();
})();
