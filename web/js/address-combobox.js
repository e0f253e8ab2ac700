// address-combobox.js: suggestions from the address register under a text
// box, as the WAI-ARIA 1.2 combobox pattern with a listbox popup and list
// autocomplete: typing asks GET /api/v1/addresses (debounced, the older
// request cancelled) and lists the answers; Down/Up move through them
// (aria-activedescendant: focus stays in the text box), Enter or a click
// puts the chosen address in the box, Escape closes the list, Alt+Down opens
// it again. A polite live region says how many were found. Without script,
// or when nothing is chosen, the box is a plain text field.
import { t } from './i18n.js';

const DEBOUNCE_MS = 250;
const MIN_CHARS = 2;
const LIMIT = 8;

// input: the <input role="combobox">, listbox: its <ul role="listbox">,
// status: the live region. onChoose(item) runs after an address is chosen.
export function addressCombobox({ input, listbox, status, onChoose = () => {} }) {
  let items = [];
  let active = -1;
  let timer = null;
  let controller = null;
  let lastQuery = '';

  function optionId(i) {
    return listbox.id + '-opt-' + i;
  }

  function setActive(i) {
    active = i;
    listbox.querySelectorAll('[role="option"]').forEach((li, k) => {
      li.setAttribute('aria-selected', k === i ? 'true' : 'false');
    });
    if (i >= 0) {
      input.setAttribute('aria-activedescendant', optionId(i));
      document.getElementById(optionId(i))?.scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function open() {
    if (!items.length) return;
    listbox.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  }

  function close() {
    listbox.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    setActive(-1);
  }

  function choose(i) {
    const item = items[i];
    if (!item) return;
    input.value = item.address;
    lastQuery = item.address.trim();
    close();
    status.textContent = t('addr.chosen', { address: item.address });
    onChoose(item);
  }

  // The list on screen answers older text while a newer lookup is pending:
  // aria-busy says so (assistive technology waits for the new list).
  function busy(on) {
    if (on) listbox.setAttribute('aria-busy', 'true'); else listbox.removeAttribute('aria-busy');
  }

  function render(list) {
    busy(false);
    items = list;
    listbox.replaceChildren(...list.map((item, i) => {
      const li = document.createElement('li');
      li.id = optionId(i);
      li.className = 'combobox__option';
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.textContent = item.address;
      if (item.district) {
        const d = document.createElement('span');
        d.className = 'combobox__district';
        d.textContent = item.district;
        li.append(d);
      }
      // keep the focus in the text box: the choice is made on click
      li.addEventListener('mousedown', (e) => e.preventDefault());
      li.addEventListener('click', () => choose(i));
      return li;
    }));
    setActive(-1);
    // an answer that comes after the person left the box stays closed
    if (list.length && document.activeElement === input) open(); else close();
    status.textContent = list.length ? t('addr.count', { n: list.length }) : t('addr.none');
  }

  async function lookup(q) {
    controller?.abort();
    controller = new AbortController();
    try {
      const res = await fetch('/api/v1/addresses?limit=' + LIMIT + '&q=' + encodeURIComponent(q), {
        headers: { Accept: 'application/json' }, credentials: 'same-origin', signal: controller.signal,
      });
      if (!res.ok) throw new Error(String(res.status));
      const body = await res.json();
      if (input.value.trim() !== q) return; // typed on meanwhile
      render(Array.isArray(body.items) ? body.items : []);
    } catch (e) {
      if (e.name === 'AbortError') return;
      busy(false);
      items = [];
      listbox.replaceChildren();
      close();
      status.textContent = t('addr.unavailable');
    }
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q === lastQuery) return;
    lastQuery = q;
    if (q.length < MIN_CHARS || new TextEncoder().encode(q).length > 200) {
      controller?.abort();
      busy(false);
      items = [];
      listbox.replaceChildren();
      close();
      status.textContent = '';
      return;
    }
    busy(true);
    timer = setTimeout(() => lookup(q), DEBOUNCE_MS);
  });

  input.addEventListener('keydown', (e) => {
    const expanded = !listbox.hidden;
    switch (e.key) {
      case 'ArrowDown':
        if (!items.length) return;
        e.preventDefault();
        if (!expanded) { open(); if (e.altKey) return; }
        if (!e.altKey) setActive(active < items.length - 1 ? active + 1 : 0);
        break;
      case 'ArrowUp':
        if (!items.length) return;
        e.preventDefault();
        if (!expanded) open();
        setActive(active > 0 ? active - 1 : items.length - 1);
        break;
      case 'Enter':
        if (expanded && active >= 0) { e.preventDefault(); choose(active); }
        break;
      case 'Escape':
        if (expanded) { e.preventDefault(); close(); }
        break;
      case 'Tab':
        close();
        break;
      default:
    }
  });

  input.addEventListener('blur', () => close());

  return {
    // Forgets the suggestions (after the form was sent or reset).
    reset() {
      clearTimeout(timer);
      controller?.abort();
      busy(false);
      items = [];
      lastQuery = '';
      listbox.replaceChildren();
      close();
      status.textContent = '';
    },
  };
}
