import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentView } from '../../../../shared/inbox-api';
import { askNotifications, canAskNotifications } from '../notify';
import { LanguageSwitch } from './LanguageSwitch';

interface Props {
  me: AgentView;
  connected: boolean;
  view: View;
  canSeeFigures: boolean;
  onView(view: View): void;
  onHelp(): void;
  onSignOut(): void;
}

export type View = 'inbox' | 'figures' | 'admin';

export function TopBar({ me, connected, view, canSeeFigures, onView, onHelp, onSignOut }: Props) {
  const { t } = useTranslation();
  const [canAsk, setCanAsk] = useState(canAskNotifications);
  return (
    <>
      <header className="top-bar">
        {!canSeeFigures && <span className="brand">{t('app.title')}</span>}
        {canSeeFigures && (
          <nav className="views" aria-label={t('app.title')}>
            <button type="button" aria-pressed={view === 'inbox'} onClick={() => onView('inbox')}>
              {t('top.inbox')}
            </button>
            <button type="button" id="show-figures" aria-pressed={view === 'figures'} onClick={() => onView('figures')}>
              {t('top.figures')}
            </button>
            {me.role === 'admin' && (
              <button type="button" id="show-admin" aria-pressed={view === 'admin'} title={t('top.admin')} onClick={() => onView('admin')}>
                <span className="view-icon" aria-hidden="true">
                  ⚙
                </span>
                <span className="view-label">{t('top.admin')}</span>
              </button>
            )}
          </nav>
        )}
        <span className="spacer" />
        <span id="connection" className={`connection${connected ? ' live' : ''}`} role="status">
          <span className="dot" aria-hidden="true" />
          <span className="connection-text">{connected ? t('top.live') : t('top.offline')}</span>
        </span>
        <span className="me" id="me-name">
          {me.name}
        </span>
        <LanguageSwitch />
        <button type="button" className="icon-button" onClick={onHelp} aria-label={t('top.shortcuts')} title={t('top.shortcuts')}>
          ?
        </button>
        <button type="button" id="logout" className="link" onClick={onSignOut}>
          {t('top.signOut')}
        </button>
      </header>
      {canAsk && (
        <p className="notice">
          <button type="button" className="link" onClick={() => void askNotifications().finally(() => setCanAsk(canAskNotifications()))}>
            {t('top.notifications')}
          </button>
          <span>{t('top.notificationsWhy')}</span>
        </p>
      )}
    </>
  );
}
