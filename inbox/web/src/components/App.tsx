import { useCallback, useEffect, useState } from 'react';
import { type AgentView, agentViewSchema } from '../../../../shared/inbox-api';
import { api, session, whenUnauthorized } from '../api';
import { SignIn } from './SignIn';
import { Workspace } from './Workspace';

/** Signed out: the sign-in form. Signed in: the workspace, for as long as the token is good. */
export function App() {
  const [me, setMe] = useState<AgentView | null>(null);
  const [checking, setChecking] = useState(Boolean(session.token()));

  const signOut = useCallback(() => {
    session.clear();
    setMe(null);
  }, []);

  useEffect(() => {
    whenUnauthorized(signOut);
    if (!session.token()) return;
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
          setMe(agent);
        }}
      />
    );
  }
  return <Workspace me={me} onSignOut={signOut} />;
}
