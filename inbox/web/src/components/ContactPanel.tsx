import { type ReactNode, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type AgentView, type ContactCardView, type ConversationView, contactCardSchema } from '../../../../shared/inbox-api';
import { api } from '../api';
import { dateTime, listTime } from '../format';
import { currentLanguage } from '../i18n';
import type { Live } from '../live';
import { ContactRenewal } from './ContactRenewal';
import { ContactTasks } from './ContactTasks';
import { StagePicker } from './StagePicker';
import '../tasks.css';

function languageName(code: string): string {
  try {
    return new Intl.DisplayNames([currentLanguage()], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/**
 * Who the customer is, where this conversation stands, and the same customer on other channels (one click opens
 * that conversation), beside the thread on a wide screen.
 */
export function ContactPanel({
  conversation: c,
  me,
  live,
  onError,
  agents,
  onOpen,
  open,
  onClose,
}: {
  conversation: ConversationView;
  me: AgentView;
  live: Live | null;
  onError(err: unknown): void;
  agents: AgentView[];
  onOpen(id: string): void;
  /** Shown over the thread (a laptop, a phone), where it is not beside it. */
  open: boolean;
  onClose(): void;
}) {
  const { t } = useTranslation();
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) closeRef.current?.focus();
  }, [open]);
  const [card, setCard] = useState<ContactCardView | null>(null);
  useEffect(() => {
    let current = true;
    setCard(null);
    api(contactCardSchema, 'GET', `/api/conversations/${c.id}/contact`)
      .then((found) => current && setCard(found))
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [c.id]);

  const assignee = agents.find((a) => a.id === c.assigneeId);
  const rows: Array<[string, ReactNode]> = [];
  rows.push([t('contact.channel'), `${t(`channel.${c.channel}`)} · ${card?.externalId ?? '…'}`]);
  if (card?.username) rows.push([t('contact.username'), `@${card.username}`]);
  if (card?.phone)
    rows.push([
      t('contact.phone'),
      <a key="phone" href={`tel:${card.phone}`}>
        {card.phone}
      </a>,
    ]);
  if (card?.email)
    rows.push([
      t('contact.email'),
      <a key="email" href={`mailto:${card.email}`}>
        {card.email}
      </a>,
    ]);
  if (card?.language) rows.push([t('contact.language'), languageName(card.language)]);
  if (card?.source) rows.push([t('contact.source'), card.source]);
  if (card && card.name !== c.contact.name) rows.push([t('bot.givenName'), card.name]);
  if (card?.need) rows.push([t('bot.need'), card.need]);
  rows.push([t('contact.since'), dateTime(card?.createdAt ?? c.createdAt)]);
  rows.push([t('contact.firstResponse'), c.firstResponseAt ? dateTime(c.firstResponseAt) : t('contact.noFirstResponse')]);
  if (c.awaitingReplySince && c.firstResponseDueAt && !c.firstResponseAt) rows.push([t('contact.due'), dateTime(c.firstResponseDueAt)]);
  if (c.escalationStep > 0) rows.push([t('contact.escalation'), String(c.escalationStep)]);
  if (assignee) rows.push([t('contact.assignee'), assignee.name]);

  return (
    <aside
      className={open ? 'contact-panel open' : 'contact-panel'}
      id="contact"
      aria-labelledby="contact-title"
      onKeyDown={(e) => {
        if (open && e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <div className="contact-head">
        <h2 id="contact-title">{t('contact.title')}</h2>
        <button type="button" ref={closeRef} className="contact-close" onClick={onClose}>
          {t('contact.close')}
        </button>
      </div>
      <p className="contact-name">{c.contact.name}</p>
      {!c.contact.reachable && <p className="unreachable">{t('thread.unreachable')}</p>}
      <dl>
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <StagePicker conversation={c} />
      {card && <ContactRenewal contactId={card.id} renewalAt={card.renewalAt ?? null} onError={onError} />}
      <ContactTasks conversation={c} me={me} agents={agents} live={live} onError={onError} />
      {card && card.elsewhere.length > 0 && (
        <section className="contact-elsewhere" aria-labelledby="contact-elsewhere-title">
          <h3 id="contact-elsewhere-title" title={t('contact.elsewhereHint')}>
            {t('contact.elsewhere')}
          </h3>
          <ul>
            {card.elsewhere.map((e) => (
              <li key={e.conversationId}>
                <button
                  type="button"
                  className="link"
                  onClick={() => {
                    onClose();
                    onOpen(e.conversationId);
                  }}
                  aria-label={t('contact.openElsewhere', { channel: t(`channel.${e.channel}`), name: e.name })}
                >
                  <span className={`channel-badge ${e.channel}`}>{t(`channel.${e.channel}`)}</span> {e.name}
                </button>
                <span className="elsewhere-meta">
                  {t(`status.${e.status}`)}
                  {e.lastMessageAt ? ` · ${listTime(e.lastMessageAt)}` : ''}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </aside>
  );
}
