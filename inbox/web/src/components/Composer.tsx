import {
  type ChangeEvent,
  type ClipboardEvent,
  type DragEvent,
  type FormEvent,
  type KeyboardEvent,
  type RefObject,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';
import { useTranslation } from 'react-i18next';
import type { UploadedFile } from '../../../../shared/inbox-api';
import { formatSize } from '../format';
import { useSavedReplyPicker } from './SavedReplyPicker';

/** A reply goes to the customer; a note stays with the managers. */
export type ComposerMode = 'reply' | 'note';

/**
 * Enter sends, Shift+Enter starts a new line; what was typed and attached stays if sending fails. `/` opens the saved
 * replies (./SavedReplyPicker.tsx); the Reply / Note switch makes what is typed an internal note. Files are uploaded
 * as soon as they are picked (so a large one is known to be too large before the reply is written), then sent with
 * the reply; the attach button is there only where the channel can send files (`onUpload`).
 */
export function Composer({
  onSend,
  onUpload,
  textareaRef,
  onError,
  contactName,
  notesOnly = false,
}: {
  onSend(text: string, files: readonly UploadedFile[], mode: ComposerMode): Promise<void>;
  contactName: string;
  /** The reply window has closed: free text would not reach the customer, notes still go to colleagues. */
  notesOnly?: boolean;
  onUpload?: (file: File) => Promise<UploadedFile>;
  textareaRef: RefObject<HTMLTextAreaElement | null>;
  onError(err: unknown): void;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [files, setFiles] = useState<UploadedFile[]>([]);
  const [uploading, setUploading] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const picker = useRef<HTMLInputElement>(null);
  const [chosenMode, setMode] = useState<ComposerMode>('reply');
  const mode: ComposerMode = notesOnly ? 'note' : chosenMode;
  const noting = mode === 'note';
  // Notes carry text only.
  const withFiles = onUpload && !noting ? onUpload : undefined;
  const savedReplies = useSavedReplyPicker({
    text,
    contactName,
    onPick: (picked) => {
      caretAtEnd.current = true;
      setText(picked);
    },
  });
  // A saved reply put in the box is edited from its end, before the next key lands.
  const caretAtEnd = useRef(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs after the text the pick put in the box is rendered
  useLayoutEffect(() => {
    const box = textareaRef.current;
    if (!caretAtEnd.current || !box) return;
    caretAtEnd.current = false;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }, [text, textareaRef]);

  const ready = (text.trim() !== '' || (files.length > 0 && !noting)) && uploading === 0 && !busy;

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    if (!ready) return;
    setBusy(true);
    setError('');
    try {
      await onSend(text.trim(), noting ? [] : files, mode);
      setText('');
      if (!noting) setFiles([]);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      onError(err);
    } finally {
      setBusy(false);
    }
  }
  const onKey = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (savedReplies.onKeyDown(event)) return;
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit();
    }
  };
  async function onPicked(event: ChangeEvent<HTMLInputElement>) {
    const picked = Array.from(event.target.files ?? []);
    event.target.value = '';
    await attach(picked);
  }
  /** A screenshot pasted into the reply, or files dropped on the reply box, are attached as if picked. */
  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const pasted = Array.from(event.clipboardData.files);
    // Text copied from an office document comes with a picture of itself: that paste is the text.
    if (!withFiles || !pasted.length || event.clipboardData.getData('text/plain')) return;
    event.preventDefault();
    void attach(pasted);
  };
  const onDrop = (event: DragEvent<HTMLFormElement>) => {
    const dropped = Array.from(event.dataTransfer.files);
    if (!withFiles || !dropped.length) return;
    event.preventDefault();
    void attach(dropped);
  };
  async function attach(picked: File[]) {
    if (!onUpload || !picked.length) return;
    setError('');
    setUploading((n) => n + picked.length);
    await Promise.all(
      picked.map(async (file) => {
        try {
          const uploaded = await onUpload(file);
          setFiles((prev) => [...prev, uploaded]);
        } catch (err) {
          setError(t('thread.uploadFailed', { name: file.name, reason: err instanceof Error ? err.message : String(err) }));
        } finally {
          setUploading((n) => n - 1);
        }
      }),
    );
  }

  return (
    <form
      id="reply"
      className={`composer${withFiles ? ' with-files' : ''}${noting ? ' noting' : ''}`}
      onSubmit={submit}
      onDragOver={withFiles ? (e) => e.preventDefault() : undefined}
      onDrop={onDrop}
    >
      <fieldset className="composer-mode">
        <legend className="visually-hidden">{t('note.modeLabel')}</legend>
        {(['reply', 'note'] as const).map((m) => (
          <label key={m} className={mode === m ? 'checked' : undefined}>
            <input
              type="radio"
              name="composer-mode"
              id={`composer-mode-${m}`}
              value={m}
              checked={mode === m}
              disabled={notesOnly && m === 'reply'}
              onChange={() => setMode(m)}
            />
            {t(m === 'reply' ? 'note.modeReply' : 'note.modeNote')}
          </label>
        ))}
      </fieldset>
      {savedReplies.listbox}
      {withFiles && (
        <>
          <input ref={picker} id="reply-files" type="file" multiple hidden onChange={(e) => void onPicked(e)} />
          <button
            type="button"
            className="attach"
            id="reply-attach"
            onClick={() => picker.current?.click()}
            disabled={busy}
            aria-label={t('thread.attach')}
            title={t('thread.attach')}
          >
            <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
              <path
                d="M21 11.5l-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l8.6-8.6a3.7 3.7 0 0 1 5.2 5.2l-8.6 8.6a1.8 1.8 0 0 1-2.6-2.6l7.9-7.9"
                fill="none"
                stroke="currentColor"
                strokeWidth="2"
                strokeLinecap="round"
                strokeLinejoin="round"
              />
            </svg>
          </button>
        </>
      )}
      <label className="visually-hidden" htmlFor="reply-text">
        {noting ? t('note.label') : t('thread.replyLabel')}
      </label>
      <textarea
        id="reply-text"
        ref={textareaRef}
        name="text"
        rows={2}
        value={text}
        placeholder={noting ? t('note.placeholder') : t('thread.replyPlaceholder')}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKey}
        onPaste={onPaste}
        aria-describedby="reply-hint"
        {...savedReplies.comboboxProps}
      />
      <button type="submit" className="primary" disabled={!ready}>
        {busy ? t('thread.sending') : noting ? t('note.add') : t('thread.send')}
      </button>
      {!noting && (files.length > 0 || uploading > 0) && (
        <ul className="composer-files" id="reply-file-list" aria-label={t('thread.attached')}>
          {files.map((file, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the same file may be picked twice; the list only grows or drops one
            <li key={`${file.id}:${i}`}>
              <span className="file-name">{file.name}</span> <span className="file-size">{formatSize(file.size)}</span>
              <button
                type="button"
                className="remove-file"
                onClick={() => setFiles((prev) => prev.filter((_, j) => j !== i))}
                aria-label={t('thread.removeFile', { name: file.name })}
              >
                ×
              </button>
            </li>
          ))}
          {uploading > 0 && <li className="uploading">{t('thread.uploading', { count: uploading })}</li>}
        </ul>
      )}
      <p className="composer-hint" id="reply-hint">
        {noting ? t('note.hint') : t('thread.replyHint')} · {t('savedReplies.hint')}
      </p>
      {error && (
        <p className="error" id="reply-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
