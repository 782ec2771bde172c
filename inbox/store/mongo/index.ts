import type { Connection } from 'mongoose';
import type { InboxStore } from '../port';
import { MongoActivity } from './activity';
import { MongoAgents } from './agents';
import { MongoAlerts } from './alerts';
import { MongoBot } from './bot';
import { MongoCampaigns } from './campaigns';
import { MongoCheckpoints } from './checkpoints';
import { MongoContacts } from './contacts';
import { MongoConversations } from './conversations';
import { MongoResponses, MongoRollups } from './figures';
import { MongoFunnelTallies } from './funnel-tallies';
import { MongoLossReasons } from './loss-reasons';
import { MongoMessages } from './messages';
import { createModels, ensureIndexes, type Models } from './models';
import { MongoOutbox } from './outbox';
import { MongoPipeline } from './pipeline';
import { MongoQuietCustomers, MongoRenewals } from './renewals';
import { MongoSavedReplies } from './saved-replies';
import { MongoSavedViews } from './saved-views';
import { MongoTasks } from './tasks';
import { MongoTriggerFirings, MongoTriggers } from './triggers';
import { MongoWaits } from './waits';

/**
 * The inbox's store on MongoDB (and on the embedded FerretDB, which speaks its protocol). Written for MongoDB's
 * semantics: guarded single-document updates, `$setOnInsert` upserts, unique keys for idempotence, a secondary
 * index for every query (declared in ./models.ts). What FerretDB 1.24 with our patch still cannot do is kept out of
 * this implementation rather than emulated: no transactions (every multi-document change is a sequence of
 * idempotent, guarded steps), no change streams (live events come from the process that wrote), no `$lookup`,
 * `$facet` or `$dateTrunc` (figures are read from rollups and indexed ranges), no TTL or partial indexes (nothing
 * here expires by itself), no update pipelines (a conditional field is a guarded second write), no projection on
 * findAndModify (the whole document comes back), no keys with `.` or a leading `$` (platform payloads are stored as
 * JSON text).
 */
export async function createMongoStore(connection: Connection): Promise<{ store: InboxStore; models: Models }> {
  const models = createModels(connection);
  await ensureIndexes(models);
  const store: InboxStore = {
    contacts: new MongoContacts(models),
    conversations: new MongoConversations(models),
    waits: new MongoWaits(models),
    messages: new MongoMessages(models),
    outbox: new MongoOutbox(models),
    agents: new MongoAgents(models),
    alerts: new MongoAlerts(models),
    responses: new MongoResponses(models),
    rollups: new MongoRollups(models),
    checkpoints: new MongoCheckpoints(models),
    lossReasons: new MongoLossReasons(models),
    savedReplies: new MongoSavedReplies(models),
    pipeline: new MongoPipeline(models),
    funnelTallies: new MongoFunnelTallies(models),
    activity: new MongoActivity(models),
    savedViews: new MongoSavedViews(models),
    campaigns: new MongoCampaigns(models),
    bot: new MongoBot(models),
    tasks: new MongoTasks(models),
    triggers: new MongoTriggers(models),
    firings: new MongoTriggerFirings(models),
    renewals: new MongoRenewals(models),
    quietCustomers: new MongoQuietCustomers(models),
  };
  return { store, models };
}
