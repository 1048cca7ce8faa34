// Browser tests of comparison tasks (pairwise and ranking projects, web/assets/compare.js), run by
// run.mjs with its helpers. Keyboard only: no pointer event may reach the page. The stored answers
// are read back with `hitloop export NAME --format jsonl` (hitloop's own preference records: every
// answer with its display order "shown"), and the display order must be the one seen on screen.
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';

// Records every trusted pointer event (a click from Enter on a button has detail 0).
async function watchPointer(page) {
  await page.evaluate(() => {
    window.__pointer = [];
    for (const t of ['pointerdown', 'pointerup', 'mousedown', 'mouseup', 'click', 'wheel', 'touchstart']) {
      document.addEventListener(t, (e) => {
        if (e.isTrusted && (t !== 'click' || e.detail > 0)) window.__pointer.push(`${t} on ${e.target.id || e.target.tagName}`);
      }, true);
    }
    window.__violations = 0;
    document.addEventListener('securitypolicyviolation', () => { window.__violations++; });
  });
}

// The answer of `annotator` per item from the own JSONL export.
function exportAnswers(h, project, annotator) {
  const out = execFileSync(h.HITLOOP, ['--db', h.DB, 'export', project, '--format', 'jsonl'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const got = {};
  for (const line of out.split('\n').filter(Boolean)) {
    const r = JSON.parse(line);
    const mine = (r.answers || []).filter((a) => a.annotator === annotator);
    // An amended answer replaces the one before it: one answer per person and item.
    assert.ok(mine.length <= 1, `${r.id}: ${mine.length} answers by ${annotator}`);
    if (mine.length) got[r.id] = mine[0];
  }
  return got;
}

// What the page shows: the item, the response texts left to right, the choice line.
async function screen(page) {
  return page.evaluate(() => ({
    item: document.body.dataset.item,
    state: document.body.dataset.state,
    panes: [...document.querySelectorAll('#cmp-responses .cmp-text')].map((e) => e.textContent),
    choice: document.getElementById('cmp-choice').textContent,
    criterion: document.getElementById('cmp-criterion').textContent,
  }));
}

async function waitItem(page, prev) {
  await page.waitForFunction(
    (p) => (document.body.dataset.state === 'ready' && document.body.dataset.item !== p) ||
      document.body.dataset.state === 'empty', prev);
}

async function lastFeedback(page) { return page.locator('#key-feedback').textContent(); }

// Pairwise, no criteria: 12 items, one with a dialogue prompt, one with two long responses. The
// response starting "good" should win; the test finds it on screen and presses 1 or 2, sometimes
// with a strength; one tie (3), one both-bad (4); one answer undone (u) and corrected (amend).
export async function testPairwise(browser, h) {
  let r = await h.api('POST', '/api/v1/projects', { name: 'pref-pw', type: 'pairwise' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const recs = [];
  for (let i = 1; i <= 12; i++) {
    const id = `pw${String(i).padStart(2, '0')}`;
    const good = i === 7 ? `good ${'a long answer line that wraps and scrolls. '.repeat(300)}END` : `good answer ${i}`;
    const bad = i === 7 ? `bad ${'another long answer line. '.repeat(300)}END` : `bad answer ${i}`;
    const responses = i % 2 ? [good, bad] : [bad, good];  // stored order: the good one is A for odd i
    const prompt = i === 3
      ? [{ role: 'user', content: 'Hello there' }, { role: 'assistant', content: 'Hi!' }, { role: 'user', content: `Question ${i}?` }]
      : `Question ${i}?`;
    recs.push({ id, prompt, responses, meta: { n: i } });
  }
  h.importJsonl('pref-pw', recs);
  r = await h.api('POST', '/api/v1/projects/pref-pw/queue', { items: recs.map((x) => x.id) });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  const token = await h.signInAs(browser, 'pwann', 'annotator', ['pref-pw']);
  const { page, context, events } = await h.newPage(browser);
  await h.signIn(page, token, 'pref-pw');
  await watchPointer(page);
  const byId = Object.fromEntries(recs.map((x) => [x.id, x]));
  const expect = {};
  let n = 0;
  let undone = false;
  let leftB = 0;
  while ((await page.evaluate(() => document.body.dataset.state)) !== 'empty') {
    const s = await screen(page);
    const rec = byId[s.item];
    assert.ok(rec, `unexpected item ${s.item}`);
    assert.equal(s.panes.length, 2);
    // The display order the page shows, as response indices left to right.
    const shown = s.panes.map((t) => rec.responses.indexOf(t));
    assert.deepEqual([...shown].sort(), [0, 1], `${s.item}: both responses shown verbatim`);
    if (shown[0] === 1) leftB++;
    const goodPos = s.panes.findIndex((t) => t.startsWith('good'));
    const goodLetter = 'AB'[shown[goodPos]];
    const badLetter = 'AB'[shown[1 - goodPos]];
    if (s.item === 'pw03') {
      const roles = await page.locator('#cmp-prompt .msg-role').allTextContents();
      assert.deepEqual(roles, ['user', 'assistant', 'user'], 'the dialogue is shown as its messages');
      // The meta table holds the item's own meta, not the prompt and responses.
      const metaKeys = await page.locator('#item-meta th').allTextContents();
      assert.deepEqual(metaKeys, ['n']);
    }
    if (s.item === 'pw07') {
      // Each response scrolls on its own; j scrolls them.
      const before = await page.evaluate(() => [...document.querySelectorAll('.cmp-text')].map((e) => [e.scrollTop, e.scrollHeight > e.clientHeight]));
      assert.ok(before.every(([, over]) => over), 'long responses overflow their panes');
      await page.keyboard.press('j');
      const after = await page.evaluate(() => [...document.querySelectorAll('.cmp-text')].map((e) => e.scrollTop));
      assert.ok(after.every((t) => t > 0), 'j scrolls the responses');
      // Side by side: the same top, the left pane left of the right one, neither overlapping.
      const [a, b] = await page.evaluate(() => [...document.querySelectorAll('.cmp-pane')].map((e) => {
        const r = e.getBoundingClientRect();
        return { top: r.top, left: r.left, right: r.right };
      }));
      assert.ok(Math.abs(a.top - b.top) < 1 && a.right <= b.left, `panes side by side: ${JSON.stringify([a, b])}`);
      if (process.env.SHOT) await page.screenshot({ path: process.env.SHOT });
    }
    if (n === 0) {
      // Keys that do nothing say so; Enter before a choice; strength before a winner; Backspace.
      await page.keyboard.press('Enter');
      assert.match(await lastFeedback(page), /nothing chosen yet/);
      await page.keyboard.press('6');
      assert.match(await lastFeedback(page), /choose 1 \(left\) or 2 \(right\) first/);
      await page.keyboard.press('8');
      assert.match(await lastFeedback(page), /no choice on 8/);
      await page.keyboard.press('Backspace');
      assert.match(await lastFeedback(page), /nothing to take back/);
      await page.keyboard.press('x');
      assert.match(await lastFeedback(page), /does nothing here/);
      await page.keyboard.press('3');
      assert.match((await screen(page)).choice, /A tie/);
      await page.keyboard.press('Backspace');
      assert.match((await screen(page)).choice, /Choose: 1 left/);
    }
    let keys;
    let want;
    if (s.item === 'pw05') { keys = ['3']; want = { preference: 'A=B' }; }
    else if (s.item === 'pw06') { keys = ['4']; want = { preference: 'bad' }; }
    else if (n % 3 === 1) { keys = [String(goodPos + 1), '6']; want = { preference: `${goodLetter}>${badLetter}/clearly` }; }
    else if (n % 3 === 2) { keys = [String(goodPos + 1), '7', '5']; want = { preference: `${goodLetter}>${badLetter}/slightly` }; }
    else { keys = [String(goodPos + 1)]; want = { preference: `${goodLetter}>${badLetter}` }; }
    if (!undone && n === 2) {
      // Answer the wrong way, submit, then u: the answer comes back to be corrected (amend).
      await page.keyboard.press(String(2 - goodPos));
      await page.keyboard.press('Enter');
      await waitItem(page, s.item);
      const next = await page.evaluate(() => document.body.dataset.item);
      await page.keyboard.press('u');
      await page.waitForFunction((i) => document.body.dataset.state === 'amending' && document.body.dataset.item === i, s.item);
      assert.match(await page.locator('#my-answer').textContent(), /you answered: .*shown:/);
      // The same display order as the first time.
      assert.deepEqual((await screen(page)).panes, s.panes, 'undo shows the responses in the same order');
      undone = true;
      for (const k of keys) await page.keyboard.press(k);
      await page.keyboard.press('Enter');
      await page.waitForFunction((i) => document.body.dataset.state === 'ready' && document.body.dataset.item === i, next);
    } else {
      for (const k of keys) await page.keyboard.press(k);
      await page.keyboard.press('Enter');
      await waitItem(page, s.item);
    }
    want.shown = shown;
    expect[s.item] = want;
    n++;
  }
  assert.equal(n, 12, 'every comparison was shown');
  // No audit certificate line on a comparison project (it has no cycle).
  assert.equal(await page.locator('#cert-progress').isHidden(), true, 'certificate line hidden');
  assert.ok(leftB > 0 && leftB < 12, `the display order is randomised (B on the left ${leftB} of 12 times)`);
  const got = exportAnswers(h, 'pref-pw', 'pwann');
  for (const [id, want] of Object.entries(expect)) {
    assert.ok(got[id], `${id}: no stored answer`);
    assert.equal(got[id].preference, want.preference, `${id}: ${JSON.stringify(got[id])}`);
    assert.deepEqual(got[id].shown, want.shown, `${id}: display order stored`);
  }
  assert.deepEqual(await page.evaluate(() => window.__pointer), [], 'no pointer event reached the page');
  assert.deepEqual(events.pageErrors, []);
  await context.close();
  // The dashboard's quality table for a comparison project: position bias over the decided answers
  // with their recorded display orders (preference/report.h, the same as `hitloop quality`).
  const dash = await h.newPage(browser);
  await dash.page.goto(`${h.BASE}/admin?project=pref-pw`);
  await dash.page.waitForFunction(() => document.body.dataset.state === 'signin');
  await dash.page.keyboard.type(h.ADMIN_TOKEN);
  await dash.page.keyboard.press('Enter');
  await dash.page.waitForFunction(() => document.body.dataset.state === 'ready' && document.body.dataset.project === 'pref-pw');
  const cells = await dash.page.locator('#agreement td').allTextContents();
  const at = cells.indexOf('overall: P(left wins)');
  assert.ok(at >= 0, `position bias row on the dashboard: ${JSON.stringify(cells)}`);
  assert.match(cells[at + 2], /^\d+\.\d% – \d+\.\d% on \d+ answers/);  // the decided ones (ties left out)
  assert.deepEqual(dash.events.pageErrors, []);
  await dash.context.close();
  return `12 comparisons, B shown on the left ${leftB} times, 1 amended; dashboard shows P(left wins)`;
}

// Pairwise with criteria: each criterion asked in turn, one outcome each, then one submit.
export async function testPairwiseCriteria(browser, h) {
  let r = await h.api('POST', '/api/v1/projects', { name: 'pref-crit', type: 'pairwise', labels: ['helpfulness', 'harmlessness'] });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const recs = [1, 2, 3].map((i) => ({ id: `c${i}`, prompt: `Criteria prompt ${i}`, responses: [`good c${i}`, `bad c${i}`] }));
  h.importJsonl('pref-crit', recs);
  r = await h.api('POST', '/api/v1/projects/pref-crit/queue', { items: recs.map((x) => x.id) });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  const token = await h.signInAs(browser, 'critann', 'annotator', ['pref-crit']);
  const { page, context, events } = await h.newPage(browser);
  await h.signIn(page, token, 'pref-crit');
  await watchPointer(page);
  const expect = {};
  let n = 0;
  while ((await page.evaluate(() => document.body.dataset.state)) !== 'empty') {
    const s = await screen(page);
    const rec = recs.find((x) => x.id === s.item);
    const shown = s.panes.map((t) => rec.responses.indexOf(t));
    const goodPos = s.panes.findIndex((t) => t.startsWith('good'));
    const other = 'AB'[1 - shown[goodPos]];
    assert.match(s.criterion, /Criterion 1 of 2: helpfulness/);
    await page.keyboard.press(String(goodPos + 1));
    await page.keyboard.press('7');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.body.dataset.cmpStep === '1');
    assert.match((await screen(page)).criterion, /Criterion 2 of 2: harmlessness/);
    assert.equal(await page.evaluate(() => document.body.dataset.item), s.item, 'not submitted after the first criterion');
    if (n === 0) {
      // Backspace with nothing chosen goes back to the first criterion, its choice kept.
      await page.keyboard.press('Backspace');
      await page.waitForFunction(() => document.body.dataset.cmpStep === '0');
      assert.match((await screen(page)).choice, /(Left|Right) is better \(much\)/);
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.body.dataset.cmpStep === '1');
    }
    const harm = n === 1 ? '4' : '3';
    await page.keyboard.press(harm);
    await page.keyboard.press('Enter');
    await waitItem(page, s.item);
    expect[s.item] = { criteria: { helpfulness: `${'AB'[shown[goodPos]]}>${other}/much`, harmlessness: harm === '4' ? 'bad' : 'A=B' }, shown };
    n++;
  }
  assert.equal(n, 3);
  const got = exportAnswers(h, 'pref-crit', 'critann');
  for (const [id, want] of Object.entries(expect)) {
    assert.deepEqual(got[id].criteria, want.criteria, `${id}: ${JSON.stringify(got[id])}`);
    assert.deepEqual(got[id].shown, want.shown, `${id}: display order stored`);
  }
  assert.deepEqual(await page.evaluate(() => window.__pointer), [], 'no pointer event reached the page');
  assert.deepEqual(events.pageErrors, []);
  await context.close();
  return '3 comparisons x 2 criteria';
}

// Ranking: 3, 4, 5 and 9 responses. Each response's text says its intended group ("g1 ..." is
// best; two responses of one group are a tie); the test presses the numbers on screen in that order,
// "=" for the tie, lets Enter place the last one, and tries Backspace, 0 (all bad) and wrong keys.
export async function testRanking(browser, h) {
  let r = await h.api('POST', '/api/v1/projects', { name: 'pref-rank', type: 'ranking' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const groups = { r3: [2, 1, 3], r4: [3, 1, 2, 2], r5: [5, 4, 3, 2, 1], r9: [9, 8, 7, 6, 5, 4, 3, 2, 1], rbad: [1, 2, 3] };
  const recs = Object.entries(groups).map(([id, gs]) => ({
    id, prompt: `Rank ${id}`, responses: gs.map((g, i) => `g${g} response ${i} of ${id}`),
  }));
  h.importJsonl('pref-rank', recs);
  r = await h.api('POST', '/api/v1/projects/pref-rank/queue', { items: recs.map((x) => x.id) });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  const token = await h.signInAs(browser, 'rankann', 'annotator', ['pref-rank']);
  const { page, context, events } = await h.newPage(browser);
  await h.signIn(page, token, 'pref-rank');
  await watchPointer(page);
  const expect = {};
  let n = 0;
  while ((await page.evaluate(() => document.body.dataset.state)) !== 'empty') {
    const s = await screen(page);
    const rec = recs.find((x) => x.id === s.item);
    assert.ok(rec, `unexpected item ${s.item}`);
    const shown = s.panes.map((t) => rec.responses.indexOf(t));
    assert.deepEqual([...shown].sort((a, b) => a - b), [...rec.responses.keys()], `${s.item}: every response shown verbatim`);
    const k = rec.responses.length;
    if (n === 0) {
      await page.keyboard.press('=');
      assert.match(await lastFeedback(page), /rank one first/);
      await page.keyboard.press(String(k + 1));
      assert.match(await lastFeedback(page), new RegExp(`no response ${k + 1} here`));
      await page.keyboard.press('Enter');
      assert.match(await lastFeedback(page), /rank the responses first/);
      await page.keyboard.press('1');
      await page.keyboard.press('1');
      assert.match(await lastFeedback(page), /already ranked/);
      await page.keyboard.press('Backspace');
      assert.match(await lastFeedback(page), /response 1 taken back/);
    }
    if (s.item === 'rbad') {
      await page.keyboard.press('0');
      assert.match((await screen(page)).choice, /All bad/);
      await page.keyboard.press('Enter');
      await waitItem(page, s.item);
      expect[s.item] = { ranking: 'bad', shown };
      n++;
      continue;
    }
    // Screen positions of each group, best first.
    const gOf = (pos) => Number(s.panes[pos].match(/^g(\d+)/)[1]);
    const positions = [...s.panes.keys()].sort((a, b) => gOf(a) - gOf(b) || a - b);
    const keys = [];
    positions.forEach((pos, i) => {
      if (i > 0 && gOf(pos) === gOf(positions[i - 1])) keys.push('=');
      keys.push(String(pos + 1));
    });
    // The last number is left out: Enter puts the last response last (not for a tie at the end).
    const typed = keys[keys.length - 2] === '=' ? keys : keys.slice(0, -1);
    for (const key of typed) await page.keyboard.press(key);
    await page.keyboard.press('Enter');
    await waitItem(page, s.item);
    // The stored order: letters of the responses, '=' inside a tie group.
    let order = '';
    positions.forEach((pos, i) => {
      if (i > 0) order += gOf(pos) === gOf(positions[i - 1]) ? '=' : '>';
      order += String.fromCharCode(65 + shown[pos]);
    });
    expect[s.item] = { ranking: order, shown };
    n++;
  }
  assert.equal(n, 5);
  const got = exportAnswers(h, 'pref-rank', 'rankann');
  for (const [id, want] of Object.entries(expect)) {
    assert.ok(got[id], `${id}: no stored answer`);
    assert.equal(got[id].preference, want.ranking, `${id}: ${JSON.stringify(got[id])}`);
    assert.deepEqual(got[id].shown, want.shown, `${id}: display order stored`);
  }
  assert.deepEqual(await page.evaluate(() => window.__pointer), [], 'no pointer event reached the page');
  assert.deepEqual(events.pageErrors, []);
  await context.close();
  return 'rankings of 3, 4 (with a tie), 5 and 9 responses and one all bad';
}

// Every XSS payload as a response, as a dialogue message and its role, as a model name and in
// meta: the page shows it as text, nothing runs, no element is injected.
export async function testComparisonXss(browser, h) {
  let r = await h.api('POST', '/api/v1/projects', { name: 'pref-xss', type: 'pairwise' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const p = h.payloads;
  const recs = p.map((x, i) => ({
    id: `px${String(i).padStart(2, '0')}`,
    prompt: i % 2 ? x : [{ role: x, content: x }, { role: 'user', content: p[(i + 3) % p.length] }],
    responses: [{ text: x, model: x }, { text: p[(i + 1) % p.length], model: p[(i + 2) % p.length] }],
    meta: { note: x },
  }));
  h.importJsonl('pref-xss', recs);
  r = await h.api('POST', '/api/v1/projects/pref-xss/queue', { items: recs.map((x) => x.id) });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  const token = await h.signInAs(browser, 'xssann', 'annotator', ['pref-xss']);
  const { page, context, events } = await h.newPage(browser);
  await h.signIn(page, token, 'pref-xss');
  await watchPointer(page);
  let seen = 0;
  while ((await page.evaluate(() => document.body.dataset.state)) !== 'empty') {
    const s = await screen(page);
    const rec = recs.find((x) => x.id === s.item);
    assert.ok(rec, `unexpected item ${s.item}`);
    assert.deepEqual([...s.panes].sort(), rec.responses.map((x) => x.text).sort(), `${s.item}: responses verbatim`);
    const dom = await page.evaluate(() => ({
      prompt: document.getElementById('cmp-prompt').textContent,
      // Only the page's own elements: message blocks with role and content holders, text only.
      elementsInText: [...document.querySelectorAll('.cmp-text, .msg-role, .msg-content')].reduce((a, e) => a + e.childElementCount, 0),
      injected: document.querySelectorAll('main script, main img, main svg, main iframe, main object, main embed, main a[href^="javascript"], main style, main link, main video, main audio, main details, main marquee, main template').length,
      meta: [...document.querySelectorAll('#item-meta td')].map((e) => e.textContent),
    }));
    assert.equal(dom.elementsInText, 0, `${s.item}: text produced elements`);
    assert.equal(dom.injected, 0, `${s.item}: injected elements`);
    const promptParts = Array.isArray(rec.prompt) ? rec.prompt.flatMap((m) => [m.role, m.content]) : [rec.prompt];
    assert.equal(dom.prompt, promptParts.join(''), `${s.item}: prompt verbatim`);
    assert.ok(dom.meta.includes(rec.meta.note), `${s.item}: meta verbatim`);
    await page.keyboard.press('1');
    await page.keyboard.press('Enter');
    await waitItem(page, s.item);
    seen++;
  }
  assert.equal(seen, p.length);
  const side = await page.evaluate(() => ({ pwned: window.__pwned, violations: window.__violations }));
  assert.equal(side.pwned, undefined, 'a payload ran');
  assert.equal(side.violations, 0, 'CSP blocked something: a payload reached the DOM as markup');
  assert.deepEqual(events.dialogs, [], 'a payload opened a dialog');
  assert.deepEqual(events.pageErrors, []);
  // The history panel shows the prompts as text too.
  await page.keyboard.press('h');
  await page.waitForFunction(() => document.querySelectorAll('#history-list button').length > 0);
  const hist = await page.evaluate(() => document.querySelectorAll('aside script, aside img, aside svg, aside iframe, aside a, aside style').length);
  assert.equal(hist, 0, 'history: injected elements');
  assert.deepEqual(await page.evaluate(() => window.__pointer), [], 'no pointer event reached the page');
  await context.close();
  return `${seen} payloads in responses, prompts, roles, model names and meta`;
}

// Ranking with the pointer: clicking headers ranks responses in turn, dragging one onto a ranked
// response puts it just before that one, and the stored ranking is what the screen showed.
export async function testRankingByPointer(browser, h) {
  let r = await h.api('POST', '/api/v1/projects', { name: 'pref-ptr', type: 'ranking' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const recs = [{ id: 'p4', prompt: 'Rank these', responses: ['g3 third', 'g1 best', 'g4 worst', 'g2 second'] }];
  h.importJsonl('pref-ptr', recs);
  r = await h.api('POST', '/api/v1/projects/pref-ptr/queue', { items: ['p4'] });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  const token = await h.signInAs(browser, 'ptrann', 'annotator', ['pref-ptr']);
  const { page, context, events } = await h.newPage(browser);
  await h.signIn(page, token, 'pref-ptr');
  const s = await screen(page);
  assert.equal(s.item, 'p4');
  const head = (tag) => page.locator('#cmp-responses .cmp-pane').filter({ hasText: tag }).locator('.cmp-head');
  // Click g2, g1, g3 (g1 and g2 the wrong way round), then drag g1 onto g2, then click g4.
  await head('g2 second').click();
  await head('g1 best').click();
  await head('g3 third').click();
  await head('g1 best').dragTo(head('g2 second'));
  await head('g4 worst').click();
  const marks = await page.locator('#cmp-responses .cmp-pane').evaluateAll((ps) => ps.map((p) => p.textContent));
  for (const [tag, rank] of [['g1', 1], ['g2', 2], ['g3', 3], ['g4', 4]]) {
    assert.ok(marks.some((m) => m.includes(`#${rank}`) && m.includes(tag)), `${tag} shown as #${rank}: ${JSON.stringify(marks)}`);
  }
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.dataset.state === 'empty');
  const got = exportAnswers(h, 'pref-ptr', 'ptrann');
  // Stored order: responses by letter (A = g3, B = g1, C = g4, D = g2), best first.
  assert.equal(got.p4.preference, 'B>D>A>C', JSON.stringify(got.p4));
  assert.deepEqual(events.pageErrors, []);
  await context.close();
  return '4 responses ranked by clicks and one drag';
}

