import type { z } from 'zod';
import { AppError, ErrorCode } from '../shared/errors';
import type { newSavedReplyBody, SavedReplyView, savedReplyChangeBody } from '../shared/inbox-api';
import { type Actor, isObjectId, seesEverything } from './access';
import type { Clock } from './ports';
import type { InboxStore } from './store/port';
import type { SavedReplyRecord } from './store/records';

export type NewSavedReply = z.output<typeof newSavedReplyBody>;
export type SavedReplyChange = z.output<typeof savedReplyChangeBody>;

/** The team's replies are the supervisors' and admins' to manage; a personal one is its owner's alone. */
const mayEdit = (actor: Actor, reply: Pick<SavedReplyRecord, 'scope' | 'ownerId'>): boolean =>
  reply.scope === 'team' ? seesEverything(actor) : reply.ownerId === actor.id;

const taken = (shortcut: string, scope: SavedReplyRecord['scope']) =>
  new AppError(
    ErrorCode.ShortcutTaken,
    scope === 'team' ? `the team has a saved reply /${shortcut} already` : `you have a saved reply /${shortcut} already`,
  );

function toView(actor: Actor, r: SavedReplyRecord): SavedReplyView {
  return {
    id: r.id,
    scope: r.scope,
    ownerId: r.ownerId,
    shortcut: r.shortcut,
    title: r.title,
    text: r.text,
    editable: mayEdit(actor, r),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** Canned answers managers insert into the reply box by their shortcut: the team's, and each manager's own. */
export class SavedReplies {
  constructor(
    private readonly store: InboxStore,
    private readonly clock: Clock,
  ) {}

  /** The team's and the manager's own, by shortcut; with `q`, those whose shortcut, title or text contain it. */
  async list(actor: Actor, q?: string): Promise<SavedReplyView[]> {
    const records = await this.store.savedReplies.visibleTo(actor.id, q || undefined);
    return records.map((r) => toView(actor, r));
  }

  async create(actor: Actor, input: NewSavedReply): Promise<SavedReplyView> {
    if (input.scope === 'team' && !seesEverything(actor)) {
      throw new AppError(ErrorCode.Forbidden, 'only supervisors and admins add saved replies for the team');
    }
    const created = await this.store.savedReplies.create(
      {
        scope: input.scope,
        ownerId: input.scope === 'personal' ? actor.id : null,
        shortcut: input.shortcut,
        title: input.title,
        text: input.text,
      },
      this.clock(),
    );
    if (!created) throw taken(input.shortcut, input.scope);
    return toView(actor, created);
  }

  async update(actor: Actor, id: string, change: SavedReplyChange): Promise<SavedReplyView> {
    const reply = await this.editable(actor, id);
    const after = await this.store.savedReplies.update(reply.id, change, this.clock());
    if (after === 'missing') throw new AppError(ErrorCode.NotFound, `saved reply ${id} not found`);
    if (after === 'taken') throw taken(change.shortcut ?? reply.shortcut, reply.scope);
    return toView(actor, after);
  }

  async remove(actor: Actor, id: string): Promise<void> {
    const reply = await this.editable(actor, id);
    if (!(await this.store.savedReplies.remove(reply.id))) throw new AppError(ErrorCode.NotFound, `saved reply ${id} not found`);
  }

  /** Another manager's personal reply is not found rather than forbidden: its existence is theirs too. */
  private async editable(actor: Actor, id: string): Promise<SavedReplyRecord> {
    const reply = isObjectId(id) ? await this.store.savedReplies.get(id) : null;
    if (!reply || (reply.scope === 'personal' && reply.ownerId !== actor.id)) {
      throw new AppError(ErrorCode.NotFound, `saved reply ${id} not found`);
    }
    if (!mayEdit(actor, reply)) throw new AppError(ErrorCode.Forbidden, 'only supervisors and admins change the team’s saved replies');
    return reply;
  }
}
