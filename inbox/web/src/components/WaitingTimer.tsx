import { useTranslation } from 'react-i18next';
import type { ConversationView } from '../../../../shared/inbox-api';
import { stopwatch } from '../format';
import { useNow } from '../tick';

/**
 * How long the customer has waited, moving every second; amber from 80% of the channel's target, red past it.
 * The target is the first-response due time for a first wait and the escalation due time for a later one.
 */
export function WaitingTimer({ conversation }: { conversation: ConversationView }) {
  const { t } = useTranslation();
  const now = useNow();
  const since = conversation.awaitingReplySince;
  if (!since) return null;
  const start = Date.parse(since);
  const dueIso = conversation.firstResponseAt
    ? conversation.escalationDueAt
    : (conversation.firstResponseDueAt ?? conversation.escalationDueAt);
  const due = dueIso ? Date.parse(dueIso) : null;
  let level = 'ok';
  if (due !== null) {
    if (now >= due) level = 'late';
    else if (now - start >= 0.8 * (due - start)) level = 'soon';
  }
  return (
    <span className={`waiting ${level}`} data-level={level}>
      {t('list.waiting', { time: stopwatch(now - start) })}
    </span>
  );
}
