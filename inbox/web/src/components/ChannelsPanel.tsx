import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { channelsAnswer } from '../../../../shared/inbox-api';
import { api } from '../api';
import type { AdminPanelProps } from './admin-panel';
import { Sessions } from './Sessions';

type ChannelRow = (typeof channelsAnswer)['_output']['items'][number];

/** Each connected channel and what it can do; the channels that keep a session show its state and pairing QR. */
export function ChannelsPanel({ sessions, onError }: AdminPanelProps) {
  const { t } = useTranslation();
  const [channels, setChannels] = useState<ChannelRow[] | null>(null);
  useEffect(() => {
    api(channelsAnswer, 'GET', '/api/channels')
      .then((answer) => setChannels(answer.items))
      .catch(onError);
  }, [onError]);
  const stateOf = (c: ChannelRow) => sessions.find((s) => s.channel === c.channel);

  return (
    <div className="channels-panel">
      {channels?.length === 0 && <p className="empty-note">{t('admin.channels.none')}</p>}
      <ul className="channel-list" id="channel-list">
        {channels?.map((c) => {
          const session = stateOf(c);
          return (
            <li key={c.channel} data-channel={c.channel}>
              <span className={`channel-badge ${c.channel}`}>{t(`channel.${c.channel}`)}</span>
              <span className="channel-state">
                {session ? t(`sessions.${session.state}`) : t('admin.channels.connected')}
                {' · '}
                {c.replies ? t('admin.channels.replies') : t('admin.channels.receivesOnly')}
                {c.sendsFiles ? ` · ${t('admin.channels.files')}` : ''}
              </span>
            </li>
          );
        })}
      </ul>
      <Sessions sessions={sessions} />
    </div>
  );
}
