import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

const reasonKeys = ['price', 'competitor', 'stock', 'noAnswer', 'notLead'] as const;

/** Closing as lost needs a reason: one of the usual ones, or the manager's own words. */
export function LostDialog({ open, onClose, onConfirm }: { open: boolean; onClose(): void; onConfirm(reason: string): Promise<void> }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const [choice, setChoice] = useState('');
  const [other, setOther] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      setChoice('');
      setOther('');
      setError('');
      dialog.showModal();
    }
    if (!open && dialog.open) dialog.close();
  }, [open]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const reason = choice === 'other' ? other.trim() : choice ? t(`lost.reasons.${choice as (typeof reasonKeys)[number]}`) : '';
    if (!reason) {
      setError(t('lost.required'));
      return;
    }
    try {
      await onConfirm(reason);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  return (
    <dialog ref={ref} className="dialog" id="lost-dialog" aria-labelledby="lost-title" onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <h2 id="lost-title">{t('lost.title')}</h2>
        <fieldset className="reasons">
          <legend>{t('lost.reason')}</legend>
          {[...reasonKeys, 'other' as const].map((key) => (
            <label key={key} className="radio">
              <input type="radio" name="reason" value={key} checked={choice === key} onChange={() => setChoice(key)} />
              {key === 'other' ? t('lost.other') : t(`lost.reasons.${key}`)}
            </label>
          ))}
        </fieldset>
        {choice === 'other' && (
          <label>
            {t('lost.otherLabel')}
            <textarea name="other" rows={2} maxLength={500} value={other} onChange={(e) => setOther(e.target.value)} />
          </label>
        )}
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
