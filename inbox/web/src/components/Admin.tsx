import { type ComponentType, type KeyboardEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AdminPanelProps } from './admin-panel';
import { BotPanel } from './BotPanel';
import { ChannelsPanel } from './ChannelsPanel';
import { JobsPanel } from './JobsPanel';
import { LossReasonsPanel } from './LossReasonsPanel';
import { StagesPanel } from './StagesPanel';
import { TeamPanel } from './TeamPanel';
import { TriggersPanel } from './TriggersPanel';
import '../admin.css';

interface AdminPanel {
  id: string;
  /** The tab's name: a key of the locales. */
  label: string;
  Panel: ComponentType<AdminPanelProps>;
}

/** The admin area's sections, in tab order: a further panel is one more line here. */
const panels: AdminPanel[] = [
  { id: 'team', label: 'admin.tabs.team', Panel: TeamPanel },
  { id: 'channels', label: 'admin.tabs.channels', Panel: ChannelsPanel },
  { id: 'jobs', label: 'admin.tabs.jobs', Panel: JobsPanel },
  { id: 'lossReasons', label: 'admin.tabs.lossReasons', Panel: LossReasonsPanel },
  { id: 'stages', label: 'pipeline.admin.tab', Panel: StagesPanel },
  { id: 'bot', label: 'bot.panel.tab', Panel: BotPanel },
  { id: 'triggers', label: 'triggers.tab', Panel: TriggersPanel },
];

/** Admins: the team and their roles, the channels and their sessions, the job queue; one tab each. */
export function Admin(props: AdminPanelProps) {
  const { t } = useTranslation();
  const [current, setCurrent] = useState(panels[0]?.id ?? '');
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const active = panels.find((p) => p.id === current) ?? panels[0];

  // The tabs pattern of WAI-ARIA: arrows move between tabs, Home and End to the ends.
  const onKey = (e: KeyboardEvent, index: number) => {
    const last = panels.length - 1;
    const to = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: last }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const next = (to + panels.length) % panels.length;
    setCurrent(panels[next]?.id ?? current);
    tabs.current[next]?.focus();
  };

  return (
    <main className="admin" id="admin" aria-labelledby="admin-title">
      <h2 id="admin-title">{t('admin.title')}</h2>
      <div className="tabs" role="tablist" aria-labelledby="admin-title">
        {panels.map((p, i) => (
          <button
            key={p.id}
            ref={(el) => {
              tabs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`admin-tab-${p.id}`}
            aria-selected={p.id === active?.id}
            aria-controls={`admin-panel-${p.id}`}
            tabIndex={p.id === active?.id ? 0 : -1}
            onClick={() => setCurrent(p.id)}
            onKeyDown={(e) => onKey(e, i)}
          >
            {t(p.label)}
          </button>
        ))}
      </div>
      {active && (
        <section className="admin-panel" role="tabpanel" id={`admin-panel-${active.id}`} aria-labelledby={`admin-tab-${active.id}`}>
          <active.Panel {...props} />
        </section>
      )}
    </main>
  );
}
