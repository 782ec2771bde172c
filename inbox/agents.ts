import { z } from 'zod';
import { AppError, ErrorCode } from '../shared/errors';
import { hashPassword, verifyPassword } from './passwords';
import type { Presence } from './ports';
import type { InboxStore } from './store/port';
import type { AgentRecord } from './store/records';
import { type Agent, type Role, toAgent } from './views';

export const newAgentSchema = z.object({
  name: z.string().trim().min(1).max(200),
  email: z.email().transform((e) => e.toLowerCase()),
  password: z.string().min(8).max(200),
  role: z.enum(['agent', 'supervisor', 'admin']),
});
export type NewAgent = z.infer<typeof newAgentSchema>;

/** The one form of an email address that signs in: what login, its rate limit and the lockout all key on. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/** The people who answer customers: accounts, passwords and who is online. */
export class Agents {
  /** Hash of a password nobody has, so a login with an unknown email costs as much as one with a known email. */
  private decoyHash: Promise<string> | undefined;

  constructor(
    private readonly store: InboxStore,
    private readonly presence: Presence,
    /** The scrypt cost new passwords are hashed at (PASSWORD_SCRYPT_N). */
    private readonly scryptN?: number,
  ) {}

  async create(input: NewAgent): Promise<Agent> {
    const passwordHash = await hashPassword(input.password, this.scryptN);
    const created = await this.store.agents.create({ name: input.name, email: input.email, role: input.role, passwordHash, active: true });
    if (!created) throw new AppError(ErrorCode.EmailTaken, `an agent with email ${input.email} already exists`);
    return toAgent(created, false);
  }

  /** Creates the first admin from settings when there is no admin yet; returns whether it did. */
  async ensureAdmin(email: string, password: string): Promise<boolean> {
    if (await this.store.agents.hasRole('admin')) return false;
    try {
      await this.create({ name: 'Admin', email: email.toLowerCase(), password, role: 'admin' });
      return true;
    } catch (e) {
      if (e instanceof AppError && e.code === ErrorCode.EmailTaken) return false;
      throw e;
    }
  }

  async authenticate(email: string, password: string): Promise<Agent> {
    const doc = await this.store.agents.byEmail(normalizeEmail(email));
    if (!doc) {
      this.decoyHash ??= hashPassword('decoy password that no account has', this.scryptN);
      await verifyPassword(password, await this.decoyHash);
      throw new AppError(ErrorCode.BadCredentials, 'email or password is wrong');
    }
    if (!(await verifyPassword(password, doc.passwordHash))) {
      throw new AppError(ErrorCode.BadCredentials, 'email or password is wrong');
    }
    // Said only to whoever knows the password: to anyone else a deactivated account looks like any other.
    if (!doc.active) throw new AppError(ErrorCode.AccountDeactivated, 'this account is deactivated: ask an admin to reactivate it');
    return this.view(doc);
  }

  async get(id: string): Promise<Agent> {
    const doc = await this.find(id);
    if (!doc) throw new AppError(ErrorCode.AgentNotFound, `agent ${id} not found`);
    return this.view(doc);
  }

  async find(id: string): Promise<AgentRecord | null> {
    if (!/^[a-f0-9]{24}$/i.test(id)) return null;
    return this.store.agents.get(id);
  }

  async list(): Promise<Agent[]> {
    const [docs, online] = await Promise.all([this.store.agents.list(), this.presence.onlineAgentIds()]);
    const set = new Set(online);
    return docs.map((d) => toAgent(d, set.has(d.id)));
  }

  async idsWithRole(roles: readonly Role[]): Promise<string[]> {
    return this.store.agents.idsWithRole(roles);
  }

  private async view(doc: AgentRecord): Promise<Agent> {
    const online = await this.presence.onlineAgentIds();
    return toAgent(doc, online.includes(doc.id));
  }
}
