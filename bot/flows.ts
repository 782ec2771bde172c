import type { Inbox } from '../inbox';
import { RecentRead } from '../inbox/recent-read';
import type { BotFlows, BotFlowsInput, BotFlowsView } from '../shared/bot-api';
import { AppError, ErrorCode } from '../shared/errors';

/** The flows a gateway starts with: switched off, in Ukrainian and English, for admins to adapt. */
export const defaultFlows: BotFlows = {
  enabled: false,
  greeting: {
    inHours:
      'Вітаємо! Я бот-помічник, відповім одразу або покличу менеджера.\nHello! I am the assistant bot: I answer at once or call a manager.',
    outOfHours:
      'Вітаємо! Зараз менеджери не на зв’язку, але я підкажу вже зараз, а менеджер відповість у робочий час.\nHello! Our managers are away now; I can help right away, and a manager will answer in working hours.',
  },
  menu: [
    { id: 'prices', title: 'Ціни / Prices', action: 'answer', answerId: 'prices' },
    { id: 'delivery', title: 'Доставка / Delivery', action: 'answer', answerId: 'delivery' },
    { id: 'order', title: 'Замовити / Order', action: 'qualify' },
    { id: 'manager', title: 'Менеджер / Manager', action: 'handoff' },
  ],
  answers: [
    {
      id: 'prices',
      keywords: ['ціна', 'ціни', 'вартість', 'скільки коштує', 'прайс', 'price', 'cost', 'how much'],
      text: 'Ціни на всі товари — на сайті в каталозі.\nPrices of every item are in the catalogue on our site.',
    },
    {
      id: 'delivery',
      keywords: ['доставка', 'доставити', 'нова пошта', 'відправка', 'delivery', 'shipping'],
      text: 'Доставляємо Новою поштою по всій Україні за 1–3 дні.\nWe deliver across Ukraine by Nova Poshta in 1–3 days.',
    },
  ],
  qualification: {
    enabled: true,
    askName: 'Як до вас звертатися?\nWhat is your name?',
    askPhone: 'Ваш номер телефону, щоб менеджер міг зателефонувати?\nYour phone number, so a manager can call you?',
    invalidPhone:
      'Не схоже на номер телефону. Напишіть, будь ласка, як 067 123 45 67.\nThat does not look like a phone number. Please write it like 067 123 45 67.',
    askNeed: 'Що саме вас цікавить?\nWhat exactly are you looking for?',
    done: 'Дякуємо! Менеджер уже бачить вашу заявку і скоро відповість.\nThank you! A manager already sees your request and will answer soon.',
  },
  handOff: {
    words: [],
    afterUnmatched: 2,
    unmatchedText:
      'Вибачте, я не зрозумів. Оберіть, будь ласка, з меню або напишіть «оператор».\nSorry, I did not understand. Please pick from the menu or write "operator".',
    text: 'Передаю розмову менеджеру, він відповість тут.\nI am passing you to a manager, who will answer here.',
  },
};

/** How long a read of the flows serves bot turns: an edit saved in another process counts within it. */
const FLOWS_TTL_MS = 2_000;

/** The chatbot's flows as admins read and change them. */
export class FlowsConfig {
  constructor(
    private readonly inbox: Inbox,
    /** Set when an external bot (BOT_WEBHOOK_URL) answers instead of the flows. */
    private readonly external: boolean,
  ) {}

  private readonly stored = new RecentRead(
    FLOWS_TTL_MS,
    async () => (await this.inbox.store.bot.flows()) ?? { flows: defaultFlows, version: 0, updatedAt: null },
  );

  /** The stored flows (the defaults before any save), read again at most every FLOWS_TTL_MS: every bot turn needs them. */
  current(): Promise<{ flows: BotFlows; version: number; updatedAt: Date | null }> {
    return this.stored.get();
  }

  async view(): Promise<BotFlowsView> {
    const { flows, version, updatedAt } = await this.current();
    return { flows, version, updatedAt: updatedAt?.toISOString() ?? null, external: this.external };
  }

  /** Saves the flows (already validated); refused when `version` was given and another save came since. */
  async replace(input: BotFlowsInput): Promise<BotFlowsView> {
    const { version: expected, ...flows } = input;
    const current = await this.current();
    if (expected !== undefined && expected !== current.version) {
      throw new AppError(ErrorCode.Conflict, `the flows changed since version ${expected} (now ${current.version}): load them again`);
    }
    return this.save(flows, current.version);
  }

  async switch(enabled: boolean): Promise<BotFlowsView> {
    const current = await this.current();
    return this.save({ ...current.flows, enabled }, current.version);
  }

  private async save(flows: BotFlows, expected: number): Promise<BotFlowsView> {
    const saved = await this.inbox.store.bot.saveFlows(flows, expected, this.inbox.clock());
    if (!saved) throw new AppError(ErrorCode.Conflict, 'another admin saved the flows at the same moment: load them again');
    this.stored.forget();
    this.inbox.botIntake.forget();
    return { flows: saved.flows, version: saved.version, updatedAt: saved.updatedAt?.toISOString() ?? null, external: this.external };
  }
}
