import dotenv from 'dotenv';
import { createLogger } from '../shared/logger';
import { ConfigError, loadConfig } from './config';
import { type RunningGateway, startGateway } from './server';

dotenv.config({ quiet: true });

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
  throw e;
}

const log = createLogger(config.LOG_LEVEL);
let gateway: RunningGateway | undefined;
let stopping = false;

async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping: no new webhooks, finishing what is in flight');
  try {
    await gateway?.close();
    process.exit(0);
  } catch (err) {
    log.error({ err }, 'stop failed');
    process.exit(1);
  }
}
// A library's stray promise (puppeteer's page listeners in whatsapp-web.js) must not take every channel down with it.
process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled promise rejection'));
// Registered before starting, so a signal that arrives during start-up still stops cleanly.
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));

try {
  gateway = await startGateway(config, log);
  if (stopping) await gateway.close();
} catch (err) {
  log.fatal({ err }, 'gateway could not start');
  process.exit(1);
}
