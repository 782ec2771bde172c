import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type AgentView, loginAnswer } from '../../../../shared/inbox-api';
import { api } from '../api';
import { LanguageSwitch } from './LanguageSwitch';

export function SignIn({ onSignedIn }: { onSignedIn: (token: string, agent: AgentView) => void }) {
  const { t } = useTranslation();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError('');
    try {
      const { token, agent } = await api(loginAnswer, 'POST', '/api/auth/login', {
        email: form.get('email'),
        password: form.get('password'),
      });
      onSignedIn(token, agent);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <form id="login" className="sign-in-form" onSubmit={submit}>
        <h1>{t('signIn.heading')}</h1>
        <label>
          {t('signIn.email')}
          <input name="email" type="email" autoComplete="username" required />
        </label>
        <label>
          {t('signIn.password')}
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('signIn.busy') : t('signIn.submit')}
        </button>
        <p className="error" id="login-error" role="alert">
          {error}
        </p>
        <LanguageSwitch />
      </form>
    </main>
  );
}
