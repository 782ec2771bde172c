import { randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { Claims } from '../inbox/claims';
import { createModels, ensureIndexes } from '../inbox/store/models';
import { storeUri } from './support/gateway';

describe('claims: one process does a piece of work', () => {
  let connection: Connection;
  let claims: Claims;
  beforeAll(async () => {
    connection = await mongoose.createConnection(storeUri(`claims_${randomUUID().slice(0, 8)}`)).asPromise();
    const models = createModels(connection);
    await ensureIndexes(models);
    claims = new Claims(models);
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  const at = (iso: string) => new Date(iso);
  const key = 'escalation:6650a1f2c3d4e5f601234567:2024-05-06T07:00:00.000Z:0';

  it('gives a key to one of many processes claiming it at once', async () => {
    const won = await Promise.all(Array.from({ length: 10 }, () => claims.claim(`${key}:race`, at('2024-05-06T07:10:00Z'), 30_000)));
    expect(won.filter(Boolean)).toHaveLength(1);
  });

  it('lets another process take over a claim whose holder died mid-way, once it is older than its lifetime', async () => {
    expect(await claims.claim(key, at('2024-05-06T07:10:00Z'), 30_000)).toBe(true);
    expect(await claims.claim(key, at('2024-05-06T07:10:20Z'), 30_000)).toBe(false);
    expect(await claims.claim(key, at('2024-05-06T07:10:31Z'), 30_000)).toBe(true);
    expect(await claims.claim(key, at('2024-05-06T07:10:40Z'), 30_000)).toBe(false);
  });

  it('prunes claims taken before a given time', async () => {
    await claims.claim('old-work', at('2024-05-01T00:00:00Z'), 30_000);
    expect(await claims.prune(at('2024-05-02T00:00:00Z'))).toBeGreaterThanOrEqual(1);
    expect(await claims.claim('old-work', at('2024-05-06T07:11:00Z'), 30_000)).toBe(true);
  });
});
