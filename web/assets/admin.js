// The admin dashboard (reviewers and admins). Every untrusted string goes through textContent
// (hl.el, or .textContent on SVG nodes).
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
    hl.show('project-pick-wrap', false);
    document.body.dataset.state = 'signin';
    if (me.status !== 401) document.getElementById('signin-error').textContent = hl.errorText(me);
    document.getElementById('token').focus();
    return;
  }
  admin.user = me.data.user;
  document.getElementById('who').textContent = `${admin.user.name} (${admin.user.role})`;
  hl.show('signout', true);
  if (admin.user.role === 'annotator') {
    // The dashboard's routes answer 404 to annotators; say so plainly instead of an empty page.
    document.getElementById('forbidden-who').textContent = admin.user.name;
    hl.show('forbidden', true);
    hl.show('project-pick-wrap', false);
    document.body.dataset.state = 'forbidden';
    document.getElementById('forbidden-annotate').focus();
    return;
  }
  const ps = await hl.api('GET', '/api/v1/projects');
  const pick = document.getElementById('project-pick');
  hl.clear(pick);
  for (const p of (ps.data && ps.data.projects) || []) pick.appendChild(hl.el('option', { value: p.name }, p.name));
  const wanted = new URLSearchParams(location.search).get('project');
  if (wanted && [...pick.options].some((o) => o.value === wanted)) pick.value = wanted;
  hl.show('project-pick-wrap', true);
  // The data browser (browse.js) shows the dashboard or its own view (#data).
  if (typeof browse !== 'undefined') await browse.ready(admin.user); else hl.show('dashboard', true);
  hl.show('users-section', admin.user.role === 'admin');
  hl.show('run-cycle', admin.user.role === 'admin');
  await refresh();
}

// "97 of at least 149 audits": what `hitloop status` says, from the same cycle record.
function showCertificate(cert) {
  const line = document.getElementById('cert-line');
  const detail = document.getElementById('cert-detail');
  const bar = document.getElementById('cert-bar');
  if (!cert) { line.textContent = ''; detail.textContent = ''; return; }
  const need = Number(cert.min_audits_needed || 0);
  const have = Number(cert.audits_counted || 0);
  const since = Number(cert.audits_answered_since_cycle || 0);
  const target = cert.target_precision !== undefined
    ? `precision ≥ ${(cert.target_precision * 100).toFixed(1)}% with ${(cert.confidence * 100).toFixed(0)}% confidence` : '';
  if (!cert.cycles) {
    line.textContent = `no cycle yet — certifying ${target} needs at least ${need} clean audits`;
  } else if (cert.certified) {
    line.textContent = `certified after cycle ${cert.cycle}: ${have} audits, ${target}`;
  } else {
    line.textContent = `${have} of at least ${need} audits (after cycle ${cert.cycle}) — at least ${Math.max(0, need - have)} more before anything is auto-accepted`;
  }
  bar.style.width = `${need > 0 ? Math.min(100, (100 * have) / need).toFixed(1) : 0}%`;
  document.getElementById('cert-bar-wrap').title = `${have} of at least ${need} audits`;
  const parts = [];
  if (target) parts.push(`target: ${target}`);
  if (since > 0) parts.push(`${since} audit answer${since === 1 ? '' : 's'} given since the last cycle (counted by the next one)`);
  // The bound of zero audits is 0.000 and says nothing: it shows once audits have been counted.
  if (cert.precision_lower_bound !== null && cert.precision_lower_bound !== undefined && cert.cycles && have > 0) {
    parts.push(cert.certified
      ? `precision lower bound ${Number(cert.precision_lower_bound).toFixed(3)}`
      : `precision lower bound ${Number(cert.precision_lower_bound).toFixed(3)} (not meaningful before enough audits)`);
  }
  detail.textContent = parts.join(' · ');
  document.body.dataset.certificate = line.textContent;
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
  showCertificate(d.certificate);
  fillTable('queues', ['pool', 'kind', 'open'], d.queues.map((q) => [q.pool, q.kind, q.open]));
  fillTable('states', ['state', 'items'], Object.entries(d.by_state));
  fillTable('sources', ['source', 'items'], Object.entries(d.by_label_source));
  fillTable('annotators', ['annotator', 'answers', 'last hour', 'mean time (s)', 'agreement with resolved label',
    'gold accuracy (95% interval)'],
    d.annotators.map((a) => [a.annotator, a.answers, a.last_hour, a.mean_time_ms ? (a.mean_time_ms / 1000).toFixed(1) : '—',
      a.agreement === null ? '—' : `${Math.round(a.agreement * 100)}% of ${a.pairs}`,
      !a.gold ? '—' : `${a.gold.correct}/${a.gold.answered} [${Math.round(a.gold.lower * 100)}–${Math.round(a.gold.upper * 100)}%]`]));
  await refreshAgreement(name);
  await refreshReport(name, d.items, d.certificate);
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
  if (d.kind === 'preferences') { refreshGold(name, null); showPreferenceQuality(d); return; }
  refreshGold(name, d.gold_routing);
  status.textContent = `${d.items} items with answers, ${d.answers} answers; labels resolved by ` +
    `${d.aggregation.method} (${d.aggregation.reason})`;
  if (!d.agreement) { fillTable('agreement', [], []); return; }
  const fmt = (e) => (e.value === null ? ['n/a', e.reason]
    : [e.value.toFixed(3), `${e.lower.toFixed(3)} – ${e.upper.toFixed(3)}`]);
  const rows = [['percent agreement', ...fmt(d.agreement.percent)],
    ["Fleiss' kappa", ...fmt(d.agreement.fleiss_kappa)]];
  for (const [level, e] of Object.entries(d.agreement.krippendorff_alpha)) {
    rows.push([`Krippendorff's alpha (${level})`, ...fmt(e)]);
  }
  for (const p of d.agreement.cohen_kappa_pairs.slice(0, 20)) {
    rows.push([`Cohen's kappa ${p.a} / ${p.b} (${p.shared} items)`, ...fmt(p)]);
  }
  fillTable('agreement', ['statistic', 'value', '95% interval'], rows);
}

// Pairwise and ranking projects: per criterion, agreement, position bias, the reward model's
// held-out accuracy by strength and the most disputed prompts (the same as `hitloop quality`).
function showPreferenceQuality(d) {
  const status = document.getElementById('agreement-status');
  const pct = (v) => `${(v * 100).toFixed(1)}%`;
  status.textContent = d.criteria.map((c) => `${c.criterion || 'overall'}: ${c.answers} answers from ` +
    `${c.annotators} people (${c.ties} ties, ${c.both_bad} both bad)`).join('; ');
  const rows = [];
  for (const c of d.criteria) {
    const k = c.criterion || 'overall';
    rows.push([`${k}: pair agreement`, c.agreement_pairs > 0 ? pct(c.pair_agreement) : 'n/a',
      c.agreement_pairs > 0 ? `${c.agreement_pairs} pairs judged by two people` : 'no pair judged by two people']);
    const b = c.position_bias;
    rows.push([`${k}: P(left wins)`, b.decided > 0 ? pct(b.p_left) : 'n/a',
      b.decided > 0 ? `${pct(b.lower)} – ${pct(b.upper)} on ${b.decided} answers` +
        (b.lower > 0.5 || b.upper < 0.5 ? ' (biased)' : '') : `no recorded display order (${b.order_unknown} answers)`]);
    if (c.reward_model) {
      const m = c.reward_model;
      rows.push([`${k}: reward model, held-out`, pct(m.heldout_pair_accuracy), `${m.heldout_pairs} pairs`]);
      for (const s of m.by_strength) rows.push([`${k}: … strength ${s.strength}`, pct(s.accuracy), `${s.pairs} pairs`]);
    }
    for (const p of c.disputed) {
      rows.push([`${k}: disputed ${p.item}`, `${pct(p.agreement)} agree`, `${p.resolved} · ${p.prompt}`]);
    }
  }
  fillTable('agreement', ['measure', 'value', 'detail'], rows);
}

// Gold questions as routing counts them: each annotator's accuracy with its Wilson 95% interval,
// their access per pool (open, qualifying, flagged) and, for admins, a button that clears a flag.
function refreshGold(name, g) {
  const status = document.getElementById('gold-status');
  const t = document.getElementById('gold-routing');
  hl.clear(t);
  if (!g) { status.textContent = ''; return; }
  const pct = (v) => `${Math.round(v * 100)}%`;
  status.textContent = `gold questions in ${pct(g.gold_rate)} of claims; ${g.gold_questions} gold questions open; ` +
    `flagged when the 95% upper bound is below ${g.flag_below > 0 ? pct(g.flag_below) : '(off)'}` +
    Object.entries(g.pools).map(([p, v]) => `; ${p}: ${v.qualify_gold} gold at ≥ ${pct(v.qualify_accuracy)}` +
      (v.flag_below > 0 ? `, flag below ${pct(v.flag_below)}` : '')).join('');
  t.appendChild(row(['annotator', 'gold correct', 'accuracy (95% interval)', 'pools', 'flag', ''], true));
  for (const a of g.annotators) {
    const pools = Object.entries(a.pools).map(([p, s]) => `${p}: ${s}`).join(', ');
    const tr = row([a.annotator, `${a.correct}/${a.answered}`, `${pct(a.accuracy)} [${pct(a.lower)}–${pct(a.upper)}]`,
      pools, a.flagged ? 'FLAGGED' : ''], false);
    if (a.flagged) tr.classList.add('flagged');
    const td = hl.el('td', {});
    if (a.flagged && admin.user.role === 'admin') {
      const b = hl.el('button', { type: 'button' }, 'clear flag');
      b.addEventListener('click', async () => {
        const res = await hl.api('POST', `/api/v1/projects/${encodeURIComponent(name)}/quality/clear-flag`,
          { annotator: a.annotator });
        document.getElementById('gold-error').textContent = res.status === 200 ? '' : hl.errorText(res);
        refreshAgreement(name);
      });
      td.appendChild(b);
    }
    tr.appendChild(td);
    t.appendChild(tr);
  }
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

// Axes from zero, grid lines, tick values and an axis title; returns the scales.
function frame(chart, { W, H, L, R, T, B, ymax, yTicks, yFormat, xs, yTitle }) {
  const n = xs.length;
  const x = (i) => L + (n <= 1 ? (W - L - R) / 2 : (i * (W - L - R)) / (n - 1));
  const y = (v) => T + (1 - v / ymax) * (H - T - B);
  for (const v of yTicks) {
    chart.appendChild(svg('line', { class: 'grid', x1: L, y1: y(v), x2: W - R, y2: y(v) }));
    chart.appendChild(svg('text', { x: L - 6, y: y(v) + 4, 'font-size': 11, 'text-anchor': 'end' }, yFormat(v)));
  }
  chart.appendChild(svg('line', { class: 'axis', x1: L, y1: y(0), x2: W - R, y2: y(0) }));
  chart.appendChild(svg('line', { class: 'axis', x1: L, y1: y(0), x2: L, y2: T }));
  xs.forEach((label, i) => {
    chart.appendChild(svg('text', { x: x(i), y: H - B + 16, 'font-size': 11, 'text-anchor': 'middle' }, String(label)));
  });
  chart.appendChild(svg('text', { x: (L + W - R) / 2, y: H - 4, 'font-size': 11, 'text-anchor': 'middle' }, 'cycle'));
  chart.appendChild(svg('text', { x: 12, y: (T + H - B) / 2, 'font-size': 11, 'text-anchor': 'middle',
    transform: `rotate(-90 12 ${(T + H - B) / 2})` }, yTitle));
  return { x, y };
}

// Cycle history as an SVG line chart built node by node (no markup strings): y from 0 to 100%,
// a marker with a tooltip on every point, the value written beside the newest ones.
function drawChart(cycles, items) {
  // R leaves room for the newest values, written to the right of the last points.
  const W = 680, H = 250, L = 56, R = 64, T = 14, B = 40;
  const chart = svg('svg', { class: 'chart', width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': 'gold accuracy and auto-accepted share per cycle', 'data-points': cycles.length });
  const { x, y } = frame(chart, { W, H, L, R, T, B, ymax: 1, yTicks: [0, 0.25, 0.5, 0.75, 1],
    yFormat: (v) => `${Math.round(v * 100)}%`, xs: cycles.map((c) => c.cycle), yTitle: 'share' });
  if (cycles.length === 0) {
    chart.appendChild(svg('text', { x: (L + W - R) / 2, y: H / 2, 'text-anchor': 'middle', 'font-size': 13 },
      'no cycle yet — run one to see the model on the gold set'));
  }
  const series = [
    ['line-before', 'gold accuracy before', (c) => c.accuracy_before],
    ['line-after', 'gold accuracy after', (c) => c.accuracy_after],
    ['line-coverage', 'auto-accepted share', (c) => (items ? c.auto_accepted / items : null)],
  ];
  const values = [];  // the newest value of each series: [y, cls, text], placed below
  for (const [cls, name, f] of series) {
    const pts = cycles.map((c, i) => [i, f(c), c]).filter(([, v]) => v !== null && v !== undefined && Number.isFinite(v));
    if (pts.length === 0) continue;
    if (pts.length > 1) {
      chart.appendChild(svg('polyline', { class: cls, points: pts.map(([i, v]) => `${x(i)},${y(v)}`).join(' ') }));
    }
    for (const [i, v, c] of pts) {
      const dot = svg('circle', { class: cls, cx: x(i), cy: y(v), r: 4, tabindex: 0 });
      dot.appendChild(svg('title', {}, `${name}, cycle ${c.cycle}: ${(v * 100).toFixed(1)}%`));
      chart.appendChild(dot);
    }
    const [li, lv] = pts[pts.length - 1];
    values.push([y(lv) + 4, cls, `${(lv * 100).toFixed(1)}%`, x(li) + 8]);
  }
  // Values that would overlap (close series) are pushed apart, at least a line each.
  values.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < values.length; i++) values[i][0] = Math.max(values[i][0], values[i - 1][0] + 15);
  const over = values.length ? values[values.length - 1][0] - (H - B + 4) : 0;
  if (over > 0) values.forEach((v) => { v[0] -= over; });
  for (const [ty, cls, text, tx] of values) {
    chart.appendChild(svg('text', { class: `value ${cls}`, x: tx, y: ty, 'font-size': 11 }, text));
  }
  const wrap = document.getElementById('chart-wrap');
  hl.clear(wrap);
  wrap.appendChild(chart);
}

// Audits the certificate counted after each cycle (bars) against the least it needs (dashed).
function drawAuditChart(cycles, cert) {
  const need = Number((cert && cert.min_audits_needed) || 0);
  const W = 680, H = 210, L = 56, R = 64, T = 14, B = 40;  // the same x positions as the cycle chart
  const counts = cycles.map((c) => Number(c.audits_total || 0));
  const top = Math.max(need, ...counts, 1) * 1.1;
  const step = Math.max(1, Math.ceil(top / 4 / 10) * 10);
  const ticks = [];
  for (let v = 0; v <= top; v += step) ticks.push(v);
  const chart = svg('svg', { class: 'chart audit-chart', width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': 'audits counted per cycle', 'data-points': cycles.length });
  const { x, y } = frame(chart, { W, H, L, R, T, B, ymax: top, yTicks: ticks, yFormat: (v) => String(v),
    xs: cycles.map((c) => c.cycle), yTitle: 'audits' });
  const bw = Math.max(8, Math.min(40, (W - L - R) / Math.max(1, cycles.length) / 2));
  cycles.forEach((c, i) => {
    const v = counts[i];
    const bar = svg('rect', { class: 'audit-bar', x: x(i) - bw / 2, y: y(v), width: bw, height: Math.max(0, y(0) - y(v)),
      fill: '#0b5fff', tabindex: 0 });
    bar.appendChild(svg('title', {}, `cycle ${c.cycle}: ${v} audits counted (at least ${need} needed)`));
    chart.appendChild(bar);
    chart.appendChild(svg('text', { x: x(i), y: y(v) - 4, 'font-size': 11, 'text-anchor': 'middle' }, String(v)));
  });
  if (need > 0) {
    chart.appendChild(svg('line', { x1: L, y1: y(need), x2: W - R, y2: y(need), stroke: '#b35900', 'stroke-dasharray': '5 4' }));
    chart.appendChild(svg('text', { x: W - R - 4, y: y(need) - 4, 'font-size': 11, 'text-anchor': 'end', fill: '#b35900' },
      `at least ${need} needed`));
  }
  const wrap = document.getElementById('audit-chart-wrap');
  hl.clear(wrap);
  wrap.appendChild(chart);
}

async function refreshReport(name, items, cert) {
  const r = await hl.api('GET', `/api/v1/projects/${encodeURIComponent(name)}/report`);
  if (r.status !== 200) { document.getElementById('dash-error').textContent = hl.errorText(r); return; }
  const cycles = r.data.cycles || [];
  drawChart(cycles, items);
  drawAuditChart(cycles, cert);
  const last = cycles[cycles.length - 1];
  document.getElementById('audit-status').textContent = last
    ? `after cycle ${last.cycle}: ${last.audits_queued} audits queued; ${last.auto_accepted} items auto-accepted` +
      (cert && cert.certified ? `; precision lower bound ${Number(last.precision_lower_bound).toFixed(3)}` : '')
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
document.getElementById('signout').addEventListener('click', () => hl.signOut());
document.getElementById('forbidden-signout').addEventListener('click', () => hl.signOut());

start();
