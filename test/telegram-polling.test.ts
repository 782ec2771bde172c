import { olena, textUpdate } from './fixtures/telegram';
import { eventually, TestGateway } from './support/gateway';
import { InboxReader } from './support/inbox-reader';

describe('Telegram without a public URL: long polling', () => {
  it('drops any webhook, takes updates by getUpdates, stores them once, and confirms them', async () => {
    const gw = await TestGateway.start({ env: { TELEGRAM_MODE: 'polling' } });
    try {
      const supervisor = await gw.manager('supervisor', 'Supervisor');
      const socket = await gw.connect(supervisor.token);
      const first = textUpdate(olena, 'Пишу з ноутбука, без вебхука');
      const second = textUpdate(olena, 'І ще одне повідомлення');
      gw.telegram.queueUpdate(first);
      gw.telegram.queueUpdate(second);

      await socket.waitFor('message:new', (p) => p.message.text === 'І ще одне повідомлення');
      expect(gw.telegram.callsTo('deleteWebhook')).toHaveLength(1);
      // The next poll confirms both (offset past the last one), so Telegram would not send them again.
      await eventually(async () => gw.telegram.callsTo('getUpdates').some((c) => Number(c.body.offset) === second.update_id + 1));
      expect((await new InboxReader(gw).messages()).filter((m) => m.channel === 'telegram')).toHaveLength(2);
      // The webhook route is not served in polling mode.
      expect((await gw.postTelegram(textUpdate(olena, 'via webhook'))).status).toBe(404);
    } finally {
      await gw.close();
    }
  });

  it('passes over an update that cannot be one, confirming it, and takes the next', async () => {
    const gw = await TestGateway.start({ env: { TELEGRAM_MODE: 'polling' } });
    try {
      const broken = textUpdate(olena, 'Дата тут не число');
      const good = textUpdate(olena, 'А це повідомлення має дійти до менеджера');
      gw.telegram.queueUpdate({ ...broken, message: { ...broken.message, date: { unix: 1 } } } as unknown as typeof broken);
      gw.telegram.queueUpdate(good);

      await eventually(async () => gw.telegram.callsTo('getUpdates').some((c) => Number(c.body.offset) === good.update_id + 1));
      const inbox = new InboxReader(gw);
      const stored = await inbox.messages();
      expect(stored.map((m) => m.text)).toEqual(['А це повідомлення має дійти до менеджера']);
      expect(await inbox.contacts()).toHaveLength(1);
    } finally {
      await gw.close();
    }
  });
});
