// The annotator page: keyboard-first labelling. One keystroke per decision when the model's
// pre-label is right (Enter). Every untrusted string (item text, labels, meta, ids) is set via
// textContent.
'use strict';

const state = {
  user: null,
  project: null,   // {name, type, labels}
  task: null,      // the /tasks/next response
  last: null,      // {task, labels} of the last submit, for undo
  amending: false, // showing `last` for correction
  selected: new Set(),  // multi-label selection
  done: 0,
  busy: false,
  shownAt: 0,
};

function setState(s) { document.body.dataset.state = s; }

function setError(msg) { document.getElementById('task-error').textContent = msg || ''; }

function claimPath(name) { return `/api/v1/projects/${encodeURIComponent(name)}/tasks/next`; }

async function start() {
  // Who am I, which projects, and (when the address names the project) the first task: asked
  // together, so the first task is not a second round trip behind the other two.
  const wanted = new URLSearchParams(location.search).get('project');
  const early = wanted ? hl.api('POST', claimPath(wanted)) : null;
  const [me, ps] = await Promise.all([hl.api('GET', '/api/v1/me'), hl.api('GET', '/api/v1/projects')]);
  if (me.status === 401) { showSignIn(); return; }
  if (me.status !== 200) { showSignIn(hl.errorText(me)); return; }
  state.user = me.data.user;
  document.getElementById('who').textContent = `${state.user.name} (${state.user.role})`;
  hl.show('signout', true);
  const projects = (ps.data && ps.data.projects) || [];
  if (projects.length === 0) {
    hl.show('empty', true);
    setState('empty');
    return;
  }
  const pick = document.getElementById('project-pick');
  hl.clear(pick);
  for (const p of projects) {
    const opt = hl.el('option', { value: p.name }, p.name);
    if (p.name === wanted) opt.selected = true;
    pick.appendChild(opt);
  }
  hl.show('project-pick-wrap', projects.length > 1);
  state.projects = projects;
  await openProject(pick.value, pick.value === wanted ? early : null);
}

function showSignIn(msg) {
  hl.show('signin', true);
  hl.show('task', false);
  hl.show('empty', false);
  document.getElementById('signin-error').textContent = msg || '';
  setState('signin');
  document.getElementById('token').focus();
}

// `claimed`: a claim already sent for this project (the page's first), or null.
async function openProject(name, claimed) {
  // The project list already carries name, type and labels: the first task is claimed and shown
  // first; the queue count (a scan on big projects) is asked for only then, so it does not compete
  // with the first task for the server's CPU.
  state.project = state.projects.find((p) => p.name === name);
  state.last = null;
  state.waiting = '…';
  await nextTask(claimed);
  if (state.task) refreshProgress(true);
}

function showProgress() {
  const pools = state.user.pools.join(', ');
  document.getElementById('progress').textContent =
    `done this session: ${state.done} · waiting in your pools (${pools}): ${state.waiting}`;
}

// Counts the queue now and then (every 25 answers), not on every keystroke.
async function refreshProgress(force) {
  showProgress();
  if (!force && (state.done === 0 || state.done % 25 !== 0)) return;
  const r = await hl.api('GET', `/api/v1/projects/${encodeURIComponent(state.project.name)}`);
  state.waiting = r.status === 200 ? r.data.queued_total : '?';
  showProgress();
}

async function nextTask(claimed) {
  state.task = null;
  state.selected.clear();
  const r = await (claimed || hl.api('POST', claimPath(state.project.name)));
  if (r.status === 204) {
    refreshProgress(true);
    hl.show('task', false);
    hl.show('empty', true);
    setState('empty');
    return;
  }
  if (r.status !== 200) { setError(hl.errorText(r)); setState('error'); return; }
  refreshProgress(false);
  state.task = r.data;
  hl.show('empty', false);
  render(state.task, false);
}

// The item text, with the detector's boilerplate blocks (quoted replies, signatures, footers:
// [[startByte, endByte, kind], ...]) dimmed so the content stands out. Text nodes only.
function renderItemText(el, text, spans) {
  hl.clear(el);
  if (!Array.isArray(spans) || spans.length === 0) {
    el.textContent = text;
    return;
  }
  const bytes = new TextEncoder().encode(text);
  const dec = new TextDecoder();
  const blocks = spans
    .filter((s) => Array.isArray(s) && s.length >= 2)
    .map((s) => [Number(s[0]), Number(s[1]), String(s[2] || 'boilerplate')])
    .filter(([a, b]) => Number.isInteger(a) && Number.isInteger(b) && a >= 0 && a < b && b <= bytes.length)
    .sort((x, y) => x[0] - y[0]);
  let at = 0;
  for (const [a, b, kind] of blocks) {
    if (a < at) continue;
    if (a > at) el.appendChild(document.createTextNode(dec.decode(bytes.subarray(at, a))));
    el.appendChild(hl.el('span', { class: 'boilerplate', title: kind }, dec.decode(bytes.subarray(a, b))));
    at = b;
  }
  if (at < bytes.length) el.appendChild(document.createTextNode(dec.decode(bytes.subarray(at))));
}

function render(task, amending) {
  hl.show('signin', false);
  hl.show('task', true);
  setError('');
  const banner = document.getElementById('kind-banner');
  banner.className = `banner kind-${task.kind}${amending ? ' amending' : ''}`;
  const kindText = {
    review: 'Review',
    audit: 'AUDIT — label it yourself (the machine’s answer is hidden so it cannot sway you)',
    adjudicate: 'ADJUDICATE — annotators disagreed',
  }[task.kind] || task.kind;
  banner.textContent = amending ? `Undo: correct your last answer (${kindText}) — Esc to cancel` : kindText;

  document.getElementById('item-id').textContent = `item ${task.item.id}`;
  document.getElementById('pool').textContent = task.pool ? `pool ${task.pool}` : '';
  const text = document.getElementById('item-text');
  renderItemText(text, task.item.text, task.item.boilerplate);
  text.scrollTop = 0;

  const meta = document.getElementById('item-meta');
  hl.clear(meta);
  const entries = Object.entries(task.item.meta || {});
  for (const [k, v] of entries) {
    meta.appendChild(hl.el('tr', {},
      hl.el('th', { dir: 'auto' }, k),
      hl.el('td', { dir: 'auto' }, typeof v === 'string' ? v : JSON.stringify(v))));
  }
  meta.hidden = entries.length === 0;

  const pre = document.getElementById('prelabel');
  hl.clear(pre);
  // Audits are blind: the audit checks the machine's label, so showing it would anchor the answer.
  const shown = task.kind === 'audit' ? null : task.prediction;
  if (task.kind === 'audit') {
    pre.appendChild(hl.el('span', { class: 'muted', id: 'blind-audit' }, 'blind audit: choose the label with 1–9'));
  } else if (shown) {
    const pct = Math.round(shown.confidence * 100);
    pre.appendChild(hl.el('span', { class: 'muted' }, 'model says '));
    pre.appendChild(hl.el('strong', { dir: 'auto', id: 'prelabel-name' }, shown.label));
    pre.appendChild(hl.el('span', { class: 'muted' }, ` (${pct}% sure) — Enter to accept`));
  } else {
    pre.appendChild(hl.el('span', { class: 'muted' }, 'no pre-label'));
  }

  const labels = document.getElementById('labels');
  hl.clear(labels);
  state.project.labels.forEach((name, i) => {
    const cls = ['label'];
    if (shown && shown.label === name) cls.push('predicted');
    if (state.selected.has(name)) cls.push('selected');
    const b = hl.el('button', { type: 'button', class: cls.join(' '), 'data-label-index': i },
      hl.el('kbd', {}, i < 9 ? String(i + 1) : ' '), ' ', hl.el('span', { dir: 'auto' }, name));
    b.addEventListener('click', () => choose(i));
    labels.appendChild(b);
  });
  state.amending = amending;
  state.shownAt = performance.now();
  document.body.dataset.item = task.item.id;
  setState(amending ? 'amending' : 'ready');
}

async function submit(labels) {
  if (state.busy) return;
  const multi = state.project.type === 'multi-label';
  const body = multi ? { labels } : { label: labels[0] };
  body.time_spent_ms = Math.max(0, Math.round(performance.now() - state.shownAt));
  state.busy = true;
  try {
    if (state.amending) {
      const r = await hl.api('POST', `/api/v1/leases/${encodeURIComponent(state.last.task.lease.id)}/amend`, body);
      if (r.status !== 200) { setError(hl.errorText(r)); return; }
      state.last.labels = labels;
      state.amending = false;
      if (state.task) render(state.task, false); else await nextTask();
      return;
    }
    const task = state.task;
    const key = `${task.lease.id}:${labels.join('\u0000')}`;
    const r = await hl.api('POST', `/api/v1/leases/${encodeURIComponent(task.lease.id)}/submit`, body, key);
    if (r.status !== 200) {
      setError(hl.errorText(r));
      if (r.status === 409) await nextTask();  // the lease expired or was taken back
      return;
    }
    state.done += 1;
    state.last = { task, labels };
    await nextTask();
  } finally {
    state.busy = false;
  }
}

function choose(i) {
  if (!state.project || i >= state.project.labels.length) return;
  const name = state.project.labels[i];
  if (!state.amending && !state.task) return;
  if (state.project.type === 'multi-label') {
    if (state.selected.has(name)) state.selected.delete(name); else state.selected.add(name);
    render(state.amending ? state.last.task : state.task, state.amending);
    return;
  }
  submit([name]);
}

function accept() {
  const task = state.amending ? state.last.task : state.task;
  if (!task) return;
  if (state.project.type === 'multi-label' && state.selected.size > 0) {
    submit([...state.selected]);
    return;
  }
  if (task.kind === 'audit') return;  // blind: there is no pre-label to accept
  if (task.prediction && task.prediction.label) submit([task.prediction.label]);
}

async function skip() {
  if (state.busy || state.amending || !state.task) return;
  state.busy = true;
  try {
    const r = await hl.api('POST', `/api/v1/leases/${encodeURIComponent(state.task.lease.id)}/skip`);
    if (r.status !== 200) setError(hl.errorText(r));
    await nextTask();
  } finally {
    state.busy = false;
  }
}

function undo() {
  if (!state.last || state.amending) return;
  state.selected.clear();
  render(state.last.task, true);
}

function cancelUndo() {
  if (!state.amending) return;
  state.amending = false;
  state.selected.clear();
  if (state.task) render(state.task, false); else nextTask();
}

document.addEventListener('keydown', (ev) => {
  if (ev.target instanceof HTMLInputElement || ev.target instanceof HTMLSelectElement) return;
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const s = document.body.dataset.state;
  if (s !== 'ready' && s !== 'amending') return;
  if (ev.key >= '1' && ev.key <= '9') { ev.preventDefault(); choose(Number(ev.key) - 1); }
  else if (ev.key === 'Enter') { ev.preventDefault(); accept(); }
  else if (ev.key === 's') { ev.preventDefault(); skip(); }
  else if (ev.key === 'u') { ev.preventDefault(); undo(); }
  else if (ev.key === 'Escape') { ev.preventDefault(); cancelUndo(); }
});

document.getElementById('signin-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const token = document.getElementById('token').value.trim();
  const r = await hl.api('POST', '/api/v1/session', { token });
  document.getElementById('token').value = '';
  if (r.status !== 200) { document.getElementById('signin-error').textContent = 'That token was not accepted.'; return; }
  hl.show('signin', false);
  start();
});

document.getElementById('signout').addEventListener('click', async () => {
  await hl.api('DELETE', '/api/v1/session');
  location.reload();
});

document.getElementById('retry').addEventListener('click', () => nextTask());
document.getElementById('project-pick').addEventListener('change', (ev) => openProject(ev.target.value));

start();
