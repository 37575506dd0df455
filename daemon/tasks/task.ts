// The record of one long operation (deploy, teardown, image build): its
// steps, progress, a tail of its log, and how it ended.
export type TaskStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';
export type StepStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface TaskStep {
  name: string;
  status: StepStatus;
  startedMs: number;
  endedMs?: number;
}

export interface Task {
  id: string;
  kind: string;
  title: string;
  status: TaskStatus;
  /** Steps the operation announced it will go through, for progress display. */
  plannedSteps: string[];
  steps: TaskStep[];
  /** 0..1 */
  progress: number;
  createdMs: number;
  endedMs?: number;
  /** The last lines the operation logged. */
  logTail: string[];
  /** Set when the task failed: the step that failed and why. */
  error?: { step: string | null; message: string };
}
