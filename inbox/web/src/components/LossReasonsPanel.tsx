import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type LossReasonView, lossReasonViewSchema } from '../../../../shared/inbox-api';
import { api } from '../api';
import { useLossReasons } from '../loss-reasons';
import type { AdminPanelProps } from './admin-panel';

/** One reason: renamed in place, moved up or down, switched off (never deleted: leads closed with it keep it). */
function ReasonRow({
  reason,
  above,
  below,
  onChange,
}: {
  reason: LossReasonView;
  above?: LossReasonView;
  below?: LossReasonView;
  onChange(run: () => Promise<unknown>): Promise<void>;
}) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState(reason.label);
  useEffect(() => setDraft(reason.label), [reason.label]);
  const patch = (id: string, body: object) => api(lossReasonViewSchema, 'PATCH', `/api/loss-reasons/${id}`, body);
  // Two neighbours swap their places: the list keeps whatever numbers admins gave before.
  const swap = (other: LossReasonView) =>
    onChange(() => Promise.all([patch(reason.id, { order: other.order }), patch(other.id, { order: reason.order })]));
  const rename = (event: FormEvent) => {
    event.preventDefault();
    if (draft.trim() && draft.trim() !== reason.label) void onChange(() => patch(reason.id, { label: draft.trim() }));
  };
  return (
    <li className={`loss-reason${reason.active ? '' : ' inactive'}`} data-id={reason.id}>
      <form onSubmit={rename} className="loss-reason-name">
        <label>
          <span className="visually-hidden">{t('lossAdmin.rename', { label: reason.label })}</span>
          <input value={draft} maxLength={100} onChange={(e) => setDraft(e.target.value)} />
        </label>
        {draft.trim() !== reason.label && draft.trim() !== '' && <button type="submit">{t('lossAdmin.save')}</button>}
        {!reason.active && <span className="status-badge">{t('lossAdmin.inactive')}</span>}
      </form>
      <div className="loss-reason-tools">
        <button
          type="button"
          disabled={!above}
          onClick={() => above && void swap(above)}
          aria-label={t('lossAdmin.up', { label: reason.label })}
        >
          ↑
        </button>
        <button
          type="button"
          disabled={!below}
          onClick={() => below && void swap(below)}
          aria-label={t('lossAdmin.down', { label: reason.label })}
        >
          ↓
        </button>
        {reason.active ? (
          <button type="button" onClick={() => void onChange(() => api(lossReasonViewSchema, 'DELETE', `/api/loss-reasons/${reason.id}`))}>
            {t('lossAdmin.deactivate')}
          </button>
        ) : (
          <button type="button" onClick={() => void onChange(() => patch(reason.id, { active: true }))}>
            {t('lossAdmin.activate')}
          </button>
        )}
      </div>
    </li>
  );
}

/** The admins' loss reasons, a panel of the admin area: add, rename, reorder and switch reasons off. */
export function LossReasonsPanel({ onError }: AdminPanelProps) {
  const { t } = useTranslation();
  const { reasons, reload } = useLossReasons(true);
  const [label, setLabel] = useState('');
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
  const add = (event: FormEvent) => {
    event.preventDefault();
    if (!label.trim()) {
      setError(t('lossAdmin.empty'));
      return;
    }
    void change(() => api(lossReasonViewSchema, 'POST', '/api/loss-reasons', { label: label.trim() })).then(() => setLabel(''));
  };

  const list = reasons ?? [];
  return (
    <section className="loss-reasons-panel" id="loss-reasons" aria-labelledby="loss-reasons-title">
      <h3 id="loss-reasons-title">{t('lossAdmin.title')}</h3>
      <p className="dialog-hint">{t('lossAdmin.hint')}</p>
      <ol className="loss-reason-list" aria-label={t('lossAdmin.title')}>
        {list.map((r, i) => (
          <ReasonRow key={r.id} reason={r} above={list[i - 1]} below={list[i + 1]} onChange={change} />
        ))}
      </ol>
      <form onSubmit={add} className="loss-reason-add" noValidate>
        <label>
          {t('lossAdmin.newLabel')}
          <input name="label" value={label} maxLength={100} onChange={(e) => setLabel(e.target.value)} />
        </label>
        <button type="submit" className="primary">
          {t('lossAdmin.add')}
        </button>
      </form>
      <p className="error" role="alert">
        {error}
      </p>
    </section>
  );
}
