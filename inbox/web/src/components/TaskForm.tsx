import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentView } from '../../../../shared/inbox-api';
import { fromLocalInput, toLocalInput } from '../snooze-times';

const HOUR = 3600_000;
/** The next whole hour but one: a sensible first due time. */
const suggestion = () => toLocalInput(new Date(Math.ceil((Date.now() + HOUR) / HOUR) * HOUR));

/** A new task: what, when (Kyiv time), for whom (the manager adding it unless chosen). */
export function TaskForm({
  me,
  agents,
  onAdd,
}: {
  me: AgentView;
  agents: AgentView[];
  onAdd(body: { title: string; dueAt: string; assigneeId: string }): Promise<unknown>;
}) {
  const { t } = useTranslation();
  const [title, setTitle] = useState('');
  const [due, setDue] = useState(suggestion);
  const [assigneeId, setAssigneeId] = useState(me.id);
  const [error, setError] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const at = fromLocalInput(due);
    if (!title.trim()) return setError(t('tasks.empty'));
    if (!at) return setError(t('tasks.badDue'));
    setError('');
    void onAdd({ title: title.trim(), dueAt: at.toISOString(), assigneeId })
      .then(() => setTitle(''))
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  };
  const team = agents.filter((a) => a.active);
  return (
    <form className="task-form" onSubmit={submit} noValidate>
      <label>
        {t('tasks.newTitle')}
        <input name="title" value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />
      </label>
      <div className="task-form-row">
        <label>
          {t('tasks.newDue')}
          <input name="dueAt" type="datetime-local" value={due} onChange={(e) => setDue(e.target.value)} />
        </label>
        <label>
          {t('tasks.assignee')}
          <select name="assigneeId" value={assigneeId} onChange={(e) => setAssigneeId(e.target.value)}>
            {(team.some((a) => a.id === me.id) ? team : [me, ...team]).map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <button type="submit" className="primary">
        {t('tasks.add')}
      </button>
      <p className="error" role="alert">
        {error}
      </p>
    </form>
  );
}
