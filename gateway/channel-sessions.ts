import QRCode from 'qrcode';
import type { ChannelAdapter, ChannelSession, SessionState, SessionStatus } from '../shared/channel-adapter';
import type { Channel } from '../shared/channels';
import type { Logger } from '../shared/logger';

/** What admins see of a channel's own session (WhatsApp Web): over REST and as the live `channel:session` event. */
export interface SessionView {
  channel: Channel;
  state: SessionState;
  /** The pairing QR's text while `state` is `qr`: render it with any QR library, or use `qrDataUrl`. */
  qr: string | null;
  /** The same QR as a PNG `data:` URL, ready for an `<img src>`. */
  qrDataUrl: string | null;
  account: string | null;
  reason: string | null;
  reconnectAt: string | null;
  updatedAt: string;
}

/**
 * The sessions of the channels that hold one, as views for admins. The QR's PNG is rendered once per QR (WhatsApp
 * replaces it about every 20 s while nobody scans), and views of one channel go out in the order of its changes.
 */
export class ChannelSessions {
  private readonly sessions = new Map<Channel, ChannelSession>();
  private readonly rendered = new Map<string, Promise<string | null>>();

  constructor(
    channels: readonly ChannelAdapter[],
    private readonly log: Logger,
  ) {
    for (const channel of channels) if (channel.session) this.sessions.set(channel.name, channel.session);
  }

  channels(): Channel[] {
    return [...this.sessions.keys()];
  }

  /** The current view, or undefined when the channel is off or has no session of its own. */
  async view(channel: Channel): Promise<SessionView | undefined> {
    const session = this.sessions.get(channel);
    return session && this.toView(channel, session.status());
  }

  /** Calls `listener` with a view on every change of any session; returns the unsubscribe. */
  onChange(listener: (view: SessionView) => void): () => void {
    const unsubscribes = [...this.sessions].map(([channel, session]) => {
      let tail: Promise<void> = Promise.resolve();
      return session.onStatus((status) => {
        tail = tail
          .then(async () => listener(await this.toView(channel, status)))
          .catch((err: unknown) => {
            this.log.error({ err, channel }, 'session view could not be sent');
          });
      });
    });
    return () => {
      for (const unsubscribe of unsubscribes) unsubscribe();
    };
  }

  private async toView(channel: Channel, status: SessionStatus): Promise<SessionView> {
    return {
      channel,
      state: status.state,
      qr: status.qr,
      qrDataUrl: status.qr ? await this.png(status.qr) : null,
      account: status.account,
      reason: status.reason,
      reconnectAt: status.reconnectAt?.toISOString() ?? null,
      updatedAt: status.updatedAt.toISOString(),
    };
  }

  private png(qr: string): Promise<string | null> {
    let rendering = this.rendered.get(qr);
    if (!rendering) {
      rendering = QRCode.toDataURL(qr, { errorCorrectionLevel: 'M', margin: 2, width: 264 }).catch((err: unknown) => {
        this.log.warn({ err }, 'QR could not be rendered');
        return null;
      });
      // Only the latest QR is ever shown again.
      this.rendered.clear();
      this.rendered.set(qr, rendering);
    }
    return rendering;
  }
}
