import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type AgentView, type AlertView, agentViewSchema, listOf, type SessionViewBody } from '../../../../shared/inbox-api';
import { api, session } from '../api';
import { useConversations } from '../conversations';
import { whenIdle } from '../later';
import { Live } from '../live';
import { chime, notify, prepareChime } from '../notify';
import { useShortcuts } from '../shortcuts';
import { codeFile, useCodeFile } from '../split';
import { Admin } from './Admin';
import { ContactPanel } from './ContactPanel';
import { ConversationList } from './ConversationList';
import { MyTasks } from './MyTasks';
import { PipelineBoard } from './PipelineBoard';
import { SavedRepliesAdmin } from './SavedRepliesAdmin';
import { Sessions } from './Sessions';
import { ShortcutsDialog } from './ShortcutsDialog';
import { Thread } from './Thread';
import { type Toast, Toasts } from './Toasts';
import { TopBar, type View } from './TopBar';

const agentList = listOf(agentViewSchema);
const seesFigures = (me: AgentView) => me.role === 'supervisor' || me.role === 'admin';
// Only supervisors and admins see the figures, and only when they ask: a file of their own, fetched when idle.
const figuresFile = codeFile(() => import('./Figures'));
const customersFile = codeFile(() => import('./Customers'));

/** The signed-in manager's screen: the list, the open conversation and its contact, or the supervisors' figures. */
export function Workspace({ me, onSignOut }: { me: AgentView; onSignOut: () => void }) {
  const { t } = useTranslation();
  const [live, setLive] = useState<Live | null>(null);
  const [connected, setConnected] = useState(false);
  const [resyncs, setResyncs] = useState(0);
  const [agents, setAgents] = useState<AgentView[]>([]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [contactOpen, setContactOpen] = useState(false);
  // Another conversation opens with its thread in view, not the previous customer's card.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the selection is what closes it
  useEffect(() => setContactOpen(false), [selectedId]);
  const [view, setView] = useState<View>('inbox');
  const [sessions, setSessions] = useState<ReadonlyMap<string, SessionViewBody>>(new Map());
  const [alerts, setAlerts] = useState<AlertView[]>([]);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [helpOpen, setHelpOpen] = useState(false);
  const [savedRepliesOpen, setSavedRepliesOpen] = useState(false);
  const list = useConversations(me.id);
  const figures = useCodeFile(figuresFile, view === 'figures');
  const customers = useCodeFile(customersFile, view === 'customers');
  const { upsert, reload } = list;

  const toast = useCallback((text: string, conversationId?: string) => {
    const id = `${Date.now()}-${Math.random()}`;
    setToasts((prev) => [...prev, { id, text, conversationId }]);
    setTimeout(() => setToasts((prev) => prev.filter((x) => x.id !== id)), 8000);
  }, []);
  const fail = useCallback(
    (err: unknown) => toast(t('errors.generic', { message: err instanceof Error ? err.message : String(err) })),
    [t, toast],
  );

  const loadAgents = useCallback(() => api(agentList, 'GET', '/api/agents').then((a) => setAgents(a.items)), []);

  // The socket lives as long as the sign-in: what its handlers need is read through a ref, never re-subscribed.
  const handlers = useRef({
    reload,
    upsert,
    toast,
    t,
    open: (_id: string) => undefined as void,
    selectedId: null as string | null,
    loadAgents: () => Promise.resolve(),
  });
  // Opened before the browser lays out and paints the new screen, not after: the handshake runs meanwhile.
  useLayoutEffect(() => {
    const token = session.token();
    if (!token) return;
    const socket = new Live(token, onSignOut);
    setLive(socket);
    const offs = [
      socket.onStatus((up, resumed) => {
        setConnected(up);
        // Presence changes with every connection, this one's too.
        if (up) void handlers.current.loadAgents().catch(() => undefined);
        // Every deploy drops every socket: what arrived meanwhile is read again, the list and the open thread alike.
        if (up && resumed) {
          void handlers.current.reload().catch(() => undefined);
          setResyncs((n) => n + 1);
        }
      }),
      socket.on('message:new', ({ conversation, message }) => {
        handlers.current.upsert(conversation);
        // A customer writing to me or to the queue, unless I am reading that very conversation.
        const forMe = conversation.assigneeId === me.id || conversation.assigneeId === null;
        const reading = handlers.current.selectedId === conversation.id && document.visibilityState === 'visible';
        if (message.direction === 'in' && forMe && !reading) {
          chime();
          notify(conversation.contact.name, message.text || handlers.current.t('thread.attachment'), () =>
            handlers.current.open(conversation.id),
          );
        }
      }),
      socket.on('message:updated', ({ conversation }) => handlers.current.upsert(conversation)),
      socket.on('conversation:updated', ({ conversation }) => handlers.current.upsert(conversation)),
      socket.on('alert', ({ alert }) => {
        setAlerts((prev) => [alert, ...prev.filter((a) => a.id !== alert.id)]);
        const { t: tr, toast: say } = handlers.current;
        const text = `${tr(`alert.${alert.type}`)}: ${alert.detail ?? (alert.channel ? tr(`channel.${alert.channel}`) : '')}`;
        const about = alert.conversationId;
        say(text, about);
        if (alert.agentId === me.id) {
          chime();
          notify(tr(`alert.${alert.type}`), text, () => about && handlers.current.open(about));
        }
      }),
      socket.on('channel:session', (s) => setSessions((prev) => new Map(prev).set(s.channel, s))),
    ];
    return () => {
      for (const off of offs) off();
      socket.close();
    };
  }, [onSignOut, me.id]);

  // The first page and the team are read once; filters reload by themselves.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per sign-in
  useEffect(() => {
    void reload().catch(fail);
    void loadAgents().catch(fail);
    const timer = setInterval(() => void loadAgents().catch(() => undefined), 60_000);
    const unprepare = prepareChime();
    const unfetch = seesFigures(me) ? whenIdle(() => void figuresFile.preload().catch(() => undefined)) : () => undefined;
    return () => {
      clearInterval(timer);
      unprepare();
      unfetch();
    };
  }, []);

  // The dashboard says who is online: read the team again whenever it is opened.
  useEffect(() => {
    if (view !== 'inbox') void loadAgents().catch(() => undefined);
  }, [view, loadAgents]);

  const unread = useMemo(() => list.rows.reduce((n, c) => n + c.unreadCount, 0), [list.rows]);
  // Writing the title costs the page a while, and live updates may come many a second: it is written when it
  // changes, at most once a second, the last count always.
  const titleWritten = useRef(0);
  useEffect(() => {
    const title = unread > 0 ? t('top.unreadTitle', { count: unread }) : t('app.title');
    const write = () => {
      titleWritten.current = Date.now();
      if (document.title !== title) document.title = title;
    };
    const wait = titleWritten.current + 1000 - Date.now();
    if (wait <= 0) return void write();
    const timer = setTimeout(write, wait);
    return () => clearTimeout(timer);
  }, [unread, t]);

  const selected = selectedId ? (list.known.get(selectedId) ?? null) : null;
  const open = useCallback((id: string) => {
    setView('inbox');
    setSelectedId(id);
  }, []);
  handlers.current = { reload, upsert, toast, t, open, selectedId, loadAgents };

  const searchRef = useRef<HTMLInputElement>(null);
  const replyRef = useRef<HTMLTextAreaElement>(null);
  const assignRef = useRef<HTMLSelectElement>(null);
  const actionsRef = useRef<{ take(): void; resolve(): void } | null>(null);
  useShortcuts({
    next: () => step(1),
    previous: () => step(-1),
    reply: () => replyRef.current?.focus(),
    assign: () => assignRef.current?.focus(),
    take: () => actionsRef.current?.take(),
    resolve: () => actionsRef.current?.resolve(),
    search: () => searchRef.current?.focus(),
    back: () => setSelectedId(null),
    help: () => setHelpOpen(true),
  });
  function step(by: number) {
    const ids = list.rows.map((c) => c.id);
    if (ids.length === 0) return;
    const at = selectedId ? ids.indexOf(selectedId) : -1;
    const next = ids[Math.min(ids.length - 1, Math.max(0, at + by))];
    if (next) open(next);
    // The row may scroll into the virtual list only on the next frame.
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`#conversations li[data-id="${next}"] button`)?.focus());
  }

  return (
    <div className="workspace" id="app" data-screen={view !== 'inbox' ? view : selected ? 'thread' : 'list'}>
      <TopBar
        me={me}
        connected={connected}
        view={view}
        canSeeFigures={seesFigures(me)}
        onView={setView}
        onHelp={() => setHelpOpen(true)}
        onSavedReplies={() => setSavedRepliesOpen(true)}
        onSignOut={onSignOut}
      />
      {me.role === 'admin' && view !== 'admin' && <Sessions sessions={[...sessions.values()]} />}
      {view === 'admin' ? (
        <Admin me={me} agents={agents} sessions={[...sessions.values()]} onAgentsChanged={loadAgents} onError={fail} />
      ) : view === 'pipeline' ? (
        <PipelineBoard live={live} onOpen={open} onError={fail} />
      ) : view === 'customers' ? (
        customers && (
          <customers.Customers
            me={me}
            live={live}
            onOpen={open}
            onOpenView={(saved) => {
              setView('inbox');
              setSelectedId(null);
              const { status, channel, assigneeId, ...rest } = saved.filter;
              const params = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, String(v)]));
              void list
                .changeFilters({
                  status: status ?? 'all',
                  channel: channel ?? 'all',
                  scope: assigneeId === 'none' ? 'unassigned' : assigneeId === me.id ? 'mine' : 'all',
                  q: '',
                  view: {
                    name: saved.name,
                    params: assigneeId && assigneeId !== 'none' && assigneeId !== me.id ? { ...params, assigneeId } : params,
                  },
                })
                .catch(fail);
            }}
            onError={fail}
          />
        )
      ) : view === 'tasks' ? (
        <MyTasks me={me} agents={agents} live={live} onOpen={open} onError={fail} />
      ) : view === 'figures' ? (
        figures && <figures.Figures agents={agents} liveAlerts={alerts} onOpen={open} onError={fail} />
      ) : (
        <div className="panes">
          <ConversationList
            list={list}
            me={me}
            agents={agents}
            selectedId={selectedId}
            onOpen={open}
            searchRef={searchRef}
            onError={fail}
          />
          {selected && live ? (
            <>
              <Thread
                key={selected.id}
                conversation={selected}
                me={me}
                agents={agents}
                live={live}
                resyncs={resyncs}
                onBack={() => setSelectedId(null)}
                onContact={() => setContactOpen(true)}
                onChanged={upsert}
                onError={fail}
                replyRef={replyRef}
                assignRef={assignRef}
                actionsRef={actionsRef}
              />
              <ContactPanel
                conversation={selected}
                me={me}
                live={live}
                onError={fail}
                agents={agents}
                onOpen={open}
                open={contactOpen}
                onClose={() => setContactOpen(false)}
              />
            </>
          ) : (
            <section className="thread thread-empty" aria-labelledby="empty-title">
              <div className="empty-state">
                <h2 id="empty-title">{t('thread.choose')}</h2>
                <p>{t('thread.chooseHint')}</p>
              </div>
            </section>
          )}
        </div>
      )}
      <Toasts toasts={toasts} onOpen={open} />
      <ShortcutsDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
      <SavedRepliesAdmin me={me} open={savedRepliesOpen} onClose={() => setSavedRepliesOpen(false)} />
    </div>
  );
}
