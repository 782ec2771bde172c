import type { BotFlows, BotMenuItem, HandOffReason } from '../shared/bot-api';
import type { Choice } from '../shared/messages';
import { bestMatch, handOffWords, mentionsAny, pickedNumber, type Reading, read } from './matching';
import { normalizePhone } from './phone';

/** Where a conversation with the bot stands between two customer messages. */
export interface DialogState {
  /** `new`: nothing said yet; `menu`: free talk with the menu offered; the rest: the qualification's questions. */
  step: 'new' | 'menu' | 'name' | 'phone' | 'need';
  /** Questions in a row no answer matched. */
  unmatched: number;
  /** The choices of the bot's last offer, which a number ("2", "2.") picks from. */
  offer: Choice[];
}
export const freshDialog = (): DialogState => ({ step: 'new', unmatched: 0, offer: [] });

/** What the qualification collected, for the contact card. */
export interface Collected {
  name?: string;
  phone?: string;
  need?: string;
}

export interface CustomerTurnInput {
  text: string;
  /** The id of the offered choice pressed, if a button was. */
  choice?: string;
  /** Within business hours (the greeting says which). */
  inHours: boolean;
}

export interface Decision {
  say: { text: string; choices?: Choice[] }[];
  next: DialogState;
  collected?: Collected;
  handOff?: HandOffReason;
  /** The customer's question matched nothing: kept for the list admins improve the answers from. */
  unmatched?: boolean;
}

/** The choice id of the hand-off the bot offers beside its menu. */
export const HAND_OFF_CHOICE = 'handoff';

const menuChoices = (flows: BotFlows): Choice[] => flows.menu.map((m) => ({ id: m.id, title: m.title }));

/**
 * One bot turn, as a pure function of where the talk stands, what the customer said and the flows: what to say,
 * where the talk goes, what was learned, and whether a person takes over.
 */
export function decide(state: DialogState, input: CustomerTurnInput, flows: BotFlows): Decision {
  const text: Reading = read(input.text);
  const menu = menuChoices(flows);
  const greeting = state.step === 'new' ? [{ text: input.inHours ? flows.greeting.inHours : flows.greeting.outOfHours }] : [];
  const handOff = (reason: HandOffReason, extra: Decision['say'] = []): Decision => ({
    say: [...greeting, ...extra, { text: flows.handOff.text }],
    next: { ...state, step: 'menu', offer: [] },
    handOff: reason,
  });

  const picked = pickedItem(state, input, flows);
  if (picked === HAND_OFF_CHOICE) return handOff('choice');
  if (!picked && mentionsAny(text, handOffWords)) return handOff('request');
  if (!picked && flows.handOff.words.length && mentionsAny(text, flows.handOff.words)) return handOff('keyword');

  if (!picked && (state.step === 'name' || state.step === 'phone' || state.step === 'need')) {
    return qualificationStep(state, input.text, flows);
  }
  if (picked) return withGreeting(greeting, actOn(picked, state, flows, menu));

  const answer = bestMatch(text, flows.answers);
  if (answer)
    return withGreeting(greeting, {
      say: [{ text: answer.text, ...offer(menu) }],
      next: { ...state, step: 'menu', unmatched: 0, offer: menu },
    });

  // A first message that is only a greeting ("Добрий день!") is answered with the greeting and the menu.
  if (state.step === 'new') {
    const [hello] = greeting;
    return { say: [{ text: hello?.text ?? '', ...offer(menu) }], next: { step: 'menu', unmatched: 0, offer: menu } };
  }
  const unmatched = state.unmatched + 1;
  if (unmatched >= flows.handOff.afterUnmatched) return { ...handOff('unmatched'), unmatched: true };
  return {
    say: [{ text: flows.handOff.unmatchedText, ...offer(menu) }],
    next: { ...state, step: 'menu', unmatched, offer: menu },
    unmatched: true,
  };
}

const offer = (choices: Choice[]) => (choices.length ? { choices } : {});

function withGreeting(greeting: Decision['say'], decision: Decision): Decision {
  return greeting.length ? { ...decision, say: [...greeting, ...decision.say] } : decision;
}

/** The menu item (or the hand-off) the customer picked by a button, or by the number of one of the last offer's lines. */
function pickedItem(state: DialogState, input: CustomerTurnInput, flows: BotFlows): BotMenuItem | typeof HAND_OFF_CHOICE | undefined {
  let id = input.choice;
  if (!id) {
    const n = pickedNumber(input.text);
    // Only while a question of the qualification is not being answered: "2" is no name, and no phone either.
    if (n !== undefined && state.step !== 'name' && state.step !== 'need') id = state.offer[n - 1]?.id;
  }
  if (!id) return undefined;
  if (id === HAND_OFF_CHOICE) return HAND_OFF_CHOICE;
  return flows.menu.find((m) => m.id === id);
}

function actOn(item: BotMenuItem, state: DialogState, flows: BotFlows, menu: Choice[]): Decision {
  if (item.action === 'handoff') {
    return { say: [{ text: flows.handOff.text }], next: { ...state, step: 'menu', offer: [] }, handOff: 'choice' };
  }
  if (item.action === 'qualify' && flows.qualification.enabled) {
    return { say: [{ text: flows.qualification.askName }], next: { ...state, step: 'name', unmatched: 0, offer: [] } };
  }
  const answer = flows.answers.find((a) => a.id === item.answerId);
  return {
    say: [{ text: answer?.text ?? flows.handOff.unmatchedText, ...offer(menu) }],
    next: { ...state, step: 'menu', unmatched: 0, offer: menu },
  };
}

/** The qualification's questions in turn: name, phone (asked again until it is one), need; then a person takes over. */
function qualificationStep(state: DialogState, said: string, flows: BotFlows): Decision {
  const q = flows.qualification;
  const answer = said.trim().slice(0, 500);
  if (state.step === 'name') {
    return { say: [{ text: q.askPhone }], next: { ...state, step: 'phone' }, collected: { name: answer.slice(0, 100) } };
  }
  if (state.step === 'phone') {
    const phone = normalizePhone(said);
    if (!phone) return { say: [{ text: q.invalidPhone }], next: state };
    return { say: [{ text: q.askNeed }], next: { ...state, step: 'need' }, collected: { phone } };
  }
  return {
    say: [{ text: q.done }],
    next: { ...state, step: 'menu', offer: [] },
    collected: { need: answer },
    handOff: 'flow-end',
  };
}
