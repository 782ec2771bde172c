import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { api } from '../api';
import type { AdminPanelProps } from './admin-panel';

const jobsSession = z.object({ url: z.string(), expiresAt: z.string() });

/** The jobs dashboard takes a short-lived cookie the gateway sets for an admin, not the bearer token. */
async function openJobs(): Promise<void> {
  const { url } = await api(jobsSession, 'POST', '/admin/jobs/session');
  if (!window.open(url, '_blank', 'noopener')) window.location.assign(url);
}

/** The job queue (escalations, targets, digests, rollups) in Agendash, in a tab of its own. */
export function JobsPanel({ onError }: AdminPanelProps) {
  const { t } = useTranslation();
  return (
    <div className="jobs-panel">
      <p>{t('admin.jobs.about')}</p>
      <button type="button" id="open-jobs" className="primary" onClick={() => void openJobs().catch(onError)}>
        {t('admin.jobs.open')}
      </button>
    </div>
  );
}
