import { Fragment, type RefObject, useCallback, useEffect, useImperativeHandle, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type AgentView,
  type ChannelView,
  type ConversationView,
  conversationViewSchema,
  type MessageView,
  messageViewSchema,
  pageOf,
  type StatusChangeBody,
  type UploadedFile,
} from '../../../../shared/inbox-api';
import { api, connectedChannels, uploadFile } from '../api';
import { dateTime, dayKey, dayLabel } from '../format';
import type { Live } from '../live';
import { Composer, type ComposerMode } from './Composer';
import { LostDialog } from './LostDialog';
import { MessageItem } from './MessageItem';
import { ReplyArea } from './ReplyArea';
import { SnoozeDialog } from './SnoozeDialog';
import { TemplateComposer } from './TemplateComposer';
import { WaitingTimer } from './WaitingTimer';

const messagePage = pageOf(messageViewSchema);
/** Within this many pixels of the end the reader is "at the bottom" and follows new messages. */
const FOLLOW_PX = 48;

interface Props {
  conversation: ConversationView;
  me: AgentView;
  agents: AgentView[];
  live: Live;
  /** Bumped on every reconnect: the history is read again, so what arrived meanwhile shows. */
  resyncs: number;
  onBack(): void;
  /** Below a wide screen the contact is not beside the thread: this shows it. */
  onContact(): void;
  onChanged(c: ConversationView): void;
  onError(err: unknown): void;
  replyRef: RefObject<HTMLTextAreaElement | null>;
  assignRef: RefObject<HTMLSelectElement | null>;
  actionsRef: RefObject<{ take(): void; resolve(): void } | null>;
}

async function readHistory(id: string): Promise<MessageView[]> {
  const all: MessageView[] = [];
  let cursor: string | null = null;
  do {
    const query: string = new URLSearchParams({ limit: '200', ...(cursor ? { cursor } : {}) }).toString();
    const page = await api(messagePage, 'GET', `/api/conversations/${id}/messages?${query}`);
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && all.length < 5000);
  return all;
}

function mergeMessage(list: MessageView[], m: MessageView): MessageView[] {
  const at = list.findIndex((x) => x.id === m.id);
  if (at >= 0) return list.map((x, i) => (i === at ? m : x));
  return [...list, m].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

export function Thread({
  conversation: c,
  me,
  agents,
  live,
  resyncs,
  onBack,
  onContact,
  onChanged,
  onError,
  replyRef,
  assignRef,
  actionsRef,
}: Props) {
  const { t } = useTranslation();
  const [messages, setMessages] = useState<MessageView[] | null>(null);
  const [newBelow, setNewBelow] = useState(0);
  const [lostOpen, setLostOpen] = useState(false);
  const [snoozeOpen, setSnoozeOpen] = useState(false);
  const scroller = useRef<HTMLOListElement>(null);
  const following = useRef(true);

  // biome-ignore lint/correctness/useExhaustiveDependencies: read again on a reconnect, too
  useEffect(() => {
    let current = true;
    readHistory(c.id)
      .then((history) => {
        if (!current) return;
        setMessages((prev) => (prev ? history.reduce(mergeMessage, prev) : history));
      })
      .catch(onError);
    return () => {
      current = false;
    };
  }, [c.id, resyncs, onError]);

  const markRead = useCallback(() => {
    void live.emit('conversation:read', { conversationId: c.id });
  }, [c.id, live]);

  useEffect(() => {
    if (c.unreadCount > 0 && document.visibilityState === 'visible') markRead();
  }, [c.unreadCount, markRead]);

  useEffect(() => {
    const take = (m: MessageView) => {
      if (m.conversationId !== c.id) return;
      setMessages((prev) => (prev ? mergeMessage(prev, m) : prev));
    };
    const offNew = live.on('message:new', ({ message }) => {
      take(message);
      if (message.conversationId === c.id && !following.current) setNewBelow((n) => n + 1);
    });
    const offUpdated = live.on('message:updated', ({ message }) => take(message));
    return () => {
      offNew();
      offUpdated();
    };
  }, [c.id, live]);

  // A reader at the bottom follows new messages; one reading history stays exactly where they are.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && messages && following.current) el.scrollTop = el.scrollHeight;
  }, [messages]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    following.current = el.scrollHeight - el.scrollTop - el.clientHeight < FOLLOW_PX;
    if (following.current) setNewBelow(0);
  };
  const toBottom = () => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
    following.current = true;
    setNewBelow(0);
  };

  const act = useCallback(
    async (run: () => Promise<ConversationView>) => {
      try {
        onChanged(await run());
      } catch (err) {
        onError(err);
      }
    },
    [onChanged, onError],
  );
  const assign = useCallback(
    (agentId: string | null) => act(() => api(conversationViewSchema, 'POST', `/api/conversations/${c.id}/assign`, { agentId })),
    [act, c.id],
  );
  const setStatus = useCallback(
    (change: StatusChangeBody) => act(() => api(conversationViewSchema, 'POST', `/api/conversations/${c.id}/status`, change)),
    [act, c.id],
  );
  useImperativeHandle(actionsRef, () => ({ take: () => void assign(me.id), resolve: () => void setStatus({ status: 'resolved' }) }), [
    assign,
    setStatus,
    me.id,
  ]);

  const snooze = useCallback(
    (until: Date) => act(() => api(conversationViewSchema, 'POST', `/api/conversations/${c.id}/snooze`, { until: until.toISOString() })),
    [act, c.id],
  );
  // The queued state and then the delivery's outcome come back over the socket, as for any reply.
  const retry = useCallback(
    async (messageId: string) => {
      try {
        const queued = await api(messageViewSchema, 'POST', `/api/conversations/${c.id}/messages/${messageId}/retry`);
        setMessages((prev) => (prev ? prev.map((m) => (m.id === queued.id && m.status === 'failed' ? queued : m)) : prev));
      } catch (err) {
        onError(err);
      }
    },
    [c.id, onError],
  );

  const [channel, setChannel] = useState<ChannelView | undefined>();
  useEffect(() => {
    let current = true;
    connectedChannels().then(
      (channels) => current && setChannel(channels.get(c.channel)),
      () => current && setChannel(undefined),
    );
    return () => {
      current = false;
    };
  }, [c.channel]);

  const send = async (text: string, files: readonly UploadedFile[], mode: ComposerMode) => {
    const body = files.length ? { text, attachments: files.map((f) => ({ id: f.id, name: f.name })) } : { text };
    await post(body, mode === 'note' ? 'notes' : 'messages');
  };
  const post = async (body: unknown, route: 'messages' | 'notes' = 'messages') => {
    const message = await api(messageViewSchema, 'POST', `/api/conversations/${c.id}/${route}`, body);
    following.current = true;
    // The socket may have brought this reply, and its delivery status, before the POST's own answer: keep theirs.
    setMessages((prev) => (!prev ? [message] : prev.some((m) => m.id === message.id) ? prev : mergeMessage(prev, message)));
  };

  const assignee = c.assigneeId ? agents.find((a) => a.id === c.assigneeId) : undefined;
  const resolved = c.status === 'resolved';

  return (
    <section className="thread" id="thread" aria-labelledby="thread-name">
      <header className="thread-head" id="thread-head">
        <button type="button" className="back" onClick={onBack} aria-label={t('thread.back')}>
          ←
        </button>
        <div className="who">
          <h2 id="thread-name">{c.contact.name}</h2>
          <p className="thread-state" id="thread-state">
            <span className={`channel-badge ${c.channel}`}>{t(`channel.${c.channel}`)}</span>
            <span className={`status-badge ${c.status}`}>{t(`status.${c.status}`)}</span>
            {c.heldByBot ? (
              <span className="bot-badge" id="bot-badge">
                {t('bot.badge')}
              </span>
            ) : (
              <span>
                {c.assigneeId === me.id
                  ? t('list.you')
                  : assignee
                    ? t('thread.assignedTo', { name: assignee.name })
                    : t('thread.unassigned')}
              </span>
            )}
            <WaitingTimer conversation={c} />
            {c.outcome === 'won' && <span className="outcome won">{t('thread.outcomeWon')}</span>}
            {c.status === 'snoozed' && c.snoozedUntil && (
              <span className="snoozed-until" id="snoozed-until">
                {t('thread.snoozedUntil', { time: dateTime(c.snoozedUntil) })}
              </span>
            )}
            {c.outcome === 'lost' && <span className="outcome lost">{t('thread.outcomeLost', { reason: c.lossReason ?? '' })}</span>}
            {c.outcome === 'lost' && c.lossNote && <span className="loss-note">{t('thread.lossNote', { note: c.lossNote })}</span>}
            {!c.contact.reachable && <span className="unreachable">{t('thread.unreachable')}</span>}
          </p>
        </div>
        <div className="actions">
          <button type="button" id="contact-toggle" className="contact-toggle" onClick={onContact} aria-controls="contact">
            {t('thread.contact')}
          </button>
          {c.heldByBot ? (
            <button
              type="button"
              id="takeover"
              className="primary"
              onClick={() => void act(() => api(conversationViewSchema, 'POST', `/api/conversations/${c.id}/takeover`))}
            >
              {t('bot.takeOver')}
            </button>
          ) : (
            c.assigneeId !== me.id && (
              <button type="button" id="take" onClick={() => void assign(me.id)}>
                {t('thread.take')}
              </button>
            )
          )}
          <label className="assign">
            <span className="visually-hidden">{t('thread.assignTo')}</span>
            <select id="assign" ref={assignRef} value={c.assigneeId ?? ''} onChange={(e) => void assign(e.target.value || null)}>
              <option value="">{t('thread.nobody')}</option>
              {/* A deactivated manager cannot sign in to answer: offered only while the conversation is still theirs. */}
              {agents
                .filter((a) => a.active || a.id === c.assigneeId)
                .map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name}
                    {a.online ? ' ●' : ''}
                  </option>
                ))}
            </select>
          </label>
          {resolved ? (
            <button type="button" id="reopen" onClick={() => void setStatus({ status: 'open' })}>
              {t('thread.reopen')}
            </button>
          ) : (
            <>
              {c.status === 'snoozed' ? (
                <button
                  type="button"
                  id="unsnooze"
                  onClick={() => void act(() => api(conversationViewSchema, 'POST', `/api/conversations/${c.id}/unsnooze`))}
                >
                  {t('thread.unsnooze')}
                </button>
              ) : (
                <button type="button" id="snooze" onClick={() => setSnoozeOpen(true)}>
                  {t('thread.snooze')}
                </button>
              )}
              <button type="button" id="resolve" className="primary" onClick={() => void setStatus({ status: 'resolved' })}>
                {t('thread.resolve')}
              </button>
              <button type="button" id="close-won" onClick={() => void setStatus({ status: 'resolved', outcome: 'won' })}>
                {t('thread.closeWon')}
              </button>
              <button type="button" id="close-lost" onClick={() => setLostOpen(true)}>
                {t('thread.closeLost')}
              </button>
            </>
          )}
        </div>
      </header>
      <ol id="messages" className="messages" aria-label={t('thread.messages')} ref={scroller} onScroll={onScroll}>
        {messages === null && <li className="note">{t('thread.loading')}</li>}
        {messages?.length === 0 && <li className="note">{t('thread.empty')}</li>}
        {messages?.map((m, i) => {
          const previous = messages[i - 1];
          const newDay = !previous || dayKey(previous.createdAt) !== dayKey(m.createdAt);
          return (
            <Fragment key={m.id}>
              {newDay && (
                <li className="day">
                  <span>{dayLabel(m.createdAt)}</span>
                </li>
              )}
              <MessageItem message={m} contactName={c.contact.name} onRetry={retry} />
            </Fragment>
          );
        })}
      </ol>
      {newBelow > 0 && (
        <button type="button" className="new-below" onClick={toBottom}>
          {t('thread.newBelow')}
        </button>
      )}
      <ReplyArea
        channel={channel}
        lastInboundAt={c.lastInboundAt}
        composer={(notesOnly) => (
          <Composer
            onSend={send}
            onUpload={channel?.sendsFiles ? (file) => uploadFile(c.id, file) : undefined}
            textareaRef={replyRef}
            onError={onError}
            contactName={c.contact.name}
            notesOnly={notesOnly}
          />
        )}
        templates={<TemplateComposer channel={c.channel} onSend={(template) => post({ template })} onError={onError} />}
      />
      <LostDialog
        open={lostOpen}
        onClose={() => setLostOpen(false)}
        onConfirm={async (choice) => {
          await setStatus({ status: 'resolved', outcome: 'lost', ...choice });
          setLostOpen(false);
        }}
      />
      <SnoozeDialog
        open={snoozeOpen}
        onClose={() => setSnoozeOpen(false)}
        onSnooze={async (until) => {
          await snooze(until);
          setSnoozeOpen(false);
        }}
      />
    </section>
  );
}
