import dotenv from 'dotenv';
import { createLogger } from '../shared/logger';
import { ConfigError, loadConfig } from './config';
import { startGateway } from './server';

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
try {
  const gateway = await startGateway(config, log);
  const stop = (signal: string) => {
    log.info({ signal }, 'stopping: no new webhooks, finishing what is in flight');
    gateway.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
} catch (err) {
  log.fatal({ err }, 'gateway could not start');
  process.exit(1);
}
