import { useEffect, useRef } from 'react';

export interface ShortcutActions {
  next(): void;
  previous(): void;
  reply(): void;
  assign(): void;
  take(): void;
  resolve(): void;
  search(): void;
  back(): void;
  help(): void;
}

/** The keys, as documented in the help dialog and the README. Letters work only outside text fields. */
export const shortcutKeys: ReadonlyArray<[keyof ShortcutActions, string[]]> = [
  ['next', ['j', '↓']],
  ['previous', ['k', '↑']],
  ['reply', ['r']],
  ['assign', ['a']],
  ['take', ['t']],
  ['resolve', ['e']],
  ['search', ['/']],
  ['back', ['Esc']],
  ['help', ['?']],
];

const byKey: Record<string, keyof ShortcutActions> = {
  j: 'next',
  ArrowDown: 'next',
  k: 'previous',
  ArrowUp: 'previous',
  r: 'reply',
  a: 'assign',
  t: 'take',
  e: 'resolve',
  '/': 'search',
  Escape: 'back',
  '?': 'help',
};

function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

export function useShortcuts(actions: ShortcutActions): void {
  const ref = useRef(actions);
  ref.current = actions;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (document.querySelector('dialog[open]')) return;
      const action = byKey[event.key];
      if (!action) return;
      if (typing(event.target)) {
        // In a field only Escape counts: it leaves the field.
        if (event.key === 'Escape' && event.target instanceof HTMLElement) event.target.blur();
        return;
      }
      // Arrow keys scroll a focused list or thread as usual unless a conversation row has the focus.
      if (event.key.startsWith('Arrow') && !(event.target instanceof HTMLElement && event.target.closest('#conversations'))) return;
      event.preventDefault();
      ref.current[action]();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}
