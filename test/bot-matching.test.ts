import { decide, freshDialog } from '../bot/dialog';
import { defaultFlows } from '../bot/flows';
import { bestMatch, handOffWords, mentionsAny, pickedNumber, read, sameWord, skeleton } from '../bot/matching';
import { normalizePhone } from '../bot/phone';
import { botFlowsBody } from '../shared/bot-api';

const answers = [
  { id: 'prices', keywords: ['ціна', 'вартість', 'скільки коштує', 'прайс', 'price', 'how much'] },
  { id: 'delivery', keywords: ['доставка', 'нова пошта', 'delivery', 'shipping'] },
  { id: 'hours', keywords: ['графік роботи', 'години роботи', 'коли працюєте', 'opening hours'] },
  { id: 'returns', keywords: ['повернення', 'повернути товар', 'обмін', 'refund', 'return'] },
];
const answerTo = (text: string) => bestMatch(read(text), answers)?.id;

describe('the bot reads customers’ words tolerant of case, punctuation, typos and transliteration', () => {
  it.each([
    ['Яка ціна?', 'prices'],
    ['ЦІНА!!!', 'prices'],
    ['а ціну можна дізнатися', 'prices'],
    ['cina', 'prices'],
    ['tsina yaka?', 'prices'],
    ['Скільки коштує диван?', 'prices'],
    ['skilky koshtuie', 'prices'],
    ['скілки коштує', 'prices'],
    ['What is the price?', 'prices'],
    ['prise pls', 'prices'],
    ['How much is it', 'prices'],
    ['Чи є доставка у Львів?', 'delivery'],
    ['доставкою новою поштою', 'delivery'],
    ['dostavka', 'delivery'],
    ['достака є?', 'delivery'],
    ['nova poshta?', 'delivery'],
    ['Do you do shipping to Kyiv?', 'delivery'],
    ['Який у вас графік роботи?', 'hours'],
    ['коли ви працюєте', 'hours'],
    ['hrafik roboty', 'hours'],
    ['Хочу повернути товар', 'returns'],
    ['povernennia', 'returns'],
    ['I want a refund', 'returns'],
  ])('«%s» → %s', (text, expected) => {
    expect(answerTo(text)).toBe(expected);
  });

  it.each([['Добрий день'], ['Привіт'], ['ok'], ['Дякую!'], ['Hello there']])('«%s» matches no answer', (text) => {
    expect(answerTo(text)).toBeUndefined();
  });

  it('folds the Latin spellings of one Ukrainian word to one skeleton', () => {
    expect(new Set([skeleton('ціна'), skeleton('cina'), skeleton('tsina'), skeleton('CINA')])).toEqual(new Set(['cina']));
    expect(skeleton('щастя')).toBe(skeleton('shchastia'));
    expect(skeleton('жовтий')).toBe(skeleton('zhovtyi'));
    expect(sameWord(skeleton('доставку'), skeleton('доставка'))).toBe(true);
    // Short words take no typo: "кіт" is not "кит".
    expect(sameWord(skeleton('кот'), skeleton('кит'))).toBe(false);
  });

  it.each([
    ['Покличте оператора'],
    ['дайте живу людину'],
    ['Хочу поговорити з менеджером'],
    ['operator please'],
    ['Can I talk to a human?'],
    ['MANAGER'],
  ])('«%s» asks for a person', (text) => {
    expect(mentionsAny(read(text), handOffWords)).toBe(true);
  });

  it.each([['Яка ціна?'], ['Дякую, все зрозуміло'], ['операція з оплатою пройшла']])('«%s» does not ask for a person', (text) => {
    expect(mentionsAny(read(text), handOffWords)).toBe(false);
  });

  it('reads a numbered pick: "2", "2.", "2)" and " 2 ", but not a sentence with a number', () => {
    expect(['2', '2.', '2)', ' 2 '].map(pickedNumber)).toEqual([2, 2, 2, 2]);
    expect(pickedNumber('2 дивани')).toBeUndefined();
    expect(pickedNumber('067 123')).toBeUndefined();
  });
});

describe('phones are normalized to E.164, Ukrainian by default', () => {
  it.each([
    ['067 123 45 67', '+380671234567'],
    ['(067) 123-45-67', '+380671234567'],
    ['0671234567', '+380671234567'],
    ['380671234567', '+380671234567'],
    ['+38 067 123 45 67', '+380671234567'],
    ['+380 (67) 123 45 67', '+380671234567'],
    ['80671234567', '+380671234567'],
    ['671234567', '+380671234567'],
    ['+48 601 234 567', '+48601234567'],
    ['0048601234567', '+48601234567'],
  ])('%s → %s', (typed, e164) => {
    expect(normalizePhone(typed)).toBe(e164);
  });

  it.each([['067 123 45'], ['мій номер'], ['+380 00 123 45 67'], ['12345'], ['067-123-45-67-89-00'], ['']])(
    '«%s» is not a phone',
    (typed) => {
      expect(normalizePhone(typed)).toBeUndefined();
    },
  );
});

describe('one bot turn, as a function of the talk and the flows', () => {
  const flows = { ...defaultFlows, enabled: true };

  it('greets a first message in or out of hours, with the menu to tap', () => {
    const inHours = decide(freshDialog(), { text: 'Добрий день', inHours: true }, flows);
    expect(inHours.say).toEqual([{ text: flows.greeting.inHours, choices: flows.menu.map((m) => ({ id: m.id, title: m.title })) }]);
    expect(inHours.next).toMatchObject({ step: 'menu', offer: flows.menu.map((m) => ({ id: m.id, title: m.title })) });
    const outOfHours = decide(freshDialog(), { text: 'Добрий вечір', inHours: false }, flows);
    expect(outOfHours.say[0]?.text).toBe(flows.greeting.outOfHours);
  });

  it('answers a first question after the greeting', () => {
    const turn = decide(freshDialog(), { text: 'Скільки коштує доставка у Київ?', inHours: true }, flows);
    expect(turn.say.map((s) => s.text)).toEqual([flows.greeting.inHours, flows.answers[0]?.text]);
  });

  it('a pressed choice and its number pick the same menu item', () => {
    const menu = decide(freshDialog(), { text: 'Привіт', inHours: true }, flows).next;
    const byButton = decide(menu, { text: 'Доставка / Delivery', choice: 'delivery', inHours: true }, flows);
    const byNumber = decide(menu, { text: '2.', inHours: true }, flows);
    expect(byButton.say[0]?.text).toBe(flows.answers[1]?.text);
    expect(byNumber.say).toEqual(byButton.say);
  });

  it('hands off after as many unmatched questions as the flows allow, keeping each one', () => {
    const menu = decide(freshDialog(), { text: 'Привіт', inHours: true }, flows).next;
    const first = decide(menu, { text: 'У вас є подарункові сертифікати?', inHours: true }, flows);
    expect(first).toMatchObject({ unmatched: true, next: { unmatched: 1 } });
    expect(first.handOff).toBeUndefined();
    const second = decide(first.next, { text: 'А сертифікат на 1000 грн?', inHours: true }, flows);
    expect(second).toMatchObject({ unmatched: true, handOff: 'unmatched' });
  });

  it('asks name, phone (again while it is not one) and need, then hands off', () => {
    let state = decide(freshDialog(), { text: 'Привіт', inHours: true }, flows).next;
    const steps = ['3', 'Олена Коваль', '067 123 45', '067 123 45 67', 'Кутовий диван, сірий'].map((text) => {
      const turn = decide(state, { text, inHours: true }, flows);
      state = turn.next;
      return turn;
    });
    expect(steps.map((t) => t.say[0]?.text)).toEqual([
      flows.qualification.askName,
      flows.qualification.askPhone,
      flows.qualification.invalidPhone,
      flows.qualification.askNeed,
      flows.qualification.done,
    ]);
    expect(steps.map((t) => t.collected)).toEqual([
      undefined,
      { name: 'Олена Коваль' },
      undefined,
      { phone: '+380671234567' },
      { need: 'Кутовий диван, сірий' },
    ]);
    expect(steps.at(-1)?.handOff).toBe('flow-end');
  });

  it('hands off on request even in the middle of the qualification', () => {
    const asking = { step: 'phone' as const, unmatched: 0, offer: [] };
    expect(decide(asking, { text: 'дайте оператора', inHours: true }, flows).handOff).toBe('request');
  });

  it('refuses flows whose menu names a missing answer, or repeats an id', () => {
    const bad = botFlowsBody.safeParse({
      ...flows,
      menu: [
        { id: 'x', title: 'Ціни', action: 'answer', answerId: 'nope' },
        { id: 'x', title: 'Менеджер', action: 'handoff' },
      ],
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.message)).toEqual(
      expect.arrayContaining(['an "answer" item names one of the answers by its id', 'menu id "x" is used twice']),
    );
    expect(botFlowsBody.safeParse(flows).success).toBe(true);
  });
});
