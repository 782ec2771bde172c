import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentView } from '../../../../shared/inbox-api';
import { askNotifications, canAskNotifications } from '../notify';
import { LanguageSwitch } from './LanguageSwitch';
import '../reply-tools.css';

interface Props {
  me: AgentView;
  connected: boolean;
  view: View;
  canSeeFigures: boolean;
  onView(view: View): void;
  onHelp(): void;
  onSavedReplies(): void;
  onSignOut(): void;
}

export type View = 'inbox' | 'tasks' | 'figures' | 'pipeline' | 'customers' | 'admin';

export function TopBar({ me, connected, view, canSeeFigures, onView, onHelp, onSavedReplies, onSignOut }: Props) {
  const { t } = useTranslation();
  const [canAsk, setCanAsk] = useState(canAskNotifications);
  return (
    <>
      <header className="top-bar">
        <nav className="views" aria-label={t('app.title')}>
          <button type="button" aria-pressed={view === 'inbox'} onClick={() => onView('inbox')}>
            {t('top.inbox')}
          </button>
          <button type="button" id="show-tasks" aria-pressed={view === 'tasks'} title={t('tasks.mine')} onClick={() => onView('tasks')}>
            <span className="view-icon" aria-hidden="true">
              ✓
            </span>
            <span className="view-label">{t('tasks.mine')}</span>
          </button>
          <button
            type="button"
            id="show-pipeline"
            aria-pressed={view === 'pipeline'}
            title={t('pipeline.view')}
            onClick={() => onView('pipeline')}
          >
            <svg className="view-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
              <path d="M1 2h4v12H1zM6 2h4v8H6zM11 2h4v5h-4z" fill="currentColor" />
            </svg>
            <span className="view-label">{t('pipeline.view')}</span>
          </button>
          {canSeeFigures && (
            <>
              <button type="button" id="show-figures" aria-pressed={view === 'figures'} onClick={() => onView('figures')}>
                <svg className="view-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
                  <path d="M1 14h14v1.5H1zM2.5 8h2.5v5H2.5zM6.75 3h2.5v10h-2.5zM11 6h2.5v7H11z" fill="currentColor" />
                </svg>
                <span className="view-label">{t('top.figures')}</span>
              </button>
              <button
                type="button"
                id="show-customers"
                aria-pressed={view === 'customers'}
                title={t('top.customers')}
                onClick={() => onView('customers')}
              >
                <svg className="view-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
                  <path
                    d="M5.5 7a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5zM1 14c0-2.5 2-4.5 4.5-4.5S10 11.5 10 14zM11.5 7a2 2 0 1 0 0-4 2 2 0 0 0 0 4zM11 9c2.2 0 4 1.8 4 4h-4z"
                    fill="currentColor"
                  />
                </svg>
                <span className="view-label">{t('top.customers')}</span>
              </button>
            </>
          )}
          {me.role === 'admin' && (
            <button type="button" id="show-admin" aria-pressed={view === 'admin'} title={t('top.admin')} onClick={() => onView('admin')}>
              <span className="view-icon" aria-hidden="true">
                ⚙
              </span>
              <span className="view-label">{t('top.admin')}</span>
            </button>
          )}
        </nav>
        <span className="spacer" />
        <span id="connection" className={`connection${connected ? ' live' : ''}`} role="status">
          <span className="dot" aria-hidden="true" />
          <span className="connection-text">{connected ? t('top.live') : t('top.offline')}</span>
        </span>
        <span className="me" id="me-name">
          {me.name}
        </span>
        <LanguageSwitch />
        <button type="button" id="open-saved-replies" className="link saved-replies-open" onClick={onSavedReplies}>
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
            <path
              d="M4 5h16v11H9l-5 4z M8 9h8 M8 12h5"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
              strokeLinecap="round"
              strokeLinejoin="round"
            />
          </svg>
          <span className="saved-replies-label">{t('savedReplies.open')}</span>
        </button>
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
