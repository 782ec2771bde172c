import { useCallback, useEffect, useState } from 'react';
import { type TaskView, tasksPage, taskViewSchema } from '../../../shared/tasks-api';
import { api } from './api';
import type { Live } from './live';

const byDue = (a: TaskView, b: TaskView) => a.dueAt.localeCompare(b.dueAt) || a.id.localeCompare(b.id);

/**
 * The tasks of one list (`query`: a conversation's, or mine), read once and kept live: a created or changed task is
 * merged in when `belongs` says it is this list's, taken out when it no longer is, a deleted one taken out.
 */
export function useTasks(live: Live | null, query: string, belongs: (t: TaskView) => boolean) {
  const [tasks, setTasks] = useState<TaskView[] | null>(null);
  const reload = useCallback(async () => {
    const page = await api(tasksPage, 'GET', `/api/tasks?${query}&limit=200`);
    setTasks(page.items);
  }, [query]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `belongs` is the query's, which keys this effect
  useEffect(() => {
    setTasks(null);
    void reload().catch(() => setTasks([]));
    if (!live) return;
    const merge = (task: TaskView) =>
      setTasks((prev) => {
        const rest = (prev ?? []).filter((t) => t.id !== task.id);
        return belongs(task) ? [...rest, task].sort(byDue) : rest;
      });
    const offs = [
      live.on('task:created', ({ task }) => merge(task)),
      live.on('task:updated', ({ task }) => merge(task)),
      live.on('task:deleted', ({ task }) => setTasks((prev) => (prev ?? []).filter((t) => t.id !== task.id))),
      // After a reconnect what changed meanwhile is read again.
      live.onStatus((up, resumed) => {
        if (up && resumed) void reload().catch(() => undefined);
      }),
    ];
    return () => {
      for (const off of offs) off();
    };
  }, [live, reload]);

  const change = useCallback(
    async (id: string, body: object) => {
      const task = await api(taskViewSchema, 'PATCH', `/api/tasks/${id}`, body);
      setTasks((prev) => (belongs(task) ? (prev ?? []).map((t) => (t.id === id ? task : t)) : (prev ?? []).filter((t) => t.id !== id)));
      return task;
    },
    [belongs],
  );
  const remove = useCallback(async (id: string) => {
    await api(taskViewSchema.nullable(), 'DELETE', `/api/tasks/${id}`);
    setTasks((prev) => (prev ?? []).filter((t) => t.id !== id));
  }, []);
  const add = useCallback(
    async (body: object) => {
      const task = await api(taskViewSchema, 'POST', '/api/tasks', body);
      setTasks((prev) => (belongs(task) ? [...(prev ?? []).filter((t) => t.id !== task.id), task].sort(byDue) : (prev ?? [])));
      return task;
    },
    [belongs],
  );
  return { tasks, add, change, remove };
}

/** Not done and past due, at `now` (the list re-reckons it each second, so a task turns red as its time passes). */
export const overdueAt = (t: TaskView, now: number) => t.doneAt === null && new Date(t.dueAt).getTime() < now;
