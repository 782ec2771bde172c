import { sign, VIBER_TOKEN, viberEnv } from './fixtures/viber';
import { FakeViber } from './support/fake-viber';
import { TestGateway } from './support/gateway';
import { InboxReader } from './support/inbox-reader';
import { type CorpusTarget, corpusItem, itHandlesEveryBody, postAsManifestSays, realPayloads } from './support/real-payloads';

const corpus = realPayloads('viber');

describe('real Viber callbacks, as the REST bot API documentation and other projects have them', () => {
  let gw: TestGateway;
  let fake: FakeViber;
  let target: CorpusTarget;

  beforeAll(async () => {
    fake = await new FakeViber(VIBER_TOKEN).start();
    gw = await TestGateway.start({ env: viberEnv(fake.apiUrl) });
    target = {
      post: (raw) =>
        gw.request('POST', '/webhooks/viber', {
          body: raw,
          headers: { 'content-type': 'application/json', 'x-viber-content-signature': sign(raw) },
        }),
      gw,
      inbox: new InboxReader(gw),
    };
  });
  afterAll(async () => {
    await gw.close();
    await fake.stop();
  });
  itHandlesEveryBody(corpus, () => target);

  it('keeps a message of a type it cannot show as a placeholder saying so, with its text', async () => {
    const [message] = await postAsManifestSays(target, corpusItem(corpus, 'viber/courier_unknown_message_type.json'));
    expect(message).toMatchObject({
      text: 'incoming msg',
      attachments: [{ kind: 'unsupported', name: 'unsupported message type: unknown' }],
    });
  });
});
