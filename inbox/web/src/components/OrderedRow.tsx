import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** What an admin keeps in order: named, numbered, and switched off rather than deleted. */
export interface OrderedItem {
  id: string;
  label: string;
  order: number;
  active: boolean;
}

interface Props<T extends OrderedItem> {
  item: T;
  above?: T;
  below?: T;
  /** The input's name for screen readers, with the item's label in it. */
  renameLabel: string;
  maxLength: number;
  /** A class beside the list's own, for what this kind of item adds. */
  className?: string;
  /** Shown after the name, before the inactive badge. */
  badge?: ReactNode;
  /** The kind's own controls, between the name and the ordering tools. */
  children?: ReactNode;
  patch(id: string, body: object): Promise<unknown>;
  switchOff(id: string): Promise<unknown>;
  onChange(run: () => Promise<unknown>): Promise<void>;
}

/** One item of an admin's ordered list: renamed in place, moved up or down, switched off and on again. */
export function OrderedRow<T extends OrderedItem>({
  item,
  above,
  below,
  renameLabel,
  maxLength,
  className,
  badge,
  children,
  patch,
  switchOff,
  onChange,
}: Props<T>) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState(item.label);
  useEffect(() => setDraft(item.label), [item.label]);
  // Two neighbours swap their places: the list keeps whatever numbers admins gave before.
  const swap = (other: T) => onChange(() => Promise.all([patch(item.id, { order: other.order }), patch(other.id, { order: item.order })]));
  const rename = (event: FormEvent) => {
    event.preventDefault();
    if (draft.trim() && draft.trim() !== item.label) void onChange(() => patch(item.id, { label: draft.trim() }));
  };
  return (
    <li className={`loss-reason${className ? ` ${className}` : ''}${item.active ? '' : ' inactive'}`} data-id={item.id}>
      <form onSubmit={rename} className="loss-reason-name">
        <label>
          <span className="visually-hidden">{renameLabel}</span>
          <input value={draft} maxLength={maxLength} onChange={(e) => setDraft(e.target.value)} />
        </label>
        {draft.trim() !== item.label && draft.trim() !== '' && <button type="submit">{t('lossAdmin.save')}</button>}
        {badge}
        {!item.active && <span className="status-badge">{t('lossAdmin.inactive')}</span>}
      </form>
      {children}
      <div className="loss-reason-tools">
        <button
          type="button"
          disabled={!above}
          onClick={() => above && void swap(above)}
          aria-label={t('lossAdmin.up', { label: item.label })}
        >
          ↑
        </button>
        <button
          type="button"
          disabled={!below}
          onClick={() => below && void swap(below)}
          aria-label={t('lossAdmin.down', { label: item.label })}
        >
          ↓
        </button>
        {item.active ? (
          <button type="button" onClick={() => void onChange(() => switchOff(item.id))}>
            {t('lossAdmin.deactivate')}
          </button>
        ) : (
          <button type="button" onClick={() => void onChange(() => patch(item.id, { active: true }))}>
            {t('lossAdmin.activate')}
          </button>
        )}
      </div>
    </li>
  );
}

/**
 * A change to the list and what follows it: the list read again whether or not the change took, and its error shown
 * in the panel as well as passed on.
 */
export function useListChange(reload: () => Promise<unknown>, onError: (err: unknown) => void) {
  const [error, setError] = useState('');
  const change = async (run: () => Promise<unknown>) => {
    try {
      await run();
      setError('');
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      onError(err);
    }
    await reload();
  };
  return { error, setError, change };
}
