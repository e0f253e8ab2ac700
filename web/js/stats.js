// stats.js: the statistics page (GET /api/v1/stats): totals, bar charts
// by month and by status drawn as inline SVG with DOM APIs, each with a
// table holding the same numbers for screen readers and keyboard users.
import { t, fmtNumber, fmtMonth } from './i18n.js';
import { api } from './api.js';
import { el, accountNav, statusName } from './ui.js';

const SVG = 'http://www.w3.org/2000/svg';
const STATUSES = ['announced', 'open', 'closed', 'protocol', 'concluded', 'cancelled'];

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

// A horizontal bar chart of [label, value] pairs. The picture is one image
// for assistive technology (role=img + label); the table has the data.
function barChart(box, label, rows) {
  const rowH = 28;
  const labelW = 190;
  const barMax = 280;
  const width = labelW + barMax + 60;
  const max = Math.max(1, ...rows.map(([, v]) => v));
  const chart = svg('svg', { viewBox: `0 0 ${width} ${rows.length * rowH + 4}`, role: 'img', 'aria-label': label, class: 'chart__svg' });
  chart.append(svg('line', { x1: labelW, y1: 0, x2: labelW, y2: rows.length * rowH + 4, class: 'chart__axis' }));
  rows.forEach(([name, value], i) => {
    const y = i * rowH + 4;
    const w = Math.round((value / max) * barMax);
    chart.append(
      svg('text', { x: labelW - 8, y: y + 17, 'text-anchor': 'end', class: 'chart__label' }, name),
      svg('rect', { x: labelW, y, width: w, height: rowH - 8, class: 'chart__bar' }),
      svg('text', { x: labelW + w + 6, y: y + 17, class: 'chart__value' }, String(value)),
    );
  });
  box.replaceChildren(chart);
}

function monthName(ym, short) {
  const [y, m] = ym.split('-').map(Number);
  return fmtMonth(y, m, short);
}

function fillTable(id, rows) {
  document.querySelector(`#${id} tbody`).replaceChildren(...rows.map(([head, ...cells]) => el('tr', {},
    el('th', { scope: 'row', text: head }), ...cells.map((c) => el('td', { text: String(c) })))));
}

async function main() {
  accountNav();
  const state = document.getElementById('state');
  let s;
  try {
    s = await api('GET', '/api/v1/stats');
  } catch {
    state.textContent = t('error.generic');
    return;
  }
  const fmt = fmtNumber;
  document.getElementById('totals').replaceChildren(...[
    ['stats.discussions', s.discussions.total - (s.discussions.by_status.draft || 0)],
    ['stats.participants', s.participants],
    ['stats.comments', s.comments.published],
    ['stats.projects', s.projects],
  ].flatMap(([key, n]) => [el('dt', { text: t(key) }), el('dd', { text: fmt(n) })]));

  const months = s.by_month || [];
  barChart(document.getElementById('chart-opened'), t('stats.chart_opened'),
    months.map((m) => [monthName(m.month, true), m.discussions_opened]));
  barChart(document.getElementById('chart-submitted'), t('stats.chart_submitted'),
    months.map((m) => [monthName(m.month, true), m.comments]));
  fillTable('table-month', months.map((m) => [monthName(m.month, false), m.discussions_opened, m.comments]));

  const byStatus = STATUSES.map((st) => [statusName(st), s.discussions.by_status[st] || 0]);
  barChart(document.getElementById('chart-status'), t('stats.chart_status'), byStatus);
  fillTable('table-status', byStatus);
  state.textContent = '';
}

main();
