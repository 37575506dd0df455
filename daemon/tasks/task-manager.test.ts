import { describe, expect, it } from 'vitest';
import type { LabEventInput } from '../events/lab-event.ts';
import { TaskManager } from './task-manager.ts';

function manager(): { tasks: TaskManager; events: LabEventInput[] } {
  const events: LabEventInput[] = [];
  return { tasks: new TaskManager((e) => events.push(e)), events };
}

describe('TaskManager', () => {
  it('records steps, progress and log, and streams them as events', async () => {
    const { tasks, events } = manager();
    const t = tasks.start('deploy', 'Deploy', ['a', 'b'], async (h) => {
      h.step('a');
      h.log('first');
      h.step('b');
      h.progress(0.75);
    });
    const done = await tasks.finished(t.id);
    expect(done?.status).toBe('succeeded');
    expect(done?.progress).toBe(1);
    expect(done?.steps.map((s) => [s.name, s.status])).toEqual([
      ['a', 'done'],
      ['b', 'done'],
    ]);
    expect(done?.logTail).toEqual(['first']);
    expect(events.map((e) => e.type)).toEqual(['task-created', 'task-step', 'task-log', 'task-step', 'task-progress', 'task-finished']);
    expect(events.every((e) => e.payload.taskId === t.id)).toBe(true);
  });

  it('names the failing step', async () => {
    const { tasks } = manager();
    const t = tasks.start('deploy', 'Deploy', ['a', 'b'], async (h) => {
      h.step('a');
      h.step('b');
      throw new Error('PV2 did not become healthy');
    });
    const done = await tasks.finished(t.id);
    expect(done?.status).toBe('failed');
    expect(done?.error).toEqual({ step: 'b', message: 'PV2 did not become healthy' });
    expect(done?.steps.at(-1)?.status).toBe('failed');
  });

  it('cancels through the abort signal', async () => {
    const { tasks } = manager();
    let started: () => void = () => undefined;
    const running = new Promise<void>((r) => (started = r));
    const t = tasks.start('deploy', 'Deploy', ['wait'], async (h) => {
      h.step('wait');
      started();
      await new Promise<void>((_, reject) => h.signal.addEventListener('abort', () => reject(new Error('stopped'))));
    });
    await running;
    expect(tasks.running()?.id).toBe(t.id);
    expect(tasks.cancel(t.id)).toBe(true);
    const done = await tasks.finished(t.id);
    expect(done?.status).toBe('cancelled');
    expect(done?.error?.step).toBe('wait');
    expect(tasks.cancel(t.id)).toBe(false);
  });
});
