import { type FormEvent, useCallback, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { type AgentView, type NewSavedReplyBody, type SavedReplyView, savedReplyViewSchema } from '../../../../shared/inbox-api';
import { ApiError, api } from '../api';
import { useModalDialog } from '../modal-dialog';
import { loadSavedReplies } from '../saved-replies';
import '../reply-tools.css';

type Draft = { id: string | null; scope: 'team' | 'personal'; shortcut: string; title: string; text: string };
const blank = (scope: Draft['scope']): Draft => ({ id: null, scope, shortcut: '', title: '', text: '' });

/**
 * The saved replies a manager may use and manage: the team's (added and changed by supervisors and admins only) and
 * their own. A dialog of its own, opened from the top bar.
 */
export function SavedRepliesAdmin({ me, open, onClose }: { me: AgentView; open: boolean; onClose(): void }) {
  const { t } = useTranslation();
  const manager = me.role === 'admin' || me.role === 'supervisor';
  const [replies, setReplies] = useState<SavedReplyView[] | null>(null);
  const [draft, setDraft] = useState<Draft>(blank('personal'));
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const shortcutRef = useRef<HTMLInputElement>(null);
  const titleRef = useRef<HTMLHeadingElement>(null);

  // The gateway's words are English; the two refusals a manager meets here are said in the page's language.
  const say = (err: unknown, shortcut: string) => {
    if (err instanceof ApiError && err.code === 'SAVED_REPLY.SHORTCUT_TAKEN') return t('savedReplies.taken', { shortcut: `/${shortcut}` });
    if (err instanceof ApiError && err.status === 403) return t('savedReplies.forbidden');
    return err instanceof Error ? err.message : String(err);
  };
  const reload = useCallback(
    () => loadSavedReplies().then(setReplies, (err: unknown) => setError(err instanceof Error ? err.message : String(err))),
    [],
  );
  const ref = useModalDialog(open, () => {
    setDraft(blank('personal'));
    setError('');
    setStatus('');
    setReplies(null);
    void reload();
  });

  const edit = (r: SavedReplyView) => {
    setDraft({ id: r.id, scope: r.scope, shortcut: r.shortcut, title: r.title, text: r.text });
    setError('');
    setStatus('');
    shortcutRef.current?.focus();
  };

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError('');
    setStatus('');
    try {
      const fields = { shortcut: draft.shortcut, title: draft.title, text: draft.text };
      const saved = draft.id
        ? await api(savedReplyViewSchema, 'PATCH', `/api/saved-replies/${draft.id}`, fields)
        : await api(savedReplyViewSchema, 'POST', '/api/saved-replies', { scope: draft.scope, ...fields } satisfies NewSavedReplyBody);
      await reload();
      setStatus(t(draft.id ? 'savedReplies.updated' : 'savedReplies.added', { shortcut: `/${saved.shortcut}` }));
      setDraft(blank(draft.scope));
    } catch (err) {
      setError(say(err, draft.shortcut.trim().replace(/^\//, '').toLowerCase()));
    } finally {
      setBusy(false);
    }
  }

  async function remove(r: SavedReplyView) {
    setError('');
    setStatus('');
    try {
      await api(z.null(), 'DELETE', `/api/saved-replies/${r.id}`);
      await reload();
      if (draft.id === r.id) setDraft(blank(draft.scope));
      setStatus(t('savedReplies.deleted', { shortcut: `/${r.shortcut}` }));
      // Its Delete button went with it: the focus goes back to the top of the dialog, not to the page behind.
      titleRef.current?.focus();
    } catch (err) {
      setError(say(err, r.shortcut));
    }
  }

  const section = (scope: Draft['scope']) => {
    const items = (replies ?? []).filter((r) => r.scope === scope);
    const heading = scope === 'team' ? t('savedReplies.team') : t('savedReplies.personal');
    return (
      <section className="saved-reply-section" aria-labelledby={`saved-replies-${scope}`}>
        <h3 id={`saved-replies-${scope}`}>{heading}</h3>
        {replies && items.length === 0 && <p className="muted">{t('savedReplies.none')}</p>}
        <ul className="saved-reply-list">
          {items.map((r) => (
            <li key={r.id} data-shortcut={r.shortcut}>
              <div className="saved-reply-head">
                <span className="shortcut">/{r.shortcut}</span>
                <span className="title">{r.title}</span>
              </div>
              <p className="saved-reply-text">{r.text}</p>
              {r.editable && (
                <div className="saved-reply-actions">
                  <button type="button" onClick={() => edit(r)} aria-label={t('savedReplies.editOne', { shortcut: `/${r.shortcut}` })}>
                    {t('savedReplies.edit')}
                  </button>
                  <button
                    type="button"
                    onClick={() => void remove(r)}
                    aria-label={t('savedReplies.deleteOne', { shortcut: `/${r.shortcut}` })}
                  >
                    {t('savedReplies.delete')}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      </section>
    );
  };

  return (
    <dialog ref={ref} className="dialog saved-replies-dialog" id="saved-replies" aria-labelledby="saved-replies-title" onClose={onClose}>
      <div className="saved-replies-top">
        <h2 id="saved-replies-title" ref={titleRef} tabIndex={-1}>
          {t('savedReplies.title')}
        </h2>
        <button type="button" onClick={onClose}>
          {t('savedReplies.close')}
        </button>
      </div>
      <p className="muted">{manager ? t('savedReplies.introManager') : t('savedReplies.introAgent')}</p>
      {!replies && !error && <p className="muted">{t('savedReplies.loading')}</p>}
      {section('team')}
      {section('personal')}
      <form className="saved-reply-form" id="saved-reply-form" onSubmit={save} noValidate>
        <h3>{draft.id ? t('savedReplies.editTitle', { shortcut: `/${draft.shortcut}` }) : t('savedReplies.addTitle')}</h3>
        {manager && !draft.id && (
          <fieldset className="saved-reply-scope">
            <legend>{t('savedReplies.scope')}</legend>
            {(['personal', 'team'] as const).map((scope) => (
              <label key={scope} className="radio">
                <input
                  type="radio"
                  name="saved-reply-scope"
                  value={scope}
                  checked={draft.scope === scope}
                  onChange={() => setDraft({ ...draft, scope })}
                />
                {scope === 'team' ? t('savedReplies.team') : t('savedReplies.personal')}
              </label>
            ))}
          </fieldset>
        )}
        <label>
          {t('savedReplies.shortcut')}
          <span className="shortcut-field">
            <span aria-hidden="true">/</span>
            <input
              ref={shortcutRef}
              name="shortcut"
              required
              maxLength={32}
              autoComplete="off"
              value={draft.shortcut}
              onChange={(e) => setDraft({ ...draft, shortcut: e.target.value })}
              aria-describedby="saved-reply-shortcut-hint"
            />
          </span>
        </label>
        <p className="muted small" id="saved-reply-shortcut-hint">
          {t('savedReplies.shortcutHint')}
        </p>
        <label>
          {t('savedReplies.titleField')}
          <input
            name="title"
            required
            maxLength={100}
            value={draft.title}
            onChange={(e) => setDraft({ ...draft, title: e.target.value })}
          />
        </label>
        <label>
          {t('savedReplies.text')}
          <textarea
            name="text"
            rows={3}
            required
            maxLength={4096}
            value={draft.text}
            onChange={(e) => setDraft({ ...draft, text: e.target.value })}
            aria-describedby="saved-reply-text-hint"
          />
        </label>
        <p className="muted small" id="saved-reply-text-hint">
          {t('savedReplies.textHint')}
        </p>
        <p className="error" role="alert" id="saved-reply-error">
          {error}
        </p>
        <p className="saved-reply-status" role="status">
          {status}
        </p>
        <div className="dialog-actions">
          {draft.id && (
            <button type="button" onClick={() => setDraft(blank(draft.scope))}>
              {t('savedReplies.cancelEdit')}
            </button>
          )}
          <button type="submit" className="primary" disabled={busy}>
            {draft.id ? t('savedReplies.save') : t('savedReplies.add')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
