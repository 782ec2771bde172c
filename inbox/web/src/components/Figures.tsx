import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type AgentView,
  type AlertView,
  alertViewSchema,
  type ConversationView,
  conversationViewSchema,
  listOf,
  pageOf,
  type ResponseTimesRowView,
  responseTimesRowSchema,
} from '../../../../shared/inbox-api';
import { api, download } from '../api';
import { dateTime, duration } from '../format';
import { WaitingTimer } from './WaitingTimer';

const rowsSchema = listOf(responseTimesRowSchema);
const alertsSchema = listOf(alertViewSchema);
const waitingSchema = pageOf(conversationViewSchema);
const ranges = [
  [1, 'day'],
  [7, 'week'],
  [30, 'month'],
] as const;

interface Props {
  agents: AgentView[];
  liveAlerts: AlertView[];
  onOpen(id: string): void;
  onError(err: unknown): void;
}

/** Supervisors: response times by channel or manager, who waits now, and the alerts of the range (live). */
export function Figures({ agents, liveAlerts, onOpen, onError }: Props) {
  const { t } = useTranslation();
  const [days, setDays] = useState(7);
  const [groupBy, setGroupBy] = useState<'channel' | 'agent'>('channel');
  const [rows, setRows] = useState<ResponseTimesRowView[] | null>(null);
  const [alerts, setAlerts] = useState<AlertView[]>([]);
  const [waiting, setWaiting] = useState<ConversationView[]>([]);
  const [openByAgent, setOpenByAgent] = useState<ReadonlyMap<string, number>>(new Map());

  const range = useCallback(() => {
    const to = new Date();
    return { from: new Date(to.getTime() - days * 86_400_000).toISOString(), to: to.toISOString() };
  }, [days]);

  const load = useCallback(async () => {
    const r = range();
    const [report, alertList, open] = await Promise.all([
      api(rowsSchema, 'GET', `/api/metrics/response-times?${new URLSearchParams({ ...r, groupBy })}`),
      api(alertsSchema, 'GET', `/api/alerts?since=${encodeURIComponent(r.from)}`),
      api(waitingSchema, 'GET', '/api/conversations?status=open&limit=200'),
    ]);
    setRows(report.items);
    setAlerts(alertList.items);
    setWaiting(
      open.items.filter((c) => c.awaitingReplySince).sort((a, b) => (a.awaitingReplySince ?? '').localeCompare(b.awaitingReplySince ?? '')),
    );
  }, [range, groupBy]);

  useEffect(() => {
    void load().catch(onError);
    const timer = setInterval(() => void load().catch(() => undefined), 60_000);
    return () => clearInterval(timer);
  }, [load, onError]);

  const shownAlerts = useMemo(() => {
    const seen = new Set<string>();
    return [...liveAlerts, ...alerts].filter((a) => !seen.has(a.id) && seen.add(a.id));
  }, [liveAlerts, alerts]);

  const names = new Map(agents.map((a) => [a.id, a.name]));
  const keyName = (key: string) =>
    groupBy === 'agent'
      ? key === 'unassigned'
        ? t('figures.unassignedRow')
        : (names.get(key) ?? key)
      : t(`channel.${key}`, { defaultValue: key });

  const csv = () => {
    const r = range();
    download(
      `/api/metrics/response-times.csv?${new URLSearchParams(r)}`,
      `response-times-${r.from.slice(0, 10)}-${r.to.slice(0, 10)}.csv`,
    ).catch(onError);
  };

  return (
    <main className="figures" id="figures" aria-labelledby="figures-title">
      <header className="figures-head">
        <h2 id="figures-title">{t('figures.title')}</h2>
        <fieldset className="segmented" id="figures-range" aria-label={t('figures.range')}>
          {ranges.map(([d, key]) => (
            <button key={d} type="button" aria-pressed={days === d} onClick={() => setDays(d)}>
              {t(`figures.${key}`)}
            </button>
          ))}
        </fieldset>
        <fieldset className="segmented" id="figures-group" aria-label={t('figures.groupBy')}>
          <button type="button" aria-pressed={groupBy === 'channel'} onClick={() => setGroupBy('channel')}>
            {t('figures.byChannel')}
          </button>
          <button type="button" aria-pressed={groupBy === 'agent'} onClick={() => setGroupBy('agent')}>
            {t('figures.byManager')}
          </button>
        </fieldset>
        <button type="button" id="figures-csv" onClick={csv}>
          {t('figures.csv')}
        </button>
      </header>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a table wider than a phone scrolls sideways, and a keyboard must reach it (WCAG 2.1.1) */}
      <section className="table-scroll" tabIndex={0} aria-labelledby="figures-title">
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
      <div className="figures-columns">
        <section aria-labelledby="waiters-title">
          <h3 id="waiters-title">{t('figures.waitersTitle')}</h3>
          {waiting.length === 0 ? (
            <p className="empty-note">{t('figures.noWaiters')}</p>
          ) : (
            <ul className="waiters" id="waiters">
              {waiting.map((c) => (
                <li key={c.id}>
                  <button type="button" className="link" onClick={() => onOpen(c.id)}>
                    {c.contact.name}
                  </button>
                  <span className={`channel-badge ${c.channel}`}>{t(`channel.${c.channel}`)}</span>
                  <span className="assignee">{c.assigneeId ? (names.get(c.assigneeId) ?? '…') : t('list.unassignedShort')}</span>
                  <WaitingTimer conversation={c} />
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="online-title">
          <h3 id="online-title">{t('figures.onlineTitle')}</h3>
          {agents.some((a) => a.online) ? (
            <ul className="online" id="online">
              {agents
                .filter((a) => a.online)
                .map((a) => (
                  <li key={a.id}>
                    <span className="dot" aria-hidden="true" />
                    <span className="name">{a.name}</span>
                    <span className="count">{t('figures.openCount', { count: openByAgent.get(a.id) ?? 0 })}</span>
                  </li>
                ))}
            </ul>
          ) : (
            <p className="empty-note">{t('figures.noneOnline')}</p>
          )}
        </section>
        <section aria-labelledby="alerts-title">
          <h3 id="alerts-title">{t('figures.alerts')}</h3>
          {shownAlerts.length === 0 ? (
            <p className="empty-note">{t('figures.noAlerts')}</p>
          ) : (
            <ol id="figures-alerts" className="alerts">
              {shownAlerts.map((a) => (
                <li key={a.id} className={a.type}>
                  <time dateTime={a.createdAt}>{dateTime(a.createdAt)}</time>
                  <span className="alert-type">{t(`alert.${a.type}`)}</span>
                  <span>{a.detail ?? t(`channel.${a.channel}`)}</span>
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
    </main>
  );
}
