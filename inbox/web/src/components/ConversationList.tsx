import { measureElement, useVirtualizer } from '@tanstack/react-virtual';
import { memo, type RefObject, useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentView, ConversationView } from '../../../../shared/inbox-api';
import type { Filters, Scope, Sort, StatusFilter, useConversations } from '../conversations';
import { listTime } from '../format';
import { ChannelOptions } from './ChannelOptions';
import { WaitingTimer } from './WaitingTimer';

interface Props {
  list: ReturnType<typeof useConversations>;
  me: AgentView;
  agents: AgentView[];
  selectedId: string | null;
  onOpen(id: string): void;
  searchRef: RefObject<HTMLInputElement | null>;
  onError(err: unknown): void;
}

const scopes: Scope[] = ['mine', 'unassigned', 'all'];
const statuses: StatusFilter[] = ['open', 'pending', 'snoozed', 'resolved', 'all'];

export function ConversationList({ list, me, agents, selectedId, onOpen, searchRef, onError }: Props) {
  const { t } = useTranslation();
  const { filters, changeFilters } = list;
  const change = (patch: Partial<Filters>) => void changeFilters(patch).catch(onError);
  const names = new Map(agents.map((a) => [a.id, a.name]));
  const { rows } = list;
  const scroller = useRef<HTMLDivElement>(null);
  // Only the rows in sight (and a few around) are in the page: a list of thousands scrolls and updates at frame rate.
  // Rows are all of a height: one not yet drawn is expected at the height the last one measured, so a row that
  // arrives live needs no second render to correct the list's layout.
  const rowHeight = useRef(86);
  const getItemKey = useCallback((i: number) => rows[i]?.id ?? i, [rows]);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight.current,
    overscan: 8,
    getItemKey,
    measureElement: (element, entry, instance) => {
      const size = measureElement(element, entry, instance);
      if (size > 0) rowHeight.current = size;
      return size;
    },
  });
  const selectedIndex = selectedId ? rows.findIndex((c) => c.id === selectedId) : -1;
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);

  return (
    <section className="list-pane" aria-label={t('list.label')}>
      <div className="filters" id="filters">
        {filters.view && (
          <p className="view-chip" id="list-view">
            <span>{t('customers.viewOpened', { name: filters.view.name })}</span>
            <button type="button" className="icon-button" aria-label={t('list.closeView')} onClick={() => change({ view: null })}>
              ×
            </button>
          </p>
        )}
        <fieldset className="segmented scope" aria-label={t('list.scope')}>
          {scopes.map((s) => (
            <button key={s} type="button" data-scope={s} aria-pressed={filters.scope === s} onClick={() => change({ scope: s })}>
              {t(`list.${s}`)}
            </button>
          ))}
        </fieldset>
        <SearchBox value={filters.q} onChange={(q) => change({ q })} inputRef={searchRef} />
        <div className="selects">
          <label>
            <span className="visually-hidden">{t('list.statusLabel')}</span>
            <select id="filter-status" value={filters.status} onChange={(e) => change({ status: e.target.value as StatusFilter })}>
              {statuses.map((s) => (
                <option key={s} value={s}>
                  {t(`status.${s}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span className="visually-hidden">{t('list.channel')}</span>
            <select id="filter-channel" value={filters.channel} onChange={(e) => change({ channel: e.target.value as Filters['channel'] })}>
              <ChannelOptions anyLabel={t('list.anyChannel')} anyValue="all" />
            </select>
          </label>
          <label>
            <span className="visually-hidden">{t('list.sort')}</span>
            <select id="filter-sort" value={filters.sort} onChange={(e) => change({ sort: e.target.value as Sort })}>
              <option value="waiting">{t('list.sortWaiting')}</option>
              <option value="recent">{t('list.sortRecent')}</option>
            </select>
          </label>
        </div>
      </div>
      <div className="conversations-scroll" ref={scroller}>
        <ul
          id="conversations"
          className="conversations"
          aria-label={t('list.label')}
          data-count={rows.length}
          style={{ height: virtualizer.getTotalSize() }}
        >
          {virtualizer.getVirtualItems().map((item) => {
            const c = rows[item.index];
            if (!c) return null;
            return (
              <Row
                key={c.id}
                conversation={c}
                index={item.index}
                total={rows.length}
                start={item.start}
                measure={virtualizer.measureElement}
                selected={c.id === selectedId}
                assignee={
                  c.assigneeId === me.id ? t('list.you') : c.assigneeId ? (names.get(c.assigneeId) ?? '…') : t('list.unassignedShort')
                }
                onOpen={onOpen}
              />
            );
          })}
        </ul>
        {rows.length === 0 && !list.loading && (
          <p className="list-empty">{filters.q ? t('list.emptySearch', { q: filters.q }) : t('list.empty')}</p>
        )}
        {list.hasMore && (
          <button type="button" className="more" id="list-more" disabled={list.loading} onClick={() => void list.loadMore().catch(onError)}>
            {list.loading ? t('list.loading') : t('list.more')}
          </button>
        )}
      </div>
    </section>
  );
}

function SearchBox({
  value,
  onChange,
  inputRef,
}: {
  value: string;
  onChange(q: string): void;
  inputRef: RefObject<HTMLInputElement | null>;
}) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState(value);
  // Typing narrows the list after a pause, not on every key.
  useEffect(() => {
    if (draft === value) return;
    const timer = setTimeout(() => onChange(draft), 250);
    return () => clearTimeout(timer);
  }, [draft, value, onChange]);
  return (
    <label className="search">
      <span className="visually-hidden">{t('list.search')}</span>
      <input
        ref={inputRef}
        id="search"
        type="search"
        value={draft}
        placeholder={t('list.searchPlaceholder')}
        onChange={(e) => setDraft(e.target.value)}
        autoComplete="off"
      />
    </label>
  );
}

interface RowProps {
  conversation: ConversationView;
  index: number;
  total: number;
  start: number;
  measure(node: Element | null): void;
  selected: boolean;
  assignee: string;
  onOpen(id: string): void;
}

/**
 * One row; memoised so a live update re-renders only the row it concerns. A row moved by another's arrival gets
 * only its place anew: what it shows is a memoised body of its own.
 */
const Row = memo(function Row({ conversation, index, total, start, measure, selected, assignee, onOpen }: RowProps) {
  return (
    <li
      ref={measure}
      data-index={index}
      data-id={conversation.id}
      aria-setsize={total}
      aria-posinset={index + 1}
      className={selected ? 'selected' : undefined}
      style={{ transform: `translateY(${start}px)` }}
    >
      <RowBody conversation={conversation} selected={selected} assignee={assignee} onOpen={onOpen} />
    </li>
  );
});

type RowBodyProps = Pick<RowProps, 'conversation' | 'selected' | 'assignee' | 'onOpen'>;

const RowBody = memo(function RowBody({ conversation: c, selected, assignee, onOpen }: RowBodyProps) {
  const { t } = useTranslation();
  return (
    <button type="button" className="row" aria-current={selected ? 'true' : undefined} onClick={() => onOpen(c.id)}>
      <span className="row-top">
        <span className="name">{c.contact.name}</span>
        <time className="when" dateTime={c.lastMessageAt}>
          {listTime(c.lastMessageAt)}
        </time>
      </span>
      <span className="preview">{c.lastMessagePreview}</span>
      <span className="row-bottom">
        <span className={`channel-badge ${c.channel}`}>{t(`channel.${c.channel}`)}</span>
        {c.heldByBot ? <span className="bot-badge">{t('bot.badge')}</span> : <span className="assignee">{assignee}</span>}
        <WaitingTimer conversation={c} />
        {c.unreadCount > 0 && (
          <span className="unread" title={t('list.unread', { count: c.unreadCount })}>
            <span aria-hidden="true">{c.unreadCount}</span>
            <span className="visually-hidden">{t('list.unread', { count: c.unreadCount })}</span>
          </span>
        )}
      </span>
    </button>
  );
});
