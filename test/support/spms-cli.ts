// The real `spms` command line as a child process. Asynchronous on purpose:
// a daemon living in the calling process must keep answering the command.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

const SPMS = resolve(import.meta.dirname, '../../bin/spms.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `spms ...args` with `env` over this process's environment; resolves with its exit code and output. */
export function runSpms(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((res) => {
    execFile(process.execPath, [SPMS, ...args], { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      res({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}
