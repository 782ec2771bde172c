import { ann, olena, textUpdate } from './fixtures/telegram';
import { TestGateway } from './support/gateway';

const customer = (id: number, name: string) => ({ id, is_bot: false, first_name: name });

describe('round-robin assignment of new conversations', () => {
  it('alternates between the online agents and leaves supervisors and offline agents out', async () => {
    const gw = await TestGateway.start();
    try {
      const iryna = await gw.manager('agent', 'Ірина');
      const petro = await gw.manager('agent', 'Петро');
      await gw.manager('agent', 'Offline Oksana');
      const supervisor = await gw.manager('supervisor', 'Supervisor');
      await gw.connect(iryna.token);
      await gw.connect(petro.token);
      const watcher = await gw.connect(supervisor.token);

      const assignees: string[] = [];
      for (const [i, name] of ['Андрій', 'Bob', 'Віра', 'Dan'].entries()) {
        await gw.postTelegram(textUpdate(customer(5000 + i, name) as typeof ann, `Привіт, я ${name}`));
        const live = await watcher.waitFor('message:new', (p) => p.conversation.contact.name === name);
        assignees.push(live.conversation.assigneeId);
      }
      expect(new Set(assignees)).toEqual(new Set([iryna.agent.id, petro.agent.id]));
      expect(assignees[0]).not.toBe(assignees[1]);
      expect(assignees[0]).toBe(assignees[2]);
      expect(assignees[1]).toBe(assignees[3]);
    } finally {
      await gw.close();
    }
  });

  it('puts a new conversation in the unassigned queue every agent sees when nobody is online', async () => {
    const gw = await TestGateway.start();
    try {
      const iryna = await gw.manager('agent', 'Ірина');
      const petro = await gw.manager('agent', 'Петро');
      await gw.postTelegram(textUpdate(olena, 'Є хтось?'));
      const forIryna = await gw.request('GET', '/api/conversations?assigneeId=none', { token: iryna.token });
      const forPetro = await gw.request('GET', '/api/conversations', { token: petro.token });
      expect(forIryna.body.items).toHaveLength(1);
      expect(forIryna.body.items[0]).toMatchObject({ assigneeId: null, contact: { name: 'Олена Коваленко' } });
      expect(forPetro.body.items.map((c: { id: string }) => c.id)).toEqual([forIryna.body.items[0].id]);

      // The first agent to answer an unassigned conversation takes it.
      const socket = await gw.connect(petro.token);
      const ack = await socket.emit('message:send', { conversationId: forIryna.body.items[0].id, text: 'Так, я тут. Чим допомогти?' });
      expect(ack.ok).toBe(true);
      const after = await gw.request('GET', `/api/conversations/${forIryna.body.items[0].id}`, { token: petro.token });
      expect(after.body.assigneeId).toBe(petro.agent.id);
      expect((await gw.request('GET', `/api/conversations/${forIryna.body.items[0].id}`, { token: iryna.token })).status).toBe(403);
    } finally {
      await gw.close();
    }
  });

  it('tells the agent who lost a conversation and the one who got it when a supervisor reassigns it', async () => {
    const gw = await TestGateway.start();
    try {
      const iryna = await gw.manager('agent', 'Ірина');
      const petro = await gw.manager('agent', 'Петро');
      const supervisor = await gw.manager('supervisor', 'Supervisor');
      const irynaSocket = await gw.connect(iryna.token);
      await gw.postTelegram(textUpdate(ann, 'Can I change my delivery address?'));
      const conversation = (await irynaSocket.waitFor('message:new')).conversation;
      expect(conversation.assigneeId).toBe(iryna.agent.id);
      const petroSocket = await gw.connect(petro.token);
      const supervisorSocket = await gw.connect(supervisor.token);
      const ack = await supervisorSocket.emit('conversation:assign', { conversationId: conversation.id, agentId: petro.agent.id });
      expect(ack).toMatchObject({ ok: true, conversation: { id: conversation.id, assigneeId: petro.agent.id } });
      await irynaSocket.waitFor('conversation:updated', (p) => p.conversation.assigneeId === petro.agent.id);
      await petroSocket.waitFor('conversation:updated', (p) => p.conversation.assigneeId === petro.agent.id);
    } finally {
      await gw.close();
    }
  });
});
