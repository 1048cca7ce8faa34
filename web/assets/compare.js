// Comparison tasks on the annotator page (pairwise and ranking projects, docs/PREFERENCES.md).
// The prompt (plain text or a dialogue of {role, content} messages) and the responses side by
// side, each in its own scrolling pane, in the order the server chose for this person
// (task.comparison.display_order: response indices, left to right). The answer is encoded as
// preference/answer.h says: "[criterion:]ORDER[/strength]" per criterion plus "shown:…".
// Keys (pairwise): 1 left better · 2 right better · 3 tie · 4 both bad · 5/6/7 slightly/clearly/
// much (optional, after 1 or 2) · Enter confirms (the next criterion, or submit) · Backspace
// takes the last choice back. Ranking: the responses' numbers best first · = before a number ties
// it with the one before · 0 all bad · Backspace undoes · Enter submits (one response left goes
// last). Every untrusted string (prompt, messages, roles, responses) goes in through textContent.
'use strict';

const STRENGTHS = ['slightly', 'clearly', 'much'];
const PAIR_OUTCOMES = { 1: 'left', 2: 'right', 3: 'tie', 4: 'bad' };

function isComparison() {
  return !!state.project && (state.project.type === 'pairwise-preference' || state.project.type === 'pairwise' ||
    state.project.type === 'ranking');
}
function isPairwiseProject() { return state.project.type !== 'ranking'; }

// The comparison being answered: {task, order, n, criteria, step, choices}; a choice per criterion
// is {outcome: 'left'|'right'|'tie'|'bad', strength} (pairwise) or {groups: [[pos, ...], ...],
// tieNext, bad} (ranking), positions being places on screen (0 = left).
const cmp = { task: null, order: [], n: 0, criteria: [''], step: 0, choices: [] };

function cmpResponses(task) {
  const r = task.item && task.item.meta && task.item.meta.responses;
  return Array.isArray(r) ? r : [];
}

function cmpNewChoice() {
  return isPairwiseProject() ? { outcome: '', strength: '' } : { groups: [], tieNext: false, bad: false };
}

// Called by render() for a comparison task.
function cmpRender(task) {
  const responses = cmpResponses(task);
  const c = task.comparison || {};
  const n = responses.length;
  let order = Array.isArray(c.display_order) ? c.display_order.map(Number) : [];
  const valid = order.length === n && new Set(order).size === n && order.every((x) => Number.isInteger(x) && x >= 0 && x < n);
  if (!valid) order = [...Array(n).keys()];
  cmp.task = task;
  cmp.order = order;
  cmp.n = n;
  cmp.criteria = Array.isArray(c.criteria) && c.criteria.length ? c.criteria.map(String) : [''];
  cmp.step = 0;
  cmp.choices = cmp.criteria.map(() => cmpNewChoice());
  document.body.dataset.comparison = isPairwiseProject() ? 'pairwise' : 'ranking';

  const prompt = document.getElementById('cmp-prompt');
  hl.clear(prompt);
  const p = task.item.meta ? task.item.meta.prompt : undefined;
  if (Array.isArray(p)) {
    for (const m of p) {
      const role = m && typeof m === 'object' ? String(m.role === undefined ? '' : m.role) : '';
      const content = m && typeof m === 'object' ? String(m.content === undefined ? '' : m.content) : String(m);
      prompt.appendChild(hl.el('div', { class: `msg msg-${/^[a-z]+$/.test(role) ? role : 'other'}` },
        hl.el('div', { class: 'msg-role', dir: 'auto' }, role),
        hl.el('div', { class: 'msg-content', dir: 'auto' }, content)));
    }
  } else {
    prompt.appendChild(hl.el('div', { class: 'msg-content', dir: 'auto' }, typeof p === 'string' ? p : String(task.item.text)));
  }
  prompt.scrollTop = 0;

  const box = document.getElementById('cmp-responses');
  hl.clear(box);
  box.dataset.n = String(n);
  order.forEach((ri, pos) => {
    const r = responses[ri];
    const text = r && typeof r === 'object' ? String(r.text === undefined ? '' : r.text) : String(r);
    const name = isPairwiseProject() ? (pos === 0 ? 'Left' : 'Right') : `Response ${pos + 1}`;
    const head = hl.el('header', { class: 'cmp-head' }, hl.el('kbd', {}, String(pos + 1)), ' ', name,
      hl.el('span', { class: 'cmp-mark' }));
    const pane = hl.el('section', { class: 'cmp-pane', 'data-pos': pos, 'aria-label': name }, head,
      hl.el('div', { class: 'cmp-text', dir: 'auto', tabindex: '-1' }, text));
    if (!isPairwiseProject()) cmpPointerRanking(pane, head, pos);
    box.appendChild(pane);
  });
  document.getElementById('cmp-keys').textContent = isPairwiseProject()
    ? 'Keys: 1 left better · 2 right better · 3 tie · 4 both bad · then 5 slightly / 6 clearly / 7 much (optional) · ' +
      'Enter confirm · Backspace take back · s skip · u undo last · h history · j/k scroll the responses · ? keys'
    : `Keys: the responses' numbers (1–${n}) best first · = then a number: tied with the one before · 0 all bad · ` +
      'Backspace undo · Enter submit (a last response left goes last) · s skip · u undo last · h history · j/k scroll · ? keys';
  cmpShow();
}

function cmpLetter(pos) { return String.fromCharCode(65 + cmp.order[pos]); }

// One criterion's label, or null when it is not answered yet.
function cmpLabel(criterion, ch) {
  let s;
  if (isPairwiseProject()) {
    if (!ch.outcome) return null;
    if (ch.outcome === 'bad') s = 'bad';
    else if (ch.outcome === 'tie') s = [cmpLetter(0), cmpLetter(1)].sort().join('=');
    else s = ch.outcome === 'left' ? `${cmpLetter(0)}>${cmpLetter(1)}` : `${cmpLetter(1)}>${cmpLetter(0)}`;
    if (ch.strength && (ch.outcome === 'left' || ch.outcome === 'right')) s += `/${ch.strength}`;
  } else {
    if (ch.bad) s = 'bad';
    else if (cmpPlaced(ch) === cmp.n) s = ch.groups.map((g) => g.map(cmpLetter).join('=')).join('>');
    else return null;
  }
  return criterion ? `${criterion}:${s}` : s;
}

function cmpPlaced(ch) { return ch.groups.reduce((a, g) => a + g.length, 0); }

function cmpAnswerLabels() {
  const labels = cmp.criteria.map((c, i) => cmpLabel(c, cmp.choices[i]));
  if (labels.some((l) => l === null)) return null;
  labels.push(`shown:${cmp.order.map((r) => String.fromCharCode(65 + r)).join('')}`);
  return labels;
}

// The panes' marks and the line saying what is chosen and what Enter will do.
function cmpShow() {
  const ch = cmp.choices[cmp.step];
  const crit = cmp.criteria[cmp.step];
  const critEl = document.getElementById('cmp-criterion');
  critEl.textContent = crit
    ? `Criterion ${cmp.step + 1} of ${cmp.criteria.length}: ${crit}` : (isPairwiseProject() ? 'Which response is better?' : 'Rank the responses, best first');
  document.body.dataset.cmpStep = String(cmp.step);
  const panes = [...document.querySelectorAll('#cmp-responses .cmp-pane')];
  for (const pane of panes) {
    const pos = Number(pane.dataset.pos);
    let cls = 'cmp-pane';
    let mark = '';
    if (isPairwiseProject()) {
      if (ch.outcome === 'bad') { cls += ' bad'; mark = 'bad'; }
      else if (ch.outcome === 'tie') { cls += ' tie'; mark = 'tie'; }
      else if (ch.outcome) {
        const win = (ch.outcome === 'left') === (pos === 0);
        cls += win ? ' winner' : ' loser';
        mark = win ? `better${ch.strength ? ` (${ch.strength})` : ''}` : '';
      }
    } else if (ch.bad) {
      cls += ' bad'; mark = 'bad';
    } else {
      const g = ch.groups.findIndex((grp) => grp.includes(pos));
      if (g >= 0) {
        const rank = ch.groups.slice(0, g).reduce((a, grp) => a + grp.length, 0) + 1;
        cls += ' ranked';
        mark = `#${rank}${ch.groups[g].length > 1 ? ' (tie)' : ''}`;
      }
    }
    pane.className = cls;
    pane.querySelector('.cmp-mark').textContent = mark ? ` — ${mark}` : '';
  }
  const line = document.getElementById('cmp-choice');
  const last = cmp.step === cmp.criteria.length - 1;
  const enter = last ? 'Enter submits' : `Enter goes on to ${cmp.criteria[cmp.step + 1]}`;
  if (isPairwiseProject()) {
    const what = { left: 'Left is better', right: 'Right is better', tie: 'A tie', bad: 'Both are bad' }[ch.outcome];
    line.textContent = what
      ? `${what}${ch.strength ? ` (${ch.strength})` : ''} — ${enter}${ch.outcome === 'left' || ch.outcome === 'right' ? ' · 5/6/7 how much' : ''}`
      : 'Choose: 1 left · 2 right · 3 tie · 4 both bad';
  } else if (ch.bad) {
    line.textContent = `All bad — ${enter}`;
  } else {
    const placed = cmpPlaced(ch);
    const order = ch.groups.map((g) => g.map((p) => p + 1).join(' = ')).join(' > ');
    line.textContent = placed === 0 ? `Press the responses' numbers, best first (1–${cmp.n}); 0 if all are bad`
      : `${order}${ch.tieNext ? ' = …' : ''}${placed === cmp.n ? ` — ${enter}` : placed === cmp.n - 1 ? ` — Enter puts the last one last and ${last ? 'submits' : 'goes on'}` : ''}`;
  }
  line.dataset.complete = cmpLabel(crit, ch) === null ? 'no' : 'yes';
}

function cmpAllowed() {
  if (!cmp.task) { feedback('no task is open'); return false; }
  if (state.amend && !state.amend.amendable) { feedback('too late to change this answer — Esc to go back'); return false; }
  return true;
}

// Enter: confirm this criterion; on the last one, submit the whole answer.
function cmpEnter() {
  if (!cmpAllowed()) return;
  const ch = cmp.choices[cmp.step];
  if (!isPairwiseProject() && !ch.bad && cmpPlaced(ch) === cmp.n - 1) {
    const rest = [...Array(cmp.n).keys()].find((p) => !ch.groups.some((g) => g.includes(p)));
    if (ch.tieNext) ch.groups[ch.groups.length - 1].push(rest); else ch.groups.push([rest]);
    ch.tieNext = false;
  }
  if (cmpLabel('', ch) === null) {
    feedback(isPairwiseProject() ? 'nothing chosen yet — 1 left, 2 right, 3 tie, 4 both bad'
      : `rank the responses first (${cmpPlaced(ch)} of ${cmp.n} ranked) — or 0 if all are bad`);
    cmpShow();
    return;
  }
  if (cmp.step < cmp.criteria.length - 1) {
    cmp.step += 1;
    cmpShow();
    feedback(`${cmp.criteria[cmp.step - 1]}: recorded — now ${cmp.criteria[cmp.step]}`);
    return;
  }
  const labels = cmpAnswerLabels();
  if (labels) submit(labels);
}

// Backspace: the last choice back (this criterion's, else back to the previous criterion).
function cmpBack() {
  if (!cmpAllowed()) return;
  const ch = cmp.choices[cmp.step];
  if (isPairwiseProject()) {
    if (ch.strength) { ch.strength = ''; cmpShow(); feedback('strength taken back'); return; }
    if (ch.outcome) { ch.outcome = ''; cmpShow(); feedback('choice taken back'); return; }
  } else {
    if (ch.bad) { ch.bad = false; cmpShow(); feedback('"all bad" taken back'); return; }
    if (ch.tieNext) { ch.tieNext = false; cmpShow(); feedback('tie taken back'); return; }
    if (ch.groups.length) {
      const g = ch.groups[ch.groups.length - 1];
      const pos = g.pop();
      if (!g.length) ch.groups.pop();
      cmpShow();
      feedback(`response ${pos + 1} taken back`);
      return;
    }
  }
  if (cmp.step > 0) {
    cmp.step -= 1;
    cmpShow();
    feedback(`back to ${cmp.criteria[cmp.step]}`);
    return;
  }
  feedback('nothing to take back');
}

// Escape with choices made: clear them all (back to the first criterion). False when there was
// nothing to clear (the page's own Escape then runs).
function cmpClear() {
  const any = cmp.step > 0 || cmp.choices.some((ch) => cmpLabel('', ch) !== null || ch.outcome || ch.strength ||
    (ch.groups && ch.groups.length) || ch.tieNext || ch.bad);
  if (!any || !cmp.task) return false;
  cmp.step = 0;
  cmp.choices = cmp.criteria.map(() => cmpNewChoice());
  cmpShow();
  feedback('choices cleared');
  return true;
}

function cmpPairKey(key) {
  const ch = cmp.choices[cmp.step];
  if (PAIR_OUTCOMES[key]) {
    ch.outcome = PAIR_OUTCOMES[key];
    if (ch.outcome === 'tie' || ch.outcome === 'bad') ch.strength = '';
    cmpShow();
    return;
  }
  const si = ['5', '6', '7'].indexOf(key);
  if (si >= 0) {
    if (ch.outcome !== 'left' && ch.outcome !== 'right') {
      feedback(`${key} (${STRENGTHS[si]}) says how much better — choose 1 (left) or 2 (right) first`);
      return;
    }
    ch.strength = STRENGTHS[si];
    cmpShow();
    return;
  }
  feedback(`no choice on ${key} — 1 left, 2 right, 3 tie, 4 both bad, 5/6/7 how much`);
}

function cmpRankKey(key) {
  const ch = cmp.choices[cmp.step];
  if (key === '0') {
    ch.bad = true;
    ch.groups = [];
    ch.tieNext = false;
    cmpShow();
    return;
  }
  if (key === '=') {
    if (ch.bad) { feedback('"all bad" is chosen — Backspace takes it back'); return; }
    if (!ch.groups.length) { feedback('= ties the next response with the one before: rank one first'); return; }
    if (cmpPlaced(ch) === cmp.n) { feedback('every response is ranked — Enter submits, Backspace undoes'); return; }
    ch.tieNext = true;
    cmpShow();
    feedback('tie: the next response you press joins the one before');
    return;
  }
  const pos = Number(key) - 1;
  if (pos >= cmp.n) { feedback(`no response ${key} here (there are ${cmp.n})`); return; }
  if (ch.bad) { feedback('"all bad" is chosen — Backspace takes it back'); return; }
  const g = ch.groups.findIndex((grp) => grp.includes(pos));
  if (g >= 0) { feedback(`response ${key} is already ranked — Backspace undoes the last one`); return; }
  if (ch.tieNext) ch.groups[ch.groups.length - 1].push(pos); else ch.groups.push([pos]);
  ch.tieNext = false;
  cmpShow();
}

// Ranking with a pointer, beside the keys: a click on a response's header ranks it next (as its
// number key does), shift-click ties it with the one before (= then its number); dragging a
// response's header onto a ranked response puts it in a place of its own just before that one,
// onto an unranked one (or itself) at the end of the ranking.
function cmpPointerRanking(pane, head, pos) {
  head.title = 'click: rank next · shift-click: tie with the one before · drag onto a ranked response: place before it';
  head.classList.add('cmp-grab');
  head.addEventListener('click', (ev) => {
    if (ev.shiftKey) cmpKey('=');
    cmpKey(String(pos + 1));
  });
  head.draggable = true;
  head.addEventListener('dragstart', (ev) => { ev.dataTransfer.setData('text/plain', String(pos)); });
  pane.addEventListener('dragover', (ev) => ev.preventDefault());
  pane.addEventListener('drop', (ev) => {
    ev.preventDefault();
    const from = Number(ev.dataTransfer.getData('text/plain'));
    if (Number.isInteger(from) && cmpAllowed()) cmpMoveBefore(from, pos);
  });
}

// Places the response at screen position `from` in a group of its own just before the group of
// `to`, or at the end of the ranking when `to` is not ranked (or is `from`).
function cmpMoveBefore(from, to) {
  const ch = cmp.choices[cmp.step];
  if (from < 0 || from >= cmp.n) return;
  if (ch.bad) { feedback('"all bad" is chosen — Backspace takes it back'); return; }
  ch.groups = ch.groups.map((g) => g.filter((p) => p !== from)).filter((g) => g.length);
  const g = from === to ? -1 : ch.groups.findIndex((grp) => grp.includes(to));
  if (g < 0) ch.groups.push([from]); else ch.groups.splice(g, 0, [from]);
  ch.tieNext = false;
  cmpShow();
}

// Scrolls every response pane (each scrolls on its own); says so when none moved.
function cmpScroll(dir, page) {
  const panes = [...document.querySelectorAll('#cmp-responses .cmp-text'), document.getElementById('cmp-prompt')];
  let moved = false;
  for (const t of panes) {
    const before = t.scrollTop;
    t.scrollBy({ top: dir * (page ? t.clientHeight * 0.9 : 60) });
    if (t.scrollTop !== before) moved = true;
  }
  if (!moved) feedback(dir > 0 ? 'already at the end of every response' : 'already at the top of every response');
}

// A key on a comparison task. True when handled here; false for the page's shared commands
// (s u h r Escape ? and the unknown-key feedback).
function cmpKey(key) {
  if (/^[0-9]$/.test(key)) {
    if (!cmpAllowed()) return true;
    if (isPairwiseProject()) cmpPairKey(key); else cmpRankKey(key);
    return true;
  }
  switch (key) {
    case '=':
      if (isPairwiseProject()) feedback('= does nothing on comparisons — 3 is a tie');
      else if (cmpAllowed()) cmpRankKey(key);
      return true;
    case '.': case ',':
      feedback(`${key} does nothing on comparisons — press ? for the keys`);
      return true;
    case 'Enter': cmpEnter(); return true;
    case 'Backspace': cmpBack(); return true;
    case 'j': case 'ArrowDown': cmpScroll(1, false); return true;
    case 'k': case 'ArrowUp': cmpScroll(-1, false); return true;
    case 'PageDown': case ' ': cmpScroll(1, true); return true;
    case 'PageUp': cmpScroll(-1, true); return true;
    case '?': feedback(document.getElementById('cmp-keys').textContent); return true;
    default: return false;
  }
}
