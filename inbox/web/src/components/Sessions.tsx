import { useTranslation } from 'react-i18next';
import type { SessionViewBody } from '../../../../shared/inbox-api';

/** Admins: the channels that keep a session of their own (WhatsApp Web), with the pairing QR while unpaired. */
export function Sessions({ sessions }: { sessions: SessionViewBody[] }) {
  const { t } = useTranslation();
  if (sessions.length === 0) return null;
  return (
    <section id="sessions" className="sessions" aria-label={t('sessions.label')}>
      {sessions.map((s) => {
        const detail = s.state === 'ready' ? s.account : s.reason;
        const channel = t(`channel.${s.channel}`);
        return (
          <div key={s.channel} className={`session ${s.state}`} data-channel={s.channel}>
            <div className="session-state">
              {channel}: {t(`sessions.${s.state}`)}
              {detail ? ` (${detail})` : ''}
            </div>
            {s.state === 'qr' && s.qrDataUrl && (
              <>
                <p className="hint">{t('sessions.hint')}</p>
                <img className="qr" src={s.qrDataUrl} alt={t('sessions.qrAlt', { channel })} />
              </>
            )}
          </div>
        );
      })}
    </section>
  );
}
