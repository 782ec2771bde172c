import type { z } from 'zod';
import type { Channel } from '../../shared/channels';
import { type CampaignView, campaignSkipReasons, type newCampaignBody } from '../../shared/customers-api';
import { AppError, ErrorCode } from '../../shared/errors';
import { type Actor, isObjectId } from '../access';
import { InboxEvent, type InboxEvents } from '../events';
import type { Clock } from '../ports';
import { RecentRead } from '../recent-read';
import type { Replies } from '../replies';
import { conversationIdFor } from '../store/ids';
import type { InboxStore } from '../store/port';
import type { CampaignRecipientRecord, CampaignRecord, CampaignSkipReason } from '../store/records';
import { campaignRatePerSecond, paceFrom } from './pacing';
import type { SavedViews } from './saved-views';

export type NewCampaign = z.output<typeof newCampaignBody>;

const DAY = 24 * 60 * 60_000;
/**
 * A send's hold on its recipient (CAMPAIGN_REPAIR_AFTER): shorter than the outbox's hand-over grace, so a send its
 * process died in is resumed by the next pass while its queued message may still go out.
 */
const HOLD_MS = 30_000;
/** A campaign still preparing this long after it was created lost the process preparing it. */
const PREPARE_STALE_MS = 60_000;
const BATCH = 200;
const PARALLEL = 8;
const PAGE = 500;
/** How long this process trusts its last look at whether any campaign exists (another process's first shows then). */
const ANY_CAMPAIGN_TTL_MS = 2_000;

/** The signed one-click unsubscribe links campaign mail carries (the gateway signs them). */
export interface UnsubscribeLinks {
  urlFor(contactId: string): string;
  /** The contact a token was signed for; null when it is not one of ours. */
  contactOf(token: string): string | null;
}

const noReasons = (): Record<CampaignSkipReason, number> =>
  Object.fromEntries(campaignSkipReasons.map((r) => [r, 0])) as Record<CampaignSkipReason, number>;

/**
 * Re-engagement campaigns: one message to each customer of a segment (silent for N days), paced per channel by due
 * times found by index, sent through the normal reply path (stored, then the outbox's guarantees) and skipped, with
 * the reason, for whoever opted out, cannot be reached or is outside the channel's window. Progress is read from the
 * recipients, their messages and the customers' latest interaction, so it is never out of step with what happened.
 */
export class Campaigns {
  private last: Promise<unknown> = Promise.resolve();
  /** A shop that never ran a campaign has no customer to count as replying to one: its messages ask nothing. */
  private readonly anyCampaign = new RecentRead(ANY_CAMPAIGN_TTL_MS, async () => (await this.store.campaigns.list(1)).length > 0);

  constructor(
    private readonly store: InboxStore,
    private readonly events: InboxEvents,
    private readonly replies: Replies,
    private readonly views: SavedViews,
    private readonly clock: Clock,
    private readonly links?: UnsubscribeLinks,
    private readonly holdMs = HOLD_MS,
  ) {}

  async create(actor: Actor, input: NewCampaign): Promise<CampaignView> {
    const segment = input.viewId ? await this.segmentOf(actor, input.viewId) : input.filter;
    if (!segment) throw new AppError(ErrorCode.BadInput, 'give either a viewId or a filter');
    if (input.channel && segment.channel && input.channel !== segment.channel) {
      throw new AppError(ErrorCode.BadInput, `the view is of ${segment.channel} customers, not of ${input.channel}`);
    }
    const now = this.clock();
    const campaign = await this.store.campaigns.create({
      name: input.name,
      viewId: input.viewId ?? null,
      silentBefore: new Date(now.getTime() - segment.inactiveDays * DAY),
      channel: input.channel ?? segment.channel ?? null,
      template: input.template ?? null,
      text: input.text ?? null,
      createdBy: actor.id,
      status: 'preparing',
      createdAt: now,
    });
    this.anyCampaign.forget();
    await this.prepare(campaign);
    return this.progress(campaign.id);
  }

  async list(): Promise<CampaignView[]> {
    const campaigns = await this.store.campaigns.list(50);
    return Promise.all(campaigns.map((c) => this.viewOf(c)));
  }

  async progress(id: string): Promise<CampaignView> {
    const campaign = isObjectId(id) ? await this.store.campaigns.get(id) : null;
    if (!campaign) throw new AppError(ErrorCode.NotFound, `campaign ${id} not found`);
    return this.viewOf(campaign);
  }

  /** A one-click unsubscribe: no campaign reaches that customer again. False when the token is not one of ours. */
  async unsubscribe(token: string): Promise<boolean> {
    const contactId = this.links?.contactOf(token);
    if (!contactId) return false;
    await this.store.campaigns.optOut(contactId, this.clock());
    return true;
  }

  /** One pass of the sending job; passes in one process never overlap. */
  pass(): Promise<number> {
    const run = this.last.then(
      () => this.run(),
      () => this.run(),
    );
    this.last = run.catch(() => undefined);
    return run;
  }

  /** Tells the supervisors' pages when a customer a campaign reached writes back (progress counts them as replied). */
  listen(): void {
    this.events.on(InboxEvent.MessageNew, ({ message }) => {
      const contactId = message.sender.id;
      if (message.direction !== 'in' || message.sender.type !== 'contact' || !contactId) return;
      void this.anyCampaign
        .get()
        .then((any) => (any ? this.store.campaigns.campaignIdsSentTo(contactId) : []))
        .then((ids) => this.announce(ids))
        .catch(() => undefined);
    });
  }

  private async segmentOf(actor: Actor, viewId: string): Promise<{ inactiveDays: number; channel?: Channel }> {
    const view = await this.views.get(actor, viewId);
    if (view.kind !== 'contacts' || !view.filter.inactiveDays) {
      throw new AppError(ErrorCode.BadInput, `the view “${view.name}” is not of customers silent for some days: a campaign needs one`);
    }
    return { inactiveDays: view.filter.inactiveDays, ...(view.filter.channel ? { channel: view.filter.channel } : {}) };
  }

  /**
   * Stores every recipient, due at its channel's pace after what that channel has due already. Safe to run again:
   * a recipient's id derives from the campaign and the customer, so a second run stores only those the first did not.
   */
  private async prepare(campaign: CampaignRecord): Promise<void> {
    const now = this.clock();
    const starts = new Map<Channel, Date>();
    const counts = new Map<Channel, number>();
    const startOf = async (channel: Channel) => {
      let start = starts.get(channel);
      if (!start) {
        const latest = await this.store.campaigns.latestDue(channel);
        start = latest && latest > now ? new Date(latest.getTime() + 1) : now;
        starts.set(channel, start);
      }
      return start;
    };
    let after: { at: Date; id: string } | undefined;
    for (;;) {
      const page = await this.store.activity.silentSince(campaign.silentBefore, PAGE, campaign.channel ?? undefined, after);
      const recipients: Omit<CampaignRecipientRecord, 'id'>[] = [];
      for (const span of page) {
        const index = counts.get(span.channel) ?? 0;
        counts.set(span.channel, index + 1);
        recipients.push({
          campaignId: campaign.id,
          contactId: span.contactId,
          conversationId: conversationIdFor(span.contactId),
          channel: span.channel,
          status: 'pending',
          reason: null,
          dueAt: paceFrom(await startOf(span.channel), index, campaignRatePerSecond[span.channel]),
          messageId: null,
          sentAt: null,
        });
      }
      await this.store.campaigns.addRecipients(recipients);
      const last = page.at(-1);
      if (!last || page.length < PAGE) break;
      after = { at: last.lastAt, id: last.contactId };
    }
    await this.store.campaigns.markSending(campaign.id);
  }

  private async run(): Promise<number> {
    const now = this.clock();
    for (const stale of await this.store.campaigns.preparingSince(new Date(now.getTime() - PREPARE_STALE_MS), 5)) {
      await this.prepare(stale);
    }
    const campaigns = new Map<string, CampaignRecord | null>();
    const touched = new Set<string>();
    let done = 0;
    const due = await this.store.campaigns.due(now, BATCH);
    for (let i = 0; i < due.length; i += PARALLEL) {
      const settled = await Promise.all(due.slice(i, i + PARALLEL).map((r) => this.sendOne(r, now, campaigns)));
      settled.forEach((ok, k) => {
        const r = due[i + k];
        if (ok && r) {
          done++;
          touched.add(r.campaignId);
        }
      });
    }
    await this.announce([...touched]);
    return done;
  }

  /** One recipient: held, sent or skipped, settled; false when another pass holds it. */
  private async sendOne(r: CampaignRecipientRecord, now: Date, campaigns: Map<string, CampaignRecord | null>): Promise<boolean> {
    const until = new Date(now.getTime() + this.holdMs);
    if (!(await this.store.campaigns.hold(r, until))) return false;
    if (!campaigns.has(r.campaignId)) campaigns.set(r.campaignId, await this.store.campaigns.get(r.campaignId));
    const campaign = campaigns.get(r.campaignId);
    const skip = (reason: CampaignSkipReason) => ({ status: 'skipped' as const, reason, messageId: null, sentAt: null });
    let outcome: Pick<CampaignRecipientRecord, 'status' | 'reason' | 'messageId' | 'sentAt'>;
    if (!campaign) outcome = skip('channel_unavailable');
    else if ((await this.store.campaigns.optedOut([r.contactId])).has(r.contactId)) outcome = skip('opted_out');
    else {
      const sent = await this.replies.sendCampaign({
        conversationId: r.conversationId,
        template: campaign.template,
        text: campaign.text,
        key: `${campaign.id}:${r.contactId}`,
        senderName: campaign.name,
        ...(r.channel === 'email' && this.links ? { listUnsubscribe: this.links.urlFor(r.contactId) } : {}),
      });
      outcome = 'skipped' in sent ? skip(sent.skipped) : { status: 'sent', reason: null, messageId: sent.messageId, sentAt: this.clock() };
    }
    return this.store.campaigns.settle(r.id, until, outcome);
  }

  private async announce(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.events.emit(InboxEvent.CampaignUpdated, { campaign: await this.progress(id) });
  }

  private async viewOf(c: CampaignRecord): Promise<CampaignView> {
    const recipients = await this.store.campaigns.recipientsOf(c.id);
    const sent = recipients.filter((r) => r.status === 'sent');
    const [statuses, spans] = await Promise.all([
      this.store.messages.statusesOf(sent.flatMap((r) => (r.messageId ? [r.messageId] : []))),
      this.store.activity.spansOf(sent.map((r) => r.contactId)),
    ]);
    const skipped = noReasons();
    for (const r of recipients) if (r.status === 'skipped' && r.reason) skipped[r.reason]++;
    const failed = sent.filter((r) => r.messageId && statuses.get(r.messageId) === 'failed').length;
    const replied = sent.filter((r) => {
      const lastAt = spans.get(r.contactId)?.lastAt;
      return r.sentAt && lastAt && lastAt > r.sentAt;
    }).length;
    const pending = recipients.filter((r) => r.status === 'pending').length;
    return {
      id: c.id,
      name: c.name,
      viewId: c.viewId,
      channel: c.channel,
      template: c.template,
      text: c.text,
      status: c.status === 'preparing' ? 'preparing' : pending > 0 ? 'sending' : 'done',
      createdAt: c.createdAt.toISOString(),
      total: recipients.length,
      pending,
      sent: sent.length - failed,
      skipped,
      failed,
      replied,
    };
  }
}
