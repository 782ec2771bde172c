// The managers' live inbox: REST for lists and history, Socket.io for everything that happens afterwards.

const state = {
  token: sessionStorage.getItem('inbox.token'),
  me: null,
  filter: 'open',
  conversations: new Map(),
  selectedId: null,
  messages: [],
  socket: null,
  /** Admins only: channels that keep a session of their own (WhatsApp Web), by channel. */
  sessions: new Map(),
  /** Supervisors and admins: the response-time view, its range in days and its grouping. */
  figures: { open: false, days: 7, groupBy: 'channel', agents: new Map() },
};

const $ = (id) => document.getElementById(id);
const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: { 'content-type': 'application/json', ...(state.token ? { authorization: `Bearer ${state.token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = res.status === 204 ? null : await res.json();
  if (res.status === 401 && path !== '/api/auth/login') signOut();
  if (!res.ok) throw new Error(data?.error?.message ?? `request failed (${res.status})`);
  return data;
}

function toast(text) {
  const node = el('div', 'toast', text);
  $('toasts').append(node);
  setTimeout(() => node.remove(), 6000);
}

function waitedLabel(since) {
  if (!since) return null;
  const minutes = Math.floor((Date.now() - new Date(since).getTime()) / 60000);
  if (minutes < 1) return { text: 'waiting <1 min', late: false };
  if (minutes < 60) return { text: `waiting ${minutes} min`, late: minutes >= 5 };
  return { text: `waiting ${Math.floor(minutes / 60)} h ${minutes % 60} min`, late: true };
}

function visible(conversation) {
  if (state.filter === 'all') return true;
  return state.filter === 'resolved' ? conversation.status === 'resolved' : conversation.status !== 'resolved';
}

/** An attachment as a line under the message; what the platform did not pass on says where to see it. */
function attachmentLabel(m, a) {
  if (a.kind === 'unsupported') return el('span', 'attachment', `⚠ ${a.name ?? 'unsupported message type'} (open it in ${m.channel})`);
  return el('span', 'attachment', `📎 ${a.kind}${a.name ? `: ${a.name}` : ''}`);
}

function renderList() {
  const list = $('conversations');
  list.replaceChildren();
  const items = [...state.conversations.values()].filter(visible).sort((a, b) => b.lastMessageAt.localeCompare(a.lastMessageAt));
  for (const c of items) {
    const li = el('li');
    li.dataset.id = c.id;
    if (c.id === state.selectedId) li.classList.add('selected');
    const top = el('div', 'row');
    top.append(el('span', 'name', c.contact.name), el('span', 'badge', c.channel));
    if (c.unreadCount > 0) top.append(el('span', 'unread', String(c.unreadCount)));
    li.append(top, el('div', 'preview', c.lastMessagePreview || ''));
    const waited = waitedLabel(c.awaitingReplySince);
    if (waited) li.append(el('div', `waiting${waited.late ? ' late' : ''}`, waited.text));
    li.addEventListener('click', () => select(c.id));
    list.append(li);
  }
}

function renderThread() {
  const c = state.conversations.get(state.selectedId);
  $('empty').hidden = Boolean(c);
  $('thread-head').hidden = !c;
  $('reply').hidden = !c;
  if (!c) return;
  $('thread-name').textContent = c.contact.name;
  $('thread-channel').textContent = c.channel;
  const assignee = c.assigneeId ? (c.assigneeId === state.me.id ? 'yours' : 'assigned') : 'unassigned';
  $('thread-state').textContent = `${c.status} · ${assignee}${c.contact.reachable === false ? ' · unsubscribed' : ''}`;
  $('take').hidden = c.assigneeId === state.me.id;
  const list = $('messages');
  list.replaceChildren();
  for (const m of state.messages) {
    const li = el('li', `${m.direction}${m.status === 'failed' ? ' failed' : ''}`);
    li.dataset.id = m.id;
    if (m.automated) li.classList.add('automated');
    if (m.subject) li.append(el('div', 'subject', m.subject));
    li.append(document.createTextNode(m.text));
    if (m.quoted) {
      // The customer's client quoted our earlier mail below the new part: folded, as mail clients do.
      const fold = el('details', 'quoted');
      fold.append(el('summary', undefined, '•••'), el('div', undefined, m.quoted));
      li.append(fold);
    }
    for (const a of m.attachments ?? []) li.append(a.kind === 'unsupported' ? attachmentLabel(m, a) : attachmentNode(a));
    const who = m.sender?.name ?? m.sender?.type ?? '';
    const time = new Date(m.createdAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    const status = m.direction === 'out' ? ` · ${m.status}${m.error ? `: ${m.error}` : ''}` : '';
    li.append(el('span', 'meta', `${who} · ${time}${status}`));
    list.append(li);
  }
  list.scrollTop = list.scrollHeight;
}

const sessionLabels = {
  starting: 'starting…',
  qr: 'scan the QR to link',
  authenticated: 'linked, syncing…',
  ready: 'connected',
  disconnected: 'disconnected, reconnecting',
  auth_failure: 'session refused, relinking',
  logged_out: 'unlinked on the phone',
  stopped: 'stopped',
};

function renderSessions() {
  const box = $('sessions');
  box.replaceChildren();
  for (const s of state.sessions.values()) {
    const item = el('div', `session ${s.state}`);
    item.dataset.channel = s.channel;
    const detail = s.state === 'ready' ? s.account : s.reason;
    // The mailbox has no pairing: a refused login there means a password to change.
    const label = s.channel === 'email' && s.state === 'auth_failure' ? 'login refused' : (sessionLabels[s.state] ?? s.state);
    item.append(el('div', 'session-state', `${s.channel}: ${label}${detail ? ` (${detail})` : ''}`));
    if (s.state === 'qr' && s.qrDataUrl) {
      item.append(el('p', 'hint', 'On the business phone: WhatsApp → Settings → Linked devices → Link a device, then scan:'));
      const img = el('img', 'qr');
      img.src = s.qrDataUrl;
      img.alt = `${s.channel} pairing QR`;
      item.append(img);
    }
    box.append(item);
  }
  box.hidden = state.sessions.size === 0;
}

/** A duration in words a manager reads at a glance: 850 ms, 42 s, 7 min, 2 h 5 min. */
function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const sees = (role) => role === 'supervisor' || role === 'admin';

function figuresRange() {
  const to = new Date();
  const from = new Date(to.getTime() - state.figures.days * 24 * 3600_000);
  return { from: from.toISOString(), to: to.toISOString() };
}

async function loadFigures() {
  const f = state.figures;
  const range = figuresRange();
  const query = new URLSearchParams({ ...range, groupBy: f.groupBy });
  const [report, alerts] = await Promise.all([
    api('GET', `/api/metrics/response-times?${query}`),
    api('GET', `/api/alerts?since=${encodeURIComponent(range.from)}`),
  ]);
  if (f.groupBy === 'agent' && f.agents.size === 0) {
    for (const a of (await api('GET', '/api/agents')).items) f.agents.set(a.id, a.name);
  }
  renderFigures(report.items, alerts.items);
}

function renderFigures(rows, alerts) {
  const f = state.figures;
  $('figures-key').textContent = f.groupBy === 'agent' ? 'Manager' : 'Channel';
  const body = $('figures-rows');
  body.replaceChildren();
  for (const row of rows) {
    const tr = el('tr');
    tr.dataset.key = row.key;
    const name = f.groupBy === 'agent' ? (row.key === 'unassigned' ? 'Unassigned' : (f.agents.get(row.key) ?? row.key)) : row.key;
    const waiting = Object.values(row.ageing).reduce((n, v) => n + v, 0);
    const waitingLong = waiting - row.ageing.under5m;
    const share = row.unansweredShare === null ? '' : ` (${Math.round(row.unansweredShare * 100)}%)`;
    const cells = [
      [name],
      [String(row.leads)],
      [`${row.unanswered}${share}`, row.unansweredPastTarget > 0],
      [`${duration(row.firstResponse.p50Ms)} / ${duration(row.firstResponse.p90Ms)}`],
      [`${duration(row.reply.p50Ms)} / ${duration(row.reply.p90Ms)}`],
      [`${row.slaMet} / ${row.slaBreached}`, row.slaBreached > 0],
      [waitingLong > 0 ? `${waiting} (${waitingLong} over 5 min)` : String(waiting), waitingLong > 0],
    ];
    for (const [text, late] of cells) tr.append(el('td', late ? 'late' : '', text));
    body.append(tr);
  }
  $('figures-empty').hidden = rows.length > 0;
  const list = $('figures-alerts');
  list.replaceChildren();
  for (const a of alerts) {
    const li = el('li');
    li.append(el('span', 'when', new Date(a.createdAt).toLocaleString()), document.createTextNode(a.detail ?? `${a.type} (${a.channel})`));
    list.append(li);
  }
}

function showFigures(open) {
  state.figures.open = open;
  $('figures').hidden = !open;
  $('thread').hidden = open;
  if (open) loadFigures().catch((err) => toast(err.message));
}

/** The CSV export needs the manager's token, so it is fetched and handed to the browser as a file. */
async function downloadCsv() {
  const range = figuresRange();
  const res = await fetch(`/api/metrics/response-times.csv?${new URLSearchParams(range)}`, {
    headers: { authorization: `Bearer ${state.token}` },
  });
  if (!res.ok) throw new Error(`export failed (${res.status})`);
  const link = el('a');
  link.href = URL.createObjectURL(await res.blob());
  link.download = `response-times-${range.from.slice(0, 10)}-${range.to.slice(0, 10)}.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

/** A file the customer sent: stored ones open with the manager's token (fetched, then handed over as a file). */
function attachmentNode(a) {
  const label = `📎 ${a.name ?? a.kind}${a.size ? ` · ${formatSize(a.size)}` : ''}`;
  if (!a.url) return el('span', 'attachment', label);
  const button = el('button', 'attachment link', label);
  button.type = 'button';
  button.addEventListener('click', () => openAttachment(a).catch((err) => toast(err.message)));
  return button;
}

const formatSize = (bytes) =>
  bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function openAttachment(a) {
  const res = await fetch(a.url, { headers: { authorization: `Bearer ${state.token}` } });
  if (!res.ok) throw new Error(`the file could not be opened (${res.status})`);
  const link = el('a');
  link.href = URL.createObjectURL(await res.blob());
  link.download = a.name ?? 'attachment';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

async function loadList() {
  const query = state.filter === 'all' ? '' : `?status=${state.filter === 'resolved' ? 'resolved' : 'open'}`;
  const page = await api('GET', `/api/conversations${query}${query ? '&' : '?'}limit=200`);
  for (const c of page.items) state.conversations.set(c.id, c);
  renderList();
}

async function select(id) {
  if (state.figures.open) showFigures(false);
  state.selectedId = id;
  state.messages = (await api('GET', `/api/conversations/${id}/messages?limit=200`)).items;
  renderList();
  renderThread();
  const c = state.conversations.get(id);
  if (c && c.unreadCount > 0) state.socket.emit('conversation:read', { conversationId: id }, () => undefined);
}

function upsertConversation(c) {
  state.conversations.set(c.id, c);
  renderList();
  if (c.id === state.selectedId) renderThread();
}

function connect() {
  const socket = io({ auth: { token: state.token }, transports: ['websocket'] });
  state.socket = socket;
  socket.on('connect', () => $('connection').classList.add('live'));
  socket.on('disconnect', () => $('connection').classList.remove('live'));
  socket.on('connect_error', (err) => {
    $('connection').classList.remove('live');
    if (/token/.test(err.message)) signOut();
  });
  socket.on('message:new', ({ conversation, message }) => {
    if (conversation.id === state.selectedId && !state.messages.some((m) => m.id === message.id)) state.messages.push(message);
    upsertConversation(conversation);
  });
  socket.on('message:updated', ({ conversation, message }) => {
    const i = state.messages.findIndex((m) => m.id === message.id);
    if (i >= 0) state.messages[i] = message;
    upsertConversation(conversation);
  });
  socket.on('conversation:updated', ({ conversation }) => upsertConversation(conversation));
  // Sent to admins only, at connect and on every change.
  socket.on('channel:session', (view) => {
    state.sessions.set(view.channel, view);
    renderSessions();
  });
  socket.on('alert', ({ alert }) => {
    const c = state.conversations.get(alert.conversationId);
    toast(`${alert.type.replace('_', ' ')}: ${c ? c.contact.name : alert.channel}${alert.detail ? ` — ${alert.detail}` : ''}`);
    if (state.figures.open) loadFigures().catch(() => undefined);
  });
}

async function start() {
  try {
    state.me = await api('GET', '/api/me');
  } catch {
    return showLogin();
  }
  $('login').hidden = true;
  $('app').hidden = false;
  $('me-name').textContent = `${state.me.name} (${state.me.role})`;
  $('show-figures').hidden = !sees(state.me.role);
  connect();
  await loadList();
}

function showLogin() {
  $('app').hidden = true;
  $('login').hidden = false;
}

function signOut() {
  sessionStorage.removeItem('inbox.token');
  state.token = null;
  state.socket?.close();
  state.sessions.clear();
  renderSessions();
  showFigures(false);
  state.figures.agents.clear();
  showLogin();
}

$('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    const { token } = await api('POST', '/api/auth/login', { email: form.get('email'), password: form.get('password') });
    state.token = token;
    sessionStorage.setItem('inbox.token', token);
    $('login-error').textContent = '';
    await start();
  } catch (err) {
    $('login-error').textContent = err.message;
  }
});

$('reply').addEventListener('submit', (event) => {
  event.preventDefault();
  const textarea = event.target.elements.text;
  const text = textarea.value.trim();
  if (!text || !state.selectedId) return;
  state.socket.emit('message:send', { conversationId: state.selectedId, text }, (ack) => {
    if (!ack.ok) {
      $('reply-error').textContent = ack.error.message;
      return;
    }
    $('reply-error').textContent = '';
    textarea.value = '';
    if (!state.messages.some((m) => m.id === ack.message.id)) state.messages.push(ack.message);
    renderThread();
  });
});

$('reply').elements.text.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    $('reply').requestSubmit();
  }
});

$('take').addEventListener('click', () => {
  state.socket.emit('conversation:assign', { conversationId: state.selectedId, agentId: state.me.id }, (ack) => {
    if (ack.ok) upsertConversation(ack.conversation);
    else toast(ack.error.message);
  });
});

$('resolve').addEventListener('click', async () => {
  try {
    upsertConversation(await api('POST', `/api/conversations/${state.selectedId}/status`, { status: 'resolved' }));
  } catch (err) {
    toast(err.message);
  }
});

$('logout').addEventListener('click', signOut);

$('filters').addEventListener('click', async (event) => {
  const button = event.target.closest('button');
  if (!button) return;
  state.filter = button.dataset.filter;
  for (const b of $('filters').children) b.classList.toggle('active', b === button);
  await loadList();
});

$('show-figures').addEventListener('click', () => showFigures(true));
$('figures-close').addEventListener('click', () => showFigures(false));
$('figures-csv').addEventListener('click', () => downloadCsv().catch((err) => toast(err.message)));
for (const [box, pick] of [
  ['figures-range', (b) => (state.figures.days = Number(b.dataset.days))],
  ['figures-group', (b) => (state.figures.groupBy = b.dataset.group)],
]) {
  $(box).addEventListener('click', (event) => {
    const button = event.target.closest('button');
    if (!button) return;
    pick(button);
    for (const b of $(box).children) b.classList.toggle('active', b === button);
    loadFigures().catch((err) => toast(err.message));
  });
}

// Waiting times age while the page is open; the figures too.
setInterval(renderList, 30_000);
setInterval(() => state.figures.open && loadFigures().catch(() => undefined), 60_000);
start();
