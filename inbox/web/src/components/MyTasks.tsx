import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentView } from '../../../../shared/inbox-api';
import type { TaskView } from '../../../../shared/tasks-api';
import { kyivDayOf } from '../kyiv-days';
import type { Live } from '../live';
import { overdueAt, useTasks } from '../tasks';
import { useNow } from '../tick';
import { TaskForm } from './TaskForm';
import { TaskItem } from './TaskItem';
import '../tasks.css';

/** The manager's own open tasks: overdue, today's (Kyiv days) and those after, live; each opens its conversation. */
export function MyTasks({
  me,
  agents,
  live,
  onOpen,
  onError,
}: {
  me: AgentView;
  agents: AgentView[];
  live: Live | null;
  onOpen(conversationId: string): void;
  onError(err: unknown): void;
}) {
  const { t } = useTranslation();
  const belongs = useCallback((task: TaskView) => task.assigneeId === me.id && task.doneAt === null, [me.id]);
  const { tasks, add, change, remove } = useTasks(live, `assigneeId=${me.id}&status=open`, belongs);
  const now = useNow();
  const today = kyivDayOf(new Date(now));
  const groups: [string, TaskView[]][] = [
    ['overdue', (tasks ?? []).filter((task) => overdueAt(task, now))],
    ['today', (tasks ?? []).filter((task) => !overdueAt(task, now) && kyivDayOf(new Date(task.dueAt)) === today)],
    ['upcoming', (tasks ?? []).filter((task) => !overdueAt(task, now) && kyivDayOf(new Date(task.dueAt)) > today)],
  ];
  return (
    <main className="my-tasks" id="my-tasks" aria-labelledby="my-tasks-title">
      <h2 id="my-tasks-title">{t('tasks.mine')}</h2>
      {tasks !== null && tasks.length === 0 && <p className="dialog-hint">{t('tasks.noneMine')}</p>}
      <div className="task-groups">
        {groups.map(([key, items]) =>
          items.length === 0 ? null : (
            <section key={key} className={`task-group ${key}`} aria-labelledby={`tasks-${key}`}>
              <h3 id={`tasks-${key}`}>
                {t(`tasks.${key}`)} <span className="count">{items.length}</span>
              </h3>
              <ul className="task-list">
                {items.map((task) => (
                  <TaskItem
                    key={task.id}
                    task={task}
                    agents={agents}
                    onTick={(done) => void change(task.id, { done }).catch(onError)}
                    onRemove={() => void remove(task.id).catch(onError)}
                    onOpen={task.conversationId ? () => onOpen(task.conversationId ?? '') : undefined}
                  />
                ))}
              </ul>
            </section>
          ),
        )}
        <section className="task-group new" aria-labelledby="tasks-new">
          <h3 id="tasks-new">{t('tasks.add')}</h3>
          <TaskForm me={me} agents={agents} onAdd={add} />
        </section>
      </div>
    </main>
  );
}
