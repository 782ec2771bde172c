import type { FormEvent, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

interface Props {
  /** The section's id; its title's is this with `-title`. */
  id: string;
  className: string;
  title: string;
  hint: string;
  /** The rows (OrderedRow each). */
  children: ReactNode;
  /** The add form's fields, before its button. */
  fields: ReactNode;
  onAdd(event: FormEvent): void;
  /** The last change's error, read out as it appears. */
  error: string;
}

/** An admin's ordered list as a panel of the admin area: title and hint, the rows, a form to add one, the error. */
export function OrderedListPanel({ id, className, title, hint, children, fields, onAdd, error }: Props) {
  const { t } = useTranslation();
  return (
    <section className={className} id={id} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{title}</h3>
      <p className="dialog-hint">{hint}</p>
      <ol className="loss-reason-list" aria-label={title}>
        {children}
      </ol>
      <form onSubmit={onAdd} className="loss-reason-add" noValidate>
        {fields}
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
