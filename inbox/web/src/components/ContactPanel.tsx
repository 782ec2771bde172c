import { useTranslation } from 'react-i18next';
import type { AgentView, ConversationView } from '../../../../shared/inbox-api';
import { dateTime } from '../format';

/** Who the customer is and where this conversation stands, beside the thread (below it on narrower screens). */
export function ContactPanel({ conversation: c, agents }: { conversation: ConversationView; agents: AgentView[] }) {
  const { t } = useTranslation();
  const assignee = agents.find((a) => a.id === c.assigneeId);
  const rows: Array<[string, string]> = [
    [t('contact.channel'), t(`channel.${c.channel}`)],
    [t('contact.since'), dateTime(c.createdAt)],
    [t('contact.firstResponse'), c.firstResponseAt ? dateTime(c.firstResponseAt) : t('contact.noFirstResponse')],
  ];
  if (c.awaitingReplySince && c.firstResponseDueAt && !c.firstResponseAt) rows.push([t('contact.due'), dateTime(c.firstResponseDueAt)]);
  if (c.escalationStep > 0) rows.push([t('contact.escalation'), String(c.escalationStep)]);
  if (assignee) rows.push([t('thread.assignTo'), assignee.name]);
  return (
    <aside className="contact-panel" id="contact" aria-labelledby="contact-title">
      <h2 id="contact-title">{t('contact.title')}</h2>
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
    </aside>
  );
}
