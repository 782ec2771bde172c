import { useTranslation } from 'react-i18next';
import type { ResponseTimesRowView } from '../../../../shared/inbox-api';
import { duration } from '../format';

interface Props {
  rows: ResponseTimesRowView[] | null;
  groupBy: 'channel' | 'agent';
  keyName(key: string): string;
}

/** Every figure of the range as text, a row per channel or manager: what the charts draw, to read exactly. */
export function FiguresTable({ rows, groupBy, keyName }: Props) {
  const { t } = useTranslation();
  return (
    <>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a table wider than a phone scrolls sideways, and a keyboard must reach it (WCAG 2.1.1) */}
      <section className="table-scroll" tabIndex={0} aria-label={t('dashboard.tableTitle')}>
        <table className="figures-table">
          <thead>
            <tr>
              <th scope="col" id="figures-key">
                {t(`figures.key.${groupBy}`)}
              </th>
              <th scope="col">{t('figures.leads')}</th>
              <th scope="col">{t('figures.unanswered')}</th>
              <th scope="col">{t('figures.firstResponse')}</th>
              <th scope="col">{t('figures.reply')}</th>
              <th scope="col">{t('figures.sla')}</th>
              <th scope="col">{t('figures.waitingNow')}</th>
            </tr>
          </thead>
          <tbody id="figures-rows">
            {rows?.map((row) => {
              const waitingNow = Object.values(row.ageing).reduce((n, v) => n + v, 0);
              const waitingLong = waitingNow - (row.ageing.under5m ?? 0);
              const share = row.unansweredShare === null ? '' : ` (${Math.round(row.unansweredShare * 100)}%)`;
              return (
                <tr key={row.key} data-key={row.key}>
                  <th scope="row">{keyName(row.key)}</th>
                  <td data-label={t('figures.leads')}>{String(row.leads)}</td>
                  <td
                    data-label={t('figures.unanswered')}
                    className={row.unansweredPastTarget > 0 ? 'late' : undefined}
                  >{`${row.unanswered}${share}`}</td>
                  <td
                    data-label={t('figures.firstResponse')}
                  >{`${duration(row.firstResponse.p50Ms)} / ${duration(row.firstResponse.p90Ms)}`}</td>
                  <td data-label={t('figures.reply')}>{`${duration(row.reply.p50Ms)} / ${duration(row.reply.p90Ms)}`}</td>
                  <td
                    data-label={t('figures.sla')}
                    className={row.slaBreached > 0 ? 'late' : undefined}
                  >{`${row.slaMet} / ${row.slaBreached}`}</td>
                  <td data-label={t('figures.waitingNow')} className={waitingLong > 0 ? 'late' : undefined}>
                    {waitingLong > 0 ? `${waitingNow} (${t('figures.overFive', { count: waitingLong })})` : String(waitingNow)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      {rows?.length === 0 && <p className="empty-note">{t('figures.empty')}</p>}
    </>
  );
}
