import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { TaskView, TriggerView } from '../shared/tasks-api';
import { formMessage, john, marta } from './fixtures/site-form';
import { accessibilityProblems } from './support/axe';
import { desktop, launchBrowser, phone, signIn } from './support/browser';
import { eventually, TestGateway } from './support/gateway';
import { horizontalOverflow } from './support/layout';

const shots = 'test/artifacts';
const shot = (page: Page, name: string) => page.screenshot({ path: `${shots}/${name}.png` });
const HOUR = 3600_000;

const words = {
  en: {
    locale: 'en-US',
    renewal: 'Renewal date',
    save: 'Save',
    add: 'Add task',
    title: 'What to do',
    mine: 'My tasks',
    overdue: 'Overdue',
    today: 'Today',
    upcoming: 'Upcoming',
    contact: 'Contact',
  },
  uk: {
    locale: 'uk-UA',
    renewal: 'Дата продовження',
    save: 'Зберегти',
    add: 'Додати задачу',
    title: 'Що зробити',
    mine: 'Мої задачі',
    overdue: 'Прострочені',
    today: 'Сьогодні',
    upcoming: 'Далі',
    contact: 'Контакт',
  },
} as const;

describe('tasks and triggers on the page', () => {
  let gw: TestGateway;
  let browser: Browser;
  let people = 0;
  const person = (role: 'agent' | 'supervisor' | 'admin', name: string) => ({ name, role, email: `t${++people}.${role}@shop.example` });

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    gw = await TestGateway.start({ env: { ESCALATION_AFTER: '7d' } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  for (const lang of ['en', 'uk'] as const) {
    const w = words[lang];
    it(`lists, adds and ticks a conversation's tasks in the contact panel, live, the overdue one red (${lang})`, async () => {
      const customer = lang === 'en' ? john : marta;
      const agentName = lang === 'en' ? 'Carol White' : 'Ірина Бондар';
      const page = await signIn(browser, gw, person('agent', agentName), { locale: w.locale, viewport: desktop });
      const { token } = await gw.manager('supervisor', lang === 'en' ? 'Sam Supervisor' : 'Оксана Левченко');
      await gw.postApi(
        formMessage(customer, lang === 'en' ? 'Can you deliver the sofa on Saturday?' : 'Чи можете доставити диван у суботу?'),
      );
      await page.locator('#conversations li', { hasText: customer.name }).locator('button').click();
      const panel = page.locator('#contact');
      await panel.locator('.contact-tasks').waitFor();

      const taskTitle = lang === 'en' ? 'Confirm Saturday delivery with the courier' : 'Узгодити з кур’єром доставку в суботу';
      await panel.getByLabel(w.title).fill(taskTitle);
      await panel.getByRole('button', { name: w.add }).click();
      await panel.locator('.task', { hasText: taskTitle }).waitFor();

      // A supervisor gives the agent a task on this conversation that is already late: it shows at once, in red.
      const conversationId = await page.evaluate(() =>
        document.querySelector('#conversations li[aria-current], #conversations li.selected')?.getAttribute('data-id'),
      );
      const list = await gw.request('GET', '/api/conversations', { token });
      const conversation = list.body.items.find((c: { contact: { name: string } }) => c.contact.name === customer.name);
      const me = (await gw.request('GET', '/api/agents', { token })).body.items.find((a: { name: string }) => a.name === agentName);
      const lateTitle = lang === 'en' ? 'Call back about the invoice' : 'Передзвонити щодо рахунку';
      await gw.request('POST', '/api/tasks', {
        token,
        json: { title: lateTitle, dueAt: new Date(Date.now() - HOUR).toISOString(), conversationId: conversation.id, assigneeId: me.id },
      });
      await panel.locator('.task.overdue', { hasText: lateTitle }).waitFor();

      // The customer's renewal date, a Kyiv day, for the renewal triggers.
      await panel.getByLabel(w.renewal).fill('2026-12-31');
      await panel.locator('.contact-renewal').getByRole('button', { name: w.save }).click();
      await eventually(
        async () =>
          (await gw.request('GET', `/api/conversations/${conversation.id}/contact`, { token })).body.renewalAt ===
          '2026-12-30T22:00:00.000Z',
      );
      expect(conversationId === undefined || conversationId === null || conversationId === conversation.id).toBe(true);
      expect(await accessibilityProblems(page)).toEqual([]);
      await shot(page, `tasks-${lang}-desktop-contact`);

      await panel.locator('.task', { hasText: lateTitle }).locator('input[type="checkbox"]').click();
      await panel.locator('.task.done', { hasText: lateTitle }).waitFor();
      const stored = await eventually(async () => {
        const tasks = (
          await gw.request<{ items: TaskView[] }>('GET', `/api/tasks?conversationId=${conversation.id}&status=done`, { token })
        ).body.items;
        return tasks.length === 1 ? tasks : null;
      });
      expect(stored[0]?.title).toBe(lateTitle);

      await page.setViewportSize(phone);
      await page.getByRole('button', { name: w.contact, exact: true }).click();
      await panel.locator('.contact-tasks').scrollIntoViewIfNeeded();
      expect(await horizontalOverflow(page)).toBe(0);
      await shot(page, `tasks-${lang}-phone-contact`);
      await page.close();
    });

    it(`shows My tasks as overdue, today and upcoming, live (${lang})`, async () => {
      const agentName = lang === 'en' ? 'Dan Brooks' : 'Тарас Мельник';
      const page = await signIn(browser, gw, person('agent', agentName), { locale: w.locale, viewport: desktop });
      const { token } = await gw.manager('supervisor', lang === 'en' ? 'Sue Lead' : 'Марина Коваль');
      const me = (await gw.request('GET', '/api/agents', { token })).body.items.find((a: { name: string }) => a.name === agentName);
      const give = (title: string, dueAt: Date) =>
        gw.request('POST', '/api/tasks', { token, json: { title, dueAt: dueAt.toISOString(), assigneeId: me.id } });
      await give(lang === 'en' ? 'Send the price list to the clinic' : 'Надіслати прайс клініці', new Date(Date.now() - 2 * HOUR));
      await give(lang === 'en' ? 'Prepare the weekly report' : 'Підготувати тижневий звіт', new Date(Date.now() + 3 * 24 * HOUR));
      await page.locator('#show-tasks').click();
      const view = page.locator('#my-tasks');
      await view.locator('.task-group.overdue .task').waitFor();
      await view.locator('.task-group.upcoming .task').waitFor();

      // Given live while the page is open.
      const soon = new Date(Date.now() + 5 * 60_000);
      const sameKyivDay =
        new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Kyiv' }).format(soon) ===
        new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Kyiv' }).format(new Date());
      await give(lang === 'en' ? 'Ring the supplier back' : 'Передзвонити постачальнику', soon);
      await view
        .locator(sameKyivDay ? '.task-group.today .task' : '.task-group.upcoming .task', {
          hasText: lang === 'en' ? 'Ring the supplier' : 'Передзвонити постачальнику',
        })
        .waitFor();
      expect(await view.locator('h3', { hasText: w.overdue }).count()).toBe(1);
      expect(await accessibilityProblems(page)).toEqual([]);
      await shot(page, `my-tasks-${lang}-desktop`);
      await page.setViewportSize(phone);
      expect(await horizontalOverflow(page)).toBe(0);
      await shot(page, `my-tasks-${lang}-phone`);
      await page.close();
    });

    it(`lets an admin add a trigger, see it listed and switch it off (${lang})`, async () => {
      const page = await signIn(browser, gw, person('admin', lang === 'en' ? 'Alex Admin' : 'Олег Адміненко'), {
        locale: w.locale,
        viewport: desktop,
      });
      await page.locator('#show-admin').click();
      await page.getByRole('tab', { name: lang === 'en' ? 'Triggers' : 'Тригери' }).click();
      const panel = page.locator('#triggers');
      const name = lang === 'en' ? 'Won → ask for a review' : 'Виграно → попросити відгук';
      await panel.locator('input[name="name"]').fill(name);
      await panel.locator('select[name="toStageId"]').selectOption('won');
      await panel.locator('input[name="title"]').fill(lang === 'en' ? 'Ask for a review' : 'Попросити відгук');
      await panel.getByRole('button', { name: lang === 'en' ? 'Save' : 'Зберегти' }).click();
      const row = panel.locator('.trigger', { hasText: name });
      await row.waitFor();
      // The stage is named as admins keep it, not by its id.
      expect(await row.textContent()).toContain('Виграно');
      const { token } = await gw.manager('supervisor', `Перевірка ${++people}`);
      const stored = (await gw.request<{ items: TriggerView[] }>('GET', '/api/triggers', { token })).body.items.find(
        (t) => t.name === name,
      );
      expect(stored).toMatchObject({
        active: true,
        on: { kind: 'stage_changed', toStageId: 'won' },
        action: { kind: 'create_task', dueInMs: 24 * HOUR, assignTo: 'assignee' },
      });
      expect(await accessibilityProblems(page)).toEqual([]);
      await page.evaluate(() => document.querySelector('.admin')?.scrollTo(0, 0));
      await shot(page, `triggers-${lang}-desktop`);

      await row.getByRole('switch').click();
      await panel.locator('.trigger.inactive', { hasText: name }).waitFor();
      expect((await gw.request('GET', '/api/triggers', { token })).body.items.find((t: TriggerView) => t.name === name).active).toBe(false);
      await page.setViewportSize(phone);
      expect(await horizontalOverflow(page)).toBe(0);
      await page.evaluate(() => document.querySelector('.admin')?.scrollTo(0, 0));
      await shot(page, `triggers-${lang}-phone`);
      await page.close();
    });
  }
});
