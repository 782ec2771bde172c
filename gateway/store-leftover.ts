import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The embedded store's process id, kept in its data folder: a gateway killed outright (SIGKILL, the OOM killer) has
 * no chance to stop its store, which then runs on without anyone to serve, holding the folder's files. The next
 * gateway on that folder stops it before starting its own. Linux only (it reads /proc); elsewhere nothing is stopped.
 */
const PID_FILE = 'store.pid';

const argsOf = (pid: number): string[] | null => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return null;
  }
};
/** Whether the process runs: not gone, and not a zombie nobody has reaped yet. */
export const running = (pid: number): boolean => {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
};

export function rememberStore(dataDir: string, pid: number | undefined): void {
  if (pid) writeFileSync(path.join(dataDir, PID_FILE), `${pid}\n`);
}

export function forgetStore(dataDir: string): void {
  rmSync(path.join(dataDir, PID_FILE), { force: true });
}

/** Stops the store a killed gateway left running on `dataDir`; true when there was one. */
export async function stopLeftoverStore(dataDir: string, log: (line: string) => void): Promise<boolean> {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(dataDir, PID_FILE), 'utf8').trim());
  } catch {
    return false;
  }
  const args = argsOf(pid);
  // The id may have been given to another process since: only a store started on this very folder is stopped.
  if (!Number.isInteger(pid) || pid <= 1 || !args?.some((a) => a === dataDir || a.endsWith(`=${dataDir}`))) {
    forgetStore(dataDir);
    return false;
  }
  log(`stopping the store a stopped gateway left running on ${dataDir} (pid ${pid})`);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return false;
  }
  const deadline = Date.now() + 5_000;
  while (running(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  forgetStore(dataDir);
  return true;
}
