import { useTranslation } from 'react-i18next';
import { clockTime, dateTime, duration } from '../format';
import type { WindowState } from '../reply-window';

/** One line above the composer saying how long free text still reaches the customer, or why it no longer does. */
export function ReplyWindow({ state, channel, now }: { state: WindowState; channel: string; now: number }) {
  const { t } = useTranslation();
  if (state.kind === 'none') return null;
  const name = t(`channel.${channel}`);
  const when = (at: number) => (at - now < 86_400_000 ? clockTime(new Date(at).toISOString()) : dateTime(new Date(at).toISOString()));
  let text: string;
  if (state.kind === 'open')
    text = t('replyWindow.open', { channel: name, left: duration(state.closesAt - now), at: when(state.closesAt) });
  else if (state.kind === 'humanAgent')
    text = t('replyWindow.humanAgent', { left: duration(state.closesAt - now), at: when(state.closesAt) });
  else {
    const at = state.closedAt === null ? '—' : dateTime(new Date(state.closedAt).toISOString());
    text = t(state.templates ? 'replyWindow.closed' : 'replyWindow.closedNoTemplates', { channel: name, at });
  }
  return (
    <p className={`reply-window ${state.kind}`} id="reply-window" role="status">
      {text}
    </p>
  );
}
