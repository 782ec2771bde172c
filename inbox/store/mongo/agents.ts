import type { AgentStore } from '../port';
import type { AgentRecord, Role } from '../records';
import { oid, toAgentRecord } from './mapping';
import { type AgentDoc, isDuplicateKey, type Models } from './models';

export class MongoAgents implements AgentStore {
  constructor(private readonly models: Models) {}

  async create(agent: Omit<AgentRecord, 'id'>): Promise<AgentRecord | null> {
    try {
      return toAgentRecord((await this.models.Agent.create(agent)).toObject() as AgentDoc);
    } catch (e) {
      // The unique email index.
      if (isDuplicateKey(e)) return null;
      throw e;
    }
  }

  async get(id: string): Promise<AgentRecord | null> {
    const doc = await this.models.Agent.findById(oid(id)).lean<AgentDoc>();
    return doc ? toAgentRecord(doc) : null;
  }

  async byEmail(email: string): Promise<AgentRecord | null> {
    const doc = await this.models.Agent.findOne({ email }).lean<AgentDoc>();
    return doc ? toAgentRecord(doc) : null;
  }

  async list(): Promise<AgentRecord[]> {
    return (await this.models.Agent.find().sort({ name: 1 }).lean<AgentDoc[]>()).map(toAgentRecord);
  }

  async hasRole(role: Role): Promise<boolean> {
    return (await this.models.Agent.exists({ role })) !== null;
  }

  async idsWithRole(roles: readonly Role[]): Promise<string[]> {
    const docs = await this.models.Agent.find({ role: { $in: roles } }, { _id: 1 }).lean();
    return docs.map((d) => d._id.toString());
  }

  async names(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const docs = await this.models.Agent.find({ _id: { $in: ids.map(oid) } }, { name: 1 }).lean();
    return new Map(docs.map((d) => [d._id.toString(), d.name]));
  }

  async update(
    id: string,
    was: Pick<AgentRecord, 'role' | 'active'>,
    change: Partial<Pick<AgentRecord, 'role' | 'active'>>,
  ): Promise<AgentRecord | null> {
    const doc = await this.models.Agent.findOneAndUpdate(
      { _id: oid(id), role: was.role, active: was.active ? { $ne: false } : false },
      { $set: change },
      { returnDocument: 'after' },
    ).lean<AgentDoc>();
    return doc ? toAgentRecord(doc) : null;
  }

  async countActiveAdmins(): Promise<number> {
    return this.models.Agent.countDocuments({ role: 'admin', active: { $ne: false } });
  }

  /** One atomic findOneAndUpdate on the agent assigned longest ago: two processes never hand out one turn twice. */
  async takeTurn(candidateIds: readonly string[], at: Date): Promise<string | null> {
    const agent = await this.models.Agent.findOneAndUpdate(
      { role: 'agent', _id: { $in: candidateIds.map(oid) } },
      { $set: { lastAssignedAt: at } },
      { sort: { lastAssignedAt: 1, _id: 1 }, returnDocument: 'after' },
    ).lean();
    return agent?._id.toString() ?? null;
  }
}
