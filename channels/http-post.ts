import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface PostAnswer {
  status: number;
  /** A response header, lower-cased name; undefined when absent. */
  header(name: string): string | undefined;
}

/** Why a POST got no answer: `timedOut` when it went unanswered in time and may have reached the other side. */
export class PostUnanswered extends Error {
  constructor(
    message: string,
    readonly timedOut: boolean,
  ) {
    super(message);
    this.name = 'PostUnanswered';
  }
}

/**
 * POSTs a body and resolves once the whole answer is read, its body dropped. node:http over kept connections
 * (Node's global agents keep them alive) rather than fetch: a reply to a site form is one of these, and fetch cost
 * several times the CPU of the request itself.
 */
export function postBody(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<PostAnswer> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(target, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      res.resume();
      res.once('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, header: (name) => [res.headers[name]].flat()[0] });
      });
      res.once('error', (e) => fail(new PostUnanswered(e.message, true)));
    });
    const fail = (e: PostUnanswered) => {
      clearTimeout(timer);
      req.destroy();
      reject(e);
    };
    const timer = setTimeout(() => fail(new PostUnanswered(`no answer within ${timeoutMs} ms`, true)), timeoutMs);
    req.once('error', (e) => fail(new PostUnanswered(e.message, false)));
    req.end(body);
  });
}
