import { useTranslation } from 'react-i18next';
import type { AgentView } from '../../../../shared/inbox-api';
import type { TaskView } from '../../../../shared/tasks-api';
import { dateTime } from '../format';
import { overdueAt } from '../tasks';
import { useNow } from '../tick';

/** One task: ticked done with its checkbox, its due time red once passed, its manager named; deleted with ×. */
export function TaskItem({
  task,
  agents,
  onTick,
  onRemove,
  onOpen,
}: {
  task: TaskView;
  agents: AgentView[];
  onTick(done: boolean): void;
  onRemove(): void;
  /** Opens the task's conversation, where it is shown apart from it. */
  onOpen?: () => void;
}) {
  const { t } = useTranslation();
  const now = useNow();
  const overdue = overdueAt(task, now);
  const assignee = agents.find((a) => a.id === task.assigneeId);
  const done = task.doneAt !== null;
  return (
    <li className={`task${overdue ? ' overdue' : ''}${done ? ' done' : ''}`} data-id={task.id}>
      <input
        type="checkbox"
        id={`task-${task.id}`}
        checked={done}
        onChange={(e) => onTick(e.target.checked)}
        aria-label={t(done ? 'tasks.untick' : 'tasks.tick', { title: task.title })}
      />
      <div className="task-body">
        <label htmlFor={`task-${task.id}`} className="task-title">
          {task.title}
        </label>
        <span className="task-meta">
          <span className="task-due">
            {overdue && <span className="task-overdue-label">{t('tasks.overdueOne')} · </span>}
            {t('tasks.due', { when: dateTime(task.dueAt) })}
          </span>
          {assignee && <span> · {assignee.name}</span>}
          {task.triggerId && <span> · {t('tasks.byTrigger')}</span>}
        </span>
        {onOpen && task.conversationId && (
          <button type="button" className="link task-open" onClick={onOpen}>
            {t('tasks.openConversation')}
          </button>
        )}
      </div>
      <button type="button" className="icon-button task-remove" onClick={onRemove} aria-label={t('tasks.remove', { title: task.title })}>
        ×
      </button>
    </li>
  );
}
