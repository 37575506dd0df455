// Runs the image tools (the base recipe's script, packer) as child processes:
// their output line by line to the caller, cancellation by the task's abort
// signal (the whole process group is stopped, QEMU included), and a typed
// error carrying the last lines when a tool fails.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { TaskCancelledError } from '../tasks/task-manager.ts';

const LAST_LINES = 30;
/** Time a tool gets to clean up after SIGTERM (packer removes its output, stops QEMU) before SIGKILL. */
const STOP_GRACE_MS = 15_000;

export class ImageToolError extends Error {
  readonly code = 'image-tool-failed';
  constructor(
    readonly tool: string,
    readonly reason: string,
    readonly lastLines: string[],
  ) {
    super(`${tool} ${reason}${lastLines.length === 0 ? '' : `; its last lines:\n${lastLines.join('\n')}`}`);
    this.name = 'ImageToolError';
  }
}

export interface ToolRun {
  /** Named in errors ("mmdebstrap (base image)"). */
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** Every line of stdout and stderr, as it comes. */
  onLine(line: string, stream: 'stdout' | 'stderr'): void;
  /** What of a line goes into the error's last lines (default: the line itself). */
  errorText?(line: string): string | undefined;
}

export function runTool(run: ToolRun): Promise<void> {
  if (run.signal.aborted) return Promise.reject(new TaskCancelledError());
  return new Promise((resolve, reject) => {
    // Its own process group, so that cancelling stops everything it started.
    const child = spawn(run.command, run.args, { cwd: run.cwd, env: run.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const last: string[] = [];
    const take = (stream: 'stdout' | 'stderr') => (line: string) => {
      const text = run.errorText === undefined ? line : run.errorText(line);
      if (text !== undefined && text.trim() !== '') {
        last.push(text);
        if (last.length > LAST_LINES) last.shift();
      }
      run.onLine(line, stream);
    };
    createInterface({ input: child.stdout }).on('line', take('stdout'));
    createInterface({ input: child.stderr }).on('line', take('stderr'));
    let killTimer: NodeJS.Timeout | undefined;
    const signalGroup = (sig: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        // The group is gone already.
      }
    };
    const onAbort = (): void => {
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), STOP_GRACE_MS);
    };
    run.signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      run.signal.removeEventListener('abort', onAbort);
      reject(new ImageToolError(run.name, `could not be started (${run.command}: ${e.message})`, []));
    });
    child.on('close', (code, sig) => {
      run.signal.removeEventListener('abort', onAbort);
      if (killTimer !== undefined) clearTimeout(killTimer);
      if (run.signal.aborted) reject(new TaskCancelledError());
      else if (code === 0) resolve();
      else reject(new ImageToolError(run.name, code === null ? `was killed by ${sig ?? 'a signal'}` : `failed (exit code ${code})`, last));
    });
  });
}
