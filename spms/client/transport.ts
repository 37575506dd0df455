// How the client reaches PVs and the PR: a small GET/POST interface so the
// same client runs in the browser (fetch) and in Node (HTTPS with the lab CA,
// see node-transport.ts).

export interface HttpResponse {
  status: number;
  contentType: string;
  body: Uint8Array;
}

export interface Transport {
  request(method: 'GET' | 'POST', url: string, opts?: { accept?: string; body?: Uint8Array; contentType?: string }): Promise<HttpResponse>;
}

export class TransportError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/** A Transport over the platform's fetch (browsers, or Node when TLS needs no private CA). */
export function fetchTransport(fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis)): Transport {
  return {
    async request(method, url, opts = {}) {
      const headers: Record<string, string> = {};
      if (opts.accept !== undefined) headers.accept = opts.accept;
      if (opts.contentType !== undefined) headers['content-type'] = opts.contentType;
      let res: Response;
      try {
        res = await fetchImpl(url, { method, headers, ...(opts.body === undefined ? {} : { body: opts.body as BodyInit }) });
      } catch (e) {
        throw new TransportError('unreachable', `cannot reach ${url}: ${(e as Error).message}`);
      }
      return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: new Uint8Array(await res.arrayBuffer()) };
    },
  };
}

export async function getJson(t: Transport, url: string): Promise<unknown> {
  const res = await t.request('GET', url, { accept: 'application/json' });
  const text = new TextDecoder().decode(res.body);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new TransportError('bad-response', `${url} answered ${res.status} with a body that is not JSON`, res.status);
  }
  if (res.status >= 400) {
    const err = (parsed as { error?: { code?: string; message?: string } }).error;
    throw new TransportError(err?.code ?? 'http-error', `${url}: ${err?.message ?? `HTTP ${res.status}`}`, res.status);
  }
  return parsed;
}
