// What a long operation sees of its task: declare steps, report progress and
// log lines, and notice cancellation. The task records everything and
// streams it as events.
export interface TaskHandle {
  readonly id: string;
  /** Aborted when the user cancels the task; operations must stop promptly and clean up. */
  readonly signal: AbortSignal;
  /** Starts a named step (the previous one, if any, is marked done). */
  step(name: string): void;
  /** Progress of the whole task, 0..1. */
  progress(fraction: number): void;
  log(line: string): void;
}
