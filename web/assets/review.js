// The review page (reviewers and admins; loop/review.h): people's answers one at a time, keyboard
// first — A approve, R reject with a comment (Enter sends, Esc cancels), J/→ next, K/← previous.
// Every untrusted string (item text, labels, names, comments) reaches the page through textContent.
'use strict';

const rv = {
  user: null,
  project: '',
  rows: [],        // answers loaded so far
  pos: 0,          // the one shown
  cursor: null,    // the next page's cursor (null: no more)
  filters: {},
  busy: false,
};

function query(cursor) {
  const q = new URLSearchParams();
  const f = rv.filters;
  if (f.annotator) q.set('annotator', f.annotator);
  if (f.sample > 0) { q.set('sample', String(f.sample)); q.set('seed', String(f.seed || 0)); }
  q.set('filter', f.unreviewed ? 'unreviewed' : 'all');
  q.set('limit', '50');
  if (cursor) q.set('cursor', cursor);
  return `/api/v1/projects/${encodeURIComponent(rv.project)}/reviews?${q}`;
}

function feedback(text) { document.getElementById('feedback').textContent = text || ''; }

async function loadMore() {
  const r = await hl.api('GET', query(rv.cursor));
  if (r.status !== 200) { feedback(hl.errorText(r)); return false; }
  rv.rows.push(...(r.data.answers || []));
  rv.cursor = r.data.next_cursor || null;
  return true;
}

async function reload() {
  rv.rows = [];
  rv.pos = 0;
  rv.cursor = null;
  feedback('');
  if (await loadMore()) render();
}

function verdictText(v) {
  const when = new Date(Number(v.at_ms)).toLocaleString();
  return `${v.verdict} by ${v.reviewer} (${when})${v.comment ? `: ${v.comment}` : ''}`;
}

function render() {
  const has = rv.rows.length > 0;
  hl.show('answer-view', has);
  hl.show('empty', !has);
  hl.show('reject-form', false);
  const pos = document.getElementById('position');
  if (!has) { pos.textContent = ''; document.body.dataset.state = 'empty'; return; }
  const a = rv.rows[rv.pos];
  pos.textContent = `Answer ${rv.pos + 1} of ${rv.rows.length}${rv.cursor ? '+' : ''}`;
  const last = a.reviews && a.reviews.length ? a.reviews[a.reviews.length - 1] : null;
  const banner = document.getElementById('answer-banner');
  banner.className = `banner${last ? ` verdict-${last.verdict}` : ''}`;
  banner.textContent = last ? `Reviewed: ${last.verdict}` : `Not reviewed yet · item ${a.item.id} · ${a.kind === 'answer' ? 'imported answer' : a.kind}`;
  document.getElementById('item-text').textContent = a.item.text;
  document.getElementById('a-labels').textContent = (a.labels || []).join(', ');
  document.getElementById('a-annotator').textContent = a.annotator;
  const p = a.prediction;
  document.getElementById('a-prediction').textContent = p ? `${p.label} (${hl.pct(p.confidence)}, ${p.model})` : 'none';
  const vs = document.getElementById('a-verdicts');
  hl.clear(vs);
  if (!a.reviews || !a.reviews.length) vs.textContent = 'none';
  for (const v of a.reviews || []) vs.appendChild(hl.el('div', {}, verdictText(v)));
  document.body.dataset.state = 'answer';
  document.body.dataset.answer = String(a.answer);
  document.body.dataset.pos = String(rv.pos);
}

async function move(delta) {
  if (!rv.rows.length) return;
  if (delta > 0 && rv.pos + 1 >= rv.rows.length && rv.cursor) await loadMore();
  rv.pos = Math.max(0, Math.min(rv.rows.length - 1, rv.pos + delta));
  feedback('');
  render();
}

async function verdict(kind, comment) {
  const a = rv.rows[rv.pos];
  if (!a || rv.busy) return;
  rv.busy = true;
  const r = await hl.api('POST', `/api/v1/projects/${encodeURIComponent(rv.project)}/answers/${a.answer}/review`,
    { verdict: kind, comment: comment || '' });
  rv.busy = false;
  if (r.status !== 200) { feedback(hl.errorText(r)); return; }
  a.reviews = [...(a.reviews || []), r.data.review];
  if (rv.pos + 1 < rv.rows.length || rv.cursor) await move(1);
  else render();
  // Said after moving on (move() clears the line, so the confirmation used to vanish at once).
  // An imported answer (kind "answer") goes back only if its annotator is a user here.
  const item = a.item.id;
  feedback(kind === 'reject'
    ? (a.kind === 'answer' ? `Rejected ${a.annotator}'s answer on ${item}: it no longer counts; sent back to them if they are a user here.`
                           : `Rejected ${a.annotator}'s answer on ${item}: it no longer counts; sent back to them.`)
    : `Approved ${a.annotator}'s answer on ${item}.`);
  document.body.dataset.lastVerdict = kind;
}

function openReject() {
  if (!rv.rows.length) return;
  hl.show('reject-form', true);
  const input = document.getElementById('reject-comment');
  input.value = '';
  input.focus();
}

document.addEventListener('keydown', (ev) => {
  if (document.getElementById('review').hidden) return;
  const t = ev.target;
  if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) return;
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const k = ev.key;
  if (k === 'a' || k === 'A') { ev.preventDefault(); verdict('approve', ''); }
  else if (k === 'r' || k === 'R') { ev.preventDefault(); openReject(); }
  else if (k === 'j' || k === 'J' || k === 'ArrowRight' || k === 'ArrowDown') { ev.preventDefault(); move(1); }
  else if (k === 'k' || k === 'K' || k === 'ArrowLeft' || k === 'ArrowUp') { ev.preventDefault(); move(-1); }
});

document.getElementById('reject-comment').addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape') {
    ev.preventDefault();
    hl.show('reject-form', false);
    ev.target.blur();
  }
});

document.getElementById('reject-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const input = document.getElementById('reject-comment');
  const comment = input.value.trim();
  if (!comment) { feedback('Say why it is wrong: the annotator is shown the comment.'); return; }
  input.blur();
  await verdict('reject', comment);
});

document.getElementById('filters').addEventListener('submit', (ev) => {
  ev.preventDefault();
  readFilters();
  document.activeElement.blur();
  reload();
});

function readFilters() {
  rv.filters = {
    annotator: document.getElementById('f-annotator').value.trim(),
    sample: Number(document.getElementById('f-sample').value || 0),
    seed: Number(document.getElementById('f-seed').value || 1),
    unreviewed: document.getElementById('f-unreviewed').checked,
  };
}

async function start() {
  const me = await hl.api('GET', '/api/v1/me');
  if (me.status !== 200) {
    hl.show('signin', true);
    document.body.dataset.state = 'signin';
    if (me.status !== 401) document.getElementById('signin-error').textContent = hl.errorText(me);
    document.getElementById('token').focus();
    return;
  }
  rv.user = me.data.user;
  document.getElementById('who').textContent = `${rv.user.name} (${rv.user.role})`;
  hl.show('signout', true);
  if (rv.user.role === 'annotator') {
    document.getElementById('forbidden-who').textContent = rv.user.name;
    hl.show('forbidden', true);
    document.body.dataset.state = 'forbidden';
    return;
  }
  const ps = await hl.api('GET', '/api/v1/projects');
  const pick = document.getElementById('project-pick');
  hl.clear(pick);
  for (const p of (ps.data && ps.data.projects) || []) pick.appendChild(hl.el('option', { value: p.name }, p.name));
  const params = new URLSearchParams(location.search);
  const wanted = params.get('project');
  if (wanted && [...pick.options].some((o) => o.value === wanted)) pick.value = wanted;
  if (params.get('annotator')) document.getElementById('f-annotator').value = params.get('annotator');
  if (params.get('sample')) document.getElementById('f-sample').value = params.get('sample');
  rv.project = pick.value;
  hl.show('project-pick-wrap', true);
  hl.show('review', true);
  readFilters();
  await reload();
}

document.getElementById('signin-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const r = await hl.api('POST', '/api/v1/session', { token: document.getElementById('token').value.trim() });
  document.getElementById('token').value = '';
  if (r.status !== 200) { document.getElementById('signin-error').textContent = 'That token was not accepted.'; return; }
  hl.show('signin', false);
  start();
});

document.getElementById('project-pick').addEventListener('change', () => {
  rv.project = document.getElementById('project-pick').value;
  reload();
});
document.getElementById('signout').addEventListener('click', () => hl.signOut());

start();
