import express, { type Router } from 'express';
import type { Inbox } from '../../inbox';
import type { ChannelAdapter } from '../../shared/channel-adapter';
import { channelNames } from '../../shared/channels';
import { AppError, ErrorCode } from '../../shared/errors';
import type { ChannelView, TemplatesAnswer } from '../../shared/inbox-api';
import { authenticate } from './authenticate';
import type { Tokens } from './tokens';

/**
 * What the page needs to know of each connected channel before a manager types: whether replies go out at all,
 * with files, within which window after the customer's last message, and (WhatsApp) which approved templates may
 * reach a customer once that window has closed.
 */
export function channelsApi(tokens: Tokens, inbox: Inbox, channels: readonly ChannelAdapter[]): Router {
  const router = express.Router();
  const signedIn = authenticate(tokens, inbox.agents);

  router.get('/channels', signedIn, (_req, res) => {
    const items: ChannelView[] = channels.map((c) => ({
      channel: c.name,
      replies: c.sender !== undefined,
      sendsFiles: c.sender !== undefined && c.capabilities.attachmentsOut,
      replyWindowMs: c.capabilities.replyWindowMs,
      humanAgentWindowMs: c.capabilities.humanAgentWindowMs ?? null,
      templates: c.sender !== undefined && c.capabilities.templates === true,
      templatesListed: c.templates !== undefined,
    }));
    res.json({ items });
  });

  router.get('/channels/:channel/templates', signedIn, async (req, res) => {
    const name = req.params.channel as string;
    const channel = (channelNames as readonly string[]).includes(name) ? channels.find((c) => c.name === name) : undefined;
    if (!channel) throw new AppError(ErrorCode.NotFound, `no ${name} channel is connected`);
    if (!channel.capabilities.templates) throw new AppError(ErrorCode.ChannelUnavailable, `the ${name} channel does not send templates`);
    if (!channel.templates) {
      throw new AppError(
        ErrorCode.ChannelUnavailable,
        'approved templates are not listed: set WHATSAPP_BUSINESS_ACCOUNT_ID (a template can still be sent by its name and language)',
      );
    }
    let items: TemplatesAnswer['items'];
    try {
      items = await channel.templates.approved();
    } catch (e) {
      throw new AppError(ErrorCode.ChannelUnavailable, `${name} did not list its templates: ${e instanceof Error ? e.message : String(e)}`);
    }
    const body: TemplatesAnswer = { items };
    res.json(body);
  });

  return router;
}
