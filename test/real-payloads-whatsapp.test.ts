import { groupBy } from '../shared/group-by';
import { eventually } from './support/gateway';
import { InboxReader } from './support/inbox-reader';
import { MetaGateway } from './support/meta';
import {
  type CorpusTarget,
  corpusItem,
  itHandlesEveryBody,
  postAsManifestSays,
  type RealPayload,
  realPayloads,
} from './support/real-payloads';

const corpus = realPayloads('whatsapp');
const phoneNumberIdOf = (p: RealPayload): string => {
  const id = /"phone_number_id"\s*:\s*"(\d+)"/.exec(p.body)?.[1];
  if (!id) throw new Error(`${p.file} names no phone number id`);
  return id;
};
/** The corpus comes from several numbers: each group is posted to a gateway set up for its number, bytes unchanged. */
const byNumber = groupBy(corpus, phoneNumberIdOf);

/** What the bodies the gateway used to drop show a manager now. */
const shown: Record<string, Record<string, unknown>> = {
  'whatsapp/courier_flow_nfm_reply.json': { text: 'first_name: Bob\nage: 32', attachments: [] },
  'whatsapp/pywa_order.json': {
    text: 'Order:\n3 × HAMBURGER @ 30 ILS\n2 × FRENCH_FRIES @ 35 ILS\n2 × SODA @ 10 ILS\nTotal: 180 ILS',
    attachments: [],
  },
  'whatsapp/pywa_unsupported.json': { text: '', attachments: [{ kind: 'unsupported', name: 'unsupported message type' }] },
  'whatsapp/pywa_unsupported_poll.json': { text: '', attachments: [{ kind: 'unsupported', name: 'unsupported message type: pool' }] },
  'whatsapp/courier_unsupported_with_errors.json': {
    text: 'Hello World',
    attachments: [{ kind: 'unsupported', name: 'unsupported message type' }],
  },
  'whatsapp/courier_voice_onprem.json': { attachments: [{ kind: 'voice', platformId: 'id_voice', mimeType: 'audio/ogg; codecs=opus' }] },
  'whatsapp/pywa_customer_edit.json': {
    externalId: 'wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=',
    text: 'Updated image caption',
  },
};

describe.each([...byNumber.keys()])('real WhatsApp Cloud API callbacks for phone number id %s', (phoneNumberId) => {
  let meta: MetaGateway;
  let target: CorpusTarget;

  beforeAll(async () => {
    meta = await MetaGateway.start({ WHATSAPP_PHONE_NUMBER_ID: phoneNumberId });
    target = { post: (raw) => meta.post('whatsapp', undefined, { body: raw }), gw: meta.gw, inbox: new InboxReader(meta.gw) };
  });
  afterAll(async () => {
    await meta.close();
  });
  itHandlesEveryBody(
    byNumber.get(phoneNumberId) ?? [],
    () => target,
    (file, stored) => {
      const expected = shown[file];
      if (expected) expect(stored[0]).toMatchObject(expected);
    },
  );

  if (phoneNumberId === '1234567890') {
    it('files a group message under the group, saying who wrote it, so a reply goes to the group', async () => {
      const [message] = await postAsManifestSays(target, corpusItem(corpus, 'whatsapp/courier_group_message.json'));
      expect(message).toMatchObject({ text: 'Kerry Fisher: Hello World, group message' });
      const contacts = await target.inbox.contacts();
      expect(contacts).toEqual([
        expect.objectContaining({ channel: 'whatsapp', externalId: 'group:555555555', name: 'WhatsApp group 555555555' }),
      ]);

      const supervisor = await meta.gw.manager('supervisor', 'Supervisor Sam');
      const reply = await meta.gw.request('POST', `/api/conversations/${message?.conversationId}/messages`, {
        token: supervisor.token,
        json: { text: 'Дякуємо, відповімо всім тут. / Thanks, we will answer everyone here.' },
      });
      expect(reply.status).toBe(201);
      await eventually(async () => meta.graph.sends().length === 1);
      expect(meta.graph.sends()[0]?.body).toMatchObject({ recipient_type: 'group', to: '555555555', type: 'text' });
    });
  }
});
