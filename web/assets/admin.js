// The admin dashboard. Every untrusted string goes through textContent (hl.el).
'use strict';

const admin = { user: null, project: null };

function row(cells, header) {
  return hl.el('tr', {}, ...cells.map((c) => hl.el(header ? 'th' : 'td', { dir: 'auto' }, c)));
}

function fillTable(id, head, rows) {
  const t = document.getElementById(id);
  hl.clear(t);
  t.appendChild(row(head, true));
  for (const r of rows) t.appendChild(row(r, false));
}

async function start() {
  const me = await hl.api('GET', '/api/v1/me');
  if (me.status !== 200) {
    hl.show('signin', true);
    document.body.dataset.state = 'signin';
    document.getElementById('token').focus();
    return;
  }
  admin.user = me.data.user;
  document.getElementById('who').textContent = `${admin.user.name} (${admin.user.role})`;
  const ps = await hl.api('GET', '/api/v1/projects');
  const pick = document.getElementById('project-pick');
  hl.clear(pick);
  for (const p of (ps.data && ps.data.projects) || []) pick.appendChild(hl.el('option', { value: p.name }, p.name));
  hl.show('dashboard', true);
  hl.show('users-section', admin.user.role === 'admin');
  hl.show('run-cycle', admin.user.role === 'admin');
  await refresh();
}

async function refresh() {
  const name = document.getElementById('project-pick').value;
  document.body.dataset.state = 'loading';
  document.getElementById('dash-error').textContent = '';
  if (!name) { document.body.dataset.state = 'ready'; return; }
  const m = await hl.api('GET', `/api/v1/projects/${encodeURIComponent(name)}/metrics`);
  if (m.status !== 200) {
    document.getElementById('dash-error').textContent = hl.errorText(m);
    document.body.dataset.state = 'error';
    return;
  }
  const d = m.data;
  fillTable('queues', ['pool', 'kind', 'open'], d.queues.map((q) => [q.pool, q.kind, q.open]));
  fillTable('states', ['state', 'items'], Object.entries(d.by_state));
  fillTable('sources', ['source', 'items'], Object.entries(d.by_label_source));
  fillTable('annotators', ['annotator', 'answers', 'last hour', 'mean time (s)', 'agreement with resolved label',
    'gold accuracy (95% interval)'],
    d.annotators.map((a) => [a.annotator, a.answers, a.last_hour, (a.mean_time_ms / 1000).toFixed(1),
      a.agreement === null ? '—' : `${Math.round(a.agreement * 100)}% of ${a.pairs}`,
      !a.gold ? '—' : `${a.gold.correct}/${a.gold.answered} [${Math.round(a.gold.lower * 100)}–${Math.round(a.gold.upper * 100)}%]`]));
  await refreshAgreement(name);
  await refreshReport(name, d.items);
  if (admin.user.role === 'admin') await refreshUsers();
  document.body.dataset.project = name;
  document.body.dataset.state = 'ready';
}

// Agreement with bootstrap intervals: the same numbers as `hitloop quality` and the report.
async function refreshAgreement(name) {
  const q = await hl.api('GET', `/api/v1/projects/${encodeURIComponent(name)}/quality`);
  const status = document.getElementById('agreement-status');
  if (q.status !== 200) { status.textContent = hl.errorText(q); fillTable('agreement', [], []); return; }
  const d = q.data;
  status.textContent = `${d.items} items with answers, ${d.answers} answers; labels resolved by ` +
    `${d.aggregation.method} (${d.aggregation.reason})`;
  if (!d.agreement) { fillTable('agreement', [], []); return; }
  const fmt = (e) => (e.value === null ? ['n/a', e.reason]
    : [e.value.toFixed(3), `${e.lower.toFixed(3)} – ${e.upper.toFixed(3)}`]);
  const rows = [['percent agreement', ...fmt(d.agreement.percent)],
    ["Fleiss' kappa", ...fmt(d.agreement.fleiss)]];
  for (const [level, e] of Object.entries(d.agreement.krippendorff_alpha)) {
    rows.push([`Krippendorff's alpha (${level})`, ...fmt(e)]);
  }
  for (const p of d.agreement.cohen_kappa_pairs.slice(0, 20)) {
    rows.push([`Cohen's kappa ${p.a} / ${p.b} (${p.shared} items)`, ...fmt(p)]);
  }
  fillTable('agreement', ['statistic', 'value', '95% interval'], rows);
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  return e;
}

// Cycle history as an SVG line chart built node by node (no markup strings).
function drawChart(cycles, items) {
  const W = 640, H = 220, L = 40, R = 10, T = 10, B = 30;
  const chart = svg('svg', { class: 'chart', width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': 'cycle history', 'data-points': cycles.length });
  const x = (i) => L + (cycles.length <= 1 ? (W - L - R) / 2 : (i * (W - L - R)) / (cycles.length - 1));
  const y = (v) => T + (1 - v) * (H - T - B);
  chart.appendChild(svg('line', { x1: L, y1: y(0), x2: W - R, y2: y(0), stroke: '#999' }));
  chart.appendChild(svg('line', { x1: L, y1: y(0), x2: L, y2: y(1), stroke: '#999' }));
  for (const v of [0, 0.5, 1]) {
    const t = svg('text', { x: 4, y: y(v) + 4, 'font-size': 11 });
    t.textContent = v.toFixed(1);
    chart.appendChild(t);
  }
  const series = [
    ['line-before', (c) => c.accuracy_before],
    ['line-after', (c) => c.accuracy_after],
    ['line-coverage', (c) => (items ? c.auto_accepted / items : null)],
  ];
  for (const [cls, f] of series) {
    const pts = cycles.map((c, i) => [i, f(c)]).filter(([, v]) => v !== null && v !== undefined);
    if (pts.length === 0) continue;
    chart.appendChild(svg('polyline', { class: cls, points: pts.map(([i, v]) => `${x(i)},${y(v)}`).join(' ') }));
    for (const [i, v] of pts) chart.appendChild(svg('circle', { class: cls, cx: x(i), cy: y(v), r: 3 }));
  }
  cycles.forEach((c, i) => {
    const t = svg('text', { x: x(i) - 4, y: H - 10, 'font-size': 11 });
    t.textContent = String(c.cycle);
    chart.appendChild(t);
  });
  const wrap = document.getElementById('chart-wrap');
  hl.clear(wrap);
  wrap.appendChild(chart);
}

async function refreshReport(name, items) {
  const r = await hl.api('GET', `/api/v1/projects/${encodeURIComponent(name)}/report`);
  if (r.status !== 200) { document.getElementById('dash-error').textContent = hl.errorText(r); return; }
  const cycles = r.data.cycles || [];
  drawChart(cycles, items);
  const last = cycles[cycles.length - 1];
  document.getElementById('audit-status').textContent = last
    ? `after cycle ${last.cycle}: ${last.audits_queued} audits queued; accepted-region precision lower bound ` +
      `${last.precision_lower_bound.toFixed(3)}; ${last.auto_accepted} items auto-accepted`
    : 'no cycle has run yet';
  fillTable('corrections', ['model said', 'people said', 'count', 'rate', 'systematic'],
    (r.data.confused_pairs || []).slice(0, 20).map((p) => [p.model_said, p.people_said, p.count,
      `${Math.round(p.rate * 100)}%`, p.systematic ? 'yes' : '']));
}

async function runCycle() {
  const name = document.getElementById('project-pick').value;
  const button = document.getElementById('run-cycle');
  button.disabled = true;
  document.getElementById('cycle-status').textContent = 'running…';
  const r = await hl.api('POST', `/api/v1/projects/${encodeURIComponent(name)}/cycle`);
  button.disabled = false;
  document.getElementById('cycle-status').textContent = r.status === 200
    ? `cycle ${r.data.cycle} done in ${Number(r.data.seconds || 0).toFixed(1)} s` : hl.errorText(r);
  await refresh();
}

async function refreshUsers() {
  const r = await hl.api('GET', '/api/v1/users');
  const t = document.getElementById('users');
  hl.clear(t);
  t.appendChild(row(['name', 'role', 'pools', 'status', ''], true));
  for (const u of (r.data && r.data.users) || []) {
    const tr = row([u.name, u.role, u.pools.join(', '), u.disabled ? 'disabled' : 'active'], false);
    const td = hl.el('td', {});
    if (!u.disabled && u.name !== admin.user.name) {
      const b = hl.el('button', { type: 'button' }, 'disable');
      b.addEventListener('click', async () => {
        const res = await hl.api('POST', `/api/v1/users/${encodeURIComponent(u.name)}/disable`);
        document.getElementById('user-error').textContent = res.status === 200 ? '' : hl.errorText(res);
        refreshUsers();
      });
      td.appendChild(b);
    }
    tr.appendChild(td);
    t.appendChild(tr);
  }
}

document.getElementById('user-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const name = document.getElementById('new-name').value.trim();
  const role = document.getElementById('new-role').value;
  const pools = document.getElementById('new-pools').value.split(',').map((s) => s.trim()).filter(Boolean);
  const project = document.getElementById('project-pick').value;
  const body = { name, role, projects: project ? [project] : [] };
  if (pools.length) body.pools = pools;
  const r = await hl.api('POST', '/api/v1/users', body);
  if (r.status !== 201) {
    document.getElementById('user-error').textContent = hl.errorText(r);
    return;
  }
  document.getElementById('user-error').textContent = '';
  document.getElementById('new-token-user').textContent = r.data.user.name;
  document.getElementById('new-token').textContent = r.data.token;
  hl.show('new-token-wrap', true);
  document.getElementById('new-name').value = '';
  refreshUsers();
});

document.getElementById('signin-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const r = await hl.api('POST', '/api/v1/session', { token: document.getElementById('token').value.trim() });
  document.getElementById('token').value = '';
  if (r.status !== 200) { document.getElementById('signin-error').textContent = 'That token was not accepted.'; return; }
  hl.show('signin', false);
  start();
});

document.getElementById('project-pick').addEventListener('change', refresh);
document.getElementById('run-cycle').addEventListener('click', runCycle);

start();
