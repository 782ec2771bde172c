import express, { type Router } from 'express';
import type { Agents } from '../../inbox/agents';
import { AppError, ErrorCode } from '../../shared/errors';
import type { BlobFiles } from '../blob-files';
import { authenticate } from './authenticate';
import type { Tokens } from './tokens';

/** Types a browser may show in the page; anything else is downloaded, never rendered from our origin. */
const SHOWN_INLINE = /^(image\/(png|jpeg|gif|webp)|application\/pdf|text\/plain)$/i;

/**
 * `GET /api/attachments/:id`: a file a customer sent (an email attachment, the original mail), for signed-in
 * managers. Sandboxed and never sniffed, so an HTML or SVG file cannot run as our page.
 */
export function attachmentsRouter(blobs: BlobFiles, tokens: Tokens, agents: Agents): Router {
  const router = express.Router();
  router.get('/:id', authenticate(tokens, agents), async (req, res) => {
    const blob = await blobs.find(String(req.params.id));
    if (!blob) throw new AppError(ErrorCode.NotFound, 'no such attachment');
    const inline = SHOWN_INLINE.test(blob.mimeType);
    res.setHeader('Content-Type', inline ? blob.mimeType : 'application/octet-stream');
    res.setHeader('Content-Length', String(blob.size));
    res.setHeader('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(blob.name)}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('Cache-Control', 'private, max-age=86400, immutable');
    res.sendFile(blob.file, { dotfiles: 'allow' });
  });
  return router;
}
