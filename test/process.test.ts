import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { API_KEY, storeUri, TestGateway } from './support/gateway';
import { exitOf, spawnGateway } from './support/gateway-process';
import { inboxOf } from './support/inbox-reader';

const startProcess = (env: Record<string, string>) => spawnGateway({ DATA_DIR: mkdtempSync(path.join(tmpdir(), 'gw-proc-')), ...env });

describe('the gateway process', () => {
  it.each([
    ['PORT', 'eighty', /^invalid setting PORT: must be a whole number$/],
    ['ESCALATION_AFTER', 'soon', /^invalid setting ESCALATION_AFTER: "soon" is not a duration/],
    ['MONGODB_URI', 'postgres://localhost/db', /^invalid setting MONGODB_URI: must start with mongodb:\/\//],
    ['SLA_FIRST_RESPONSE_EMAIL', '-4h', /^invalid setting SLA_FIRST_RESPONSE_EMAIL: "-4h" is not a duration/],
  ])('refuses to start with an invalid %s, saying so in one line', async (name, value, expected) => {
    const result = await exitOf(startProcess({ [name]: value }));
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(expected);
  });

  it('on SIGTERM stops taking webhooks, finishes what it acknowledged, and exits 0', async () => {
    const database = `proc_${Date.now()}`;
    const child = startProcess({ PORT: '0', MONGODB_URI: storeUri(database), API_CHANNEL_KEY: API_KEY, LOG_LEVEL: 'info' });
    const exited = exitOf(child);
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const match = /"port":(\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.on('exit', () => reject(new Error(`exited before listening: ${out}`)));
    });

    const post = (i: number) =>
      fetch(`http://127.0.0.1:${port}/webhooks/api`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          externalMessageId: `lead-${i}`,
          contact: { externalId: `v-${i}`, name: `Клієнт ${i}` },
          text: `Заявка номер ${i}`,
        }),
      }).then(
        (res) => res.status,
        () => 0,
      );
    const inFlight = Array.from({ length: 40 }, (_, i) => post(i));
    // Stop once the gateway is busy with them, so some are mid-way when the signal arrives.
    await Promise.race(inFlight);
    child.kill('SIGTERM');
    const statuses = await Promise.all(inFlight);
    const { code, stdout } = await exited;

    expect(code).toBe(0);
    expect(stdout).toContain('gateway stopped');
    // What the stopped gateway kept, as the managers see it once a gateway runs on the store again.
    const restarted = await TestGateway.start({ database });
    try {
      const storedIds = new Set((await inboxOf(restarted).messages()).map((m) => m.externalId));
      const acknowledged = statuses.flatMap((status, i) => (status === 200 ? [`lead-${i}`] : []));
      // Nothing acknowledged is lost; anything not acknowledged was refused (503) or never accepted.
      expect(acknowledged.length).toBeGreaterThan(0);
      for (const id of acknowledged) expect(storedIds).toContain(id);
      expect(statuses.every((s) => s === 200 || s === 503 || s === 0)).toBe(true);
    } finally {
      await restarted.close();
    }
  });
});
