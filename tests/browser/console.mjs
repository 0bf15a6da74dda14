// The demo console in a real browser: Playwright's driver over the system's
// Chromium, against a running `diorama serve`.
//
// Run by `tests/e2e/console.rs`, which starts the server, installs this
// folder's pinned packages and passes:
//   DIORAMA_BASE       the server, http://127.0.0.1:PORT
//   DIORAMA_ADMIN      its admin token
//   DIORAMA_CHROMIUM   the Chromium executable
//   DIORAMA_OUT        a folder for the screenshots and the browser profile
//   PLAYWRIGHT_CORE    the installed playwright-core's index.mjs
//   AXE_CORE           the installed axe-core's axe.min.js (the accessibility audit)
// It prints `figure: NAME VALUE` lines and ends with `RESULT <json>`.

import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const BASE = env('DIORAMA_BASE');
const ADMIN = env('DIORAMA_ADMIN');
const OUT = env('DIORAMA_OUT');
const { chromium } = await import(env('PLAYWRIGHT_CORE'));
const AXE = fs.readFileSync(env('AXE_CORE'), 'utf8');

const LAPTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };
const result = { steps: [], screenshots: [], audited: [], violations: [] };
const step = (name) => { result.steps.push(name); console.log(`step: ${name}`); };
const figure = (name, value) => { result[name] = value; console.log(`figure: ${name} ${value}`); };
function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
}
async function v1(method, p, body, token = ADMIN) {
  const init = { method, headers: { Authorization: `Bearer ${token}` } };
  if (body) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
  const res = await fetch(BASE + p, init);
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

// The browser reaches the server through this TCP relay, so the test can
// drop every connection at once, as a network would.
const relayed = new Set();
const relay = net.createServer((client) => {
  const { hostname, port } = new URL(BASE);
  const upstream = net.connect(Number(port), hostname);
  for (const [a, b] of [[client, upstream], [upstream, client]]) {
    relayed.add(a);
    a.pipe(b);
    a.on('error', () => b.destroy());
    a.on('close', () => { relayed.delete(a); b.destroy(); });
  }
});
await new Promise((r) => relay.listen(0, '127.0.0.1', r));
const PAGE = `http://127.0.0.1:${relay.address().port}`;
const dropConnections = () => { for (const sock of relayed) sock.destroy(); };

fs.mkdirSync(path.join(OUT, 'screenshots'), { recursive: true });
const profileDir = fs.mkdtempSync(path.join(OUT, 'chromium-'));
const context = await chromium.launchPersistentContext(profileDir, {
  executablePath: env('DIORAMA_CHROMIUM'),
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  viewport: LAPTOP,
  permissions: ['clipboard-read', 'clipboard-write'],
});
const page = context.pages()[0] || await context.newPage();
page.setDefaultTimeout(20000);
const consoleErrors = [];
page.on('pageerror', (e) => consoleErrors.push(String(e)));
page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
// Nothing may leave the server's origin.
const outside = [];
page.on('request', (r) => { if (!r.url().startsWith(PAGE) && !r.url().startsWith('data:')) outside.push(r.url()); });

// The accessibility audit of the screen as it is: axe-core's WCAG 2.1 A
// and AA rules (labels, names, roles, contrast, ...). Evaluated through
// the driver, so the page's own content security policy stays as served.
async function audit(name) {
  const found = await page.evaluate(async (source) => {
    if (!window.axe) (0, eval)(source);
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  }, AXE);
  result.audited.push(name);
  for (const v of found) {
    result.violations.push({ screen: name, ...v });
    console.log(`a11y: ${name}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.join(', ')}`);
  }
}

async function shot(name) {
  for (const [label, size] of [['laptop', LAPTOP], ['phone', PHONE]]) {
    await page.setViewportSize(size);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(250);
    const file = path.join(OUT, 'screenshots', `${name}-${label}.png`);
    await page.screenshot({ path: file });
    result.screenshots.push(file);
    await audit(`${name} (${label})`);
  }
  await page.setViewportSize(LAPTOP);
}

let exitCode = 0;
let receiver;
try {
  // ---- first load: the page's weight, measured on the wire.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  let bytes = 0;
  let requests = 0;
  const onFinished = (e) => { bytes += e.encodedDataLength; requests += 1; };
  cdp.on('Network.loadingFinished', onFinished);
  await page.goto(PAGE + '/', { waitUntil: 'load' });
  await page.getByLabel('Token', { exact: true }).waitFor();
  await page.waitForTimeout(300);
  cdp.off('Network.loadingFinished', onFinished);
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  figure('page_bytes', bytes);
  figure('page_requests', requests);
  check(bytes > 1000 && bytes < 200000, `the first load is between 1 kB and 200 kB (${bytes})`);
  await shot('sign-in');

  // ---- sign in with the admin token; a wrong one is refused.
  step('sign in');
  await page.getByLabel('Token', { exact: true }).fill('not-a-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('This token is not valid on this server.').waitFor();
  await page.getByLabel('Token', { exact: true }).fill(ADMIN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Profiles' }).waitFor();
  check(await page.evaluate(() => !location.href.includes('token') && sessionStorage.getItem('diorama.token') !== null), 'the token is in session storage, not the URL');

  // ---- another profile, made through /v1, for the isolation check.
  const other = await v1('POST', '/v1/profiles', { name: 'someone-else', niche: 'gaming', size: 1000 });
  check(other.status === 201, `a second profile is created (${other.status})`);

  // ---- create from a preset: it starts at once; time to the first feed item.
  step('create a profile from a preset');
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Tech creator, 100k, all platforms' }).click();
  await page.locator('#feed').waitFor();
  const id = await page.evaluate(() => location.hash.split('/')[2]);
  check(/^[0-9]+$/.test(id), `the console opened the new profile (${id})`);
  await page.locator('#feed .item').first().waitFor({ timeout: 15000 });
  figure('first_feed_item_ms', Date.now() - t0);

  // ---- a high speed.
  step('start it at high speed');
  await page.getByLabel('Speed', { exact: true }).fill('20000');
  await page.getByRole('button', { name: 'Set speed' }).click();
  await page.locator('#fig-speed', { hasText: '×20000' }).waitFor();
  const running = await v1('GET', `/v1/profiles/${id}`);
  check(running.json.status === 'running' && running.json.speed === 20000, `the profile runs at 20000 (${JSON.stringify(running.json)})`);

  // ---- comments appear within seconds.
  step('comments appear in the feed');
  const t1 = Date.now();
  await page.locator('#feed .item[data-kind="comment"]').first().waitFor({ timeout: 10000 });
  figure('first_comment_ms', Date.now() - t1);
  await page.waitForTimeout(1500);
  check(!(await page.locator('#main').innerText()).includes('null'), 'no stray "null" on the page');
  await shot('live');

  // ---- reply to a comment from the feed; the reply shows in the feed and in /v1.
  step('reply to a comment');
  await page.getByLabel('Platform', { exact: true }).selectOption('youtube');
  await page.getByLabel('Kind', { exact: true }).selectOption('comment');
  // Wait until the feed is current (at this speed events stream fast), so
  // the comment picked is one the platform still remembers.
  const t5 = Date.now();
  await page.waitForFunction(() => {
    const b = document.querySelector('#stream-state');
    return b && b.dataset.behind !== undefined && Number(b.dataset.behind) < 200;
  }, null, { timeout: 60000 });
  figure('feed_current_ms', Date.now() - t5);
  // Pause the moving feed to pick a comment, as a host would.
  await page.getByRole('button', { name: 'Pause feed' }).click();
  await page.locator('#feed .item[data-kind="comment"] button.reply').first().click();
  const text = `Thanks for watching! (console ${Date.now() % 100000})`;
  await page.getByLabel('Your reply').fill(text);
  await page.getByRole('button', { name: 'Send reply' }).click();
  await page.locator('#toast', { hasText: 'Reply sent' }).waitFor();
  await page.getByRole('button', { name: 'Resume feed' }).click();
  await page.getByLabel('Kind', { exact: true }).selectOption('reply');
  await page.getByLabel('From', { exact: true }).selectOption('creator');
  await page.locator('#feed .item[data-kind="reply"]', { hasText: text }).waitFor({ timeout: 10000 });
  await page.getByLabel('From', { exact: true }).selectOption('');
  const replies = await v1('GET', `/v1/profiles/${id}/interactions?platform=youtube&kind=reply&order=desc&limit=1000`);
  check(replies.json.items.some((e) => e.text === text), 'the reply is in /v1 interactions');

  // ---- act as the creator: publish until the platform's limit answers 429 with the wait.
  step('publish until the limit');
  await page.getByRole('link', { name: 'Act' }).click();
  await page.getByLabel('Platform', { exact: true }).selectOption('youtube');
  let limited = '';
  for (let i = 0; i < 12 && !limited; i++) {
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.locator('#act-result:not(:empty)').waitFor();
    const t = await page.locator('#act-result').textContent();
    if (t.includes('Retry in')) limited = t;
    await page.waitForTimeout(100);
    await page.evaluate(() => { document.querySelector('#act-result').textContent = ''; });
  }
  check(limited.startsWith('Limit reached'), `a 429 shows the wait (${limited})`);
  await page.locator('#act-result').evaluate((el, t) => { el.textContent = t; el.className = 'error'; }, limited);
  await shot('act');
  await page.getByRole('link', { name: 'Live' }).click();
  await page.locator('#chart-rate').waitFor();

  // ---- a viral signal visibly raises the chart.
  step('a viral signal raises the chart');
  const rate = async () => Number(await page.locator('#chart-rate li[data-platform="youtube"]').getAttribute('data-now'));
  // The highest rate over a few quiet seconds, then the highest after the
  // signal on the video just published: three hundred times its reach,
  // decaying over the plugin's default eight virtual hours.
  const highest = async (ms, stopAt = Infinity) => {
    let top = 0;
    for (const end = Date.now() + ms; Date.now() < end && top < stopAt;) {
      top = Math.max(top, await rate());
      await page.waitForTimeout(250);
    }
    return top;
  };
  // At an hour a second, once the bursts of the uploads just made are over.
  await page.getByLabel('Speed', { exact: true }).fill('3600');
  await page.getByRole('button', { name: 'Set speed' }).click();
  await page.locator('#fig-speed', { hasText: '×3600' }).waitFor();
  await page.waitForTimeout(8000);
  const before = await highest(6000);
  await page.getByRole('link', { name: 'Signals' }).click();
  const viral = page.locator('form[data-platform="youtube"][data-signal="viral"]');
  await viral.getByLabel('factor').fill('300');
  await viral.getByRole('button', { name: 'Send viral' }).click();
  await page.locator('#signal-result', { hasText: 'youtube: viral applied' }).waitFor();
  // A ready scenario from its button: its run is listed with its status.
  await page.locator('button[data-scenario="troll_wave"]').click();
  await page.locator('#runs li[data-run]', { hasText: 'troll_wave: running' }).waitFor();
  await shot('signals');
  await page.getByRole('link', { name: 'Live' }).click();
  const target = Math.max(before * 10, before + 5);
  const after = await highest(25000, target);
  await page.getByLabel('Speed', { exact: true }).fill('20000');
  await page.getByRole('button', { name: 'Set speed' }).click();
  await page.locator('#fig-speed', { hasText: '×20000' }).waitFor();
  figure('youtube_rate_before_per_min', before.toFixed(2));
  figure('youtube_rate_after_per_min', after.toFixed(2));
  check(after >= target, `the youtube interactions per minute rose from ${before} to at least ${target} (got ${after})`);

  // ---- the feed pauses without losing events.
  step('pause and resume the feed');
  await page.getByLabel('Kind', { exact: true }).selectOption('');
  await page.getByLabel('Platform', { exact: true }).selectOption('');
  await page.getByRole('button', { name: 'Pause feed' }).click();
  const shown = async () => Number((await page.locator('#feed-count').textContent()).split(' ')[0]);
  const paused = await shown();
  await page.locator('#feed-count', { hasText: 'waiting' }).waitFor();
  check(await shown() === paused, 'a paused feed keeps its rows');
  await page.getByRole('button', { name: 'Resume feed' }).click();
  check(await shown() > paused, 'the waiting events join on resume');

  // ---- the server unreachable: a banner, then back by itself.
  step('unreachable banner');
  await context.route('**/*', (r) => r.abort('connectionrefused'));
  await page.locator('#banner', { hasText: 'cannot be reached' }).waitFor();
  await shot('unreachable');
  await context.unroute('**/*');
  await page.locator('#banner').waitFor({ state: 'hidden', timeout: 20000 });

  // ---- a dropped stream resumes with Last-Event-ID: no gap, no repeat.
  step('the stream resumes after a drop');
  const seqs = async () => page.locator('#feed .item').evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
  dropConnections();
  await page.locator('#stream-state', { hasText: 'reconnecting' }).waitFor();
  await page.locator('#stream-state', { hasText: 'stream: live' }).waitFor({ timeout: 30000 });
  await page.waitForFunction(() => Number(document.querySelector('#stream-state').dataset.behind) < 200, null, { timeout: 30000 });
  // Everything the stream sent, in order and once: the feed of every kind
  // against the profile's own events in /v1, over the newest rows in view.
  await page.getByRole('button', { name: 'Pause feed' }).click();
  const inView = (await seqs()).sort((a, b) => b - a);
  check(new Set(inView).size === inView.length, 'no event is shown twice');
  const low = inView[inView.length - 1];
  const high = inView[0];
  const stored = await v1('GET', `/v1/profiles/${id}/events?after=${low - 1}&limit=1000`);
  const expected = stored.json.items.filter((e) => e.seq <= high && (e.type === 'interaction' || e.type === 'content')).map((e) => e.seq).sort((a, b) => b - a);
  check(JSON.stringify(expected) === JSON.stringify(inView), `the feed after the drop matches /v1 (${inView.length} rows)`);
  await page.getByRole('button', { name: 'Resume feed' }).click();

  // ---- webhooks: create one to a local receiver, see its deliveries.
  step('webhooks');
  let received = 0;
  receiver = http.createServer((req, res) => { req.resume(); req.on('end', () => { received += 1; res.writeHead(204).end(); }); });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${receiver.address().port}/hook`;
  await page.getByRole('link', { name: 'Webhooks' }).click();
  await page.getByLabel('Receiver URL').fill(hookUrl);
  await page.getByLabel('Secret (16–256 bytes)').fill('console-test-hook-secret');
  await page.getByLabel('Kinds (comma list, empty: all)').fill('comment, reply, dm');
  await page.getByRole('button', { name: 'Create webhook' }).click();
  const row = page.locator('#hooks tr[data-hook]');
  await row.first().waitFor();
  const t3 = Date.now();
  while (received === 0 && Date.now() - t3 < 15000) await page.waitForTimeout(200);
  check(received > 0, 'the receiver got deliveries');
  await row.first().getByRole('button', { name: 'Deliveries' }).click();
  await page.locator('#deliveries .badge.delivered').first().waitFor();
  await shot('webhooks');
  await row.first().getByRole('button', { name: 'Delete' }).click();
  await page.locator('#confirm-ok').click();
  await page.locator('#hooks tr[data-hook]').waitFor({ state: 'detached' });
  const hooks = await v1('GET', `/v1/profiles/${id}/webhooks`);
  check(hooks.json.webhooks.length === 0, 'the webhook is gone from /v1');

  // ---- connection details, with the profile's token.
  step('connection details');
  await page.getByRole('link', { name: 'Connect' }).click();
  const token = await page.locator('.conn', { hasText: 'Profile token' }).locator('code').textContent();
  check(token.startsWith('dpt_'), 'the profile token is shown');
  check(await page.getByText(`${PAGE}/native/youtube/`).count() === 1, 'the native base is shown');
  check(await page.getByText(`${PAGE}/v1/profiles/${id}/stream`).count() === 1, 'the stream URL is shown');
  await shot('connect');

  // ---- the feed with many events stays virtualised.
  step('a long feed');
  await page.getByRole('link', { name: 'Live' }).click();
  await page.locator('#feed .item').first().waitFor();
  const t4 = Date.now();
  while (Date.now() - t4 < 30000) {
    const n = await shown();
    if (n >= 10000) break;
    await page.waitForTimeout(1000);
  }
  const total = await shown();
  const inDom = await page.locator('#feed .item').count();
  // Scroll the whole feed in 50 steps, a frame each: live, then paused.
  const scroll = () => page.evaluate(async () => {
    const f = document.querySelector('#feed');
    const start = performance.now();
    for (let i = 0; i < 50; i++) {
      f.scrollTop = (f.scrollHeight * i) / 50;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    }
    f.scrollTop = 0;
    return (performance.now() - start) / 50;
  });
  const liveFrame = await scroll();
  await page.getByRole('button', { name: 'Pause feed' }).click();
  const pausedFrame = await scroll();
  await page.getByRole('button', { name: 'Resume feed' }).click();
  figure('feed_items', total);
  figure('feed_rows_in_dom', inDom);
  figure('feed_scroll_step_live_ms', liveFrame.toFixed(1));
  figure('feed_scroll_step_paused_ms', pausedFrame.toFixed(1));
  check(inDom < 60, `the feed is virtualised (${inDom} rows in the DOM for ${total})`);

  // ---- a profile token sees only its profile.
  step('a profile token sees only its profile');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Token', { exact: true }).fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('This is a profile token: give its profile id too.').waitFor();
  await page.getByLabel('Profile id (profile tokens only)').fill(id);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#feed').waitFor();
  check(await page.getByRole('link', { name: 'Profiles' }).count() === 0, 'no profiles list for a profile token');
  check(await page.getByRole('link', { name: 'Signals' }).count() === 0, 'no signals for a profile token');
  check(await page.locator('#do-delete').count() === 0, 'no delete for a profile token');
  await page.locator('#feed .item').first().waitFor();
  await shot('profile-token');
  await page.evaluate((o) => { location.hash = `#/p/${o}/live`; }, other.json.id);
  await page.getByRole('heading', { name: 'Not found' }).waitFor();
  const theirs = await v1('GET', `/v1/profiles/${other.json.id}`, undefined, token);
  check(theirs.status === 404, 'the API agrees: another profile is a 404 for this token');

  // ---- delete the profile, with the confirmation.
  step('delete the profile');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Token', { exact: true }).fill(ADMIN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator(`#profiles tr[data-id="${id}"]`).waitFor();
  await shot('profiles');
  await page.locator(`#profiles tr[data-id="${id}"]`).getByRole('link', { name: 'Open' }).click();
  await page.locator('#do-delete').click();
  await page.locator('#confirm-ok').waitFor();
  await shot('delete-confirm');
  await page.getByRole('button', { name: 'Cancel' }).click();
  check((await v1('GET', `/v1/profiles/${id}`)).status === 200, 'cancel keeps the profile');
  await page.locator('#do-delete').click();
  await page.locator('#confirm-ok').click();
  await page.getByRole('heading', { name: 'Profiles' }).waitFor();
  await page.locator(`#profiles tr[data-id="${id}"]`).waitFor({ state: 'detached' });
  check((await v1('GET', `/v1/profiles/${id}`)).status === 404, 'the profile is gone from /v1');

  check(outside.length === 0, `no request left the server's origin: ${outside.join(', ')}`);
  const errors = consoleErrors.filter((e) => !e.includes('ERR_CONNECTION_REFUSED') && !e.includes('Failed to load resource'));
  check(errors.length === 0, `no script errors: ${errors.join(' | ')}`);
  figure('profile', id);
} catch (e) {
  exitCode = 1;
  console.error(String(e && e.stack ? e.stack : e));
  try { await page.screenshot({ path: path.join(OUT, 'failure.png') }); console.error(`screenshot: ${path.join(OUT, 'failure.png')}`); } catch { /* none */ }
  result.error = String(e);
} finally {
  if (receiver) receiver.close();
  dropConnections();
  relay.close();
  await context.close();
  fs.rmSync(profileDir, { recursive: true, force: true });
}
console.log(`RESULT ${JSON.stringify(result)}`);
process.exit(exitCode);
