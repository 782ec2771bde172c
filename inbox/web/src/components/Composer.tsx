import { type FormEvent, type KeyboardEvent, type RefObject, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Enter sends, Shift+Enter starts a new line; what was typed stays if sending fails. */
export function Composer({
  onSend,
  textareaRef,
  onError,
}: {
  onSend(text: string): Promise<void>;
  textareaRef: RefObject<HTMLTextAreaElement | null>;
  onError(err: unknown): void;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    const body = text.trim();
    if (!body || busy) return;
    setBusy(true);
    setError('');
    try {
      await onSend(body);
      setText('');
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      onError(err);
    } finally {
      setBusy(false);
    }
  }
  const onKey = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit();
    }
  };

  return (
    <form id="reply" className="composer" onSubmit={submit}>
      <label className="visually-hidden" htmlFor="reply-text">
        {t('thread.replyLabel')}
      </label>
      <textarea
        id="reply-text"
        ref={textareaRef}
        name="text"
        rows={2}
        value={text}
        placeholder={t('thread.replyPlaceholder')}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKey}
        aria-describedby="reply-hint"
      />
      <button type="submit" className="primary" disabled={busy || !text.trim()}>
        {busy ? t('thread.sending') : t('thread.send')}
      </button>
      <p className="composer-hint" id="reply-hint">
        {t('thread.replyHint')}
      </p>
      {error && (
        <p className="error" id="reply-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
