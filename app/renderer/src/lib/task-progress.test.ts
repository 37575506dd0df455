import { describe, expect, it } from 'vitest';
import type { LabEvent, Task } from './api-types.ts';
import { applyTaskEvent, elapsedMs, latestTask, stepRows } from './task-progress.ts';
import { labEvent } from './testing/lab-fixtures.ts';

const PLANNED = ['plan', 'certificates', 'configuration', 'start PR', 'start PVs', 'lab developer'];
const ev = (type: string, payload: Record<string, unknown>, time: number): LabEvent => labEvent('daemon', type, { taskId: 't1', kind: 'deploy', ...payload }, time);

function fold(events: LabEvent[], task?: Task): Task | undefined {
  return events.reduce<Task | undefined>((t, e) => applyTaskEvent(t, e), task);
}

describe('task progress', () => {
  it('builds the task from its events: steps, progress, log and how it failed', () => {
    const t = fold([
      ev('task-created', { title: 'Deploy 4 nodes (local)', plannedSteps: PLANNED }, 100),
      ev('task-step', { step: 'plan', progress: 0 }, 110),
      ev('task-log', { line: 'PV3/cc skipped: no clang' }, 120),
      ev('task-step', { step: 'certificates', progress: 1 / 6 }, 150),
      ev('task-progress', { progress: 0.3 }, 160),
      ev('task-finished', { status: 'failed', error: { step: 'certificates', message: 'disk full' }, durationMs: 100 }, 200),
    ]) as Task;
    expect(t).toMatchObject({
      id: 't1',
      title: 'Deploy 4 nodes (local)',
      status: 'failed',
      progress: 0.3,
      logTail: ['PV3/cc skipped: no clang'],
      endedMs: 200,
      error: { step: 'certificates', message: 'disk full' },
    });
    expect(t.steps).toEqual([
      { name: 'plan', status: 'done', startedMs: 110, endedMs: 150 },
      { name: 'certificates', status: 'failed', startedMs: 150, endedMs: 200 },
    ]);
    expect(elapsedMs(t, 10_000)).toBe(100);
    expect(stepRows(t).map((r) => [r.name, r.state])).toEqual([
      ['plan', 'done'],
      ['certificates', 'failed'],
      ['configuration', 'pending'],
      ['start PR', 'pending'],
      ['start PVs', 'pending'],
      ['lab developer', 'pending'],
    ]);
  });

  it('shows a running task with its current step, a step run without being planned, and ticking time', () => {
    const t = fold([ev('task-created', { title: 'Tear down', plannedSteps: ['stop nodes'] }, 0), ev('task-step', { step: 'stop nodes' }, 5), ev('task-step', { step: 'stop PVs' }, 9)]) as Task;
    expect(stepRows(t, 20).map((r) => [r.name, r.state, r.planned, r.durationMs])).toEqual([
      ['stop nodes', 'done', true, 4],
      ['stop PVs', 'running', false, 11],
    ]);
    expect(elapsedMs(t, 20)).toBe(20);
  });

  it('marks planned steps the task went past as skipped, and completes a succeeded one', () => {
    const t = fold([
      ev('task-created', { plannedSteps: ['a', 'b', 'c'] }, 0),
      ev('task-step', { step: 'a' }, 1),
      ev('task-step', { step: 'c' }, 2),
      ev('task-finished', { status: 'succeeded' }, 3),
    ]) as Task;
    expect(t.progress).toBe(1);
    expect(stepRows(t).map((r) => [r.name, r.state])).toEqual([
      ['a', 'done'],
      ['b', 'skipped'],
      ['c', 'done'],
    ]);
  });

  it('leaves the shown task alone for events about another task; a new task replaces it', () => {
    const t = fold([ev('task-created', { plannedSteps: [] }, 0)]) as Task;
    const other = labEvent('daemon', 'task-log', { taskId: 't2', line: 'x' }, 1);
    expect(applyTaskEvent(t, other)).toBe(t);
    expect(applyTaskEvent(t, { ...other, type: 'node-healthy', node: 'PV1' })).toBe(t);
    const next = applyTaskEvent(t, { ...other, type: 'task-created', payload: { taskId: 't2', kind: 'teardown', title: 'Tear down', plannedSteps: ['stop nodes'] } });
    expect(next?.id).toBe('t2');
    expect(next?.kind).toBe('teardown');
  });

  it('picks the running task, or else the newest', () => {
    const base = fold([ev('task-created', { plannedSteps: [] }, 0)]) as Task;
    const old = { ...base, id: 'old', status: 'failed' as const, createdMs: 1 };
    const newer = { ...base, id: 'new', status: 'succeeded' as const, createdMs: 5 };
    expect(latestTask([old, newer])?.id).toBe('new');
    expect(latestTask([newer, { ...base, id: 'run', createdMs: 0 }])?.id).toBe('run');
    expect(latestTask([])).toBeUndefined();
  });
});
