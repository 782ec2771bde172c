import { useCallback, useEffect, useState } from 'react';
import { type AgentView, agentViewSchema } from '../../../../shared/inbox-api';
import { api, session, whenUnauthorized } from '../api';
import { prefetchFirstPage } from '../conversations';
import { codeFile, useCodeFile } from '../split';
import { SignIn } from './SignIn';

// The sign-in form comes first and alone: the workspace (the live connection, the list, the thread) is a file of
// its own, fetched while the manager types, so the form is ready sooner and signing in does not wait for it.
const workspaceFile = codeFile(() => import('./Workspace'));

/** Signed out: the sign-in form. Signed in: the workspace, for as long as the token is good. */
export function App() {
  const [me, setMe] = useState<AgentView | null>(null);
  const [checking, setChecking] = useState(Boolean(session.token()));
  const workspace = useCodeFile(workspaceFile);

  const signOut = useCallback(() => {
    session.clear();
    setMe(null);
  }, []);

  useEffect(() => {
    whenUnauthorized(signOut);
    if (!session.token()) return;
    // The whole team's open list does not depend on who asks: read beside /api/me, not after it.
    prefetchFirstPage('');
    api(agentViewSchema, 'GET', '/api/me')
      .then(setMe)
      .catch(signOut)
      .finally(() => setChecking(false));
  }, [signOut]);

  if (checking) return null;
  if (!me) {
    return (
      <SignIn
        onSignedIn={(token, agent) => {
          session.save(token);
          prefetchFirstPage(agent.id);
          setMe(agent);
        }}
      />
    );
  }
  if (!workspace) return null;
  return <workspace.Workspace me={me} onSignOut={signOut} />;
}
