// Browser tests for hitloop serve (run through run.sh, which starts the server).
//  1. keyboard: an annotator signs in and labels 20 items with the keyboard only (Enter accepts
//     the pre-label, digits pick a label, u undoes), and every label lands as typed.
//  2. xss: a corpus of payloads (xss_payloads.json) placed in item text, metadata and label names
//     renders as text only: no dialog, no CSP violation, no injected element, no side effect.
//  3. headers: CSP without unsafe-inline/unsafe-eval and nosniff on the pages.
//  4. multi-label: 12 labels (keys 1-9, 0, a, b), two or three labels per answer, one label name
//     outside Latin-1, keyboard only; the export holds exactly those answers; a selected label's
//     key stays readable (not white on white).
//  5. feedback: every key that does nothing says so; the reason and the model's distribution
//     are shown; the history panel reopens an answer and changes it, keyboard only.
//  6. admin: the certificate's progress as the CLI says it, charts from zero with tooltips, an
//     annotator gets the "admins and reviewers only" page, sign-out.
//  7. keyboard only, no pointer event: 100 single-label tasks over 33 labels (two-key chords
//     shown on the buttons) and 100 multi-label tasks; the exports hold exactly those answers.
//  8. remapping: "=" moves a label to another key (swapping with the label that had it), kept
//     after a reload, "= =" resets, command keys are refused.
//  9. comparisons (preference.mjs), keyboard only: pairwise tasks without and with criteria and
//     ranking tasks answered end to end, the stored answers and display orders read back from the
//     export; every XSS payload in responses, prompts, roles, model names and meta.
// 10. the data browser (browse.mjs): pages by key, a filter, a search, an item's history, a bulk
//     action, XSS payloads as item id, text, meta and label rendered as text.
// 11. review (review.mjs), keyboard only: a reviewer rejects an answer with a comment, the
//     annotator gets it back with the comment, answers again; the exports hold both and the verdict.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { testPairwise, testPairwiseCriteria, testRanking, testRankingByPointer, testComparisonXss } from './preference.mjs';
import { testDataBrowser } from './browse.mjs';
import { testReview } from './review.mjs';

const { HITLOOP, DB, BASE, ADMIN_TOKEN, CHROMIUM, WORK } = process.env;
const payloads = JSON.parse(readFileSync(new URL('./xss_payloads.json', import.meta.url), 'utf8'));

async function api(method, path, body, token = ADMIN_TOKEN) {
  const res = await fetch(BASE + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, data: text ? JSON.parse(text) : null };
}

function importJsonl(project, records) {
  const file = join(WORK, `${project}.jsonl`);
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  execFileSync(HITLOOP, ['--db', DB, 'import', project, file], { stdio: ['ignore', 'ignore', 'inherit'] });
}

function exportLabels(project) {
  const out = execFileSync(HITLOOP, ['--db', DB, 'export', project], { encoding: 'utf8' });
  const labels = {};
  for (const line of out.split('\n').filter(Boolean)) {
    const r = JSON.parse(line);
    labels[r.id] = r.labels ? r.labels : r.label === undefined ? undefined : [r.label];
  }
  return labels;
}

async function setup() {
  let r = await api('POST', '/api/v1/projects', { name: 'kb', labels: ['positive', 'negative', 'neutral'] });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const xssLabels = [payloads[0], payloads[2], payloads[4], payloads[10], 'safe'];
  r = await api('POST', '/api/v1/projects', { name: 'xss', labels: xssLabels });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  r = await api('POST', '/api/v1/users', { name: 'ann', role: 'annotator', projects: ['kb', 'xss'] });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const annToken = r.data.token;

  // kb: 20 items; the pre-label is right for 14 of them. One RTL item, one long item.
  const labels = ['positive', 'negative', 'neutral'];
  const gold = {};
  const recs = [];
  for (let i = 1; i <= 20; i++) {
    const id = `k${String(i).padStart(2, '0')}`;
    const g = labels[i % 3];
    const right = i % 10 !== 3 && i % 10 !== 7 && i % 10 !== 9;  // 14 right, 6 wrong
    const pred = right ? g : labels[(i + 1) % 3];
    gold[id] = g;
    let text = `Item ${i}: this review is ${g}.`;
    if (i === 4) text = 'هذا المنتج رائع جدا، أنصح به. This product is great.';
    if (i === 8) text = `${'A long text line to scroll. '.repeat(400)}END`;
    if (i === 5) text = `Item ${i}: this review is ${g}.\n\n-- \nAlice Example\nSenior Analyst, Example Corp\n`;
    recs.push({ id, text, prediction: { label: pred, score: right ? 0.9 : 0.55 }, meta: { n: i } });
  }
  importJsonl('kb', recs);
  r = await api('POST', '/api/v1/projects/kb/queue', { items: recs.map((x) => x.id) });
  assert.equal(r.status, 200, JSON.stringify(r.data));

  const xrecs = payloads.map((p, i) => ({
    id: `x${String(i).padStart(2, '0')}`,
    text: p,
    meta: { note: p, [p.slice(0, 40)]: 'key is a payload' },
    prediction: { label: xssLabels[i % xssLabels.length], score: 0.5,
      distribution: xssLabels.map((_, j) => (j === i % xssLabels.length ? 0.5 : 0.125)) },
  }));
  importJsonl('xss', xrecs);
  r = await api('POST', '/api/v1/projects/xss/queue', { items: xrecs.map((x) => x.id) });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  return { annToken, gold, preds: Object.fromEntries(recs.map((x) => [x.id, x.prediction.label])), xrecs, xssLabels };
}

// WEB_FROM=<folder>: the pages and assets come from that folder's index.html, admin.html and
// assets/ instead of the binary (same headers), to show that a test fails on an older page:
//   git archive main web | tar -x -C /tmp/old && WEB_FROM=/tmp/old/web ONLY=... run.sh build/hitloop
async function webFrom(context) {
  if (!process.env.WEB_FROM) return;
  await context.route((url) => url.origin === BASE && (url.pathname === '/' || url.pathname === '/admin' ||
    url.pathname.startsWith('/assets/')), async (route) => {
    const path = new URL(route.request().url()).pathname;
    const file = path === '/' ? 'index.html' : path === '/admin' ? 'admin.html' : path.slice(1);
    const response = await route.fetch();
    await route.fulfill({ response, body: readFileSync(join(process.env.WEB_FROM, file), 'utf8') });
  });
}

async function newPage(browser) {
  const context = await browser.newContext();
  await webFrom(context);
  const page = await context.newPage();
  const events = { dialogs: [], cspViolations: 0, pageErrors: [] };
  page.on('dialog', async (d) => { events.dialogs.push(d.message()); await d.dismiss(); });
  page.on('pageerror', (e) => {
    events.pageErrors.push(String(e));
    if (process.env.DEBUG) console.log(`  page error: ${e}`);
  });
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) events.cspViolations++; });
  return { context, page, events };
}

async function signIn(page, token, project) {
  const t0 = Date.now();
  await page.goto(`${BASE}/?project=${project}`);
  await page.waitForFunction(() => document.body.dataset.state === 'signin');
  await page.keyboard.type(token);  // the token field has focus
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => ['ready', 'empty'].includes(document.body.dataset.state));
  return Date.now() - t0;
}

async function waitNext(page, prev) {
  await page.waitForFunction(
    (p) => (document.body.dataset.state === 'ready' && document.body.dataset.item !== p) ||
      document.body.dataset.state === 'empty',
    prev);
}

async function testKeyboard(browser, ctx) {
  const { page, context, events } = await newPage(browser);
  await signIn(page, ctx.annToken, 'kb');
  const labels = ['positive', 'negative', 'neutral'];
  let keystrokes = 0;
  let undone = false;
  for (let n = 0; n < 20; n++) {
    const id = await page.evaluate(() => document.body.dataset.item);
    assert.ok(id in ctx.gold, `unexpected item ${id}`);
    const text = await page.locator('#item-text').getAttribute('dir');
    assert.equal(text, 'auto', 'item text must render with dir=auto');
    const shownPre = await page.locator('#prelabel-name').textContent();
    assert.equal(shownPre, ctx.preds[id]);
    if (id === 'k05') {
      // The detector's boilerplate (the signature) is dimmed; the text is still verbatim.
      const bp = await page.locator('#item-text span.boilerplate').allTextContents();
      assert.ok(bp.some((t) => t.includes('Alice Example')), `signature not marked: ${JSON.stringify(bp)}`);
    }
    if (!undone && n === 5) {
      // A wrong answer, then undo and correct it.
      const wrong = labels.find((l) => l !== ctx.gold[id]);
      await page.keyboard.press(String(labels.indexOf(wrong) + 1));
      await waitNext(page, id);
      await page.keyboard.press('u');
      await page.waitForFunction((i) => document.body.dataset.state === 'amending' && document.body.dataset.item === i, id);
      const next = await page.evaluate(() => document.body.dataset.item);
      await page.keyboard.press(String(labels.indexOf(ctx.gold[id]) + 1));
      await page.waitForFunction(() => document.body.dataset.state === 'ready');
      keystrokes += 3;
      undone = true;
      void next;
      continue;
    }
    if (ctx.preds[id] === ctx.gold[id]) {
      await page.keyboard.press('Enter');
    } else {
      await page.keyboard.press(String(labels.indexOf(ctx.gold[id]) + 1));
    }
    keystrokes += 1;
    await waitNext(page, id);
  }
  await page.waitForFunction(() => document.body.dataset.state === 'empty');
  const got = exportLabels('kb');
  for (const [id, g] of Object.entries(ctx.gold)) {
    assert.deepEqual(got[id], [g], `item ${id}: label ${JSON.stringify(got[id])}, wanted ${g}`);
  }
  assert.deepEqual(events.pageErrors, []);
  assert.equal(events.dialogs.length, 0);
  await context.close();
  return keystrokes;
}

async function testXss(browser, ctx) {
  const { page, context, events } = await newPage(browser);
  page.on('request', (req) => {
    if (!req.url().startsWith(BASE)) events.pageErrors.push(`outside request: ${req.url()}`);
  });
  await signIn(page, ctx.annToken, 'xss');
  await page.evaluate(() => {
    window.__violations = 0;
    document.addEventListener('securitypolicyviolation', () => { window.__violations++; });
  });
  const byId = Object.fromEntries(ctx.xrecs.map((r) => [r.id, r]));
  let seen = 0;
  while (true) {
    const state = await page.evaluate(() => document.body.dataset.state);
    if (state === 'empty') break;
    const id = await page.evaluate(() => document.body.dataset.item);
    const rec = byId[id];
    assert.ok(rec, `unexpected item ${id}`);
    const dom = await page.evaluate(() => {
      const t = document.getElementById('item-text');
      const meta = [...document.querySelectorAll('#item-meta tr')].map((tr) => [...tr.children].map((c) => [c.textContent, c.childElementCount]));
      const labels = [...document.querySelectorAll('#labels button span')].map((s) => [s.textContent, s.childElementCount]);
      // Only the page's own boilerplate spans (dimmed quoted lines, signatures) may appear, each a
      // plain text holder.
      const foreign = [...t.children].filter((c) => !(c.tagName === 'SPAN' && c.className === 'boilerplate' &&
                                                       c.childElementCount === 0 && c.attributes.length === 2)).length;
      return { text: t.textContent, textChildren: foreign, meta, labels,
               injected: document.querySelectorAll('main script, main img, main svg, main iframe, main object, main embed, main a[href^="javascript"], main style, main link, main video, main audio, main details, main marquee, main template').length };
    });
    assert.equal(dom.text, rec.text, `${id}: text must render verbatim`);
    assert.equal(dom.textChildren, 0, `${id}: text produced elements`);
    assert.equal(dom.injected, 0, `${id}: injected elements`);
    const metaCells = dom.meta.flat();
    for (const [, children] of metaCells) assert.equal(children, 0, `${id}: meta produced elements`);
    const metaText = new Set(metaCells.map(([t]) => t));
    assert.ok(metaText.has(rec.meta.note), `${id}: meta value not shown verbatim`);
    assert.deepEqual(dom.labels.map(([t]) => t), ctx.xssLabels, `${id}: label names not verbatim`);
    // The reason line and the distribution name the payload labels as text.
    const why = await page.evaluate(() => ({
      reason: document.getElementById('reason').childElementCount,
      dist: [...document.querySelectorAll('#distribution .dist-label')].map((e) => [e.textContent, e.childElementCount]),
    }));
    assert.equal(why.reason, 0, `${id}: reason produced elements`);
    for (const [t, n] of why.dist) { assert.equal(n, 0); assert.ok(ctx.xssLabels.includes(t), `${id}: distribution label ${t}`); }
    for (const [, children] of dom.labels) assert.equal(children, 0);
    // Hover and click over the rendered content too (event-handler payloads).
    await page.hover('#item-text');
    await page.click('#item-text');
    await page.keyboard.press('5');  // 'safe'
    await waitNext(page, id);
    seen++;
  }
  assert.equal(seen, ctx.xrecs.length, 'every payload item was shown');
  // The history panel shows the payload snippets and label names: text only.
  await page.keyboard.press('h');
  await page.waitForFunction(() => document.querySelectorAll('#history-list button').length > 0);
  const hist = await page.evaluate(() => ({
    entries: [...document.querySelectorAll('#history-list button')].map((b) => b.querySelectorAll('*').length),
    injected: document.querySelectorAll('aside script, aside img, aside svg, aside iframe, aside object, aside embed, aside a, aside style').length,
  }));
  assert.ok(hist.entries.length >= 5, 'history lists the answers');
  for (const n of hist.entries) assert.equal(n, 4, 'a history entry is exactly its four text holders');
  assert.equal(hist.injected, 0, 'history: injected elements');
  const side = await page.evaluate(() => ({ pwned: window.__pwned, violations: window.__violations }));
  assert.equal(side.pwned, undefined, 'a payload ran');
  assert.equal(side.violations, 0, 'CSP blocked something: a payload reached the DOM as markup');
  assert.equal(events.cspViolations, 0);
  assert.deepEqual(events.dialogs, [], 'a payload opened a dialog');
  assert.deepEqual(events.pageErrors, []);
  // The admin page renders label names and annotator names from the same data.
  const admin = await newPage(browser);
  await admin.page.goto(`${BASE}/admin`);
  await admin.page.waitForFunction(() => document.body.dataset.state === 'signin');
  await admin.page.keyboard.type(ADMIN_TOKEN);
  await admin.page.keyboard.press('Enter');
  await admin.page.waitForFunction(() => document.body.dataset.state === 'ready');
  await admin.page.selectOption('#project-pick', 'xss');
  await admin.page.waitForFunction(() => document.body.dataset.state === 'ready' && document.body.dataset.project === 'xss');
  const annotators = await admin.page.locator('#annotators td').allTextContents();
  assert.ok(annotators.includes('ann'), 'annotator table shows the xss project answers');
  const injected = await admin.page.evaluate(() =>
    document.querySelectorAll('main script, main img, main iframe, main object, main embed').length +
    [...document.querySelectorAll('main svg')].filter((s) => !s.closest('#chart-wrap') && !s.closest('#audit-chart-wrap')).length);
  assert.equal(injected, 0);
  // The correction table shows the payload label names (the model said them; ann said "safe").
  const corrections = await admin.page.locator('#corrections td').allTextContents();
  assert.ok(corrections.includes(ctx.xssLabels[0]), 'payload label shown verbatim in the corrections table');
  assert.deepEqual(admin.events.dialogs, []);
  assert.deepEqual(admin.events.pageErrors, []);
  await admin.context.close();
  await context.close();
  return seen;
}

async function testCycleChart(browser) {
  // A project the loop can train on: labelled pool items, a gold split, unlabelled items.
  let r = await api('POST', '/api/v1/projects', { name: 'cyc', labels: ['positive', 'negative', 'neutral'] });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const words = { positive: 'great good excellent lovely', negative: 'bad awful terrible poor', neutral: 'okay average fine plain' };
  const recs = [];
  const labels = Object.keys(words);
  for (let i = 0; i < 240; i++) {
    const label = labels[i % 3];
    const text = `${words[label].split(' ')[i % 4]} product number ${i} ${words[label].split(' ')[(i + 1) % 4]}`;
    const rec = { id: `c${i}`, text };
    if (i < 90) rec.label = label;
    else if (i < 150) { rec.label = label; rec.split = 'gold'; }
    recs.push(rec);
  }
  importJsonl('cyc', recs);
  const { page, context, events } = await newPage(browser);
  await page.goto(`${BASE}/admin`);
  await page.waitForFunction(() => document.body.dataset.state === 'signin');
  await page.keyboard.type(ADMIN_TOKEN);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.dataset.state === 'ready');
  await page.selectOption('#project-pick', 'cyc');
  await page.waitForFunction(() => document.body.dataset.state === 'ready' && document.body.dataset.project === 'cyc');
  const points = () => page.evaluate(() => Number(document.querySelector('#chart-wrap svg').dataset.points));
  assert.equal(await points(), 0);
  for (const want of [1, 2]) {
    await page.click('#run-cycle');
    await page.waitForFunction((n) => {
      const s = document.querySelector('#chart-wrap svg');
      return s && Number(s.dataset.points) === n && document.body.dataset.state === 'ready';
    }, want, { timeout: 120000 });
  }
  const after = await page.evaluate(() => document.querySelectorAll('#chart-wrap circle.line-after').length);
  assert.equal(after, 2, 'two gold-accuracy-after points on the chart');
  const before = await page.evaluate(() => document.querySelectorAll('#chart-wrap circle.line-before').length);
  assert.equal(before, 1, 'the second cycle has a before point (the first model on gold)');
  const status = await page.locator('#cycle-status').textContent();
  assert.match(status, /cycle 2 done/);
  // The certificate says what `hitloop status` says.
  const st = JSON.parse(execFileSync(HITLOOP, ['--db', DB, 'status', 'cyc', '--json'], { encoding: 'utf8' })).loop;
  const line = await page.locator('#cert-line').textContent();
  assert.ok(line.includes(`${st.last_cycle.audits_total} of at least ${st.min_audits_needed} audits`), line);
  assert.ok(line.includes(`at least ${st.audits_still_needed} more`), line);
  // Charts start at zero, name their values, and every point carries a tooltip.
  const chart = await page.evaluate(() => {
    const s = document.querySelector('#chart-wrap svg');
    return { ticks: [...s.querySelectorAll('text')].map((t) => t.textContent),
      tips: [...s.querySelectorAll('circle')].map((c) => c.querySelector('title') && c.querySelector('title').textContent),
      bars: [...document.querySelectorAll('#audit-chart-wrap rect title')].map((t) => t.textContent) };
  });
  assert.ok(chart.ticks.includes('0%') && chart.ticks.includes('100%'), `y axis from 0: ${chart.ticks}`);
  assert.ok(chart.tips.every((t) => /cycle \d+: \d+(\.\d)?%/.test(t || '')), `tooltips: ${chart.tips}`);
  assert.equal(chart.bars.length, 2);
  // The newest values are written inside the chart and do not sit on each other (they were
  // drawn past the right edge, three on one spot).
  const placed = await page.evaluate(() => {
    const s = document.querySelector('#chart-wrap svg');
    const w = s.viewBox.baseVal.width;
    return [...s.querySelectorAll('text.value')].map((t) => { const b = t.getBBox(); return [b.x, b.y, b.width, b.height, w, t.textContent, getComputedStyle(t).stroke]; });
  });
  for (const v of placed) assert.equal(v[6], 'none', `value ${v[5]} drawn with its series' stroke (blurred)`);
  assert.ok(placed.length >= 2, `values written: ${JSON.stringify(placed)}`);
  for (const [x, , wd, , w, t] of placed) assert.ok(x >= 0 && x + wd <= w, `value ${t} outside the chart (${x}+${wd} > ${w})`);
  for (let i = 0; i < placed.length; i++) {
    for (let j = i + 1; j < placed.length; j++) {
      const [ax, ay, aw, ah] = placed[i];
      const [bx, by, bw, bh] = placed[j];
      const apart = ax + aw <= bx || bx + bw <= ax || ay + ah <= by || by + bh <= ay;
      assert.ok(apart, `values ${placed[i][5]} and ${placed[j][5]} overlap`);
    }
  }
  assert.match(chart.bars[1], new RegExp(`cycle 2: ${st.last_cycle.audits_total} audits counted`));
  await Promise.all([page.waitForNavigation(), page.click('#signout')]);
  await page.waitForFunction(() => document.body.dataset.state === 'signin');
  assert.deepEqual(events.pageErrors, []);
  await context.close();
  // The annotator page says what the audits are for, in the same numbers.
  const token = await signInAs(browser, 'cycann', 'annotator', ['cyc']);
  const ann = await newPage(browser);
  await signIn(ann.page, token, 'cyc');
  await ann.page.waitForFunction(() => !document.getElementById('cert-progress').hidden);
  const cert = await ann.page.locator('#cert-progress').textContent();
  assert.ok(cert.includes(`${st.last_cycle.audits_total} of at least ${st.min_audits_needed} audits`), cert);
  assert.ok(cert.includes(`at least ${st.audits_still_needed} more`), cert);
  assert.deepEqual(ann.events.pageErrors, []);
  await ann.context.close();
  return 'chart shows 2 cycles; the annotator page shows the certificate';
}

async function signInAs(browser, name, role, projects) {
  const r = await api('POST', '/api/v1/users', { name, role, projects });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  return r.data.token;
}

async function testMultiLabel(browser) {
  // 12 labels: keys 1-9, 0, then letters; one label name outside Latin-1 (a header value
  // built from it used to make the submit throw before any request left the page).
  const labels = ['l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7', 'l8', 'l9', 'ten', 'négatif', 'عربي'];
  let r = await api('POST', '/api/v1/projects', { name: 'ml', type: 'multi-label', labels });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const token = await signInAs(browser, 'mlann', 'annotator', ['ml']);
  const want = {
    m1: ['l1', 'l3'], m2: ['ten', 'négatif'], m3: ['l2', 'عربي', 'l9'], m4: ['l5'], m5: ['négatif', 'عربي'], m6: ['l4', 'ten'],
  };
  const recs = Object.keys(want).map((id, i) => ({ id, text: `multi-label item ${i}` }));
  importJsonl('ml', recs);
  r = await api('POST', '/api/v1/projects/ml/queue', { items: recs.map((x) => x.id) });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  const { page, context, events } = await newPage(browser);
  await signIn(page, token, 'ml');
  const keys = await page.evaluate(() => [...document.querySelectorAll('#labels button')].map((b) => b.querySelector('kbd').textContent));
  assert.deepEqual(keys, ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', 'a', 'b'], 'every label shows its key');
  let n = 0;
  while ((await page.evaluate(() => document.body.dataset.state)) === 'ready') {
    const id = await page.evaluate(() => document.body.dataset.item);
    for (const l of want[id]) await page.keyboard.press(keys[labels.indexOf(l)]);
    const sel = await page.evaluate(() => [...document.querySelectorAll('#labels button.selected span')].map((e) => e.textContent));
    assert.deepEqual(sel.sort(), [...want[id]].sort(), `${id}: selection shown`);
    if (n === 0) {
      // A selected label's key is readable: its colour differs from its background.
      const c = await page.evaluate(() => {
        const k = getComputedStyle(document.querySelector('#labels button.selected kbd'));
        return [k.color, k.backgroundColor];
      });
      assert.notEqual(c[0], c[1], `selected key is ${c[0]} on ${c[1]}`);
    }
    await page.keyboard.press('Enter');
    await waitNext(page, id);
    const err = await page.locator('#task-error').textContent();
    assert.equal(err, '', `${id}: ${err}`);
    n++;
  }
  assert.equal(n, 6);
  const got = exportLabels('ml');
  for (const [id, l] of Object.entries(want)) assert.deepEqual([...got[id]].sort(), [...l].sort(), `${id}: exported ${JSON.stringify(got[id])}`);
  assert.deepEqual(events.pageErrors, []);
  await context.close();
  return `${n} multi-label answers`;
}

// Labels every task of a project with the keyboard alone: the key (or two-key chord) read off
// each label's button, Enter to submit a multi-label selection. No pointer event may reach the
// page (counted in the capture phase from before the first script runs). Returns the count.
async function labelAllByKeyboard(browser, { project, type, labels, want, user }) {
  let r = await api('POST', '/api/v1/projects', { name: project, type, labels });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const token = await signInAs(browser, user, 'annotator', [project]);
  const recs = Object.keys(want).map((id, i) => ({ id, text: `${project} item ${i}: ${id}` }));
  importJsonl(project, recs);
  r = await api('POST', `/api/v1/projects/${project}/queue`, { items: recs.map((x) => x.id) });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  const { page, context, events } = await newPage(browser);
  await context.addInitScript(() => {
    // A click from a pointer has detail >= 1; the one Enter fires on a form's submit button
    // (the sign-in form) has detail 0 and is the keyboard's.
    window.__pointer = [];
    for (const t of ['pointerdown', 'pointerup', 'mousedown', 'mouseup', 'click', 'wheel', 'touchstart']) {
      window.addEventListener(t, (e) => {
        if (e.isTrusted && (t !== 'click' || e.detail > 0)) window.__pointer.push(`${t} on ${e.target.id || e.target.tagName}`);
      }, true);
    }
  });
  await signIn(page, token, project);
  const keys = await page.evaluate(() => [...document.querySelectorAll('#labels button')].map((b) => b.querySelector('kbd').textContent));
  assert.equal(keys.length, labels.length);
  assert.equal(new Set(keys).size, keys.length, `every label has its own key: ${keys}`);
  assert.ok(keys.every((k) => k && k !== '—'), `every label has a key: ${keys}`);
  let n = 0;
  while ((await page.evaluate(() => document.body.dataset.state)) === 'ready') {
    const id = await page.evaluate(() => document.body.dataset.item);
    assert.ok(id in want, `unexpected item ${id}`);
    for (const l of want[id]) {
      for (const ch of keys[labels.indexOf(l)]) await page.keyboard.press(ch);
    }
    if (type === 'multi-label') {
      const sel = await page.evaluate(() => [...document.querySelectorAll('#labels button.selected span')].map((e) => e.textContent));
      assert.deepEqual(sel.sort(), [...want[id]].sort(), `${id}: selection shown`);
      await page.keyboard.press('Enter');
    }
    await waitNext(page, id);
    const err = await page.locator('#task-error').textContent();
    assert.equal(err, '', `${id}: ${err}`);
    n++;
  }
  assert.equal(n, Object.keys(want).length, 'every task was shown once');
  const got = exportLabels(project);
  for (const [id, l] of Object.entries(want)) assert.deepEqual([...got[id]].sort(), [...l].sort(), `${id}: exported ${JSON.stringify(got[id])}`);
  assert.deepEqual(await page.evaluate(() => window.__pointer), [], 'no pointer event reached the page');
  assert.deepEqual(events.pageErrors, []);
  await context.close();
  return { n, keys };
}

async function testHundredSingleWithChords(browser) {
  // 33 labels: 1-9, 0, 20 letters, then the chords .1 .2 .3 (shown on the buttons).
  const labels = Array.from({ length: 33 }, (_, i) => (i === 31 ? 'étiquette' : `c${String(i + 1).padStart(2, '0')}`));
  const want = {};
  for (let i = 0; i < 100; i++) want[`s${String(i).padStart(3, '0')}`] = [labels[(i * 7) % labels.length]];
  const { n, keys } = await labelAllByKeyboard(browser, { project: 'many', type: 'single-label', labels, want, user: 'manyann' });
  assert.deepEqual(keys.slice(30), ['.1', '.2', '.3'], 'labels 31-33 show their two-key chords');
  return `${n} single-label answers over 33 labels, chords included`;
}

async function testHundredMulti(browser) {
  const labels = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9', 'a10', 'a11', 'a12'];
  const want = {};
  for (let i = 0; i < 100; i++) {
    const picked = new Set([labels[i % 12], labels[(i * 5 + 3) % 12]]);
    if (i % 3 === 0) picked.add(labels[(i + 7) % 12]);
    want[`m${String(i).padStart(3, '0')}`] = [...picked];
  }
  const { n } = await labelAllByKeyboard(browser, { project: 'ml100', type: 'multi-label', labels, want, user: 'ml100ann' });
  return `${n} multi-label answers`;
}

async function testRemapKeys(browser) {
  // "=", a label's key, its new key: the label moves there (a key another label has: they swap);
  // kept across a reload; "= =" puts every key back; command keys are refused. Keyboard only.
  const labels = ['ham', 'spam', 'other'];
  let r = await api('POST', '/api/v1/projects', { name: 'rk', labels });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const token = await signInAs(browser, 'rkann', 'annotator', ['rk']);
  const recs = ['r1', 'r2', 'r3', 'r4', 'r5'].map((id) => ({ id, text: `remap ${id}` }));
  // A near-even call: whole percentages would read "50% and 50%".
  recs[0].prediction = { label: 'ham', score: 0.504, distribution: [0.504, 0.496, 0] };
  importJsonl('rk', recs);
  r = await api('POST', '/api/v1/projects/rk/queue', { items: recs.map((x) => x.id) });
  assert.equal(r.status, 200);
  const { page, context, events } = await newPage(browser);
  await signIn(page, token, 'rk');
  const keys = () => page.evaluate(() => [...document.querySelectorAll('#labels button kbd')].map((k) => k.textContent));
  const said = async (key) => {
    const before = await page.evaluate(() => document.getElementById('key-feedback').dataset.seq || '0');
    await page.keyboard.press(key);
    await page.waitForFunction((b) => (document.getElementById('key-feedback').dataset.seq || '0') !== b, before);
    return page.locator('#key-feedback').textContent();
  };
  const answered = {};
  const answer = async (key) => {
    const id = await page.evaluate(() => document.body.dataset.item);
    await page.keyboard.press(key);
    await waitNext(page, id);
    answered[id] = true;
    return id;
  };
  assert.deepEqual(await keys(), ['1', '2', '3']);
  assert.equal(await page.evaluate(() => document.body.dataset.item), 'r1');
  assert.match(await page.locator('#reason').textContent(), /torn between ham 50\.4% and spam 49\.6%/);
  assert.match(await page.locator('#prelabel-sure').textContent(), /\(50\.4% sure\)/);
  await page.keyboard.press('=');
  await page.waitForFunction(() => document.body.dataset.remap === 'label' && !document.getElementById('remap-hint').hidden);
  await page.keyboard.press('2');
  await page.waitForFunction(() => document.body.dataset.remap === 'key');
  assert.match(await said('x'), /“spam” is now on x/);
  assert.deepEqual(await keys(), ['1', 'x', '3']);
  assert.equal(await page.locator('#remap-hint').isHidden(), true);
  assert.match(await said('2'), /no label on 2/, 'the old key is free now');
  const a1 = await answer('x');
  // Onto a key another label has: the two swap.
  await page.keyboard.press('=');
  await page.keyboard.press('1');
  assert.match(await said('x'), /“ham” is now on x; “spam” moved to 1/);
  assert.deepEqual(await keys(), ['x', '1', '3']);
  // A command key cannot pick a label; Esc leaves everything as it was.
  await page.keyboard.press('=');
  await page.keyboard.press('3');
  assert.match(await said('s'), /cannot pick a label/);
  assert.match(await said('Escape'), /key change cancelled/);
  assert.deepEqual(await keys(), ['x', '1', '3']);
  await page.keyboard.press('=');
  assert.match(await said('9'), /no label on 9/);
  await page.keyboard.press('Escape');
  // Kept across a reload.
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.state === 'ready');
  assert.deepEqual(await keys(), ['x', '1', '3']);
  const a2 = await answer('1');
  // "= =": every label back on its default key.
  await page.keyboard.press('=');
  assert.match(await said('='), /back on its default key/);
  assert.deepEqual(await keys(), ['1', '2', '3']);
  const a3 = await answer('3');
  const got = exportLabels('rk');
  assert.deepEqual(got[a1], ['spam']);
  assert.deepEqual(got[a2], ['spam']);
  assert.deepEqual(got[a3], ['other']);
  assert.equal(Object.values(got).filter(Boolean).length, 3, `exactly three answers: ${JSON.stringify(got)}`);
  assert.deepEqual(events.pageErrors, []);
  await context.close();
  return 'remap, swap, refuse, reload, reset';
}

async function testFeedbackReasonHistory(browser) {
  const labels = ['ham', 'spam', 'other'];
  let r = await api('POST', '/api/v1/projects', { name: 'fb', labels });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const token = await signInAs(browser, 'fbann', 'annotator', ['fb']);
  const recs = [
    { id: 'f1', text: 'first', prediction: { label: 'ham', score: 0.51, distribution: [0.51, 0.47, 0.02] } },
    { id: 'f2', text: 'second', prediction: { label: 'spam', score: 0.8, distribution: [0.1, 0.8, 0.1] } },
    { id: 'f3', text: 'third' },
  ];
  importJsonl('fb', recs);
  r = await api('POST', '/api/v1/projects/fb/queue', { items: ['f1', 'f2', 'f3'] });
  assert.equal(r.status, 200);
  const { page, context, events } = await newPage(browser);
  await signIn(page, token, 'fb');
  const text = (sel) => page.locator(sel).textContent();
  assert.equal(await page.evaluate(() => document.body.dataset.item), 'f1');
  assert.match(await text('#reason'), /torn between ham 51% and spam 47%/);
  const dist = await page.evaluate(() => [...document.querySelectorAll('#distribution .dist-row')].map((e) => e.textContent));
  assert.deepEqual(dist, ['ham51%', 'spam47%', 'other2%']);
  // The bars show the shares (they had no height: the track shared a class with the header,
  // which was clipped to the track's height in turn).
  const bars = await page.evaluate(() => [...document.querySelectorAll('#distribution .bar-fill')].map((f) => {
    const b = f.getBoundingClientRect();
    return [b.width / f.parentElement.getBoundingClientRect().width, b.height];
  }));
  assert.deepEqual(bars.map(([r]) => Math.round(r * 100)), [51, 47, 2], `bar widths ${JSON.stringify(bars)}`);
  for (const [, h] of bars) assert.ok(h >= 5, `bar height ${h}`);
  const header = await page.evaluate(() => {
    const h = document.querySelector('header');
    return [h.getBoundingClientRect().height, h.scrollHeight, h.clientHeight, document.getElementById('signout').getBoundingClientRect().height];
  });
  assert.ok(header[0] >= 30 && header[1] <= header[2] + 1 && header[3] > 0, `header clipped: ${header}`);
  // Keys that do nothing say so, each with its own message.
  const said = [];
  for (const key of ['9', 'q', 'u', 'Escape', '%', 'r']) {
    const before = await page.evaluate(() => document.getElementById('key-feedback').dataset.seq || '0');
    await page.keyboard.press(key);
    await page.waitForFunction((b) => (document.getElementById('key-feedback').dataset.seq || '0') !== b, before);
    said.push(await text('#key-feedback'));
  }
  assert.match(said[0], /no label on 9/);
  assert.match(said[1], /no label on q/);
  assert.match(said[2], /nothing to undo/);
  assert.match(said[3], /nothing to cancel/);
  assert.match(said[4], /does nothing here/);
  assert.match(said[5], /r checks for new work/);
  assert.equal(await page.evaluate(() => document.body.dataset.item), 'f1', 'no key above changed the task');
  // Answer f1 (ham) and f2 (spam), then change f1 to "other" from the history panel.
  await page.keyboard.press('1');
  await waitNext(page, 'f1');
  assert.match(await text('#reason'), /leans to spam 80%/);
  await page.keyboard.press('Enter');
  await waitNext(page, 'f2');
  assert.equal(await page.evaluate(() => document.body.dataset.item), 'f3');
  assert.match(await text('#reason'), /no model prediction/);
  await page.keyboard.press('Enter');  // no pre-label: feedback, no submit
  await page.waitForFunction(() => /no pre-label to accept/.test(document.getElementById('key-feedback').textContent));
  await page.keyboard.press('h');
  // The panel has the focus once it has loaded (the list may already be drawn from this session).
  await page.waitForFunction(() => document.querySelectorAll('#history-list button').length === 2 &&
    document.activeElement && document.activeElement.matches('#history-list button'));
  const entries = await page.evaluate(() => [...document.querySelectorAll('#history-list button')].map((b) => b.dataset.lease && b.textContent));
  assert.match(entries[0], /item f2.*spam/);
  assert.match(entries[1], /item f1.*ham/);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.dataset.state === 'amending' && document.body.dataset.item === 'f1');
  assert.match(await text('#my-answer'), /you answered: ham/);
  await page.keyboard.press('3');
  await page.waitForFunction(() => document.body.dataset.state === 'ready' && document.body.dataset.item === 'f3');
  await page.waitForFunction(() => /item f1\s*other/.test(document.querySelector('#history-list').textContent));
  await page.keyboard.press('2');  // f3: spam
  await page.waitForFunction(() => document.body.dataset.state === 'empty');
  const got = exportLabels('fb');
  assert.deepEqual(got, { f1: ['other'], f2: ['spam'], f3: ['spam'] });
  // Live counts: nothing left.
  await page.waitForFunction(() => /0 review · 0 audit · 0 adjudication/.test(document.getElementById('progress').textContent));
  assert.deepEqual(events.pageErrors, []);
  await context.close();
  return 'feedback for 7 keys, reason, distribution, history amend';
}

async function testAdminPages(browser) {
  // An annotator on /admin: a plain page saying who may see it, with sign-out.
  const token = await signInAs(browser, 'plain', 'annotator', ['kb']);
  const { page, context, events } = await newPage(browser);
  await page.goto(`${BASE}/admin`);
  await page.waitForFunction(() => document.body.dataset.state === 'signin');
  await page.keyboard.type(token);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.dataset.state === 'forbidden');
  assert.match(await page.locator('#forbidden h1').textContent(), /Admins and reviewers only/);
  assert.equal(await page.locator('#dashboard').isHidden(), true);
  // Keyboard: the "go to your tasks" link has focus; Tab reaches sign-out.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'forbidden-signout');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  await page.waitForFunction(() => document.body.dataset.state === 'signin');
  const me = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
  assert.equal(me, 401, 'signed out');
  assert.deepEqual(events.pageErrors, []);
  await context.close();
  return 'forbidden page and sign-out';
}

async function testHeaders() {
  for (const path of ['/', '/admin', '/assets/app.js', '/api/v1/me']) {
    const res = await fetch(BASE + path);
    const csp = res.headers.get('content-security-policy') || '';
    assert.ok(csp.includes("script-src 'self'"), `${path}: CSP ${csp}`);
    assert.ok(!/unsafe-inline|unsafe-eval/.test(csp), `${path}: CSP allows unsafe-*`);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
  }
  for (const path of ['/assets/../index.html', '/assets/%2e%2e/index.html', '/assets/../../etc/passwd', '/assets/']) {
    const res = await fetch(BASE + path);
    assert.ok(res.status === 404 || res.status === 400, `${path}: ${res.status}`);
  }
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  // playwright-core gives every launch a fresh temporary user-data-dir (it refuses the flag).
});
let failed = 0;
const ctx = await setup();
const helpers = { api, importJsonl, newPage, signIn, signInAs, payloads, HITLOOP, DB, ADMIN_TOKEN, BASE };
for (const [name, fn] of [
  ['headers', () => testHeaders()],
  ['keyboard: 20 items, keyboard only', () => testKeyboard(browser, ctx)],
  [`xss: ${payloads.length} payloads in text, meta and labels`, () => testXss(browser, ctx)],
  ['admin runs a cycle twice and the chart updates', () => testCycleChart(browser)],
  ['multi-label: 12 labels, 2-3 per answer, keyboard only', () => testMultiLabel(browser)],
  ['keys that do nothing say so; reason, distribution, history', () => testFeedbackReasonHistory(browser)],
  ['keyboard only: 100 single-label tasks over 33 labels (chords)', () => testHundredSingleWithChords(browser)],
  ['keyboard only: 100 multi-label tasks', () => testHundredMulti(browser)],
  ['keys: = remaps a label, kept after reload, = = resets', () => testRemapKeys(browser)],
  ['admin: annotators get a clear page; sign-out', () => testAdminPages(browser)],
  ['comparisons: pairwise, keyboard only', () => testPairwise(browser, helpers)],
  ['comparisons: pairwise with criteria, keyboard only', () => testPairwiseCriteria(browser, helpers)],
  ['comparisons: ranking, keyboard only', () => testRanking(browser, helpers)],
  ['comparisons: ranking by clicks and drag', () => testRankingByPointer(browser, helpers)],
  [`comparisons: xss, ${payloads.length} payloads`, () => testComparisonXss(browser, helpers)],
  ['data browser: pages, filter, search, history, bulk gold, xss', () => testDataBrowser(browser, helpers)],
  ['review: reject by keyboard, rework with the comment, export', () => testReview(browser, helpers)],
]) {
  if (process.env.ONLY && !name.includes(process.env.ONLY)) continue;
  const t0 = Date.now();
  try {
    const r = await fn();
    console.log(`ok   ${name} (${Date.now() - t0} ms${r !== undefined ? `, ${r}` : ''})`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.stack || e}`);
  }
}
await browser.close();
process.exit(failed ? 1 : 0);
