import { useCallback, useEffect, useState } from 'react';
import { type LossReasonView, listOf, lossReasonViewSchema } from '../../../shared/inbox-api';
import { api } from './api';

const reasonList = listOf(lossReasonViewSchema);

/** The loss reasons as admins keep them, in their order, read again whenever `reload` is called. */
export function useLossReasons(active: boolean) {
  const [reasons, setReasons] = useState<LossReasonView[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const reload = useCallback(
    () =>
      api(reasonList, 'GET', '/api/loss-reasons').then(
        (list) => {
          setReasons(list.items);
          setError(null);
        },
        (err: unknown) => setError(err),
      ),
    [],
  );
  useEffect(() => {
    if (active) void reload();
  }, [active, reload]);
  return { reasons, error, reload };
}
