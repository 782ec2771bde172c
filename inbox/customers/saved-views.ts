import type { z } from 'zod';
import type { newSavedViewBody, SavedViewFilterView, SavedViewView, savedViewChangeBody } from '../../shared/customers-api';
import { AppError, ErrorCode } from '../../shared/errors';
import { type Actor, isObjectId, seesEverything } from '../access';
import type { Clock } from '../ports';
import type { InboxStore } from '../store/port';
import type { SavedViewKind, SavedViewRecord } from '../store/records';

export type NewSavedView = z.output<typeof newSavedViewBody>;
export type SavedViewChange = z.output<typeof savedViewChangeBody>;

const TEAM = 'team';

/** The filter keys each kind of list understands: a contacts view has no status, a conversations view no inactivity. */
const keysOf: Record<SavedViewKind, readonly (keyof SavedViewFilterView)[]> = {
  contacts: ['inactiveDays', 'channel'],
  conversations: ['channel', 'lossReasonId', 'stageId', 'outcome', 'status', 'assigneeId'],
};

function assertFits(kind: SavedViewKind, filter: SavedViewFilterView): void {
  const misplaced = Object.keys(filter).filter((k) => !keysOf[kind].includes(k as keyof SavedViewFilterView));
  if (misplaced.length > 0) {
    throw new AppError(ErrorCode.BadInput, `a ${kind} view filters by ${keysOf[kind].join(', ')} only, not by ${misplaced.join(', ')}`);
  }
  if (filter.lossReasonId && filter.outcome && filter.outcome !== 'lost') {
    throw new AppError(ErrorCode.BadInput, 'a loss reason filters lost leads only: the outcome must be "lost" or left out');
  }
}

const mayEdit = (actor: Actor, view: Pick<SavedViewRecord, 'owner'>) =>
  view.owner === TEAM ? seesEverything(actor) : view.owner === actor.id;

function toView(actor: Actor, r: SavedViewRecord): SavedViewView {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    filter: r.filter,
    owner: r.owner,
    editable: mayEdit(actor, r),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** Named filters of the contacts or the conversations lists: the team's (kept by supervisors and admins) and each manager's own. */
export class SavedViews {
  constructor(
    private readonly store: InboxStore,
    private readonly clock: Clock,
  ) {}

  async list(actor: Actor): Promise<SavedViewView[]> {
    return (await this.store.savedViews.visibleTo(actor.id)).map((r) => toView(actor, r));
  }

  async get(actor: Actor, id: string): Promise<SavedViewRecord> {
    const view = isObjectId(id) ? await this.store.savedViews.get(id) : null;
    // Another manager's own view is not found rather than forbidden: its existence is theirs too.
    if (!view || (view.owner !== TEAM && view.owner !== actor.id)) throw new AppError(ErrorCode.NotFound, `saved view ${id} not found`);
    return view;
  }

  async create(actor: Actor, input: NewSavedView): Promise<SavedViewView> {
    if (input.scope === 'team' && !seesEverything(actor))
      throw new AppError(ErrorCode.Forbidden, 'only supervisors and admins add views for the team');
    assertFits(input.kind, input.filter);
    const owner = input.scope === 'team' ? TEAM : actor.id;
    return toView(
      actor,
      await this.store.savedViews.create({ name: input.name, kind: input.kind, filter: input.filter, owner }, this.clock()),
    );
  }

  async update(actor: Actor, id: string, change: SavedViewChange): Promise<SavedViewView> {
    const view = await this.editable(actor, id);
    if (change.filter) assertFits(view.kind, change.filter);
    const after = await this.store.savedViews.update(view.id, change, this.clock());
    if (!after) throw new AppError(ErrorCode.NotFound, `saved view ${id} not found`);
    return toView(actor, after);
  }

  async remove(actor: Actor, id: string): Promise<void> {
    const view = await this.editable(actor, id);
    if (!(await this.store.savedViews.remove(view.id))) throw new AppError(ErrorCode.NotFound, `saved view ${id} not found`);
  }

  private async editable(actor: Actor, id: string): Promise<SavedViewRecord> {
    const view = await this.get(actor, id);
    if (!mayEdit(actor, view)) throw new AppError(ErrorCode.Forbidden, 'only supervisors and admins change the team’s views');
    return view;
  }
}
