// Time until the annotator page is interactive (first task shown, keys live) for a signed-in
// annotator: navigation start -> body[data-state=ready]. Uses Debian chromium via the
// playwright-core pinned in tests/browser (run `npm ci` there first).
// Usage: node bench/server/page_ready.mjs BASE_URL TOKEN PROJECT [RUNS] [warm|cold|keys]
//   warm (default): every run opens a new page in one browser context (signed in once; assets
//   the server lets the browser keep come from its cache after the first run);
//   cold: every run is a new context (empty cache), signed in before the timed navigation;
//   keys: "next task after a key": one page, RUNS answers by keyboard (Enter accepts the
//   pre-label; `1` on tasks without one, e.g. blind audits), each timed from the key press to the
//   next task shown with keys live (body[data-state=ready] with a new data-item). Every answer is
//   a real submit: the project loses RUNS queued items.
import { createRequire } from 'node:module';
const require = createRequire(new URL('../../tests/browser/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const [base, token, project, runsArg, modeArg] = process.argv.slice(2);
const runs = Number(runsArg || 7);
const cold = modeArg === 'cold';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
// Sign in through the API; the session cookie is what the page uses.
async function signedInContext() {
  const context = await browser.newContext();
  const res = await context.request.post(`${base}/api/v1/session`, { data: { token } });
  if (res.status() !== 200) throw new Error(`sign-in: ${res.status()}`);
  return context;
}
if (modeArg === 'keys') {
  const context = await signedInContext();
  const page = await context.newPage();
  await page.goto(`${base}/?project=${encodeURIComponent(project)}`);
  await page.waitForFunction(() => document.body.dataset.state === 'ready');
  const times = [];
  for (let i = 0; i < runs; i++) {
    const before = await page.evaluate(() => ({ item: document.body.dataset.item,
      pre: !!document.getElementById('prelabel-name') }));
    const t0 = Date.now();
    await page.keyboard.press(before.pre ? 'Enter' : '1');
    await page.waitForFunction((p) => document.body.dataset.state === 'empty' ||
      (document.body.dataset.state === 'ready' && document.body.dataset.item !== p), before.item);
    times.push(Date.now() - t0);
    if (await page.evaluate(() => document.body.dataset.state) === 'empty') break;
  }
  const sorted = [...times].sort((a, b) => a - b);
  const q = (f) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))];
  console.log(JSON.stringify({ mode: 'keys', runs: times.length, median_ms: q(0.5), p90_ms: q(0.9), p99_ms: q(0.99),
    max_ms: sorted[sorted.length - 1] }));
  await browser.close();
  process.exit(0);
}
let context = cold ? null : await signedInContext();
const times = [];
for (let i = 0; i < runs; i++) {
  if (cold) context = await signedInContext();
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(`${base}/?project=${encodeURIComponent(project)}`);
  await page.waitForFunction(() => document.body.dataset.state === 'ready');
  times.push(Date.now() - t0);
  await page.close();  // each run leases one more item; the project has plenty
  if (cold) await context.close();
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ mode: cold ? 'cold' : 'warm', runs, ms: times, median_ms: times[Math.floor(times.length / 2)], max_ms: times[times.length - 1] }));
await browser.close();
