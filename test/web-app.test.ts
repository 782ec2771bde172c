import { mkdirSync } from 'node:fs';
import { Types } from 'mongoose';
import type { Browser, Page } from 'playwright-core';
import { formMessage, john, marta } from './fixtures/site-form';
import { ann, olena, textUpdate } from './fixtures/telegram';
import { accessibilityProblems } from './support/axe';
import { desktop, launchBrowser, openPage, phone, signIn } from './support/browser';
import { eventually, TestGateway } from './support/gateway';
import { InboxReader } from './support/inbox-reader';
import { horizontalOverflow, unreachableControls } from './support/layout';

const shots = 'test/artifacts';
const shot = (page: Page, name: string) => page.screenshot({ path: `${shots}/${name}.png` });
const row = (page: Page, name: string) => page.locator('#conversations li', { hasText: name });

describe('the managers’ app in a real browser', () => {
  let gw: TestGateway;
  let inbox: InboxReader;
  let browser: Browser;
  let managers = 0;
  const manager = (role: 'agent' | 'supervisor' | 'admin', name: string) => ({ name, role, email: `m${++managers}.${role}@shop.example` });

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    gw = await TestGateway.start();
    inbox = new InboxReader(gw);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('signs in, shows a Telegram message live in its place, and sends the reply typed into it until it is sent', async () => {
    const page = await signIn(browser, gw, manager('agent', 'Ірина Бондар'));
    expect(await page.locator('html').getAttribute('lang')).toBe('en');

    await gw.postTelegram(textUpdate(olena, 'Доброго дня! Чи можна забрати замовлення сьогодні?'));
    const olenaRow = row(page, 'Олена Коваленко');
    await olenaRow.filter({ hasText: 'Чи можна забрати замовлення сьогодні?' }).waitFor();
    await olenaRow
      .filter({ hasText: 'Telegram' })
      .filter({ hasText: /Waiting 0:0\d/ })
      .waitFor();
    // The tab says how many messages wait unread, until the conversation is opened.
    await eventually(async () => (await page.title()) === '(1) Inbox');
    await olenaRow.locator('button').click();
    await page.locator('#messages li.in', { hasText: 'Доброго дня!' }).waitFor();
    await page.locator('#messages li.day', { hasText: 'Today' }).waitFor();
    await eventually(async () => (await page.title()) === 'Inbox');
    // The contact panel: the Telegram username the platform gave.
    await page.locator('#contact', { hasText: '@olena_k' }).waitFor();

    await page.locator('#reply textarea').fill('Так, до 19:00 на Хрещатику, 22.');
    await page.locator('#reply textarea').press('Enter');
    const [sent] = await gw.telegram.waitForCalls('sendMessage', 1);
    expect(sent?.body).toEqual({ chat_id: String(olena.id), text: 'Так, до 19:00 на Хрещатику, 22.' });
    await page
      .locator('#messages li.out[data-status="sent"]', { hasText: 'Так, до 19:00' })
      .locator('.delivery', { hasText: 'Sent' })
      .waitFor();
    // Answering an unassigned customer takes the conversation, and the header says so without a reload.
    await page.locator('#thread-state', { hasText: 'You' }).waitFor();
    expect(await page.locator('#reply textarea').inputValue()).toBe('');
    await shot(page, 'app-en-desktop-thread');
    await page.close();
  });

  it('shows a message the platform did not pass on as an unsupported message type, waiting for an answer', async () => {
    const page = await signIn(browser, gw, manager('supervisor', 'Сем Коваль'));
    const poll = textUpdate(ann, '');
    const { text: _none, ...message } = poll.message as typeof poll.message & { text?: string };
    await gw.postTelegram({
      ...poll,
      message: { ...message, poll: { id: '5861', question: 'Which colour?', options: [{ text: 'Red', voter_count: 0 }] } },
    });
    const annRow = row(page, 'Ann');
    // It is the customer's turn like any message: the conversation waits for a manager.
    await annRow.filter({ hasText: /Waiting/ }).waitFor();
    await annRow.locator('button').first().click();
    await page.locator('#messages li.in', { hasText: '⚠ unsupported message type: poll (open it in Telegram)' }).waitFor();
    await shot(page, 'app-en-desktop-unsupported');
    await page.close();
  });

  it('opens the jobs dashboard for an admin from the settings, and shows no such link to a supervisor', async () => {
    const page = await signIn(browser, gw, manager('admin', 'Адмін Олег'));
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Job queue' }).click();
    const [jobs] = await Promise.all([page.context().waitForEvent('page'), page.locator('#open-jobs').click()]);
    await jobs.waitForLoadState();
    expect(new URL(jobs.url()).pathname).toBe('/admin/jobs/');
    expect(await jobs.title()).toMatch(/agenda/i);
    await page.close();

    const supervisor = await signIn(browser, gw, manager('supervisor', 'Сем Бондар'));
    await supervisor.locator('#me-name').waitFor();
    expect(await supervisor.locator('#open-jobs').count()).toBe(0);
    expect(await supervisor.locator('#show-admin').count()).toBe(0);
    await supervisor.close();
  });

  it('speaks Ukrainian to a Ukrainian browser, switches to English when asked, and remembers it', async () => {
    const page = await openPage(browser, { locale: 'uk-UA' });
    await page.goto(gw.url);
    await page.getByRole('heading', { name: 'Вхід до скриньки' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('uk');
    await page.getByRole('button', { name: /EN/ }).click();
    await page.getByRole('heading', { name: 'Sign in to the inbox' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to the inbox' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.close();
  });

  it('tells a manager who mistypes the password, and signs in nobody', async () => {
    const page = await openPage(browser);
    await page.goto(gw.url);
    await page.getByLabel('Email').fill('nobody@shop.example');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#login-error', { hasText: 'email or password is wrong' }).waitFor();
    expect(await page.locator('#app').count()).toBe(0);
    await page.close();
  });

  it('on a 390 px phone in Ukrainian: the list and the thread are screens of their own, nothing overflows, every control is reachable', async () => {
    await gw.postApi(formMessage(marta, 'Добрий день, передзвоніть мені щодо оптового замовлення.'));
    const page = await signIn(browser, gw, manager('supervisor', 'Оксана Левченко'), { locale: 'uk-UA', viewport: phone });
    await row(page, 'Марта Шевченко').filter({ hasText: 'Форма на сайті' }).waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await unreachableControls(page)).toEqual([]);
    await shot(page, 'app-uk-phone-list');

    await row(page, 'Марта Шевченко').locator('button').click();
    await page.locator('#messages li.in', { hasText: 'оптового замовлення' }).waitFor();
    expect(await page.locator('.list-pane').isVisible()).toBe(false);
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await unreachableControls(page)).toEqual([]);
    const send = await page.getByRole('button', { name: 'Надіслати' }).boundingBox();
    expect(send && send.x + send.width).toBeLessThanOrEqual(phone.width);
    await page.locator('#reply textarea').click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('reply-text');
    await shot(page, 'app-uk-phone-thread');

    await page.getByRole('button', { name: 'Назад до списку' }).click();
    await page.locator('#conversations').waitFor();
    expect(await page.locator('#thread').count()).toBe(0);
    await page.close();
  });

  it('keeps a reader scrolled up in a long history where they are while messages arrive', async () => {
    for (let i = 1; i <= 40; i++) await gw.postTelegram(textUpdate(ann, `Question ${i} about the order: is it ready yet?`));
    const page = await signIn(browser, gw, manager('supervisor', 'Sam Green'));
    await row(page, 'Ann').locator('button').click();
    await page.locator('#messages li.in', { hasText: 'Question 40 ' }).waitFor();
    const messages = page.locator('#messages');
    // Opened at the newest message; the reader scrolls up to the start.
    expect(await messages.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeLessThan(2);
    await messages.evaluate((el) => {
      el.scrollTop = 200;
    });
    await page.waitForTimeout(100);
    await gw.postTelegram(textUpdate(ann, 'And one more thing: can you gift-wrap it?'));
    await page.locator('#messages li.in', { hasText: 'gift-wrap' }).waitFor({ state: 'attached' });
    await page.getByRole('button', { name: 'New messages ↓' }).waitFor();
    expect(await messages.evaluate((el) => el.scrollTop)).toBe(200);
    await page.getByRole('button', { name: 'New messages ↓' }).click();
    await eventually(() => messages.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 2));
    await page.close();
  });

  it('shows what arrived while the socket was down once it is back', async () => {
    const page = await openPage(browser);
    let down = false;
    const open = new Set<{ close(): Promise<void> }>();
    // Between the page and the gateway: while "down", every reconnect is let through and dropped at once.
    await page.routeWebSocket(/\/socket\.io\//, (ws) => {
      ws.connectToServer();
      if (down) setTimeout(() => void ws.close({ code: 1012, reason: 'restarting' }), 50);
      else open.add(ws);
    });
    await gw.inbox.agents.create({ ...manager('supervisor', 'Dana Reed'), email: 'dana@shop.example', password: 'пароль-для-тесту' });
    await page.goto(gw.url);
    await page.getByLabel('Email').fill('dana@shop.example');
    await page.getByLabel('Password').fill('пароль-для-тесту');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#connection.live').waitFor();
    await row(page, 'Олена Коваленко').locator('button').click();
    await page.locator('#messages li.in', { hasText: 'Доброго дня!' }).waitFor();

    // A deploy: every socket drops, and for a while nothing answers.
    down = true;
    for (const ws of open) await ws.close();
    open.clear();
    await page.locator('#connection:not(.live)').waitFor();
    await gw.postTelegram(textUpdate(olena, 'Я вже під’їжджаю, буду за 10 хвилин.'));
    await gw.postApi(formMessage(john, 'Hello, are you open tomorrow?'));
    await page.waitForTimeout(300);
    expect(await page.locator('#messages li', { hasText: 'під’їжджаю' }).count()).toBe(0);

    down = false;
    await page.locator('#connection.live').waitFor({ timeout: 15_000 });
    await page.locator('#messages li.in', { hasText: 'Я вже під’їжджаю' }).waitFor();
    await row(page, 'Олена Коваленко').filter({ hasText: 'буду за 10 хвилин' }).waitFor();
    await row(page, 'John Carter').waitFor();
    await page.close();
  });

  it('refuses to close a lead as lost without a reason, and closes it with one from the list', async () => {
    const page = await signIn(browser, gw, manager('supervisor', 'Петро Мельник'), { locale: 'uk-UA' });
    await row(page, 'Марта Шевченко').locator('button').click();
    // Her email and the form she came from, in the contact panel.
    await page.locator('#contact', { hasText: 'marta@example.com' }).filter({ hasText: 'site-form' }).waitFor();
    await page.getByRole('button', { name: 'Втрачено…' }).click();
    const dialog = page.locator('#lost-dialog');
    await dialog.getByRole('button', { name: 'Закрити як втрачене' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Спершу оберіть причину.' }).waitFor();
    const martasConversation = () => inbox.conversationOf('Марта Шевченко');
    expect((await martasConversation())?.status).toBe('open');

    await dialog.getByLabel('Обрали конкурента').check();
    await dialog.getByLabel('Примітка (за бажанням)').fill('Купила деінде зі знижкою');
    await dialog.getByRole('button', { name: 'Закрити як втрачене' }).click();
    await page
      .locator('#thread-state', { hasText: 'Втрачено: Обрали конкурента' })
      .filter({ hasText: 'Купила деінде зі знижкою' })
      .waitFor();
    const closed = await martasConversation();
    expect([closed?.status, closed?.outcome, closed?.lossReason, closed?.lossNote]).toEqual([
      'resolved',
      'lost',
      'Обрали конкурента',
      'Купила деінде зі знижкою',
    ]);
    // Resolved conversations leave the Open list at once.
    await eventually(async () => (await row(page, 'Марта Шевченко').count()) === 0);
    await page.close();
  });

  it('assigns a conversation to another manager and shows their name in the list', async () => {
    const taras = await gw.manager('agent', 'Тарас Шевчук');
    const page = await signIn(browser, gw, manager('admin', 'Admin Alex'));
    await row(page, 'Ann').locator('button').click();
    await page.locator('#assign').selectOption({ label: 'Тарас Шевчук' });
    await row(page, 'Ann').filter({ hasText: 'Тарас Шевчук' }).waitFor();
    await page.locator('#thread-state', { hasText: 'Assigned to Тарас Шевчук' }).waitFor();
    expect((await inbox.conversationOf('Ann'))?.assigneeId).toBe(taras.agent.id);
    await page.close();
  });

  it('filters by whose, channel and text, sorts by who waits longest, and turns a wait past its target red', async () => {
    // Ann's first question has waited past its five-minute target: no route moves a due time, so the store does.
    const annsConversation = await inbox.conversationOf('Ann');
    const conversations = await gw.collection('conversations');
    await conversations.updateOne(
      { _id: new Types.ObjectId(annsConversation?.id) },
      { $set: { firstResponseDueAt: new Date(Date.now() - 60_000) } },
    );
    const page = await signIn(browser, gw, manager('supervisor', 'Ліна Гнатюк'));
    await row(page, 'Ann').locator('.waiting.late').waitFor();

    await page.locator('#filter-channel').selectOption('telegram');
    await eventually(async () => (await page.locator('#conversations li').count()) === 2);
    await page.locator('#search').fill('gift');
    await eventually(async () => (await page.locator('#conversations li').count()) === 1);
    await row(page, 'Ann').waitFor();
    await page.locator('#search').fill('');
    await page.locator('[data-scope="unassigned"]').click();
    await eventually(async () => (await row(page, 'Ann').count()) === 0);
    await page.locator('[data-scope="all"]').click();
    await page.locator('#filter-sort').selectOption('waiting');
    // Both wait; Ann since her first question, Олена only since her last message.
    const names = () => page.locator('#conversations li .name').allTextContents();
    await eventually(async () => (await names()).length === 2);
    expect(await names()).toEqual(['Ann', 'Олена Коваленко']);
    await page.close();
  });

  it('shows a supervisor an escalation as it is raised, and who is online with their open conversations', async () => {
    const page = await signIn(browser, gw, manager('supervisor', 'Наталія Коваль'), { locale: 'uk-UA' });
    await page.locator('#show-figures').click();
    await page.locator('#online li', { hasText: 'Наталія Коваль' }).filter({ hasText: '0 відкритих розмов' }).waitFor();
    await page.getByText('За цей період сповіщень немає. Добре.').waitFor();
    const conversation = await inbox.conversationOf('Олена Коваленко');
    await gw.inbox.alerts.raise({
      type: 'escalated',
      conversationId: String(conversation?.id),
      channel: 'telegram',
      detail: 'Олена Коваленко (telegram) чекає 10 хв без відповіді: передано наступному менеджеру.',
      key: `escalated:${conversation?.id}:web-app`,
      roles: ['supervisor'],
    });
    await page.locator('#figures-alerts li', { hasText: 'Ескалація' }).filter({ hasText: 'передано наступному менеджеру' }).waitFor();
    await page.locator('.toast', { hasText: 'Ескалація' }).waitFor();
    await shot(page, 'app-uk-desktop-figures-alert');
    await page.close();
  });

  it('is worked by keyboard: next and previous, reply, resolve, search, and the help', async () => {
    const page = await signIn(browser, gw, manager('supervisor', 'Key Board'));
    await row(page, 'Ann').waitFor();
    await page.keyboard.press('j');
    await page.locator('#conversations li.selected').first().waitFor();
    const first = await page.locator('#conversations li.selected .name').textContent();
    await page.keyboard.press('j');
    await eventually(async () => (await page.locator('#conversations li.selected .name').textContent()) !== first);
    await page.keyboard.press('k');
    await eventually(async () => (await page.locator('#conversations li.selected .name').textContent()) === first);
    await page.keyboard.press('r');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('reply-text');
    await page.keyboard.press('Escape');
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('search');
    await page.keyboard.press('Escape');
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await page.close();
  });

  it('has no serious accessibility problems, and takes the screenshots, at 1440×900 and 390×844 in both languages', async () => {
    for (const [locale, lng] of [
      ['uk-UA', 'uk'],
      ['en-US', 'en'],
    ] as const) {
      const signInPage = await openPage(browser, { locale });
      await signInPage.goto(gw.url);
      await signInPage.locator('#login').waitFor();
      expect(await accessibilityProblems(signInPage)).toEqual([]);
      await shot(signInPage, `app-${lng}-desktop-sign-in`);
      await signInPage.close();
      for (const [size, viewport] of [
        ['desktop', desktop],
        ['phone', phone],
      ] as const) {
        const page = await signIn(browser, gw, manager('supervisor', lng === 'uk' ? 'Олег Романенко' : 'Olivia Brown'), {
          locale,
          viewport,
        });
        await row(page, 'Олена Коваленко').waitFor();
        expect(await accessibilityProblems(page)).toEqual([]);
        await shot(page, `app-${lng}-${size}-list`);
        await row(page, 'Олена Коваленко').locator('button').click();
        await page.locator('#messages li.in').first().waitFor();
        expect(await accessibilityProblems(page)).toEqual([]);
        expect(await horizontalOverflow(page)).toBe(0);
        await shot(page, `app-${lng}-${size}-thread`);
        await page.locator('#show-figures').click();
        await page.locator('#figures-rows tr').first().waitFor();
        expect(await accessibilityProblems(page)).toEqual([]);
        expect(await horizontalOverflow(page)).toBe(0);
        await shot(page, `app-${lng}-${size}-figures`);
        await page.close();
      }
    }
  }, 90_000);

  it('pages the list 50 at a time, newest first, and shows the rest on request', async () => {
    for (let i = 0; i < 52; i++) {
      const from = {
        id: 610_000 + i,
        is_bot: false,
        first_name: `Покупець ${String(i).padStart(2, '0')}`,
        language_code: 'uk',
      } as typeof ann;
      await gw.postTelegram(textUpdate(from, `Замовлення №${3000 + i}: коли відправите?`));
    }
    const page = await signIn(browser, gw, manager('supervisor', 'Page Turner'));
    await row(page, 'Покупець 51').waitFor();
    const count = async () => Number(await page.locator('#conversations').getAttribute('data-count'));
    expect(await count()).toBe(50);
    await page.getByRole('button', { name: 'Show more' }).click();
    await eventually(async () => (await count()) > 50);
    // The list is virtual: scrolled to its end, it shows the oldest of them.
    await page.locator('.conversations-scroll').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await row(page, 'Покупець 00').waitFor();
    expect(await page.locator('#conversations li').count()).toBeLessThan(await count());
    await page.close();
  });
});
