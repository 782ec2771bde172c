import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type CampaignView, campaignSkipReasons, campaignViewSchema, type SavedViewView } from '../../../../shared/customers-api';
import { api } from '../api';
import { dateTime } from '../format';

interface Props {
  campaigns: CampaignView[];
  /** The saved customers views a campaign can go to. */
  views: SavedViewView[];
  onStarted(campaign: CampaignView): void;
  onError(err: unknown): void;
}

/** A re-engagement campaign started from a saved customers view, and every campaign's progress (live). */
export function CampaignsPanel({ campaigns, views, onStarted, onError }: Props) {
  const { t } = useTranslation();
  const targets = views.filter((v) => v.kind === 'contacts' && v.filter.inactiveDays);
  const [name, setName] = useState('');
  const [viewId, setViewId] = useState('');
  const [template, setTemplate] = useState('');
  const [language, setLanguage] = useState('uk');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);

  const start = (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const body = {
      name: name.trim(),
      viewId,
      ...(template.trim() ? { template: { name: template.trim(), language: language.trim(), params: [] } } : {}),
      ...(text.trim() ? { text: text.trim() } : {}),
    };
    api(campaignViewSchema, 'POST', '/api/campaigns', body)
      .then((c) => {
        setName('');
        onStarted(c);
      })
      .catch(onError)
      .finally(() => setBusy(false));
  };

  return (
    <section className="customers-section" aria-labelledby="campaigns-title" id="campaigns">
      <h3 id="campaigns-title">{t('customers.campaignsTitle')}</h3>
      <form className="campaign-form" id="campaign-form" onSubmit={start}>
        <label>
          <span>{t('customers.campaignName')}</span>
          <input value={name} required maxLength={80} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          <span>{t('customers.campaignView')}</span>
          <select value={viewId} required onChange={(e) => setViewId(e.target.value)}>
            <option value="">{t('customers.chooseView')}</option>
            {targets.map((v) => (
              <option key={v.id} value={v.id}>
                {v.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('customers.templateName')}</span>
          <input value={template} maxLength={512} onChange={(e) => setTemplate(e.target.value)} />
        </label>
        <label>
          <span>{t('customers.templateLanguage')}</span>
          <input value={language} maxLength={15} onChange={(e) => setLanguage(e.target.value)} />
        </label>
        <label className="wide">
          <span>{t('customers.text')}</span>
          <textarea value={text} rows={3} maxLength={4096} onChange={(e) => setText(e.target.value)} />
        </label>
        <button type="submit" disabled={busy || !name.trim() || !viewId || !(template.trim() || text.trim())}>
          {t('customers.start')}
        </button>
      </form>
      {campaigns.length === 0 ? (
        <p className="empty-note">{t('customers.noCampaigns')}</p>
      ) : (
        <ul className="campaign-list" id="campaign-list">
          {campaigns.map((c) => {
            const skipped = campaignSkipReasons.filter((r) => c.skipped[r] > 0);
            const settled = c.total - c.pending;
            return (
              <li key={c.id} data-id={c.id}>
                <header>
                  <strong>{c.name}</strong>
                  <span className={`campaign-state ${c.status}`}>{t(`customers.state.${c.status}`)}</span>
                  <time className="muted" dateTime={c.createdAt}>
                    {dateTime(c.createdAt)}
                  </time>
                </header>
                <progress max={c.total || 1} value={settled} aria-label={`${c.name}: ${settled} / ${c.total}`} />
                <dl className="campaign-counts">
                  <div>
                    <dt>{t('customers.total')}</dt>
                    <dd>{c.total}</dd>
                  </div>
                  <div>
                    <dt>{t('customers.sent')}</dt>
                    <dd>{c.sent}</dd>
                  </div>
                  <div>
                    <dt>{t('customers.pending')}</dt>
                    <dd>{c.pending}</dd>
                  </div>
                  <div>
                    <dt>{t('customers.failed')}</dt>
                    <dd>{c.failed}</dd>
                  </div>
                  <div>
                    <dt>{t('customers.replied')}</dt>
                    <dd>{c.replied}</dd>
                  </div>
                </dl>
                {skipped.length > 0 && (
                  <p className="muted">
                    {t('customers.skipped')}: {skipped.map((r) => `${t(`customers.reason.${r}`)} ${c.skipped[r]}`).join(', ')}
                  </p>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
