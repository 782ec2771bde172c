import type { ReactNode } from 'react';
import type { ChannelView } from '../../../../shared/inbox-api';
import { windowState } from '../reply-window';
import { useNow } from '../tick';
import { ReplyWindow } from './ReplyWindow';

/**
 * The reply window's line, then the composer while free text still reaches the customer; once it no longer does,
 * the template picker where the channel has templates, and the composer for notes only. Its own component, so the
 * page's one-second tick re-renders this and not the history.
 */
export function ReplyArea({
  channel,
  lastInboundAt,
  composer,
  templates,
}: {
  channel: ChannelView | undefined;
  lastInboundAt: string | null;
  composer: (notesOnly: boolean) => ReactNode;
  templates: ReactNode;
}) {
  const now = useNow();
  const state = windowState(channel, lastInboundAt, now);
  return (
    <>
      {channel && <ReplyWindow state={state} channel={channel.channel} now={now} />}
      {state.kind === 'closed' && state.templates && templates}
      {composer(state.kind === 'closed')}
    </>
  );
}
