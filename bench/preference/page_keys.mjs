// "Next comparison after a key" on the annotator page (web/assets/compare.js), Debian chromium via
// the playwright-core pinned in tests/browser (run `npm ci` there first).
// Usage: node bench/preference/page_keys.mjs BASE_URL TOKEN PROJECT [RUNS]
// One page; RUNS pairwise answers by keyboard: `1` (left better), then `Enter`, timed from the
// Enter (the key that submits) to the next comparison shown with keys live (body[data-state=ready]
// with a new data-item and its two responses in the panes). Every answer is a real submit.
import { createRequire } from 'node:module';
const require = createRequire(new URL('../../tests/browser/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const [base, token, project, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 200);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext();
const res = await context.request.post(`${base}/api/v1/session`, { data: { token } });
if (res.status() !== 200) throw new Error(`sign-in: ${res.status()}`);
const page = await context.newPage();
const t00 = Date.now();
await page.goto(`${base}/?project=${encodeURIComponent(project)}`);
await page.waitForFunction(() => document.body.dataset.state === 'ready' && document.body.dataset.comparison);
const first = Date.now() - t00;
const times = [];
let chars = 0;
for (let i = 0; i < runs; i++) {
  const item = await page.evaluate(() => document.body.dataset.item);
  chars += await page.evaluate(() => [...document.querySelectorAll('#cmp-responses .cmp-text, #cmp-prompt')]
    .reduce((a, e) => a + e.textContent.length, 0));
  await page.keyboard.press('1');
  const t0 = Date.now();
  await page.keyboard.press('Enter');
  await page.waitForFunction((p) => document.body.dataset.state === 'empty' ||
    (document.body.dataset.state === 'ready' && document.body.dataset.item !== p &&
     document.querySelectorAll('#cmp-responses .cmp-text').length >= 2), item);
  times.push(Date.now() - t0);
  if (await page.evaluate(() => document.body.dataset.state) === 'empty') break;
}
const sorted = [...times].sort((a, b) => a - b);
const q = (f) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))];
console.log(JSON.stringify({ mode: 'comparison-keys', runs: times.length, first_task_ms: first, median_ms: q(0.5),
  p90_ms: q(0.9), p99_ms: q(0.99), max_ms: sorted[sorted.length - 1], mean_chars_shown: Math.round(chars / Math.max(1, times.length)) }));
await browser.close();
