import type { Connection } from 'mongoose';
import { type StoreActivity, storeTimeouts } from './store-timeouts';

/** Pings go out when the store has been quiet this long while something waits: a few per busyQuietMs. */
const pingAfterQuietMs = Math.floor(storeTimeouts.busyQuietMs / 4);

/**
 * Watches the pool of `connection`: any reply, an error reply included, on any pooled connection counts as an
 * answer; a connection checked back in after a network error (closed by it) does not.
 */
export function watchStoreAnswers(connection: Connection): StoreActivity {
  let lastAnswerAt = Date.now();
  const cutByError = new Set<string>();
  const client = connection.getClient();
  client.on('connectionClosed', (event) => {
    if (event.reason === 'error') cutByError.add(`${event.address}/${event.connectionId}`);
  });
  client.on('connectionCheckedIn', (event) => {
    const key = `${event.address}/${event.connectionId}`;
    // The pool closes a connection right after checking it in; wait for that before counting it.
    queueMicrotask(() => {
      if (!cutByError.delete(key)) lastAnswerAt = Date.now();
    });
  });

  let waiters = 0;
  let pinging = false;
  let timer: NodeJS.Timeout | undefined;
  const ping = () => {
    pinging = true;
    // The answer is seen by connectionCheckedIn above; a failure is no answer, which is the point.
    Promise.resolve(connection.db?.admin().ping())
      .catch(() => undefined)
      .finally(() => {
        pinging = false;
      });
  };
  const tick = () => {
    timer = undefined;
    if (waiters === 0) return;
    if (!pinging && Date.now() - lastAnswerAt >= pingAfterQuietMs) ping();
    timer = setTimeout(tick, pingAfterQuietMs);
    timer.unref();
  };

  return {
    answeredAt: () => lastAnswerAt,
    waiting: () => {
      waiters++;
      if (!timer) {
        timer = setTimeout(tick, pingAfterQuietMs);
        timer.unref();
      }
      let done = false;
      return () => {
        if (done) return;
        done = true;
        waiters--;
      };
    },
  };
}
