import type { Document } from 'mongodb';

/** The Mongo name of the index a query was planned through, from the explain of MongoDB or FerretDB; undefined for a full scan. */
export function indexUsed(explain: Document): string | undefined {
  const sqlitePlan: unknown = explain.queryPlanner?.Plan;
  if (Array.isArray(sqlitePlan)) return sqliteIndexUsed(sqlitePlan.map(String));
  // An aggregation MongoDB does not push down whole has its plan under stages[].$cursor: walk all of it then.
  return mongoIndexUsed(explain.queryPlanner?.winningPlan ?? explain);
}

// IDHACK and the express stages read the _id index without always naming it; a count may be answered by COUNT_SCAN.
const MONGO_INDEX_STAGES = new Set(['IXSCAN', 'EXPRESS_IXSCAN', 'IDHACK', 'EXPRESS_CLUSTERED_IXSCAN', 'COUNT_SCAN']);

// Walks every nested object: plans nest through inputStage(s), queryPlan (SBE, 7.0+) and shards.
function mongoIndexUsed(node: unknown): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const { stage, indexName } = node as { stage?: unknown; indexName?: unknown };
  if (typeof stage === 'string' && MONGO_INDEX_STAGES.has(stage)) return typeof indexName === 'string' ? indexName : '_id_';
  for (const child of Object.values(node)) {
    const found = mongoIndexUsed(child);
    if (found) return found;
  }
  return undefined;
}

// SQLite's EXPLAIN QUERY PLAN, as FerretDB passes it on: `... detail=SEARCH "<table>" USING INDEX "<table>_<name>" (...)`.
const SQLITE_INDEX_LINE = /\b(?:SEARCH|SCAN) "?([^"\s]+)"? USING (?:COVERING )?INDEX "?([^"\s]+)"?/;

function sqliteIndexUsed(plan: string[]): string | undefined {
  for (const line of plan) {
    const match = SQLITE_INDEX_LINE.exec(line);
    if (!match) continue;
    const [, table = '', index = ''] = match;
    return index.startsWith(`${table}_`) ? index.slice(table.length + 1) : index;
  }
  return undefined;
}
