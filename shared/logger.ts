import { createRequire } from 'node:module';
import { pino } from 'pino';

export type Logger = pino.Logger;

/** JSON lines for machines; on a terminal, readable lines when pino-pretty is installed (it is a dev dependency). */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  const options: pino.LoggerOptions = { level, base: undefined, redact: ['token', 'password', 'authorization', '*.password'] };
  if (process.stdout.isTTY && level !== 'silent' && hasPrettyPrinter()) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } });
  }
  return pino(options);
}

function hasPrettyPrinter(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}
