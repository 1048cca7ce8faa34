// The annotator page: keyboard-first labelling. One keystroke per decision when the model's
// pre-label is right (Enter). Every key that does nothing says so (#key-feedback). Every
// untrusted string (item text, labels, meta, ids, annotator names) is set via textContent.
'use strict';

// Label keys: 1-9, 0, then the letters no command uses, then two-key chords ('.' or ',' then one
// of those keys). The command keys (s u h j k r) are never label keys.
const SINGLE_KEYS = [...'1234567890', ...'abcdefgilmnopqtvwxyz'];
const CHORD_PREFIXES = ['.', ','];

function keyFor(i) {
  if (i < SINGLE_KEYS.length) return SINGLE_KEYS[i];
  const j = i - SINGLE_KEYS.length;
  const p = Math.floor(j / SINGLE_KEYS.length);
  if (p >= CHORD_PREFIXES.length) return null;
  return CHORD_PREFIXES[p] + SINGLE_KEYS[j % SINGLE_KEYS.length];
}

// Keys that are commands (or start one) and so can never pick a label.
const RESERVED_KEYS = new Set(['s', 'u', 'h', 'j', 'k', 'r', '?', '=', '.', ',', ' ']);

function isLabelKey(k) {
  if (typeof k !== 'string') return false;
  const chars = [...k];
  if (chars.length === 1) return !RESERVED_KEYS.has(k) && k === k.toLowerCase() && !/\s|\p{C}/u.test(k);
  return chars.length === 2 && CHORD_PREFIXES.includes(chars[0]) && isLabelKey(chars[1]);
}

// The person's own keys for this project (a Map label -> key; label names are untrusted, so
// never object keys), kept in this browser per user and project as [[label, key], ...].
// `=` starts remapping (see remapKey).
function keymapSlot() { return `hitloop.keys.${state.user ? state.user.name : ''}.${state.project.name}`; }
function loadKeymap() {
  try {
    const pairs = JSON.parse(localStorage.getItem(keymapSlot()) || '[]');
    if (!Array.isArray(pairs)) return new Map();
    return new Map(pairs.filter((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && isLabelKey(p[1])));
  } catch (e) {
    return new Map();
  }
}
function saveKeymap() {
  try {
    if (state.keymap.size) localStorage.setItem(keymapSlot(), JSON.stringify([...state.keymap]));
    else localStorage.removeItem(keymapSlot());
    return true;
  } catch (e) {
    return false;
  }
}

// Each label's key: a remapped label has its own; every other label keeps its default unless a
// remapped label took it, and then gets the first key nobody uses. Sets state.keys.
function computeKeys() {
  const labels = state.project.labels;
  const keys = new Array(labels.length).fill(null);
  const used = new Set();
  labels.forEach((l, i) => {
    const k = state.keymap.has(l) ? state.keymap.get(l) : null;
    if (isLabelKey(k) && !used.has(k)) { keys[i] = k; used.add(k); }
  });
  labels.forEach((l, i) => {
    const k = keyFor(i);
    if (keys[i] === null && k !== null && !used.has(k)) { keys[i] = k; used.add(k); }
  });
  let n = 0;
  labels.forEach((l, i) => {
    if (keys[i] !== null) return;
    for (let k = keyFor(n); k !== null; k = keyFor(++n)) {
      if (!used.has(k)) { keys[i] = k; used.add(k); break; }
    }
  });
  state.keys = keys;
}

const REASONS = {
  audit: 'Random audit: a uniform sample that checks the machine’s labels. The model’s answer is hidden so it cannot sway you.',
  'audit-stratified': 'Monitoring audit: a random label the machine accepted, drawn from one confidence band. The model’s answer is hidden.',
  disagreement: 'Annotators disagreed on this item: your answer settles it.',
  novel: 'Out of distribution: this item is unlike what the model was trained on, so its answer is not trusted here.',
  'new-class': 'New class: the model predicts a class that has too few checked labels to be trusted yet.',
  requeued: 'Re-check: the machine had accepted a label here but no longer vouches for it.',
  seed: 'Cold start: there is no model yet; your labels train the first one.',
};

const state = {
  user: null,
  projects: [],
  project: null,   // {name, type, labels}
  task: null,      // the /tasks/next response
  last: null,      // {task, labels} of the last submit, for undo
  amend: null,     // {task, amendable}: a submitted task shown for correction
  selected: new Set(),  // multi-label selection
  done: 0,
  busy: false,
  shownAt: 0,
  counts: null,    // queued_by_kind in my pools
  countsAt: 0,
  chord: '',       // a pending chord prefix
  keymap: new Map(),  // the person's remapped keys (label -> key) for this project
  keys: [],        // each label's key (computeKeys)
  remap: null,     // {step: 'label'|'key', prefix, index} while remapping a key
  history: [],
  historyOpen: false,
};

function setState(s) { document.body.dataset.state = s; }
function setError(msg) { document.getElementById('task-error').textContent = msg || ''; }

let feedbackSeq = 0;
// Says why a key did nothing (or what it did, for chords). Cleared after a few seconds.
function feedback(msg) {
  const el = document.getElementById('key-feedback');
  el.textContent = msg;
  el.dataset.seq = String(++feedbackSeq);
  const seq = feedbackSeq;
  setTimeout(() => { if (el.dataset.seq === String(seq)) el.textContent = ''; }, 4000);
}

function claimPath(name) { return `/api/v1/projects/${encodeURIComponent(name)}/tasks/next`; }
function projectPath(name) { return `/api/v1/projects/${encodeURIComponent(name)}`; }

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
  hl.show('history-toggle', true);
  hl.show('admin-link', state.user.role !== 'annotator');
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
  setInterval(() => { if (!document.hidden && state.project) refreshCounts(true); }, 15000);
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
  // The first task is claimed and shown first; the queue counts are asked for only then, so
  // they do not compete with the first task for the server.
  state.project = state.projects.find((p) => p.name === name);
  state.keymap = loadKeymap();
  state.remap = null;
  computeKeys();
  state.last = null;
  state.amend = null;
  state.history = [];
  await nextTask(claimed);
  refreshCounts(true);
  if (state.historyOpen) loadHistory();
}

function showProgress() {
  const c = state.counts;
  const waiting = c
    ? `${c.review} review · ${c.audit} audit · ${c.adjudicate} adjudication waiting in your pools (${state.user.pools.join(', ')})`
    : 'counting the queue…';
  document.getElementById('progress').textContent = `done this session: ${state.done} · ${waiting}`;
}

// Live queue counts (trigger-kept on the server: a lookup). At most one request every 2 s.
async function refreshCounts(force) {
  showProgress();
  const now = Date.now();
  if (!force && now - state.countsAt < 2000) return;
  state.countsAt = now;
  const r = await hl.api('GET', projectPath(state.project.name));
  if (r.status === 200 && r.data.queued_by_kind) state.counts = r.data.queued_by_kind;
  if (r.status === 200) showCertificate(r.data.certificate);
  showProgress();
}

// What the blind audits are for, in the words of the dashboard and `hitloop status`.
function showCertificate(cert) {
  const el = document.getElementById('cert-progress');
  // Comparisons have no cycle and no audit certificate (docs/PREFERENCES.md): nothing to say.
  el.hidden = !cert || isComparison();
  if (el.hidden) return;
  const need = Number(cert.min_audits_needed || 0);
  const have = Number(cert.audits_counted || 0);
  if (cert.certified) el.textContent = `certificate: certified after cycle ${cert.cycle} (${have} audits)`;
  else if (!cert.cycles) el.textContent = `certificate: no cycle yet — it needs at least ${need} clean audits`;
  else el.textContent = `certificate: ${have} of at least ${need} audits (at least ${Math.max(0, need - have)} more before the machine labels alone)`;
}

async function nextTask(claimed) {
  state.task = null;
  state.selected.clear();
  const r = await (claimed || hl.api('POST', claimPath(state.project.name)));
  if (r.status === 204) {
    refreshCounts(true);
    hl.show('task', false);
    hl.show('empty', true);
    setState('empty');
    return;
  }
  if (r.status !== 200) {
    hl.show('task', true);
    setError(`${hl.errorText(r)} — press r to try again`);
    setState('error');
    return;
  }
  state.task = r.data;
  hl.show('empty', false);
  render(state.task, null);
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

// The labels a pre-label names: a multi-label prediction's label is its predicted set joined by ","
// (each label's own probability is in its distribution).
function predictedLabels(prediction) {
  if (!prediction || !prediction.label) return [];
  return state.project.type === 'multi-label' ? prediction.label.split(',').filter(Boolean) : [prediction.label];
}

// The model's distribution, highest first: [[label, p], ...].
function ranked(prediction) {
  const d = prediction && prediction.distribution;
  if (!d || typeof d !== 'object') return [];
  return Object.entries(d).map(([k, v]) => [k, Number(v)]).filter(([, v]) => Number.isFinite(v))
    .sort((a, b) => b[1] - a[1]);
}

// Two shares as percentages, with a decimal when whole numbers would read the same ("50% and
// 50%" says nothing about which way the model leans).
function pctPair(p, q) {
  if (hl.pct(p) !== hl.pct(q)) return [hl.pct(p), hl.pct(q)];
  return [`${(Number(p) * 100).toFixed(1)}%`, `${(Number(q) * 100).toFixed(1)}%`];
}

// Why this task is in front of the person, in words.
function reasonText(task) {
  // Sent back by a reviewer (the review page): their comment is why it is here again.
  if (task.kind === 'rework' && task.review) {
    return `Sent back by ${task.review.reviewer}: “${task.review.comment}” — you answered ${(task.review.labels || []).join(', ')}.`;
  }
  const fixed = REASONS[task.reason];
  if (fixed) return fixed;
  const r = ranked(task.prediction);
  if (r.length >= 2 && state.project.type !== 'multi-label') {
    const [[a, pa], [b, pb]] = r;
    const [ta, tb] = pctPair(pa, pb);
    if (pa - pb < 0.3) return `The model is torn between ${a} ${ta} and ${b} ${tb}.`;
    return `The model leans to ${a} ${hl.pct(pa)} but is not sure enough to label it alone.`;
  }
  if (task.prediction) return `The model says ${task.prediction.label} (${hl.pct(task.prediction.confidence)}) but is not sure enough to label it alone.`;
  if (task.kind === 'review') return isComparison() ? '' : 'Queued for people (no model prediction for this item).';
  return '';
}

function renderDistribution(task) {
  const box = document.getElementById('distribution');
  hl.clear(box);
  const r = ranked(task.prediction).slice(0, 6);
  box.hidden = r.length === 0;
  for (const [label, p] of r) {
    const bar = hl.el('span', { class: 'bar-fill' });
    bar.style.width = `${Math.max(0, Math.min(100, p * 100)).toFixed(1)}%`;
    box.appendChild(hl.el('div', { class: 'dist-row', title: `${label}: ${(p * 100).toFixed(1)}%` },
      hl.el('span', { class: 'dist-label', dir: 'auto' }, label),
      hl.el('span', { class: 'dist-bar' }, bar),
      hl.el('span', { class: 'dist-pct' }, hl.pct(p))));
  }
}

function renderAnswers(task) {
  const t = document.getElementById('answers');
  hl.clear(t);
  const answers = Array.isArray(task.answers) ? task.answers : [];
  t.hidden = answers.length === 0;
  if (!answers.length) return;
  t.appendChild(hl.el('tr', {}, hl.el('th', {}, 'who'), hl.el('th', {}, 'answered'), hl.el('th', {}, 'as')));
  for (const a of answers) {
    t.appendChild(hl.el('tr', {},
      hl.el('td', { dir: 'auto' }, String(a.annotator)),
      hl.el('td', { dir: 'auto' }, (a.labels || []).join(', ')),
      hl.el('td', {}, String(a.kind || ''))));
  }
}

// `amend`: null for a fresh task, or {amendable} when a submitted task is shown for correction.
function render(task, amend) {
  hl.show('signin', false);
  hl.show('task', true);
  setError('');
  state.chord = '';
  const banner = document.getElementById('kind-banner');
  banner.className = `banner kind-${task.kind}${amend ? ' amending' : ''}`;
  const kindText = {
    review: 'Review',
    audit: 'AUDIT — label it yourself (the machine’s answer is hidden so it cannot sway you)',
    adjudicate: 'ADJUDICATE — annotators disagreed',
    rework: 'REWORK — a reviewer sent your answer back',
  }[task.kind] || task.kind;
  banner.textContent = amend
    ? (amend.amendable ? `Correcting your answer (${kindText}) — pick again, Esc to cancel`
      : `Your answer (${kindText}) — too late to change it (the task's time window closed); Esc to go back`)
    : kindText;
  document.getElementById('reason').textContent = reasonText(task);
  renderDistribution(task);
  renderAnswers(task);

  document.getElementById('item-id').textContent = `item ${task.item.id}`;
  document.getElementById('pool').textContent = task.pool ? `pool ${task.pool}` : '';
  // A comparison (pairwise, ranking) shows its prompt and responses side by side (compare.js)
  // instead of the item text and the label buttons.
  const comparing = isComparison();
  const text = document.getElementById('item-text');
  text.hidden = comparing;
  hl.show('comparison', comparing);
  hl.show('labels', !comparing);
  hl.show('label-keys', !comparing);
  if (comparing) {
    hl.clear(text);
    cmpRender(task);
  } else {
    delete document.body.dataset.comparison;
    renderItemText(text, task.item.text, task.item.boilerplate);
  }
  text.scrollTop = 0;

  const meta = document.getElementById('item-meta');
  hl.clear(meta);
  // A comparison's prompt and responses are shown above, not as meta.
  const entries = Object.entries(task.item.meta || {}).filter(([k]) => !comparing || (k !== 'prompt' && k !== 'responses'));
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
    pre.appendChild(hl.el('span', { class: 'muted', id: 'blind-audit' }, 'blind audit: choose the label with its key'));
  } else if (shown) {
    pre.appendChild(hl.el('span', { class: 'muted' }, 'model says '));
    pre.appendChild(hl.el('strong', { dir: 'auto', id: 'prelabel-name' }, shown.label));
    const top = ranked(shown);
    const tied = top.length >= 2 && hl.pct(top[0][1]) === hl.pct(top[1][1]);
    const sure = tied ? `${(Number(shown.confidence) * 100).toFixed(1)}%` : hl.pct(shown.confidence);
    pre.appendChild(hl.el('span', { class: 'muted', id: 'prelabel-sure' }, ` (${sure} sure) — Enter to accept`));
  } else if (!comparing) {
    pre.appendChild(hl.el('span', { class: 'muted' }, 'no pre-label'));
  }
  if (amend && Array.isArray(task.my_labels)) {
    pre.appendChild(hl.el('span', { class: 'muted', id: 'my-answer' }, ` · you answered: ${task.my_labels.join(', ')}`));
  }
  renderLabels(task, shown);
  state.amend = amend ? { task, amendable: amend.amendable } : null;
  state.shownAt = performance.now();
  document.body.dataset.item = task.item.id;
  document.body.dataset.kind = task.kind;
  setState(amend ? 'amending' : 'ready');
  // Keys go to the page, not to a button that kept the focus from a click.
  if (document.activeElement && document.activeElement !== document.body &&
      !document.getElementById('history').contains(document.activeElement)) {
    (comparing ? document.getElementById('cmp-prompt') : text).focus({ preventScroll: true });
  }
}

function renderLabels(task, shown) {
  const labels = document.getElementById('labels');
  hl.clear(labels);
  state.project.labels.forEach((name, i) => {
    const cls = ['label'];
    if (predictedLabels(shown).includes(name)) cls.push('predicted');
    if (state.selected.has(name)) cls.push('selected');
    const key = state.keys[i];
    const b = hl.el('button', { type: 'button', class: cls.join(' '), 'data-label-index': i,
      'data-key': key || '', 'aria-pressed': state.selected.has(name) ? 'true' : 'false' },
    hl.el('kbd', {}, key || '—'), ' ', hl.el('span', { dir: 'auto' }, name));
    b.addEventListener('click', () => choose(i));
    labels.appendChild(b);
  });
}

function currentTask() { return state.amend ? state.amend.task : state.task; }

async function submit(labels) {
  if (state.busy) { feedback('still saving the last answer…'); return; }
  const multi = state.project.type === 'multi-label' || isComparison();
  const body = multi ? { labels } : { label: labels[0] };
  body.time_spent_ms = Math.max(0, Math.round(performance.now() - state.shownAt));
  state.busy = true;
  try {
    if (state.amend) {
      const t = state.amend.task;
      const r = await hl.api('POST', `/api/v1/leases/${encodeURIComponent(t.lease.id)}/amend`, body);
      if (r.status !== 200) { setError(hl.errorText(r)); return; }
      if (state.last && state.last.task.lease.id === t.lease.id) state.last.labels = labels;
      const h = state.history.find((x) => x.lease === t.lease.id);
      if (h) h.labels = labels;
      feedback(`changed: item ${t.item.id} is now ${labels.join(', ')}`);
      state.amend = null;
      state.selected.clear();
      renderHistory();
      if (state.task) render(state.task, null); else await nextTask();
      return;
    }
    const task = state.task;
    // The key names this lease and this answer; a digest keeps it ASCII (label names are not).
    const key = `${task.lease.id}:${hl.digest(JSON.stringify(labels))}`;
    const r = await hl.api('POST', `/api/v1/leases/${encodeURIComponent(task.lease.id)}/submit`, body, key);
    if (r.status !== 200) {
      setError(hl.errorText(r));
      if (r.status === 409) await nextTask();  // the lease expired or was taken back
      return;
    }
    state.done += 1;
    state.last = { task, labels };
    state.history.unshift({ lease: task.lease.id, item: task.item.id, snippet: String(task.item.text).slice(0, 160),
      kind: task.kind, labels, amendable: true, answered_at_ms: Date.now() });
    state.history = state.history.slice(0, 20);
    renderHistory();
    await nextTask();
    refreshCounts(false);
  } finally {
    state.busy = false;
  }
}

function choose(i) {
  const task = currentTask();
  if (!task) { feedback('no task is open'); return; }
  if (!state.project || i >= state.project.labels.length) {
    feedback(`no label on that key (this project has ${state.project ? state.project.labels.length : 0})`);
    return;
  }
  if (state.amend && !state.amend.amendable) { feedback('too late to change this answer — Esc to go back'); return; }
  const name = state.project.labels[i];
  if (state.project.type === 'multi-label') {
    if (state.selected.has(name)) state.selected.delete(name); else state.selected.add(name);
    renderLabels(task, task.kind === 'audit' ? null : task.prediction);
    feedback(state.selected.size ? `selected: ${[...state.selected].join(', ')} — Enter to submit` : 'nothing selected');
    return;
  }
  submit([name]);
}

function accept() {
  const task = currentTask();
  if (!task) { feedback('no task is open'); return; }
  if (state.amend && !state.amend.amendable) { feedback('too late to change this answer — Esc to go back'); return; }
  if (state.project.type === 'multi-label' && state.selected.size > 0) {
    submit([...state.selected]);
    return;
  }
  if (task.kind === 'audit') {
    feedback(state.project.type === 'multi-label'
      ? 'blind audit: select the labels with their keys, then Enter'
      : 'blind audit: there is no pre-label to accept — pick a label with its key');
    return;
  }
  if (task.prediction && task.prediction.label) { submit(predictedLabels(task.prediction)); return; }
  feedback(state.project.type === 'multi-label'
    ? 'no pre-label to accept — select labels with their keys, then Enter'
    : 'no pre-label to accept — pick a label with its key');
}

async function skip() {
  if (state.amend) { feedback('finish the correction or cancel it (Esc) first'); return; }
  if (!state.task) { feedback('no task to skip'); return; }
  if (state.busy) { feedback('still saving the last answer…'); return; }
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
  if (state.amend) { feedback('already correcting an answer — pick a label, or Esc to cancel'); return; }
  if (!state.last) { feedback('nothing to undo yet'); return; }
  state.selected = new Set(state.project.type === 'multi-label' ? state.last.labels : []);
  render(Object.assign({}, state.last.task, { my_labels: state.last.labels }), { amendable: true });
}

function cancel() {
  if (state.chord) { state.chord = ''; feedback('chord cancelled'); return; }
  if (isComparison() && cmpClear()) return;
  if (state.amend) {
    state.amend = null;
    state.selected.clear();
    if (state.task) render(state.task, null); else nextTask();
    return;
  }
  if (state.project && state.project.type === 'multi-label' && state.selected.size) {
    state.selected.clear();
    renderLabels(state.task, state.task.kind === 'audit' ? null : state.task.prediction);
    feedback('selection cleared');
    return;
  }
  feedback('nothing to cancel');
}

// ---- key remapping: = , the label's key, then its new key (a key another label has: they swap) ----
function remapHint(text) {
  const el = document.getElementById('remap-hint');
  el.textContent = text || '';
  el.hidden = !text;
  document.body.dataset.remap = state.remap ? state.remap.step : '';
}

function startRemap() {
  state.chord = '';
  state.remap = { step: 'label', prefix: '' };
  remapHint('Change a key: press the key of the label to move (= again puts every key back to the default, Esc cancels)');
}

function endRemap(msg) {
  state.remap = null;
  remapHint('');
  if (msg) feedback(msg);
}

function remapKey(key) {
  const labels = state.project.labels;
  if (key === 'Escape') { endRemap('key change cancelled'); return; }
  if (state.remap.step === 'label') {
    if (key === '=' && !state.remap.prefix) {
      state.keymap = new Map();
      const saved = saveKeymap();
      computeKeys();
      const t = currentTask();
      if (t) renderLabels(t, t.kind === 'audit' ? null : t.prediction);
      endRemap(saved ? 'every label is back on its default key' : 'keys reset for this page only (this browser does not keep settings)');
      return;
    }
    if (CHORD_PREFIXES.includes(key) && !state.remap.prefix && state.keys.some((k) => k && k.length === 2 && k[0] === key)) {
      state.remap.prefix = key;
      remapHint(`Change a key: ${key} … the second key of the label’s chord (Esc cancels)`);
      return;
    }
    const combo = state.remap.prefix + key;
    state.remap.prefix = '';
    const i = state.keys.indexOf(combo);
    if (i < 0) {
      feedback(`no label on ${combo.length <= 2 ? combo : key} — press the key shown on the label to move, or Esc`);
      remapHint('Change a key: press the key of the label to move (= again puts every key back to the default, Esc cancels)');
      return;
    }
    state.remap = { step: 'key', index: i };
    remapHint(`New key for “${labels[i]}” (now ${combo}): press it (Esc cancels)`);
    return;
  }
  const i = state.remap.index;
  if (!isLabelKey(key)) {
    feedback(`${key.length === 1 ? `“${key}”` : key} cannot pick a label (it is a command key or not a single character) — press another key, or Esc`);
    return;
  }
  const old = state.keys[i];
  const other = state.keys.indexOf(key);
  const next = new Map(state.keymap);
  next.set(labels[i], key);
  if (other >= 0 && other !== i) next.set(labels[other], old);
  state.keymap = next;
  const saved = saveKeymap();
  computeKeys();
  const t = currentTask();
  if (t) renderLabels(t, t.kind === 'audit' ? null : t.prediction);
  let msg = `“${labels[i]}” is now on ${key}`;
  if (other >= 0 && other !== i) msg += `; “${labels[other]}” moved to ${old}`;
  if (!saved) msg += ' (for this page only: this browser does not keep settings)';
  endRemap(msg);
}

function scrollText(dir, page) {
  const t = document.getElementById('item-text');
  const step = page ? t.clientHeight * 0.9 : 60;
  const before = t.scrollTop;
  t.scrollBy({ top: dir * step });
  if (t.scrollTop === before) feedback(dir > 0 ? 'already at the end of the text' : 'already at the top of the text');
}

// ---- history panel ----
async function loadHistory() {
  if (!state.project) return;
  const r = await hl.api('GET', `${projectPath(state.project.name)}/my/answers?limit=20`);
  const note = document.getElementById('history-note');
  if (r.status !== 200) { note.textContent = hl.errorText(r); return; }
  state.history = r.data.answers || [];
  renderHistory();
}

function renderHistory() {
  const list = document.getElementById('history-list');
  const focusedLease = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.lease : null;
  hl.clear(list);
  const now = Date.now();
  for (const h of state.history) {
    const open = h.amendable && (!h.amendable_until_ms || h.amendable_until_ms > now);
    const b = hl.el('button', { type: 'button', class: `history-entry${open ? '' : ' closed'}`, 'data-lease': h.lease },
      hl.el('span', { class: 'h-item', dir: 'auto' }, `item ${h.item}`), ' ',
      hl.el('strong', { dir: 'auto' }, (h.labels || []).join(', ')),
      hl.el('span', { class: 'muted small' }, ` · ${h.kind}${open ? '' : ' · closed'}`),
      hl.el('div', { class: 'h-snippet muted small', dir: 'auto' }, h.snippet || ''));
    b.addEventListener('click', () => reopen(h.lease));
    list.appendChild(hl.el('li', {}, b));
  }
  document.getElementById('history-note').textContent = state.history.length
    ? 'Answers can be changed while their task’s time window is open.' : 'No answers yet in this project.';
  if (focusedLease) {
    const again = list.querySelector(`button[data-lease="${CSS.escape(focusedLease)}"]`);
    if (again) again.focus();
  }
}

async function toggleHistory(open) {
  state.historyOpen = open === undefined ? !state.historyOpen : open;
  hl.show('history', state.historyOpen);
  document.body.dataset.history = state.historyOpen ? 'open' : 'closed';
  if (state.historyOpen) {
    await loadHistory();
    const first = document.querySelector('#history-list button');
    if (first) first.focus(); else feedback('no answers yet to show');
  } else {
    document.getElementById('item-text').focus({ preventScroll: true });
  }
}

async function reopen(leaseId) {
  const r = await hl.api('GET', `/api/v1/leases/${encodeURIComponent(leaseId)}`);
  if (r.status !== 200) { feedback(`cannot reopen: ${hl.errorText(r)}`); return; }
  state.selected = new Set(state.project.type === 'multi-label' ? (r.data.my_labels || []) : []);
  render(r.data, { amendable: !!r.data.amendable });
  document.getElementById('item-text').focus({ preventScroll: true });
}

function historyKey(ev) {
  const buttons = [...document.querySelectorAll('#history-list button')];
  const at = buttons.indexOf(document.activeElement);
  if (ev.key === 'ArrowDown' || ev.key === 'j') {
    ev.preventDefault();
    if (at + 1 < buttons.length) buttons[at + 1].focus(); else feedback('end of your history');
    return true;
  }
  if (ev.key === 'ArrowUp' || ev.key === 'k') {
    ev.preventDefault();
    if (at > 0) buttons[at - 1].focus(); else feedback('top of your history');
    return true;
  }
  if (ev.key === 'Enter' || ev.key === ' ') {
    ev.preventDefault();
    if (at >= 0) reopen(buttons[at].dataset.lease);
    return true;
  }
  if (ev.key === 'Escape' || ev.key === 'h') {
    ev.preventDefault();
    toggleHistory(false);
    return true;
  }
  return false;
}

const IGNORED = new Set(['Shift', 'Control', 'Alt', 'Meta', 'CapsLock', 'Tab', 'NumLock', 'ScrollLock',
  'ContextMenu', 'Dead', 'Unidentified', 'AltGraph', 'OS']);

document.addEventListener('keydown', (ev) => {
  if (ev.target instanceof HTMLInputElement || ev.target instanceof HTMLSelectElement ||
      ev.target instanceof HTMLTextAreaElement) return;
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;  // the browser's own shortcuts
  if (IGNORED.has(ev.key) || /^F\d+$/.test(ev.key)) return;
  if (document.getElementById('history').contains(ev.target) && historyKey(ev)) return;
  const s = document.body.dataset.state;
  if (s === 'signin' || s === 'loading') return;
  ev.preventDefault();
  const key = ev.key.length === 1 ? ev.key.toLowerCase() : ev.key;
  if (s === 'empty' || s === 'error') {
    if (key === 'r') { setError(''); nextTask().then(() => refreshCounts(true)); return; }
    if (key === 'h') { toggleHistory(); return; }
    feedback(s === 'empty' ? 'no task open — r checks again, h shows your history' : 'r tries again');
    return;
  }
  // A comparison has its own keys (compare.js); label keys, chords and remapping are for labels.
  if (isComparison()) {
    if (cmpKey(key)) return;
  } else {
    if (state.remap) { remapKey(key); return; }
    if (state.chord) {
      const combo = state.chord + key;
      state.chord = '';
      if (key === 'Escape') { feedback('chord cancelled'); return; }
      const i = state.keys.indexOf(combo);
      if (i < 0) { feedback(`no label on ${combo}`); return; }
      choose(i);
      return;
    }
    if (CHORD_PREFIXES.includes(key)) {
      if (!state.keys.some((k) => k && k.length === 2 && k[0] === key)) { feedback(`${key} starts a chord, but every label has a one-key shortcut here`); return; }
      state.chord = key;
      feedback(`${key} … press the second key of the label's chord (Esc cancels)`);
      return;
    }
    const li = state.keys.indexOf(key);
    if (li >= 0) { choose(li); return; }
    if (SINGLE_KEYS.includes(key)) {
      feedback(`no label on ${key} (this project has ${state.project.labels.length} label${state.project.labels.length === 1 ? '' : 's'})`);
      return;
    }
  }
  switch (key) {
    case 'Enter': accept(); return;
    case 's': skip(); return;
    case 'u': undo(); return;
    case 'h': toggleHistory(); return;
    case 'Escape': cancel(); return;
    case 'j': case 'ArrowDown': scrollText(1, false); return;
    case 'k': case 'ArrowUp': scrollText(-1, false); return;
    case 'PageDown': case ' ': scrollText(1, true); return;
    case 'PageUp': scrollText(-1, true); return;
    case 'r': feedback('a task is open — r checks for new work only when there is none'); return;
    case '=': startRemap(); return;
    case '?': feedback('keys: label keys on the buttons · Enter accept · s skip · u undo · h history · j/k scroll · = change a label’s key · Esc cancel'); return;
    default: feedback(`${ev.key.length === 1 ? `“${ev.key}”` : ev.key} does nothing here — press ? for the keys`);
  }
});

document.getElementById('signin-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const token = document.getElementById('token').value.trim();
  const r = await hl.api('POST', '/api/v1/session', { token });
  document.getElementById('token').value = '';
  if (r.status !== 200) {
    document.getElementById('signin-error').textContent = r.status === 0 ? hl.errorText(r) : 'That token was not accepted.';
    return;
  }
  hl.show('signin', false);
  start();
});

document.getElementById('signout').addEventListener('click', () => hl.signOut());
document.getElementById('history-toggle').addEventListener('click', () => toggleHistory());
document.getElementById('retry').addEventListener('click', () => nextTask());
document.getElementById('project-pick').addEventListener('change', (ev) => openProject(ev.target.value));

start();
