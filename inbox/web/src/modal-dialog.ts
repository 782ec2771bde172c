import { type RefObject, useEffect, useRef } from 'react';

/**
 * A `<dialog>` shown modal while `open` and closed otherwise; `onOpening` runs each time it opens (a form reset to
 * its empty state, a list read afresh). The dialog's own `onClose` (Esc) must set `open` back to false.
 */
export function useModalDialog(open: boolean, onOpening?: () => void): RefObject<HTMLDialogElement | null> {
  const ref = useRef<HTMLDialogElement>(null);
  // The latest callback, without reopening the dialog when only its identity changes.
  const opening = useRef(onOpening);
  opening.current = onOpening;
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opening.current?.();
      dialog.showModal();
    }
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return ref;
}
