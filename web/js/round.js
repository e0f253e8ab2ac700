// round.js: the round console for one discussion (round.html?id=N). The
// stages with what happens next and when; the moderator's actions for the
// current stage (approve the notice for the schedule, end the intake, sign
// the protocol, issue a new protocol version with a note); the protocol's
// versions and the participants annex; the conclusion editor: every
// registered proposal and remark with its text, place on the map, document
// page and basis, grouping of identical ones, a recommendation with a
// reason from the department-wide list, the findings, a preview and the
// publication. Visitors who are not moderators see a message.
import { t, fmtDateTime } from './i18n.js';
import { api, session, ApiError } from './api.js';
import { el, accountNav, formErrors, reveal, statusName } from './ui.js';
import { createMap } from './map.js';
import { translationLinks } from './outcome.js';

const $ = (id) => document.getElementById(id);
const L = window.L;
const errors = formErrors();
const id = Number(new URLSearchParams(location.search).get('id')) || 0;
const base = '/api/v1/discussions/' + id;
let discussion = null;
let entries = []; // the latest protocol's proposals and remarks, in its order
let entryMap = null;

// Runs fn; an API refusal becomes the error summary (fields: server field
// name -> control id).
async function guarded(fn, fields = {}) {
  errors.clear();
  $('done').hidden = true; // the last confirmation no longer applies
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof ApiError)) {
      errors.show([{ field: null, text: t('error.network') }]);
      return undefined;
    }
    let list = e.fields.map((f) => ({ field: fields[f.field] || null, text: f.text || f.message }));
    if (!list.length) list = [{ field: null, text: e.message || t('error.generic') }];
    errors.show(list);
    return undefined;
  }
}

function done(text) {
  const panel = $('done');
  panel.replaceChildren(el('p', { text }));
  reveal('done');
}

// ---------- stages and actions ----------
function renderStages(d) {
  const nxt = d.timeline.next;
  if (!nxt) $('next').textContent = t('round.next_none');
  else if (nxt.needs) $('next').textContent = t('round.needs.' + nxt.needs, { title: nxt.title, at: fmtDateTime(nxt.at) });
  else $('next').textContent = t('round.next_at', { title: nxt.title, at: fmtDateTime(nxt.at) });
  $('stage-list').replaceChildren(...d.timeline.stages.map((s) => el('li', { class: s.done ? 'done' : null },
    el('span', { text: s.title + ': ' }),
    el('span', { text: s.done ? t('round.stage_done', { at: fmtDateTime(s.at) }) : t('round.stage_planned', { at: fmtDateTime(s.planned_at) }) }))));
}

function actionsFor(d) {
  const move = (to) => () => transition(to);
  switch (d.status) {
    case 'draft':
      return d.scheduled_at
        ? [['unschedule', t('round.unschedule'), () => schedule(false)]]
        : [['schedule', t('round.schedule'), () => schedule(true)]];
    case 'announced': return [['open', t('round.open_now'), move('open')]];
    case 'open': return [['close', t('round.close'), move('closed')]];
    case 'closed': return [['protocol', t('round.sign_protocol'), move('protocol')]];
    case 'protocol': return [['reissue', t('round.reissue'), reissue]];
    default: return [];
  }
}

function renderActions(d) {
  $('actions').replaceChildren(...actionsFor(d).map(([name, text, onclick]) =>
    el('button', { type: 'button', id: 'action-' + name, text, onclick })));
  $('note-field').hidden = !['announced', 'open', 'closed', 'protocol'].includes(d.status);
}

async function schedule(on) {
  const r = await guarded(() => api(on ? 'POST' : 'DELETE', base + '/schedule', on ? {} : undefined));
  if (!r) return;
  await load();
  done(on ? t('round.scheduled', { at: fmtDateTime(discussion.dates.announce_at) }) : t('round.unscheduled'));
}

function note() {
  const v = $('note').value.trim();
  return v ? { note: v } : {};
}

async function transition(to) {
  const d = await guarded(() => api('POST', base + '/transitions', { to, ...note() }), { note: 'note' });
  if (!d) return false;
  $('note').value = '';
  await load();
  done(t('round.moved', { status: statusName(d.status) }));
  return true;
}

async function reissue() {
  const v = await guarded(() => api('POST', base + '/protocol/versions', note()), { note: 'note' });
  if (!v) return;
  $('note').value = '';
  await load();
  done(t('round.reissued', { version: v.version }));
}

// ---------- protocol and conclusion versions ----------
function versionItem(kind, v) {
  return el('li', {},
    el('span', { text: t('round.version', { version: v.version, at: fmtDateTime(v.issued_at) }) + ' ' }),
    el('a', { href: v.html, text: t('round.html'), 'aria-label': t('round.html_of', { kind: t('round.' + kind), version: v.version }) }), ' · ',
    el('a', { href: v.pdf, text: t('round.pdf'), 'aria-label': t('round.pdf_of', { kind: t('round.' + kind), version: v.version }) }),
    ...translationLinks(v.html, v.pdf, t('round.' + kind) + ' ' + v.version),
    el('br'), el('span', { text: 'SHA-256: ' }), el('span', { class: 'round-sha', text: v.sha256 }));
}

async function loadVersions(kind, listId) {
  const page = await api('GET', `${base}/${kind}/versions`);
  $(listId).replaceChildren(...page.items.slice().reverse().map((v) => versionItem(kind, v)));
}

function renderAnnex() {
  const annex = base + '/protocol/participants';
  $('annex-links').replaceChildren(
    el('a', { href: annex + '.html', id: 'annex-html', text: t('round.annex_html') }),
    el('a', { href: annex + '.pdf', id: 'annex-pdf', text: t('round.annex_pdf') }),
  );
}

// ---------- the conclusion editor ----------
async function allComments() {
  const byId = new Map();
  let cursor = null;
  do {
    const page = await api('GET', `${base}/comments?status=all&limit=500` + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
    for (const c of page.items) byId.set(c.id, c);
    cursor = page.next;
  } while (cursor);
  return byId;
}

function recommendationOf(draft) {
  const byComment = new Map();
  for (const item of draft.items) {
    const [leader, ...members] = item.comment_ids;
    byComment.set(leader, { ...item, leader });
    for (const m of members) byComment.set(m, { ...item, leader, member: true });
  }
  return byComment;
}

function entryFacts(e, c) {
  const facts = el('dl', { class: 'mod-facts' },
    el('dt', { text: t('round.kind') }), el('dd', { text: t('round.kind.' + e.kind) }),
    el('dt', { text: t('round.basis') }), el('dd', { text: t('round.basis.' + e.basis) }),
    el('dt', { text: t('round.place') }), el('dd', { text: e.location || t('round.no_place') }));
  if (c && c.document_id) {
    const doc = discussion.documents.find((x) => x.id === c.document_id);
    facts.append(el('dt', { text: t('round.document') }), el('dd', {},
      el('a', { href: `/api/v1/documents/${c.document_id}#page=${c.page || 1}`, text: t('round.document_page', { name: doc ? doc.filename : c.document_id, page: c.page || 1 }) })));
  }
  return facts;
}

function entryForm(e, index, rec) {
  const cid = e.comment_id;
  const pre = 'e' + cid;
  const same = el('select', { id: pre + '-same', 'aria-describedby': pre + '-same-hint' },
    el('option', { value: '', text: t('round.same_none') }),
    ...entries.slice(0, index).map((o) => el('option', { value: o.comment_id, text: o.registration_number })));
  if (rec && rec.member) same.value = String(rec.leader);
  const radios = ['take_into_account', 'reject'].map((v) => el('div', { class: 'radio' },
    el('input', { type: 'radio', id: `${pre}-rec-${v}`, name: pre + '-rec', value: v, checked: rec && !rec.member && rec.recommendation === v }),
    el('label', { for: `${pre}-rec-${v}`, text: t('round.rec.' + v) })));
  const own = el('div', { id: pre + '-own', hidden: rec && rec.member },
    el('fieldset', { class: 'field', id: pre + '-rec-field' }, el('legend', { text: t('round.recommendation') }),
      el('p', { class: 'error-message', id: pre + '-rec-error', hidden: true }), el('div', { class: 'radios' }, ...radios)),
    el('div', { class: 'field', id: pre + '-why-field' },
      el('label', { for: pre + '-why', text: t('round.reasoning') }),
      el('p', { class: 'hint', id: pre + '-why-hint', text: t('round.reasoning_hint') }),
      el('p', { class: 'error-message', id: pre + '-why-error', hidden: true }),
      el('input', { type: 'text', id: pre + '-why', list: 'reasons', maxlength: 5000, 'aria-describedby': pre + '-why-hint', value: rec && !rec.member ? rec.reasoning : null })),
    el('div', { class: 'checkbox' },
      el('input', { type: 'checkbox', id: pre + '-keep' }),
      el('label', { for: pre + '-keep', text: t('round.keep_reason') })));
  same.addEventListener('change', () => { own.hidden = !!same.value; });
  return el('form', { novalidate: true, onsubmit: (ev) => { ev.preventDefault(); saveEntry(e); } },
    el('div', { class: 'field', id: pre + '-same-field' },
      el('label', { for: pre + '-same', text: t('round.same') }),
      el('p', { class: 'hint', id: pre + '-same-hint', text: t('round.same_hint') }), same),
    own,
    el('button', { type: 'submit', class: 'secondary', id: pre + '-save', text: t('round.save', { number: e.registration_number }) }));
}

function renderEntries(byComment, comments) {
  $('entries').replaceChildren(...entries.map((e, i) => {
    const rec = byComment.get(e.comment_id);
    return el('li', { id: 'entry-' + e.comment_id, tabindex: '-1', class: 'round-entry ' + (rec ? 'round-entry--done' : 'round-entry--missing') },
      el('h3', { text: t('round.entry', { number: e.registration_number }) }),
      el('p', { class: 'mod-item__body', text: e.body }),
      entryFacts(e, comments.get(e.comment_id)),
      entryForm(e, i, rec));
  }));
}

function renderMap(comments) {
  if (!entryMap) entryMap = createMap('entry-map');
  const layer = L.featureGroup();
  for (const e of entries) {
    const c = comments.get(e.comment_id);
    if (!c || !c.location) continue;
    L.geoJSON(c.location, { style: { color: '#4c2c92' }, pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 7, color: '#4c2c92' }) })
      .bindTooltip(document.createTextNode(e.registration_number)).addTo(layer);
  }
  L.geoJSON(discussion.territory, { style: { color: '#505a5f', fillOpacity: 0.05 }, interactive: false }).addTo(layer);
  layer.addTo(entryMap);
  entryMap.fitBounds(layer.getBounds(), { maxZoom: 16 });
}

function renderMissing(draft) {
  const state = $('missing-state');
  if (!draft.missing.length) { state.replaceChildren(t('round.missing_none')); return; }
  const byNumber = new Map(entries.map((e) => [e.registration_number, e.comment_id]));
  state.replaceChildren(t('round.missing', { n: draft.missing.length }) + ' ',
    ...draft.missing.flatMap((n, i) => [i ? ', ' : '', el('a', { href: '#entry-' + byNumber.get(n), text: n })]));
}

async function loadEditor() {
  let protocol;
  try {
    protocol = await api('GET', base + '/protocol');
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
    $('missing-state').textContent = t('round.no_protocol'); // issue a version first
    return null;
  }
  const [draft, reasons, comments] = await Promise.all([
    api('GET', base + '/conclusion/draft'), api('GET', '/api/v1/conclusion-reasons'), allComments()]);
  entries = [...protocol.residents, ...protocol.others].filter((e) => e.kind !== 'question')
    .sort((a, b) => a.comment_id - b.comment_id);
  $('reasons').replaceChildren(...reasons.items.map((r) => el('option', { value: r.text })));
  renderEntries(recommendationOf(draft), comments);
  renderMissing(draft);
  $('findings').value = draft.findings || '';
  renderMap(comments);
  return draft;
}

async function saveEntry(e) {
  const pre = 'e' + e.comment_id;
  const same = $(pre + '-same').value;
  if (same) {
    const leader = entries.find((o) => String(o.comment_id) === same);
    done(t('round.member_note', { number: e.registration_number, leader: leader.registration_number }));
    return;
  }
  const rec = document.querySelector(`input[name="${pre}-rec"]:checked`);
  const why = $(pre + '-why').value.trim();
  const list = [];
  if (!rec) list.push({ field: pre + '-rec-take_into_account', text: t('round.err_rec') });
  if (!why) list.push({ field: pre + '-why', text: t('round.err_why') });
  if (list.length) { errors.clear(); errors.show(list); return; }
  const merge = entries.filter((o) => $('e' + o.comment_id + '-same').value === String(e.comment_id)).map((o) => o.comment_id);
  const ok = await guarded(() => api('PUT', `${base}/conclusion/items/${e.comment_id}`, { recommendation: rec.value, reasoning: why, merge_with: merge }),
    { reasoning: pre + '-why', recommendation: pre + '-rec-take_into_account' });
  if (!ok) return;
  if ($(pre + '-keep').checked && !(await guarded(() => api('POST', '/api/v1/conclusion-reasons', { text: why }), { text: pre + '-why' }))) return;
  await loadEditor();
  done(t('round.saved', { number: e.registration_number, n: merge.length }));
}

async function saveFindings(ev) {
  ev.preventDefault();
  const ok = await guarded(() => api('PUT', base + '/conclusion', { findings: $('findings').value }), { findings: 'findings' });
  if (ok) done(t('round.findings_saved'));
}

async function preview() {
  const draft = await guarded(() => api('GET', base + '/conclusion/draft'));
  if (!draft) return;
  renderMissing(draft);
  $('preview-items').replaceChildren(...draft.items.map((item) => el('li', {},
    el('strong', { text: item.registration_numbers.join(', ') + ': ' + t('round.rec.' + item.recommendation) + '. ' }),
    el('span', { text: item.reasoning }))));
  $('preview-findings').textContent = draft.findings || t('round.findings_empty');
  reveal('preview');
}

async function publish() {
  const draft = await guarded(() => api('GET', base + '/conclusion/draft'));
  if (!draft) return;
  if (draft.missing.length) {
    const byNumber = new Map(entries.map((e) => [e.registration_number, e.comment_id]));
    errors.show(draft.missing.map((n) => ({ field: 'entry-' + byNumber.get(n), text: t('round.err_missing', { number: n }) })));
    return;
  }
  await transition('concluded');
}

// ---------- the page ----------
async function load() {
  discussion = await api('GET', base);
  $('round-title').textContent = t('round.title_of', { title: discussion.title });
  document.title = t('round.title_of', { title: discussion.title }) + ' — Кенгаш';
  $('state').textContent = t('round.now', { status: statusName(discussion.status) });
  renderStages(discussion);
  renderActions(discussion);
  const st = discussion.status;
  $('protocol').hidden = !['protocol', 'concluded'].includes(st);
  $('conclusion').hidden = st !== 'protocol';
  $('published').hidden = st !== 'concluded';
  if (!$('protocol').hidden) { await loadVersions('protocol', 'protocol-versions'); renderAnnex(); }
  if (st === 'protocol') await loadEditor();
  if (st === 'concluded') await loadVersions('conclusion', 'conclusion-versions');
}

async function main() {
  const s = await accountNav();
  if (!s || !['moderator', 'admin'].includes(s.account.role) || !id) {
    $('state').textContent = '';
    $('denied-text').textContent = !s ? t('mod.denied_guest') : (id ? t('mod.denied_role') : t('round.no_id'));
    $('denied-login').href = '/login.html?next=' + encodeURIComponent(location.pathname + location.search);
    reveal('denied');
    return;
  }
  $('console').hidden = false;
  $('findings-form').addEventListener('submit', saveFindings);
  $('preview-button').addEventListener('click', preview);
  $('publish-button').addEventListener('click', publish);
  try {
    await load();
  } catch (e) {
    $('state').textContent = e instanceof ApiError && e.status === 404 ? t('round.not_found') : t('error.network');
  }
}

session().catch(() => null).then(main);
