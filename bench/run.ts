import { existsSync } from 'node:fs';
import { runBotBench } from './bot';
import { runBurstBench } from './burst';
import { runEmailBench } from './email';
import { runFanoutBench } from './fanout';
import { runFunnelBench } from './funnel';
import { runInboxPagesBench } from './inbox-pages';
import { runIngestBench } from './ingest';
import { runStoreBench } from './store';
import { runWebAppBench } from './web-app';

/**
 * `npm run bench`: every benchmark of the gateway, one after another; each prints its own figures, and each also
 * runs alone (`node --import tsx bench/<file>.ts`). BENCH_ONLY picks some, in this order:
 *
 *   BENCH_ONLY=store,ingest,burst,fanout,email,pages,web,automations,bot,funnel npm run bench
 */
const parts: [name: string, title: string, run: () => Promise<void>][] = [
  ['store', 'store: primitives at 100,000 documents', runStoreBench],
  ['ingest', 'ingest: signed Telegram webhooks → store → live socket', runIngestBench],
  ['burst', 'burst: 40 new customers at 30/s, and the store commands per message', runBurstBench],
  ['fanout', 'fanout: 2,000 managers connected to one gateway process', runFanoutBench],
  ['email', 'email: IMAP delivery → IDLE → store → live socket', runEmailBench],
  ['pages', "pages: the inbox's first page and a conversation's messages at 100,000 / 1,000,000", runInboxPagesBench],
  ['bot', "bot: a customer's message → the bot's answer at the platform, at 100 messages/s", runBotBench],
  ['funnel', 'funnel: the pipeline figures over 100,000 leads and 1,000,000 stage moves', runFunnelBench],
  ['web', "web: the managers' app's first load, and its list at 5,000 conversations, in headless Chromium", runWebAppBench],
  [
    'automations',
    'automations',
    async () => {
      const automations = new URL('./automations.ts', import.meta.url);
      if (!existsSync(automations)) return;
      const mod = (await import(automations.href)) as { runAutomationsBench?: () => Promise<void> };
      await mod.runAutomationsBench?.();
    },
  ],
];

const only = process.env.BENCH_ONLY?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = only?.filter((name) => !parts.some(([n]) => n === name)) ?? [];
if (unknown.length) {
  console.error(`BENCH_ONLY names no such part: ${unknown.join(', ')} (the parts: ${parts.map(([n]) => n).join(', ')})`);
  process.exit(2);
}
let first = true;
for (const [name, title, run] of parts) {
  if (only && !only.includes(name)) continue;
  console.log(`${first ? '' : '\n'}== ${title}\n`);
  first = false;
  await run();
}
process.exit(0);
