import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { lossReasonViewSchema } from '../../../../shared/inbox-api';
import { api } from '../api';
import { useLossReasons } from '../loss-reasons';
import type { AdminPanelProps } from './admin-panel';
import { OrderedListPanel } from './OrderedListPanel';
import { OrderedRow, useListChange } from './OrderedRow';

const patch = (id: string, body: object) => api(lossReasonViewSchema, 'PATCH', `/api/loss-reasons/${id}`, body);
// Never deleted: leads closed with a reason keep it.
const switchOff = (id: string) => api(lossReasonViewSchema, 'DELETE', `/api/loss-reasons/${id}`);

/** The admins' loss reasons, a panel of the admin area: add, rename, reorder and switch reasons off. */
export function LossReasonsPanel({ onError }: AdminPanelProps) {
  const { t } = useTranslation();
  const { reasons, reload } = useLossReasons(true);
  const [label, setLabel] = useState('');
  const { error, setError, change } = useListChange(reload, onError);

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
    <OrderedListPanel
      id="loss-reasons"
      className="loss-reasons-panel"
      title={t('lossAdmin.title')}
      hint={t('lossAdmin.hint')}
      onAdd={add}
      error={error}
      fields={
        <label>
          {t('lossAdmin.newLabel')}
          <input name="label" value={label} maxLength={100} onChange={(e) => setLabel(e.target.value)} />
        </label>
      }
    >
      {list.map((r, i) => (
        <OrderedRow
          key={r.id}
          item={r}
          above={list[i - 1]}
          below={list[i + 1]}
          renameLabel={t('lossAdmin.rename', { label: r.label })}
          maxLength={100}
          patch={patch}
          switchOff={switchOff}
          onChange={change}
        />
      ))}
    </OrderedListPanel>
  );
}
