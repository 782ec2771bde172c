import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type AgentView, agentViewSchema, roleSchema } from '../../../../shared/inbox-api';
import { ApiError, api } from '../api';
import type { AdminPanelProps } from './admin-panel';

const roles = roleSchema.options;

/** The team: everyone with their role and whether they may sign in; a new manager is added below. */
export function TeamPanel({ me, agents, onAgentsChanged }: AdminPanelProps) {
  const { t } = useTranslation();
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // The gateway's words are English; the codes an admin can meet here are said in the page's language.
  const say = (err: unknown) => {
    const code = err instanceof ApiError ? err.code : '';
    const known: Record<string, string> = {
      'AUTH.LAST_ADMIN': t('admin.team.lastAdmin'),
      'AUTH.EMAIL_TAKEN': t('admin.team.emailTaken'),
      'INBOX.BAD_INPUT': t('admin.team.badInput'),
    };
    setDone(null);
    setProblem(known[code] ?? t('errors.generic', { message: err instanceof Error ? err.message : String(err) }));
  };

  const change = async (agent: AgentView, body: { role?: string; active?: boolean }, doneText: string) => {
    setBusy(true);
    try {
      await api(agentViewSchema, 'PATCH', `/api/agents/${agent.id}`, body);
      setProblem(null);
      setDone(doneText);
    } catch (err) {
      say(err);
    } finally {
      await onAgentsChanged().catch(() => undefined);
      setBusy(false);
    }
  };

  const add = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    setBusy(true);
    try {
      const created = await api(agentViewSchema, 'POST', '/api/agents', {
        name: data.get('name'),
        email: data.get('email'),
        password: data.get('password'),
        role: data.get('role'),
      });
      form.reset();
      setProblem(null);
      setDone(t('admin.team.added', { name: created.name }));
      await onAgentsChanged();
    } catch (err) {
      say(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="team">
      <p className="notice-line" role="status">
        {done}
      </p>
      {problem && (
        <p className="form-error" role="alert" id="team-error">
          {problem}
        </p>
      )}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a table wider than a phone scrolls sideways, and a keyboard must reach it */}
      <div className="table-scroll" tabIndex={0}>
        <table className="team-table" id="team">
          <caption>{t('admin.team.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('admin.team.name')}</th>
              <th scope="col">{t('admin.team.role')}</th>
              <th scope="col">{t('admin.team.state')}</th>
              <th scope="col">{t('admin.team.action')}</th>
            </tr>
          </thead>
          <tbody>
            {agents.map((a) => (
              <tr key={a.id} data-id={a.id} data-email={a.email} className={a.active ? undefined : 'inactive'}>
                <th scope="row">
                  <span className="name">
                    {a.name}
                    {a.id === me.id ? ` (${t('admin.team.you')})` : ''}
                  </span>
                  <span className="email">{a.email}</span>
                </th>
                <td>
                  <select
                    aria-label={t('admin.team.roleOf', { name: a.name })}
                    value={a.role}
                    disabled={busy}
                    onChange={(e) =>
                      void change(
                        a,
                        { role: e.target.value },
                        t('admin.team.roleChanged', { name: a.name, role: t(`role.${e.target.value}`) }),
                      )
                    }
                  >
                    {roles.map((r) => (
                      <option key={r} value={r}>
                        {t(`role.${r}`)}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{a.active ? (a.online ? t('admin.team.online') : t('admin.team.active')) : t('admin.team.inactive')}</td>
                <td>
                  <button
                    type="button"
                    className={a.active ? 'danger' : undefined}
                    disabled={busy}
                    aria-label={t(a.active ? 'admin.team.deactivateWho' : 'admin.team.reactivateWho', { name: a.name })}
                    onClick={() =>
                      void change(
                        a,
                        { active: !a.active },
                        t(a.active ? 'admin.team.deactivated' : 'admin.team.reactivated', { name: a.name }),
                      )
                    }
                  >
                    {a.active ? t('admin.team.deactivate') : t('admin.team.reactivate')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form className="add-manager" id="add-manager" onSubmit={add} aria-labelledby="add-manager-title">
        <h3 id="add-manager-title">{t('admin.team.addTitle')}</h3>
        <label>
          <span>{t('admin.team.name')}</span>
          <input name="name" required maxLength={200} autoComplete="off" />
        </label>
        <label>
          <span>{t('signIn.email')}</span>
          <input name="email" type="email" required autoComplete="off" />
        </label>
        <label>
          <span>{t('admin.team.password')}</span>
          <input name="password" type="password" required minLength={8} autoComplete="new-password" />
        </label>
        <label>
          <span>{t('admin.team.role')}</span>
          <select name="role" defaultValue="agent">
            {roles.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {t('admin.team.add')}
        </button>
      </form>
    </div>
  );
}
