// Browser test of the review workflow (web/review.html + assets/review.js; docs/SERVER.md
// "Reviewing answers"), run by run.mjs with its helpers. Keyboard only on the review page: a
// reviewer rejects an answer with a comment (R, type, Enter) and approves another (A); the
// annotator's page then hands the rejected item back with the comment as its reason, the annotator
// answers again, and the exports hold both answers and the verdicts. Item text and comment are XSS
// payloads: they must render as text, with no dialog, no CSP violation and no injected element.
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';

async function asUser(h, method, path, body, token) {
  return h.api(method, path, body, token);
}

async function watch(page) {
  await page.evaluate(() => {
    window.__pointer = 0;
    window.__violations = 0;
    for (const t of ['pointerdown', 'mousedown', 'wheel']) document.addEventListener(t, () => { window.__pointer++; }, true);
    document.addEventListener('securitypolicyviolation', () => { window.__violations++; });
  });
}

function injected(page) {
  return page.evaluate(() => document.querySelectorAll('main script, main img, main svg, main iframe, main object, ' +
    'main embed, main a[href^="javascript"], main style, main link, main video, main audio, main template').length);
}

export async function testReview(browser, h) {
  const text = h.payloads[0];
  const comment = `wrong: ${h.payloads[1]}`;
  let r = await h.api('POST', '/api/v1/projects', { name: 'rv', labels: ['ham', 'spam'] });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  h.importJsonl('rv', [{ id: 'r1', text }, { id: 'r2', text: 'a plain second item' }]);
  const annToken = await h.signInAs(browser, 'rv_ann', 'annotator', ['rv']);
  const revToken = await h.signInAs(browser, 'rv_rev', 'reviewer', ['rv']);
  r = await h.api('POST', '/api/v1/projects/rv/queue', { items: ['r1', 'r2'] });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  // The annotator's first answers (spam to both), through the API.
  for (let i = 0; i < 2; i++) {
    const t = await asUser(h, 'POST', '/api/v1/projects/rv/tasks/next', undefined, annToken);
    assert.equal(t.status, 200, JSON.stringify(t.data));
    const s = await asUser(h, 'POST', `/api/v1/leases/${t.data.lease.id}/submit`, { label: 'spam' }, annToken);
    assert.equal(s.status, 200, JSON.stringify(s.data));
  }

  // The reviewer, keyboard only.
  const rev = await h.newPage(browser);
  await rev.page.goto(`${h.BASE}/review?project=rv`);
  await rev.page.waitForFunction(() => document.body.dataset.state === 'signin');
  await watch(rev.page);
  await rev.page.keyboard.type(revToken);
  await rev.page.keyboard.press('Enter');
  await rev.page.waitForFunction(() => document.body.dataset.state === 'answer');
  await watch(rev.page);
  const shown = async () => rev.page.evaluate(() => ({
    text: document.getElementById('item-text').textContent,
    children: document.getElementById('item-text').childElementCount,
    annotator: document.getElementById('a-annotator').textContent,
    labels: document.getElementById('a-labels').textContent,
    answer: document.body.dataset.answer,
  }));
  // J/K (and the arrows) move between the answers, one key each.
  const pos = () => rev.page.evaluate(() => Number(document.body.dataset.pos));
  const goTo = async (index, keys = ['j', 'k']) => {
    while ((await pos()) !== index) {
      const from = await pos();
      await rev.page.keyboard.press(from < index ? keys[0] : keys[1]);
      await rev.page.waitForFunction((p) => Number(document.body.dataset.pos) !== p, from);
    }
  };
  let s = await shown();
  if (s.text !== text) {
    await goTo(1, ['ArrowRight', 'ArrowLeft']);
    s = await shown();
  }
  const r1pos = await pos();
  assert.equal(s.text, text, 'item text must render verbatim');
  assert.equal(s.children, 0, 'item text produced elements');
  assert.equal(s.annotator, 'rv_ann');
  assert.equal(s.labels, 'spam');
  await rev.page.keyboard.press('r');
  await rev.page.waitForFunction(() => document.activeElement && document.activeElement.id === 'reject-comment');
  await rev.page.keyboard.type(comment);
  await rev.page.keyboard.press('Enter');
  await rev.page.waitForFunction(() => document.body.dataset.lastVerdict === 'reject');
  // Regression: the confirmation was written before moving to the next answer, which cleared it,
  // so the reviewer never saw what their key did.
  const said = await rev.page.textContent('#feedback');
  assert.ok(said.startsWith("Rejected rv_ann's answer on ") && said.includes('sent back to them'), said);
  // Back on it: the verdict is shown as text.
  await goTo(r1pos);
  const verdicts = await rev.page.evaluate(() => ({
    text: document.getElementById('a-verdicts').textContent,
    deep: [...document.querySelectorAll('#a-verdicts div')].map((d) => d.childElementCount),
  }));
  assert.ok(verdicts.text.includes(comment), verdicts.text);
  assert.deepEqual(verdicts.deep, [0]);
  // The other answer: approve it with A.
  await goTo(1 - r1pos);
  await rev.page.keyboard.press('a');
  await rev.page.waitForFunction(() => document.body.dataset.lastVerdict === 'approve');
  assert.equal(await injected(rev.page), 0);
  assert.equal(await rev.page.evaluate(() => window.__pointer), 0, 'a pointer event reached the review page');
  assert.equal(await rev.page.evaluate(() => window.__violations), 0);
  assert.deepEqual(rev.events.dialogs, []);
  assert.deepEqual(rev.events.pageErrors, []);
  await rev.context.close();

  // The annotator gets r1 back with the comment as the reason, and answers it again.
  const ann = await h.newPage(browser);
  await h.signIn(ann.page, annToken, 'rv');
  await watch(ann.page);
  await ann.page.waitForFunction(() => document.body.dataset.state === 'ready' && document.body.dataset.item === 'r1');
  const task = await ann.page.evaluate(() => ({
    reason: document.getElementById('reason').textContent,
    reasonChildren: document.getElementById('reason').childElementCount,
    banner: document.getElementById('kind-banner').textContent,
    text: document.getElementById('item-text').textContent,
  }));
  assert.ok(task.reason.includes(comment), `the comment is not the reason: ${task.reason}`);
  assert.ok(task.reason.includes('rv_rev'), task.reason);
  assert.equal(task.reasonChildren, 0);
  assert.ok(task.banner.includes('REWORK'), task.banner);
  assert.equal(task.text, text);
  await ann.page.keyboard.press('1');  // ham
  await ann.page.waitForFunction(() => document.body.dataset.state === 'empty');
  assert.equal(await injected(ann.page), 0);
  assert.equal(await ann.page.evaluate(() => window.__violations), 0);
  assert.deepEqual(ann.events.dialogs, []);
  assert.deepEqual(ann.events.pageErrors, []);
  await ann.context.close();

  // The exports: the new answer is the label, the rejected one and the verdict beside it.
  const jsonl = execFileSync(h.HITLOOP, ['--db', h.DB, 'export', 'rv', '--format', 'jsonl'], { encoding: 'utf8' });
  const recs = Object.fromEntries(jsonl.split('\n').filter(Boolean).map((l) => JSON.parse(l)).map((x) => [x.id, x]));
  assert.equal(recs.r1.label, 'ham');
  assert.equal(recs.r1.reviews.length, 1);
  assert.deepEqual([recs.r1.reviews[0].verdict, recs.r1.reviews[0].comment, recs.r1.reviews[0].reviewer,
    recs.r1.reviews[0].annotator], ['reject', comment, 'rv_rev', 'rv_ann']);
  assert.deepEqual(recs.r1.reviews[0].labels, ['spam']);
  assert.equal(recs.r2.reviews[0].verdict, 'approve');
  const ls = JSON.parse(execFileSync(h.HITLOOP, ['--db', h.DB, 'export', 'rv', '--format', 'label-studio'], { encoding: 'utf8' }));
  const t1 = ls.find((t) => t.meta.hitloop.id === 'r1');
  const answers = t1.annotations.map((a) => a.result[0].value.choices[0]);
  assert.deepEqual(answers, ['spam', 'ham'], JSON.stringify(t1.annotations));
  assert.equal(t1.annotations[0].reviews[0].accepted, false);
  assert.equal(t1.annotations[0].reviews[0].comment, comment);
  assert.equal(t1.annotations[1].reviews, undefined);
  return 'rejected by keyboard, reworked with the comment shown, both answers and the verdict exported';
}
