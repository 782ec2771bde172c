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

type Row = ResponseTimesRowView;

interface Props {
  rows: ResponseTimesRowView[];
  volume: VolumeRowView[];
  keyName(key: string): string;
}

/** Durations stand side by side (p50 beside p90); counts are stacked, their parts adding up to the whole. */
const kinds = { durations: { format: duration }, counts: { format: count, stacked: true } } as const;

interface Tile {
  id: string;
  title: string;
  labels: string[];
  series: Series[];
  kind: keyof typeof kinds;
  /** Nothing in the range for this figure. */
  empty: boolean;
}

/** The range's figures as charts, one tile each; the table above holds the same rows as text. */
export function DashboardCharts({ rows, volume, keyName }: Props) {
  const { t } = useTranslation();
  const tiles = useMemo((): Tile[] => {
    const labels = rows.map((r) => keyName(r.key));
    /** A series with one value per row of the table. */
    const perRow = (label: string, pick: (r: Row) => number | null, color = palette[0] ?? ''): Series => ({
      label,
      values: rows.map(pick),
      color,
    });
    const pair = (pick: (r: Row) => { p50Ms: number | null; p90Ms: number | null }): Series[] => [
      perRow('p50', (r) => pick(r).p50Ms),
      perRow('p90', (r) => pick(r).p90Ms, palette[5]),
    ];
    /** A series per channel or manager, told apart by colour. */
    const perKey = (key: string, values: number[], i: number): Series => ({
      label: keyName(key),
      values,
      color: palette[i % palette.length] ?? '',
    });
    /** A tile over the table's rows, empty when no row has anything for it. */
    const overRows = (id: string, title: string, kind: Tile['kind'], series: Series[], nothing: (r: Row) => boolean): Tile => ({
      id,
      title,
      labels,
      series,
      kind,
      empty: rows.length === 0 || rows.every(nothing),
    });
    const leads = [
      perRow(t('dashboard.answered'), (r) => r.leads - r.unanswered),
      perRow(t('figures.unanswered'), (r) => r.unanswered, missed),
    ];
    const sla = [perRow(t('dashboard.met'), (r) => r.slaMet, met), perRow(t('dashboard.missed'), (r) => r.slaBreached, missed)];
    const bucketsOf = (r: Row) => ageBuckets.map((b) => r.ageing[b] ?? 0);
    const ageing = rows.filter((r) => Object.values(r.ageing).some((n) => n > 0)).map((r, i) => perKey(r.key, bucketsOf(r), i));
    const ageLabels = ageBuckets.map((b) => t(`dashboard.age.${b}`));
    const byHour = volume.map((v, i) => perKey(v.key, v.byHour, i));
    const first = pair((r) => r.firstResponse);
    const reply = pair((r) => r.reply);
    return [
      overRows('chart-first', t('dashboard.firstResponse'), 'durations', first, (r) => r.firstResponse.count === 0),
      overRows('chart-reply', t('dashboard.reply'), 'durations', reply, (r) => r.reply.count === 0),
      overRows('chart-leads', t('dashboard.leads'), 'counts', leads, (r) => r.leads === 0),
      overRows('chart-sla', t('dashboard.sla'), 'counts', sla, (r) => r.slaMet + r.slaBreached === 0),
      { id: 'chart-ageing', title: t('dashboard.ageing'), labels: ageLabels, series: ageing, kind: 'counts', empty: ageing.length === 0 },
      { id: 'chart-volume', title: t('dashboard.volume'), labels: hours, series: byHour, kind: 'counts', empty: volume.length === 0 },
    ];
  }, [rows, volume, keyName, t]);

  return (
    <div className="chart-grid" id="dashboard-charts">
      {tiles.map(({ kind, ...tile }) => (
        <ChartCard key={tile.id} {...tile} {...kinds[kind]} />
      ))}
    </div>
  );
}
