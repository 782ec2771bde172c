import express, { type Router } from 'express';
import type { Inbox } from '../../inbox';

const page = (title: string, body: string) =>
  `<!doctype html><html lang="uk"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head><body>${body}</body></html>`;

/**
 * `/unsubscribe/:token`, with no sign-in: the link in campaign mail's List-Unsubscribe. POST is the one click (RFC
 * 8058: a mail client posts `List-Unsubscribe=One-Click`); GET, what a reader opening the link sees, only asks, as a
 * link scanner's GET must change nothing.
 */
export function unsubscribeRouter(inbox: Inbox): Router {
  const router = express.Router();
  const headers = (res: express.Response) => {
    res.setHeader('Content-Security-Policy', "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
    res.setHeader('Cache-Control', 'no-store');
  };

  router.get('/:token', (req, res) => {
    headers(res);
    res
      .type('html')
      .send(
        page(
          'Відписатися / Unsubscribe',
          `<form method="post" action="/unsubscribe/${encodeURIComponent(req.params.token)}"><p>Більше не надсилати вам наших розсилок? / Stop sending you our campaigns?</p><button type="submit" name="List-Unsubscribe" value="One-Click">Відписатися / Unsubscribe</button></form>`,
        ),
      );
  });

  router.post('/:token', express.urlencoded({ extended: false, limit: '1kb' }), async (req, res) => {
    headers(res);
    const done = await inbox.campaigns.unsubscribe(req.params.token);
    res
      .status(done ? 200 : 404)
      .type('html')
      .send(
        done
          ? page(
              'Відписано / Unsubscribed',
              '<p>Ви відписалися: наших розсилок більше не буде. / You are unsubscribed: no more campaigns.</p>',
            )
          : page('Посилання недійсне / Invalid link', '<p>Це посилання недійсне. / This link is not valid.</p>'),
      );
  });

  return router;
}
