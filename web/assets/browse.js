// The data browser in the admin page (reviewers read, admins act): filters, search, sort, keyset
// pages, an item's history, bulk actions. Every untrusted string (item text, ids, labels, names,
// meta) reaches the page through hl.el / textContent, never as HTML.
// Keys (outside text fields): "/" search, "n" / "p" next / previous page, "j" / "k" next /
// previous row, Enter open the row, "x" select the row, Escape close the item, "g d" the data
// view, "g o" the dashboard.
'use strict';

const browse = {
  user: null,
  project: null,   // {name, labels, type}
  cursors: [null], // cursors[i]: the "after" of page i (keyset paging; null = the first page)
  page: 0,
  next: null,
  rows: [],
  selected: new Set(),
  pendingG: false,
  openId: null,

  async ready(user) {
    browse.user = user;
    hl.show('views', true);
    await browse.showView(location.hash === '#data' ? 'data' : 'dashboard');
  },

  async showView(which) {
    const data = which === 'data';
    hl.show('dashboard', !data);
    hl.show('data', data);
    document.getElementById('view-dashboard').setAttribute('aria-pressed', String(!data));
    document.getElementById('view-data').setAttribute('aria-pressed', String(data));
    if (data) {
      if (location.hash !== '#data') history.replaceState(null, '', '#data');
      await browse.loadProject();
      document.getElementById('f-q').focus();
    } else if (location.hash === '#data') {
      history.replaceState(null, '', location.pathname + location.search);
    }
  },

  projectName() { return document.getElementById('project-pick').value; },
  base() { return `/api/v1/projects/${encodeURIComponent(browse.projectName())}`; },

  // The project's labels for the label menus, then the first page.
  async loadProject() {
    const name = browse.projectName();
    if (!name) return;
    const r = await hl.api('GET', browse.base());
    if (r.status !== 200) { browse.error(hl.errorText(r)); return; }
    browse.project = r.data.project || r.data;
    const labels = browse.project.labels || [];
    for (const [id, first] of [['f-label', 'any label'], ['f-prelabel', 'any pre-label'], ['bulk-label', null]]) {
      const sel = document.getElementById(id);
      const keep = sel.value;
      hl.clear(sel);
      if (first) sel.appendChild(hl.el('option', { value: '' }, first));
      for (const l of labels) sel.appendChild(hl.el('option', { value: l }, l));
      if ([...sel.options].some((o) => o.value === keep)) sel.value = keep;
    }
    hl.show('bulk', browse.user.role === 'admin');
    await browse.search();
  },

  query() {
    const v = (id) => document.getElementById(id).value.trim();
    const q = new URLSearchParams();
    const fields = [['q', 'f-q'], ['state', 'f-state'], ['label', 'f-label'], ['prelabel', 'f-prelabel'],
      ['source', 'f-source'], ['split', 'f-split'], ['pool', 'f-pool'], ['annotator', 'f-annotator'],
      ['min_confidence', 'f-min'], ['max_confidence', 'f-max'], ['detector', 'f-detector'],
      ['detector_value', 'f-detector-value'], ['sort', 'f-sort']];
    for (const [name, id] of fields) if (v(id)) q.set(name, v(id));
    if (document.getElementById('f-disagreement').checked) q.set('disagreement', '1');
    q.set('limit', '50');
    return q;
  },

  async search() {
    browse.cursors = [null];
    browse.page = 0;
    await browse.loadPage();
  },

  async loadPage() {
    const q = browse.query();
    const after = browse.cursors[browse.page];
    if (after) q.set('after', after);
    document.body.dataset.browse = 'loading';
    const t0 = performance.now();
    const r = await hl.api('GET', `${browse.base()}/items?${q}`);
    if (r.status !== 200) { browse.error(hl.errorText(r)); return; }
    browse.error('');
    browse.rows = r.data.items;
    browse.next = r.data.next;
    browse.selected.clear();
    browse.renderTable();
    document.getElementById('page-no').textContent = `page ${browse.page + 1}`;
    document.getElementById('page-prev').disabled = browse.page === 0;
    document.getElementById('page-next').disabled = !browse.next;
    const n = browse.rows.length;
    document.getElementById('data-status').textContent =
      `${n} item${n === 1 ? '' : 's'} on this page${browse.next ? ', more after' : ''} (${Math.round(performance.now() - t0)} ms)`;
    document.body.dataset.browse = 'ready';
  },

  error(msg) {
    document.getElementById('data-error').textContent = msg;
    if (msg) document.body.dataset.browse = 'error';
  },

  when(ms) { return ms ? new Date(Number(ms)).toISOString().replace('T', ' ').slice(0, 19) : '—'; },

  renderTable() {
    const t = document.getElementById('items');
    hl.clear(t);
    const all = hl.el('input', { type: 'checkbox', 'aria-label': 'select every item on this page' });
    all.addEventListener('change', () => {
      for (const r of browse.rows) { if (all.checked) browse.selected.add(r.id); else browse.selected.delete(r.id); }
      browse.renderSelection();
    });
    t.appendChild(hl.el('tr', {}, hl.el('th', {}, all), ...['id', 'text', 'state', 'label', 'pre-label',
      'answers', 'last change'].map((h) => hl.el('th', {}, h))));
    browse.rows.forEach((r, i) => {
      const box = hl.el('input', { type: 'checkbox', 'aria-label': `select ${r.id}`, tabindex: '-1' });
      box.addEventListener('click', (ev) => { ev.stopPropagation(); browse.toggle(i); });
      const pre = r.prediction ? `${r.prediction.label} ${hl.pct(r.prediction.confidence)}` : '—';
      const label = r.labels.length ? `${r.labels.join(', ')}${r.label_source ? ` (${r.label_source})` : ''}` : '—';
      const state = r.split === 'gold' ? `${r.state} · gold` : r.state;
      const tr = hl.el('tr', { class: 'row', tabindex: '0', 'data-id': r.id, 'aria-selected': 'false' },
        hl.el('td', {}, box), hl.el('td', { dir: 'auto' }, r.id), hl.el('td', { dir: 'auto' }, r.excerpt),
        hl.el('td', {}, state), hl.el('td', { dir: 'auto' }, label), hl.el('td', { dir: 'auto' }, pre),
        hl.el('td', {}, r.answers), hl.el('td', {}, browse.when(r.changed_at_ms)));
      tr.addEventListener('click', () => browse.openItem(r.id));
      tr.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter') { ev.preventDefault(); browse.openItem(r.id); }
        if (ev.key === ' ' || ev.key === 'x') { ev.preventDefault(); browse.toggle(i); }
      });
      t.appendChild(tr);
    });
    if (!browse.rows.length) t.appendChild(hl.el('tr', {}, hl.el('td', { colspan: '8' }, 'no items match')));
    browse.renderSelection();
  },

  toggle(i) {
    const id = browse.rows[i].id;
    if (browse.selected.has(id)) browse.selected.delete(id); else browse.selected.add(id);
    browse.renderSelection();
  },

  renderSelection() {
    for (const tr of document.querySelectorAll('#items tr.row')) {
      const on = browse.selected.has(tr.dataset.id);
      tr.setAttribute('aria-selected', String(on));
      tr.querySelector('input').checked = on;
    }
    const n = browse.selected.size;
    document.getElementById('bulk-count').textContent = `${n} selected`;
    for (const b of document.querySelectorAll('#bulk button')) b.disabled = n === 0;
  },

  table(id, head, rows) {
    const t = document.getElementById(id);
    hl.clear(t);
    if (!rows.length) { t.appendChild(hl.el('tr', {}, hl.el('td', {}, 'none'))); return; }
    t.appendChild(hl.el('tr', {}, ...head.map((h) => hl.el('th', {}, h))));
    for (const r of rows) t.appendChild(hl.el('tr', {}, ...r.map((c) => hl.el('td', { dir: 'auto' }, c))));
  },

  async openItem(id) {
    const r = await hl.api('GET', `${browse.base()}/items/${encodeURIComponent(id)}`);
    if (r.status !== 200) { browse.error(hl.errorText(r)); return; }
    const d = r.data;
    document.getElementById('detail-title').textContent = `Item ${d.id}`;
    const label = d.labels.length ? `${d.labels.join(', ')} (${d.label_source || '?'}, ${d.label_annotator || '?'})` : 'no label';
    document.getElementById('detail-summary').textContent =
      `${d.hold || d.state} · ${d.split} · ${label}`;
    document.getElementById('detail-text').textContent = d.text;
    document.getElementById('detail-meta').textContent = JSON.stringify(d.meta, null, 1);
    const labels = (browse.project && browse.project.labels) || [];
    const dist = (p) => (p.distribution || []).map((x, i) => `${labels[i] !== undefined ? labels[i] : i} ${hl.pct(x)}`).join(' · ');
    browse.table('detail-annotations', ['when', 'who', 'kind', 'source', 'labels', 'time spent'],
      d.annotations.map((a) => [browse.when(a.at_ms), a.annotator, a.kind, a.source, a.labels.join(', '),
        a.time_spent_ms ? `${(a.time_spent_ms / 1000).toFixed(1)} s` : '—']));
    browse.table('detail-predictions', ['when', 'model', 'label', 'confidence', 'distribution'],
      d.predictions.map((p) => [browse.when(p.at_ms), p.model_version, p.label, hl.pct(p.confidence), dist(p)]));
    browse.table('detail-queue', ['when', 'pool', 'kind', 'reason', 'answers', 'open'],
      d.queue.map((q) => [browse.when(q.at_ms), q.pool, q.kind, q.reason || '—', `${q.done}/${q.overlap}`, q.open ? 'open' : 'closed']));
    browse.table('detail-leases', ['when', 'who', 'pool', 'kind', 'state'],
      d.leases.map((l) => [browse.when(l.at_ms), l.annotator, l.pool, l.kind, l.state]));
    browse.table('detail-reviews', ['when', 'reviewer', 'answer by', 'verdict', 'comment'],
      (d.reviews || []).map((v) => [browse.when(v.at_ms), v.reviewer, v.annotator, v.verdict, v.comment || '—']));
    browse.table('detail-detections', ['detector', 'answer', 'confidence'],
      d.detections.map((x) => [x.detector, x.value, hl.pct(x.confidence)]));
    hl.show('item-detail', true);
    browse.openId = d.id;
    document.body.dataset.detail = d.id;
    document.getElementById('item-detail').focus();
  },

  closeItem() {
    hl.show('item-detail', false);
    delete document.body.dataset.detail;
    const row = [...document.querySelectorAll('#items tr.row')].find((tr) => tr.dataset.id === browse.openId);
    if (row) row.focus();
  },

  async bulk(path, body, what) {
    const items = [...browse.selected];
    if (!items.length) return;
    const r = await hl.api('POST', `${browse.base()}/${path}`, { items, ...body });
    if (r.status !== 200) { browse.error(hl.errorText(r)); return; }
    document.getElementById('data-status').textContent = `${what}: ${items.length} item${items.length === 1 ? '' : 's'}`;
    const status = document.getElementById('data-status').textContent;
    await browse.loadPage();
    document.getElementById('data-status').textContent = status;
  },

  moveRow(delta) {
    const rows = [...document.querySelectorAll('#items tr.row')];
    if (!rows.length) return;
    const at = rows.indexOf(document.activeElement);
    rows[Math.max(0, Math.min(rows.length - 1, at < 0 ? 0 : at + delta))].focus();
  },

  onKey(ev) {
    if (document.getElementById('data').hidden && !(browse.pendingG && ev.key === 'd')) {
      browse.pendingG = ev.key === 'g' && !browse.typing(ev);
      return;
    }
    if (ev.key === 'Escape' && !document.getElementById('item-detail').hidden) { browse.closeItem(); return; }
    if (browse.typing(ev) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (browse.pendingG) {
      browse.pendingG = false;
      if (ev.key === 'd') { browse.showView('data'); return; }
      if (ev.key === 'o') { browse.showView('dashboard'); return; }
    }
    const acts = {
      '/': () => document.getElementById('f-q').focus(),
      n: () => { if (browse.next) document.getElementById('page-next').click(); },
      p: () => { if (browse.page > 0) document.getElementById('page-prev').click(); },
      j: () => browse.moveRow(1),
      k: () => browse.moveRow(-1),
      g: () => { browse.pendingG = true; },
    };
    if (acts[ev.key]) { ev.preventDefault(); acts[ev.key](); }
  },

  typing(ev) {
    const t = ev.target;
    return t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA') && t.type !== 'checkbox';
  },
};

document.getElementById('view-dashboard').addEventListener('click', () => browse.showView('dashboard'));
document.getElementById('view-data').addEventListener('click', () => browse.showView('data'));
document.getElementById('data-filters').addEventListener('submit', (ev) => { ev.preventDefault(); browse.search(); });
document.getElementById('page-next').addEventListener('click', async () => {
  if (!browse.next) return;
  browse.cursors[browse.page + 1] = browse.next;
  browse.page += 1;
  await browse.loadPage();
});
document.getElementById('page-prev').addEventListener('click', async () => {
  if (browse.page === 0) return;
  browse.page -= 1;
  await browse.loadPage();
});
document.getElementById('detail-close').addEventListener('click', () => browse.closeItem());
document.getElementById('project-pick').addEventListener('change', () => {
  if (!document.getElementById('data').hidden) browse.loadProject();
});
document.getElementById('bulk-review').addEventListener('click', () => browse.bulk('queue', { kind: 'review' }, 'sent to review'));
document.getElementById('bulk-assign').addEventListener('click', () => {
  const pool = document.getElementById('bulk-pool').value.trim();
  if (!pool) { browse.error('name the pool to assign to'); document.getElementById('bulk-pool').focus(); return; }
  browse.bulk('queue', { pool }, `queued in ${pool}`);
});
document.getElementById('bulk-gold').addEventListener('click', () => browse.bulk('items/gold', { gold: true }, 'marked gold'));
document.getElementById('bulk-relabel').addEventListener('click', () => {
  const label = document.getElementById('bulk-label').value;
  browse.bulk('items/label', { labels: [label] }, `relabelled ${label}`);
});
document.getElementById('bulk-quarantine').addEventListener('click', () => browse.bulk('items/quarantine', {}, 'quarantined'));
document.addEventListener('keydown', (ev) => browse.onKey(ev));
