import { describe, expect, it } from 'vitest';
import type { TaskHandle } from '../tasks/task-handle.ts';
import { withinRange } from './task-range.ts';

function recorder(): { task: TaskHandle; seen: string[] } {
  const seen: string[] = [];
  const task: TaskHandle = { id: 't', signal: new AbortController().signal, step: (n) => seen.push(`step ${n}`), progress: (f) => seen.push(`progress ${f}`), log: (l) => seen.push(`log ${l}`) };
  return { task, seen };
}

describe('withinRange', () => {
  it('maps 0..1 onto the range and passes steps and logs through', () => {
    const { task, seen } = recorder();
    const inner = withinRange(task, 0.2, 0.6);
    inner.step('build');
    inner.progress(0);
    inner.progress(0.5);
    inner.progress(2);
    inner.log('line');
    expect(seen).toEqual(['step build', 'progress 0.2', 'progress 0.4', 'progress 0.6', 'log line']);
    expect(inner.signal).toBe(task.signal);
  });

  it('refuses a range outside 0..1 or reversed', () => {
    const { task } = recorder();
    expect(() => withinRange(task, 0.5, 0.4)).toThrow(RangeError);
    expect(() => withinRange(task, -0.1, 0.4)).toThrow(/0 <= from <= to <= 1/);
  });
});
