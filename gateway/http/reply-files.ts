import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Inbox } from '../../inbox';
import type { ReplyFiles } from '../../inbox/ports';
import type { ChannelAdapter } from '../../shared/channel-adapter';
import { AppError, ErrorCode } from '../../shared/errors';
import { fileNameSchema, type UploadedFile } from '../../shared/inbox-api';
import type { Attachment } from '../../shared/messages';
import type { BlobFiles } from '../blob-files';
import { actorOf, authenticate } from './authenticate';
import type { Tokens } from './tokens';
import { parseInput } from './validate';

/** A MIME type as `type/subtype`, parameters dropped: what goes into the mail part's Content-Type. */
const mimeTypePattern = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;

/** A stored file as a message attachment: what the page shows and the channel sends. */
export const attachmentOfBlob = (blob: { id: string; name: string; mimeType: string; size: number }): Attachment & UploadedFile => ({
  id: blob.id,
  kind: blob.mimeType.startsWith('image/') ? 'image' : 'file',
  platformId: blob.id,
  name: blob.name,
  mimeType: blob.mimeType,
  size: blob.size,
  url: `/api/attachments/${blob.id}`,
});

/** Uploads, looked up by the inbox when a reply names them. */
export const replyFilesOf = (blobs: BlobFiles, maxTotalBytes: number): ReplyFiles => ({
  maxTotalBytes,
  async describe(id) {
    const blob = await blobs.find(id);
    if (!blob) return undefined;
    const { id: _id, ...attachment } = attachmentOfBlob({ id, ...blob });
    return attachment;
  },
});

const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

/**
 * `POST /api/conversations/:id/attachments`: a file a manager means to send with a reply, as the raw body (its type
 * in Content-Type, its name in `?name=`). Only a manager who may work on the conversation, only where its channel
 * can send files, at most `maxBytes`; the body is read only once all of that holds. Answers the file's descriptor,
 * whose `id` the reply then names. `GET /api/channels` says which connected channels can send files.
 */
export function replyFilesRouter(
  blobs: BlobFiles,
  tokens: Tokens,
  inbox: Inbox,
  channels: readonly ChannelAdapter[],
  maxBytes: number,
): Router {
  const router = express.Router();
  const signedIn = authenticate(tokens, inbox.agents);
  const sendsFiles = (channel: string) => channels.some((c) => c.name === channel && c.sender && c.capabilities.attachmentsOut);

  const tooLarge = () =>
    new AppError(
      ErrorCode.PayloadTooLarge,
      `the file is larger than ${megabytes(maxBytes)}, the most a reply can carry (EMAIL_MAX_SIZE_MB)`,
    );
  const readBody = express.raw({ type: () => true, limit: maxBytes });

  router.post(
    '/conversations/:id/attachments',
    signedIn,
    async (req: Request, _res: Response, next: NextFunction) => {
      const conversation = await inbox.conversations.get(actorOf(req), String(req.params.id));
      if (!sendsFiles(conversation.channel)) {
        throw new AppError(ErrorCode.AttachmentsUnsupported, `the ${conversation.channel} channel cannot send files from the inbox`);
      }
      if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw tooLarge();
      next();
    },
    (req: Request, res: Response, next: NextFunction) => {
      readBody(req, res, (err?: unknown) => {
        if ((err as { type?: string } | undefined)?.type === 'entity.too.large') return next(tooLarge());
        next(err);
      });
    },
    async (req: Request, res: Response) => {
      const name = parseInput(fileNameSchema, typeof req.query.name === 'string' ? req.query.name : '');
      const content = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!content.length) throw new AppError(ErrorCode.BadInput, 'the file is empty: send its bytes as the request body');
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      const mimeType = mimeTypePattern.test(type) ? type : 'application/octet-stream';
      const stored = await blobs.put(content, { name, mimeType });
      // The same bytes uploaded before keep their first name in the store; this upload's name rides with the reply.
      const { platformId: _platformId, ...answer } = attachmentOfBlob({ ...stored, name, mimeType });
      res.status(201).json(answer);
    },
  );
  return router;
}
