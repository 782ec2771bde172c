import { AppError, ErrorCode } from '../shared/errors';
import { isObjectId } from './access';

/** Opaque keyset cursors: `(time, id)` of the last item of a page, so pages stay stable while new items arrive. */
export function encodeCursor(at: Date, id: { toString(): string }): string {
  return Buffer.from(`${at.toISOString()}|${id.toString()}`).toString('base64url');
}

export function decodeCursor(cursor: string): { at: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const at = new Date(iso ?? '');
  if (!id || !isObjectId(id) || Number.isNaN(at.getTime())) {
    throw new AppError(ErrorCode.BadInput, 'cursor is not one this server handed out');
  }
  return { at, id };
}
