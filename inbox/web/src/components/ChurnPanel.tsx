import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Channel } from '../../../../shared/channels';
import { type ChurnAnswer, churnAnswer } from '../../../../shared/customers-api';
import { api, download } from '../api';
import { monthsBack, percent, periodLabel } from '../customers';
import { ChannelOptions } from './ChannelOptions';
import { ChartCard } from './ChartCard';

const spans = [3, 6, 12] as const;

/** Churn per Kyiv month or week by both formulas, beside their inputs C1, C2 and C3, as a chart and a table. */
export function ChurnPanel({ onError }: { onError(err: unknown): void }) {
  const { t, i18n } = useTranslation();
  const [interval, setUnit] = useState<'month' | 'week'>('month');
  const [span, setSpan] = useState<(typeof spans)[number]>(6);
  const [channel, setChannel] = useState<Channel | 'all'>('all');
  const [answer, setAnswer] = useState<ChurnAnswer | null>(null);

  const query = useCallback(() => {
    const q = new URLSearchParams({ ...monthsBack(span), interval });
    if (channel !== 'all') q.set('channel', channel);
    return q.toString();
  }, [span, interval, channel]);

  useEffect(() => {
    api(churnAnswer, 'GET', `/api/metrics/churn?${query()}`).then(setAnswer).catch(onError);
  }, [query, onError]);

  const rows = answer?.items ?? [];
  const labels = useMemo(() => rows.map((r) => periodLabel(r.start, r.end, interval, i18n.language)), [rows, interval, i18n.language]);
  const series = useMemo(
    () => [
      { label: t('customers.churnNet'), values: rows.map((r) => (r.churnNet === null ? null : r.churnNet * 100)), color: '#2563eb' },
      {
        label: t('customers.churnWithNew'),
        values: rows.map((r) => (r.churnWithNew === null ? null : r.churnWithNew * 100)),
        color: '#d97706',
      },
    ],
    [rows, t],
  );
  const format = useCallback((v: number | null) => (v === null ? '—' : `${v.toFixed(1)}%`), []);

  return (
    <section className="customers-section" aria-labelledby="churn-title" id="churn">
      <header className="customers-head">
        <h3 id="churn-title">{t('customers.churnTitle')}</h3>
        <fieldset className="segmented" aria-label={t('customers.interval')}>
          {(['month', 'week'] as const).map((i) => (
            <button key={i} type="button" aria-pressed={interval === i} onClick={() => setUnit(i)}>
              {t(`customers.${i}`)}
            </button>
          ))}
        </fieldset>
        <label>
          <span>{t('customers.span')}</span>
          <select id="churn-span" value={span} onChange={(e) => setSpan(Number(e.target.value) as (typeof spans)[number])}>
            {spans.map((s) => (
              <option key={s} value={s}>
                {t(`customers.span${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('customers.channel')}</span>
          <select id="churn-channel" value={channel} onChange={(e) => setChannel(e.target.value as Channel | 'all')}>
            <ChannelOptions anyLabel={t('customers.anyChannel')} anyValue="all" />
          </select>
        </label>
        <button type="button" id="churn-csv" onClick={() => download(`/api/metrics/churn.csv?${query()}`, 'churn.csv').catch(onError)}>
          {t('customers.csv')}
        </button>
      </header>
      {answer && <p className="customers-note">{t('customers.churnWhat', { days: answer.windowDays })}</p>}
      <ChartCard
        id="churn-chart"
        title={t('customers.chartTitle')}
        labels={labels}
        series={series}
        format={format}
        empty={rows.every((r) => r.c1 === 0)}
      />
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a table wider than a phone scrolls sideways, and a keyboard must reach it */}
      <section className="table-scroll" tabIndex={0} aria-label={t('customers.churnTitle')}>
        <table className="figures-table" id="churn-table">
          <thead>
            <tr>
              <th scope="col">{t('customers.period')}</th>
              <th scope="col">{t('customers.c1')}</th>
              <th scope="col">{t('customers.c2')}</th>
              <th scope="col">{t('customers.c3')}</th>
              <th scope="col">{t('customers.churnNet')}</th>
              <th scope="col">{t('customers.churnWithNew')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={r.start} data-start={r.start}>
                <th scope="row">{labels[i]}</th>
                <td data-label={t('customers.c1')}>{r.c1}</td>
                <td data-label={t('customers.c2')}>{r.c2}</td>
                <td data-label={t('customers.c3')}>{r.c3}</td>
                <td data-label={t('customers.churnNet')}>{percent(r.churnNet)}</td>
                <td data-label={t('customers.churnWithNew')}>{percent(r.churnWithNew)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </section>
  );
}
