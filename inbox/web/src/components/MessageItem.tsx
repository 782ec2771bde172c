import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import type { MessageView } from '../../../../shared/inbox-api';
import { clockTime, dateTime } from '../format';

const statusIcon: Record<MessageView['status'], string> = {
  received: '',
  queued: '🕓',
  sent: '✓',
  delivered: '✓✓',
  read: '✓✓',
  failed: '⚠',
};

function Attachment({ a }: { a: MessageView['attachments'][number] }) {
  const { t } = useTranslation();
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

export const MessageItem = memo(function MessageItem({ message: m, contactName }: { message: MessageView; contactName: string }) {
  const { t } = useTranslation();
  const who =
    m.sender.type === 'contact'
      ? contactName
      : m.sender.type === 'bot'
        ? t('thread.bot')
        : m.sender.type === 'system'
          ? t('thread.system')
          : (m.sender.name ?? '');
  return (
    <li className={`message ${m.direction} ${m.status}`} data-id={m.id} data-status={m.status}>
      {m.text && <p className="text">{m.text}</p>}
      {m.template && <p className="text template">📄 {m.template.name}</p>}
      {m.attachments.map((a, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a message's attachments never reorder
        <Attachment key={i} a={a} />
      ))}
      <span className="meta">
        <span className="sender">{who}</span>
        <time dateTime={m.createdAt} title={dateTime(m.createdAt)}>
          {clockTime(m.createdAt)}
        </time>
        {m.editedAt && <span className="edited">{t('thread.edited')}</span>}
        {m.direction === 'out' && (
          <span className={`delivery ${m.status}`} title={t(`delivery.${m.status}`)}>
            <span aria-hidden="true">{statusIcon[m.status]}</span>
            <span className="delivery-text">{t(`delivery.${m.status}`)}</span>
          </span>
        )}
      </span>
      {m.status === 'failed' && m.error && <span className="failure">{m.error}</span>}
    </li>
  );
});
