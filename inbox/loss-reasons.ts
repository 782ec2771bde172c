import type { z } from 'zod';
import { AppError, ErrorCode } from '../shared/errors';
import type { lossReasonChangeBody } from '../shared/inbox-api';
import { isObjectId } from './access';
import { idFromKey } from './store/ids';
import type { InboxStore } from './store/port';
import type { LossReasonRecord } from './store/records';
import type { LossReason } from './views';

/**
 * The first list a new inbox gets, in the shop's language: labels are data, renamed, reordered and added to by
 * admins in theirs. Each has an id of its own key, so two processes seeding at once store one list.
 */
const firstReasons = [
  ['price', 'Ціна'],
  ['competitor', 'Обрали конкурента'],
  ['no-answer', 'Не відповідає'],
  ['out-of-stock', 'Немає в наявності'],
  ['other', 'Інше'],
].map(([key, label]) => ({ id: idFromKey(`loss-reason:${key}`), label: label ?? '' }));

const view = (r: LossReasonRecord): LossReason => ({ id: r.id, label: r.label, active: r.active, order: r.order });

/**
 * Why leads are lost, as admins keep the list. A reason is never deleted, only deactivated: leads closed with it keep
 * it, and it is no longer offered.
 */
export class LossReasons {
  constructor(private readonly store: InboxStore) {}

  /** Stores the first list unless there is one. */
  seed(): Promise<void> {
    return this.store.lossReasons.seedIfEmpty(firstReasons);
  }

  async list(): Promise<LossReason[]> {
    return (await this.store.lossReasons.list()).map(view);
  }

  async add(label: string): Promise<LossReason> {
    return view(await this.store.lossReasons.add(label));
  }

  async change(id: string, change: z.infer<typeof lossReasonChangeBody>): Promise<LossReason> {
    const changed = isObjectId(id) ? await this.store.lossReasons.change(id, change) : null;
    if (!changed) throw new AppError(ErrorCode.NotFound, `no loss reason ${id}`);
    return view(changed);
  }

  deactivate(id: string): Promise<LossReason> {
    return this.change(id, { active: false });
  }
}
