// What a node process writes, stdout and stderr as lines in arrival order:
// the last lines kept in memory for the UI and for error messages, and every
// line appended to the node's log file, across its restarts.
import { createWriteStream, type WriteStream } from 'node:fs';

/** Marks the supervisor's own lines among the node's. */
export const SUPERVISOR_PREFIX = '[supervisor] ';

export class NodeLog {
  private lines: string[] = [];
  private readonly partial = { stdout: '', stderr: '' };
  private readonly file: WriteStream;

  constructor(
    readonly path: string,
    private readonly capacity = 2000,
  ) {
    this.file = createWriteStream(path, { flags: 'a' });
    // A log file that cannot be written must not take the daemon down; the lines stay in memory.
    this.file.on('error', () => undefined);
  }

  /** A chunk of the process's output; a line split across chunks is kept until its end arrives. */
  write(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    const parts = (this.partial[stream] + chunk.toString('utf8')).split('\n');
    this.partial[stream] = parts.pop() ?? '';
    for (const line of parts) this.add(line);
  }

  /** A line of the supervisor's own, e.g. when the process starts or exits. */
  note(line: string): void {
    this.flushPartial();
    this.add(`${SUPERVISOR_PREFIX}${line}`);
  }

  tail(n: number): string[] {
    return n <= 0 ? [] : this.lines.slice(-Math.min(n, this.capacity));
  }

  /** Ends the file; the lines in memory stay readable. */
  close(): void {
    this.flushPartial();
    this.file.end();
  }

  private flushPartial(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream] !== '') this.add(this.partial[stream]);
      this.partial[stream] = '';
    }
  }

  private add(line: string): void {
    this.file.write(`${line}\n`);
    this.lines.push(line);
    // Trimmed in batches, so that keeping the last lines costs no copy per line.
    if (this.lines.length >= 2 * this.capacity) this.lines = this.lines.slice(-this.capacity);
  }
}
