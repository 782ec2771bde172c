import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type StageView, stageViewSchema } from '../../../../shared/pipeline-api';
import { api } from '../api';
import { useStages } from '../pipeline';
import type { AdminPanelProps } from './admin-panel';

const patch = (id: string, body: object) => api(stageViewSchema, 'PATCH', `/api/pipeline/stages/${id}`, body);

/** One stage: renamed in place, moved up or down, its requirements ticked, switched off (its leads stay). */
function StageRow({
  stage,
  above,
  below,
  onChange,
}: {
  stage: StageView;
  above?: StageView;
  below?: StageView;
  onChange(run: () => Promise<unknown>): Promise<void>;
}) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState(stage.label);
  useEffect(() => setDraft(stage.label), [stage.label]);
  const swap = (other: StageView) =>
    onChange(() => Promise.all([patch(stage.id, { order: other.order }), patch(other.id, { order: stage.order })]));
  const rename = (event: FormEvent) => {
    event.preventDefault();
    if (draft.trim() && draft.trim() !== stage.label) void onChange(() => patch(stage.id, { label: draft.trim() }));
  };
  const toggle = (requirement: 'amount' | 'phone') => {
    const requires = stage.requires.includes(requirement)
      ? stage.requires.filter((r) => r !== requirement)
      : [...stage.requires, requirement];
    void onChange(() => patch(stage.id, { requires }));
  };
  return (
    <li className={`loss-reason stage-row${stage.active ? '' : ' inactive'}`} data-id={stage.id}>
      <form onSubmit={rename} className="loss-reason-name">
        <label>
          <span className="visually-hidden">{t('pipeline.admin.rename', { label: stage.label })}</span>
          <input value={draft} maxLength={60} onChange={(e) => setDraft(e.target.value)} />
        </label>
        {draft.trim() !== stage.label && draft.trim() !== '' && <button type="submit">{t('lossAdmin.save')}</button>}
        <span className={`stage-badge ${stage.kind}`}>{t(`pipeline.kind.${stage.kind}`)}</span>
        {!stage.active && <span className="status-badge">{t('lossAdmin.inactive')}</span>}
      </form>
      <fieldset className="stage-requires">
        <legend className="visually-hidden">{t('pipeline.admin.requires', { label: stage.label })}</legend>
        {(['amount', 'phone'] as const).map((r) => (
          <label key={r} className="checkbox">
            <input type="checkbox" checked={stage.requires.includes(r)} onChange={() => toggle(r)} />
            {t(`pipeline.requires.${r}`)}
          </label>
        ))}
      </fieldset>
      <div className="loss-reason-tools">
        <button
          type="button"
          disabled={!above}
          onClick={() => above && void swap(above)}
          aria-label={t('lossAdmin.up', { label: stage.label })}
        >
          ↑
        </button>
        <button
          type="button"
          disabled={!below}
          onClick={() => below && void swap(below)}
          aria-label={t('lossAdmin.down', { label: stage.label })}
        >
          ↓
        </button>
        {stage.active ? (
          <button type="button" onClick={() => void onChange(() => api(stageViewSchema, 'DELETE', `/api/pipeline/stages/${stage.id}`))}>
            {t('lossAdmin.deactivate')}
          </button>
        ) : (
          <button type="button" onClick={() => void onChange(() => patch(stage.id, { active: true }))}>
            {t('lossAdmin.activate')}
          </button>
        )}
      </div>
    </li>
  );
}

/** The admins' pipeline stages, a panel of the admin area. */
export function StagesPanel({ onError }: AdminPanelProps) {
  const { t } = useTranslation();
  const { stages, reload } = useStages();
  const [label, setLabel] = useState('');
  const [kind, setKind] = useState<'open' | 'won' | 'lost'>('open');
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
    if (!label.trim()) return setError(t('pipeline.admin.empty'));
    void change(() => api(stageViewSchema, 'POST', '/api/pipeline/stages', { label: label.trim(), kind })).then(() => setLabel(''));
  };
  const list = stages ?? [];
  return (
    <section className="loss-reasons-panel stages-panel" id="pipeline-stages" aria-labelledby="stages-title">
      <h3 id="stages-title">{t('pipeline.admin.title')}</h3>
      <p className="dialog-hint">{t('pipeline.admin.hint')}</p>
      <ol className="loss-reason-list" aria-label={t('pipeline.admin.title')}>
        {list.map((s, i) => (
          <StageRow key={s.id} stage={s} above={list[i - 1]} below={list[i + 1]} onChange={change} />
        ))}
      </ol>
      <form onSubmit={add} className="loss-reason-add" noValidate>
        <label>
          {t('pipeline.admin.newLabel')}
          <input name="label" value={label} maxLength={60} onChange={(e) => setLabel(e.target.value)} />
        </label>
        <label>
          {t('pipeline.admin.kind')}
          <select value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
            {(['open', 'won', 'lost'] as const).map((k) => (
              <option key={k} value={k}>
                {t(`pipeline.kind.${k}`)}
              </option>
            ))}
          </select>
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
