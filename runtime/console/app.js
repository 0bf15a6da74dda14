// diorama console: plain ES module, no build step, no other origin.
// It speaks only the /v1 API, with the token the host signs in with.

const SVG = 'http://www.w3.org/2000/svg';
/** Events kept in memory per open profile (up to a tenth more between trims); older ones are dropped. */
const MAX_EVENTS = 50000;
/** Feed row height in pixels (the list is virtualised on it). */
const ROW = 84;
/** Reference mixes (ARCHITECTURE.md, realism references). */
const SENTIMENT_REF = [['positive', 0.65], ['neutral', 0.25], ['negative', 0.10]];
const DM_REF = [['fan', 0.40], ['question', 0.30], ['collaboration', 0.15], ['spam', 0.10], ['criticism', 0.05]];
const COLORS = { youtube: '#d32f2f', instagram: '#8e24aa', tiktok: '#00838f' };
const PALETTE = ['#1565c0', '#ef6c00', '#2e7d32', '#6a1b9a', '#ad1457', '#00695c'];
const PRESETS = [
  { label: 'Tech creator, 100k, all platforms', body: { name: 'tech-100k', niche: 'tech', size: 100000, speed: 3600, limits: { interactions_per_day: 100000 } } },
  { label: 'Cooking channel, 25k, YouTube only', body: { name: 'cooking-25k', niche: 'cooking', size: 25000, platforms: ['youtube'], speed: 600, limits: { interactions_per_day: 20000 } } },
  { label: 'Beauty, 250k, Instagram and TikTok', body: { name: 'beauty-250k', niche: 'beauty', size: 250000, platforms: ['instagram', 'tiktok'], speed: 1800, limits: { interactions_per_day: 200000 } } },
];

// ---------------------------------------------------------------- state

const store = window.sessionStorage;
const S = {
  token: store.getItem('diorama.token') || '',
  role: store.getItem('diorama.role') || '',
  own: store.getItem('diorama.profile') || '',
  platforms: null,
  scenarios: null,
  stream: null,
  timers: [],
  // The creator's own author ids, learnt from the answers to its actions.
  creators: new Set(),
  down: false,
};
/** Tokens of profiles made in this tab (shown once by the server). */
function tokens() {
  try { return JSON.parse(store.getItem('diorama.tokens') || '{}'); } catch { return {}; }
}
function keepToken(id, token) {
  const t = tokens();
  t[id] = token;
  store.setItem('diorama.tokens', JSON.stringify(t));
}

// ---------------------------------------------------------------- DOM helpers

const $ = (sel, root = document) => root.querySelector(sel);
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v == null) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, v);
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid == null || kid === false) continue;
    el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return el;
}
function s(tag, attrs, ...kids) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v != null) el.setAttribute(k, v);
  for (const kid of kids.flat(Infinity)) if (kid != null) el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  return el;
}
function toast(text, error = false) {
  const t = $('#toast');
  t.textContent = text;
  t.className = 'toast show' + (error ? ' error' : '');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.className = 'toast'; }, 5000);
}
function num(n) {
  if (n == null) return '—';
  if (n >= 1e6) return (n / 1e6).toFixed(n >= 1e7 ? 0 : 1) + 'M';
  if (n >= 1e4) return (n / 1e3).toFixed(n >= 1e5 ? 0 : 1) + 'k';
  return String(Math.round(n));
}
function vtime(ms) {
  if (ms == null) return '—';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16);
}
function confirmDialog(text, ok = 'Delete') {
  const d = $('#confirm');
  $('#confirm-text').textContent = text;
  $('#confirm-ok').textContent = ok;
  d.returnValue = '';
  d.showModal();
  return new Promise((resolve) => d.addEventListener('close', () => resolve(d.returnValue === 'ok'), { once: true }));
}
async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    toast(`${what} copied`);
  } catch {
    toast(`Copy by hand: ${text}`);
  }
}

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}
async function api(method, path, body, token = S.token) {
  const init = { method, headers: { Authorization: `Bearer ${token}` } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    serverDown();
    throw new ApiError(0, 'unreachable', 'The server cannot be reached.');
  }
  serverUp();
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) {
    const err = json && json.error ? json.error : { code: String(res.status), message: text || res.statusText };
    const wait = Number(res.headers.get('retry-after')) || null;
    throw new ApiError(res.status, err.code, err.message, wait);
  }
  return json;
}
function explain(e) {
  if (e.status === 429 && e.retryAfter) return `${e.message} (wait ${e.retryAfter} s)`;
  return e.message;
}

// ---------------------------------------------------------------- reachability

function serverDown() {
  if (S.down) return;
  S.down = true;
  const b = $('#banner');
  b.hidden = false;
  b.textContent = 'The server cannot be reached. Retrying…';
  let wait = 1;
  const probe = async () => {
    try {
      const r = await fetch('/healthz', { cache: 'no-store' });
      if (r.ok) { serverUp(); route(); return; }
    } catch { /* still down */ }
    wait = Math.min(wait * 2, 10);
    b.textContent = `The server cannot be reached. Retrying in ${wait} s…`;
    S.probe = setTimeout(probe, wait * 1000);
  };
  S.probe = setTimeout(probe, 1000);
}
function serverUp() {
  if (!S.down) return;
  S.down = false;
  clearTimeout(S.probe);
  const b = $('#banner');
  b.hidden = true;
  b.textContent = '';
  toast('Connected again');
}

// ---------------------------------------------------------------- the event stream

/** One profile's events: fetch-streamed server-sent events, resumed with Last-Event-ID. */
class Stream {
  constructor(id) {
    this.id = id;
    this.events = [];
    this.last = null;
    this.listeners = new Set();
    this.state = 'connecting';
    this.closed = false;
    this.retry = 1;
    this.connect();
  }
  close() {
    this.closed = true;
    if (this.abort) this.abort.abort();
    clearTimeout(this.timer);
  }
  setState(state) {
    this.state = state;
    for (const f of this.listeners) f(null, state);
  }
  async connect() {
    if (this.closed) return;
    this.abort = new AbortController();
    const headers = { Authorization: `Bearer ${S.token}`, Accept: 'text/event-stream' };
    if (this.last != null) headers['Last-Event-ID'] = String(this.last);
    let wait = null;
    try {
      const res = await fetch(`/v1/profiles/${encodeURIComponent(this.id)}/stream`, { headers, signal: this.abort.signal, cache: 'no-store' });
      serverUp();
      if (!res.ok) {
        const t = await res.text();
        let msg = t;
        try { msg = JSON.parse(t).error.message; } catch { /* plain */ }
        if (res.status === 401 || res.status === 404 || res.status === 403) {
          this.setState(`closed: ${msg}`);
          return;
        }
        wait = Number(res.headers.get('retry-after')) || null;
        throw new Error(msg);
      }
      this.retry = 1;
      this.setState('live');
      await this.read(res.body.getReader());
    } catch (e) {
      if (this.closed) return;
      if (e instanceof TypeError) serverDown();
    }
    if (this.closed) return;
    const delay = wait || this.retry;
    this.retry = Math.min(this.retry * 2, 10);
    this.setState(`reconnecting in ${delay} s`);
    this.timer = setTimeout(() => this.connect(), delay * 1000);
  }
  async read(reader) {
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += dec.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      const batch = [];
      // Walk the complete blocks with an index; the rest is kept once.
      let from = 0;
      for (let at = buf.indexOf('\n\n'); at >= 0; at = buf.indexOf('\n\n', from)) {
        const block = buf.slice(from, at);
        from = at + 2;
        let id = null, data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const c = line.indexOf(':');
          const field = c < 0 ? line : line.slice(0, c);
          const val = c < 0 ? '' : line.slice(c + 1).replace(/^ /, '');
          if (field === 'id') id = val;
          else if (field === 'data') data += (data ? '\n' : '') + val;
        }
        if (!data) continue;
        try {
          const e = JSON.parse(data);
          if (id != null) this.last = Number(id);
          batch.push(e);
        } catch { /* a malformed event is skipped */ }
      }
      buf = buf.slice(from);
      // A server never sends an event this large: a stream that does is cut.
      if (buf.length > 4 << 20) throw new Error('an event larger than 4 MiB');
      if (batch.length) {
        for (const e of batch) this.events.push(e);
        // Trimmed in steps of a tenth, so a flood of small batches does not
        // move the whole array each time.
        if (this.events.length > MAX_EVENTS * 1.1) this.events.splice(0, this.events.length - MAX_EVENTS);
        for (const f of this.listeners) f(batch, this.state);
      }
    }
  }
}

// ---------------------------------------------------------------- sign in

function signIn() {
  const main = $('#main');
  const err = h('p', { class: 'error', role: 'alert', id: 'signin-error' });
  const form = h('form', { class: 'panel narrow', id: 'signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in'),
    h('p', { class: 'muted' }, 'The admin token manages every profile; a profile token reads and acts for its own profile only. The token stays in this tab.'),
    h('label', { for: 'token' }, 'Token'),
    h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' }),
    h('label', { for: 'profile-id' }, 'Profile id ', h('span', { class: 'muted' }, '(profile tokens only)')),
    h('input', { id: 'profile-id', name: 'profile', inputmode: 'numeric', pattern: '[0-9]+', autocomplete: 'off' }),
    err,
    h('button', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.textContent = '';
    const token = form.token.value.trim();
    const id = form.profile.value.trim();
    try {
      await api('GET', '/v1/profiles', undefined, token);
      S.role = 'admin';
      S.own = '';
    } catch (e) {
      if (e.status !== 403) { err.textContent = e.status === 401 ? 'This token is not valid on this server.' : explain(e); return; }
      if (!id) { err.textContent = 'This is a profile token: give its profile id too.'; form.profile.focus(); return; }
      try {
        await api('GET', `/v1/profiles/${encodeURIComponent(id)}`, undefined, token);
      } catch (e2) { err.textContent = explain(e2); return; }
      S.role = 'profile';
      S.own = id;
    }
    S.token = token;
    store.setItem('diorama.token', token);
    store.setItem('diorama.role', S.role);
    store.setItem('diorama.profile', S.own);
    location.hash = S.role === 'admin' ? '#/' : `#/p/${S.own}/live`;
    route();
  });
  main.replaceChildren(form);
  form.token.focus();
}
function signOut() {
  for (const k of ['diorama.token', 'diorama.role', 'diorama.profile', 'diorama.tokens']) store.removeItem(k);
  S.token = S.role = S.own = '';
  location.hash = '#/';
  route();
}

// ---------------------------------------------------------------- router

function clearTimers() {
  for (const t of S.timers) clearInterval(t);
  S.timers = [];
}
function every(ms, f) {
  S.timers.push(setInterval(f, ms));
}
async function loadCatalog() {
  if (!S.platforms) S.platforms = (await api('GET', '/v1/platforms')).platforms;
  if (!S.scenarios) S.scenarios = (await api('GET', '/v1/scenarios')).scenarios;
}
function plugin(name) {
  return (S.platforms || []).find((p) => p.name === name);
}

async function route() {
  clearTimers();
  const nav = $('#nav');
  $('#signout').hidden = !S.token;
  $('#who').textContent = S.token ? (S.role === 'admin' ? 'admin' : `profile ${S.own}`) : '';
  if (!S.token) {
    nav.replaceChildren();
    if (S.stream) { S.stream.close(); S.stream = null; }
    signIn();
    return;
  }
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  nav.replaceChildren(S.role === 'admin' ? h('a', { href: '#/' }, 'Profiles') : h('a', { href: `#/p/${S.own}/live` }, 'My profile'));
  try {
    await loadCatalog();
  } catch (e) {
    if (e.status === 401) { signOut(); return; }
    $('#main').replaceChildren(h('p', { class: 'panel error' }, explain(e)));
    return;
  }
  if (parts[0] === 'p' && parts[1]) {
    if (S.role === 'profile' && parts[1] !== S.own) {
      $('#main').replaceChildren(h('section', { class: 'panel' }, h('h1', {}, 'Not found'), h('p', {}, `No profile ${parts[1]} for this token.`)));
      return;
    }
    await profilePage(parts[1], parts[2] || 'live');
  } else if (S.role === 'admin') {
    if (S.stream) { S.stream.close(); S.stream = null; }
    await profilesPage();
  } else {
    location.hash = `#/p/${S.own}/live`;
  }
  $('#main').focus({ preventScroll: true });
}

// ---------------------------------------------------------------- profiles list (admin)

function statusBadge(status) {
  return h('span', { class: `badge ${status}` }, status);
}
function expiry(p) {
  if (p.expires_at) return p.expires_at.replace('T', ' ').slice(0, 16);
  return `idle ${Math.round(p.inactivity_ttl_s / 86400)} d`;
}
async function profilesPage() {
  const main = $('#main');
  const tbody = h('tbody');
  const table = h('table', { class: 'list', id: 'profiles' },
    h('caption', { class: 'sr' }, 'Profiles'),
    h('thead', {}, h('tr', {}, ['Profile', 'Status', 'Speed', 'Virtual time', 'Events', 'Interactions today', 'Ends', ''].map((c) => h('th', { scope: 'col' }, c)))),
    tbody);
  const presets = h('div', { class: 'presets' }, PRESETS.map((p, i) => h('button', { type: 'button', 'data-preset': i, onclick: () => create(p.body) }, p.label)));
  main.replaceChildren(
    h('section', { class: 'panel' }, h('h1', {}, 'Profiles'), h('div', { class: 'scroll', tabindex: 0 }, table), h('p', { class: 'muted', id: 'empty' })),
    h('section', { class: 'panel' }, h('h2', {}, 'New profile'),
      h('p', { class: 'muted' }, 'One click from a preset (it starts at once), or in detail below.'), presets, detailForm()));
  async function refresh() {
    let list;
    try { list = (await api('GET', '/v1/profiles')).profiles; } catch { return; }
    $('#empty').textContent = list.length ? '' : 'No profiles yet: create one below.';
    tbody.replaceChildren(...list.map((p) => h('tr', { 'data-id': p.id },
      h('th', { scope: 'row' }, h('a', { href: `#/p/${p.id}/live` }, `${p.name} `, h('span', { class: 'muted' }, `#${p.id}`)), h('div', { class: 'muted small' }, `${p.niche} · ${Object.keys(p.platforms).join(', ')}`)),
      h('td', {}, statusBadge(p.status)),
      h('td', {}, `×${p.speed}`),
      h('td', {}, vtime(p.now)),
      h('td', {}, num(p.events)),
      h('td', {}, num(p.interactions_today)),
      h('td', {}, expiry(p)),
      h('td', {}, h('a', { href: `#/p/${p.id}/live`, class: 'button small' }, 'Open')))));
  }
  async function create(body) {
    try {
      const p = await api('POST', '/v1/profiles', body);
      keepToken(p.id, p.token);
      toast(`Profile ${p.name} #${p.id} created`);
      location.hash = `#/p/${p.id}/live`;
    } catch (e) { toast(explain(e), true); }
  }
  function detailForm() {
    const names = S.platforms.map((p) => p.name);
    const err = h('p', { class: 'error', role: 'alert' });
    const f = h('form', { id: 'create', class: 'grid' },
      field('Name', h('input', { name: 'name', value: 'demo', maxlength: 64 })),
      field('Niche', h('select', { name: 'niche' }, ['tech', 'gaming', 'beauty', 'cooking', 'fitness', 'travel', 'music', 'finance', 'education', 'lifestyle'].map((n) => h('option', {}, n)))),
      field('Audience size', h('input', { name: 'size', type: 'number', min: 1, max: 1e9, value: 100000, required: true })),
      field('Timezone', h('input', { name: 'timezone', value: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' })),
      field('Speed (virtual s per wall s, empty: do not start)', h('input', { name: 'speed', type: 'number', min: 0.001, max: 100000, step: 'any', value: 3600 })),
      field('Lifetime in hours (empty: until idle)', h('input', { name: 'hours', type: 'number', min: 1, max: 87600 })),
      field('Interactions per virtual day', h('input', { name: 'ipd', type: 'number', min: 1, max: 1e9, value: 100000 })),
      field('Seed (empty: automatic)', h('input', { name: 'seed', type: 'number', min: 0 })),
      h('fieldset', { class: 'span' }, h('legend', {}, 'Platforms (none checked: every automatic one)'),
        names.map((n) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'platform', value: n }), ` ${n}`))),
      err,
      h('div', { class: 'span' }, h('button', { type: 'submit' }, 'Create profile')));
    f.addEventListener('submit', (ev) => {
      ev.preventDefault();
      err.textContent = '';
      const body = { name: f.name.value.trim(), niche: f.niche.value, size: Number(f.size.value) };
      if (f.timezone.value.trim()) body.timezone = f.timezone.value.trim();
      if (f.speed.value) body.speed = Number(f.speed.value);
      if (f.hours.value) body.expires_at = new Date(Date.now() + Number(f.hours.value) * 3600e3).toISOString();
      if (f.ipd.value) body.limits = { interactions_per_day: Number(f.ipd.value) };
      if (f.seed.value) body.seed = Number(f.seed.value);
      const chosen = [...f.querySelectorAll('input[name=platform]:checked')].map((c) => c.value);
      if (chosen.length) body.platforms = chosen;
      create(body);
    });
    return f;
  }
  await refresh();
  every(2000, refresh);
}
let fieldSeq = 0;
function field(label, input) {
  const id = input.id || `f${++fieldSeq}`;
  input.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), input);
}

// ---------------------------------------------------------------- one profile

const TABS = [['live', 'Live'], ['signals', 'Signals'], ['act', 'Act'], ['webhooks', 'Webhooks'], ['connect', 'Connect']];

async function profilePage(id, tab) {
  const main = $('#main');
  let view;
  try {
    view = await api('GET', `/v1/profiles/${encodeURIComponent(id)}`);
  } catch (e) {
    main.replaceChildren(h('section', { class: 'panel' }, h('h1', {}, 'Not found'), h('p', {}, explain(e))));
    return;
  }
  if (!S.stream || S.stream.id !== id) {
    if (S.stream) S.stream.close();
    S.stream = new Stream(id);
    S.charts = new Charts(view);
    S.feed = new FeedState();
    S.stream.listeners.add((batch) => { if (batch) S.charts.add(batch); });
  }
  const admin = S.role === 'admin';
  const head = h('section', { class: 'panel head', id: 'profile-head' });
  const tabs = h('nav', { class: 'tabs', 'aria-label': 'Profile' }, TABS.filter(([t]) => admin || t !== 'signals').map(([t, label]) =>
    h('a', { href: `#/p/${id}/${t}`, 'aria-current': t === tab ? 'page' : false }, label)));
  const body = h('div', { id: 'tab' });
  main.replaceChildren(head, tabs, body);
  const paint = (v) => { view = v; S.lastSeq = v.events; if (S.charts) S.charts.speed = v.speed; header(head, v, admin); };
  paint(view);
  every(2000, async () => {
    try { paint(await api('GET', `/v1/profiles/${encodeURIComponent(id)}`)); } catch { /* shown by the banner */ }
  });
  if (tab === 'signals' && admin) signalsTab(body, id, view);
  else if (tab === 'act') actTab(body, id, view);
  else if (tab === 'webhooks') webhooksTab(body, id, view);
  else if (tab === 'connect') connectTab(body, id, view);
  else liveTab(body, id, view);
}

function header(el, p, admin) {
  const speed = h('input', { id: 'speed', type: 'number', min: 0.001, max: 100000, step: 'any', value: p.speed, class: 'short' });
  const act = async (what, body) => {
    try {
      const v = await api('POST', `/v1/profiles/${p.id}/${what}`, body);
      header(el, v, admin);
      toast(`${p.name}: ${v.status}`);
    } catch (e) { toast(explain(e), true); }
  };
  const controls = admin ? h('div', { class: 'row wrap controls' },
    h('label', { for: 'speed' }, 'Speed'), speed,
    p.status === 'running'
      ? [h('button', { type: 'button', id: 'do-pause', onclick: () => act('pause') }, 'Pause'),
        h('button', { type: 'button', id: 'do-speed', onclick: () => act('resume', { speed: Number(speed.value) }) }, 'Set speed')]
      : p.status === 'paused'
        ? h('button', { type: 'button', id: 'do-resume', onclick: () => act('resume', { speed: Number(speed.value) }) }, 'Resume')
        : h('button', { type: 'button', id: 'do-start', onclick: () => act('start', { speed: Number(speed.value) }) }, 'Start'),
    p.status !== 'stopped' && p.status !== 'created' ? h('button', { type: 'button', class: 'ghost', id: 'do-stop', onclick: () => act('stop') }, 'Stop') : null,
    h('button', { type: 'button', class: 'danger', id: 'do-delete', onclick: async () => {
      if (!(await confirmDialog(`Delete profile ${p.name} (#${p.id}) and everything it owns? This cannot be undone.`))) return;
      try {
        await api('DELETE', `/v1/profiles/${p.id}`);
        if (S.stream) { S.stream.close(); S.stream = null; }
        toast(`Profile ${p.name} deleted`);
        location.hash = '#/';
      } catch (e) { toast(explain(e), true); }
    } }, 'Delete')) : null;
  // Keep the speed being typed: repaint only the figures when focused.
  if (el.contains(document.activeElement) && document.activeElement.id === 'speed') {
    const figs = $('.figures', el);
    if (figs) figs.replaceWith(figures(p));
    return;
  }
  el.replaceChildren(...[
    h('div', { class: 'row wrap between' },
      h('h1', {}, `${p.name} `, h('span', { class: 'muted' }, `#${p.id}`), ' ', statusBadge(p.status)),
      controls),
    figures(p),
    p.reason ? h('p', { class: 'error' }, p.reason) : null].filter(Boolean));
}
function figures(p) {
  const item = (k, v, id) => h('div', {}, h('dt', {}, k), h('dd', { id }, v));
  return h('dl', { class: 'figures' },
    item('Speed', `×${p.speed}`, 'fig-speed'),
    item('Virtual time', vtime(p.now), 'fig-time'),
    item('Events', num(p.events), 'fig-events'),
    item('Interactions today', num(p.interactions_today), 'fig-today'),
    item('Niche', `${p.niche} · ${p.timezone}`),
    item('Ends', expiry(p)));
}

// ---------------------------------------------------------------- live: feed and charts

class FeedState {
  constructor() {
    this.paused = false;
    this.filter = { platform: '', kind: '', sentiment: '', who: '' };
  }
}
function wanted(e, f) {
  if (e.type === 'metric' || e.type === 'notice') return false;
  if (f.platform && e.platform !== f.platform) return false;
  if (f.kind && e.kind !== f.kind) return false;
  if (f.sentiment && e.sentiment !== f.sentiment) return false;
  if (f.who === 'creator' && !(e.author && S.creators.has(e.author.id))) return false;
  return true;
}

function liveTab(body, id, view) {
  const st = S.stream;
  const fs = S.feed;
  const kinds = [...new Set(S.platforms.filter((p) => view.platforms[p.name]).flatMap((p) => [...p.content_kinds, ...p.interaction_kinds]))].sort();
  const sel = (name, label, options) => field(label, h('select', { name, id: `filter-${name}` }, h('option', { value: '' }, 'all'), options.map((o) => h('option', { value: o, selected: fs.filter[name] === o }, o))));
  const state = h('span', { class: 'muted', id: 'stream-state', 'aria-live': 'polite' });
  const count = h('span', { class: 'muted', id: 'feed-count' });
  const pause = h('button', { type: 'button', id: 'feed-pause', 'aria-pressed': String(fs.paused) }, fs.paused ? 'Resume feed' : 'Pause feed');
  const filters = h('form', { class: 'row wrap filters', 'aria-label': 'Feed filters' },
    sel('platform', 'Platform', Object.keys(view.platforms)),
    sel('kind', 'Kind', kinds),
    sel('sentiment', 'Sentiment', ['positive', 'neutral', 'negative']),
    field('From', h('select', { name: 'who', id: 'filter-who' }, h('option', { value: '' }, 'everyone'), h('option', { value: 'creator', selected: fs.filter.who === 'creator' }, 'the creator'))),
    pause);
  const viewport = h('div', { class: 'feed', id: 'feed', role: 'feed', 'aria-label': 'Live events, newest first', tabindex: 0, 'aria-busy': 'false' });
  const spacer = h('div', { class: 'spacer' });
  viewport.append(spacer);
  const charts = h('div', { class: 'charts', id: 'charts' });
  body.replaceChildren(h('div', { class: 'live' },
    h('section', { class: 'panel', 'aria-labelledby': 'feed-title' }, h('div', { class: 'row between' }, h('h2', { id: 'feed-title' }, 'Live feed'), h('span', {}, state, ' ', count)), filters, viewport),
    h('section', { class: 'panel', 'aria-labelledby': 'charts-title' }, h('h2', { id: 'charts-title' }, 'Charts'), charts)));

  // The rows shown, oldest first (row i on screen is items[length - 1 - i]).
  // New events are appended as they arrive; a full pass over the stream's
  // events is made only when a filter changes or the feed resumes.
  let items = [];
  let seen = 0; // the last seq taken into `items`
  let waiting = 0; // events that arrived while paused
  const rebuild = () => {
    items = st.events.filter((e) => wanted(e, fs.filter));
    seen = st.events.length ? st.events[st.events.length - 1].seq : 0;
    waiting = 0;
    sized(0);
  };
  const append = (batch) => {
    if (fs.paused) { waiting += batch.length; counted(); return; }
    let added = 0;
    for (const e of batch) {
      if (e.seq <= seen) continue;
      seen = e.seq;
      if (wanted(e, fs.filter)) { items.push(e); added++; }
    }
    if (items.length > MAX_EVENTS * 1.1) items.splice(0, items.length - MAX_EVENTS);
    if (added) sized(added);
  };
  const counted = () => {
    count.textContent = `${items.length} shown${waiting > 0 ? ` · ${waiting} waiting` : ''}`;
  };
  const sized = (added) => {
    spacer.style.height = `${items.length * ROW}px`;
    // Scrolled down the feed, the rows in view stay put as new ones arrive on top.
    if (added && viewport.scrollTop > 0) viewport.scrollTop += added * ROW;
    counted();
    paintRows();
  };
  const row = (i) => items[items.length - 1 - i];
  const rows = new Map();
  const paintRows = () => {
    const top = viewport.scrollTop;
    const first = Math.max(0, Math.floor(top / ROW) - 4);
    const last = Math.min(items.length, Math.ceil((top + viewport.clientHeight) / ROW) + 4);
    const keep = new Set();
    for (let i = first; i < last; i++) {
      const e = row(i);
      keep.add(e.seq);
      let el = rows.get(e.seq);
      if (!el) { el = feedRow(e, id); rows.set(e.seq, el); viewport.append(el); }
      el.style.transform = `translateY(${i * ROW}px)`;
      el.setAttribute('aria-posinset', i + 1);
      el.setAttribute('aria-setsize', items.length);
    }
    for (const [seq, el] of rows) if (!keep.has(seq)) { el.remove(); rows.delete(seq); }
  };
  viewport.addEventListener('scroll', () => requestAnimationFrame(paintRows), { passive: true });
  filters.addEventListener('change', (ev) => {
    fs.filter[ev.target.name] = ev.target.value;
    viewport.scrollTop = 0;
    if (!fs.paused) rebuild();
    else { items = items.filter((e) => wanted(e, fs.filter)); sized(0); }
  });
  pause.addEventListener('click', () => {
    fs.paused = !fs.paused;
    pause.textContent = fs.paused ? 'Resume feed' : 'Pause feed';
    pause.setAttribute('aria-pressed', String(fs.paused));
    if (!fs.paused) rebuild();
    else counted();
  });
  let queued = [];
  let painted = 0;
  // How far the stream is behind the profile's last event, by the latest
  // read of the profile (a flood of events takes a moment to stream).
  const status = () => {
    const behind = st.last == null ? S.lastSeq || 0 : Math.max(0, (S.lastSeq || 0) - st.last);
    state.dataset.behind = String(behind);
    state.textContent = `stream: ${st.state}${behind > 100 ? ` · ${num(behind)} behind` : ''}`;
  };
  const onEvents = (batch) => {
    status();
    if (!batch) return;
    if (!queued.length) {
      requestAnimationFrame(() => {
        const all = queued.length === 1 ? queued[0] : queued.flat();
        queued = [];
        append(all);
        const now = performance.now();
        if (now - painted > 400) { painted = now; S.charts.paint(charts); }
      });
    }
    queued.push(batch);
  };
  st.listeners.add(onEvents);
  // Detach when the tab changes.
  const watch = setInterval(() => { if (!document.body.contains(viewport)) { st.listeners.delete(onEvents); clearInterval(watch); } }, 1000);
  status();
  rebuild();
  S.charts.paint(charts);
  every(1000, () => { status(); S.charts.paint(charts); });
}

function avatar(author) {
  const name = author.display_name || author.handle || '?';
  let hash = 0;
  for (const c of author.id || name) hash = (hash * 31 + c.charCodeAt(0)) | 0;
  const initials = name.replace(/^@/, '').split(/\s+/).map((w) => w[0]).join('').slice(0, 2).toUpperCase();
  return h('span', { class: 'avatar', 'aria-hidden': 'true', 'data-hue': String(Math.abs(hash) % 12) }, initials);
}
function feedRow(e, id) {
  const el = h('article', { class: `item ${e.platform} ${e.type}`, 'data-seq': e.seq, 'data-kind': e.kind, 'aria-label': `${e.platform} ${e.kind}` });
  const when = h('time', { datetime: e.time }, vtime(e.at).slice(5));
  if (e.type === 'interaction') {
    const a = e.author || {};
    const tags = [h('span', { class: `tag ${e.platform}` }, e.platform), h('span', { class: 'tag' }, e.kind)];
    if (e.sentiment) tags.push(h('span', { class: `tag ${e.sentiment}` }, e.sentiment));
    if (e.dm_type) tags.push(h('span', { class: 'tag dm' }, e.dm_type));
    const creator = S.creators.has(a.id);
    if (creator) tags.push(h('span', { class: 'tag you' }, 'you'));
    const canReply = (e.kind === 'comment' || e.kind === 'dm') && !creator;
    el.append(...[avatar(a), h('div', { class: 'body' },
      h('div', { class: 'meta' }, h('b', {}, a.display_name || a.handle), ' ', h('span', { class: 'muted' }, a.handle), a.verified ? h('span', { title: 'verified', class: 'verified' }, ' ✓') : null, ' ', tags, ' ', when),
      h('p', { class: 'text' }, e.text || ''),
      h('div', { class: 'muted small' }, e.content_id ? `on ${postTitle(e.content_id)}` : (e.parent_id ? `in reply to ${e.parent_id}` : ''))),
    canReply ? h('button', { type: 'button', class: 'ghost small reply', onclick: () => replyTo(id, e) }, 'Reply') : null].filter(Boolean));
  } else {
    el.append(h('span', { class: 'avatar post', 'aria-hidden': 'true' }, '▶'), h('div', { class: 'body' },
      h('div', { class: 'meta' }, h('b', {}, 'New ' + e.kind), ' ', h('span', { class: `tag ${e.platform}` }, e.platform), ' ', when),
      h('p', { class: 'text' }, e.title || e.text || ''),
      h('div', { class: 'muted small' }, e.id)));
  }
  return el;
}
function postTitle(contentId) {
  const c = S.charts && S.charts.posts.get(contentId);
  return c ? `“${c.title}”` : contentId;
}

async function replyTo(id, e) {
  const d = $('#reply');
  $('#reply-to').textContent = `${e.author ? e.author.handle : ''}: ${e.text || ''}`;
  $('#reply-error').textContent = '';
  const text = $('#reply-text');
  text.value = '';
  d.showModal();
  text.focus();
  const form = $('#reply-form');
  const onSubmit = async (ev) => {
    if (ev.submitter && ev.submitter.value !== 'send') return;
    ev.preventDefault();
    const params = e.kind === 'dm' ? { dm_id: e.id, text: text.value } : { comment_id: e.id, text: text.value };
    try {
      const r = await api('POST', `/v1/profiles/${id}/actions`, { platform: e.platform, kind: e.kind === 'dm' ? 'dm_reply' : 'reply', params });
      d.close();
      form.removeEventListener('submit', onSubmit);
      for (const x of r.events) if (x.author) S.creators.add(x.author.id);
      toast(`Reply sent (${r.events.length} event${r.events.length === 1 ? '' : 's'})`);
    } catch (err) {
      $('#reply-error').textContent = explain(err);
    }
  };
  form.addEventListener('submit', onSubmit);
  d.addEventListener('close', () => form.removeEventListener('submit', onSubmit), { once: true });
}

// ---------------------------------------------------------------- charts

class Charts {
  constructor(view) {
    // Interactions are counted per virtual minute; the chart sums them
    // into buckets of about two wall seconds at the profile's speed.
    this.speed = view.speed;
    this.perPlatform = new Map(); // platform -> Map(virtual minute -> count)
    this.latest = null; // the latest virtual minute seen
    this.posts = new Map(); // content id -> {platform, title, seq, views, likes}
    this.sentiment = new Map();
    this.dm = new Map();
    this.audience = new Map(); // platform -> [[at, total]]
    this.roles = new Map();
    for (const p of S.platforms) this.roles.set(p.name, p.metric_roles || {});
  }
  add(batch) {
    for (const e of batch) {
      if (e.type === 'interaction') {
        const minute = Math.floor(e.at / 60000);
        if (!this.perPlatform.has(e.platform)) this.perPlatform.set(e.platform, new Map());
        const m = this.perPlatform.get(e.platform);
        m.set(minute, (m.get(minute) || 0) + 1);
        // Bounded: the oldest minutes go first (a Map keeps insertion order).
        if (m.size > 100000) m.delete(m.keys().next().value);
        if (this.latest == null || minute > this.latest) this.latest = minute;
        if (e.sentiment && (e.kind === 'comment' || e.kind === 'reply')) this.sentiment.set(e.sentiment, (this.sentiment.get(e.sentiment) || 0) + 1);
        if (e.dm_type) this.dm.set(e.dm_type, (this.dm.get(e.dm_type) || 0) + 1);
      } else if (e.type === 'content') {
        this.posts.set(e.id, { platform: e.platform, title: e.title || e.text || e.id, seq: e.seq, views: 0, likes: 0 });
        if (this.posts.size > 500) this.posts.delete(this.posts.keys().next().value);
      } else if (e.type === 'metric') {
        const roles = this.roles.get(e.platform) || {};
        if (e.content_id) {
          const post = this.posts.get(e.content_id);
          if (!post) continue;
          if (e.kind === roles.views) post.views = e.total;
          else if (e.kind === roles.likes) post.likes = e.total;
        } else if (e.kind === 'followers' || e.kind === 'subscribers') {
          if (!this.audience.has(e.platform)) this.audience.set(e.platform, []);
          const series = this.audience.get(e.platform);
          series.push([e.at, e.total]);
          if (series.length > 2200) series.splice(0, series.length - 2000);
        }
      }
    }
  }
  paint(el) {
    if (!el.isConnected) return;
    el.replaceChildren(this.rateChart(), this.postsChart(), this.mixChart('Sentiment of comments and replies', 'chart-sentiment', this.sentiment, SENTIMENT_REF), this.mixChart('Direct messages by type', 'chart-dm', this.dm, DM_REF), this.audienceChart());
  }
  rateChart() {
    const N = 40;
    const perMin = Math.max(1, Math.round((this.speed * 2) / 60));
    const last = this.latest == null ? 0 : Math.floor(this.latest / perMin);
    const series = [...this.perPlatform.keys()].sort().map((p) => {
      const m = this.perPlatform.get(p);
      const v = [];
      for (let b = last - N + 1; b <= last; b++) {
        let n = 0;
        for (let k = b * perMin; k < (b + 1) * perMin; k++) n += m.get(k) || 0;
        v.push(n / perMin);
      }
      // "now": the mean of the last three whole buckets (the latest is still filling).
      const recent = v.slice(-4, -1);
      return { name: p, values: v, now: recent.reduce((a, b) => a + b, 0) / recent.length, peak: Math.max(...v) };
    });
    const max = Math.max(1, ...series.map((x) => x.peak));
    const W = 320, H = 140, L = 34, B = 16;
    const x = (i) => L + (i * (W - L - 4)) / (N - 1);
    const y = (v) => H - B - (v * (H - B - 6)) / max;
    const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'rate-title' },
      s('title', { id: 'rate-title' }, `Interactions per virtual minute by platform, in buckets of ${perMin} virtual minutes`),
      axis(W, H, L, B, max),
      series.map((x0, k) => s('polyline', { fill: 'none', stroke: COLORS[x0.name] || PALETTE[k % PALETTE.length], 'stroke-width': 2, points: x0.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ') })));
    const legend = h('ul', { class: 'legend' }, series.map((x0, k) => h('li', { 'data-platform': x0.name, 'data-now': x0.now.toFixed(2), 'data-peak': x0.peak.toFixed(2) },
      h('i', { style: null, class: `swatch ${x0.name}`, 'data-i': k }), `${x0.name}: ${x0.now.toFixed(1)}/min now, peak ${x0.peak.toFixed(1)}`)));
    return chartBox('Interactions per minute', 'chart-rate', svg, legend);
  }
  postsChart() {
    const posts = [...this.posts.entries()].sort((a, b) => b[1].seq - a[1].seq).slice(0, 6);
    const max = Math.max(1, ...posts.map(([, p]) => p.views));
    const W = 320, rowH = 22, H = Math.max(1, posts.length) * rowH + 4, L = 120;
    const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'posts-title' },
      s('title', { id: 'posts-title' }, 'Views and likes of the latest posts'),
      posts.map(([, p], i) => {
        const w = ((W - L - 50) * p.views) / max;
        const wl = ((W - L - 50) * p.likes) / max;
        return s('g', { transform: `translate(0 ${i * rowH + 2})` },
          s('text', { x: 0, y: 14, class: 'label' }, `${p.platform.slice(0, 2)} · ${p.title.slice(0, 18)}`),
          s('rect', { x: L, y: 2, width: Math.max(1, w).toFixed(1), height: 9, class: `bar ${p.platform}` }),
          s('rect', { x: L, y: 12, width: Math.max(1, wl).toFixed(1), height: 6, class: 'bar likes' }),
          s('text', { x: L + w + 4, y: 11, class: 'value' }, num(p.views)));
      }));
    const table = h('table', { class: 'sr' }, h('caption', {}, 'Latest posts'), h('tr', {}, h('th', {}, 'Post'), h('th', {}, 'Views'), h('th', {}, 'Likes')),
      posts.map(([cid, p]) => h('tr', { 'data-content': cid, 'data-views': p.views }, h('td', {}, p.title), h('td', {}, p.views), h('td', {}, p.likes))));
    return chartBox('Views and likes of the latest posts', 'chart-posts', svg, h('p', { class: 'muted small' }, 'Bar: views; thin bar: likes.'), table);
  }
  mixChart(title, id, counts, reference) {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const W = 320, rowH = 20, L = 96;
    const names = reference.map(([n]) => n);
    for (const k of counts.keys()) if (!names.includes(k)) names.push(k);
    const H = names.length * rowH + 4;
    const ref = new Map(reference);
    const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${title}, share against the reference (marks); ${total} in all` },
      names.map((n, i) => {
        const share = total ? (counts.get(n) || 0) / total : 0;
        const r = ref.get(n) || 0;
        const span = W - L - 44;
        return s('g', { transform: `translate(0 ${i * rowH + 2})` },
          s('text', { x: 0, y: 13, class: 'label' }, n),
          s('rect', { x: L, y: 3, width: span, height: 12, class: 'track' }),
          s('rect', { x: L, y: 3, width: (span * share).toFixed(1), height: 12, class: `bar ${n}` }),
          s('line', { x1: L + span * r, x2: L + span * r, y1: 0, y2: 18, class: 'ref' }),
          s('text', { x: W - 40, y: 13, class: 'value' }, `${Math.round(share * 100)}%`));
      }));
    return chartBox(title, id, svg, h('p', { class: 'muted small' }, `${total} in all; marks: the reference mix.`));
  }
  audienceChart() {
    const W = 320, H = 120, L = 40, B = 16;
    const all = [...this.audience.values()].flat();
    const series = [...this.audience.entries()].sort();
    const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'aud-title' }, s('title', { id: 'aud-title' }, 'Followers over virtual time'));
    const legend = h('ul', { class: 'legend' });
    if (all.length) {
      const t0 = Math.min(...all.map((p) => p[0])), t1 = Math.max(...all.map((p) => p[0]));
      series.forEach(([name, pts], k) => {
        const lo = Math.min(...pts.map((p) => p[1])), hi = Math.max(...pts.map((p) => p[1]));
        const x = (t) => L + ((t - t0) / Math.max(1, t1 - t0)) * (W - L - 4);
        const y = (v) => H - B - ((v - lo) / Math.max(1, hi - lo)) * (H - B - 6);
        svg.append(s('polyline', { fill: 'none', stroke: COLORS[name] || PALETTE[k % PALETTE.length], 'stroke-width': 2, points: pts.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ') }));
        legend.append(h('li', {}, h('i', { class: `swatch ${name}` }), `${name}: ${num(pts[pts.length - 1][1])} (${num(lo)}–${num(hi)})`));
      });
    }
    return chartBox('Followers over time', 'chart-audience', svg, h('p', { class: 'muted small' }, 'Each line on its own scale.'), legend);
  }
}
function axis(W, H, L, B, max) {
  return s('g', { class: 'axis' },
    s('line', { x1: L, x2: W - 2, y1: H - B, y2: H - B }),
    s('line', { x1: L, x2: L, y1: 4, y2: H - B }),
    s('text', { x: L - 4, y: 12, 'text-anchor': 'end' }, num(max)),
    s('text', { x: L - 4, y: H - B, 'text-anchor': 'end' }, '0'));
}
function chartBox(title, id, ...kids) {
  return h('figure', { class: 'chart', id }, h('figcaption', {}, title), kids);
}

// ---------------------------------------------------------------- signals and scenarios (admin)

/** The parameters a signal's description lists in braces: `{name?: hint, ...}`. */
function signalParams(description) {
  const open = description.indexOf('{');
  if (open < 0) return [];
  let depth = 0, close = -1;
  for (let i = open; i < description.length; i++) {
    if (description[i] === '{' || description[i] === '(') depth++;
    if (description[i] === '}' || description[i] === ')') depth--;
    if (depth === 0) { close = i; break; }
  }
  const inner = description.slice(open + 1, close < 0 ? undefined : close);
  const out = [];
  depth = 0;
  let cur = '';
  for (const c of inner + ',') {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      const m = cur.trim().match(/^([a-z_]+)(\?)?\s*:?\s*(.*)$/);
      if (m) out.push({ name: m[1], optional: !!m[2], hint: m[3] });
      cur = '';
    } else cur += c;
  }
  return out;
}
function paramValue(raw) {
  const t = raw.trim();
  if (t === '') return undefined;
  if (/^-?\d+(\.\d+)?(e\d+)?$/.test(t)) return Number(t);
  return t;
}

function signalsTab(body, id, view) {
  const platforms = S.platforms.filter((p) => view.platforms[p.name] && p.signals.length);
  const result = h('p', { id: 'signal-result', role: 'status', class: 'muted' });
  const sections = platforms.map((p) => h('section', { class: 'panel' }, h('h2', {}, p.name),
    h('div', { class: 'signals' }, p.signals.map((sig) => {
      const params = signalParams(sig.description);
      const f = h('form', { class: 'signal', 'data-platform': p.name, 'data-signal': sig.name },
        h('h3', {}, sig.name.replace(/_/g, ' ')),
        h('p', { class: 'muted small' }, sig.description.replace(/\{.*$/, '').replace(/:\s*$/, '')),
        params.map((x) => field(`${x.name}${x.optional ? ' (optional)' : ''}`, h('input', { name: x.name, placeholder: x.hint.slice(0, 40), title: x.hint, autocomplete: 'off' }))),
        h('button', { type: 'submit' }, `Send ${sig.name.replace(/_/g, ' ')}`));
      f.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const values = {};
        for (const x of params) {
          const v = paramValue(f.elements[x.name].value);
          if (v !== undefined) values[x.name] = v;
        }
        try {
          await api('POST', `/v1/profiles/${id}/signals`, { platform: p.name, signal: sig.name, params: values });
          result.textContent = `${p.name}: ${sig.name} applied`;
          toast(`${p.name}: ${sig.name} applied`);
        } catch (e) { result.textContent = explain(e); toast(explain(e), true); }
      });
      return f;
    }))));
  const runs = h('ul', { id: 'runs', class: 'runs' });
  const scen = h('section', { class: 'panel' }, h('h2', {}, 'Ready scenarios'),
    h('p', { class: 'muted' }, 'A scenario runs on this live profile, its clock following the profile’s.'),
    h('div', { class: 'presets' }, S.scenarios.map((sc) => h('button', { type: 'button', title: sc.summary, 'data-scenario': sc.name, onclick: async () => {
      try {
        const r = await api('POST', `/v1/profiles/${id}/scenarios`, { name: sc.name });
        const li = h('li', { 'data-run': r.id }, `${sc.name}: ${r.status}`);
        runs.prepend(li);
        const poll = setInterval(async () => {
          try {
            const v = await api('GET', `/v1/profiles/${id}/scenarios/${r.id}`);
            const exp = (v.expectations || []).map((x) => `${x.passed ? '✓' : '✗'} ${x.message}`).join('; ');
            li.textContent = `${sc.name}: ${v.status}${exp ? ` — ${exp}` : ''}`;
            if (v.status !== 'running') clearInterval(poll);
          } catch { clearInterval(poll); }
        }, 1500);
        S.timers.push(poll);
      } catch (e) { toast(explain(e), true); }
    } }, sc.name.replace(/_/g, ' ')))), runs);
  body.replaceChildren(result, ...sections, scen);
}

// ---------------------------------------------------------------- act as the creator

function actTab(body, id, view) {
  const names = Object.keys(view.platforms).filter((n) => (plugin(n) || { actions: [] }).actions.includes('publish'));
  const out = h('p', { id: 'act-result', role: 'status' });
  const example = (n) => {
    const p = plugin(n);
    const kind = p.content_kinds[0];
    // Each plugin names its text parameter in its own vocabulary.
    return JSON.stringify(n === 'youtube' ? { kind, title: 'Live demo upload' } : { kind, caption: 'Live demo post' }, null, 1);
  };
  const platform = h('select', { name: 'platform' }, names.map((n) => h('option', {}, n)));
  const params = h('textarea', { name: 'params', rows: 4, spellcheck: 'false' }, names.length ? example(names[0]) : '{}');
  platform.addEventListener('change', () => { params.value = example(platform.value); });
  const f = h('form', { id: 'publish', class: 'grid' }, field('Platform', platform), field('Parameters (JSON)', params), h('div', { class: 'span' }, h('button', { type: 'submit' }, 'Publish')), out);
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    let p;
    try { p = JSON.parse(params.value); } catch { out.textContent = 'The parameters are not valid JSON.'; out.className = 'error'; return; }
    try {
      const r = await api('POST', `/v1/profiles/${id}/actions`, { platform: platform.value, kind: 'publish', params: p });
      const e = r.events.find((x) => x.type === 'content') || r.events[0];
      out.className = 'ok';
      out.textContent = `Published ${e ? `${e.kind} ${e.id}` : ''}`;
    } catch (e) {
      out.className = 'error';
      out.textContent = e.status === 429 ? `Limit reached: ${e.message}. Retry in ${e.retryAfter} s.` : explain(e);
    }
  });
  body.replaceChildren(h('section', { class: 'panel' }, h('h2', {}, 'Publish as the creator'),
    h('p', { class: 'muted' }, 'Replies to comments and DMs are sent from the feed (the Reply button on each one). Limits answer as the platform does: a 429 with the time to wait.'), f));
}

// ---------------------------------------------------------------- webhooks

function webhooksTab(body, id, view) {
  const tbody = h('tbody');
  const log = h('div', { id: 'deliveries' });
  const err = h('p', { class: 'error', role: 'alert' });
  const f = h('form', { id: 'hook-form', class: 'grid' },
    field('Receiver URL', h('input', { name: 'url', type: 'url', required: true, placeholder: 'http://127.0.0.1:8000/hook' })),
    field('Secret (16–256 bytes)', h('input', { name: 'secret', required: true, minlength: 16, maxlength: 256, autocomplete: 'off' })),
    field('Types (comma list, empty: all)', h('input', { name: 'types', placeholder: 'interaction' })),
    field('Kinds (comma list, empty: all)', h('input', { name: 'kinds', placeholder: 'comment, reply, dm' })),
    field('Platforms (comma list, empty: all)', h('input', { name: 'platforms', placeholder: Object.keys(view.platforms).join(', ') })),
    err, h('div', { class: 'span' }, h('button', { type: 'submit' }, 'Create webhook')));
  const list = (v) => v.split(',').map((x) => x.trim()).filter(Boolean);
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.textContent = '';
    try {
      await api('POST', `/v1/profiles/${id}/webhooks`, { url: f.url.value, secret: f.secret.value, filter: { types: list(f.types.value), kinds: list(f.kinds.value), platforms: list(f.platforms.value) } });
      f.reset();
      refresh();
    } catch (e) { err.textContent = explain(e); }
  });
  async function deliveries(hook) {
    try {
      const d = await api('GET', `/v1/profiles/${id}/webhooks/${hook}/deliveries`);
      log.replaceChildren(h('h3', {}, `Deliveries of ${hook}`), d.items.length ? h('div', { class: 'scroll', tabindex: 0 }, h('table', { class: 'list' },
        h('thead', {}, h('tr', {}, ['Event', 'Attempt', 'Status', 'Outcome', 'Error', 'ms'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, d.items.map((x) => h('tr', {}, h('td', {}, x.event_id), h('td', {}, x.attempt), h('td', {}, x.status ?? '—'), h('td', {}, h('span', { class: `badge ${x.outcome}` }, x.outcome)), h('td', {}, x.error || ''), h('td', {}, x.duration_ms)))))) : h('p', { class: 'muted' }, 'No delivery yet.'));
    } catch (e) { log.replaceChildren(h('p', { class: 'error' }, explain(e))); }
  }
  async function refresh() {
    let hooks;
    try { hooks = (await api('GET', `/v1/profiles/${id}/webhooks`)).webhooks; } catch { return; }
    tbody.replaceChildren(...hooks.map((w) => h('tr', { 'data-hook': w.id },
      h('td', {}, w.id), h('td', { class: 'break' }, w.url), h('td', {}, statusBadge(w.status)),
      h('td', {}, [...w.filter.types, ...w.filter.kinds, ...w.filter.platforms].join(', ') || 'everything'),
      h('td', {}, w.pending), h('td', {}, w.last_error || ''),
      h('td', {}, h('div', { class: 'row' }, h('button', { type: 'button', class: 'ghost small', onclick: () => deliveries(w.id) }, 'Deliveries'),
        h('button', { type: 'button', class: 'danger small', onclick: async () => {
          if (!(await confirmDialog(`Delete webhook ${w.id} (${w.url})?`))) return;
          try { await api('DELETE', `/v1/profiles/${id}/webhooks/${w.id}`); refresh(); log.replaceChildren(); } catch (e) { toast(explain(e), true); }
        } }, 'Delete'))))));
    if (!hooks.length) tbody.replaceChildren(h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No webhooks yet.')));
  }
  body.replaceChildren(
    h('section', { class: 'panel' }, h('h2', {}, 'Webhooks'), h('div', { class: 'scroll', tabindex: 0 }, h('table', { class: 'list', id: 'hooks' },
      h('thead', {}, h('tr', {}, ['Id', 'URL', 'Status', 'Filter', 'Pending', 'Last error', ''].map((c) => h('th', { scope: 'col' }, c)))), tbody)), log),
    h('section', { class: 'panel' }, h('h2', {}, 'New webhook'), f));
  refresh();
  every(3000, refresh);
}

// ---------------------------------------------------------------- connection details

function connectTab(body, id, view) {
  const origin = location.origin;
  const token = S.role === 'profile' ? S.token : tokens()[id];
  const line = (label, value, what) => h('div', { class: 'conn' }, h('dt', {}, label), h('dd', {}, h('code', {}, value), ' ', h('button', { type: 'button', class: 'ghost small', 'aria-label': `Copy ${what}`, onclick: () => copy(value, what) }, 'Copy')));
  const natives = Object.keys(view.platforms).map((n) => line(`${n} native API base`, `${origin}/native/${n}/`, `${n} base`));
  body.replaceChildren(h('section', { class: 'panel' }, h('h2', {}, 'Connect an app to this profile'),
    h('dl', { class: 'conns' },
      token ? line('Profile token', token, 'profile token') : h('div', { class: 'conn' }, h('dt', {}, 'Profile token'), h('dd', { class: 'muted' }, 'Shown only when the profile is created; this tab did not create it.')),
      line('Profile id', id, 'profile id'),
      line('/v1 base', `${origin}/v1`, '/v1 base'),
      line('Profile URL', `${origin}/v1/profiles/${id}`, 'profile URL'),
      line('Event stream (SSE)', `${origin}/v1/profiles/${id}/stream`, 'stream URL'),
      natives),
    h('p', { class: 'muted' }, 'Every call takes the token as Authorization: Bearer. The stream resumes with a Last-Event-ID header. With the admin token, a native API call names the profile with x-diorama-profile.')));
}

// ---------------------------------------------------------------- start

$('#signout').addEventListener('click', signOut);
window.addEventListener('hashchange', route);
route();
