import type { AgentView, SessionViewBody } from '../../../../shared/inbox-api';

/** What every panel of the admin area may use; a panel takes what it needs of it. */
export interface AdminPanelProps {
  me: AgentView;
  agents: AgentView[];
  sessions: SessionViewBody[];
  onAgentsChanged(): Promise<void>;
  onError(err: unknown): void;
}
