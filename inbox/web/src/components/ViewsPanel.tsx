import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import type { SavedViewView } from '../../../../shared/customers-api';
import { api } from '../api';

interface Props {
  views: SavedViewView[];
  onOpen(view: SavedViewView): void;
  onRemoved(id: string): void;
  onError(err: unknown): void;
}

/** The team's and the manager's own saved views: a customers view opens in the list above, a conversations view in the inbox. */
export function ViewsPanel({ views, onOpen, onRemoved, onError }: Props) {
  const { t } = useTranslation();
  const remove = (id: string) =>
    api(z.null(), 'DELETE', `/api/views/${id}`)
      .then(() => onRemoved(id))
      .catch(onError);
  return (
    <section className="customers-section" aria-labelledby="views-title" id="views">
      <h3 id="views-title">{t('customers.viewsTitle')}</h3>
      {views.length === 0 ? (
        <p className="empty-note">{t('customers.noViews')}</p>
      ) : (
        <ul className="views-list" id="views-list">
          {views.map((v) => (
            <li key={v.id} data-id={v.id}>
              <span className="view-name">{v.name}</span>
              <span className="muted">
                {t(v.kind === 'contacts' ? 'customers.kindContacts' : 'customers.kindConversations')} ·{' '}
                {t(v.owner === 'team' ? 'customers.team' : 'customers.mine')}
              </span>
              <span className="view-actions">
                <button type="button" onClick={() => onOpen(v)} aria-label={`${t('customers.open')}: ${v.name}`}>
                  {t('customers.open')}
                </button>
                {v.editable && (
                  <button
                    type="button"
                    className="link"
                    onClick={() => void remove(v.id)}
                    aria-label={`${t('customers.delete')}: ${v.name}`}
                  >
                    {t('customers.delete')}
                  </button>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
