import { olena, textUpdate } from './fixtures/telegram';
import { TestGateway } from './support/gateway';
import { TestRedis } from './support/redis';

describe('two gateway processes on one store, fanned out through Redis', () => {
  let redis: TestRedis;
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    redis = await TestRedis.start();
    a = await TestGateway.start({ env: { REDIS_URL: redis.url } });
    b = await TestGateway.start({ env: { REDIS_URL: redis.url }, database: a.database });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await redis?.stop();
  });

  it('shows a message that reached one process to a manager connected to the other, and assigns it to them', async () => {
    const agent = await a.manager('agent', 'Ірина');
    const socketOnA = await a.connect(agent.token);
    // The webhook lands on process B; the only online agent is connected to process A.
    expect((await b.postTelegram(textUpdate(olena, 'Добрий вечір, ви ще працюєте?'))).status).toBe(200);
    const live = await socketOnA.waitFor('message:new');
    expect(live.message.text).toBe('Добрий вечір, ви ще працюєте?');
    expect(live.conversation.assigneeId).toBe(agent.agent.id);

    // And the reply sent through A is delivered once, by whichever process's queue takes the job.
    const ack = await socketOnA.emit('message:send', { conversationId: live.conversation.id, text: 'Так, до 21:00.' });
    expect(ack.ok).toBe(true);
    await socketOnA.waitFor('message:updated', (p) => p.message.id === ack.message.id && p.message.status === 'sent');
    const sends = [...a.telegram.callsTo('sendMessage'), ...b.telegram.callsTo('sendMessage')];
    expect(sends.map((c) => c.body.text)).toEqual(['Так, до 21:00.']);
  });
});
