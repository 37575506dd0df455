// A long operation (deploy, teardown) as the Lab view shows it: the task
// record the daemon sends, kept current by its task-* events, and its planned
// steps beside the ones it went through.
import type { LabEvent, Task, TaskStep } from './api-types.ts';

const LOG_TAIL = 200;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function closeRunning(steps: TaskStep[], status: TaskStep['status'], endedMs: number): TaskStep[] {
  return steps.map((s) => (s.status === 'running' ? { ...s, status, endedMs } : s));
}

/** The id of the task a task-* event is about, or undefined for any other event. */
export function taskIdOf(e: LabEvent): string | undefined {
  return e.node === 'daemon' && e.type.startsWith('task-') ? str(e.payload.taskId) : undefined;
}

/**
 * Applies a task-* event to the task shown. task-created starts a new one;
 * the other events change only the task they name (one about another task
 * leaves `task` as it is: the caller may fetch that task).
 */
export function applyTaskEvent(task: Task | undefined, e: LabEvent): Task | undefined {
  const id = taskIdOf(e);
  if (id === undefined) return task;
  const p = e.payload;
  if (e.type === 'task-created') {
    if (task?.id === id) return task;
    const planned = Array.isArray(p.plannedSteps) ? p.plannedSteps.filter((x): x is string => typeof x === 'string') : [];
    return { id, kind: str(p.kind) ?? 'task', title: str(p.title) ?? 'Task', status: 'running', plannedSteps: planned, steps: [], progress: 0, createdMs: e.time, logTail: [] };
  }
  if (task === undefined || task.id !== id) return task;
  const progress = typeof p.progress === 'number' ? Math.max(task.progress, Math.min(1, p.progress)) : task.progress;
  switch (e.type) {
    case 'task-step': {
      const name = str(p.step);
      if (name === undefined) return task;
      return { ...task, progress, steps: [...closeRunning(task.steps, 'done', e.time), { name, status: 'running', startedMs: e.time }] };
    }
    case 'task-progress':
      return { ...task, progress };
    case 'task-log': {
      const line = str(p.line);
      return line === undefined ? task : { ...task, logTail: [...task.logTail, line].slice(-LOG_TAIL) };
    }
    case 'task-finished': {
      const status = (['succeeded', 'failed', 'cancelled'] as const).find((s) => s === p.status) ?? 'failed';
      const err = p.error as { step?: unknown; message?: unknown } | undefined;
      const error = err === undefined ? undefined : { step: str(err.step) ?? null, message: str(err.message) ?? 'failed' };
      const stepStatus = status === 'succeeded' ? 'done' : status === 'cancelled' ? 'cancelled' : 'failed';
      return {
        ...task,
        status,
        progress: status === 'succeeded' ? 1 : task.progress,
        steps: closeRunning(task.steps, stepStatus, e.time),
        endedMs: e.time,
        ...(error === undefined ? {} : { error }),
      };
    }
    default:
      return task;
  }
}

export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'cancelled' | 'skipped';

export interface StepRow {
  name: string;
  state: StepState;
  /** Whether the task announced this step beforehand. */
  planned: boolean;
  durationMs?: number;
}

/**
 * The planned steps in order with what became of each, and the steps run
 * that were not planned where they happened. A planned step the task went
 * past without running is 'skipped'; after a failure the rest are 'pending'.
 */
export function stepRows(task: Task, now = Date.now()): StepRow[] {
  const rows: StepRow[] = [];
  const ran = new Map(task.steps.map((s) => [s.name, s]));
  let plannedIndex = 0;
  const flushPlannedUntil = (name: string | undefined): void => {
    const stop = name === undefined ? task.plannedSteps.length : task.plannedSteps.indexOf(name, plannedIndex);
    if (stop < 0) return;
    for (; plannedIndex < stop; plannedIndex++) {
      const planned = task.plannedSteps[plannedIndex] as string;
      if (!ran.has(planned)) rows.push({ name: planned, planned: true, state: task.status === 'succeeded' || name !== undefined ? 'skipped' : 'pending' });
    }
    if (name !== undefined) plannedIndex = stop + 1;
  };
  for (const s of task.steps) {
    const isPlanned = task.plannedSteps.includes(s.name);
    if (isPlanned) flushPlannedUntil(s.name);
    rows.push({ name: s.name, planned: isPlanned, state: s.status, durationMs: (s.endedMs ?? now) - s.startedMs });
  }
  flushPlannedUntil(undefined);
  return rows;
}

export function elapsedMs(task: Task, now = Date.now()): number {
  return Math.max(0, (task.endedMs ?? now) - task.createdMs);
}

/** The newest of the tasks, preferring one still running. */
export function latestTask(tasks: readonly Task[]): Task | undefined {
  return tasks.find((t) => t.status === 'running') ?? [...tasks].sort((a, b) => b.createdMs - a.createdMs)[0];
}
