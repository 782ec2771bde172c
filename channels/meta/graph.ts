import { z } from 'zod';

/**
 * A small Graph API client over fetch, for WhatsApp Cloud and Instagram messaging. The base URL (with its version,
 * `https://graph.facebook.com/v21.0`) is configurable, so tests and staging point it at a local server.
 */
export interface GraphClientOptions {
  baseUrl: string;
  accessToken: string;
  timeoutMs?: number;
}

/** Meta's error body: `{"error": {"message", "type", "code", "error_subcode", "error_data", "is_transient", "fbtrace_id"}}`. */
const graphErrorBody = z.object({
  error: z.looseObject({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.number().optional(),
    error_subcode: z.number().optional(),
    is_transient: z.boolean().optional(),
    error_user_msg: z.string().optional(),
    error_data: z.unknown().optional(),
    fbtrace_id: z.string().optional(),
  }),
});

/** The Graph API answered, and said no. */
export class GraphApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: number | undefined,
    readonly subcode: number | undefined,
    /** Meta's own hint that the same call may work later. */
    readonly transient: boolean,
    /** From a Retry-After header, when Meta sends one. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
    this.name = 'GraphApiError';
  }
}

/** The call did not get an answer (connection refused, reset, timed out). */
export class GraphUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphUnreachableError';
  }
}

function retryAfterOf(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

function detailsOf(errorData: unknown): string | undefined {
  if (typeof errorData === 'string') return errorData;
  const details = (errorData as { details?: unknown } | null | undefined)?.details;
  return typeof details === 'string' ? details : undefined;
}

function errorOf(response: Response, body: unknown, text: string): GraphApiError {
  const parsed = graphErrorBody.safeParse(body);
  if (!parsed.success) {
    const snippet = text.slice(0, 200).replace(/\s+/g, ' ').trim();
    return new GraphApiError(
      `HTTP ${response.status}${snippet ? `: ${snippet}` : ''}`,
      response.status,
      undefined,
      undefined,
      false,
      retryAfterOf(response),
    );
  }
  const e = parsed.data.error;
  const details = detailsOf(e.error_data) ?? e.error_user_msg;
  const code = e.code === undefined ? `HTTP ${response.status}` : `${e.code}${e.error_subcode ? `/${e.error_subcode}` : ''}`;
  const message = `${code}: ${e.message ?? 'unknown error'}${details && details !== e.message ? ` (${details})` : ''}`;
  return new GraphApiError(message, response.status, e.code, e.error_subcode, e.is_transient === true, retryAfterOf(response));
}

export class GraphClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: GraphClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, JSON.stringify(body));
  }

  get<T>(path: string, query: Record<string, string> = {}): Promise<T> {
    const search = new URLSearchParams(query).toString();
    return this.call<T>('GET', search ? `${path}?${search}` : path);
  }

  private async call<T>(method: string, path: string, body?: string): Promise<T> {
    const url = `${this.baseUrl}/${path.replace(/^\/+/, '')}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.options.accessToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (e) {
      throw new GraphUnreachableError(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok || graphErrorBody.safeParse(json).success) throw errorOf(response, json, text);
    return json as T;
  }
}
