import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { ResponseTimesRowView, VolumeRowView } from '../../../../shared/inbox-api';
import { duration } from '../format';
import { ChartCard, type Series } from './ChartCard';

/** Colours told apart by people with the common colour blindnesses (Okabe–Ito), darkened for contrast on white. */
const palette = ['#0b62a4', '#d55e00', '#009e73', '#8a6d00', '#cc79a7', '#56b4e9', '#5f5f5f', '#e69f00'];
const met = '#1d7a46';
const missed = '#b3261e';
const ageBuckets = ['under5m', '5to15m', '15to60m', '1to4h', '4to24h', 'over24h'] as const;
const count = (v: number | null) => String(v ?? 0);
const hours = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));

interface Props {
  rows: ResponseTimesRowView[];
  volume: VolumeRowView[];
  keyName(key: string): string;
}

/** The range's figures as charts, one tile each; the table above holds the same rows as text. */
export function DashboardCharts({ rows, volume, keyName }: Props) {
  const { t } = useTranslation();
  const charts = useMemo(() => {
    const labels = rows.map((r) => keyName(r.key));
    const pair = (pick: (r: ResponseTimesRowView) => { p50Ms: number | null; p90Ms: number | null }): Series[] => [
      { label: 'p50', values: rows.map((r) => pick(r).p50Ms), color: palette[0] ?? '' },
      { label: 'p90', values: rows.map((r) => pick(r).p90Ms), color: palette[5] ?? '' },
    ];
    const waitingRows = rows.filter((r) => Object.values(r.ageing).some((n) => n > 0));
    return {
      labels,
      first: pair((r) => r.firstResponse),
      reply: pair((r) => r.reply),
      leads: [
        { label: t('dashboard.answered'), values: rows.map((r) => r.leads - r.unanswered), color: palette[0] ?? '' },
        { label: t('figures.unanswered'), values: rows.map((r) => r.unanswered), color: missed },
      ],
      sla: [
        { label: t('dashboard.met'), values: rows.map((r) => r.slaMet), color: met },
        { label: t('dashboard.missed'), values: rows.map((r) => r.slaBreached), color: missed },
      ],
      ageLabels: ageBuckets.map((b) => t(`dashboard.age.${b}`)),
      ageing: waitingRows.map((r, i) => ({
        label: keyName(r.key),
        values: ageBuckets.map((b) => r.ageing[b] ?? 0),
        color: palette[i % palette.length] ?? '',
      })),
      volume: volume.map((v, i) => ({ label: keyName(v.key), values: v.byHour, color: palette[i % palette.length] ?? '' })),
    };
  }, [rows, volume, keyName, t]);

  const noRows = rows.length === 0;
  return (
    <div className="chart-grid" id="dashboard-charts">
      <ChartCard
        id="chart-first"
        title={t('dashboard.firstResponse')}
        labels={charts.labels}
        series={charts.first}
        format={duration}
        empty={noRows || rows.every((r) => r.firstResponse.count === 0)}
      />
      <ChartCard
        id="chart-reply"
        title={t('dashboard.reply')}
        labels={charts.labels}
        series={charts.reply}
        format={duration}
        empty={noRows || rows.every((r) => r.reply.count === 0)}
      />
      <ChartCard
        id="chart-leads"
        title={t('dashboard.leads')}
        labels={charts.labels}
        series={charts.leads}
        format={count}
        stacked
        empty={noRows || rows.every((r) => r.leads === 0)}
      />
      <ChartCard
        id="chart-sla"
        title={t('dashboard.sla')}
        labels={charts.labels}
        series={charts.sla}
        format={count}
        stacked
        empty={noRows || rows.every((r) => r.slaMet + r.slaBreached === 0)}
      />
      <ChartCard
        id="chart-ageing"
        title={t('dashboard.ageing')}
        labels={charts.ageLabels}
        series={charts.ageing}
        format={count}
        stacked
        empty={charts.ageing.length === 0}
      />
      <ChartCard
        id="chart-volume"
        title={t('dashboard.volume')}
        labels={hours}
        series={charts.volume}
        format={count}
        stacked
        empty={volume.length === 0}
      />
    </div>
  );
}
