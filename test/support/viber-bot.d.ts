/** The parts of viber-bot (which ships no types) the tests use to pin its defects. */
declare module 'viber-bot' {
  import type { RequestListener } from 'node:http';

  interface ViberBotMessage {
    token?: string;
    timestamp?: number;
    text?: string;
  }

  class Bot {
    constructor(configuration: { authToken: string; name: string; avatar: string | undefined; [option: string]: unknown });
    middleware(): RequestListener;
    sendMessage(user: { id: string }, messages: unknown): Promise<unknown[]>;
    on(event: string, listener: (...args: any[]) => void): this;
    /** The REST client; `_url` is the base URL, a constant inside the library. */
    _client: { _url: string };
  }

  const viberBot: {
    Bot: typeof Bot;
    Events: Record<string, string>;
    Message: { Text: new (text: string) => ViberBotMessage };
  };
  export = viberBot;
}
