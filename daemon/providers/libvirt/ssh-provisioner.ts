// SSH into a lab guest with the lab's key (ssh2): wait until the guest
// answers, push files, run commands, and follow a command's output line by
// line (the node's journal). The guest's host key is new at every first
// boot, so it is taken on first contact and pinned for the later sessions
// of the same deploy.
import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';
import { pause } from './pause.ts';

export interface SshTarget {
  host: string;
  port: number;
  privateKey: string;
  /** SHA-256 (hex) of the host key seen first; a different key is refused. */
  hostKeySha256?: string;
}

export class SshUnreachableError extends Error {
  readonly code = 'ssh-unreachable';
  constructor(
    readonly target: string,
    readonly lastError: string,
    readonly attempts: number,
  ) {
    super(`SSH to ${target} did not answer after ${attempts} attempt(s): ${lastError}`);
    this.name = 'SshUnreachableError';
  }
}

export class SshCommandError extends Error {
  readonly code = 'ssh-command-failed';
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`"${command}" failed on the guest (exit ${exitCode ?? 'by signal'})${stderr.trim() === '' ? '' : `: ${stderr.trim().split('\n').slice(-5).join(' | ')}`}`);
    this.name = 'SshCommandError';
  }
}

export interface GuestFile {
  /** Absolute path on the guest. */
  path: string;
  content: string | Buffer;
  mode: number;
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface WaitOptions {
  deadlineMs: number;
  signal?: AbortSignal;
  /** Pause between attempts. */
  retryMs?: number;
  /** Called after each failed attempt, e.g. to log progress. */
  onRetry?: (attempt: number, error: string) => void;
}

/** Whether content passes through a shell word unchanged: UTF-8 without NUL bytes. */
function isText(content: Buffer): boolean {
  return !content.includes(0) && Buffer.from(content.toString('utf8'), 'utf8').equals(content);
}

/** A value safe inside single quotes in a POSIX shell. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function connectOnce(target: SshTarget, timeoutMs: number): Promise<{ client: ssh2.Client; hostKeySha256: string }> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let seen = '';
    let settled = false;
    client.once('ready', () => {
      settled = true;
      resolve({ client, hostKeySha256: seen });
    });
    // ssh2 can report more than one error for one connection, also after it is ready: a listener stays for good.
    client.on('error', (e) => {
      if (settled) return;
      settled = true;
      client.end();
      reject(e);
    });
    client.connect({
      host: target.host,
      port: target.port,
      username: 'root',
      privateKey: target.privateKey,
      readyTimeout: timeoutMs,
      keepaliveInterval: 10_000,
      hostVerifier: (key: Buffer) => {
        seen = createHash('sha256').update(key).digest('hex');
        return target.hostKeySha256 === undefined || target.hostKeySha256 === seen;
      },
    });
  });
}

export class GuestShell {
  private constructor(
    private readonly client: ssh2.Client,
    readonly hostKeySha256: string,
  ) {}

  /** Connects, retrying every failure (refused, reset, no banner yet, key not installed yet) until the deadline. */
  static async connect(target: SshTarget, opts: WaitOptions): Promise<GuestShell> {
    const name = `root@${target.host}:${target.port}`;
    let attempts = 0;
    let last = 'no attempt made';
    for (;;) {
      opts.signal?.throwIfAborted();
      const left = opts.deadlineMs - Date.now();
      if (left <= 0) throw new SshUnreachableError(name, last, attempts);
      attempts++;
      try {
        const { client, hostKeySha256 } = await connectOnce(target, Math.max(1000, Math.min(left, 10_000)));
        return new GuestShell(client, hostKeySha256);
      } catch (e) {
        last = e instanceof Error ? e.message : String(e);
        opts.onRetry?.(attempts, last);
      }
      await pause(Math.min(opts.retryMs ?? 500, opts.deadlineMs - Date.now()), opts.signal);
    }
  }

  exec(command: string, stdin?: string | Buffer): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, channel) => {
        if (err !== undefined) return reject(err);
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let code: number | null = null;
        channel.on('data', (d: Buffer) => out.push(d));
        channel.stderr.on('data', (d: Buffer) => errOut.push(d));
        channel.on('exit', (c: number | null) => (code = c));
        channel.on('close', () => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errOut).toString('utf8') }));
        channel.end(stdin);
      });
    });
  }

  /** Runs a command and answers its output; a non-zero exit is an error carrying stderr. */
  async run(command: string, stdin?: string | Buffer): Promise<string> {
    const r = await this.exec(command, stdin);
    if (r.code !== 0) throw new SshCommandError(command, r.code, r.stderr);
    return r.stdout;
  }

  /**
   * Writes files on the guest, each atomically (temporary file, then rename)
   * with its folder created, all in one command, then runs `andThen` (a
   * shell command) in the same one when given: under TCG every command costs
   * the guest a second or so, and so does every program the command runs.
   * Text goes in through the shell's own printf and the mode through its
   * umask, so a file costs one program (mv); binary content is decoded by
   * base64 and an executable mode set by chmod.
   */
  async writeFiles(files: GuestFile[], andThen?: string): Promise<void> {
    for (const f of files) if (!f.path.startsWith('/')) throw new RangeError(`a guest path must be absolute, not ${f.path}`);
    const dirs = [...new Set(files.map((f) => f.path.slice(0, f.path.lastIndexOf('/')) || '/'))];
    const lines = ['set -e', `mkdir -p ${dirs.map(shellQuote).join(' ')}`];
    for (const f of files) {
      const tmp = shellQuote(`${f.path}.tmp`);
      const content = Buffer.from(f.content);
      // A file is created with 0666 less the umask; execute bits need chmod.
      lines.push(`umask ${(~f.mode & 0o777).toString(8).padStart(3, '0')}`);
      if (isText(content)) lines.push(`printf '%s' ${shellQuote(content.toString('utf8'))} > ${tmp}`);
      else lines.push(`base64 -d > ${tmp} <<'SPMS_EOF'`, `${content.toString('base64').replace(/.{1,76}/g, '$&\n')}SPMS_EOF`);
      if ((f.mode & 0o111) !== 0) lines.push(`chmod ${f.mode.toString(8)} ${tmp}`);
      lines.push(`mv -f ${tmp} ${shellQuote(f.path)}`);
    }
    if (andThen !== undefined) lines.push('umask 022', andThen);
    await this.run('sh -s', `${lines.join('\n')}\n`);
  }

  /**
   * Runs a long command and hands on each line it prints (stdout and stderr)
   * until stopped or until it ends; `ended` settles then.
   */
  follow(command: string, onLine: (line: string) => void): { stop: () => void; ended: Promise<void> } {
    let stopped = false;
    let stopChannel: () => void = () => undefined;
    const ended = new Promise<void>((resolve, reject) => {
      this.client.exec(command, (err, channel) => {
        if (err !== undefined) return reject(err);
        const partial = { out: '', err: '' };
        const feed = (which: 'out' | 'err', d: Buffer): void => {
          const parts = (partial[which] + d.toString('utf8')).split('\n');
          partial[which] = parts.pop() ?? '';
          for (const line of parts) onLine(line);
        };
        channel.on('data', (d: Buffer) => feed('out', d));
        channel.stderr.on('data', (d: Buffer) => feed('err', d));
        channel.on('close', () => {
          for (const rest of [partial.out, partial.err]) if (rest !== '') onLine(rest);
          resolve();
        });
        stopChannel = () => channel.close();
        if (stopped) stopChannel();
      });
    });
    return {
      stop: () => {
        stopped = true;
        stopChannel();
      },
      ended,
    };
  }

  close(): void {
    this.client.end();
  }
}
