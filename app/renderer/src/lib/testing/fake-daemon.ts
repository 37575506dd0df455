// A stand-in for the daemon's HTTP API in component tests: fetch answers
// from handlers keyed by path, in the daemon's JSON and error shapes.
import { vi } from 'vitest';

export type Handler = (url: URL) => unknown;

/** Thrown by a handler to answer with the daemon's error shape. */
export class FakeApiError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
  ) {}
}

/** Replaces fetch; each request goes to the handler of the longest matching path prefix. Returns the calls made. */
export function fakeDaemon(handlers: Record<string, Handler>): URL[] {
  const calls: URL[] = [];
  const prefixes = Object.keys(handlers).sort((a, b) => b.length - a.length);
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string) => {
      const url = new URL(input, 'http://127.0.0.1:7792');
      calls.push(url);
      const prefix = prefixes.find((p) => url.pathname.startsWith(p));
      const json = (status: number, body: unknown): Response => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
      if (prefix === undefined) return json(404, { error: { code: 'not-found', message: `no route ${url.pathname}` } });
      try {
        return json(200, handlers[prefix]!(url));
      } catch (e) {
        if (e instanceof FakeApiError) return json(e.status, { error: { code: e.code, message: e.message } });
        throw e;
      }
    }),
  );
  return calls;
}

/** GET /api/lab of a lab deployed with these PVs (only what the views read). */
export function deployedLab(pvs: string[]): unknown {
  return {
    deployment: {
      status: 'deployed',
      provider: 'local',
      updatedMs: 0,
      skipped: [],
      nodes: [{ id: 'PR', role: 'pr', url: 'https://127.0.0.1:1' }, ...pvs.map((id, i) => ({ id, role: 'pv', url: `https://127.0.0.1:${i + 2}` }))],
    },
  };
}

/** Lets pending promises and effects settle. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
}
