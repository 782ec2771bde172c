import type { InboxStore } from '../store/port';

/** The most conversations one pipeline filter of the list reads (a segment larger than this is cut to it). */
export const PIPELINE_FILTER_LIMIT = 5_000;

export interface PipelineListFilter {
  stageId?: string;
  lossReasonId?: string;
  outcome?: 'won' | 'lost';
}

/**
 * The conversations a pipeline filter of the list keeps (by their current lead), or undefined when none is asked:
 * a stage, an outcome (the lead at a won or lost stage), a loss reason (lost for it), all of those given at once.
 */
export async function pipelineConversationIds(store: InboxStore, filter: PipelineListFilter): Promise<string[] | undefined> {
  const sets: string[][] = [];
  if (filter.stageId) sets.push(await store.pipeline.conversationIdsAt({ stageId: filter.stageId }, PIPELINE_FILTER_LIMIT));
  if (filter.lossReasonId || filter.outcome) {
    const kind = filter.lossReasonId ? 'lost' : (filter.outcome ?? 'lost');
    const contradictory = filter.lossReasonId && filter.outcome === 'won';
    sets.push(
      contradictory
        ? []
        : await store.pipeline.conversationIdsAt(
            { kind, ...(filter.lossReasonId ? { lossReasonId: filter.lossReasonId } : {}) },
            PIPELINE_FILTER_LIMIT,
          ),
    );
  }
  const [first, ...rest] = sets;
  if (!first) return undefined;
  return rest.reduce((kept, ids) => {
    const set = new Set(ids);
    return kept.filter((id) => set.has(id));
  }, first);
}
