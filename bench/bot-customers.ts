/**
 * A child process of bench/bot.ts standing in for the outside world: the customers of a site chat writing to the
 * gateway's /webhooks/api, and the site's callback the API channel sends the bot's answers to. Apart from the
 * gateway, as the platforms are, so their HTTP work does not queue in the gateway's event loop. Driven over IPC:
 *
 *   (started)                                              ← {type: 'ready', callbackUrl}
 *   → {type: 'run', url, key, run, messages, rate}         ← {type: 'ran', greetings, picks, missing, posted, cpuMs}
 *   → {type: 'close'}                                        (closes the callback and exits)
 *
 * The i-th message of a run: even ones from a new customer (a greeting), odd ones the same customer picking "2"
 * from the menu once their greeting arrived. Each answer is timed from its webhook's send to its arrival.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postBody } from '../channels/http-post';
import { atRate, sleep } from './pace';

export type ToCustomers = { type: 'run'; url: string; key: string; run: string; messages: number; rate: number } | { type: 'close' };
export type FromCustomers =
  | { type: 'ready'; callbackUrl: string }
  | { type: 'ran'; greetings: number[]; picks: number[]; missing: number; posted: number; cpuMs: number };

const questions = ['Добрий день!', 'Hello, is anyone there?', 'Привіт, підкажіть, будь ласка', 'Hi! I have a question'];

const arrived = new Map<string, number>();
const seen = new Map<string, number>();
const send = (message: FromCustomers) => process.send?.(message);
const callback = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = performance.now();
    const { contactExternalId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { contactExternalId: string };
    const n = (seen.get(contactExternalId) ?? 0) + 1;
    seen.set(contactExternalId, n);
    arrived.set(`${contactExternalId}#${n}`, at);
    res.writeHead(204).end();
  });
});

async function run({ url, key, run, messages, rate }: ToCustomers & { type: 'run' }): Promise<void> {
  const cpuBefore = process.cpuUsage();
  const sent = new Map<string, number>();
  let posted = 0;
  const post = async (i: number) => {
    const customer = `${run}-visitor-${Math.floor(i / 2)}`;
    const text = i % 2 === 0 ? (questions[(i / 2) % questions.length] ?? 'Привіт') : '2';
    const answer = `${customer}#${(i % 2) + 1}`;
    if (i % 2 === 1) while (!arrived.has(`${customer}#1`)) await sleep(2);
    sent.set(answer, performance.now());
    const body = JSON.stringify({ externalMessageId: `${run}-${i}`, contact: { externalId: customer, name: 'Відвідувач' }, text });
    // The channels' own POST (node:http over kept connections): the load should cost this machine as little as it can.
    const { status } = await postBody(
      `${url}/webhooks/api`,
      { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body,
      10_000,
    );
    if (status !== 200) throw new Error(`webhook answered ${status}`);
    posted++;
    return answer;
  };
  const answers = await atRate(messages, rate, post);
  const deadline = Date.now() + 30_000;
  while (answers.some((a) => !arrived.has(a)) && Date.now() < deadline) await sleep(20);
  const latency = (a: string) => (arrived.get(a) ?? 0) - (sent.get(a) ?? 0);
  const delivered = answers.filter((a) => arrived.has(a));
  const cpu = process.cpuUsage(cpuBefore);
  send({
    type: 'ran',
    greetings: delivered.filter((a) => a.endsWith('#1')).map(latency),
    picks: delivered.filter((a) => a.endsWith('#2')).map(latency),
    missing: answers.length - delivered.length,
    posted,
    cpuMs: (cpu.user + cpu.system) / 1000,
  });
}

process.on('message', (message: ToCustomers) => {
  if (message.type === 'run') void run(message).catch((e: unknown) => console.error(e));
  if (message.type === 'close') callback.close(() => process.exit(0));
});

callback.listen(0, '127.0.0.1', () => {
  send({ type: 'ready', callbackUrl: `http://127.0.0.1:${(callback.address() as AddressInfo).port}/replies` });
});
