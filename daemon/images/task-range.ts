// A task handle whose progress covers only part of the task: an image build
// inside a deploy reports 0..1 for itself, which the deploy maps onto its own
// range (e.g. 0.1..0.6). Steps, logs and cancellation pass through.
import type { TaskHandle } from '../tasks/task-handle.ts';

export function withinRange(task: TaskHandle, from: number, to: number): TaskHandle {
  if (!(from >= 0 && from <= to && to <= 1)) throw new RangeError(`a progress range must satisfy 0 <= from <= to <= 1, not ${from}..${to}`);
  return {
    id: task.id,
    signal: task.signal,
    step: (name) => task.step(name),
    progress: (fraction) => task.progress(from + (to - from) * Math.min(1, Math.max(0, fraction))),
    log: (line) => task.log(line),
  };
}
