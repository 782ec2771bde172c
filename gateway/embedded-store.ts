import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { forgetStore, rememberStore, stopLeftoverStore } from './store-leftover';

/**
 * A MongoDB-wire-compatible server started for the process when no MONGODB_URI is given: a real `mongod` where one
 * is installed, otherwise FerretDB 1.24 with its SQLite backend (built once with Go if it is not there yet).
 */
export interface EmbeddedStore {
  uri: string;
  kind: 'mongod' | 'ferretdb';
  dataDir: string;
  /** The store process's id, for whoever watches what it costs. */
  pid: number | undefined;
  stop(): Promise<void>;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const execFileAsync = promisify(execFile);

/**
 * The version of the FerretDB this repository builds: upstream v1.24.2 with the patches under scripts/ferretdb/,
 * whose hash `scripts/install-ferretdb.sh` puts into `--version` and the cache path. A FerretDB of any other
 * version (an unpatched one on PATH, a build of an older patch) is never started: without the patch its writes to
 * one document are not atomic and no query uses an index.
 */
export function ferretdbVersion(): string {
  const hash = createHash('sha256');
  // FerretDB's patches, then its SQLite driver's: in the order scripts/install-ferretdb.sh hashes them.
  for (const dir of [path.join(repoRoot, 'scripts', 'ferretdb'), path.join(repoRoot, 'scripts', 'ferretdb', 'modernc-sqlite')]) {
    const patches = readdirSync(dir)
      .filter((n) => n.endsWith('.patch'))
      .sort();
    for (const name of patches) hash.update(readFileSync(path.join(dir, name)));
  }
  return `v1.24.2-inbox-${hash.digest('hex').slice(0, 8)}`;
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export const ferretdbCachePath = (): string =>
  process.env.FERRETDB_BIN ??
  path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'inbox-gateway', `ferretdb-${ferretdbVersion()}`, 'ferretdb');

/** The first line of `ferretdb --version` without its label, or undefined when the binary does not answer. */
export async function ferretdbVersionOf(binary: string): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync(binary, ['--version'], { timeout: 10_000 });
    return /^version: (\S+)/.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}

/** Finds this repository's FerretDB (cached, or on PATH when it is that version), building it when Go is there. */
export async function locateFerretdb(log: (line: string) => void): Promise<string> {
  const version = ferretdbVersion();
  const cached = ferretdbCachePath();
  if (existsSync(cached) && (await ferretdbVersionOf(cached)) === version) return cached;
  const installed = onPath('ferretdb');
  if (installed && (await ferretdbVersionOf(installed)) === version) return installed;
  if (!onPath('go')) {
    throw new Error(
      `no MONGODB_URI, no mongod and no FerretDB ${version} on this machine (an unpatched ferretdb is not used), and no Go to build it: set MONGODB_URI`,
    );
  }
  log(`building FerretDB ${version} once into ${path.dirname(cached)} (a minute or two)…`);
  const { stdout } = await execFileAsync('bash', [path.join(repoRoot, 'scripts', 'install-ferretdb.sh')], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const built = stdout.trim().split('\n').at(-1) ?? cached;
  const got = await ferretdbVersionOf(built);
  if (got !== version) throw new Error(`the FerretDB built at ${built} says version ${got ?? 'nothing'}, not ${version}`);
  return built;
}

/**
 * The Go collector's settings FerretDB runs with, unless the environment gives its own. Its live heap is a few MB and
 * every command decodes its documents afresh, so at Go's default (GOGC=100) collecting was about a fifth of its CPU;
 * a heap allowed to grow to five times the live one between collections cut its CPU per command by about 20% for
 * about 10 MB more RSS (README, The embedded store). The limit keeps a large live heap (a big sort or result in
 * memory) from growing fivefold past it: near it the collector runs sooner, whatever GOGC says.
 */
const ferretdbGoRuntime = { GOGC: '400', GOMEMLIMIT: '512MiB' } as const;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the store exited with code ${child.exitCode} while starting`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the store did not listen on port ${port} within ${timeoutMs} ms`);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

export interface EmbeddedStoreOptions {
  dataDir: string;
  database: string;
  log: (line: string) => void;
  /** Prefer FerretDB even where mongod exists (the tests do, to run where production-like servers are absent). */
  preferFerretdb?: boolean;
  /** A FerretDB binary started as it is, whatever its version: how the benchmark measures an unpatched build. */
  ferretdbBinary?: string;
}

export async function startEmbeddedStore(options: EmbeddedStoreOptions): Promise<EmbeddedStore> {
  const port = await freePort();
  const mongod = options.preferFerretdb ? undefined : onPath('mongod');
  let child: ChildProcess;
  let kind: EmbeddedStore['kind'];
  let dataDir: string;
  if (mongod) {
    kind = 'mongod';
    dataDir = path.resolve(options.dataDir, 'mongod');
    mkdirSync(dataDir, { recursive: true });
    await stopLeftoverStore(dataDir, options.log);
    child = spawn(mongod, ['--dbpath', dataDir, '--bind_ip', '127.0.0.1', '--port', String(port), '--quiet'], {
      stdio: 'ignore',
    });
  } else {
    const binary = options.ferretdbBinary ?? (await locateFerretdb(options.log));
    kind = 'ferretdb';
    dataDir = path.resolve(options.dataDir, 'ferretdb');
    mkdirSync(dataDir, { recursive: true });
    await stopLeftoverStore(dataDir, options.log);
    child = spawn(
      binary,
      [
        '--handler=sqlite',
        // WAL (FerretDB's default) with synchronous=NORMAL: a commit is in the WAL file before it is acknowledged,
        // so killing the process loses nothing; only a power cut may lose the last commits, not corrupt the file.
        `--sqlite-url=file:${dataDir}/?_pragma=synchronous(normal)`,
        `--listen-addr=127.0.0.1:${port}`,
        '--debug-addr=-',
        `--state-dir=${dataDir}`,
        '--telemetry=disable',
        '--log-level=error',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'], env: { ...ferretdbGoRuntime, ...process.env } },
    );
  }
  rememberStore(dataDir, child.pid);
  const stopChild = stopper(child);
  const stop = async () => {
    await stopChild();
    forgetStore(dataDir);
  };
  try {
    await waitForPort(port, child, 30_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { uri: `mongodb://127.0.0.1:${port}/${options.database}`, kind, dataDir, pid: child.pid, stop };
}
