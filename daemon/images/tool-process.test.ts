import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TaskCancelledError } from '../tasks/task-manager.ts';
import { ImageToolError, runTool } from './tool-process.ts';

/** Running, by /proc: a killed process whose new parent has not reaped it yet is a zombie, not running. */
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const sh = (script: string, signal = new AbortController().signal, lines: string[] = []): Promise<void> =>
  runTool({ name: 'the test script', command: 'sh', args: ['-c', script], signal, onLine: (l, stream) => lines.push(`${stream}: ${l}`) });

describe('runTool', () => {
  it('hands over every line of stdout and stderr', async () => {
    const lines: string[] = [];
    await sh('echo one; echo two >&2; printf three', undefined, lines);
    expect(lines.sort()).toEqual(['stderr: two', 'stdout: one', 'stdout: three']);
  });

  it('fails with the exit code and the last lines', async () => {
    const failure = await sh('echo step 1; echo "bad thing" >&2; exit 3').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ImageToolError);
    expect((failure as ImageToolError).code).toBe('image-tool-failed');
    expect((failure as ImageToolError).message).toContain('the test script failed (exit code 3)');
    expect((failure as ImageToolError).lastLines).toEqual(['step 1', 'bad thing']);
  });

  it('names a command that cannot be started', async () => {
    const failure = await runTool({ name: 'the missing tool', command: 'spms-no-such-tool', args: [], signal: new AbortController().signal, onLine: () => undefined }).catch((e: unknown) => e);
    expect((failure as ImageToolError).message).toContain('the missing tool could not be started');
  });

  it('stops the whole process group on abort, children included', async () => {
    const controller = new AbortController();
    const lines: string[] = [];
    // The child prints its pid, then both wait; abort comes once the pid is known.
    const running = runTool({
      name: 'the sleeper',
      command: 'sh',
      args: ['-c', 'sleep 60 & echo "child $!"; wait'],
      signal: controller.signal,
      onLine: (l) => {
        lines.push(l);
        controller.abort();
      },
    });
    await expect(running).rejects.toBeInstanceOf(TaskCancelledError);
    const pid = Number(/^child (\d+)$/.exec(lines[0] ?? '')?.[1]);
    expect(Number.isInteger(pid)).toBe(true);
    expect(isRunning(pid)).toBe(false);
  });

  it('does not start when the task is already cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(sh('echo never', controller.signal)).rejects.toBeInstanceOf(TaskCancelledError);
  });
});
