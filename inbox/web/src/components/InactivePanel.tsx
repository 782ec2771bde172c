import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Channel } from '../../../../shared/channels';
import { type InactiveContactView, inactiveContactsAnswer, type SavedViewView, savedViewSchema } from '../../../../shared/customers-api';
import { api } from '../api';
import { dateTime } from '../format';
import { ChannelOptions } from './ChannelOptions';

export const inactiveDayChoices = [7, 14, 30, 60, 90, 180] as const;

export interface InactiveFilter {
  days: number;
  channel: Channel | 'all';
}

interface Props {
  filter: InactiveFilter;
  canSaveForTeam: boolean;
  onFilter(filter: InactiveFilter): void;
  onOpen(conversationId: string): void;
  onSaved(view: SavedViewView): void;
  onError(err: unknown): void;
}

/** The customers silent for N days, the most recently silent first, and the same list saved as a view. */
export function InactivePanel({ filter, canSaveForTeam, onFilter, onOpen, onSaved, onError }: Props) {
  const { t } = useTranslation();
  const [items, setItems] = useState<InactiveContactView[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [forTeam, setForTeam] = useState(canSaveForTeam);

  const query = useCallback(
    (after?: string) => {
      const q = new URLSearchParams({ days: String(filter.days), limit: '50' });
      if (filter.channel !== 'all') q.set('channel', filter.channel);
      if (after) q.set('cursor', after);
      return `/api/contacts/inactive?${q}`;
    },
    [filter],
  );

  useEffect(() => {
    api(inactiveContactsAnswer, 'GET', query())
      .then((page) => {
        setItems(page.items);
        setCursor(page.nextCursor);
      })
      .catch(onError);
  }, [query, onError]);

  const more = () => {
    if (!cursor) return;
    api(inactiveContactsAnswer, 'GET', query(cursor))
      .then((page) => {
        setItems((prev) => [...prev, ...page.items]);
        setCursor(page.nextCursor);
      })
      .catch(onError);
  };

  const save = (e: React.FormEvent) => {
    e.preventDefault();
    const body = {
      name: name.trim(),
      kind: 'contacts',
      scope: forTeam ? 'team' : 'personal',
      filter: { inactiveDays: filter.days, ...(filter.channel !== 'all' ? { channel: filter.channel } : {}) },
    };
    api(savedViewSchema, 'POST', '/api/views', body)
      .then((view) => {
        setName('');
        onSaved(view);
      })
      .catch(onError);
  };

  return (
    <section className="customers-section" aria-labelledby="inactive-title" id="inactive">
      <header className="customers-head">
        <h3 id="inactive-title">{t('customers.inactiveTitle')}</h3>
        <label>
          <span>{t('customers.days')}</span>
          <select id="inactive-days" value={filter.days} onChange={(e) => onFilter({ ...filter, days: Number(e.target.value) })}>
            {[...new Set([...inactiveDayChoices, filter.days])]
              .sort((a, b) => a - b)
              .map((d) => (
                <option key={d} value={d}>
                  {t('customers.daysValue', { count: d })}
                </option>
              ))}
          </select>
        </label>
        <label>
          <span>{t('customers.channel')}</span>
          <select
            id="inactive-channel"
            value={filter.channel}
            onChange={(e) => onFilter({ ...filter, channel: e.target.value as Channel | 'all' })}
          >
            <ChannelOptions anyLabel={t('customers.anyChannel')} anyValue="all" />
          </select>
        </label>
      </header>
      {items.length === 0 ? (
        <p className="empty-note">{t('customers.noInactive')}</p>
      ) : (
        <ul className="inactive-list" id="inactive-list">
          {items.map((c) => (
            <li key={c.id} data-id={c.id}>
              <button type="button" className="link" onClick={() => onOpen(c.conversationId)}>
                {c.name}
              </button>
              <span className="muted">
                {t(`channel.${c.channel}`)}
                {c.reachable ? '' : ` · ${t('customers.unreachable')}`}
              </span>
              <span className="muted">
                {t('customers.lastWrote')}: <time dateTime={c.lastInteractionAt}>{dateTime(c.lastInteractionAt)}</time>
              </span>
            </li>
          ))}
        </ul>
      )}
      {cursor && (
        <button type="button" onClick={more}>
          {t('customers.more')}
        </button>
      )}
      <form className="save-view" id="save-view" onSubmit={save}>
        <label>
          <span>{t('customers.viewName')}</span>
          <input value={name} required maxLength={80} onChange={(e) => setName(e.target.value)} />
        </label>
        {canSaveForTeam && (
          <label className="checkbox">
            <input type="checkbox" checked={forTeam} onChange={(e) => setForTeam(e.target.checked)} />
            <span>{t('customers.teamView')}</span>
          </label>
        )}
        <button type="submit" disabled={!name.trim()}>
          {t('customers.saveView')}
        </button>
      </form>
    </section>
  );
}
