// home.js: the list of discussions with filters (works without a map).
const STATUS = {
  draft: 'Черновик', announced: 'Оповещение', open: 'Приём предложений', closed: 'Приём завершён',
  protocol: 'Протокол', concluded: 'Заключение', cancelled: 'Отменено',
};

function fmtDate(s) {
  return s ? new Date(s).toLocaleDateString('ru-RU') : '—';
}

async function load() {
  const form = document.getElementById('filters');
  const params = new URLSearchParams(location.search);
  for (const name of ['q', 'status']) form.elements[name].value = params.get(name) || '';
  const api = new URLSearchParams({ limit: '500' });
  for (const name of ['q', 'status']) if (params.get(name)) api.set(name, params.get(name));
  const state = document.getElementById('state');
  const list = document.getElementById('list');
  try {
    const res = await fetch('/api/v1/discussions?' + api);
    if (!res.ok) throw new Error((await res.json()).detail || res.statusText);
    const { items } = await res.json();
    list.replaceChildren(...items.filter((d) => d.status !== 'draft').map((d) => {
      const li = document.createElement('li');
      const h = document.createElement('h2');
      h.textContent = d.title;
      const st = document.createElement('p');
      st.className = 'status';
      st.textContent = `${STATUS[d.status] || d.status}: приём предложений ${fmtDate(d.dates.opens_at)} — ${fmtDate(d.dates.closes_at)}`;
      const p = document.createElement('p');
      p.textContent = d.project_title || '';
      li.append(h, st, p);
      return li;
    }));
    state.textContent = `Найдено обсуждений: ${list.children.length}`;
  } catch (e) {
    state.textContent = 'Не удалось загрузить список: ' + e.message;
  }
}

load();
