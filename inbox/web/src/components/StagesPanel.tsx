import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type StageView, stageViewSchema } from '../../../../shared/pipeline-api';
import { api } from '../api';
import { useStages } from '../pipeline';
import type { AdminPanelProps } from './admin-panel';
import { OrderedListPanel } from './OrderedListPanel';
import { OrderedRow, useListChange } from './OrderedRow';

const patch = (id: string, body: object) => api(stageViewSchema, 'PATCH', `/api/pipeline/stages/${id}`, body);
const switchOff = (id: string) => api(stageViewSchema, 'DELETE', `/api/pipeline/stages/${id}`);

/** A stage's requirements, ticked on its row: what a lead must have before it moves there. */
function StageRequires({ stage, onChange }: { stage: StageView; onChange(run: () => Promise<unknown>): Promise<void> }) {
  const { t } = useTranslation();
  const toggle = (requirement: 'amount' | 'phone') => {
    const requires = stage.requires.includes(requirement)
      ? stage.requires.filter((r) => r !== requirement)
      : [...stage.requires, requirement];
    void onChange(() => patch(stage.id, { requires }));
  };
  return (
    <fieldset className="stage-requires">
      <legend className="visually-hidden">{t('pipeline.admin.requires', { label: stage.label })}</legend>
      {(['amount', 'phone'] as const).map((r) => (
        <label key={r} className="checkbox">
          <input type="checkbox" checked={stage.requires.includes(r)} onChange={() => toggle(r)} />
          {t(`pipeline.requires.${r}`)}
        </label>
      ))}
    </fieldset>
  );
}

/** The admins' pipeline stages, a panel of the admin area. */
export function StagesPanel({ onError }: AdminPanelProps) {
  const { t } = useTranslation();
  const { stages, reload } = useStages();
  const [label, setLabel] = useState('');
  const [kind, setKind] = useState<'open' | 'won' | 'lost'>('open');
  const { error, setError, change } = useListChange(reload, onError);
  const add = (event: FormEvent) => {
    event.preventDefault();
    if (!label.trim()) return setError(t('pipeline.admin.empty'));
    void change(() => api(stageViewSchema, 'POST', '/api/pipeline/stages', { label: label.trim(), kind })).then(() => setLabel(''));
  };
  const list = stages ?? [];
  return (
    <OrderedListPanel
      id="pipeline-stages"
      className="loss-reasons-panel stages-panel"
      title={t('pipeline.admin.title')}
      hint={t('pipeline.admin.hint')}
      onAdd={add}
      error={error}
      fields={
        <>
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
        </>
      }
    >
      {list.map((s, i) => (
        <OrderedRow
          key={s.id}
          item={s}
          above={list[i - 1]}
          below={list[i + 1]}
          renameLabel={t('pipeline.admin.rename', { label: s.label })}
          maxLength={60}
          className="stage-row"
          badge={<span className={`stage-badge ${s.kind}`}>{t(`pipeline.kind.${s.kind}`)}</span>}
          patch={patch}
          switchOff={switchOff}
          onChange={change}
        >
          <StageRequires stage={s} onChange={change} />
        </OrderedRow>
      ))}
    </OrderedListPanel>
  );
}
