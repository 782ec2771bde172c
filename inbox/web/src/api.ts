import type { z } from 'zod';
import { type ChannelView, channelsAnswer, errorAnswer, type UploadedFile, uploadedFileSchema } from '../../../shared/inbox-api';

/** An error the gateway answered with its stable code, or one of the network. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'inbox.token';
export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  save: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

let onUnauthorized: () => void = () => undefined;
export const whenUnauthorized = (run: () => void) => {
  onUnauthorized = run;
};

/** A call to the managers' API whose answer is parsed with the shared schema, so a shape drift fails loudly here. */
export async function api<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown): Promise<z.output<S>> {
  const token = session.token();
  const res = await fetch(path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data: unknown = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    if (res.status === 401 && path !== '/api/auth/login') onUnauthorized();
    const error = errorAnswer.safeParse(data);
    throw new ApiError(
      error.success ? error.data.error.code : 'HTTP',
      error.success ? error.data.error.message : `request failed (${res.status})`,
      res.status,
    );
  }
  return schema.parse(data);
}

async function failure(res: Response, path: string): Promise<ApiError> {
  const error = errorAnswer.safeParse(await res.json().catch(() => null));
  if (res.status === 401) onUnauthorized();
  return new ApiError(
    error.success ? error.data.error.code : 'HTTP',
    error.success ? error.data.error.message : `request to ${path} failed (${res.status})`,
    res.status,
  );
}

/** Uploads a file to send with a reply in the conversation: its bytes as the body, its name in the query. */
export async function uploadFile(conversationId: string, file: File): Promise<UploadedFile> {
  const token = session.token();
  const path = `/api/conversations/${conversationId}/attachments?name=${encodeURIComponent(file.name)}`;
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': file.type || 'application/octet-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: file,
  });
  if (!res.ok) throw await failure(res, path);
  return uploadedFileSchema.parse(await res.json());
}

let channelsOnce: Promise<ReadonlyMap<string, ChannelView>> | undefined;
/** The connected channels as the page needs them (files, reply window, templates), asked once per page load (again after a failed try). */
export function connectedChannels(): Promise<ReadonlyMap<string, ChannelView>> {
  channelsOnce ??= api(channelsAnswer, 'GET', '/api/channels')
    .then((answer) => new Map(answer.items.map((c) => [c.channel, c])))
    .catch((err: unknown) => {
      channelsOnce = undefined;
      throw err;
    });
  return channelsOnce;
}

export async function download(path: string, filename: string): Promise<void> {
  const token = session.token();
  const res = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!res.ok) throw new ApiError('HTTP', `export failed (${res.status})`, res.status);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await res.blob());
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}
