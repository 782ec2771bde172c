import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type TriggerView, triggersAnswer, triggerViewSchema } from '../../../../shared/tasks-api';
import { api } from '../api';
import { useLossReasons } from '../loss-reasons';
import { useStages } from '../pipeline';
import type { AdminPanelProps } from './admin-panel';
import { ChannelOptions } from './ChannelOptions';
import '../tasks.css';

const HOUR = 3600_000;
type OnKind = TriggerView['on']['kind'];
type DoKind = TriggerView['action']['kind'];

/** The form's fields, all as typed; made into a trigger's `on` and `action` on save. */
interface Draft {
  name: string;
  on: OnKind;
  toStageId: string;
  fromStageId: string;
  lossReasonId: string;
  days: string;
  does: DoKind;
  title: string;
  dueInHours: string;
  assignTo: string;
  template: string;
  language: string;
  params: string;
  channel: string;
}

const blank: Draft = {
  name: '',
  on: 'stage_changed',
  toStageId: '',
  fromStageId: '',
  lossReasonId: '',
  days: '7',
  does: 'create_task',
  title: '',
  dueInHours: '24',
  assignTo: 'assignee',
  template: '',
  language: 'uk',
  params: '',
  channel: '',
};

function draftOf(t: TriggerView): Draft {
  const d: Draft = { ...blank, name: t.name, on: t.on.kind, does: t.action.kind };
  if (t.on.kind === 'stage_changed') Object.assign(d, { toStageId: t.on.toStageId ?? '', fromStageId: t.on.fromStageId ?? '' });
  if (t.on.kind === 'lost') d.lossReasonId = t.on.lossReasonId ?? '';
  if (t.on.kind === 'inactive') d.days = String(t.on.days);
  if (t.on.kind === 'renewal') d.days = String(t.on.daysBefore);
  if (t.action.kind === 'create_task') {
    Object.assign(d, { title: t.action.title, dueInHours: String(t.action.dueInMs / HOUR), assignTo: t.action.assignTo });
  } else {
    const { template } = t.action;
    Object.assign(d, {
      template: template.name,
      language: template.language,
      params: template.params.join('\n'),
      channel: t.action.channel ?? '',
    });
  }
  return d;
}

function bodyOf(d: Draft) {
  const optional = (key: string, value: string) => (value.trim() ? { [key]: value.trim() } : {});
  const on =
    d.on === 'stage_changed'
      ? { kind: d.on, ...optional('toStageId', d.toStageId), ...optional('fromStageId', d.fromStageId) }
      : d.on === 'lost'
        ? { kind: d.on, ...optional('lossReasonId', d.lossReasonId) }
        : d.on === 'inactive'
          ? { kind: d.on, days: Number(d.days) }
          : { kind: d.on, daysBefore: Number(d.days) };
  const action =
    d.does === 'create_task'
      ? { kind: d.does, title: d.title.trim(), dueInMs: Math.round(Number(d.dueInHours) * HOUR), assignTo: d.assignTo }
      : {
          kind: d.does,
          template: { name: d.template.trim(), language: d.language.trim(), params: d.params.split('\n').filter((p) => p.trim()) },
          ...optional('channel', d.channel),
        };
  return { name: d.name.trim(), on, action };
}

/** Admins' triggers, a panel of the admin area: listed with a switch each, made and changed with one form. */
export function TriggersPanel({ agents, onError }: AdminPanelProps) {
  const { t } = useTranslation();
  const { reasons } = useLossReasons(true);
  const { stages } = useStages();
  const [triggers, setTriggers] = useState<TriggerView[]>([]);
  const [editing, setEditing] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft>(blank);
  const [error, setError] = useState('');
  const reload = useCallback(() => api(triggersAnswer, 'GET', '/api/triggers').then((a) => setTriggers(a.items)), []);
  useEffect(() => {
    void reload().catch(onError);
  }, [reload, onError]);

  const run = async (call: () => Promise<unknown>) => {
    try {
      await call();
      setError('');
      await reload();
      return true;
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      return false;
    }
  };
  const save = (event: FormEvent) => {
    event.preventDefault();
    if (!draft.name.trim()) return setError(t('triggers.empty'));
    const body = bodyOf(draft);
    void run(() =>
      editing ? api(triggerViewSchema, 'PATCH', `/api/triggers/${editing}`, body) : api(triggerViewSchema, 'POST', '/api/triggers', body),
    ).then((ok) => {
      if (ok) {
        setEditing(null);
        setDraft(blank);
      }
    });
  };
  const set = (key: keyof Draft) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [key]: e.target.value }));
  const reasonLabel = (id?: string) => reasons?.find((r) => r.id === id)?.label ?? id ?? '';
  const stageLabel = (id: string) => stages?.find((st) => st.id === id)?.label ?? id;
  const stageOptions = (stages ?? []).map((st) => (
    <option key={st.id} value={st.id}>
      {st.label}
    </option>
  ));
  const summary = (tr: TriggerView) => {
    const when =
      tr.on.kind === 'stage_changed'
        ? t('triggers.summary.stage_changed', {
            to: tr.on.toStageId ? t('triggers.summary.to', { stage: stageLabel(tr.on.toStageId) }) : '',
          })
        : tr.on.kind === 'lost'
          ? t('triggers.summary.lost', {
              reason: tr.on.lossReasonId ? t('triggers.summary.reason', { reason: reasonLabel(tr.on.lossReasonId) }) : '',
            })
          : tr.on.kind === 'inactive'
            ? t('triggers.summary.inactive', { count: tr.on.days })
            : t('triggers.summary.renewal', { count: tr.on.daysBefore });
    const then =
      tr.action.kind === 'create_task'
        ? t('triggers.summary.create_task', { title: tr.action.title })
        : t('triggers.summary.send_template', { name: tr.action.template.name });
    return `${when} → ${then}`;
  };

  return (
    <section className="triggers-panel" id="triggers" aria-labelledby="triggers-title">
      <h3 id="triggers-title">{t('triggers.title')}</h3>
      <p className="dialog-hint">{t('triggers.hint')}</p>
      {triggers.length === 0 ? (
        <p className="dialog-hint">{t('triggers.none')}</p>
      ) : (
        <ul className="trigger-list">
          {triggers.map((tr) => (
            <li key={tr.id} className={`trigger${tr.active ? '' : ' inactive'}`} data-id={tr.id}>
              <label className="trigger-switch">
                <input
                  type="checkbox"
                  role="switch"
                  checked={tr.active}
                  aria-checked={tr.active}
                  aria-label={t('triggers.switch', { name: tr.name })}
                  onChange={(e) => void run(() => api(triggerViewSchema, 'PATCH', `/api/triggers/${tr.id}`, { active: e.target.checked }))}
                />
                <span aria-hidden="true">{tr.active ? t('triggers.active') : t('triggers.off')}</span>
              </label>
              <div className="trigger-body">
                <span className="trigger-name">{tr.name}</span>
                <span className="trigger-summary">{summary(tr)}</span>
              </div>
              <div className="trigger-tools">
                <button
                  type="button"
                  onClick={() => {
                    setEditing(tr.id);
                    setDraft(draftOf(tr));
                  }}
                >
                  {t('triggers.edit')}
                </button>
                <button type="button" onClick={() => void run(() => api(triggerViewSchema.nullable(), 'DELETE', `/api/triggers/${tr.id}`))}>
                  {t('triggers.remove')}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <form className="trigger-form" onSubmit={save} noValidate aria-labelledby="trigger-form-title">
        <h4 id="trigger-form-title">{editing ? t('triggers.edit') : t('triggers.add')}</h4>
        <label>
          {t('triggers.name')}
          <input name="name" value={draft.name} maxLength={100} onChange={set('name')} />
        </label>
        <fieldset>
          <legend>{t('triggers.on')}</legend>
          <select name="on" value={draft.on} onChange={set('on')} aria-label={t('triggers.on')}>
            {(['stage_changed', 'lost', 'inactive', 'renewal'] as const).map((k) => (
              <option key={k} value={k}>
                {t(`triggers.kind.${k}`)}
              </option>
            ))}
          </select>
          {draft.on === 'stage_changed' && (
            <>
              <label>
                {t('triggers.toStage')}
                <select name="toStageId" value={draft.toStageId} onChange={set('toStageId')}>
                  <option value="">{t('triggers.anyStage')}</option>
                  {stageOptions}
                </select>
              </label>
              <label>
                {t('triggers.fromStage')}
                <select name="fromStageId" value={draft.fromStageId} onChange={set('fromStageId')}>
                  <option value="">{t('triggers.anyStage')}</option>
                  {stageOptions}
                </select>
              </label>
            </>
          )}
          {draft.on === 'lost' && (
            <label>
              {t('triggers.lossReason')}
              <select name="lossReasonId" value={draft.lossReasonId} onChange={set('lossReasonId')}>
                <option value="">{t('triggers.anyReason')}</option>
                {(reasons ?? []).map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.label}
                  </option>
                ))}
              </select>
            </label>
          )}
          {(draft.on === 'inactive' || draft.on === 'renewal') && (
            <label>
              {draft.on === 'inactive' ? t('triggers.days') : t('triggers.daysBefore')}
              <input name="days" type="number" min={draft.on === 'inactive' ? 1 : 0} max={3650} value={draft.days} onChange={set('days')} />
            </label>
          )}
        </fieldset>
        <fieldset>
          <legend>{t('triggers.action')}</legend>
          <select name="does" value={draft.does} onChange={set('does')} aria-label={t('triggers.action')}>
            {(['create_task', 'send_template'] as const).map((k) => (
              <option key={k} value={k}>
                {t(`triggers.doKind.${k}`)}
              </option>
            ))}
          </select>
          {draft.does === 'create_task' ? (
            <>
              <label>
                {t('triggers.taskTitle')}
                <input name="title" value={draft.title} maxLength={200} onChange={set('title')} />
              </label>
              <label>
                {t('triggers.dueInHours')}
                <input name="dueInHours" type="number" min={0} step="any" value={draft.dueInHours} onChange={set('dueInHours')} />
              </label>
              <label>
                {t('triggers.assignTo')}
                <select name="assignTo" value={draft.assignTo} onChange={set('assignTo')}>
                  <option value="assignee">{t('triggers.theAssignee')}</option>
                  {agents
                    .filter((a) => a.active)
                    .map((a) => (
                      <option key={a.id} value={a.id}>
                        {a.name}
                      </option>
                    ))}
                </select>
              </label>
            </>
          ) : (
            <>
              <label>
                {t('triggers.template')}
                <input name="template" value={draft.template} maxLength={512} onChange={set('template')} />
              </label>
              <label>
                {t('triggers.templateLanguage')}
                <input name="language" value={draft.language} maxLength={15} onChange={set('language')} />
              </label>
              <label>
                {t('triggers.templateParams')}
                <textarea name="params" rows={2} value={draft.params} onChange={set('params')} />
              </label>
              <label>
                {t('triggers.channel')}
                <select name="channel" value={draft.channel} onChange={set('channel')}>
                  <ChannelOptions anyLabel={t('triggers.anyChannel')} anyValue="" />
                </select>
              </label>
            </>
          )}
        </fieldset>
        <div className="trigger-form-buttons">
          <button type="submit" className="primary">
            {t('triggers.save')}
          </button>
          {editing && (
            <button
              type="button"
              onClick={() => {
                setEditing(null);
                setDraft(blank);
                setError('');
              }}
            >
              {t('triggers.cancel')}
            </button>
          )}
        </div>
        <p className="error" role="alert">
          {error}
        </p>
      </form>
    </section>
  );
}
