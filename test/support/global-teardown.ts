import { testRun } from './global-setup';
import { analyse, formatReport, isWholeSuite, type RunConfig } from './query-index';
import { unindexedQueries } from './unindexed-queries';

/**
 * Stops the tap and the store, then the index check: the table of the queries no declared index serves, and a
 * failed run if one of them is not in test/support/unindexed-queries.ts, or (whole suite only) if an entry there
 * matched nothing.
 */
export default async function globalTeardown(config: RunConfig = {}): Promise<void> {
  const run = testRun.__testRun ?? {};
  await run.tap?.close();
  await run.store?.stop();
  const recorder = run.recorder;
  if (!recorder) return;

  const report = analyse(recorder.recorded(), recorder.indexesOf, unindexedQueries);
  const whole = isWholeSuite(config);
  const stale = whole ? report.stale : [];
  process.stderr.write(`\n${formatReport({ ...report, stale })}\n(${recorder.commands} commands recorded)\n`);
  const problems = [
    ...report.unexpected.map((o) => `${o.collection} ${o.shape} (${o.count}x, e.g. in ${o.databases[0]}): ${o.why}`),
    ...stale.map((e) => `stale allowlist entry, no longer sent unserved: ${e.collection} ${e.shape}`),
  ];
  if (problems.length > 0) {
    throw new Error(
      `index check failed: ${report.unexpected.length} query shape(s) no declared index serves, ${stale.length} stale allowlist entr(ies) ` +
        `(test/support/unindexed-queries.ts):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}
