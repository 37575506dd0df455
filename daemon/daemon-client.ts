// A typed way to talk to a running daemon from Node (command line, tests,
// benchmarks): JSON requests with the token, uploads, and the event socket.
import WebSocket from 'ws';
import type { LabEvent } from './events/lab-event.ts';
import type { Task } from './tasks/task.ts';

export class DaemonRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DaemonRequestError';
  }
}

export class DaemonClient {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${this.token}`, accept: 'application/json' } };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, init);
    } catch (e) {
      throw new DaemonRequestError(0, 'unreachable', `cannot reach the daemon at ${this.url}: ${(e as Error).message}`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      if (res.ok) return text as T;
      throw new DaemonRequestError(res.status, 'http-error', `${method} ${path}: HTTP ${res.status}`);
    }
    if (!res.ok) {
      const err = (json as { error?: { code?: string; message?: string; details?: unknown } }).error;
      throw new DaemonRequestError(res.status, err?.code ?? 'http-error', err?.message ?? `HTTP ${res.status}`, err?.details);
    }
    return json as T;
  }

  get<T>(path: string): Promise<T> {
    return this.call('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.call('POST', path, body ?? {});
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.call('PUT', path, body);
  }

  /** Uploads plugin files (paths relative to the dropped folder) or one archive. */
  upload<T>(files: { path: string; data: Uint8Array }[], fields: Record<string, string> = {}): Promise<T> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    for (const f of files) form.append('file', new Blob([new Uint8Array(f.data)]), f.path);
    return this.call('POST', '/api/plugins', form);
  }

  /** Follows the event stream from `after`; returns a function that stops following. */
  events(after: number, onEvent: (e: LabEvent) => void, onClose?: (code: number) => void): { ready: Promise<void>; close: () => void } {
    const ws = new WebSocket(`${this.url.replace(/^http/, 'ws')}/api/events?after=${after}`, { headers: { authorization: `Bearer ${this.token}` } });
    ws.on('message', (data: WebSocket.RawData) => onEvent(JSON.parse(String(data)) as LabEvent));
    ws.on('close', (code) => onClose?.(code));
    const ready = new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return { ready, close: () => ws.close() };
  }

  /** Waits for a task to end, reporting each of its events; resolves with the final record. */
  async waitForTask(id: string, onEvent?: (e: LabEvent) => void): Promise<Task> {
    let resolveEnd: () => void = () => undefined;
    const ended = new Promise<void>((r) => (resolveEnd = r));
    const stream = this.events(0, (e) => {
      if (e.payload.taskId !== id) return;
      onEvent?.(e);
      if (e.type === 'task-finished') resolveEnd();
    });
    await stream.ready;
    // The task may have ended before the stream opened (and left the history).
    const now = (await this.get<{ task: Task }>(`/api/tasks/${id}`)).task;
    if (now.status === 'running') await ended;
    stream.close();
    return (await this.get<{ task: Task }>(`/api/tasks/${id}`)).task;
  }
}
