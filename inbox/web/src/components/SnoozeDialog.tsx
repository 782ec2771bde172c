import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { dateTime } from '../format';
import { useModalDialog } from '../modal-dialog';
import { fromLocalInput, presets, presetTime, toLocalInput } from '../snooze-times';

/** Putting a conversation aside until a time: one of the usual ones, or a date and time of the manager's choosing. */
export function SnoozeDialog({ open, onClose, onSnooze }: { open: boolean; onClose(): void; onSnooze(until: Date): Promise<void> }) {
  const { t } = useTranslation();
  const [custom, setCustom] = useState('');
  const [error, setError] = useState('');
  const ref = useModalDialog(open, () => {
    setCustom(toLocalInput(presetTime('tomorrow')));
    setError('');
  });

  async function snooze(until: Date) {
    try {
      await onSnooze(until);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }
  function submit(event: FormEvent) {
    event.preventDefault();
    const until = fromLocalInput(custom);
    if (!until || until.getTime() <= Date.now()) {
      setError(t('snooze.future'));
      return;
    }
    void snooze(until);
  }

  const now = new Date();
  return (
    <dialog ref={ref} className="dialog" id="snooze-dialog" aria-labelledby="snooze-title" onClose={onClose}>
      <h2 id="snooze-title">{t('snooze.title')}</h2>
      <p className="dialog-hint">{t('snooze.hint')}</p>
      <div className="snooze-presets">
        {presets.map((preset) => {
          const until = presetTime(preset, now);
          return (
            <button key={preset} type="button" data-preset={preset} onClick={() => void snooze(until)}>
              <span>{t(`snooze.${preset}`)}</span>
              <span className="snooze-when">{dateTime(until.toISOString())}</span>
            </button>
          );
        })}
      </div>
      <form onSubmit={submit} noValidate>
        <label>
          {t('snooze.custom')}
          <input
            type="datetime-local"
            name="until"
            value={custom}
            min={toLocalInput(now)}
            onChange={(e) => setCustom(e.target.value)}
            aria-describedby="snooze-zone"
          />
        </label>
        <p className="dialog-hint" id="snooze-zone">
          {t('snooze.zone')}
        </p>
        <p className="error" role="alert">
          {error}
        </p>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            {t('snooze.cancel')}
          </button>
          <button type="submit" className="primary" id="snooze-custom">
            {t('snooze.confirm')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
