import type { z } from 'zod';
import { AppError, ErrorCode } from '../../shared/errors';
import type { newStageBody, StageView, stageChangeBody } from '../../shared/pipeline-api';
import { RecentRead } from '../recent-read';
import { newId } from '../store/ids';
import type { InboxStore } from '../store/port';
import type { PipelineStageRecord, StageKind } from '../store/records';

/** How long a read of the stages serves new leads and moves: a change saved in another process counts within it. */
const STAGES_TTL_MS = 2_000;

/**
 * The stages a new inbox starts with, in the shop's language (labels are data: admins rename them in theirs). The
 * ids are fixed, so two processes seeding at once store one list, and figures keep naming the same stages.
 */
export const firstStages: readonly Omit<PipelineStageRecord, 'active'>[] = [
  { id: 'new', label: 'Новий', kind: 'open', order: 1, requires: [] },
  { id: 'contacted', label: 'Контакт', kind: 'open', order: 2, requires: [] },
  { id: 'qualified', label: 'Кваліфіковано', kind: 'open', order: 3, requires: [] },
  { id: 'proposal', label: 'Пропозиція', kind: 'open', order: 4, requires: [] },
  { id: 'won', label: 'Виграно', kind: 'won', order: 5, requires: [] },
  { id: 'lost', label: 'Втрачено', kind: 'lost', order: 6, requires: [] },
];

export const stageView = (s: PipelineStageRecord): StageView => ({
  id: s.id,
  label: s.label,
  kind: s.kind,
  order: s.order,
  requires: [...s.requires],
  active: s.active,
});

/** The active stages of a kind, in order: a new lead enters the first open one; a resolution lands in the first won or lost one. */
export const activeOfKind = (stages: readonly PipelineStageRecord[], kind: StageKind): PipelineStageRecord[] =>
  stages.filter((s) => s.active && s.kind === kind).sort((a, b) => a.order - b.order);

/**
 * The pipeline's stages as admins keep them. A stage is never deleted, only switched off: leads in it stay, and it
 * is no longer offered. Its kind never changes, since the figures of the leads that passed it depend on it.
 */
export class PipelineStages {
  /** Every new lead and every move reads them: a burst of new customers costs one read. */
  private readonly stored: RecentRead<PipelineStageRecord[]>;

  constructor(private readonly store: InboxStore) {
    this.stored = new RecentRead(STAGES_TTL_MS, () => store.pipeline.stages());
  }

  async seed(): Promise<void> {
    await this.store.pipeline.seedStagesIfEmpty(firstStages);
    this.stored.forget();
  }

  /** Every stage, by order (shared: not to be changed in place). */
  all(): Promise<readonly PipelineStageRecord[]> {
    return this.stored.get();
  }

  async list(): Promise<StageView[]> {
    return (await this.all()).map(stageView);
  }

  /** An active stage, or a 400 naming the ones there are. */
  async active(id: string): Promise<PipelineStageRecord> {
    const stage = await this.store.pipeline.stage(id);
    if (stage?.active) return stage;
    const names = (await this.all()).filter((s) => s.active).map((s) => s.id);
    throw new AppError(
      ErrorCode.UnknownStage,
      `${id} is not one of the active pipeline stages: ${names.join(', ')} (GET /api/pipeline/stages)`,
    );
  }

  async add(body: z.infer<typeof newStageBody>): Promise<StageView> {
    const added = await this.store.pipeline.addStage({
      id: newId(),
      label: body.label,
      kind: body.kind,
      requires: body.requires,
      active: true,
    });
    this.stored.forget();
    return stageView(added);
  }

  async change(id: string, change: z.infer<typeof stageChangeBody>): Promise<StageView> {
    const stage = await this.store.pipeline.stage(id);
    if (!stage) throw new AppError(ErrorCode.NotFound, `no pipeline stage ${id}`);
    if (change.active === false && stage.active) {
      const left = activeOfKind(await this.all(), stage.kind).filter((s) => s.id !== id);
      if (left.length === 0) {
        throw new AppError(ErrorCode.LastStageOfKind, `"${stage.label}" is the last active ${stage.kind} stage: the pipeline needs one`);
      }
    }
    const changed = await this.store.pipeline.changeStage(id, change);
    this.stored.forget();
    if (!changed) throw new AppError(ErrorCode.NotFound, `no pipeline stage ${id}`);
    return stageView(changed);
  }

  deactivate(id: string): Promise<StageView> {
    return this.change(id, { active: false });
  }
}
