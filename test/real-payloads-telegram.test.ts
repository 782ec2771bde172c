import { TELEGRAM_SECRET, TestGateway } from './support/gateway';
import { InboxReader } from './support/inbox-reader';
import {
  type CorpusTarget,
  corpusItem,
  inboundMessages,
  itHandlesEveryBody,
  postAsManifestSays,
  realPayloads,
} from './support/real-payloads';

const corpus = realPayloads('telegram');
const body = (file: string) => corpusItem(corpus, file);

describe('real Telegram updates, as the Bot API documentation and other projects have them', () => {
  let gw: TestGateway;
  let target: CorpusTarget;

  beforeAll(async () => {
    gw = await TestGateway.start();
    target = {
      post: (raw) =>
        gw.request('POST', '/webhooks/telegram', {
          body: raw,
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET },
        }),
      gw,
      inbox: new InboxReader(gw),
    };
  });
  afterAll(async () => {
    await gw.close();
  });
  itHandlesEveryBody(corpus, () => target);

  it('takes the documentation example without chat.type for the private chat it is (the chat id is the sender id)', async () => {
    const [message] = await postAsManifestSays(target, body('telegram/doc_text_start_no_chat_type.json'));
    expect(message).toMatchObject({ channel: 'telegram', externalId: '1111111:1365', text: '/start' });
  });

  it('keeps the data a Web App sent as what the customer said', async () => {
    const [message] = await postAsManifestSays(target, body('telegram/courier_web_app_data.json'));
    expect(message?.text).toContain('"first_name": "Bob"');
  });

  it('files nothing from a group chat', async () => {
    await postAsManifestSays(target, body('telegram/bottender_group_message.json'));
    expect(await inboundMessages(target)).toHaveLength(0);
  });

  it('applies the documented edit to the message delivered before it, never as a second copy', async () => {
    await postAsManifestSays(target, body('telegram/doc_text_start.json'));
    const edit = await target.post(body('telegram/doc_edited_message.json').body);
    expect(edit.status).toBe(200);
    const stored = await inboundMessages(target);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ externalId: '1111111:1365', text: 'Edited text' });
  });
});
