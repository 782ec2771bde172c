import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentView, ConversationView } from '../../../../shared/inbox-api';
import type { TaskView } from '../../../../shared/tasks-api';
import type { Live } from '../live';
import { useTasks } from '../tasks';
import { TaskForm } from './TaskForm';
import { TaskItem } from './TaskItem';
import '../tasks.css';

/** The conversation's tasks in the contact panel: listed live, added, ticked done, deleted. */
export function ContactTasks({
  conversation,
  me,
  agents,
  live,
  onError,
}: {
  conversation: ConversationView;
  me: AgentView;
  agents: AgentView[];
  live: Live | null;
  onError(err: unknown): void;
}) {
  const { t } = useTranslation();
  const belongs = useCallback((task: TaskView) => task.conversationId === conversation.id, [conversation.id]);
  const { tasks, add, change, remove } = useTasks(live, `conversationId=${conversation.id}`, belongs);
  return (
    <section className="contact-tasks" aria-labelledby="contact-tasks-title">
      <h3 id="contact-tasks-title">{t('tasks.title')}</h3>
      {tasks === null ? (
        <p className="dialog-hint">{t('tasks.loading')}</p>
      ) : tasks.length === 0 ? (
        <p className="dialog-hint">{t('tasks.none')}</p>
      ) : (
        <ul className="task-list">
          {tasks.map((task) => (
            <TaskItem
              key={task.id}
              task={task}
              agents={agents}
              onTick={(done) => void change(task.id, { done }).catch(onError)}
              onRemove={() => void remove(task.id).catch(onError)}
            />
          ))}
        </ul>
      )}
      <TaskForm me={me} agents={agents} onAdd={(body) => add({ ...body, conversationId: conversation.id })} />
    </section>
  );
}
