import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Inbox } from '../inbox';
import { InboxEvent } from '../inbox/events';

/** Buckets for waits a customer feels: seconds to a day. */
const waitBuckets = [5, 15, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600];

/** Prometheus metrics of one gateway process, fed by inbox events and by store counts at scrape time. */
export function createMetrics(inbox: Inbox): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const messages = new Counter({
    name: 'inbox_messages_total',
    help: 'Messages stored, by channel and direction (in: from customers, out: replies)',
    labelNames: ['channel', 'direction'],
    registers: [registry],
  });
  const deliveryFailures = new Counter({
    name: 'inbox_delivery_failures_total',
    help: 'Replies that could not be delivered after all retries',
    labelNames: ['channel'],
    registers: [registry],
  });
  const firstResponse = new Histogram({
    name: 'inbox_first_response_seconds',
    help: "Time from a customer's first message to the first agent reply",
    labelNames: ['channel'],
    buckets: waitBuckets,
    registers: [registry],
  });
  const reply = new Histogram({
    name: 'inbox_reply_seconds',
    help: 'Time from each customer turn to the next agent reply',
    labelNames: ['channel'],
    buckets: waitBuckets,
    registers: [registry],
  });
  new Gauge({
    name: 'inbox_outbound_queue_depth',
    help: 'Replies stored and waiting to be delivered',
    registers: [registry],
    async collect() {
      this.set(await inbox.delivery.countQueued());
    },
  });
  new Gauge({
    name: 'inbox_waiting_conversations',
    help: 'Conversations whose customer waits for a reply, by channel',
    labelNames: ['channel'],
    registers: [registry],
    async collect() {
      // One count per channel from the index {channel, awaitingReplySince} (on MongoDB the index alone is read).
      const counts = await inbox.responseTimes.waitingByChannel();
      this.reset();
      for (const [channel, n] of counts) this.set({ channel }, n);
    },
  });

  // A note is neither a customer's message nor a reply.
  inbox.events.on(InboxEvent.MessageNew, ({ message }) => {
    if (!message.note) messages.inc({ channel: message.channel, direction: message.direction });
  });
  inbox.events.on(InboxEvent.MessageUpdated, ({ message }) => {
    if (message.status === 'failed' && message.direction === 'out') deliveryFailures.inc({ channel: message.channel });
  });
  inbox.events.on(InboxEvent.AgentReplied, ({ channel, kind, durationMs }) => {
    reply.observe({ channel }, durationMs / 1000);
    if (kind === 'first') firstResponse.observe({ channel }, durationMs / 1000);
  });
  return registry;
}
