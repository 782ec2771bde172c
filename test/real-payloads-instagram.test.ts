import { InboxReader } from './support/inbox-reader';
import { MetaGateway } from './support/meta';
import { type CorpusTarget, corpusItem, itHandlesEveryBody, postAsManifestSays, realPayloads } from './support/real-payloads';

const corpus = realPayloads('instagram');
const payload = (file: string) => corpusItem(corpus, file);

describe('real Instagram messaging webhooks, as other projects and public reports have them', () => {
  let meta: MetaGateway;
  let target: CorpusTarget;

  beforeAll(async () => {
    meta = await MetaGateway.start();
    target = { post: (raw) => meta.post('instagram', undefined, { body: raw }), gw: meta.gw, inbox: new InboxReader(meta.gw) };
  });
  afterAll(async () => {
    await meta.close();
  });
  itHandlesEveryBody(corpus, () => target);

  it('keeps content Instagram does not pass to apps as an "unsupported message type" placeholder', async () => {
    const [message] = await postAsManifestSays(target, payload('instagram/chatwoot_4100_unsupported.json'));
    expect(message).toMatchObject({
      externalId: 'some_mid',
      text: '',
      attachments: [{ kind: 'unsupported', name: 'unsupported message type' }],
    });
  });

  it('keeps an ice-breaker tap without a mid as the question the customer chose, once', async () => {
    const [message] = await postAsManifestSays(target, payload('instagram/courier_icebreaker_postback.json'));
    expect(message).toMatchObject({ text: 'icebreaker question', externalId: 'postback:5678:1459991487970' });
  });
});
