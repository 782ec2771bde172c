import { existsSync } from 'node:fs';
import { runIngestBench } from './ingest';
import { runStoreBench } from './store';

/** `npm run bench`: every benchmark of the gateway, one after another; each prints its own figures. */
console.log('== store: primitives at 100,000 documents\n');
await runStoreBench();

console.log('\n== ingest: signed Telegram webhooks → store → live socket\n');
await runIngestBench();

const automations = new URL('./automations.ts', import.meta.url);
if (existsSync(automations)) {
  console.log('\n== automations\n');
  const mod = (await import(automations.href)) as { runAutomationsBench?: () => Promise<void> };
  await mod.runAutomationsBench?.();
}
process.exit(0);
