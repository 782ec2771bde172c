import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { contactRenewalSchema } from '../../../../shared/tasks-api';
import { api } from '../api';
import { kyivDayOf, kyivMidnight } from '../kyiv-days';

/** The customer's renewal date (a Kyiv day), which the renewal triggers count back from; cleared to none. */
export function ContactRenewal({
  contactId,
  renewalAt,
  onError,
}: {
  contactId: string;
  renewalAt: string | null;
  onError(err: unknown): void;
}) {
  const { t } = useTranslation();
  const stored = renewalAt ? kyivDayOf(new Date(renewalAt)) : '';
  const [day, setDay] = useState(stored);
  useEffect(() => setDay(stored), [stored]);
  const [saved, setSaved] = useState(stored);
  useEffect(() => setSaved(stored), [stored]);
  const save = (value: string) =>
    api(contactRenewalSchema, 'PATCH', `/api/contacts/${contactId}`, { renewalAt: value ? kyivMidnight(value).toISOString() : null })
      .then((answer) => {
        const now = answer.renewalAt ? kyivDayOf(new Date(answer.renewalAt)) : '';
        setSaved(now);
        setDay(now);
      })
      .catch(onError);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save(day);
  };
  return (
    <form className="contact-renewal" onSubmit={submit}>
      <label>
        {t('contactRenewal.label')}
        <input type="date" name="renewalAt" value={day} onChange={(e) => setDay(e.target.value)} />
      </label>
      <div className="contact-renewal-buttons">
        {day !== saved && (
          <button type="submit" className="primary">
            {t('contactRenewal.save')}
          </button>
        )}
        {saved && (
          <button type="button" onClick={() => void save('')}>
            {t('contactRenewal.clear')}
          </button>
        )}
      </div>
    </form>
  );
}
