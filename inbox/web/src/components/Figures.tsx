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
  type VolumeRowView,
  volumeRowSchema,
  workloadSchema,
} from '../../../../shared/inbox-api';
import { api, download } from '../api';
import { dateTime, timeZone } from '../format';
import { type DayRange, instants, kyivMidnight, type Preset, presetRange } from '../kyiv-days';
import { BotFiguresCard } from './BotFiguresCard';
import { DashboardCharts } from './DashboardCharts';
import { FiguresTable } from './FiguresTable';
import { PipelineFigures } from './PipelineFigures';
import { RangePicker } from './RangePicker';
import { WaitingTimer } from './WaitingTimer';
import '../dashboard.css';

const rowsSchema = listOf(responseTimesRowSchema);
const volumeSchema = listOf(volumeRowSchema);
const workloadList = listOf(workloadSchema);
const alertsSchema = listOf(alertViewSchema);
const waitingSchema = pageOf(conversationViewSchema);

interface Props {
  agents: AgentView[];
  liveAlerts: AlertView[];
  onOpen(id: string): void;
  onError(err: unknown): void;
}

/**
 * Supervisors, often on a wall screen: the figures of a range of Kyiv days as charts and a table, by channel or by
 * manager, who waits now, who is online with how many open conversations, and the alerts (live).
 */
export function Figures({ agents, liveAlerts, onOpen, onError }: Props) {
  const { t, i18n } = useTranslation();
  const [preset, setPreset] = useState<Preset | null>('week');
  const [days, setDays] = useState<DayRange>(() => presetRange('week'));
  const [groupBy, setGroupBy] = useState<'channel' | 'agent'>('channel');
  const [rows, setRows] = useState<ResponseTimesRowView[] | null>(null);
  const [volume, setVolume] = useState<VolumeRowView[]>([]);
  const [alerts, setAlerts] = useState<AlertView[]>([]);
  const [waiting, setWaiting] = useState<ConversationView[]>([]);
  const [openByAgent, setOpenByAgent] = useState<ReadonlyMap<string, number>>(new Map());

  // A preset moves with the clock (today is today on a screen left on overnight); a custom range stays.
  const range = useCallback(() => instants(preset ? presetRange(preset) : days), [preset, days]);

  const load = useCallback(async () => {
    const r = range();
    const [report, hours, alertList, workload] = await Promise.all([
      api(rowsSchema, 'GET', `/api/metrics/response-times?${new URLSearchParams({ ...r, groupBy })}`),
      api(volumeSchema, 'GET', `/api/metrics/volume-by-hour?${new URLSearchParams({ ...r, groupBy })}`),
      api(alertsSchema, 'GET', `/api/alerts?since=${encodeURIComponent(r.from)}`),
      api(workloadList, 'GET', '/api/metrics/workload'),
    ]);
    setRows(report.items);
    setVolume(hours.items);
    setAlerts(alertList.items);
    setOpenByAgent(new Map(workload.items.map((w) => [w.agentId, w.open])));
  }, [range, groupBy]);

  const loadWaiting = useCallback(async () => {
    const open = await api(waitingSchema, 'GET', '/api/conversations?sort=waiting&limit=100');
    setWaiting(open.items);
  }, []);

  useEffect(() => {
    void load().catch(onError);
    const timer = setInterval(() => void load().catch(() => undefined), 60_000);
    return () => clearInterval(timer);
  }, [load, onError]);

  // Who waits changes by the minute: read more often than the figures, by the waiting index.
  useEffect(() => {
    void loadWaiting().catch(onError);
    const timer = setInterval(() => void loadWaiting().catch(() => undefined), 15_000);
    return () => clearInterval(timer);
  }, [loadWaiting, onError]);
  // A new alert usually means someone waits longer: the list follows it at once.
  useEffect(() => {
    if (liveAlerts.length > 0) void loadWaiting().catch(() => undefined);
  }, [liveAlerts, loadWaiting]);

  const shownAlerts = useMemo(() => {
    const seen = new Set<string>();
    return [...liveAlerts, ...alerts].filter((a) => !seen.has(a.id) && seen.add(a.id));
  }, [liveAlerts, alerts]);

  const names = useMemo(() => new Map(agents.map((a) => [a.id, a.name])), [agents]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the names follow the language
  const keyName = useCallback(
    (key: string) =>
      groupBy === 'agent'
        ? key === 'unassigned'
          ? t('figures.unassignedRow')
          : (names.get(key) ?? key)
        : t(`channel.${key}`, { defaultValue: key }),
    [groupBy, names, t, i18n.language],
  );

  const csv = () => {
    const r = range();
    const shown = preset ? presetRange(preset) : days;
    download(`/api/metrics/response-times.csv?${new URLSearchParams(r)}`, `response-times-${shown.fromDay}-${shown.toDay}.csv`).catch(
      onError,
    );
  };

  const shown = preset ? presetRange(preset) : days;
  const rangeLabel = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeZone }).formatRange(
    kyivMidnight(shown.fromDay),
    kyivMidnight(shown.toDay),
  );
  const totals = (rows ?? []).reduce(
    (s, r) => ({
      leads: s.leads + r.leads,
      unanswered: s.unanswered + r.unanswered,
      met: s.met + r.slaMet,
      missed: s.missed + r.slaBreached,
    }),
    { leads: 0, unanswered: 0, met: 0, missed: 0 },
  );
  const percent = (n: number, of: number) => (of ? `${Math.round((n / of) * 100)}%` : '—');
  const online = agents.filter((a) => a.online && a.active);

  return (
    <main className="figures dashboard" id="figures" aria-labelledby="figures-title">
      <header className="figures-head">
        <h2 id="figures-title">{t('figures.title')}</h2>
        <RangePicker
          preset={preset}
          range={shown}
          onPreset={(p) => {
            setPreset(p);
            setDays(presetRange(p));
          }}
          onCustom={(r) => {
            setPreset(null);
            setDays(r);
          }}
        />
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
      <p className="range-label" id="range-label">
        {t('dashboard.rangeLabel', { range: rangeLabel })}
      </p>
      <dl className="kpis" id="kpis">
        <div>
          <dt>{t('figures.leads')}</dt>
          <dd>{totals.leads}</dd>
        </div>
        <div className={totals.unanswered > 0 ? 'late' : undefined}>
          <dt>{t('figures.unanswered')}</dt>
          <dd>{`${totals.unanswered} (${percent(totals.unanswered, totals.leads)})`}</dd>
        </div>
        <div>
          <dt>{t('dashboard.metShare')}</dt>
          <dd>{percent(totals.met, totals.met + totals.missed)}</dd>
        </div>
        <div className={waiting.length > 0 ? 'late' : undefined}>
          <dt>{t('figures.waitingNow')}</dt>
          <dd>{waiting.length}</dd>
        </div>
        <div>
          <dt>{t('figures.onlineTitle')}</dt>
          <dd>{online.length}</dd>
        </div>
      </dl>
      <div className="dashboard-body">
        <DashboardCharts rows={rows ?? []} volume={volume} keyName={keyName} />
        <div className="figures-columns">
          <section aria-labelledby="waiters-title">
            <h3 id="waiters-title">{t('figures.waitersTitle')}</h3>
            {waiting.length === 0 ? (
              <p className="empty-note">{t('figures.noWaiters')}</p>
            ) : (
              <ul className="waiters" id="waiters">
                {waiting.map((c) => (
                  <li key={c.id} data-id={c.id}>
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
            {online.length > 0 ? (
              <ul className="online" id="online">
                {online.map((a) => (
                  <li key={a.id} data-id={a.id}>
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
              <ol id="figures-alerts" className="alerts" aria-live="polite">
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
      </div>
      <FiguresTable rows={rows} groupBy={groupBy} keyName={keyName} />
      <PipelineFigures range={range} groupBy={groupBy} keyName={keyName} onError={onError} />
      <BotFiguresCard {...range()} />
    </main>
  );
}
