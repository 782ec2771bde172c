import { useCallback, useEffect, useState } from 'react';
import { z } from 'zod';
import { listOf } from '../../../shared/inbox-api';
import { leadViewSchema, type StageMoveBody, type StageView, stageViewSchema } from '../../../shared/pipeline-api';
import { api } from './api';

export const stageList = listOf(stageViewSchema);
const moved = z.object({ lead: leadViewSchema });

/** The pipeline's stages as admins keep them, in order, read again whenever `reload` is called. */
export function useStages(active = true) {
  const [stages, setStages] = useState<StageView[] | null>(null);
  const reload = useCallback(
    () =>
      api(stageList, 'GET', '/api/pipeline/stages').then(
        (list) => setStages(list.items),
        () => setStages((s) => s ?? []),
      ),
    [],
  );
  useEffect(() => {
    if (active) void reload();
  }, [active, reload]);
  return { stages, reload };
}

/** Moves a conversation's lead, saying which stage the manager saw it in: moved meanwhile by someone else, it is refused. */
export const moveLead = (conversationId: string, body: StageMoveBody) =>
  api(moved, 'POST', `/api/conversations/${conversationId}/stage`, body).then((a) => a.lead);
