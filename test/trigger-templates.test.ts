import { InboxEvent, type LeadStageChange } from '../inbox/events';
import type { Conversation } from '../inbox/views';
import type { TriggerFiringView } from '../shared/tasks-api';
import { idOf, olena, textCallback } from './fixtures/whatsapp';
import { eventually, type SocketRecorder, type TestManager } from './support/gateway';
import { MetaGateway } from './support/meta';

describe('a trigger that sends an approved WhatsApp template', () => {
  let meta: MetaGateway;
  let admin: TestManager;
  let live: SocketRecorder;

  beforeAll(async () => {
    meta = await MetaGateway.start();
    admin = await meta.gw.manager('admin', 'Олег Адміненко');
    live = await meta.gw.connect(admin.token);
  });
  afterAll(async () => {
    await meta.close();
  });

  it('sends it through the delivery queue once per lead move, as a bot message in the history', async () => {
    const payload = textCallback(olena, 'Оплатила замовлення, дякую!');
    await meta.post('whatsapp', payload);
    const view = (await live.waitFor('message:new', (p) => p.message.externalId === idOf(payload))).conversation;
    const trigger = (
      await meta.gw.request('POST', '/api/triggers', {
        token: admin.token,
        json: {
          name: 'Виграно → подякувати',
          on: { kind: 'stage_changed', toStageId: 'won' },
          action: { kind: 'send_template', template: { name: 'order_thanks', language: 'uk', params: ['Олена'] }, channel: 'whatsapp' },
        },
      })
    ).body;
    meta.graph.respond((call) =>
      call.body?.type === 'template'
        ? {
            status: 200,
            body: {
              messaging_product: 'whatsapp',
              contacts: [{ input: olena.waId, wa_id: olena.waId }],
              messages: [{ id: 'wamid.TRIGGERED1' }],
            },
          }
        : undefined,
    );
    const conversation: Conversation = { ...view, lossReasonId: null, lossNote: null, snoozedUntil: null };
    const won: LeadStageChange = {
      conversation,
      contactId: view.contact.id,
      from: { id: 'proposal', kind: 'open' },
      to: { id: 'won', kind: 'won' },
      byAgentId: admin.agent.id,
      at: new Date(),
    };
    meta.gw.inbox.events.emit(InboxEvent.LeadStageChanged, won);
    meta.gw.inbox.events.emit(InboxEvent.LeadStageChanged, won);

    const sent = await live.waitFor('message:updated', (p) => p.message.template?.name === 'order_thanks' && p.message.status === 'sent');
    expect(sent.message).toMatchObject({ direction: 'out', sender: { type: 'bot', name: 'Automation' }, externalId: 'wamid.TRIGGERED1' });
    const [firing] = await eventually(async () => {
      const items = (
        await meta.gw.request<{ items: TriggerFiringView[] }>('GET', `/api/triggers/${trigger.id}/firings`, { token: admin.token })
      ).body.items;
      return items.length === 1 && items[0]?.state === 'done' ? items : null;
    });
    expect(firing?.messageId).toBe(sent.message.id);
    const templates = meta.graph.sends().filter((c) => c.body?.type === 'template');
    expect(new Set(templates.map((c) => JSON.stringify(c.body))).size).toBe(1);
    expect(templates[0]?.body.template).toMatchObject({
      name: 'order_thanks',
      components: [{ type: 'body', parameters: [{ type: 'text', text: 'Олена' }] }],
    });
  });
});
