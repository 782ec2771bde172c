import type { Inbox } from '../inbox';
import type { Logger } from '../shared/logger';
import { type BotBrain, type BotCalendar, Chatbot } from './engine';
import { BotFigures } from './figures';
import { FlowsConfig } from './flows';

export interface BotOptions {
  inbox: Inbox;
  calendar: BotCalendar;
  log: Logger;
  /** An external bot answering instead of the flows (BOT_WEBHOOK_URL), built over the chatbot. */
  external?: (chatbot: Chatbot) => BotBrain;
}

/** The chatbot over the inbox: its flows, its turns (listening from now) and its figures. */
export function createBot({ inbox, calendar, log, external }: BotOptions) {
  const flows = new FlowsConfig(inbox, external !== undefined);
  const chatbot = new Chatbot(inbox, flows, calendar, log);
  if (external) chatbot.answerWith(external(chatbot));
  chatbot.listen();
  return { flows, chatbot, figures: new BotFigures(inbox), repair: (olderThanMs: number) => chatbot.repair(olderThanMs) };
}
export type Bot = ReturnType<typeof createBot>;
