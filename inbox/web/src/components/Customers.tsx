import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type CampaignView, campaignsAnswer, type SavedViewView, savedViewsAnswer } from '../../../../shared/customers-api';
import type { AgentView } from '../../../../shared/inbox-api';
import { api } from '../api';
import type { Live } from '../live';
import { CampaignsPanel } from './CampaignsPanel';
import { ChurnPanel } from './ChurnPanel';
import { type InactiveFilter, InactivePanel } from './InactivePanel';
import { ViewsPanel } from './ViewsPanel';
import '../customers.css';

interface Props {
  me: AgentView;
  live: Live | null;
  onOpen(conversationId: string): void;
  /** A conversations view: the inbox's list, filtered as the view says. */
  onOpenView(view: SavedViewView): void;
  onError(err: unknown): void;
}

/** Customers over time, for supervisors and admins: churn, who has gone quiet, saved views and re-engagement campaigns. */
export function Customers({ me, live, onOpen, onOpenView, onError }: Props) {
  const { t } = useTranslation();
  const [filter, setFilter] = useState<InactiveFilter>({ days: 30, channel: 'all' });
  const [views, setViews] = useState<SavedViewView[]>([]);
  const [campaigns, setCampaigns] = useState<CampaignView[]>([]);

  const loadViews = useCallback(() => api(savedViewsAnswer, 'GET', '/api/views').then((a) => setViews(a.items)), []);
  const upsertCampaign = useCallback(
    (c: CampaignView) =>
      setCampaigns((prev) => (prev.some((x) => x.id === c.id) ? prev.map((x) => (x.id === c.id ? c : x)) : [c, ...prev])),
    [],
  );

  useEffect(() => {
    void loadViews().catch(onError);
    api(campaignsAnswer, 'GET', '/api/campaigns')
      .then((a) => setCampaigns(a.items))
      .catch(onError);
  }, [loadViews, onError]);

  useEffect(() => live?.on('campaign:updated', ({ campaign }) => upsertCampaign(campaign)), [live, upsertCampaign]);

  const open = (view: SavedViewView) => {
    if (view.kind === 'conversations') return onOpenView(view);
    setFilter({ days: view.filter.inactiveDays ?? 30, channel: view.filter.channel ?? 'all' });
    document.getElementById('inactive-title')?.scrollIntoView({ block: 'start' });
  };

  return (
    <main className="figures customers" id="customers" aria-labelledby="customers-title">
      <header className="figures-head">
        <h2 id="customers-title">{t('customers.title')}</h2>
      </header>
      <ChurnPanel onError={onError} />
      <div className="customers-columns">
        <InactivePanel
          filter={filter}
          canSaveForTeam={me.role !== 'agent'}
          onFilter={setFilter}
          onOpen={onOpen}
          onSaved={(v) => setViews((prev) => [...prev, v].sort((a, b) => a.name.localeCompare(b.name)))}
          onError={onError}
        />
        <div className="customers-stack">
          <ViewsPanel
            views={views}
            onOpen={open}
            onRemoved={(id) => setViews((prev) => prev.filter((v) => v.id !== id))}
            onError={onError}
          />
          <CampaignsPanel campaigns={campaigns} views={views} onStarted={upsertCampaign} onError={onError} />
        </div>
      </div>
    </main>
  );
}
