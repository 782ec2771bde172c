import { callback, sofia, textMessage } from './fixtures/instagram';
import { olena, sheena, textCallback } from './fixtures/whatsapp';
import type { TestManager } from './support/gateway';
import { MetaGateway } from './support/meta';

const DAY = 24 * 3600_000;
const TEXT = 'Весняна колекція вже в продажу: shop.example/spring';

/**
 * The messaging windows: WhatsApp customers silent for 40 days get the approved template (free text could not reach
 * them); an Instagram customer, whose channel has no templates, is past the window text may go in, and is skipped.
 */
describe('a campaign to customers past their messaging window', () => {
  let meta: MetaGateway;
  let sam: TestManager;

  beforeAll(async () => {
    meta = await MetaGateway.start();
    meta.graph.profiles.set(sofia.igsid, { name: sofia.name, username: sofia.username });
    sam = await meta.gw.manager('supervisor', 'Оксана Левченко');
    expect((await meta.post('whatsapp', textCallback(olena, 'Доброго дня! Чи є півонії?'))).status).toBe(200);
    expect((await meta.post('whatsapp', textCallback(sheena, 'Hi, do you deliver on Sundays?'))).status).toBe(200);
    expect((await meta.post('instagram', callback([textMessage(sofia, 'Привіт! Ця сукня ще є в розмірі S?')]))).status).toBe(200);
    meta.clock.advance(40 * DAY);
  }, 60_000);

  afterAll(async () => {
    await meta.close();
  });

  it('sends WhatsApp the template beyond the 24-hour window and skips Instagram, outside its window', async () => {
    const created = await meta.gw.request('POST', '/api/campaigns', {
      token: sam.token,
      json: { name: 'Весна', filter: { inactiveDays: 30 }, template: { name: 'spring_catalog', language: 'uk' }, text: TEXT },
    });
    expect(created.status).toBe(201);
    expect(created.body.total).toBe(3);
    meta.clock.advance(2000);
    await meta.gw.automations.sendCampaigns();
    const progress = (await meta.gw.request('GET', `/api/campaigns/${created.body.id}`, { token: sam.token })).body;
    expect(progress).toMatchObject({ status: 'done', sent: 2, skipped: expect.objectContaining({ outside_window: 1 }) });

    const sends = await meta.graph.waitForSends(2);
    const bodies = sends.map((s) => s.body as { to: string; type: string; template?: { name: string } });
    expect(bodies.map((b) => [b.to, b.type, b.template?.name]).sort()).toEqual(
      [
        [olena.waId, 'template', 'spring_catalog'],
        [sheena.waId, 'template', 'spring_catalog'],
      ].sort(),
    );
  });
});
