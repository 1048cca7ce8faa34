// The data browser in the admin page (web/assets/browse.js), run from run.mjs: keyset pages
// forward and back by key, a filter, a search, an item's history opened and closed by key, a bulk
// action (mark gold) read back through the API, and XSS payloads as item text, meta, id and label
// name that render as text only.
import assert from 'node:assert/strict';

async function ready(page) {
  await page.waitForFunction(() => document.body.dataset.browse === 'ready');
}

async function rowIds(page) {
  return page.evaluate(() => [...document.querySelectorAll('#items tr.row')].map((tr) => tr.dataset.id));
}

// Waits for the table to show something other than `prev` (a new page or filter result).
async function changed(page, prev) {
  await page.waitForFunction((p) => document.body.dataset.browse === 'ready' &&
    JSON.stringify([...document.querySelectorAll('#items tr.row')].map((tr) => tr.dataset.id)) !== p,
  JSON.stringify(prev));
}

export async function testDataBrowser(browser, { api, importJsonl, newPage, payloads, ADMIN_TOKEN, BASE }) {
  const xssLabel = payloads[0];
  let r = await api('POST', '/api/v1/projects', { name: 'data', labels: ['ham', 'spam', xssLabel] });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const recs = [];
  for (let i = 0; i < 130; i++) {
    const id = `d${String(i).padStart(3, '0')}`;
    const rec = { id, text: `item ${i} about ${i % 40 === 7 ? 'zebras' : 'cats'}`,
      prediction: { label: i % 2 ? 'spam' : 'ham', score: 0.5 + (i % 50) / 100 } };
    if (i % 10 === 0) rec.label = i % 20 ? 'spam' : 'ham';
    recs.push(rec);
  }
  // An item whose id, text, meta and label are payloads (ids may not hold '/': path segments).
  const xssId = '"><img src=x onerror=window.__pwned=1>';
  recs.push({ id: xssId, text: payloads.join('\n'), meta: { note: payloads[1] }, label: xssLabel,
    prediction: { label: xssLabel, score: 0.51 } });
  importJsonl('data', recs);

  const { page, context, events } = await newPage(browser);
  await page.goto(`${BASE}/admin?project=data#data`);
  await page.waitForFunction(() => document.body.dataset.state === 'signin');
  await page.keyboard.type(ADMIN_TOKEN);
  await page.keyboard.press('Enter');
  await ready(page);
  await page.evaluate(() => {
    window.__violations = 0;
    document.addEventListener('securitypolicyviolation', () => { window.__violations++; });
  });

  // Paging by key: n, n, p; each page starts where the last one ended.
  let ids = await rowIds(page);
  assert.equal(ids.length, 50);
  assert.equal(ids[0], 'd000');
  await page.evaluate(() => document.activeElement.blur());  // leave the search box (it has focus)
  await page.keyboard.press('n');
  await changed(page, ids);
  ids = await rowIds(page);
  assert.equal(ids[0], 'd050');
  await page.keyboard.press('n');
  await changed(page, ids);
  ids = await rowIds(page);
  assert.equal(ids.length, 31, 'the last page: 30 items and the payload one');
  assert.equal(await page.locator('#page-next').isDisabled(), true);
  await page.keyboard.press('p');
  await changed(page, ids);
  assert.equal((await rowIds(page))[0], 'd050');

  // A filter: labelled items only.
  ids = await rowIds(page);
  await page.selectOption('#f-state', 'labeled');
  await page.locator('#f-q').press('Enter');
  await changed(page, ids);
  ids = await rowIds(page);
  assert.equal(ids.length, 14, `labelled: ${ids}`);
  const states = await page.locator('#items tr.row td:nth-child(4)').allTextContents();
  assert.ok(states.every((s) => s.startsWith('labeled')), `states: ${states}`);

  // A search (the "/" key focuses the box), in every state.
  await page.selectOption('#f-state', '');
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('/');
  await page.keyboard.type('ZEBRA');
  await page.keyboard.press('Enter');
  await changed(page, ids);
  ids = await rowIds(page);
  assert.deepEqual(ids, ['d007', 'd047', 'd087', 'd127']);

  // An item's history by key: j to the second row, Enter, Escape.
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.dataset.detail === 'd047');
  const predictions = await page.locator('#detail-predictions td').allTextContents();
  assert.ok(predictions.includes('spam'), `predictions: ${predictions}`);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.getElementById('item-detail').hidden);

  // A bulk action: select two rows with "x" and mark them gold (they need a label first).
  r = await api('POST', '/api/v1/projects/data/items/label', { items: ['d007', 'd047'], labels: ['ham'] });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  await page.keyboard.press('x');  // the focused row: d047
  await page.keyboard.press('k');
  await page.keyboard.press('x');  // d007
  await page.waitForFunction(() => document.getElementById('bulk-count').textContent === '2 selected');
  await page.click('#bulk-gold');
  await page.waitForFunction(() => /marked gold: 2 items/.test(document.getElementById('data-status').textContent));
  r = await api('GET', '/api/v1/projects/data/items?split=gold');
  assert.deepEqual(r.data.items.map((x) => x.id), ['d007', 'd047']);
  const shown = await page.locator('#items tr.row td:nth-child(4)').allTextContents();
  assert.ok(shown.filter((s) => s.endsWith('gold')).length === 2, `after: ${shown}`);

  // The payload item: found by a search on its text, rendered and opened as text only.
  ids = await rowIds(page);
  await page.fill('#f-q', payloads[1].slice(0, 20));
  await page.locator('#f-q').press('Enter');
  await changed(page, ids);
  ids = await rowIds(page);
  assert.deepEqual(ids, [xssId]);
  await page.locator('#items tr.row').first().click();
  await page.waitForFunction((id) => document.body.dataset.detail === id, xssId);
  assert.equal(await page.locator('#detail-text').textContent(), payloads.join('\n'));
  const cells = await page.locator('#items tr.row td').allTextContents();
  assert.ok(cells.includes(xssId), 'the payload id is shown verbatim');
  assert.ok(cells.some((c) => c.startsWith(xssLabel)), 'the payload label is shown verbatim');
  const injected = await page.evaluate(() =>
    document.querySelectorAll('#data script, #data img, #data iframe, #data object, #data embed, #data svg').length);
  assert.equal(injected, 0, 'a payload reached the page as markup');
  const side = await page.evaluate(() => ({ pwned: window.__pwned, violations: window.__violations }));
  assert.equal(side.pwned, undefined, 'a payload ran');
  assert.equal(side.violations, 0);
  assert.deepEqual(events.dialogs, []);
  assert.deepEqual(events.pageErrors, []);
  await context.close();
  return `${recs.length} items`;
}
