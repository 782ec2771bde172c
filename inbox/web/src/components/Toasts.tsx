import { useTranslation } from 'react-i18next';

export interface Toast {
  id: string;
  text: string;
  conversationId?: string;
}

export function Toasts({ toasts, onOpen }: { toasts: Toast[]; onOpen(id: string): void }) {
  const { t } = useTranslation();
  return (
    <div id="toasts" className="toasts" aria-live="polite">
      {toasts.map((x) => (
        <div key={x.id} className="toast">
          <span>{x.text}</span>
          {x.conversationId && (
            <button type="button" className="link" onClick={() => x.conversationId && onOpen(x.conversationId)}>
              {t('alert.open')}
            </button>
          )}
        </div>
      ))}
    </div>
  );
}
