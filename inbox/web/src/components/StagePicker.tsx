import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConversationView } from '../../../../shared/inbox-api';
import { type LeadAnswer, leadAnswer } from '../../../../shared/pipeline-api';
import { api } from '../api';
import { dateTime } from '../format';
import { moveLead, useStages } from '../pipeline';
import { type LostChoice, LostDialog } from './LostDialog';
import '../pipeline.css';

/**
 * The lead of the open conversation: its stage, and a move to another (an amount asked where the stage needs one;
 * a lost stage takes a reason in the same dialog as closing as lost).
 */
export function StagePicker({ conversation: c }: { conversation: ConversationView }) {
  const { t } = useTranslation();
  const { stages } = useStages();
  const [answer, setAnswer] = useState<LeadAnswer | null>(null);
  const [choice, setChoice] = useState('');
  const [amount, setAmount] = useState('');
  const [lostOpen, setLostOpen] = useState(false);
  const [error, setError] = useState('');

  const load = useCallback(
    () =>
      api(leadAnswer, 'GET', `/api/conversations/${c.id}/lead`)
        .then(setAnswer)
        .catch(() => setAnswer(null)),
    [c.id],
  );
  // A reply, a resolution or the customer writing again may move the lead: read it again when they show.
  // biome-ignore lint/correctness/useExhaustiveDependencies: these fields of the conversation are what moves a lead
  useEffect(() => {
    void load();
  }, [load, c.status, c.firstResponseAt, c.lastInboundAt]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: another conversation starts with no stage chosen
  useEffect(() => {
    setChoice('');
    setError('');
  }, [c.id]);

  const lead = answer?.lead;
  if (!lead || !stages) return null;
  const current = stages.find((s) => s.id === lead.stageId);
  const target = stages.find((s) => s.id === choice);
  const needsAmount = target?.requires.includes('amount') ?? false;
  const closed = lead.endedAt !== null;

  const send = async (extra: Partial<LostChoice> = {}) => {
    if (!target) return;
    const typed = amount.trim() === '' ? undefined : Number(amount.replace(',', '.'));
    if (typed !== undefined && !Number.isFinite(typed)) {
      setError(t('pipeline.amountInvalid'));
      return;
    }
    await moveLead(c.id, {
      stageId: target.id,
      fromStageId: lead.stageId,
      ...(typed !== undefined ? { amount: typed } : {}),
      ...extra,
    });
    setChoice('');
    setError('');
    await load();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!target) return;
    if (target.kind === 'lost') return setLostOpen(true);
    send().catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  };

  return (
    <section className="stage-picker" aria-labelledby="stage-title">
      <h3 id="stage-title">{t('pipeline.stageTitle')}</h3>
      <p className="stage-now">
        <span className={`stage-badge ${lead.stageKind}`}>{current?.label ?? lead.stageId}</span>
        <span className="stage-since">{t('pipeline.since', { when: dateTime(lead.stageSince) })}</span>
        {lead.amount !== null && <span className="stage-amount">{t('pipeline.amountShown', { amount: lead.amount })}</span>}
      </p>
      {closed ? (
        <p className="dialog-hint">{t('pipeline.closed')}</p>
      ) : (
        <form className="stage-move" onSubmit={submit} noValidate>
          <label>
            {t('pipeline.moveTo')}
            <select id="stage-choice" value={choice} onChange={(e) => setChoice(e.target.value)}>
              <option value="">{t('pipeline.choose')}</option>
              {stages
                .filter((s) => s.active && s.id !== lead.stageId)
                .map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.label}
                  </option>
                ))}
            </select>
          </label>
          {needsAmount && (
            <label>
              {t('pipeline.amount')}
              <input
                id="stage-amount"
                inputMode="decimal"
                value={amount}
                placeholder={lead.amount !== null ? String(lead.amount) : ''}
                onChange={(e) => setAmount(e.target.value)}
              />
            </label>
          )}
          <button type="submit" className="primary" disabled={!target}>
            {t('pipeline.move')}
          </button>
        </form>
      )}
      <p className="error" role="alert">
        {error}
      </p>
      <LostDialog
        id="stage-lost-dialog"
        open={lostOpen}
        onClose={() => setLostOpen(false)}
        onConfirm={async (lost) => {
          await send(lost);
          setLostOpen(false);
        }}
      />
    </section>
  );
}
