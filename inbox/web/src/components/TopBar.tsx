import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import type { AgentView } from '../../../../shared/inbox-api';
import { api } from '../api';
import { askNotifications, canAskNotifications } from '../notify';
import { LanguageSwitch } from './LanguageSwitch';
import { LossReasonsAdmin } from './LossReasonsAdmin';
import '../reply-tools.css';

interface Props {
  me: AgentView;
  connected: boolean;
  view: 'inbox' | 'figures';
  canSeeFigures: boolean;
  onView(view: 'inbox' | 'figures'): void;
  onHelp(): void;
  onSavedReplies(): void;
  onSignOut(): void;
}

const jobsSession = z.object({ url: z.string(), expiresAt: z.string() });

/** The jobs dashboard takes a short-lived cookie the gateway sets for an admin, not the bearer token. */
async function openJobs(): Promise<void> {
  const { url } = await api(jobsSession, 'POST', '/admin/jobs/session');
  if (!window.open(url, '_blank', 'noopener')) window.location.assign(url);
}

export function TopBar({ me, connected, view, canSeeFigures, onView, onHelp, onSavedReplies, onSignOut }: Props) {
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
        {me.role === 'admin' && <LossReasonsAdmin />}
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
        {me.role === 'admin' && (
          <button type="button" id="open-jobs" className="link" onClick={() => void openJobs().catch(() => undefined)}>
            {t('top.jobs')}
          </button>
        )}
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
