import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type FunnelRow, funnelAnswer, type LossRow, lossesAnswer } from '../../../../shared/pipeline-api';
import { api, download } from '../api';
import { duration } from '../format';
import { ChartCard, type Series } from './ChartCard';

const palette = ['#0b62a4', '#d55e00', '#009e73', '#8a6d00', '#cc79a7', '#56b4e9', '#5f5f5f', '#e69f00'];
const count = (v: number | null) => String(v ?? 0);
const percent = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)}%`);

interface Props {
  /** The dashboard's range as instants, asked for again when it changes (a preset ends now). */
  range(): { from: string; to: string };
  groupBy: 'channel' | 'agent';
  keyName(key: string): string;
  onError(err: unknown): void;
}

/** The dashboard's pipeline: entries per stage, conversion and time in stage by key, and why leads were lost. */
export function PipelineFigures({ range, groupBy, keyName, onError }: Props) {
  const { t } = useTranslation();
  const [funnel, setFunnel] = useState<FunnelRow[]>([]);
  const [losses, setLosses] = useState<{ total: number; items: LossRow[] }>({ total: 0, items: [] });
  const [lossBy, setLossBy] = useState<'reason' | 'agent'>('reason');

  useEffect(() => {
    const query = new URLSearchParams(range());
    Promise.all([
      api(funnelAnswer, 'GET', `/api/metrics/funnel?${query}&groupBy=${groupBy}`),
      api(lossesAnswer, 'GET', `/api/metrics/losses?${query}&groupBy=${lossBy}`),
    ])
      .then(([f, l]) => {
        setFunnel(f.items);
        setLosses(l);
      })
      .catch(onError);
  }, [range, groupBy, lossBy, onError]);

  const stages = funnel[0]?.stages ?? [];
  const entered: Series[] = useMemo(
    () =>
      funnel.map((row, i) => ({
        label: keyName(row.key),
        values: row.stages.map((s) => s.entered),
        color: palette[i % palette.length] ?? '',
      })),
    [funnel, keyName],
  );
  const lossLabel = (r: LossRow) =>
    lossBy === 'agent' ? keyName(r.key === 'unassigned' ? 'unassigned' : r.key) : r.label || t('pipeline.noReason');
  const csv = (name: 'funnel' | 'losses') =>
    download(
      `/api/metrics/${name}.csv?${new URLSearchParams({ ...range(), groupBy: name === 'funnel' ? groupBy : lossBy })}`,
      `${name}.csv`,
    ).catch(onError);

  return (
    <section className="pipeline-figures" aria-labelledby="pipeline-figures-title">
      <header className="figures-head">
        <h3 id="pipeline-figures-title">{t('pipeline.figuresTitle')}</h3>
        <button type="button" className="link" onClick={() => void csv('funnel')}>
          {t('pipeline.funnelCsv')}
        </button>
      </header>
      <div className="pipeline-charts">
        <ChartCard
          id="chart-funnel"
          title={t('pipeline.enteredChart')}
          labels={stages.map((s) => s.label)}
          series={entered}
          format={count}
          stacked
          empty={funnel.every((r) => r.stages.every((s) => s.entered === 0))}
        />
        <ChartCard
          id="chart-losses"
          title={t('pipeline.lossesChart', { count: losses.total })}
          labels={losses.items.map(lossLabel)}
          series={[{ label: t('pipeline.lost'), values: losses.items.map((r) => r.count), color: '#b3261e' }]}
          format={count}
          empty={losses.total === 0}
        />
      </div>
      <div className="figures-toolbar">
        <label>
          {t('pipeline.lossesBy')}
          <select id="losses-by" value={lossBy} onChange={(e) => setLossBy(e.target.value as 'reason' | 'agent')}>
            <option value="reason">{t('pipeline.byReason')}</option>
            <option value="agent">{t('figures.byManager')}</option>
          </select>
        </label>
        <button type="button" className="link" onClick={() => void csv('losses')}>
          {t('pipeline.lossesCsv')}
        </button>
      </div>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a table wider than the screen scrolls, and a keyboard must reach it */}
      <div className="chart-table funnel-table" tabIndex={0}>
        <table id="funnel-table">
          <caption>{t('pipeline.funnelCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t(`figures.key.${groupBy}`)}</th>
              <th scope="col">{t('pipeline.stage')}</th>
              <th scope="col">{t('pipeline.entered')}</th>
              <th scope="col">{t('pipeline.toNext')}</th>
              <th scope="col">{t('pipeline.toWon')}</th>
              <th scope="col">{t('pipeline.timeInStage')}</th>
              <th scope="col">{t('pipeline.ageing')}</th>
            </tr>
          </thead>
          <tbody>
            {funnel.flatMap((row) =>
              row.stages
                .filter((s) => s.kind === 'open')
                .map((s, i) => (
                  <tr key={`${row.key}-${s.stageId}`}>
                    <th scope="row">
                      {i === 0 ? (
                        <>
                          {keyName(row.key)}
                          <span className="never-contacted">
                            {t('pipeline.neverContacted', {
                              share: percent(row.neverContactedShare),
                              count: row.neverContacted,
                              leads: row.leads,
                            })}
                          </span>
                        </>
                      ) : (
                        ''
                      )}
                    </th>
                    <td>{s.label}</td>
                    <td>{s.entered}</td>
                    <td>{percent(s.toNextRate)}</td>
                    <td>{percent(s.toWonRate)}</td>
                    <td>{`${duration(s.p50Ms)} / ${duration(s.p90Ms)}`}</td>
                    <td>{Object.values(s.ageing).join(' · ')}</td>
                  </tr>
                )),
            )}
          </tbody>
        </table>
      </div>
      <p className="dialog-hint">{t('pipeline.ageingHint')}</p>
    </section>
  );
}
