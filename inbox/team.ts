import type { z } from 'zod';
import { AppError, ErrorCode } from '../shared/errors';
import { agentChangeBody } from '../shared/inbox-api';
import type { Agents } from './agents';
import { InboxEvent, type InboxEvents } from './events';
import type { InboxStore } from './store/port';
import type { Agent } from './views';

export const agentChangeSchema = agentChangeBody;
export type AgentChange = z.infer<typeof agentChangeSchema>;

const lastAdmin = () =>
  new AppError(ErrorCode.LastAdmin, 'this is the last active admin: make another manager an admin before changing this one');

/** Admins managing the team: roles and who may sign in, never leaving the gateway without an active admin. */
export class Team {
  constructor(
    private readonly store: InboxStore,
    private readonly agents: Agents,
    private readonly events: InboxEvents,
  ) {}

  async change(id: string, change: AgentChange): Promise<Agent> {
    const current = await this.agents.find(id);
    if (!current) throw new AppError(ErrorCode.AgentNotFound, `agent ${id} not found`);
    const role = change.role ?? current.role;
    const active = change.active ?? current.active;
    if (role === current.role && active === current.active) return this.agents.get(id);

    const was = { role: current.role, active: current.active };
    const removesAdmin = was.role === 'admin' && was.active && (role !== 'admin' || !active);
    if (removesAdmin && (await this.store.agents.countActiveAdmins()) <= 1) throw lastAdmin();
    const updated = await this.store.agents.update(id, was, { role, active });
    if (!updated) throw new AppError(ErrorCode.Conflict, `agent ${id} was changed meanwhile: read the team again`);
    // Two admins demoting each other at once both pass the count above; whoever finds none left afterwards puts
    // their change back, so at worst both are refused and never is the last admin lost.
    if (removesAdmin && (await this.store.agents.countActiveAdmins()) === 0) {
      await this.store.agents.update(id, { role, active }, was);
      throw lastAdmin();
    }
    const agent = await this.agents.get(id);
    this.events.emit(InboxEvent.AgentChanged, { agent });
    return agent;
  }
}
