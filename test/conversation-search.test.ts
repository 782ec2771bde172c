import { formMessage, john, marta } from './fixtures/site-form';
import { olena, textUpdate } from './fixtures/telegram';
import { TestGateway, type TestManager } from './support/gateway';

describe('searching the inbox (GET /api/conversations?q=)', () => {
  let gw: TestGateway;
  let supervisor: TestManager;
  const names = async (q: string, token = supervisor.token) => {
    const reply = await gw.request('GET', `/api/conversations?q=${encodeURIComponent(q)}`, { token });
    expect(reply.status).toBe(200);
    return reply.body.items.map((c: { contact: { name: string } }) => c.contact.name).sort();
  };

  beforeAll(async () => {
    gw = await TestGateway.start();
    supervisor = await gw.manager('supervisor', 'Оксана Левченко');
    await gw.postTelegram(textUpdate(olena, 'Доброго дня! Чи є торт «Київський» на суботу?'));
    await gw.postApi(formMessage(marta, 'Передзвоніть мені щодо оптового замовлення.'));
    await gw.postApi({
      ...formMessage({ ...john, externalId: 'form-john-phone' }, 'Need a quote for 40 chairs'),
      contact: { ...john, externalId: 'form-john-phone', phone: '+380671234567' },
    });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('finds a customer by part of their name, whatever the case', async () => {
    expect(await names('коваленко')).toEqual(['Олена Коваленко']);
  });

  it('finds a conversation by words of its last message', async () => {
    expect(await names('оптового')).toEqual(['Марта Шевченко']);
    expect(await names('CHAIRS')).toEqual(['John Carter']);
  });

  it('finds a customer by their exact email or phone, with or without the plus', async () => {
    expect(await names('marta@example.com')).toEqual(['Марта Шевченко']);
    expect(await names('380671234567')).toEqual(['John Carter']);
    expect(await names('+380 67 123-45-67')).toEqual(['John Carter']);
  });

  it('takes the text literally: a dot or a bracket is no pattern', async () => {
    expect(await names('.*')).toEqual([]);
    expect(await names('(')).toEqual([]);
  });

  it('refuses a search longer than 100 characters, and changes nothing', async () => {
    const reply = await gw.request('GET', `/api/conversations?q=${'а'.repeat(101)}`, { token: supervisor.token });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('INBOX.BAD_INPUT');
  });

  it('shows an agent only what they may open: their own and the unassigned', async () => {
    const iryna = await gw.manager('agent', 'Ірина Бондар');
    const bohdan = await gw.manager('agent', 'Богдан Кравець');
    const [olenas] = (await gw.request('GET', '/api/conversations?q=Олена', { token: supervisor.token })).body.items;
    await gw.request('POST', `/api/conversations/${olenas.id}/assign`, { token: supervisor.token, json: { agentId: iryna.agent.id } });
    expect(await names('Олена', iryna.token)).toEqual(['Олена Коваленко']);
    expect(await names('Олена', bohdan.token)).toEqual([]);
    expect(await names('Марта', bohdan.token)).toEqual(['Марта Шевченко']);
  });
});
