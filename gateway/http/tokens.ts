import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { Actor } from '../../inbox/access';
import { AppError, ErrorCode } from '../../shared/errors';

const claims = z.object({ sub: z.string(), role: z.enum(['agent', 'supervisor', 'admin']), name: z.string() });

/** Managers' bearer tokens: HS256 JWTs naming the agent, their role and name. */
export class Tokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttl = '12h',
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  issue(actor: Actor): Promise<string> {
    return new SignJWT({ role: actor.role, name: actor.name })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(actor.id)
      .setIssuedAt()
      .setExpirationTime(this.ttl)
      .sign(this.key);
  }

  async verify(token: string | undefined): Promise<Actor> {
    if (!token) throw new AppError(ErrorCode.Unauthorized, 'a bearer token is required');
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] });
      const parsed = claims.parse(payload);
      return { id: parsed.sub, role: parsed.role, name: parsed.name };
    } catch {
      throw new AppError(ErrorCode.Unauthorized, 'the token is invalid or expired');
    }
  }
}
