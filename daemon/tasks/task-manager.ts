// Runs long operations as tasks: each gets a handle to declare steps, report
// progress and log, and an abort signal for cancellation; every change is
// published on the lab's event stream as a task-* event.
import { randomUUID } from 'node:crypto';
import type { EmitLabEvent } from '../events/lab-event.ts';
import type { Task } from './task.ts';
import type { TaskHandle } from './task-handle.ts';

const LOG_TAIL = 200;
const KEEP_FINISHED = 100;

export class TaskCancelledError extends Error {
  readonly code = 'task-cancelled';
  constructor() {
    super('the task was cancelled');
    this.name = 'TaskCancelledError';
  }
}

interface Running {
  task: Task;
  controller: AbortController;
  done: Promise<void>;
}

export class TaskManager {
  private readonly tasks = new Map<string, Running>();

  constructor(private readonly emit: EmitLabEvent) {}

  /** Starts `body` as a task and returns its record at once; the body runs in the background. */
  start(kind: string, title: string, plannedSteps: string[], body: (h: TaskHandle) => Promise<void>): Task {
    const task: Task = { id: randomUUID(), kind, title, status: 'running', plannedSteps, steps: [], progress: 0, createdMs: Date.now(), logTail: [] };
    const controller = new AbortController();
    const publish = (type: string, payload: Record<string, unknown>): void => this.emit({ node: 'daemon', type, payload: { taskId: task.id, kind, ...payload } });
    const current = (): Task['steps'][number] | undefined => task.steps.at(-1);
    const handle: TaskHandle = {
      id: task.id,
      signal: controller.signal,
      step: (name) => {
        if (controller.signal.aborted) throw new TaskCancelledError();
        const prev = current();
        if (prev !== undefined && prev.status === 'running') {
          prev.status = 'done';
          prev.endedMs = Date.now();
        }
        task.steps.push({ name, status: 'running', startedMs: Date.now() });
        const index = plannedSteps.indexOf(name);
        if (index >= 0) task.progress = Math.max(task.progress, index / plannedSteps.length);
        publish('task-step', { step: name, progress: task.progress });
      },
      progress: (fraction) => {
        task.progress = Math.min(1, Math.max(task.progress, fraction));
        publish('task-progress', { progress: task.progress });
      },
      log: (line) => {
        task.logTail.push(line);
        if (task.logTail.length > LOG_TAIL) task.logTail.splice(0, task.logTail.length - LOG_TAIL);
        publish('task-log', { line });
      },
    };
    publish('task-created', { title, plannedSteps });
    const done = (async () => {
      try {
        await body(handle);
        if (controller.signal.aborted) throw new TaskCancelledError();
        const last = current();
        if (last !== undefined && last.status === 'running') Object.assign(last, { status: 'done', endedMs: Date.now() });
        task.status = 'succeeded';
        task.progress = 1;
      } catch (e) {
        const last = current();
        const cancelled = controller.signal.aborted;
        if (last !== undefined && last.status === 'running') Object.assign(last, { status: cancelled ? 'cancelled' : 'failed', endedMs: Date.now() });
        task.status = cancelled ? 'cancelled' : 'failed';
        task.error = { step: last?.name ?? null, message: cancelled ? 'cancelled by the user' : e instanceof Error ? e.message : String(e) };
      }
      task.endedMs = Date.now();
      publish('task-finished', { status: task.status, ...(task.error === undefined ? {} : { error: task.error }), durationMs: task.endedMs - task.createdMs });
      this.prune();
    })();
    this.tasks.set(task.id, { task, controller, done });
    return task;
  }

  get(id: string): Task | undefined {
    return this.tasks.get(id)?.task;
  }

  list(): Task[] {
    return [...this.tasks.values()].map((r) => r.task).sort((a, b) => b.createdMs - a.createdMs);
  }

  running(kind?: string): Task | undefined {
    return this.list().find((t) => t.status === 'running' && (kind === undefined || t.kind === kind));
  }

  /** Resolves when the task has ended (whatever the outcome). */
  async finished(id: string): Promise<Task | undefined> {
    const r = this.tasks.get(id);
    if (r === undefined) return undefined;
    await r.done;
    return r.task;
  }

  /** Requests cancellation; returns false when the task is unknown or already over. */
  cancel(id: string): boolean {
    const r = this.tasks.get(id);
    if (r === undefined || r.task.status !== 'running') return false;
    r.controller.abort(new TaskCancelledError());
    return true;
  }

  async cancelAll(): Promise<void> {
    for (const r of this.tasks.values()) if (r.task.status === 'running') r.controller.abort(new TaskCancelledError());
    await Promise.all([...this.tasks.values()].map((r) => r.done));
  }

  private prune(): void {
    const finished = this.list().filter((t) => t.status !== 'running');
    for (const t of finished.slice(KEEP_FINISHED)) this.tasks.delete(t.id);
  }
}
