import { memo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MessageView } from '../../../../shared/inbox-api';
import { download } from '../api';
import { clockTime, dateTime, formatSize } from '../format';
import '../bot.css';

const statusIcon: Record<MessageView['status'], string> = {
  received: '',
  queued: '🕓',
  sent: '✓',
  delivered: '✓✓',
  read: '✓✓',
  failed: '⚠',
};

/** Files the gateway keeps (an email's attachments) are served to signed-in managers only: fetched with the token. */
const isOwnFile = (url: string) => url.startsWith('/api/');

function Attachment({ a, channel }: { a: MessageView['attachments'][number]; channel: string }) {
  const { t } = useTranslation();
  if (a.kind === 'unsupported') {
    return (
      <span className="attachment unsupported">
        ⚠ {a.name ?? t('thread.unsupported')} ({t('thread.openIn', { channel: t(`channel.${channel}`, { defaultValue: channel }) })})
      </span>
    );
  }
  if (a.url && isOwnFile(a.url)) {
    const url = a.url;
    return (
      <button type="button" className="attachment link" onClick={() => void download(url, a.name ?? 'attachment').catch(() => undefined)}>
        📎 {a.name ?? a.kind}
        {a.size ? ` · ${formatSize(a.size)}` : ''}
      </button>
    );
  }
  if (a.kind === 'image' && a.url)
    return <img className="attachment-image" src={a.url} alt={a.name ?? t('thread.attachment')} loading="lazy" />;
  if (a.url) {
    return (
      <a className="attachment" href={a.url} target="_blank" rel="noreferrer noopener">
        📎 {a.name ?? a.kind}
      </a>
    );
  }
  if (a.kind === 'location' && a.latitude !== undefined && a.longitude !== undefined) {
    return (
      <span className="attachment">
        📍 {t('thread.location')}: {a.latitude.toFixed(5)}, {a.longitude.toFixed(5)}
      </span>
    );
  }
  return (
    <span className="attachment">
      📎 {a.kind}
      {a.name ? `: ${a.name}` : ''}
      {a.phone ? `: ${a.phone}` : ''}
    </span>
  );
}

export const MessageItem = memo(function MessageItem({
  message: m,
  contactName,
  onRetry,
}: {
  message: MessageView;
  contactName: string;
  /** Sends a failed reply again. */
  onRetry?(messageId: string): Promise<void>;
}) {
  const { t } = useTranslation();
  const [retrying, setRetrying] = useState(false);
  const who =
    m.sender.type === 'contact'
      ? contactName
      : m.sender.type === 'bot'
        ? t('thread.bot')
        : m.sender.type === 'system'
          ? t('thread.system')
          : (m.sender.name ?? '');
  return (
    <li
      className={`message ${m.direction} ${m.status}${m.automated ? ' automated' : ''}${m.note ? ' internal-note' : ''}${m.sender.type === 'bot' ? ' from-bot' : ''}`}
      data-id={m.id}
      data-status={m.status}
    >
      {m.note && (
        <p className="note-head">
          <span className="note-label">{t('note.label')}</span> <span className="note-private">{t('note.private')}</span>
        </p>
      )}
      {m.subject && <p className="subject">{m.subject}</p>}
      {m.text && <p className="text">{m.text}</p>}
      {m.quoted && (
        // The customer's client quoted our earlier mail below the new part: folded, as mail clients do.
        <details className="quoted">
          <summary aria-label={t('thread.quoted')}>•••</summary>
          <div>{m.quoted}</div>
        </details>
      )}
      {m.template && <p className="text template">📄 {m.template.name}</p>}
      {m.choices && m.choices.length > 0 && (
        <ol className="offered-choices" aria-label={t('bot.choices')}>
          {m.choices.map((choice) => (
            <li key={choice.id}>{choice.title}</li>
          ))}
        </ol>
      )}
      {m.choice && <p className="pressed-choice">{t('bot.pressed', { choice: m.choice })}</p>}
      {m.attachments.map((a, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a message's attachments never reorder
        <Attachment key={i} a={a} channel={m.channel} />
      ))}
      <span className="meta">
        <span className="sender">{who}</span>
        <time dateTime={m.createdAt} title={dateTime(m.createdAt)}>
          {clockTime(m.createdAt)}
        </time>
        {m.editedAt && <span className="edited">{t('thread.edited')}</span>}
        {m.automated && <span className="automated-note">{t('thread.automated')}</span>}
        {m.direction === 'out' && !m.note && (
          <span className={`delivery ${m.status}`} title={t(`delivery.${m.status}`)}>
            <span aria-hidden="true">{statusIcon[m.status]}</span>
            <span className="delivery-text">{t(`delivery.${m.status}`)}</span>
          </span>
        )}
      </span>
      {m.status === 'failed' && m.error && <span className="failure">{m.error}</span>}
      {m.status === 'failed' && m.direction === 'out' && onRetry && (
        <button
          type="button"
          className="retry"
          disabled={retrying}
          onClick={() => {
            setRetrying(true);
            void onRetry(m.id).finally(() => setRetrying(false));
          }}
        >
          {retrying ? t('thread.retrying') : t('thread.retry')}
        </button>
      )}
    </li>
  );
});
