import { type KeyboardEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SavedReplyView } from '../../../../shared/inbox-api';
import { fillIn, loadSavedReplies, matching, pickerQuery } from '../saved-replies';
import '../reply-tools.css';

const LISTBOX_ID = 'saved-reply-options';
const optionId = (id: string) => `saved-reply-${id}`;

/**
 * The saved-reply picker of the reply box: `/` at the start of an otherwise empty box (or `/pri`) lists the matching
 * saved replies; arrows move, Enter or Tab (or a click) puts the reply's text in the box to edit before sending, Esc
 * closes. The box is the combobox, the list its listbox; the replies are read afresh each time the list opens.
 */
export function useSavedReplyPicker({ text, contactName, onPick }: { text: string; contactName: string; onPick(text: string): void }) {
  const { t } = useTranslation();
  const query = pickerQuery(text);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const open = query !== null && dismissed !== text;
  const [replies, setReplies] = useState<SavedReplyView[] | null>(null);
  const [failed, setFailed] = useState(false);
  // The highlighted option, for the query it was chosen in: typing on starts from the first again.
  const [chosen, setChosen] = useState({ query: '', index: 0 });

  useEffect(() => {
    if (!open) return;
    let current = true;
    setReplies(null);
    setFailed(false);
    loadSavedReplies().then(
      (items) => current && setReplies(items),
      () => current && setFailed(true),
    );
    return () => {
      current = false;
    };
  }, [open]);

  const options = open && replies ? matching(replies, query ?? '') : [];
  const active = chosen.query === query ? chosen.index : 0;
  const setActive = (index: number) => setChosen({ query: query ?? '', index });
  const activeOption = options[Math.min(active, options.length - 1)];

  const pick = (reply: SavedReplyView) => {
    setDismissed(null);
    onPick(fillIn(reply.text, contactName));
  };

  /** True when the key was the picker's (the box must not act on it, e.g. send on Enter). */
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!open) return false;
    const key = event.key;
    if (key === 'Escape') {
      event.preventDefault();
      // The page's own Escape (leave the field) waits for a second press.
      event.nativeEvent.stopImmediatePropagation();
      setDismissed(text);
      return true;
    }
    if (key === 'ArrowDown' || key === 'ArrowUp') {
      if (!options.length) return true;
      event.preventDefault();
      const by = key === 'ArrowDown' ? 1 : -1;
      setActive((Math.min(active, options.length - 1) + by + options.length) % options.length);
      return true;
    }
    if (key === 'Enter' || key === 'Tab') {
      if (event.shiftKey && key === 'Tab') return false;
      if (key === 'Tab' && !activeOption) return false;
      event.preventDefault();
      if (activeOption) pick(activeOption);
      return true;
    }
    return false;
  };

  const comboboxProps = {
    role: 'combobox',
    'aria-autocomplete': 'list',
    'aria-expanded': open,
    'aria-controls': LISTBOX_ID,
    'aria-activedescendant': activeOption ? optionId(activeOption.id) : undefined,
  } as const;

  const listbox = open ? (
    <div className="saved-reply-picker">
      <div id={LISTBOX_ID} role="listbox" aria-label={t('savedReplies.pickerLabel')} className="saved-reply-options">
        {options.map((r) => (
          // biome-ignore lint/a11y/useKeyWithClickEvents: the keys act through the combobox (aria-activedescendant), which keeps the focus
          <div
            key={r.id}
            id={optionId(r.id)}
            role="option"
            tabIndex={-1}
            aria-selected={r === activeOption}
            className={r === activeOption ? 'active' : undefined}
            // The box keeps the focus: a click picks without blurring it.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => pick(r)}
            onMouseEnter={() => setActive(options.indexOf(r))}
          >
            <span className="shortcut">/{r.shortcut}</span>
            <span className="title">{r.title}</span>
            {r.scope === 'personal' && <span className="scope">{t('savedReplies.mine')}</span>}
            <span className="preview">{fillIn(r.text, contactName)}</span>
          </div>
        ))}
      </div>
      <p className="picker-state" role="status">
        {failed
          ? t('savedReplies.loadFailed')
          : !replies
            ? t('savedReplies.loading')
            : options.length
              ? t('savedReplies.pickerHint')
              : t('savedReplies.noMatch', { query: `/${query ?? ''}` })}
      </p>
    </div>
  ) : null;

  return { comboboxProps, onKeyDown, listbox };
}
