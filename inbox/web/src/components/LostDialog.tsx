import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLossReasons } from '../loss-reasons';
import { useModalDialog } from '../modal-dialog';

export interface LostChoice {
  lossReasonId: string;
  lossNote?: string;
}

/** Closing as lost needs one of the reasons admins keep, and may carry the manager's own words. */
export function LostDialog({
  open,
  onClose,
  onConfirm,
  id = 'lost-dialog',
}: {
  open: boolean;
  onClose(): void;
  onConfirm(choice: LostChoice): Promise<void>;
  /** Where the page holds two (the header's and the pipeline stage's), each has its own. */
  id?: string;
}) {
  const { t } = useTranslation();
  const { reasons, error: loadError } = useLossReasons(open);
  const [choice, setChoice] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const ref = useModalDialog(open, () => {
    setChoice('');
    setNote('');
    setError('');
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!choice) {
      setError(t('lost.required'));
      return;
    }
    try {
      await onConfirm({ lossReasonId: choice, ...(note.trim() ? { lossNote: note.trim() } : {}) });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  const active = reasons?.filter((r) => r.active) ?? [];
  return (
    <dialog ref={ref} className="dialog" id={id} aria-labelledby={`${id}-title`} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <h2 id={`${id}-title`}>{t('lost.title')}</h2>
        <fieldset className="reasons">
          <legend>{t('lost.reason')}</legend>
          {reasons === null && !loadError && <p className="dialog-hint">{t('lost.loading')}</p>}
          {loadError !== null && <p className="error">{t('lost.loadFailed')}</p>}
          {reasons !== null && active.length === 0 && <p className="dialog-hint">{t('lost.none')}</p>}
          {active.map((r) => (
            <label key={r.id} className="radio">
              <input type="radio" name="reason" value={r.id} checked={choice === r.id} onChange={() => setChoice(r.id)} />
              {r.label}
            </label>
          ))}
        </fieldset>
        <label>
          {t('lost.note')}
          <textarea name="note" rows={2} maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
        <p className="error" role="alert">
          {error}
        </p>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            {t('lost.cancel')}
          </button>
          <button type="submit" className="danger">
            {t('lost.confirm')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
