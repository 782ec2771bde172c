import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { Actor } from '../../inbox/access';
import { AppError, ErrorCode } from '../../shared/errors';

const claims = z.object({
  sub: z.string(),
  role: z.enum(['agent', 'supervisor', 'admin']),
  name: z.string(),
  exp: z.number(),
  iat: z.number().optional(),
  /** When the password was given (seconds); a refresh carries it over, so a session cannot be stretched forever. */
  auth_time: z.number().optional(),
});

export interface TokenLifetimes {
  /** How long one token lasts. */
  ttlMs: number;
  /** How long after the sign-in a token may still be refreshed. */
  sessionMaxAgeMs: number;
}

export interface Session {
  actor: Actor;
  /** When the manager gave the password, ms since the epoch. */
  signedInAt: number;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** Managers' bearer tokens: HS256 JWTs naming the agent, their role and name; every one of them expires. */
export class Tokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    readonly lifetimes: TokenLifetimes = { ttlMs: 12 * 3600_000, sessionMaxAgeMs: 7 * 24 * 3600_000 },
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  /** A token for a manager who has just given the password, or (signedInAt) a refresh of a live session. */
  issue(actor: Actor, signedInAt = Date.now()): Promise<string> {
    const now = Date.now();
    // A refreshed token never outlives the session it continues.
    const exp = Math.min(now + this.lifetimes.ttlMs, signedInAt + this.lifetimes.sessionMaxAgeMs);
    return new SignJWT({ role: actor.role, name: actor.name, auth_time: seconds(signedInAt) })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(actor.id)
      .setIssuedAt(seconds(now))
      .setExpirationTime(seconds(exp))
      .sign(this.key);
  }

  /**
   * A token good for one place only (its audience, e.g. the jobs dashboard's cookie), for ttlMs; never accepted as
   * a managers' bearer token.
   */
  issueFor(audience: string, actor: Actor, ttlMs: number): Promise<string> {
    const now = Date.now();
    return new SignJWT({ role: actor.role, name: actor.name })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(actor.id)
      .setAudience(audience)
      .setIssuedAt(seconds(now))
      .setExpirationTime(seconds(now + ttlMs))
      .sign(this.key);
  }

  async verify(token: string | undefined, audience?: string): Promise<Actor> {
    return (await this.session(token, audience)).actor;
  }

  /** A managers' token, or with `audience` a token issued for that place only. */
  async session(token: string | undefined, audience?: string): Promise<Session> {
    if (!token) throw new AppError(ErrorCode.Unauthorized, 'a bearer token is required');
    let parsed: z.infer<typeof claims>;
    try {
      // A token without `exp` would be good forever once leaked: it is refused like an expired one.
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], requiredClaims: ['exp'], audience });
      if (!audience && payload.aud !== undefined) throw new Error('a token for one place only');
      parsed = claims.parse(payload);
    } catch {
      throw new AppError(ErrorCode.Unauthorized, 'the token is invalid or expired');
    }
    const signedInAt = (parsed.auth_time ?? parsed.iat ?? 0) * 1000;
    return { actor: { id: parsed.sub, role: parsed.role, name: parsed.name }, signedInAt };
  }
}
